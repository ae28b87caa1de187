"""Bad and unusual photos through the service: each is imported or reported, never fatal."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from fakes import FakeAnalyser, make_photo
from PIL import Image

from wardrobe_app import service
from wardrobe_app.service import Wardrobe
from wardrobe_app.services import working_copy as working_copy_module
from wardrobe_app.vision.image_io import left_out_note


def _outfit_rgb(w: int, h: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rgb = np.empty((h, w, 3), np.uint8)
    rgb[:] = rng.integers(0, 256, 3)
    rgb[int(h * 0.1) : int(h * 0.52), int(w * 0.2) : int(w * 0.8)] = rng.integers(0, 256, 3)
    rgb[int(h * 0.52) : int(h * 0.95), int(w * 0.25) : int(w * 0.75)] = rng.integers(0, 256, 3)
    return rgb


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    d = tmp_path / "inputs"
    d.mkdir()
    good = make_photo(d / "good.jpg", 1)
    paths = {"good": good}

    paths["corrupt"] = d / "corrupt.jpg"
    paths["corrupt"].write_bytes(np.random.default_rng(0).bytes(5000))
    paths["truncated"] = d / "truncated.jpg"
    whole = make_photo(tmp_path / "whole.jpg", 2, size=(400, 600)).read_bytes()
    paths["truncated"].write_bytes(whole[: len(whole) // 2])
    paths["empty"] = d / "empty.jpg"
    paths["empty"].write_bytes(b"")
    paths["text"] = d / "notes.png"
    paths["text"].write_text("shopping list: socks\n" * 20)

    paths["gray"] = make_photo(d / "gray.jpg", 3, mode="L")
    paths["cmyk"] = make_photo(d / "cmyk.jpg", 4, mode="CMYK")
    rgba = np.dstack([_outfit_rgb(200, 300, 5), np.full((300, 200), 255, np.uint8)])
    rgba[:20, :, 3] = 0
    paths["alpha"] = d / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(paths["alpha"])
    gray16 = (cv2.cvtColor(_outfit_rgb(200, 300, 6), cv2.COLOR_RGB2GRAY).astype(np.uint16)) * 257
    paths["png16"] = d / "deep.png"
    assert cv2.imwrite(str(paths["png16"]), gray16)
    bgr16 = cv2.cvtColor(_outfit_rgb(200, 300, 7), cv2.COLOR_RGB2BGR).astype(np.uint16) * 257
    paths["png16rgb"] = d / "deep-colour.png"
    assert cv2.imwrite(str(paths["png16rgb"]), bgr16)

    # EXIF orientation 6: stored 300 wide x 200 high, shown 200 wide x 300 high
    stored = np.ascontiguousarray(np.rot90(_outfit_rgb(200, 300, 8), k=1))
    exif = Image.Exif()
    exif[0x0112] = 6
    paths["rotated"] = d / "rotated.jpg"
    Image.fromarray(stored).save(paths["rotated"], exif=exif.tobytes(), quality=92)
    return paths


FAILING = {
    "corrupt": "not an image",
    "truncated": "truncated",
    "empty": "empty",
    "text": "not an image",
}


def test_bad_and_unusual_inputs_in_one_batch(
    wardrobe: Wardrobe, inputs: dict[str, Path], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.jpg"
    report = wardrobe.import_paths([*inputs.values(), missing, tmp_path / "inputs"])
    by_name = {r.path.name: r for r in report.results}
    assert len(report.results) == len(inputs) + 1  # the folder adds nothing new
    for key, path in inputs.items():
        r = by_name[path.name]
        if key in FAILING:
            assert r.status == "failed", key
            assert FAILING[key] in (r.error or "").lower(), (key, r.error)
            assert str(path) in (r.error or "")
        else:
            assert r.status == "imported", (key, r.error)
            assert [g.category for g in r.garments] == ["top", "bottom"], key
    assert by_name["missing.jpg"].status == "failed"
    assert "no such file" in (by_name["missing.jpg"].error or "")
    assert wardrobe.verify().ok
    # the failures left nothing behind and can be retried later
    assert all(r.photo_id is None for r in report.failed)


def test_exif_rotation_is_honoured(wardrobe: Wardrobe, inputs: dict[str, Path]) -> None:
    r = wardrobe.import_photo(inputs["rotated"])
    assert r.status == "imported"
    labels = wardrobe.photo_labels(r.garments[0].id)
    assert labels is not None and labels.shape == (300, 200)
    from wardrobe_app.store import Photo

    with wardrobe.store.session() as s:
        photo = s.get(Photo, r.photo_id)
        assert photo is not None
        assert (photo.original_width, photo.original_height) == (200, 300)


def test_alpha_and_16bit_load_as_rgb(inputs: dict[str, Path]) -> None:
    from wardrobe_app.vision.image_io import load_image

    for key in ("alpha", "png16", "png16rgb", "gray", "cmyk"):
        rgb = load_image(inputs[key])
        assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3, key
    assert (load_image(inputs["alpha"])[:20] == 255).all()  # transparent -> white


def test_very_large_photo_is_downscaled_before_analysis(
    wardrobe: Wardrobe, fake_analyser: FakeAnalyser, tmp_path: Path
) -> None:
    w, h = 12000, 9000
    big = np.empty((h, w, 3), np.uint8)  # flat blocks: quick to make and to encode
    big[:] = (40, 160, 90)
    big[int(h * 0.1) : int(h * 0.52), int(w * 0.2) : int(w * 0.8)] = (200, 30, 30)
    big[int(h * 0.52) : int(h * 0.95), int(w * 0.25) : int(w * 0.75)] = (20, 30, 200)
    path = tmp_path / "huge.jpg"
    assert cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 70])
    del big
    r = wardrobe.import_photo(path)
    assert r.status == "imported", r.error
    assert [g.category for g in r.garments] == ["top", "bottom"]
    assert fake_analyser.analysed[-1] != path  # it saw the working copy
    from wardrobe_app.store import Photo

    with wardrobe.store.session() as s:
        photo = s.get(Photo, r.photo_id)
        assert photo is not None
        assert (photo.original_width, photo.original_height) == (w, h)
        assert max(photo.width, photo.height) <= service.WORK_MAX_SIDE
    assert r.garments[0].photo_path.stat().st_size == path.stat().st_size  # original kept
    assert wardrobe.verify().ok


def test_a_png_too_large_to_analyse_is_refused_without_decoding_it(
    wardrobe: Wardrobe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Looking for EXIF in a PNG decoded it whole first: a 6 MB 40000x40000 PNG took
    # 42 s and 6.6 GB only to be refused. (The limit is lowered to keep the test small.)
    from PIL import PngImagePlugin

    path = tmp_path / "bomb.png"
    Image.new("L", (120, 100), 128).save(path)
    monkeypatch.setattr(working_copy_module, "MAX_PIXELS", 100 * 100)
    decoded: list[object] = []
    load = PngImagePlugin.PngImageFile.load

    def spy(self: PngImagePlugin.PngImageFile) -> object:
        decoded.append(self)
        return load(self)

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", spy)
    with service.working_copy(path) as (work, original):
        assert work == path and original == (120, 100)
    assert working_copy_module.original_size(path) == (120, 100)
    assert decoded == []


def test_exif_orientation_of_a_png_is_read_from_its_header(tmp_path: Path) -> None:
    from wardrobe_app.vision.image_io import exif_orientation

    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (30, 20)).save(tmp_path / "turned.png", exif=exif)
    Image.new("RGB", (30, 20)).save(tmp_path / "plain.png")
    with Image.open(tmp_path / "turned.png") as turned, Image.open(tmp_path / "plain.png") as plain:
        assert exif_orientation(turned) == 6 and exif_orientation(plain) == 1


def test_analyser_crash_is_reported_not_raised(
    wardrobe: Wardrobe,
    fake_analyser: FakeAnalyser,
    inputs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(path: Path, kind: str = "auto") -> None:
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(fake_analyser, "analyse", boom)
    report = wardrobe.import_paths([inputs["good"], inputs["gray"]])
    assert [r.status for r in report.results] == ["failed", "failed"]
    assert "CUDA out of memory" in (report.failed[0].error or "")
    assert wardrobe.count() == 0 and wardrobe.verify().ok


def test_a_photo_that_cannot_be_read_is_reported_before_the_models_load(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Do I own this?" on a missing or broken file loaded the models (6-13 s) first.
    from wardrobe_app.vision.image_io import ImageLoadError

    def no_models() -> None:
        raise AssertionError("the models were loaded")

    monkeypatch.setattr(service, "default_analyser", no_models)
    (tmp_path / "notes.jpg").write_text("not a photo")
    with Wardrobe(home) as w:
        with pytest.raises(ImageLoadError, match="no such file"):
            w.similar_to_photo(tmp_path / "missing.jpg")
        with pytest.raises(ImageLoadError, match="not an image file"):
            w.similar_to_photo(tmp_path / "notes.jpg")


@pytest.mark.parametrize("change", ["rewritten", "removed"])
def test_a_photo_changed_during_its_import_fails_and_stores_nothing(
    wardrobe: Wardrobe,
    fake_analyser: FakeAnalyser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    # Hashed, analysed, then copied in: a photo rewritten in between (a sync client, an
    # editor) was stored under the old hash, a damaged file from the start (`verify`);
    # one removed in between failed with a traceback.
    path = make_photo(tmp_path / "syncing.jpg", 1)
    analyse = fake_analyser.analyse

    def analyse_then_change(p: Path, kind: str = "auto") -> object:
        analysis = analyse(p, kind)  # type: ignore[arg-type]
        if change == "rewritten":
            make_photo(path, 2)
        else:
            path.unlink()
        return analysis

    monkeypatch.setattr(fake_analyser, "analyse", analyse_then_change)
    r = wardrobe.import_photo(path)
    assert r.status == "failed" and str(path) in (r.error or "")
    assert ("changed" if change == "rewritten" else "removed") in (r.error or "")
    assert wardrobe.count() == 0 and wardrobe.store.files.all_files() == []
    assert wardrobe.verify().ok


def test_a_folder_that_cannot_be_listed_fails_by_name(
    wardrobe: Wardrobe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.walk passes over a folder it cannot list: its photos were left out in silence
    # and the import said nothing failed (exit status 0).
    import errno
    import os

    good = make_photo(tmp_path / "in" / "good.jpg", 1)
    locked = tmp_path / "in" / "locked"
    make_photo(locked / "hidden from us.jpg", 2)
    scandir = os.scandir

    def refuse_locked(path: object = ".") -> object:
        if Path(str(path)) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", refuse_locked)
    report = wardrobe.import_paths([tmp_path / "in"])
    assert [r.path for r in report.imported] == [good]
    assert [r.path for r in report.failed] == [locked]
    assert "cannot read the folder (Permission denied)" in (report.failed[0].error or "")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_in_a_folder_fails_without_waiting_for_a_writer(
    wardrobe: Wardrobe, tmp_path: Path
) -> None:
    # Hashing it opened it to read: the import waited for a writer for good.
    import threading
    import time

    good = make_photo(tmp_path / "in" / "good.jpg", 1)
    pipe = tmp_path / "in" / "pipe.jpg"
    os.mkfifo(pipe)

    def unblock() -> None:  # lets a reader stuck on the pipe go on (end of file)
        with contextlib.suppress(OSError):
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))

    timer = threading.Timer(5.0, unblock)
    timer.start()
    started = time.monotonic()
    try:
        report = wardrobe.import_paths([tmp_path / "in"])
    finally:
        timer.cancel()
    assert time.monotonic() - started < 5.0
    assert [r.path for r in report.imported] == [good]
    assert [r.path for r in report.failed] == [pipe]
    assert "pipe, socket or device" in (report.failed[0].error or "")


def test_a_path_the_disk_will_not_look_up_fails_alone(
    wardrobe: Wardrobe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A name too long, or a photo in a folder that may not be searched (EACCES from
    # is_dir, as root only where faked): the whole import was refused ("File name too
    # long", exit 2), the photos beside it not imported.
    good = make_photo(tmp_path / "in" / "good.jpg", 1)
    too_long = tmp_path / ("x" * 300 + ".jpg")
    locked = tmp_path / "locked" / "photo.jpg"
    stat = Path.stat

    def refuse_locked(self: Path, **kwargs: object) -> os.stat_result:
        if self == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return stat(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "stat", refuse_locked)
    report = wardrobe.import_paths([too_long, locked, good])
    assert [(r.path, r.status) for r in report.results] == [
        (too_long, "failed"),
        (locked, "failed"),
        (good, "imported"),
    ]
    assert report.results[0].error == f"{too_long}: cannot read (File name too long)"
    assert report.results[1].error == f"{locked}: cannot read (Permission denied)"


def test_a_file_not_named_as_a_photo_is_refused_by_its_header_without_being_read_whole(
    wardrobe: Wardrobe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A video given (or dropped where the disk could not say in time whether "clip.mp4"
    # was a folder) was hashed whole, 5 s for 2 GB here, then refused by the analysis.
    from wardrobe_app.services import importer

    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(4096))
    no_suffix = tmp_path / "IMG_0001"  # a photo all the same: imported as before
    no_suffix.write_bytes(make_photo(tmp_path / "p.jpg", 1).read_bytes())
    hashed: list[Path] = []
    real = importer.sha256_file

    def sha256_file(path: Path) -> str:
        hashed.append(Path(path))
        return real(path)

    monkeypatch.setattr(importer, "sha256_file", sha256_file)
    report = wardrobe.import_paths([clip, no_suffix])
    assert [r.status for r in report.results] == ["failed", "imported"]
    assert report.results[0].error == f"{clip}: not an image file Wardrobe can read"
    assert clip not in hashed and no_suffix in hashed


def test_linked_folders_are_walked_once_and_a_loop_of_links_ends(
    wardrobe: Wardrobe, tmp_path: Path
) -> None:
    # A linked folder's photos were passed over in silence (linked photos were taken):
    # "No photos found" for a folder of links to albums. Followed, a link to a folder
    # above it must not loop, and one into the wardrobe's own files is not walked.
    albums, elsewhere = tmp_path / "albums", tmp_path / "elsewhere"
    own = make_photo(albums / "own.jpg", 1)
    linked = make_photo(elsewhere / "summer.jpg", 2)
    (albums / "summer").symlink_to(elsewhere)
    (albums / "summer again").symlink_to(elsewhere)  # the same folder: walked once
    (elsewhere / "back").symlink_to(albums)  # a loop: albums/summer/back/summer/...
    (albums / "wardrobe").symlink_to(wardrobe.store.home)
    (albums / "nowhere").symlink_to(tmp_path / "gone")  # a broken link: no folder
    wardrobe.import_paths([make_photo(tmp_path / "before" / "first.jpg", 3)])  # files in it
    report = wardrobe.import_paths([albums])
    assert [r.path for r in report.results] == [own, albums / "summer" / linked.name]
    assert [r.status for r in report.results] == ["imported", "imported"]


def test_photos_it_cannot_read_in_a_folder_are_counted_and_other_files_passed_over(
    wardrobe: Wardrobe, tmp_path: Path
) -> None:
    # A .dng or a .mov beside the photos was skipped in silence; only a folder of them
    # alone said anything ("no photos found"). Sidecars and the like stay unsaid.
    folder = tmp_path / "camera roll"
    good = make_photo(folder / "IMG_0001.jpg", 1)
    unread = [folder / "IMG_0001.MOV", folder / "IMG_0002.dng", folder / "edits" / "a.psd"]
    quiet = ["IMG_0001.AAE", "IMG_0001.jpg.json", "IMG_0002.xmp", "Thumbs.db", "notes.txt"]
    for path in [*unread, *(folder / name for name in quiet), folder / ".hidden.dng"]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not read")
    report = wardrobe.import_paths([folder, folder / "edits"])  # the .psd counted once
    assert [r.path for r in report.imported] == [good] and not report.failed
    assert report.left_out == unread
    assert left_out_note(report.left_out) == (
        "3 files left out: not photos Wardrobe reads (.dng, .mov, .psd)"
    )
