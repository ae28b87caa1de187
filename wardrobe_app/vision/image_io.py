"""Reading photos: EXIF orientation honoured, colours converted to sRGB from an embedded
colour profile, every mode converted to RGB uint8.

Bad input raises :class:`ImageLoadError` with a message a person can act on.
"""

from __future__ import annotations

import io
import logging
import os
import stat
import struct
import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, TiffImagePlugin, UnidentifiedImageError, features
from pillow_heif import register_heif_opener

# HEIC/HEIF: what iPhones save photos as. libheif applies the file's own rotation on
# decoding and pillow-heif then resets the EXIF orientation, so nothing turns twice.
register_heif_opener()

log = logging.getLogger(__name__)

# Photos larger than this are refused rather than exhausting memory (a 12000x9000 photo,
# 108 MP, still loads; Pillow's decompression-bomb guard is replaced by this clear limit).
MAX_PIXELS = 200_000_000
Image.MAX_IMAGE_PIXELS = None
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"}
IMAGE_SUFFIXES |= {".jfif", ".jpe"}  # JPEGs as some browsers and old cameras name them
IMAGE_SUFFIXES |= {".heic", ".heif"}
if features.check("avif"):  # Pillow 11.3 and newer, where built with libavif
    IMAGE_SUFFIXES.add(".avif")

