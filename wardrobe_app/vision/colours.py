"""Dominant colours of a garment: k-means in CIE Lab, named from a fixed palette.

Names come from a short clothing palette (the GUI's colour filter chips) so that two
photos of one navy jumper file under the same word even when light and shading differ.
"""

from __future__ import annotations

import cv2
import numpy as np

from wardrobe_app.types import Colour
from wardrobe_app.vision.colour_constancy import white_patch_l

# Clusters below this share of the garment are shading, trims or segmentation edges.
MIN_SHARE = 0.05
_SEED = 0
_KMEANS_ITERATIONS = 20

# Reference colours per name, sRGB. Several per name because garments in photos are
# shaded: a black T-shirt photographs as dark grey, denim spans washed to dark. The first
# entry of each name is its swatch. Dict order is the display order of the chips.
_PALETTE: dict[str, list[tuple[int, int, int]]] = {
    "black": [(20, 20, 22), (40, 40, 42), (30, 30, 38)],
    "grey": [(128, 128, 128), (88, 88, 90), (165, 165, 165)],
    "white": [(245, 245, 245), (222, 222, 225), (232, 236, 242), (208, 205, 198)],
    "cream": [(243, 235, 210), (232, 222, 196)],
    "beige": [(220, 200, 170), (210, 180, 140), (200, 185, 165)],
    "khaki": [(195, 176, 130), (170, 155, 115)],
    "brown": [(120, 75, 45), (85, 58, 40), (155, 105, 65), (60, 45, 35)],
    "red": [(200, 30, 35), (230, 55, 50), (165, 25, 30)],
    "burgundy": [(110, 20, 35), (85, 25, 35), (135, 35, 55), (120, 10, 15)],
    "pink": [(240, 150, 180), (250, 195, 205), (225, 80, 145), (205, 130, 140), (190, 50, 100)],
    "orange": [(240, 130, 30), (225, 100, 45), (245, 160, 90)],
    "mustard": [(205, 160, 40), (180, 140, 35)],
    "yellow": [(245, 215, 50), (250, 235, 130)],
    "olive": [(110, 110, 50), (85, 90, 45), (130, 125, 80)],
    "green": [(40, 140, 60), (30, 85, 50), (125, 190, 110), (165, 215, 180)],
    "teal": [(0, 128, 128), (30, 95, 105), (80, 170, 165)],
    "light blue": [(160, 200, 235), (130, 175, 215), (190, 215, 235)],
    "blue": [(40, 80, 180), (65, 100, 155), (75, 125, 200), (45, 65, 120), (100, 115, 145)],
    "navy": [(25, 35, 70), (35, 45, 90), (30, 35, 55)],
    "purple": [(110, 50, 140), (75, 40, 100), (140, 90, 160)],
    "lilac": [(200, 162, 215), (180, 160, 205)],
}

PALETTE_NAMES: list[str] = list(_PALETTE)

# Extra references for item photos (one garment laid flat or hung, at home). Navy
# photographed indoors is dark and only a little blue (#1a2429, #16232e): nearer black's
# references than navy's, so navy jackets, blazers and jeans were named black. Black clothes
# in street daylight look just as blue, so outfit photos keep the plain palette (figures:
# the embedder's MODEL.md, "Colour names of item photos").
_ITEM_PHOTO_EXTRA: dict[str, list[tuple[int, int, int]]] = {"navy": [(24, 34, 46)]}

# Item photos in dim rooms: the photo's white patch (``white_patch_l``: the background's, or
# a garment far lighter than a dark or coloured background) is taken for a surface of this
# L*, and a near-neutral "grey" cluster brightened by the same factor is named again; it
# becomes "white" when it then is. Only grey to white: the palette's other names were
# chosen on photos as they come (figures: the embedder's MODEL.md).
WHITE_PATCH_L = 90.0
_NEUTRAL_CHROMA = 6.0


def _hex(rgb: np.ndarray | tuple[int, int, int]) -> str:
    r, g, b = (round(float(v)) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def palette_hex(name: str) -> str:
    """A representative swatch for a palette name, as '#rrggbb' (KeyError if unknown)."""
    return _hex(_PALETTE[name][0])


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(N, 3) sRGB (0-255) to (N, 3) float32 CIE Lab (L in 0-100), D65."""
    pixels = np.asarray(rgb, dtype=np.float32).reshape(-1, 1, 3) / 255.0
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2Lab).reshape(-1, 3)


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour differences, (N, 3) x (M, 3) Lab -> (N, M)."""
    lab1 = np.asarray(lab1, dtype=np.float64)[:, None, :]
    lab2 = np.asarray(lab2, dtype=np.float64)[None, :, :]
    l1, a1, b1 = lab1[..., 0], lab1[..., 1], lab1[..., 2]
    l2, a2, b2 = lab2[..., 0], lab2[..., 1], lab2[..., 2]
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    chroma_zero = (c1p * c2p) == 0

    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(chroma_zero, 0.0, dh)
    d_l = l2 - l1
    d_c = c2p - c1p
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))

    l_bar = (l1 + l2) / 2
    cp_bar = (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_bar = np.where(
        np.abs(h1p - h2p) <= 180,
        h_sum / 2,
        np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2),
    )
    h_bar = np.where(chroma_zero, h_sum, h_bar)
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    dl, dc, dhh = d_l / s_l, d_c / s_c, d_h / s_h
    return np.asarray(np.sqrt(np.maximum(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh, 0.0)))


