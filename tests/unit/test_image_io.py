"""Every kind of photo a person might drop on the app: read right, or a clear error."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from icc import DISPLAY_P3, P3_D50, SRGB_D50, p3_to_srgb
from PIL import Image, ImageCms

from wardrobe_app.vision import image_io
from wardrobe_app.vision.image_io import (
    IMAGE_SUFFIXES,
    UNREAD_SUFFIXES,
    ImageLoadError,
    _nclx_profile,
    is_image_path,
    left_out_note,
    load_image,
)


def save_rgb(path: Path, h: int = 40, w: int = 30) -> np.ndarray:
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    Image.fromarray(arr).save(path)
    return arr


def test_png_round_trip(tmp_path: Path) -> None:
    arr = save_rgb(tmp_path / "a.png")
    out = load_image(tmp_path / "a.png")
    assert out.dtype == np.uint8 and out.shape == (40, 30, 3)
    assert np.array_equal(out, arr)


# Display P3 values: full red, a brick red, a green, a blue, a beige.
P3_COLOURS = np.array(
    [(255, 0, 0), (200, 60, 50), (60, 160, 70), (40, 70, 160), (230, 200, 160)], np.uint8
)


def _halved(rgb: np.ndarray) -> np.ndarray:
    return cv2.resize(rgb, (rgb.shape[1] // 2, rgb.shape[0] // 2), interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".heic"])
@pytest.mark.parametrize("shrink", ["no", "max_side", "fit"])
def test_a_display_p3_photo_is_read_in_srgb(tmp_path: Path, suffix: str, shrink: str) -> None:
    """Read as sRGB, a P3 photo's colours come out duller (a brick red of sRGB
    (219, 37, 34) as (200, 60, 50)); a P3 red beyond sRGB is sRGB's red, clipped."""
    blocks = np.repeat(np.repeat(P3_COLOURS[None], 64, axis=0), 64, axis=1)  # 64 x 320
    Image.fromarray(blocks).save(tmp_path / f"p3{suffix}", icc_profile=DISPLAY_P3, quality=95)
    with Image.open(tmp_path / f"p3{suffix}") as image:
        assert image.info["icc_profile"] == DISPLAY_P3
        stored = np.asarray(image.convert("RGB"), np.float64)  # codec losses included
    out = load_image(
        tmp_path / f"p3{suffix}",
        max_side=64 if shrink == "max_side" else None,
        fit=_halved if shrink == "fit" else None,
    )
    assert out.shape[1] == {"no": 320, "max_side": 64, "fit": 160}[shrink]
    step = out.shape[1] // len(P3_COLOURS)
    centres = out[step // 2, step // 2 :: step].astype(np.float64)
    expected = p3_to_srgb(stored[32, 32::64])
    assert np.abs(centres - expected).max() <= 2.5, (centres, expected)
    assert tuple(centres[0]) == (255, 0, 0)


def test_an_srgb_profile_changes_nothing(tmp_path: Path) -> None:
    arr = save_rgb(tmp_path / "plain.png")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(arr).save(tmp_path / "srgb.png", icc_profile=srgb)
    assert np.array_equal(load_image(tmp_path / "srgb.png"), arr)
    assert np.array_equal(load_image(tmp_path / "plain.png"), arr)


def test_a_transparent_p3_photo_keeps_its_transparency(tmp_path: Path) -> None:
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., :3] = (200, 60, 50)
    rgba[:4, :, 3] = 255  # top half opaque, bottom half transparent
    Image.fromarray(rgba, "RGBA").save(tmp_path / "t.png", icc_profile=DISPLAY_P3)
    out = load_image(tmp_path / "t.png").astype(np.float64)
    assert np.abs(out[0, 0] - p3_to_srgb(np.array([200, 60, 50]))).max() <= 2.5
    assert tuple(out[-1, -1]) == (255, 255, 255)


