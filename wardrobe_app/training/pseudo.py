"""Pseudo-labels for CCP's unlabeled photos: a trained segmenter's confident pixels.

The labels are garment classes (0-3) at the segmenter's working size, with
``IGNORE`` (255) where the model is unsure: training skips those pixels. Probabilities
are averaged over the photo and its mirror image, which makes them steadier than one pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from ..vision.image_io import ImageLoadError, load_image
from ..vision.segmenter import Segmenter

IGNORE = 255
MANIFEST = "pseudo.json"


def pseudo_label(segmenter: Segmenter, rgb: np.ndarray, threshold: float) -> np.ndarray:
    """uint8 labels at the working size: the class where its probability >= threshold."""
    h, w = (int(v) for v in segmenter.config.input_size)
    photo = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)  # as CCP's training cache
    probs = segmenter.probabilities(photo)
    probs += segmenter.probabilities(np.ascontiguousarray(photo[:, ::-1]))[:, :, ::-1]
    probs /= 2
    labels = probs.argmax(0).astype(np.uint8)
    labels[probs.max(0) < threshold] = IGNORE
    return labels


def write_pseudo_labels(
    photos: list[Path],
    out: Path,
    model: str | Path | None = None,
    threshold: float = 0.9,
    device: str = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, object]:
    """Write ``out/images/<stem>.jpg`` and ``out/labels/<stem>.png`` (CCP's layout).

    The photos are stored at the working size, so training reads them as they are; an
    unreadable photo is skipped and listed in the manifest.
    """
    segmenter = Segmenter(model, device=device)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "labels").mkdir(parents=True, exist_ok=True)
    stems, skipped = [], []
    confident = 0.0
    for i, path in enumerate(photos):
        try:
            rgb = load_image(path)
        except ImageLoadError as exc:
            skipped.append(f"{path}: {exc}")
            continue
        labels = pseudo_label(segmenter, rgb, threshold)
        photo = cv2.resize(rgb, labels.shape[::-1], interpolation=cv2.INTER_AREA)
        cv2.imwrite(
            str(out / "images" / f"{path.stem}.jpg"),
            cv2.cvtColor(photo, cv2.COLOR_RGB2BGR),
            [cv2.IMWRITE_JPEG_QUALITY, 95],
        )
        cv2.imwrite(str(out / "labels" / f"{path.stem}.png"), labels)
        stems.append(path.stem)
        confident += float((labels != IGNORE).mean())
        if progress:
            progress(i + 1, len(photos))
    manifest = {
        "model": str(segmenter.model_dir),
        "model_name": segmenter.config.name,
        "threshold": threshold,
        "classes": segmenter.class_names,
        "ignore": IGNORE,
        "photos": len(stems),
        "confident_pixel_share": round(confident / max(len(stems), 1), 4),
        "skipped": skipped,
    }
    (out / "train.txt").write_text("".join(f"{s}\n" for s in stems))
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_pseudo(
    folder: Path, size: tuple[int, int], num_classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Photos and pseudo-labels of a ``write_pseudo_labels`` folder at ``size`` (h, w)."""
    manifest = json.loads((folder / MANIFEST).read_text())
    if len(manifest["classes"]) != num_classes:
        raise ValueError(
            f"{folder} holds {len(manifest['classes'])}-class pseudo-labels, not {num_classes}"
        )
    stems = [s for s in (folder / "train.txt").read_text().split() if s]
    h, w = size
    images = np.empty((len(stems), h, w, 3), np.uint8)
    labels = np.empty((len(stems), h, w), np.uint8)
    for i, stem in enumerate(stems):
        bgr = cv2.imread(str(folder / "images" / f"{stem}.jpg"), cv2.IMREAD_COLOR)
        lab = cv2.imread(str(folder / "labels" / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
        if bgr is None or lab is None:
            raise FileNotFoundError(f"pseudo-label sample {stem} is missing in {folder}")
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        images[i] = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
        labels[i] = cv2.resize(lab, (w, h), interpolation=cv2.INTER_NEAREST)
    return images, labels
