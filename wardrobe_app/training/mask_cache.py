"""The cache file of item photos' features, named by the code that made their masks.

``item_foreground`` (grabcut.py, garments.py) cuts the garment out of each clothing
photo before its features are taken: after a change to it, features cached with the old
masks must not be read again, by the training (``embedder_train``, ``--gate-only`` too)
or by the evaluation (``embedder_eval``). Both name their cache here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..vision import garments, grabcut


def mask_code() -> str:
    """A short hash of the modules that make an item photo's mask (``item_foreground``)."""
    digest = hashlib.sha256()
    for module in (grabcut, garments):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:10]


def clothing_cache(folder: Path, stem: str) -> Path:
    """``folder/<stem>_<mask code>.npz``: features of today's masks, never older ones'."""
    return folder / f"{stem}_{mask_code()}.npz"
