"""Pseudo-labels for CCP's unlabeled photos: a trained segmenter's confident pixels.

The labels are garment classes (0-3) at the segmenter's working size, with
``IGNORE_INDEX`` (255) where the model is unsure: training skips those pixels. Probabilities
are averaged over the photo and its mirror image, which makes them steadier than one pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from ..vision.image_io import ImageLoadError, load_image, write_image
from ..vision.segmenter import Segmenter
from .ccp import load_resized, read_split
from .losses import IGNORE_INDEX

MANIFEST = "pseudo.json"


def pseudo_label(segmenter: Segmenter, photo: np.ndarray, threshold: float) -> np.ndarray:
    """uint8 labels for ``photo``: the class where its probability >= threshold."""
    probs = segmenter.probabilities(photo)
    probs += segmenter.probabilities(np.ascontiguousarray(photo[:, ::-1]))[:, :, ::-1]
    probs /= 2
    labels = probs.argmax(0).astype(np.uint8)
    labels[probs.max(0) < threshold] = IGNORE_INDEX
    return labels


def refuse_foreign_folder(out: Path) -> None:
    """ValueError where ``out`` holds files and is no earlier pseudo-label folder: its
    train.txt would be replaced and its images/ and labels/ written into (--out the CCP
    folder itself turned its split into the unlabeled photos' stems), or is a file (it
    said "FILE/images: Not a directory", once the model was loaded)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; name a folder for the pseudo-labels")
    if not out.is_dir() or (out / MANIFEST).is_file():
        return
    if any(not p.name.startswith(".") for p in out.iterdir()):  # not for a .DS_Store
        raise ValueError(
            f"--out {out} already holds files that are not pseudo-labels; choose a new "
            "or empty folder"
        )


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
    # Edges as upsampled: the labels are kept at the working size, where the edge filter
    # has little to add, and it lowers confidences (fewer pixels over the threshold than
    # the pseudo-label sets made so far were made with).
    refuse_foreign_folder(out)  # before the model is loaded
    segmenter = Segmenter(model, device=device, refine_edges=False)
    h, w = (int(v) for v in segmenter.config.input_size)
    stems: list[str] = []
    skipped: list[str] = []
    confident = 0.0
    for done, path in enumerate(photos, start=1):
        try:
            rgb = load_image(path)
        except ImageLoadError as exc:  # its message names the file
            skipped.append(str(exc))
        else:
            photo = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)  # as CCP's cache
            labels = pseudo_label(segmenter, photo, threshold)
            if not stems:  # made for the first photo labelled: none, no folder
                (out / "images").mkdir(parents=True, exist_ok=True)
                (out / "labels").mkdir(parents=True, exist_ok=True)
            write_image(
                out / "images" / f"{path.stem}.jpg",
                cv2.cvtColor(photo, cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, 95],
            )
            write_image(out / "labels" / f"{path.stem}.png", labels)
            stems.append(path.stem)
            confident += float((labels != IGNORE_INDEX).mean())
        if progress:
            progress(done, len(photos))
    manifest = {
        "model": str(segmenter.model_dir),
        "model_name": segmenter.config.name,
        "threshold": threshold,
        "classes": segmenter.class_names,
        "ignore": IGNORE_INDEX,
        "photos": len(stems),
        # None where none was labelled: 0.0 read as "every pixel unsure".
        "confident_pixel_share": round(confident / len(stems), 4) if stems else None,
        "skipped": skipped,
    }
    # None labelled (every photo unreadable): nothing is written, and an earlier run's
    # split and manifest here are kept; they were replaced by empty ones.
    if stems:
        (out / "train.txt").write_text("".join(f"{s}\n" for s in stems))
        (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_pseudo(
    folder: Path, size: tuple[int, int], num_classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Photos and pseudo-labels of a ``write_pseudo_labels`` folder at ``size`` (h, w)."""
    stems = pseudo_stems(folder, num_classes)
    # The stored values are classes already (and IGNORE_INDEX): an identity table.
    return load_resized(folder, stems, size, num_classes, table=np.arange(256, dtype=np.uint8))


def pseudo_stems(folder: Path, num_classes: int) -> list[str]:
    """The photos of a ``write_pseudo_labels`` folder of ``num_classes``; an error where it
    is none or holds none (a folder made before an empty run wrote nothing, or its
    train.txt emptied): training went on with "+ 0 pseudo-labelled photos", unwarned."""
    if not (folder / MANIFEST).is_file():  # not a bare "No such file: .../pseudo.json"
        raise FileNotFoundError(
            f"--pseudo {folder} is not a pseudo-label folder (no {MANIFEST}): make one with "
            "wardrobe-cli pseudo-label"
        )
    manifest = json.loads((folder / MANIFEST).read_text())
    if len(manifest["classes"]) != num_classes:
        raise ValueError(
            f"{folder} holds {len(manifest['classes'])}-class pseudo-labels, not {num_classes}"
        )
    stems = read_split(folder, folder / "train.txt")
    if not stems:
        raise ValueError(
            f"--pseudo {folder} holds no pseudo-labelled photos (its train.txt lists none): "
            "make them again with wardrobe-cli pseudo-label, or leave out --pseudo"
        )
    return stems
