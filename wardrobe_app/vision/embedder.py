"""Garment cut-out -> L2-normalised vector ("looks like this": type, colour, pattern).

The vector joins a learned embedding of EfficientNet-Lite0 features pooled under the
garment mask with a colour histogram. Its ``version`` is stored beside every vector so a
new embedder re-embeds the wardrobe.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from .. import paths
from .colour_descriptor import COLOUR_DIM, colour_histogram
from .embedder_net import FEATURE_DIM, EmbedderHeads, Lite0Features
from .fine_types import CCP_FINE_TYPE, FINE_TYPE_CATEGORY, shown_type
from .fold_bn import fold_batch_norms
from .model_folder import CONFIG_FILE, WEIGHTS_FILE, ModelFolderError, atomic_write
from .segmenter import resolve_device

CATEGORY_NAMES = ("top", "bottom", "one-piece", "other")
KIND_NAMES = ("outfit", "item")
GREY = 128  # background of a cut-out as the network sees it (0 after normalisation)


@dataclass
class EmbedderConfig:
    version: str = "lite0-emb-1"
    dim: int = 128  # learned part
    hidden: int = 512  # hidden layer of the projection and category head
    gallery_size: int = 0  # garment photos kept to tell garments from anything else
    garment_threshold: float = 0.0  # least gallery likeness of a garment photo
    flip_average: bool = False  # average the features of the crop and its mirror image
    colour_weight: float = 0.5  # share of the colour histogram in the joint vector
    input_size: int = 224
    mean: list[float] = field(default_factory=lambda: [0.5, 0.5, 0.5])
    std: list[float] = field(default_factory=lambda: [0.5, 0.5, 0.5])
    heads: dict[str, list[str]] = field(default_factory=dict)  # training label sets
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def vector_dim(self) -> int:
        return self.dim + COLOUR_DIM


def prepare_crop(rgb: np.ndarray, mask: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The garment on grey, cropped to its box, long side ``size``, padded square."""
    # The box from row and column reductions, and the grey backdrop by selection: the
    # same crop as from np.nonzero and a float blend, several times faster on a photo.
    ys, xs = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(ys):
        y0, y1, x0, x1 = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
        rgb, mask = rgb[y0:y1, x0:x1], mask[y0:y1, x0:x1]
    m = mask.astype(np.float32)
    if mask.dtype != bool:  # a soft mask: blended into the grey
        rgb = (rgb.astype(np.float32) * m[..., None] + GREY * (1 - m[..., None])).astype(np.uint8)
    elif not mask.all():  # a whole photo (or a garment filling its box) keeps every pixel
        rgb = np.where(mask[..., None], rgb, np.uint8(GREY))
    h, w = m.shape
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    rgb = cv2.resize(rgb, (nw, nh), interpolation=interp)
    m = cv2.resize(m, (nw, nh), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    out = np.full((size, size, 3), GREY, np.uint8)
    out_m = np.zeros((size, size), np.float32)
    top, left = (size - nh) // 2, (size - nw) // 2
    out[top : top + nh, left : left + nw] = rgb
    out_m[top : top + nh, left : left + nw] = m
    return out, out_m


def split_rgba(cutout: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return cutout[..., :3], cutout[..., 3] > 127


class Embedder:
    def __init__(
        self, model_dir: str | os.PathLike[str] | None = None, device: str = "auto"
    ) -> None:
        self.model_dir = Path(model_dir) if model_dir else paths.DEFAULT_EMBEDDER
        self.device = resolve_device(device)
        self.config = read_embedder_config(self.model_dir)
        self.backbone = Lite0Features()
        self.heads = EmbedderHeads(
            self.config.dim,
            {k: len(v) for k, v in self.config.heads.items()},
            self.config.hidden,
            self.config.gallery_size,
        )
        weights = self.model_dir / WEIGHTS_FILE
        try:
            state = torch.load(weights, map_location="cpu", weights_only=True)
            state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
            # Folders written before the garment gate existed have no gallery.
            state.setdefault("heads.gallery", torch.zeros(0, FEATURE_DIM))
            self.backbone.load_state_dict(
                {k[9:]: v for k, v in state.items() if k.startswith("backbone.")}
            )
            self.heads.load_state_dict(
                {k[6:]: v for k, v in state.items() if k.startswith("heads.")}
            )
        except FileNotFoundError as exc:
            raise ModelFolderError(
                f"embedder folder {self.model_dir} has no {WEIGHTS_FILE}"
            ) from exc
        except (RuntimeError, KeyError, OSError) as exc:
            raise ModelFolderError(
                f"{weights} does not match {CONFIG_FILE} or is damaged: {exc}"
            ) from exc
        # Batch norms folded into the convolutions (faster), then channels_last: oneDNN's
        # fast convolution layout on CPU.
        self.backbone = fold_batch_norms(self.backbone, (torch.rand(1, 3, 64, 64),))
        self.backbone.to(self.device).to(memory_format=torch.channels_last).eval()
        self.heads.to(self.device).eval()
        self._mean = torch.tensor(self.config.mean, device=self.device).view(1, 3, 1, 1)
        self._std = torch.tensor(self.config.std, device=self.device).view(1, 3, 1, 1)

    @property
    def version(self) -> str:
        return self.config.version

    @property
    def dim(self) -> int:
        return self.config.vector_dim

    def _tensor(
        self, crops: list[tuple[np.ndarray, np.ndarray]]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        images = torch.from_numpy(np.stack([c[0] for c in crops])).to(self.device)
        masks = torch.from_numpy(np.stack([c[1] for c in crops])).to(self.device)
        x = (images.permute(0, 3, 1, 2).float() / 255.0 - self._mean) / self._std
        return x.contiguous(memory_format=torch.channels_last), masks[:, None]

    @torch.inference_mode()
    def features(
        self,
        items: list[tuple[np.ndarray, np.ndarray]],
        whole: bool = False,
        flip: bool | None = None,
    ) -> torch.Tensor:
        """Pooled 1280-d features of (rgb, mask) pairs; ``whole`` pools the whole frame."""
        size = self.config.input_size
        crops = [
            prepare_crop(rgb, np.ones(rgb.shape[:2], bool) if whole else mask, size)
            for rgb, mask in items
        ]
        x, m = self._tensor(crops)
        if not (self.config.flip_average if flip is None else flip):
            return self.backbone(x, None if whole else m)
        # The garment and its mirror image: a garment is the same either way round, and the
        # average is steadier (held-out item category 0.916 -> 0.922).
        n = len(x)
        both = self.backbone(
            torch.cat([x, x.flip(-1)]), None if whole else torch.cat([m, m.flip(-1)])
        )
        return (both[:n] + both[n:]) / 2

    def combine(self, features: torch.Tensor, colours: np.ndarray) -> np.ndarray:
        """Joint vector: learned embedding and colour histogram, weighted, L2-normalised."""
        with torch.inference_mode():
            learned = self.heads.embed(features).cpu().numpy()
        w = self.config.colour_weight
        joint = np.concatenate([np.sqrt(1 - w) * learned, np.sqrt(w) * colours], axis=1)
        joint /= np.maximum(np.linalg.norm(joint, axis=1, keepdims=True), 1e-12)
        return joint.astype(np.float32)

    def embed(self, items: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """(N, dim) vectors for (rgb, bool mask) pairs."""
        if not items:
            return np.zeros((0, self.dim), np.float32)
        colours = np.stack([colour_histogram(rgb, mask) for rgb, mask in items])
        return self.combine(self.features(items), colours)

    def embed_cutouts(self, cutouts: list[np.ndarray]) -> np.ndarray:
        return self.embed([split_rgba(c) for c in cutouts])

    @torch.inference_mode()
    def classify_category(
        self,
        features: torch.Tensor,
        categories: Sequence[str | None] | None = None,
        worn: bool = False,
    ) -> tuple[np.ndarray, list[str | None]]:
        """Category probabilities (N, 4: top, bottom, one-piece, other) and a fine type.

        The fine type is the likeliest label of the garment's category (given, e.g. by
        the segmenter, or else the likeliest category): a bottom is never "Dress".
        ``worn``: the garments were cut from a photo of someone wearing them. Their type
        then comes from the head trained on CCP's worn garments (named as the clothing
        labels), right twice as often on CCP's val tops as the item photos' head (MODEL.md).
        """
        probs = self.heads.category(features).softmax(1).cpu().numpy()
        fine: list[str | None] = [None] * len(features)
        head = "ccp" if worn and "ccp" in self.config.heads else "clothing"
        names = self.config.heads.get(head)
        if names:
            shown = (
                [CCP_FINE_TYPE.get(n) for n in names]
                if head == "ccp"
                else [shown_type(n) for n in names]
            )
            scores = self.heads.heads[head](self.heads.embed(features)).cpu().numpy()
            for i, row in enumerate(scores):
                category = categories[i] if categories else None
                category = category or CATEGORY_NAMES[int(probs[i, :3].argmax())]
                allowed = [
                    j for j, n in enumerate(shown) if n and FINE_TYPE_CATEGORY.get(n) == category
                ]
                fine[i] = shown[max(allowed, key=lambda j: row[j])] if allowed else None
        return probs, fine

    @torch.inference_mode()
    def is_garment(self, features: torch.Tensor) -> np.ndarray:
        """Whether each feature row looks like any known garment photo."""
        likeness = self.heads.garment_likeness(features).cpu().numpy()
        return likeness >= self.config.garment_threshold

    @torch.inference_mode()
    def item_probability(self, rgb: np.ndarray) -> float:
        """Probability that a photo shows a garment on its own rather than worn."""
        # One pass suffices here: outfit and item photos are told apart without errors
        # on held-out photos (see the model card).
        feats = self.features([(rgb, np.ones(rgb.shape[:2], bool))], whole=True, flip=False)
        return float(self.heads.kind(feats).softmax(1)[0, 1])


def read_embedder_config(folder: Path) -> EmbedderConfig:
    path = folder / CONFIG_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return EmbedderConfig(**data)
    except FileNotFoundError as exc:
        raise ModelFolderError(f"embedder folder {folder} has no {CONFIG_FILE}") from exc
    except (json.JSONDecodeError, TypeError) as exc:
        raise ModelFolderError(f"{path} is malformed: {exc}") from exc


def save_embedder(
    backbone: Lite0Features, heads: EmbedderHeads, config: EmbedderConfig, folder: Path
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    state = {f"backbone.{k}": v for k, v in backbone.state_dict().items()}
    state.update({f"heads.{k}": v for k, v in heads.state_dict().items()})
    state = {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in state.items()}
    atomic_write(folder / WEIGHTS_FILE, lambda tmp: torch.save(state, tmp))
    text = json.dumps(asdict(config), indent=2) + "\n"
    atomic_write(folder / CONFIG_FILE, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