_REF_NAMES = [name for name, refs in _PALETTE.items() for _ in refs]
_REF_LAB = rgb_to_lab(np.array([c for refs in _PALETTE.values() for c in refs]))
_ITEM_REF_NAMES = _REF_NAMES + [name for name, refs in _ITEM_PHOTO_EXTRA.items() for _ in refs]
_ITEM_REF_LAB = np.concatenate(
    [_REF_LAB, rgb_to_lab(np.array([c for refs in _ITEM_PHOTO_EXTRA.values() for c in refs]))]
)


def colour_names(rgb: np.ndarray, item_photo: bool = False) -> list[str]:
    """Palette name of each (N, 3) sRGB colour: nearest reference by CIEDE2000.

    ``item_photo``: the colours are of a garment photographed on its own (at home), which
    adds the references of ``_ITEM_PHOTO_EXTRA``."""
    names, refs = (_ITEM_REF_NAMES, _ITEM_REF_LAB) if item_photo else (_REF_NAMES, _REF_LAB)
    lab = rgb_to_lab(np.asarray(rgb).reshape(-1, 3))
    nearest = ciede2000(lab, refs).argmin(axis=1)
    return [names[i] for i in nearest]


def _linear(srgb: np.ndarray) -> np.ndarray:
    """sRGB 0-255 to linear light 0-1 (the light falling on a surface scales these)."""
    s = np.asarray(srgb, dtype=np.float64) / 255.0
    return np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)


def _srgb(linear: np.ndarray) -> np.ndarray:
    c = np.clip(linear, 0.0, 1.0)
    return 255.0 * np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)


def _luminance(lightness: float) -> float:
    """Relative luminance Y of an L* (above the curve's linear toe)."""
    return float(((lightness + 16.0) / 116.0) ** 3)


def whites_in_dim_light(names: list[str], means: np.ndarray, white_l: float | None) -> list[str]:
    """``names`` of the cluster ``means`` (sRGB), with grey clusters that are white under
    the light of a white patch of L* ``white_l`` (None: no estimate) renamed white."""
    if white_l is None or white_l >= WHITE_PATCH_L:  # no brighter than a good light
        return names
    gain = _luminance(WHITE_PATCH_L) / _luminance(white_l)
    lab = rgb_to_lab(means)
    lit = colour_names(_srgb(_linear(means) * gain), item_photo=True)
    neutral = np.hypot(lab[:, 1], lab[:, 2]) <= _NEUTRAL_CHROMA
    return [
        "white" if (name, now) == ("grey", "white") and calm else name
        for name, now, calm in zip(names, lit, neutral, strict=True)
    ]


def _kmeans(points: np.ndarray, k: int) -> np.ndarray:
    """Cluster index per point (OpenCV's k-means++, seeded so results repeat)."""
    if len(points) == 1:  # OpenCV takes a single row for that many 1-D points
        return np.zeros(1, np.int64)
    k = min(k, len(points))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, _KMEANS_ITERATIONS, 0.1)
    cv2.setRNGSeed(_SEED)  # OpenCV's per-thread RNG picks the k-means++ seeds
    unused = np.zeros((len(points), 1), np.int32)  # initial labels: PP seeding ignores them
    _, labels, _ = cv2.kmeans(
        points.astype(np.float32), k, unused, criteria, 1, cv2.KMEANS_PP_CENTERS
    )
    return np.asarray(labels).ravel().astype(np.int64)


def dominant_colours(
    rgb: np.ndarray,
    mask: np.ndarray,
    k: int = 3,
    max_pixels: int = 20000,
    *,
    item_photo: bool = False,
) -> list[Colour]:
    """The garment's main colours, largest share first.

    ``rgb`` is (H, W, 3) uint8, ``mask`` a bool (H, W) array of the garment's pixels.
    Shares are fractions of the masked pixels; clusters under 5% are dropped and clusters
    with the same palette name are merged, so shares may sum to a little under 1.
    ``item_photo``: ``rgb`` is the whole item photo (its background shows the light) and
    names use the item-photo references and ``whites_in_dim_light`` (with ``white_patch_l``).
    """
    pixels = np.asarray(rgb)[np.asarray(mask, dtype=bool)]
    if len(pixels) == 0 or k < 1:
        return []
    if len(pixels) > max_pixels:  # subsample: the share estimates barely move
        rng = np.random.default_rng(_SEED)
        pixels = pixels[rng.choice(len(pixels), max_pixels, replace=False)]
    pixels = pixels.astype(np.float64)
    assign = _kmeans(rgb_to_lab(pixels), k)

    counts = np.bincount(assign)
    used = np.flatnonzero(counts)
    # Mean in sRGB, not the Lab centre converted back: it is what the swatch should show.
    means = np.array([pixels[assign == j].mean(axis=0) for j in used])
    shares = counts[used] / len(pixels)
    names = colour_names(means, item_photo)
    if item_photo:
        names = whites_in_dim_light(names, means, white_patch_l(rgb, mask))
    merged: dict[str, tuple[float, np.ndarray]] = {}
    for name, mean, share in zip(names, means, shares, strict=True):
        old_share, old_sum = merged.get(name, (0.0, np.zeros(3)))
        merged[name] = (old_share + share, old_sum + mean * share)
    colours = [
        Colour(name=name, hex=_hex(weighted / share), share=float(share))
        for name, (share, weighted) in merged.items()
        if share >= MIN_SHARE
    ]
    return sorted(colours, key=lambda c: -c.share)
