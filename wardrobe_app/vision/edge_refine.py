"""Snap the segmenter's edges to the photo's: a colour-guided filter on the probabilities.

The network answers at a quarter of a CCP photo's resolution (its head works at stride 2
of a 384x256 input), so upsampled probabilities blur across a garment's edge. The
guided filter (He, Sun, Tang: "Guided Image Filtering", ECCV 2010 / TPAMI 2013) fits,
in each window, the probabilities as a linear function of the photo's colours: where
the colour changes, so may the class, and nowhere else. Fitted on the network's own
coarse grid and its coefficients upsampled to the photo ("Fast Guided Filter", He and
Sun 2015), it costs a few tens of milliseconds on CPU. On CCP's val photos it adds about
half a point of IoU to every garment class (MODEL.md, "Edges snapped to the photo").
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class EdgeRefinement:
    """The fit is made on a grid ``shrink`` times coarser than the network's working
    size (the Lite UNets' head works at stride 2: the grid of their answer), where
    ``radius`` counts that grid's pixels; ``eps`` is in squared colour units (0-1
    scale): the smaller, the more a faint edge counts."""

    radius: int = 2
    eps: float = 1e-3
    shrink: int = 2
    keep_flat: bool = True

    def __post_init__(self) -> None:
        if self.radius < 1 or self.shrink < 1 or self.eps <= 0:
            raise ValueError(f"radius and shrink must be >= 1 and eps > 0: {self}")

    def __call__(self, guide: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
        """``guide`` (1, 3, H, W) in 0-1, the photo, and ``probs`` (1, C, h, w), a pass's
        probabilities at its working size -> probabilities (1, C, H, W) at the photo's.

        Each pixel's probabilities still sum to 1 and lie in 0-1. Tying the window to
        the network's grid, not to the photo's pixels, keeps it in proportion to what
        the network could resolve: a small figure segmented closer gets a finer window.
        """
        if guide.shape[:2] != (1, 3) or probs.shape[0] != 1:
            raise ValueError(
                f"expected a (1, 3, H, W) guide and (1, C, h, w) probabilities, "
                f"got {tuple(guide.shape)} and {tuple(probs.shape)}"
            )
        height, width = guide.shape[-2:]
        h, w = probs.shape[-2:]
        grid = (min(-(-h // self.shrink), height), min(-(-w // self.shrink), width))
        low_guide = resize_channels(guide[0], grid, area=True)
        low_probs = resize_channels(probs[0, 1:], grid, area=True)
        # The fit is linear and each pixel's probabilities sum to 1, so the refined ones
        # do too: fit all classes but the first, and take the first as the rest of 1.
        fitted = probs.shape[1] - 1
        a, b, edge = _coefficients(low_guide, low_probs, self.radius, self.eps)
        # Where the photo shows no colour edge to follow, the fit is a plain blur: keep
        # the network's own answer there instead (weight 1 - edge), so that a garment
        # the colour of its backdrop keeps its outline rather than shrinking.
        parts = [a * edge, b * edge, 1 - edge[None]] if self.keep_flat else [a, b]
        coefficients = resize_channels(_box(torch.cat(parts), self.radius), (height, width))
        refined = torch.empty(fitted + 1, height, width, dtype=guide.dtype, device=guide.device)
        garments = refined[1:]
        garments.copy_(coefficients[3 * fitted : 4 * fitted])  # b
        for channel in range(3):  # + a . I, one colour at a time (no (3, C, H, W) temporary)
            garments.addcmul_(
                coefficients[channel * fitted : (channel + 1) * fitted], guide[0, channel]
            )
        if self.keep_flat:
            network = resize_channels(probs[0, 1:], (height, width))
            garments.addcmul_(network, coefficients[4 * fitted :])
        torch.sub(1, garments.sum(0), out=refined[0])
        # Linear fits overshoot a little at strong edges: clip, and sum to 1 again (the
        # argmax is unchanged by either).
        refined.clamp_(min=0)
        refined /= refined.sum(0, keepdim=True).clamp_(min=1e-6)
        return refined[None]


def resize_channels(x: torch.Tensor, size: tuple[int, int], area: bool = False) -> torch.Tensor:
    """(K, h, w) to (K, *size), float32 on ``x``'s device: bilinear (half-pixel centres),
    or area averaging (to shrink).

    OpenCV does it, one channel at a time into the output: 3-4x faster than torch on CPU
    (a 16-channel upsample to 550x825 took 2.5 ms against 8.9 ms). Area averaging always
    goes through OpenCV, on CUDA too, since torch's ``area`` weighs whole pixels where
    OpenCV weighs fractions of them: the same photo gives the same edges on either
    device. Bilinear on CUDA stays there (torch and OpenCV agree within 4e-5).
    """
    if x.device.type != "cpu" and not area:
        return F.interpolate(x[None].float(), size=size, mode="bilinear", align_corners=False)[0]
    source = x.detach().float().cpu().contiguous().numpy()
    out = torch.empty((x.shape[0], *size), dtype=torch.float32)
    target = out.numpy()
    flag = cv2.INTER_AREA if area else cv2.INTER_LINEAR
    for k in range(x.shape[0]):
        cv2.resize(source[k], (size[1], size[0]), dst=target[k], interpolation=flag)
    return out.to(x.device)


_UPPER = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))


def _box(x: torch.Tensor, radius: int) -> torch.Tensor:
    """Mean over a (2r+1)^2 window of each channel of (K, h, w); windows cut at the border.

    Running sums, one axis at a time: the cost does not grow with the radius, and it is
    several times faster on CPU than ``avg_pool2d`` at stride 1.
    """
    h, w = x.shape[-2:]
    sums = _window_sums(_window_sums(x, radius, -1), radius, -2)
    return sums / (_window_counts(h, radius, x)[:, None] * _window_counts(w, radius, x)[None])


def _window_sums(x: torch.Tensor, radius: int, dim: int) -> torch.Tensor:
    n = x.shape[dim]
    pad = (radius + 1, radius) if dim == -1 else (0, 0, radius + 1, radius)
    running = F.pad(x, pad).cumsum(dim)
    return running.narrow(dim, 2 * radius + 1, n) - running.narrow(dim, 0, n)


def _window_counts(n: int, radius: int, like: torch.Tensor) -> torch.Tensor:
    index = torch.arange(n, device=like.device)
    return ((index + radius).clamp_max(n - 1) - (index - radius).clamp_min(0) + 1).to(like.dtype)


def _coefficients(
    guide: torch.Tensor, probs: torch.Tensor, radius: int, eps: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per pixel, q = a . I + b fitted over its window: a (3 * C, h, w), b (C, h, w); and
    how much colour edge the window holds, 0 to 1 (h, w)."""
    classes, h, w = probs.shape
    products = (guide[:, None] * probs[None]).reshape(3 * classes, h, w)
    pairs = torch.stack([guide[i] * guide[j] for i, j in _UPPER])
    # Every window mean in one pass (many small pooling calls cost more than one wide).
    means = _box(torch.cat([guide, probs, products, pairs]), radius)
    mean_i, mean_p = means[:3], means[3 : 3 + classes]
    mean_ip = means[3 + classes : 3 + 4 * classes].view(3, classes, h, w)
    cov_ip = mean_ip - mean_i[:, None] * mean_p[None]
    # The window's colour covariance, its six distinct entries, regularised by eps.
    rr, rg, rb, gg, gb, bb = means[3 + 4 * classes :] - torch.stack(
        [mean_i[i] * mean_i[j] for i, j in _UPPER]
    )
    variance = rr + gg + bb
    edge = variance / (variance + 3 * eps)
    rr, gg, bb = rr + eps, gg + eps, bb + eps
    # Its inverse in closed form (adjugate over determinant): far faster on CPU than a
    # batched solve of h*w 3x3 systems.
    inv = torch.stack(
        [
            *(gg * bb - gb * gb, gb * rb - rg * bb, rg * gb - gg * rb),
            *(gb * rb - rg * bb, rr * bb - rb * rb, rg * rb - rr * gb),
            *(rg * gb - gg * rb, rg * rb - rr * gb, rr * gg - rg * rg),
        ]
    ).view(3, 3, h, w)
    det = rr * inv[0, 0] + rg * inv[0, 1] + rb * inv[0, 2]
    a = (inv[:, :, None] * cov_ip[None]).sum(1) / det  # (3, C, h, w)
    b = mean_p - (a * mean_i[:, None]).sum(0)
    return a.reshape(3 * classes, h, w), b, edge