@pytest.mark.parametrize(
    "icc", [b"not a colour profile", DISPLAY_P3[:200], DISPLAY_P3.replace(b"RGB ", b"GRAY", 1)]
)
def test_a_broken_colour_profile_leaves_the_pixels_as_they_are(
    tmp_path: Path, icc: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    arr = save_rgb(tmp_path / "plain.png")
    Image.fromarray(arr).save(tmp_path / "odd.png", icc_profile=icc)
    with caplog.at_level(logging.WARNING):
        out = load_image(tmp_path / "odd.png")
    assert np.array_equal(out, arr)
    if icc != DISPLAY_P3.replace(b"RGB ", b"GRAY", 1):  # a grey profile: not for RGB, no news
        assert "odd.png: its colour profile cannot be used" in caplog.text


def _nclx_heic(path: Path, primaries: int, transfer: int) -> np.ndarray:
    """P3_COLOURS' blocks saved as a HEIC with only an nclx colour description (no ICC
    profile, as an iPhone's); the values as stored, codec losses included."""
    blocks = np.repeat(np.repeat(P3_COLOURS[None], 16, axis=0), 16, axis=1)  # 16 x 80
    Image.fromarray(blocks).save(
        path, quality=95, color_primaries=primaries, transfer_characteristics=transfer
    )
    with Image.open(path) as image:
        nclx = image.info["nclx_profile"]
        assert "icc_profile" not in image.info
        assert (nclx["color_primaries"], nclx["transfer_characteristics"]) == (primaries, transfer)
        return np.asarray(image.convert("RGB"))


def _p3_srgb_curve_to_srgb(rgb: np.ndarray) -> np.ndarray:
    """Display P3 values with sRGB's curve (an nclx of 12/13), 0-255, to sRGB, clipped."""
    v = np.asarray(rgb, np.float64) / 255.0
    linear = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    srgb = np.clip(linear @ (np.linalg.inv(SRGB_D50) @ P3_D50).T, 0.0, 1.0)
    return np.where(srgb <= 0.0031308, 12.92 * srgb, 1.055 * srgb ** (1 / 2.4) - 0.055) * 255


@pytest.mark.parametrize("shrink", ["no", "fit"])
def test_a_heic_with_a_p3_nclx_is_read_in_srgb(tmp_path: Path, shrink: str) -> None:
    """An iPhone HEIC may say P3 by nclx alone: converted as for a P3 profile, its
    saturated red is sRGB's red, clipped, and its brick red comes out redder."""
    stored = _nclx_heic(tmp_path / "p3.heic", primaries=12, transfer=13)
    out = load_image(tmp_path / "p3.heic", fit=_halved if shrink == "fit" else None)
    step = out.shape[1] // len(P3_COLOURS)
    centres = out[step // 2, step // 2 :: step].astype(np.float64)
    expected = _p3_srgb_curve_to_srgb(stored[8, 8::16])
    assert np.abs(centres - expected).max() <= 2.5, (centres, expected)
    assert tuple(centres[0]) == (255, 0, 0)


def test_a_heic_with_a_bt709_nclx_is_taken_bit_for_bit(tmp_path: Path) -> None:
    stored = _nclx_heic(tmp_path / "srgb.heic", primaries=1, transfer=13)
    assert np.array_equal(load_image(tmp_path / "srgb.heic"), stored)


def test_a_heic_with_bt2020_primaries_and_the_srgb_curve_is_converted(tmp_path: Path) -> None:
    stored = _nclx_heic(tmp_path / "wide.heic", primaries=9, transfer=13)
    out = load_image(tmp_path / "wide.heic")
    assert tuple(out[8, 8]) == (255, 0, 0)
    assert out[8, 24, 0] > stored[8, 24, 0] + 20  # the brick red, redder still than from P3


def test_an_hdr_heic_is_left_as_it_is_and_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PQ values are light levels, not sRGB's: mapping them needs a tone mapping, which
    would be a guess; the photo is read as it was, and the log says so once."""
    monkeypatch.setattr(image_io, "_NCLX_NOTED", set())
    stored = _nclx_heic(tmp_path / "hdr.heic", primaries=12, transfer=16)
    with caplog.at_level(logging.WARNING):
        assert np.array_equal(load_image(tmp_path / "hdr.heic"), stored)
        assert np.array_equal(load_image(tmp_path / "hdr.heic"), stored)
    assert caplog.text.count("nclx primaries 12, transfer 16") == 1


@pytest.mark.parametrize(
    "nclx",
    [
        None,
        "nclx",
        {},
        {"color_primaries": 12},
        {"color_primaries": "12", "transfer_characteristics": 13},
        {"color_primaries": [12], "transfer_characteristics": [13]},
        {"color_primaries": 99, "transfer_characteristics": 13},
        {"color_primaries": 1, "transfer_characteristics": 13},
    ],
)
def test_an_odd_or_plain_nclx_means_no_conversion(nclx: object) -> None:
    assert _nclx_profile(nclx, Path("odd.heic")) is None


@pytest.mark.parametrize("orientation", [1, 6])
def test_a_photo_is_not_copied_while_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, orientation: int
) -> None:
    """Pillow holds a 108 MP photo in 432 MB: exif_transpose copied it where there was
    nothing to turn, and convert("RGB") copied an RGB photo again (1.8 GB to load one)."""
    arr = save_rgb(tmp_path / "a.png", h=20, w=60)
    image = Image.fromarray(arr)
    exif = image.getexif()
    exif[0x0112] = orientation
    image.save(tmp_path / "a.png", exif=exif)
    copies: list[tuple[int, int]] = []
    real_copy = Image.Image.copy

    def counted(self: Image.Image) -> Image.Image:
        copies.append(self.size)
        return real_copy(self)

    monkeypatch.setattr(Image.Image, "copy", counted)
    out = load_image(tmp_path / "a.png")
    assert copies == []
    assert np.array_equal(out, arr if orientation == 1 else np.rot90(arr, -1))


def test_a_photo_becomes_an_array_a_band_of_rows_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """np.asarray of a whole Pillow image holds its bytes twice over while it joins them
    (650 MB at 108 MP): the array is made from bands of rows, the same pixels. (The band
    is made small here, so as to keep the photo small.)"""
    arr = save_rgb(tmp_path / "a.png", h=37, w=20)
    monkeypatch.setattr(image_io, "_BAND_BYTES", 3 * 20 * 8)  # 8 rows a band
    heights: list[int] = []
    real = Image.Image.tobytes

    def recorded(self: Image.Image, *args: str) -> bytes:
        heights.append(self.size[1])
        return real(self, *args)

    monkeypatch.setattr(Image.Image, "tobytes", recorded)
    out = load_image(tmp_path / "a.png")
    assert np.array_equal(out, arr)
    assert heights == [8, 8, 8, 8, 5]


def test_exif_rotation_is_honoured(tmp_path: Path) -> None:
    arr = np.zeros((20, 60, 3), np.uint8)
    arr[:, :10] = 255  # a white stripe on the left edge
    image = Image.fromarray(arr)
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    image.save(tmp_path / "r.jpg", exif=exif, quality=95)
    out = load_image(tmp_path / "r.jpg")
    assert out.shape == (60, 20, 3)
    assert out[:10].mean() > 200 and out[-10:].mean() < 50  # the stripe is now on top


@pytest.mark.parametrize(
    "mode",
    ["L", "RGBA", "P", "CMYK", "LA"],
)
def test_modes_become_rgb(tmp_path: Path, mode: str) -> None:
    image = Image.fromarray(np.full((16, 16, 3), 120, np.uint8)).convert(mode)
    suffix = ".jpg" if mode == "CMYK" else ".png"
    image.save(tmp_path / f"m{suffix}")
    out = load_image(tmp_path / f"m{suffix}")
    assert out.shape == (16, 16, 3) and out.dtype == np.uint8


def test_transparent_png_composites_on_white(tmp_path: Path) -> None:
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:4, :, 3] = 255  # top half opaque red, bottom half transparent
    Image.fromarray(rgba, "RGBA").save(tmp_path / "t.png")
    out = load_image(tmp_path / "t.png")
    assert tuple(out[0, 0]) == (255, 0, 0)
    assert tuple(out[7, 7]) == (255, 255, 255)


def test_sixteen_bit_png(tmp_path: Path) -> None:
    ramp = np.linspace(0, 65535, 64 * 64).reshape(64, 64).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "g16.png"), ramp)
    out = load_image(tmp_path / "g16.png")
    assert out.shape == (64, 64, 3)
    assert out[0, 0, 0] == 0 and out[-1, -1, 0] == 255
    rgb16 = np.dstack([ramp, ramp // 2, ramp // 4])
    cv2.imwrite(str(tmp_path / "c16.png"), rgb16)
    assert load_image(tmp_path / "c16.png").shape == (64, 64, 3)


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.jpg", b"", "empty file"),
        ("noise.jpg", bytes(range(256)) * 8, "not an image"),
        ("notes.png", b"shopping list: socks\n", "not an image"),
    ],
)
def test_bad_files_raise_clear_errors(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ImageLoadError, match=message):
        load_image(tmp_path / name)


def test_truncated_jpeg(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (200, 200, 3), dtype=np.uint8)).save(tmp_path / "full.jpg")
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "half.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError, match="truncated image, the file ends early"):
        load_image(tmp_path / "half.jpg")


def test_a_photo_cut_short_in_its_header_is_said_truncated(tmp_path: Path) -> None:
    # A JPEG ending inside its header: Pillow says "Truncated File Read", and an import
    # (which checks the header before the models load) listed "cannot read (Truncated
    # File Read)", "Do I already own this?" the same; load_image said "damaged image".
    from wardrobe_app.vision.image_io import check_image_file

    save_rgb(tmp_path / "full.jpg", 200, 200)
    path = tmp_path / "download.jpg"
    path.write_bytes((tmp_path / "full.jpg").read_bytes()[:30])
    for read in (check_image_file, load_image):
        with pytest.raises(ImageLoadError) as refused:
            read(path)
        assert str(refused.value) == (
            f"{path}: truncated image, the file ends early (an unfinished download or copy?)"
        )


def test_an_import_lists_a_photo_cut_short_as_truncated(wardrobe: object, tmp_path: Path) -> None:
    from wardrobe_app.service import Wardrobe

    assert isinstance(wardrobe, Wardrobe)
    save_rgb(tmp_path / "full.jpg", 200, 200)
    path = tmp_path / "download.jpg"
    path.write_bytes((tmp_path / "full.jpg").read_bytes()[:30])
    report = wardrobe.import_paths([path])
    assert [(r.status, r.error) for r in report.results] == [
        (
            "failed",
            f"{path}: truncated image, the file ends early (an unfinished download or copy?)",
        )
    ]


def test_a_damaged_header_is_a_damaged_image(tmp_path: Path) -> None:
    # Pillow's PPM (and TIFF) header readers raise ValueError: `similar-to` ended in a
    # traceback, and an import listed "ValueError: invalid literal for int()...".
    from wardrobe_app.vision.image_io import check_image_file

    path = tmp_path / "camera.jpg"
    path.write_bytes(b"P6\n3x 2\n255\n" + bytes(18))
    for read in (check_image_file, load_image):
        with pytest.raises(ImageLoadError, match=r"camera\.jpg: damaged image"):
            read(path)


@pytest.mark.parametrize(
    "error", [RuntimeError("Failed to decode image"), EOFError("Unexpected end of file")]
)
def test_a_decoder_failing_its_own_way_is_a_damaged_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    # The AVIF plugin raises RuntimeError and the HEIF one EOFError on a damaged file:
    # `segment` stopped the whole batch at it with a traceback.
    from PIL import ImageFile

    save_rgb(tmp_path / "phone.png")

    def fail(self: ImageFile.ImageFile) -> None:
        raise error

    monkeypatch.setattr(ImageFile.ImageFile, "load", fail)
    with pytest.raises(ImageLoadError, match=r"phone\.png: damaged image"):
        load_image(tmp_path / "phone.png")


@pytest.mark.parametrize("where", ["open", "load"])
@pytest.mark.parametrize(
    "error", [PermissionError(13, "Permission denied"), OSError(5, "Input/output error")]
)
def test_a_photo_the_system_will_not_read_is_said_so_not_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, error: OSError
) -> None:
    # `segment` of a photo not ours to read said "damaged image ([Errno 13] Permission
    # denied: ...)", where import said "cannot read (Permission denied)".
    from PIL import ImageFile

    save_rgb(tmp_path / "phone.png")

    def fail(*args: object, **kwargs: object) -> None:
        raise error

    if where == "open":
        monkeypatch.setattr(image_io.Image, "open", fail)
    else:
        monkeypatch.setattr(ImageFile.ImageFile, "load", fail)
    with pytest.raises(ImageLoadError) as refused:
        load_image(tmp_path / "phone.png")
    assert str(refused.value) == f"{tmp_path / 'phone.png'}: cannot read ({error.strerror})"


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="no such file"):
        load_image(tmp_path / "ghost.jpg")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


def test_a_link_loop_says_what_is_wrong(tmp_path: Path) -> None:
    loop = tmp_path / "loop.jpg"
    loop.symlink_to(loop)
    with pytest.raises(ImageLoadError, match=r"cannot read .*symbolic links"):
        load_image(loop)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_named_like_a_photo_is_no_photo(tmp_path: Path) -> None:
    # Its size of 0 read as "empty file (0 bytes)".
    from wardrobe_app.vision.image_io import check_image_file

    pipe = tmp_path / "pipe.jpg"
    os.mkfifo(pipe)
    for read in (check_image_file, load_image):
        with pytest.raises(ImageLoadError, match="pipe, socket or device"):
            read(pipe)


@pytest.mark.slow
def test_very_large_photo_loads(tmp_path: Path) -> None:
    big = np.zeros((9000, 12000, 3), np.uint8)
    big[::2] = 200
    cv2.imwrite(str(tmp_path / "big.jpg"), big)
    del big
    out = load_image(tmp_path / "big.jpg")
    assert out.shape == (9000, 12000, 3)


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_loaded_to_fit_a_side_and_turned(tmp_path: Path, suffix: str) -> None:
    # The garment page and import's working copy decode big photos small: a JPEG at
    # reduced size by the decoder, anything else shrunk after (16-bit grey too).
    rgb = np.zeros((1200, 1600, 3), np.uint8)
    rgb[:, :800] = (200, 40, 40)  # left half red: where it ends up tells the turn
    image = Image.fromarray(rgb)
    exif = image.getexif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise: the red half on top
    image.save(tmp_path / f"turned{suffix}", exif=exif)
    small = load_image(tmp_path / f"turned{suffix}", max_side=400)
    assert small.shape == (400, 300, 3)
    assert small[:150, :, 0].mean() > 150 and small[250:, :, 0].mean() < 50
    grey = tmp_path / "grey16.png"
    Image.fromarray(np.full((900, 1200), 40000, np.uint16)).save(grey)
    assert load_image(grey, max_side=300).shape == (225, 300, 3)
    assert load_image(grey, max_side=3000).shape == (900, 1200, 3)  # never enlarged


@pytest.mark.parametrize("suffix", [".jpg", ".webp", ".tif"])
def test_oriented_size_is_the_size_loaded(tmp_path: Path, suffix: str) -> None:
    # Newer Pillows give a turned TIFF's size already turned but still report its
    # orientation: the size was turned twice, and the import stored it wrong.
    from wardrobe_app.vision.image_io import oriented_size

    image = Image.fromarray(np.zeros((20, 60, 3), np.uint8))  # 60 wide, 20 high
    exif = image.getexif()
    exif[0x0112] = 6  # shown 20 wide, 60 high
    image.save(tmp_path / f"turned{suffix}", exif=exif)
    with Image.open(tmp_path / f"turned{suffix}") as opened:
        assert oriented_size(opened) == (20, 60)
    assert load_image(tmp_path / f"turned{suffix}").shape == (60, 20, 3)


@pytest.mark.parametrize("suffix", [".heic", ".HEIC", ".avif"])
def test_phone_formats_heic_and_avif(tmp_path: Path, suffix: str) -> None:
    """iPhones save HEIC; AVIF where this Pillow reads it (it is listed only then)."""
    if suffix == ".avif" and suffix not in IMAGE_SUFFIXES:
        pytest.skip("this Pillow was built without AVIF")
    # a smooth picture: lossy coding keeps it within a few levels
    ys, xs = np.mgrid[0:48, 0:32]
    arr = np.stack([ys * 5, xs * 7, 255 - ys * 5], axis=2).astype(np.uint8)
    path = tmp_path / f"phone{suffix}"
    Image.fromarray(arr).save(path, format="HEIF" if suffix != ".avif" else "AVIF", quality=95)
    assert is_image_path(path)
    out = load_image(path)
    assert out.dtype == np.uint8 and out.shape == (48, 32, 3)
    assert np.abs(out.astype(int) - arr).mean() < 6


@pytest.mark.parametrize("name", ["saved-from-a-browser.jfif", "old-camera.JPE"])
def test_jpegs_by_their_other_names_are_photos(tmp_path: Path, name: str) -> None:
    # A folder import passed over them without a word.
    path = tmp_path / name
    Image.new("RGB", (60, 40), (10, 120, 200)).save(path, format="JPEG")
    assert is_image_path(path) and load_image(path).shape == (40, 60, 3)


def test_the_note_on_files_left_out_counts_them_and_names_a_few_kinds() -> None:
    assert left_out_note([Path("a/x.CR2")]) == "1 file left out: not a photo Wardrobe reads (.cr2)"
    many = [Path(f"f{i}{suffix}") for i, suffix in enumerate(sorted(UNREAD_SUFFIXES))]
    note = left_out_note(many * 100)
    assert note.startswith(f"{len(many) * 100} files left out: not photos Wardrobe reads (")
    assert note.endswith(", ...)") and note.count(", ") == 6
    assert not UNREAD_SUFFIXES & IMAGE_SUFFIXES  # what it reads is never left out
