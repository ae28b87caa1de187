"""The CCP data set: photos, fine labels mapped to garment classes, a resized cache."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import cv2
import numpy as np

from ..vision.image_io import read_image
from ..vision.model_folder import GARMENT_CLASSES, SEED_CLASSES, atomic_write


def class_names_for(num_classes: int) -> list[str]:
    if num_classes == 4:
        return list(GARMENT_CLASSES)
    if num_classes == 3:
        return list(SEED_CLASSES)
    raise ValueError("--classes must be 3 (seed: background, top, bottom) or 4 (with one-piece)")


def label_lookup(data_dir: Path, num_classes: int = 4) -> np.ndarray:
    """A 256-entry table mapping CCP's fine label values to garment class indices.

    In the seed's 3-class set a one-piece counts as a top: it is worn on the upper body
    and the seed had no class of its own for it.
    """
    meta = json.loads((data_dir / "labels.json").read_text(encoding="utf-8"))
    classes = list(meta["garment_classes"])
    table = np.zeros(256, dtype=np.uint8)
    for index, name in enumerate(meta["labels"]):
        garment = meta["garment_of_label"][name]
        value = classes.index(garment)
        if num_classes == 3 and garment == "one-piece":
            value = classes.index("top")
        table[index] = value
    return table


def check_data_folder(data_dir: Path) -> None:
    """FileNotFoundError unless ``data_dir`` has what scoring a model needs (images/,
    labels/, labels.json): a mistyped --data said only that val.txt was missing."""
    needed = ("images", "labels", "labels.json")
    if not data_dir.exists():
        what = "does not exist"
    elif not data_dir.is_dir():
        what = "is a file"
    else:
        lacking = [name for name in needed if not (data_dir / name).exists()]
        if not lacking:
            return
        what = f"has no {', '.join(lacking)}"
    raise FileNotFoundError(
        f"--data {data_dir} is not a CCP-style folder (images/, labels/, labels.json): it {what}"
    )


def split_path(data_dir: Path, split: str | Path) -> Path:
    """The file ``read_split`` reads for ``split``: ``data_dir``'s file by that name
    where it has one (train.txt, val.txt), else the path as given. Not the current
    folder's first: a train.txt there was read in place of --data's."""
    path = Path(split)
    if not path.is_absolute():
        inside = data_dir / split
        # A folder of data_dir's too (--split images): it was "no such file".
        if inside.is_file() or (inside.is_dir() and not path.is_file()):
            return inside
    return path


def read_split(data_dir: Path, split: str | Path) -> list[str]:
    """The stems listed in ``split`` (the file ``split_path`` names)."""
    path = split_path(data_dir, split)
    # Said in words: "[Errno 2] No such file or directory: 'val.txt'", of an --data
    # folder mistyped, or "Is a directory: '.'", named the wrong thing.
    if path.is_dir():
        where = "" if path == Path(split) else f" ({path})"
        raise IsADirectoryError(
            f"split {split} is a folder{where}: a split is a text file of photo stems, "
            "one a line (images/STEM.jpg, labels/STEM.png), as train.txt and val.txt"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM (Notepad) is no stem's
    except FileNotFoundError:
        looked = "" if path.is_absolute() else f" (looked in {data_dir}, then from here)"
        raise FileNotFoundError(f"split {split}: no such file{looked}") from None
    except UnicodeDecodeError:
        raise ValueError(f"split {split} is not a text file of photo stems") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def check_samples(data_dir: Path, stems: list[str], split: str | Path) -> None:
    """FileNotFoundError naming the stems of ``split`` whose photo or label map
    ``data_dir`` lacks: checked before the work, not after it (a long run lost to a typo)."""
    missing = [
        stem
        for stem in stems
        if not (data_dir / "images" / f"{stem}.jpg").is_file()
        or not (data_dir / "labels" / f"{stem}.png").is_file()
    ]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise FileNotFoundError(
            f"{split} names photos {data_dir} lacks (images/ or labels/): {shown}"
        )


def load_pair(data_dir: Path, stem: str, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RGB photo and garment-class label map at the photo's own size."""
    bgr = read_image(data_dir / "images" / f"{stem}.jpg", cv2.IMREAD_COLOR)
    labels = read_image(data_dir / "labels" / f"{stem}.png", cv2.IMREAD_UNCHANGED)
    if bgr is None or labels is None:
        raise FileNotFoundError(f"CCP sample {stem} is missing or unreadable in {data_dir}")
    if labels.ndim != 2 or labels.shape != bgr.shape[:2]:
        # Scored or trained as it is, it would crash evaluate or be stretched silently.
        found = "x".join(map(str, labels.shape[1::-1])) + ("" if labels.ndim == 2 else " RGB")
        raise ValueError(
            f"labels/{stem}.png is {found}, not one channel at its photo's "
            f"{bgr.shape[1]}x{bgr.shape[0]}"
        )
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), table[labels]


def load_resized(
    data_dir: Path,
    stems: list[str],
    size: tuple[int, int],
    num_classes: int,
    cache_dir: Path | None = None,
    table: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """All photos and labels of ``stems`` resized to ``size`` (h, w), cached as .npz.

    ``table`` maps stored label values to classes; by default CCP's fine labels through
    ``labels.json`` (folders of garment classes, such as pseudo-labels, pass an identity).
    """
    if table is None:
        table = label_lookup(data_dir, num_classes)
    # The mapping is part of the key: an edited labels.json is not served from the cache.
    key = hashlib.sha1(f"{data_dir.resolve()}|{','.join(stems)}|{size}|{num_classes}".encode())
    key.update(table.tobytes())
    cache = cache_dir / f"ccp_{size[0]}x{size[1]}_{key.hexdigest()[:12]}.npz" if cache_dir else None
    if cache is not None and cache.exists():
        try:
            with np.load(cache) as data:
                return data["images"], data["labels"]
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            cache.unlink(missing_ok=True)  # a write that was cut short: made again below
    h, w = size
    images = np.empty((len(stems), h, w, 3), np.uint8)
    labels = np.empty((len(stems), h, w), np.uint8)
    for i, stem in enumerate(stems):
        rgb, lab = load_pair(data_dir, stem, table)
        images[i] = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
        labels[i] = cv2.resize(lab, (w, h), interpolation=cv2.INTER_NEAREST)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        save_npz_whole(cache, images=images, labels=labels)
    return images, labels


def save_npz_whole(path: Path, **arrays: np.ndarray) -> None:
    """``np.savez`` written whole (``atomic_write``): a kill mid-write (hundreds of MB
    for all of CCP) never leaves a broken cache that every later run trips over."""

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:  # a file, not a name: savez would add ".npz" to it
            np.savez(fh, **arrays)  # type: ignore[arg-type]

    atomic_write(path, write)
