"""The copy of a photo the analysis works on: very large photos are decoded smaller."""

from __future__ import annotations

import contextlib
import logging
import tempfile
import warnings
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np

from ..vision.image_io import (
    MAX_PIXELS,
    ImageLoadError,
    load_image,
    oriented_size,
    shrunk_to,
    write_image,
)

log = logging.getLogger(__name__)

# Photos over this many pixels are analysed from a downscaled copy (long side
# WORK_MAX_SIDE, the pipeline's own working cap); the original file is what is stored.
WORK_MAX_PIXELS = 24_000_000
WORK_MAX_SIDE = 2048


@contextlib.contextmanager
def working_copy(path: Path) -> Iterator[tuple[Path, tuple[int, int] | None]]:
    """``(path to analyse, original (width, height) after EXIF rotation or None)``.

    A very large photo (over WORK_MAX_PIXELS) is decoded at reduced size (JPEG DCT
    scaling where possible), EXIF-rotated and written to a temporary BMP, so the heavy
    work never sees 100 megapixels. Anything unreadable is passed through unchanged: the
    analyser then reports it with its own clear ImageLoadError.
    """
    from PIL import Image

    original: tuple[int, int] | None = None
    small_rgb: np.ndarray | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(path)
        with image:
            width, height = image.size
            original = oriented_size(image)
        # Small enough as it is, or refused (unread) by the analyser: passed through.
        if WORK_MAX_PIXELS < width * height <= MAX_PIXELS:
            small_rgb = load_image(path, max_side=WORK_MAX_SIDE)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, ImageLoadError):
        original = None
    if small_rgb is None:
        yield path, original
        return
    import cv2

    with tempfile.TemporaryDirectory(prefix="wardrobe-work-") as tmp:
        work = Path(tmp) / "work.bmp"  # lossless and the quickest to write and read
        try:
            write_image(work, cv2.cvtColor(small_rgb, cv2.COLOR_RGB2BGR))
        except OSError as exc:
            raise ImageLoadError(f"{path}: could not prepare a working copy ({exc})") from exc
        log.info("%s: %dx%d analysed at %dx%d", path, width, height, *small_rgb.shape[1::-1])
        yield work, original


def analysed_pixels(path: Path, max_side: int) -> np.ndarray:
    """The photo at ``path`` as its import analysed it, its long side shrunk to at most
    ``max_side`` (INTER_AREA, as the analyser caps it): a very large photo from the same
    reduced decoding as ``working_copy`` (the very pixels its masks were found on, and
    not 108 MP decoded whole to be shrunk). ImageLoadError where it cannot be read."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
    except Exception:  # load_image below says what is wrong with it
        width = height = 0
    if WORK_MAX_PIXELS < width * height <= MAX_PIXELS:
        return shrunk_to(load_image(path, max_side=WORK_MAX_SIDE), max_side)
    return load_image(path, fit=partial(shrunk_to, max_side=max_side))


def original_size(path: Path) -> tuple[int, int] | None:
    """The photo's (width, height) after EXIF rotation, from its header."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return oriented_size(image)
    except Exception:
        return None
