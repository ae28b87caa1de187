"""Inference: a model folder and a photo in, a uint8 label map at the photo's size out.

A figure small in its photo is segmented again in a window that frames it as CCP's
training photos do (``framing``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from .. import paths
from .edge_refine import EdgeRefinement, resize_channels
from .ensemble import ProbabilityAverage
from .fold_bn import fold_batch_norms
from .framing import (
    CONVERGED_IOU,
    ZOOM_PASSES,
    Box,
    box_iou,
    fit_size,
    frame_garments,
    framing_box,
    garment_box,
)
from .label_upsample import interpolated_labels, upsampled_labels
from .model_folder import ModelConfig, load_model


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` takes CUDA when present; asking for CUDA without one is a clear error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("CUDA was asked for but torch sees no CUDA device")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda, not {name!r}")
    return torch.device(name)


class Segmenter:
    """The UNet of a model folder on CPU or CUDA. Thread-safe for one caller at a time."""

    def __init__(
        self,
        model_dir: str | os.PathLike[str] | None = None,
        device: str = "auto",
        fold_bn: bool = True,
        reframe: bool = True,
        half: bool | None = None,
        refine_edges: bool = True,
    ) -> None:
        self.model_dir = Path(model_dir) if model_dir else paths.DEFAULT_SEGMENTER
        self.device = resolve_device(device)
        model, config = load_model(self.model_dir)
        self.config: ModelConfig = config
        self.stride = int(getattr(model, "stride", 32))
        # Batch norms folded into the convolutions: about a fifth faster on CPU.
        if fold_bn:
            model = fold_batch_norms(model, (torch.rand(1, 3, 2 * self.stride, 2 * self.stride),))
        if isinstance(model, ProbabilityAverage):
            model.reset_counts()  # count photos only, not the folding's check
        # fp16 on CUDA (``half=None``): the same labels as fp32 on 99.98% of val pixels,
        # x1.28 faster on an H200 and half the memory (MODEL.md).
        self.half = self.device.type == "cuda" if half is None else half
        if self.half and self.device.type != "cuda":
            raise ValueError("half precision is for CUDA; the CPU runs float32")
        # channels_last: oneDNN's fast convolution layout on CPU (76 -> 54 ms here).
        dtype = torch.float16 if self.half else torch.float32
        self.model = model.to(self.device, dtype).to(memory_format=torch.channels_last).eval()
        self._mean = torch.tensor(config.mean, device=self.device).view(1, 3, 1, 1)
        self._std = torch.tensor(config.std, device=self.device).view(1, 3, 1, 1)
        # A figure small in its photo is segmented again, closer (``framing_box``), in up
        # to this many passes; 0 (``reframe=False``) looks once.
        self.zoom_passes = ZOOM_PASSES if reframe else 0
        # The network answers at a quarter of a CCP photo's resolution: its edges are
        # snapped to the photo's own (``edge_refine``); False keeps them as upsampled.
        self.edge_refinement: EdgeRefinement | None = None
        self.refine_edges = refine_edges

    @property
    def refine_edges(self) -> bool:
        return self.edge_refinement is not None

    @refine_edges.setter
    def refine_edges(self, on: bool) -> None:
        self.edge_refinement = EdgeRefinement() if on else None

    @property
    def target(self) -> tuple[int, int]:
        """The working size (height, width) of a portrait photo."""
        return self.config.input_size[0], self.config.input_size[1]

    @property
    def class_names(self) -> list[str]:
        return list(self.config.class_names)

    def describe(self) -> str:
        return f"{self.config.name} ({self.config.architecture}) on {self.device.type.upper()}"

    def _prepare(self, rgb: np.ndarray, size: tuple[int, int]) -> torch.Tensor:
        h, w = size
        if self.device.type == "cpu":
            # One colour at a time: the photo in float32 at once is 1.3 GB at 108 MP, one
            # plane a third of that; the antialiased resize gives the same values.
            x = torch.cat([_resized_plane(rgb, c, size) for c in range(3)], 1)
        else:  # sent as uint8, made float on the device
            x = (
                torch.from_numpy(np.require(rgb, requirements=["C", "W"]))
                .to(self.device)
                .permute(2, 0, 1)[None]
                .float()
            )
            x = F.interpolate(x, size=(h, w), mode="bilinear", antialias=True, align_corners=False)
        x = (x / 255.0 - self._mean) / self._std
        pad_h = (-h) % self.stride
        pad_w = (-w) % self.stride
        if pad_h or pad_w:
            x = F.pad(x, (0, pad_w, 0, pad_h), mode="replicate")
        return x

    @torch.inference_mode()
    def probabilities(self, rgb: np.ndarray, out_size: tuple[int, int] | None = None) -> np.ndarray:
        """Class probabilities (C, H, W) float32 at ``out_size`` (default: the photo's size)."""
        return self.probabilities_batch([rgb], [out_size] if out_size else None)[0]

    @torch.inference_mode()
    def probabilities_batch(
        self, images: Sequence[np.ndarray], out_sizes: Sequence[tuple[int, int]] | None = None
    ) -> list[np.ndarray]:
        return [p.cpu().numpy() for p in self._probabilities(images, out_sizes)]

    def _forward(self, rgb: np.ndarray) -> torch.Tensor:
        """Probabilities (1, C, h, w) at the working size that fits the photo."""
        height, width = rgb.shape[:2]
        size = fit_size(height, width, self.target, self.stride)
        x = self._prepare(rgb, size).contiguous(memory_format=torch.channels_last)
        logits = self.model(x.half() if self.half else x).float()
        return logits[:, :, : size[0], : size[1]].softmax(1)  # the padding cropped back

    def _probabilities(
        self, images: Sequence[np.ndarray], out_sizes: Sequence[tuple[int, int]] | None = None
    ) -> list[torch.Tensor]:
        results: list[torch.Tensor] = []
        for i, rgb in enumerate(images):
            _check_photo(rgb)
            out = out_sizes[i] if out_sizes else (rgb.shape[0], rgb.shape[1])
            results.append(self._framed(rgb, out)[0])
        return results

    def _snapped(self, rgb: np.ndarray, work: torch.Tensor, out: tuple[int, int]) -> torch.Tensor:
        """A pass's probabilities ``work`` (1, C, h, w) on the photo (or window) ``rgb``
        with their edges snapped to the photo's: at ``out``, or shrunk to fit
        REFINE_MAX_SIDE where ``out`` is bigger."""
        assert self.edge_refinement is not None
        scale = min(1.0, REFINE_MAX_SIDE / max(out))
        size = (max(1, round(out[0] * scale)), max(1, round(out[1] * scale)))
        return self.edge_refinement(_guide(rgb, size).to(self.device), work)

    def _upsampled(self, rgb: np.ndarray, work: torch.Tensor, out: tuple[int, int]) -> torch.Tensor:
        """A pass's probabilities ``work`` (1, C, h, w) on the photo (or window) ``rgb``,
        brought to ``out``: upsampled (the probabilities, not the labels: smooth edges),
        with their edges snapped to the photo's."""
        if self.edge_refinement is None:
            return F.interpolate(work, size=out, mode="bilinear", align_corners=False)
        probs = self._snapped(rgb, work, out)
        if probs.shape[-2:] != out:  # a big photo: snapped at REFINE_MAX_SIDE, then upsampled
            probs = resize_channels(probs[0], out)[None]
        return probs

    def _upsampled_labels(
        self, rgb: np.ndarray, work: torch.Tensor, out: tuple[int, int]
    ) -> np.ndarray:
        """The argmax of ``_upsampled``, without its probabilities at ``out`` all at once
        (``label_upsample``: the same labels, a strip of rows at a time)."""
        if self.edge_refinement is None:  # torch's bilinear, on the device
            return interpolated_labels(work, out)
        probs = self._snapped(rgb, work, out)
        if self.device.type != "cpu":  # upsampled by torch there too (resize_channels)
            return interpolated_labels(probs, out)
        return upsampled_labels(probs[0], out)

    def _look(self, rgb: np.ndarray, out: tuple[int, int]) -> _Look:
        """Where the photo is segmented from. A small figure is segmented again in a
        window that frames it as in training; the window is then re-framed from what that
        closer look found (it may grow or shrink), up to ``zoom_passes`` zoomed passes in
        all."""
        height, width = rgb.shape[:2]
        work = self._forward(rgb)
        box = framing_box(work[0, 0], (height, width), self.target) if self.zoom_passes else None
        if box is None:
            return _Look(rgb, work)
        shown: tuple[Box, torch.Tensor] | None = None  # the last window that held the figure
        for zoom in range(self.zoom_passes):
            y0, y1, x0, x1 = box
            zoomed = self._forward(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
            garments = garment_box(zoomed[0, 0])
            if garments is None:
                break  # nothing there after all: keep what came before
            shown = box, zoomed
            if zoom == self.zoom_passes - 1:
                break
            scale = ((y1 - y0) / zoomed.shape[2], (x1 - x0) / zoomed.shape[3])
            reframed = frame_garments(garments, scale, (y0, x0), (height, width))
            if box_iou(reframed, box) >= CONVERGED_IOU:
                break
            box = reframed
        if shown is None:
            return _Look(rgb, work)  # the closer look found nothing: the first pass stands
        (y0, y1, x0, x1), zoomed = shown
        sy, sx = out[0] / height, out[1] / width
        # Never empty, even at a tiny output size.
        oy0, ox0 = min(round(y0 * sy), out[0] - 1), min(round(x0 * sx), out[1] - 1)
        oy1, ox1 = max(round(y1 * sy), oy0 + 1), max(round(x1 * sx), ox0 + 1)
        return _Look(np.ascontiguousarray(rgb[y0:y1, x0:x1]), zoomed, (oy0, oy1, ox0, ox1))

    def _framed(self, rgb: np.ndarray, out: tuple[int, int]) -> torch.Tensor:
        """Probabilities (1, C, *out), from the photo or from the window ``_look`` chose."""
        look = self._look(rgb, out)
        if look.region is None:
            return self._upsampled(look.rgb, look.work, out)
        oy0, oy1, ox0, ox1 = look.region
        # One figure per photo, framed with room to spare: "garment" outside the window
        # is the first pass's low-resolution mistake (a patch of backdrop), background.
        probs = look.work.new_zeros((1, look.work.shape[1], *out))
        probs[:, 0] = 1.0
        probs[:, :, oy0:oy1, ox0:ox1] = self._upsampled(look.rgb, look.work, (oy1 - oy0, ox1 - ox0))
        return probs

    def _label_map(self, rgb: np.ndarray) -> np.ndarray:
        """``_labels(self._framed(rgb, photo size))``, with no full-size probabilities
        on the CPU: outside a window, background (its probabilities, 1 0 0 0, say so)."""
        _check_photo(rgb)
        out = (rgb.shape[0], rgb.shape[1])
        look = self._look(rgb, out)
        if look.region is None:
            return self._upsampled_labels(look.rgb, look.work, out)
        oy0, oy1, ox0, ox1 = look.region
        labels = np.zeros(out, np.uint8)
        labels[oy0:oy1, ox0:ox1] = self._upsampled_labels(
            look.rgb, look.work, (oy1 - oy0, ox1 - ox0)
        )
        return labels

    def segment(self, rgb: np.ndarray) -> np.ndarray:
        """uint8 label map at the photo's size: 0 background, 1 top, 2 bottom, 3 one-piece."""
        return self.segment_batch([rgb])[0]

    @torch.inference_mode()
    def segment_batch(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        return [self._label_map(rgb) for rgb in images]

    @torch.inference_mode()
    def labels_and_probabilities(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``segment`` and ``probabilities`` of one photo from a single pass."""
        (probs,) = self._probabilities([rgb])
        return _labels(probs), probs.cpu().numpy()


@dataclass(frozen=True)
class _Look:
    """What ``_look`` settled on: the probabilities ``work`` (1, C, h, w) of ``rgb``,
    the photo or a window of it, and where that window lies in the output, ``region``
    (y0, y1, x0, x1); None: the whole photo."""

    rgb: np.ndarray
    work: torch.Tensor
    region: tuple[int, int, int, int] | None = None


def _check_photo(rgb: np.ndarray) -> None:
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an RGB uint8 photo, got {rgb.dtype} {rgb.shape}")


def _resized_plane(rgb: np.ndarray, channel: int, size: tuple[int, int]) -> torch.Tensor:
    """One colour of ``rgb`` (H, W, 3) uint8 -> (1, 1, *size) float32, antialiased
    bilinear. Read in place where torch may (a writable array), else copied first."""
    plane = rgb[:, :, channel]
    x = torch.from_numpy(plane if rgb.flags.writeable else plane.copy())
    return F.interpolate(
        x[None, None].float(), size=size, mode="bilinear", antialias=True, align_corners=False
    )


# Edges are snapped with the photo shrunk to this longest side at most, then upsampled:
# still 5x finer than the network's grid, where a 12 MP phone photo would take a second
# and a gigabyte (a 2048x1536 photo took 340 ms at full size).
REFINE_MAX_SIDE = 1024


def _guide(rgb: np.ndarray, size: tuple[int, int]) -> torch.Tensor:
    """The photo as the filter's guide: (1, 3, *size) float32 in 0-1, channels first in
    memory (the filter reads it one colour at a time)."""
    if rgb.shape[:2] != size:
        shrink = size[0] <= rgb.shape[0] and size[1] <= rgb.shape[1]
        flag = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
        rgb = cv2.resize(rgb, (size[1], size[0]), interpolation=flag)
    planes = np.require(rgb.transpose(2, 0, 1), requirements=["C", "W"])
    return torch.from_numpy(planes)[None].float().div_(255.0)


def _labels(probs: torch.Tensor) -> np.ndarray:
    # max(0).indices, not argmax(0): the same labels, 15x faster on CPU for a (C, H, W)
    # tensor (argmax reduces over the strided class axis element by element), and 3x
    # faster than numpy's argmax(0).
    return probs.max(0).indices.to(torch.uint8).cpu().numpy()