# Photos and videos Wardrobe cannot read: a folder import counts those it leaves out and
# says so, since a person dropping a folder of camera RAW files, Photoshop files or a
# phone's videos expects them in. Everything else (.json sidecars of Google Takeout,
# .xmp, .aae, Thumbs.db, text, documents) is not a photo at all and is passed over in
# silence: named, they would bury the news under files nobody meant to import.
UNREAD_SUFFIXES = {
    # camera RAW
    *(".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".orf"),
    *(".rw2", ".raf", ".pef", ".srw", ".x3f", ".3fr", ".erf", ".kdc", ".dcr", ".mrw"),
    *(".iiq", ".rwl"),
    # editors' and other image formats
    *(".psd", ".psb", ".xcf", ".kra", ".afphoto", ".svg", ".eps", ".jxl", ".jp2", ".exr"),
    ".avif",
    # videos, beside the photos in a phone's or camera's folders (Live Photos' .mov)
    *(".mov", ".mp4", ".m4v", ".avi", ".mkv", ".3gp", ".mts", ".m2ts", ".webm", ".wmv"),
} - IMAGE_SUFFIXES


# What a pipe, socket or device named like a photo is said to be: reading a pipe waits
# for a writer for good, and its size of 0 read as "empty file".
NOT_A_FILE = "not a photo but a pipe, socket or device"


# What to say a photo can be, where one was not (the suffixes are in IMAGE_SUFFIXES).
READABLE_FORMATS = "Wardrobe reads JPEG, PNG, HEIC, WebP, TIFF and more"


class ImageLoadError(ValueError):
    """A file that is not a usable photo."""


# DECODER_ERRORS: a damaged file makes Pillow and its plugins raise more than OSError,
# SyntaxError and ValueError: EOFError (HEIF), RuntimeError (AVIF), struct.error,
# IndexError... All are the file's fault, so the decoding steps below turn any of them
# into an ImageLoadError naming it (the batch goes on) rather than a traceback.


def is_image_path(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def is_unread_image_path(path: Path) -> bool:
    """A photo or video Wardrobe cannot read (see UNREAD_SUFFIXES)."""
    return path.suffix.lower() in UNREAD_SUFFIXES


def left_out_note(paths: Sequence[Path]) -> str:
    """'3 files left out: not photos Wardrobe reads (.dng, .psd)': what a folder import
    passed over, counted, with their kinds (a few, not every file)."""
    kinds = sorted({p.suffix.lower() for p in paths})
    shown = ", ".join(kinds[:6]) + (", ..." if len(kinds) > 6 else "")
    if len(paths) == 1:
        return f"1 file left out: not a photo Wardrobe reads ({shown})"
    return f"{len(paths)} files left out: not photos Wardrobe reads ({shown})"


def read_image(path: str | os.PathLike[str], flags: int) -> np.ndarray | None:
    """``cv2.imread(path, flags)`` without its crash on a file name that is not valid
    UTF-8 (see ``write_image``): the decoded array, or None where unreadable."""
    import cv2

    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    return cv2.imdecode(data, flags) if data.size else None


def write_image(
    path: str | os.PathLike[str], bgr: np.ndarray, params: list[int] | None = None
) -> None:
    """Encode ``bgr`` (or one channel) in the format of ``path``'s suffix and write it;
    OSError if that fails. Not ``cv2.imwrite``: OpenCV crashes the process (a
    segmentation fault) on a file name that is not valid UTF-8, and only warns when it
    cannot write."""
    import cv2

    ok, buf = cv2.imencode(Path(path).suffix or ".png", bgr, params or [])
    if not ok:
        raise OSError(f"{path}: could not encode the image")
    with open(path, "wb") as fh:
        fh.write(buf.tobytes())


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8) of an opened, not yet decoded image, from its header.

    PNG's ``getexif()`` decodes the whole image to look for an eXIf chunk after the
    pixels (42 s and 6.6 GB for a 6 MB 40000x40000 PNG, only to refuse it as too large);
    the PNG specification (third edition) puts eXIf before them, where Pillow finds it
    on opening."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1
    orientation = image.getexif().get(0x0112, 1)
    return orientation if isinstance(orientation, int) else 1


def oriented_size(image: Image.Image) -> tuple[int, int]:
    """An opened image's (width, height) as it is shown, after its EXIF rotation."""
    width, height = image.size
    if isinstance(image, TiffImagePlugin.TiffImageFile):
        # Newer Pillows give a turned TIFF's size already turned (and turn it on loading),
        # yet report its orientation until then: the stored size, from its own tags.
        width, height = image.tag_v2.get(256, width), image.tag_v2.get(257, height)
    return (height, width) if exif_orientation(image) in (5, 6, 7, 8) else (width, height)


def _to_rgb(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit / 32-bit integer greyscale: scale the real range down to 8 bits.
        arr = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        gray = np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode == "F":
        arr = np.asarray(image, dtype=np.float64)
        gray = np.clip(arr * (255.0 if arr.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
        # Composite transparency onto white: how a person sees a cut-out garment.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
    # An RGB image as it is: convert("RGB") would copy it first.
    return _array(image if mode == "RGB" else image.convert("RGB"))


# The most bytes of an image made into an array in one piece: np.asarray(image) asks for
# its tobytes(), which gathers the whole image in pieces and then joins them, twice the
# array's size at once (650 MB more for a 108 MP photo, beside Pillow's own 432 MB).
_BAND_BYTES = 1 << 24


def _array(image: Image.Image) -> np.ndarray:
    """``np.asarray(image)``, made a band of rows at a time into one array."""
    width, height = image.size
    rows = max(1, _BAND_BYTES // max(1, len(image.getbands()) * width))
    if height <= rows:
        return np.asarray(image)
    first = np.asarray(image.crop((0, 0, width, rows)))
    out = np.empty((height, *first.shape[1:]), first.dtype)
    out[:rows] = first
    for y in range(rows, height, rows):
        out[y : y + rows] = np.asarray(image.crop((0, y, width, min(height, y + rows))))
    return out


# The profile colour space of each mode a colour profile is applied in: RGB (after
# transparency is flattened and a palette looked up) and CMYK (before it is made RGB).
# Grey photos are near neutral whatever their profile: taken as they are.
_PROFILE_SPACES = {"RGB": "RGB ", "CMYK": "CMYK"}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


# 16 levels of each channel (0, 17, ... 255): the colours a conversion is tried on.
_LEVELS = np.arange(0, 256, 17, dtype=np.uint8)
_PROBE = np.stack(np.meshgrid(_LEVELS, _LEVELS, _LEVELS), axis=-1).reshape(1, -1, 3)


def _changes_nothing(transform: ImageCms.ImageCmsTransform) -> bool:
    """Whether an RGB conversion keeps every colour within one level: an sRGB profile,
    whichever maker's (theirs differ in rounding). Such photos are taken bit for bit, at
    no cost. Told by what it does, not by name or primaries: scRGB has sRGB's primaries
    and another curve."""
    out = np.asarray(transform.apply(Image.fromarray(_PROBE)))
    return int(np.abs(out.astype(np.int16) - _PROBE).max()) <= 1


@lru_cache(maxsize=8)  # a camera's or phone's photos all carry the same profile
def _srgb_transform(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """The transform from the profile ``icc`` to sRGB for an image in ``mode``; None
    where nothing is to be done (an sRGB profile, or one for another colour space)."""
    profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    if profile.profile.xcolor_space != _PROFILE_SPACES[mode]:
        return None
    # Relative colorimetric: colours inside sRGB stay as measured (colour names want the
    # garment's colour) and those outside it are clipped, where perceptual tables would
    # shift every colour to make room.
    transform = ImageCms.buildTransform(
        profile, _SRGB, mode, "RGB", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC
    )
    return None if mode == "RGB" and _changes_nothing(transform) else transform


def _profile_transform(icc: object, mode: str, path: Path) -> ImageCms.ImageCmsTransform | None:
    """The conversion to sRGB of a photo in ``mode`` (RGB or CMYK) carrying the colour
    profile ``icc`` (a phone's Display P3, a camera's Adobe RGB: read as sRGB, their
    colours come out muted or shifted); None where the pixels are taken as they are. A
    profile that cannot be used is said in the log: better colours a little off than no
    photo."""
    if not isinstance(icc, bytes) or not icc:
        return None
    try:
        return _srgb_transform(icc, mode)
    except MemoryError:
        raise
    except Exception as exc:  # a damaged or unsupported profile: lcms and Pillow vary
        log.warning("%s: its colour profile cannot be used (%s); colours read as sRGB", path, exc)
        return None


# An nclx colour description (HEIC photos without an ICC profile: iPhones') names its
# primaries and transfer curve by code (ITU-T H.273). Converted: P3 or BT.2020 primaries
# with the sRGB curve (13), fully defined, through a profile made for them. Not converted,
# said once: other curves with those primaries, and HDR ones (PQ 16, HLG 18), whose values
# are light levels that only a tone mapping, a guess, would bring into sRGB. BT.709 (1),
# unspecified (2) and other near-sRGB primaries are taken bit for bit, as before.
_NCLX_PRIMARIES = {  # red, green, blue (x, y); white D65 for both
    12: ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060)),  # Display P3 (SMPTE EG 432-1)
    9: ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046)),  # BT.2020
}
_NCLX_SRGB_CURVE, _NCLX_HDR_CURVES = 13, (16, 18)
_BRADFORD = np.array(
    [[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]]
)


def _xyz(x: float, y: float) -> np.ndarray:
    return np.array([x / y, 1.0, (1.0 - x - y) / y])


@lru_cache(maxsize=4)
def _nclx_icc(primaries: int) -> bytes:
    """lcms's sRGB profile (its curve, v4) with the colorants of nclx ``primaries``: the
    RGB-to-XYZ matrix from their chromaticities, Bradford-adapted from D65 to ICC's D50."""
    red, green, blue = _NCLX_PRIMARIES[primaries]
    matrix = np.stack([_xyz(*red), _xyz(*green), _xyz(*blue)], axis=1)
    white = _xyz(0.3127, 0.3290)
    matrix *= np.linalg.solve(matrix, white)
    cones = _BRADFORD @ np.array([0.9642, 1.0, 0.8249]) / (_BRADFORD @ white)
    colorants = np.linalg.inv(_BRADFORD) @ np.diag(cones) @ _BRADFORD @ matrix
    icc = bytearray(_SRGB.tobytes())
    icc[84:100] = bytes(16)  # the profile ID (an MD5 of the contents): now unset
    (count,) = struct.unpack_from(">I", icc, 128)
    offsets = {}
    for i in range(count):
        sig, offset, _ = struct.unpack_from(">4sII", icc, 132 + 12 * i)
        offsets[sig] = offset
    for sig, column in zip((b"rXYZ", b"gXYZ", b"bXYZ"), colorants.T, strict=True):
        struct.pack_into(">3i", icc, offsets[sig] + 8, *(round(v * 65536) for v in column))
    return bytes(icc)


_NCLX_NOTED: set[tuple[int, int]] = set()  # said once per kind of photo, not per photo


def _note_nclx_left(primaries: int, transfer: int, path: Path) -> None:
    if (primaries, transfer) not in _NCLX_NOTED:
        _NCLX_NOTED.add((primaries, transfer))
        log.warning(
            "%s: its colour description (nclx primaries %d, transfer %d: HDR or not "
            "supported) is not converted; colours read as sRGB (said once for such photos)",
            path,
            primaries,
            transfer,
        )


def _nclx_profile(nclx: object, path: Path) -> bytes | None:
    """An ICC profile standing for the nclx colour description ``nclx`` (pillow-heif's
    ``info["nclx_profile"]``); None where the pixels are taken as they are. Anything odd
    in it is passed over: the photo is read as sRGB, as before."""
    if not isinstance(nclx, dict):
        return None
    primaries, transfer = nclx.get("color_primaries"), nclx.get("transfer_characteristics")
    if not isinstance(primaries, int) or not isinstance(transfer, int):
        return None
    if primaries in _NCLX_PRIMARIES and transfer == _NCLX_SRGB_CURVE:
        return _nclx_icc(primaries)
    if primaries in _NCLX_PRIMARIES or transfer in _NCLX_HDR_CURVES:
        _note_nclx_left(primaries, transfer, path)
    return None


def _check_file(path: Path) -> None:
    """ImageLoadError unless ``path`` is a file with something in it."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ImageLoadError(f"{path}: no such file") from None
    except OSError as exc:  # a link loop, a folder on the way that may not be searched
        raise ImageLoadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise ImageLoadError(f"{path}: is a folder, not a photo")
    if not stat.S_ISREG(st.st_mode):
        raise ImageLoadError(f"{path}: {NOT_A_FILE}")
    if st.st_size == 0:
        raise ImageLoadError(f"{path}: empty file (0 bytes)")


def check_image_file(path: str | os.PathLike[str]) -> None:
    """The quick part of ``load_image``'s checks (the file and its header, no pixels):
    for callers with slow work to do first, such as loading the models."""
    path = Path(path)
    _check_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Image.open(path).close()
    except UnidentifiedImageError as exc:
        raise ImageLoadError(f"{path}: not an image file Wardrobe can read") from exc
    except Exception as exc:  # a damaged header: see DECODER_ERRORS
        raise _unreadable(path, exc) from exc


def _unreadable(path: Path, exc: Exception) -> ImageLoadError:
    """The error for a photo whose reading raised ``exc`` (other than the ones said
    before): the system's refusal, a file that ends early or a damaged one."""
    if isinstance(exc, OSError) and exc.errno is not None:
        # The system's answer (a photo not ours to read, a failing disk), not the
        # decoder's: segment said "damaged image ([Errno 13] Permission denied...)".
        return ImageLoadError(f"{path}: cannot read ({exc.strerror or exc})")
    # Pillow's "image file is truncated (N bytes not processed)" from the pixels, and
    # "Truncated File Read" from a header cut short: an import listed the latter as
    # "cannot read (Truncated File Read)".
    if "truncated" in str(exc).lower():
        return ImageLoadError(
            f"{path}: truncated image, the file ends early (an unfinished download or copy?)"
        )
    return ImageLoadError(f"{path}: damaged image ({exc})")


def shrunk_to(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """``rgb`` with its long side at most ``max_side`` (INTER_AREA), or as it is."""
    import cv2

    scale = max_side / max(rgb.shape[:2])
    if scale >= 1:
        return rgb
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))


def load_image(
    path: str | os.PathLike[str],
    max_side: int | None = None,
    fit: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """The photo at ``path`` as an EXIF-rotated (H, W, 3) sRGB uint8 array; with
    ``max_side``, shrunk to fit that (a JPEG decoded at reduced size: a 108 MP photo
    in a fraction of the time and memory). ``fit``, the caller's own shrinking, is
    applied before the conversion from a colour profile, which costs per pixel."""
    path = Path(path)
    _check_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ImageLoadError(
                        f"{path}: {width}x{height} is too large (over {MAX_PIXELS // 1_000_000} MP)"
                    )
                if max_side is not None and max(width, height) > max_side:
                    scale = max_side / max(width, height)
                    image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
                image.load()
                icc = image.info.get("icc_profile") or _nclx_profile(
                    image.info.get("nclx_profile"), path
                )
                # Turned in place: a copy of the whole photo (432 MB at 108 MP) where
                # there is nothing to turn, and two photos in memory where there is.
                ImageOps.exif_transpose(image, in_place=True)
                rotated: Image.Image = image
                if max_side is not None and max(rotated.size) > max_side:
                    if rotated.mode.startswith("I;16"):
                        rotated = rotated.convert("I")  # older Pillows resample no 16-bit grey
                    rotated.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                # The colour conversion costs per pixel: after the caller's ``fit`` where
                # there is one, else on the image itself (no copy to and from an array).
                # A CMYK profile is for CMYK values: used before they are made RGB.
                if rotated.mode in _PROFILE_SPACES and (fit is None or rotated.mode == "CMYK"):
                    now = _profile_transform(icc, rotated.mode, path)
                    rotated, icc = rotated if now is None else now.apply(rotated), None
                rgb = _to_rgb(rotated)
                if fit is not None:
                    rgb = fit(rgb)
                transform = _profile_transform(icc, "RGB", path)
                if transform is not None:
                    rgb = np.asarray(transform.apply(Image.fromarray(rgb)))
    except ImageLoadError:
        raise
    except UnidentifiedImageError as exc:
        raise ImageLoadError(f"{path}: not an image file Wardrobe can read") from exc
    except MemoryError as exc:
        raise ImageLoadError(f"{path}: too large to load into memory") from exc
    except Exception as exc:  # see DECODER_ERRORS
        raise _unreadable(path, exc) from exc
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.size == 0:
        raise ImageLoadError(f"{path}: unsupported image layout {rgb.shape}")
    return np.ascontiguousarray(rgb)
