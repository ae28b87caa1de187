"""The service layer with the fake analyser: import, browse, edit, delete/undo, similar."""

from __future__ import annotations

import csv
import errno
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fakes import FakeAnalyser, ScriptedEmbedder, make_photo, mask_reaching
from sqlalchemy import func, select

from wardrobe_app import service
from wardrobe_app.service import CLOSEST_SHOWN, SIMILAR_FLOOR, Wardrobe, closest_shown
from wardrobe_app.services import export
from wardrobe_app.services.expand import expand_paths
from wardrobe_app.services.importer import Importer
from wardrobe_app.services.naming import display_name
from wardrobe_app.store import Garment, Photo, read_png
from wardrobe_app.types import LABEL_OF_CATEGORY, GarmentFilter, KindChoice, PhotoAnalysis

MakeWardrobe = Callable[..., Wardrobe]
Photos = Callable[..., list[Path]]


def _files(w: Wardrobe) -> set[str]:
    return set(w.store.files.all_files())


def _rows(w: Wardrobe) -> tuple[int, int]:
    with w.store.session() as s:
        return (
            int(s.scalar(select(func.count(Photo.id))) or 0),
            int(s.scalar(select(func.count(Garment.id))) or 0),
        )


def _live_vectors(w: Wardrobe) -> dict[int, tuple[str, np.ndarray]]:
    with w.store.session() as s:
        rows = list(s.scalars(select(Garment).where(Garment.deleted_at.is_(None))))
    out = {}
    for r in rows:
        v = r.vector_array()
        assert v is not None and r.vector_version == w.analyser.embedder_version
        out[r.id] = (r.category, v / np.linalg.norm(v))
    return out


def brute_force(
    live: dict[int, tuple[str, np.ndarray]], gid: int, k: int, same_category: bool = True
) -> list[tuple[int, float]]:
    """Exact cosine search over the database's live, current-version vectors."""
    category, q = live[gid]
    scored = [
        (i, float(v @ q))
        for i, (cat, v) in live.items()
        if i != gid and (cat == category or not same_category)
    ]
    scored.sort(key=lambda t: (-t[1], t[0]))
    return scored[:k]


def assert_matches_brute_force(w: Wardrobe, k: int = 5) -> None:
    """``similar`` returns what exact search returns (ids in order; where two scores tie
    within float noise either order is right, so scores are compared too)."""
    live = _live_vectors(w)
    ids = [r.id for r in w.list_garments()]
    assert ids and sorted(ids) == sorted(live)
    for same in (True, False):
        found = w.similar_many(ids, k, same_category=same)
        for gid in ids:
            exact_list = brute_force(live, gid, len(live), same)
            expected, exact = exact_list[:k], dict(exact_list)
            got = [(h.garment.id, h.score) for h in found[gid]]
            assert len(got) == len(expected), (gid, same)
            assert np.allclose([s for _, s in got], [s for _, s in expected], atol=1e-5)
            assert len({i for i, _ in got}) == len(got)
            for (i, score), (j, _) in zip(got, expected, strict=True):
                assert i in exact and abs(exact[i] - score) < 1e-5, (gid, same, i)
                assert i == j or abs(exact[i] - exact[j]) < 1e-5, (gid, same, got, expected)


# -- import ---------------------------------------------------------------------------
def test_import_photo_stores_rows_and_files(wardrobe: Wardrobe, photos: Photos) -> None:
    (path,) = photos(1)
    result = wardrobe.import_photo(path)
    assert result.status == "imported" and result.kind == "outfit"
    assert [g.category for g in result.garments] == ["top", "bottom"]
    for g in result.garments:
        assert g.photo_id == result.photo_id
        for p in (g.cutout_path, g.thumbnail_path, g.mask_path, g.photo_path):
            assert p.is_absolute() and p.is_file()
            assert p.is_relative_to(wardrobe.home / "files")
        assert g.area > 0 and g.colours
        assert g.created_at.tzinfo is not None
    assert result.garments[0].photo_path.read_bytes() == path.read_bytes()
    assert wardrobe.count() == 2
    assert wardrobe.verify().ok


def test_duplicate_import_is_a_noop(wardrobe: Wardrobe, photos: Photos, tmp_path: Path) -> None:
    (path,) = photos(1)
    first = wardrobe.import_photo(path)
    before_files, before_rows = _files(wardrobe), _rows(wardrobe)
    copy = tmp_path / "elsewhere" / "same.jpg"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    for p in (path, copy):
        again = wardrobe.import_photo(p)
        assert again.status == "duplicate" and again.photo_id == first.photo_id
    assert wardrobe.find_duplicate(copy) == first.photo_id
    assert _files(wardrobe) == before_files and _rows(wardrobe) == before_rows
    report = wardrobe.import_paths([path, copy])
    assert [r.status for r in report.results] == ["duplicate", "duplicate"]


def test_import_paths_recursive_progress_and_cancel(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    photos(3, folder="in")
    photos(2, start=3, folder="in/sub/deeper")
    (tmp_path / "in" / "notes.txt").write_text("not a photo")
    (tmp_path / "in" / ".hidden").mkdir()
    make_photo(tmp_path / "in" / ".hidden" / "x.jpg", 99)
    calls: list[tuple[int, int, str]] = []
    report = wardrobe.import_paths(
        [tmp_path / "in"], progress=lambda d, t, p: calls.append((d, t, p.name))
    )
    assert len(report.imported) == 5 and not report.failed
    assert calls[0][:2] == (0, 5) and calls[-1][:2] == (5, 5)

    photos(4, start=10, folder="more")
    seen: list[int] = []
    report = wardrobe.import_paths(
        [tmp_path / "more"],
        progress=lambda d, t, p: seen.append(d),
        is_cancelled=lambda: len(seen) >= 2,
    )
    assert [r.status for r in report.results] == ["imported"] * 2 + ["cancelled"] * 2


def test_photo_without_garment_is_imported(wardrobe: Wardrobe, tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.new("RGB", (120, 90), (200, 200, 200)).save(path)
    result = wardrobe.import_photo(path)
    assert result.status == "imported" and result.garments == [] and result.message
    assert result.kind == "outfit"
    with wardrobe.store.session() as s:
        photo = s.get(Photo, result.photo_id)
        assert photo is not None and photo.kind == "outfit" and photo.message
    assert wardrobe.import_photo(path).status == "duplicate"
    assert wardrobe.verify().ok


def test_kind_choice_is_passed_and_recorded(wardrobe: Wardrobe, photos: Photos) -> None:
    (path,) = photos(1)
    result = wardrobe.import_photo(path, kind="item")
    assert result.kind == "item" and [g.category for g in result.garments] == ["one-piece"]


def test_save_analysis_keeps_selection_and_edits(wardrobe: Wardrobe, photos: Photos) -> None:
    (path,) = photos(1)
    analysis = wardrobe.analyse(path)
    assert wardrobe.count() == 0  # analyse saves nothing
    analysis.garments[1].category = "one-piece"
    result = wardrobe.save_analysis(analysis, keep=[1])
    assert [g.category for g in result.garments] == ["one-piece"]
    assert wardrobe.count() == 1
    assert wardrobe.save_analysis(analysis).status == "duplicate"
    assert wardrobe.verify().ok


def test_a_garment_left_out_at_review_is_not_drawn_on_a_kept_ones_page(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The top drawn down to the bottom and made a bottom at review, then left out: its
    mask is not stored, and its pixels of the photo's label map, one region with the
    bottom's, were drawn on the bottom's page."""
    from wardrobe_app.vision.label_map import of_garments
    from wardrobe_app.vision.merge import recategorise

    (path,) = photos(1)
    analysis = wardrobe.analyse(path)
    assert [g.category for g in analysis.garments] == ["top", "bottom"]
    top, bottom = analysis.garments
    reaching = mask_reaching(np.asarray(top.mask, bool), np.asarray(bottom.mask, bool))
    top.mask = reaching
    analysis.labels[reaching & (analysis.labels == 0)] = LABEL_OF_CATEGORY["top"]
    analysis = recategorise(analysis, 0, "bottom")
    (kept,) = wardrobe.save_analysis(analysis, keep=[1]).garments
    labels = wardrobe.photo_labels(kept.id)
    _, mask = wardrobe.garment_picture(kept.id)
    assert labels is not None and (labels[mask] == LABEL_OF_CATEGORY["bottom"]).all()
    assert not of_garments(labels, [mask])[reaching].any()  # as the bottom's page draws it
    assert wardrobe.verify().ok


def test_merged_garments_are_saved_as_one(wardrobe: Wardrobe, photos: Photos) -> None:
    (path,) = photos(1)
    analysis = wardrobe.analyse(path)
    parts = analysis.garments
    assert [g.category for g in parts] == ["top", "bottom"]
    merged = wardrobe.merge_garments(analysis, [0, 1], "one-piece")
    assert wardrobe.count() == 0  # merging saves nothing
    (dress,) = merged.garments
    assert dress.area == parts[0].area + parts[1].area
    result = wardrobe.save_analysis(merged)
    (record,) = wardrobe.list_garments()
    assert [g.category for g in result.garments] == [record.category] == ["one-piece"]
    assert record.area == dress.area
    assert record.fine_type == "fake one-piece"  # typed again as a one-piece
    mask = read_png(record.mask_path)
    assert int(np.count_nonzero(mask)) == dress.area
    assert set(_live_vectors(wardrobe)) == {record.id}  # embedded again, and stored
    assert wardrobe.verify().ok


def test_failed_save_leaves_nothing(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    (good, bad) = photos(2)
    wardrobe.import_photo(good)
    before_files, before_rows = _files(wardrobe), _rows(wardrobe)
    real = wardrobe.store.files.put_png
    calls = {"n": 0}

    def flaky(image: np.ndarray) -> tuple[str, bool]:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        return real(image)

    monkeypatch.setattr(wardrobe.store.files, "put_png", flaky)
    result = wardrobe.import_photo(bad)
    assert result.status == "failed" and "disk full" in (result.error or "")
    assert _files(wardrobe) == before_files and _rows(wardrobe) == before_rows
    assert wardrobe.verify().ok

    monkeypatch.undo()
    assert wardrobe.import_photo(bad).status == "imported"
    assert wardrobe.verify().ok


def test_failed_commit_leaves_nothing(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    (path,) = photos(1)
    analysis = wardrobe.analyse(path)
    analysis.garments[0].category = "shoes"  # type: ignore[assignment]
    with pytest.raises(ValueError):
        wardrobe.save_analysis(analysis)
    analysis.garments[0].category = "top"
    analysis.garments[0].box = (0, 0, None, 1)  # type: ignore[assignment]
    with pytest.raises(Exception):  # noqa: B017 - any DB error
        wardrobe.save_analysis(analysis)
    assert _rows(wardrobe) == (0, 0) and _files(wardrobe) == set()
    assert wardrobe.verify().ok


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        ("readonly", "not saved: the wardrobe's database is read-only"),
        ("locked", "not saved: the wardrobe is busy"),
        ("disk full", "not saved: the disk is full"),
    ],
)
def test_a_save_the_storage_refused_says_why_in_words(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch, failure: str, said: str
) -> None:
    # It used to be raw SQL ("OperationalError: (sqlite3.OperationalError) attempt to
    # write a readonly database [SQL: INSERT OR IGNORE INTO id_floor ...]") + a traceback.
    import errno
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from wardrobe_app.store import files as file_store

    def refuse(*args: object, **kwargs: object) -> object:
        if failure == "disk full":
            raise OSError(errno.ENOSPC, "No space left on device")
        message = {"readonly": "attempt to write a readonly database"}.get(failure, failure)
        raise OperationalError("INSERT", {}, sqlite3.OperationalError(message))

    target = "put_png" if failure == "disk full" else "next_id"
    owner = file_store.FileStore if failure == "disk full" else type(wardrobe.store)
    monkeypatch.setattr(owner, target, refuse)
    (path,) = photos(1)
    result = wardrobe.import_photo(path)
    assert result.status == "failed" and result.error == f"{path}: {said}" + (
        " (another program is writing to it)" if failure == "locked" else ""
    )
    assert _rows(wardrobe) == (0, 0) and _files(wardrobe) == set()


def test_a_duplicate_check_the_database_refuses_fails_that_photo_in_words(
    wardrobe: Wardrobe,
    photos: Photos,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A locked database while looking for the photo raised out of import_paths: the
    # CLI's whole import ended with a traceback, the photos before it unreported.
    import sqlite3

    from sqlalchemy.exc import OperationalError

    def locked(sha: str) -> int | None:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    files = photos(2)
    monkeypatch.setattr(wardrobe._importer, "_photo_by_sha", locked)
    report = wardrobe.import_paths(files)
    assert [(r.path, r.status) for r in report.results] == [(f, "failed") for f in files]
    assert report.results[0].error == (
        f"{files[0]}: not saved: the wardrobe is busy (another program is writing to it)"
    )

    def bug(sha: str) -> int | None:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such column: x"))

    monkeypatch.setattr(wardrobe._importer, "_photo_by_sha", bug)
    with caplog.at_level(logging.ERROR):  # a bug fails its photo, its traceback logged
        report = wardrobe.import_paths(files)
    assert [(r.path, r.status) for r in report.results] == [(f, "failed") for f in files]
    assert report.results[1].error == (  # its first line: the SQL is in the log
        f"{files[1]}: unexpected error: OperationalError: (sqlite3.OperationalError) "
        "no such column: x (see the log)"
    )
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.exc_info is not None for r in logged] == [True, True]


def test_a_bug_stops_the_import_and_leaves_what_was_saved_in_its_report(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bug raised out of import_paths with nothing of the photo saved before it, and
    # without the photo it hit: the GUI and the CLI could not say either.
    # (An error that stops the import, not one photo's: the models failing part-way;
    # one photo's, even a bug, is its failed result, see test_import_faults.py.)
    from wardrobe_app.types import ImportReport

    real = Importer._analyse_for_import
    files = photos(3)

    def buggy(self: Importer, path: Path, kind: KindChoice) -> object:
        if path == files[1]:
            raise RuntimeError("boom")
        return real(self, path, kind)

    monkeypatch.setattr(Importer, "_analyse_for_import", buggy)
    report = ImportReport()
    with pytest.raises(RuntimeError, match="boom") as raised:
        wardrobe.import_paths(files, into=report)
    assert raised.value.__notes__ == [f"while importing {files[1]}"]
    assert [(r.path, r.status) for r in report.results] == [
        (files[0], "imported"),
        (files[1], "failed"),
    ]
    assert report.results[1].error == f"{files[1]}: unexpected error: boom (see the log)"
    assert wardrobe.count() == 2  # the first photo's garments, saved


# -- browse & edit --------------------------------------------------------------------
def test_browse_filters_and_update(wardrobe: Wardrobe, photos: Photos) -> None:
    wardrobe.import_paths(photos(4))
    records = wardrobe.list_garments()
    assert len(records) == 8 == wardrobe.count()
    assert [r.id for r in records] == sorted((r.id for r in records), reverse=True)
    tops = wardrobe.list_garments(GarmentFilter(categories={"top"}))
    assert {r.category for r in tops} == {"top"} and len(tops) == 4

    colour = records[0].colours[0].name
    assert colour in wardrobe.colour_names()
    by_colour = wardrobe.list_garments(GarmentFilter(colours={colour}))
    assert by_colour and all(any(c.name == colour for c in r.colours) for r in by_colour)

    gid = records[0].id
    updated = wardrobe.update_garment(
        gid,
        name="Blue Shirt",
        tags=["work", " work ", "", "Summer"],
        notes="n",
        favourite=True,
        fine_type="shirt",
        category="one-piece",
    )
    assert updated.name == "Blue Shirt" and updated.tags == ["work", "Summer"]
    assert updated.category == "one-piece" and updated.fine_type == "shirt"
    assert updated.favourite and updated.updated_at >= updated.created_at
    assert wardrobe.fine_types() == ["shirt"]
    assert wardrobe.fine_types_by_category() == {"one-piece": ["shirt"]}
    assert [r.id for r in wardrobe.list_garments(GarmentFilter(favourites_only=True))] == [gid]
    assert [r.id for r in wardrobe.list_garments(GarmentFilter(text="summer blue"))] == [gid]
    assert [r.id for r in wardrobe.list_garments(GarmentFilter(fine_types={"shirt"}))] == [gid]
    with pytest.raises(ValueError):
        wardrobe.update_garment(gid, category="shoes")
    with pytest.raises(KeyError):
        wardrobe.update_garment(10_000, name="x")
    with pytest.raises(KeyError):
        wardrobe.garment(10_000)

    by_cat = wardrobe.list_garments(GarmentFilter(sort="category", descending=False))
    assert [r.category for r in by_cat] == sorted(r.category for r in by_cat)
    by_colour = wardrobe.list_garments(GarmentFilter(sort="colour"))
    assert len(by_colour) == 8
    # in the colour chips' order (the palette's), not alphabetical
    from wardrobe_app.vision.colours import PALETTE_NAMES

    ranks = [PALETTE_NAMES.index(r.colours[0].name) for r in by_colour if r.colours]
    assert ranks == sorted(ranks)


def test_worn_with_and_labels(wardrobe: Wardrobe, photos: Photos) -> None:
    result = wardrobe.import_photo(photos(1)[0])
    top, bottom = result.garments
    assert [g.id for g in wardrobe.worn_with(top.id)] == [bottom.id]
    labels = wardrobe.photo_labels(top.id)
    assert labels is not None and labels.dtype == np.uint8
    assert set(np.unique(labels)) == {0, 1, 2}


def test_export(wardrobe: Wardrobe, photos: Photos, tmp_path: Path) -> None:
    wardrobe.import_paths(photos(2))
    wardrobe.update_garment(1, name='Red, "quoted" top', tags=["a", "b"])
    result = wardrobe.export(tmp_path / "out")
    csv_path = result.csv_path
    assert result.garments == 4 and result.missing_cutouts == []
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["id"]) for r in rows] == [1, 2, 3, 4]
    assert rows[0]["name"] == 'Red, "quoted" top' and rows[0]["tags"] == "a;b"
    for r in rows:
        assert (csv_path.parent / r["cutout"]).is_file()

    # a cut-out file lost (a disk error, a hand-edited data folder): the rest still goes out
    wardrobe.garment(2).cutout_path.unlink()
    result = wardrobe.export(tmp_path / "again")
    assert result.garments == 4 and result.missing_cutouts == [2]
    with open(result.csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["id"]) for r in rows] == [1, 2, 3, 4] and rows[1]["cutout"] == ""
    assert len(list((tmp_path / "again" / "cutouts").iterdir())) == 3
    assert not list((tmp_path / "again").glob("*.part"))

    # exported again into the first folder after a delete: the deleted garment's cut-out
    # goes; files of the user's own stay, even named like ours; and the copy an earlier
    # export made of #2's (now lost) cut-out is kept, not swept as stale
    mine = ["notes.png", "20240101-beach.png", "00007-top.png"]
    for name in mine:
        (tmp_path / "out" / "cutouts" / name).write_bytes(b"mine")
    wardrobe.delete_garments([3])
    result = wardrobe.export(tmp_path / "out")
    names = sorted(p.name for p in (tmp_path / "out" / "cutouts").iterdir())
    assert result.garments == 3 and result.missing_cutouts == [2]
    assert set(mine) <= set(names) and len(names) == 3 + len(mine)
    assert not any(name.startswith("00003-") for name in names)
    with open(result.csv_path, newline="", encoding="utf-8") as fh:
        kept = {int(r["id"]): r["cutout"] for r in csv.DictReader(fh)}
    assert kept[2].startswith("cutouts/00002-") and (tmp_path / "out" / kept[2]).is_file()


def test_an_export_names_garments_as_the_window_does(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    # The name column was empty for every garment not renamed, while the window showed
    # "Light blue dress": the CSV, the cut-outs' names and the window now agree.
    wardrobe.import_paths(photos(1))
    wardrobe.update_garment(1, name="Linen shirt")
    result = wardrobe.export(tmp_path / "out")
    with open(result.csv_path, newline="", encoding="utf-8") as fh:
        rows = {int(r["id"]): r for r in csv.DictReader(fh)}
    unnamed = wardrobe.garment(2)
    assert not unnamed.name and rows[2]["name"] == display_name(unnamed) != ""
    assert rows[2]["named_by_user"] == "0"
    assert rows[1]["name"] == "Linen shirt" and rows[1]["named_by_user"] == "1"
    slug = display_name(unnamed).lower().replace(" ", "-")
    assert rows[2]["cutout"] == f"cutouts/00002-{unnamed.category}-{slug}.png"
    assert rows[1]["cutout"] == "cutouts/00001-top-linen-shirt.png"


def _as_exported_before_made_up_names(folder: Path) -> None:
    """``folder``'s export rewritten as one made before names were made up: its name
    column the user's name alone, no named_by_user column, and the cut-outs named after
    the user's name ("00002-bottom.png" where there is none)."""
    with open(folder / "wardrobe.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        user_name = row["name"] if row.pop("named_by_user") == "1" else ""
        row["name"] = user_name
        slug = user_name.lower().replace(" ", "-")
        parts = (f"{int(row['id']):05d}", row["category"], slug)
        old = "cutouts/" + "-".join(p for p in parts if p) + ".png"
        (folder / row["cutout"]).rename(folder / old)
        row["cutout"] = old
    with open(folder / "wardrobe.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_exporting_again_keeps_the_file_names_of_garments_not_renamed(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    # Exported again into an export made before names were made up, each garment not
    # renamed had its "00002-bottom.png" replaced by "00002-bottom-navy-bottom.png":
    # every file new to the program or sync reading the folder. A file follows a change
    # of its garment (a new name, another category), not one of how names are made.
    wardrobe.import_paths(photos(2))
    wardrobe.update_garment(1, name="Linen shirt")
    out = tmp_path / "out"
    wardrobe.export(out)
    _as_exported_before_made_up_names(out)
    before = sorted(p.name for p in (out / "cutouts").iterdir())
    assert "00002-bottom.png" in before and "00001-top-linen-shirt.png" in before
    wardrobe.update_garment(3, name="Red scarf")  # renamed since: its file follows
    result = wardrobe.export(out)
    after = sorted(p.name for p in (out / "cutouts").iterdir())
    renamed = [name for name in before if name.startswith("00003-")]
    assert after == sorted((set(before) - set(renamed)) | {"00003-top-red-scarf.png"})
    with open(result.csv_path, newline="", encoding="utf-8") as fh:
        rows = {int(r["id"]): r for r in csv.DictReader(fh)}
    assert sorted(r["cutout"].removeprefix("cutouts/") for r in rows.values()) == after
    assert rows[2]["name"] == display_name(wardrobe.garment(2)) and rows[2]["named_by_user"] == "0"
    wardrobe.export(out)  # and again: as it is now
    assert sorted(p.name for p in (out / "cutouts").iterdir()) == after
    # Its name made up otherwise (another type), or its category changed: renamed.
    wardrobe.update_garment(2, fine_type="Skirt")
    wardrobe.update_garment(4, category="one-piece")
    wardrobe.export(out)
    names = {p.name for p in (out / "cutouts").iterdir()}
    skirt = display_name(wardrobe.garment(2)).lower().replace(" ", "-")
    assert "00002-bottom.png" not in names and f"00002-bottom-{skirt}.png" in names
    assert not any(name.startswith("00004-bottom") for name in names)
    assert any(name.startswith("00004-one-piece-") for name in names)


def test_an_export_tells_how_far_it_is(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 40,000 cut-outs copied with "Exporting…" alone said for minutes: it looked stuck.
    monkeypatch.setattr(export, "PROGRESS_EVERY", 2)
    wardrobe.import_paths(photos(3))
    told: list[tuple[int, int]] = []
    result = wardrobe.export(tmp_path / "out", progress=lambda *at: told.append(at))
    assert result.garments == 6
    assert told == [(0, 6), (2, 6), (4, 6), (6, 6)]


def test_export_keeps_a_damaged_cut_out_out_and_an_earlier_good_copy(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    """A stored cut-out cut short was copied out as it was, over the good copy an earlier
    export had made, and the export said nothing."""
    wardrobe.import_paths(photos(2))
    first = wardrobe.export(tmp_path / "out")
    with open(first.csv_path, newline="", encoding="utf-8") as fh:
        exported = {int(r["id"]): tmp_path / "out" / r["cutout"] for r in csv.DictReader(fh)}
    good = exported[2].read_bytes()
    stored = wardrobe.garment(2).cutout_path
    stored.write_bytes(stored.read_bytes()[:100])
    result = wardrobe.export(tmp_path / "out")
    assert result.garments == 4 and result.missing_cutouts == [2]
    assert exported[2].read_bytes() == good
    result = wardrobe.export(tmp_path / "new")
    assert result.missing_cutouts == [2]
    assert not list((tmp_path / "new" / "cutouts").glob("00002-*"))


@pytest.mark.parametrize("theirs", ["wardrobe.csv", "cutouts/holiday.png"])
def test_export_refuses_to_overwrite_files_no_export_wrote(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, theirs: str
) -> None:
    wardrobe.import_paths(photos(1))
    target = tmp_path / "mine"
    (target / theirs).parent.mkdir(parents=True)
    (target / theirs).write_text("rent,1000\n")
    with pytest.raises(FileExistsError, match="choose an empty folder") as refused:
        wardrobe.export(target)
    assert refused.value.filename == str(target / theirs.split("/")[0])
    assert (target / theirs).read_text() == "rent,1000\n"
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == sorted(
        {theirs, *(["cutouts"] if "/" in theirs else [])}
    )


@pytest.mark.parametrize("inside", [".", "exports/today", "files", "index"])
def test_an_export_into_the_wardrobe_s_own_folder_is_refused(
    wardrobe: Wardrobe, photos: Photos, inside: str
) -> None:
    # It was written there: wardrobe.csv and cutouts/ among the database and the stored
    # files, left out of the wardrobe's backups (they copy what the database references).
    wardrobe.import_paths(photos(1))
    before = sorted(wardrobe.store.home.rglob("*"))
    target = wardrobe.store.home / inside
    with pytest.raises(OSError, match=f"of the wardrobe in {wardrobe.store.home}: choose a"):
        wardrobe.export(target)
    assert sorted(wardrobe.store.home.rglob("*")) == before
    assert wardrobe.verify().ok


@pytest.mark.parametrize("inside", [".", "exports/today", "files/export", "index"])
def test_an_export_into_another_wardrobe_s_data_folder_is_refused(
    make_wardrobe: MakeWardrobe, photos: Photos, tmp_path: Path, inside: str
) -> None:
    # Refused in its files/ only: the other wardrobe's own folder and its index/ took
    # wardrobe.csv and cutouts/, files its verify finds no garment using (and, in a
    # backup, cut-outs taken for stored files). The rule --data-dir and backup follow.
    other = Wardrobe(tmp_path / "other", FakeAnalyser(), background_index=False)
    other.import_paths(photos(1, folder="theirs"))
    other.close()
    before = sorted((tmp_path / "other").rglob("*"))
    target = tmp_path / "other" / inside
    mine = make_wardrobe()
    mine.import_paths(photos(1, start=1))
    with pytest.raises(OSError, match=f"of the wardrobe in {tmp_path / 'other'}: choose a") as no:
        mine.export(target)
    assert no.value.filename == str(target) and no.value.errno == errno.EINVAL
    assert sorted((tmp_path / "other").rglob("*")) == before
    # beside the other wardrobe, not in it: an export like any other
    assert mine.export(tmp_path / "other-export").garments == 2


def test_an_export_into_a_folder_with_a_file_named_cutouts_says_so(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    # It said "D/cutouts: File exists", and not what to do.
    wardrobe.import_paths(photos(1))
    target = tmp_path / "mine"
    target.mkdir()
    (target / "cutouts").write_text("my notes")
    with pytest.raises(FileExistsError, match="is a file, not the folder of cut-outs") as refused:
        wardrobe.export(target)
    assert refused.value.filename == str(target / "cutouts")
    assert [p.name for p in target.iterdir()] == ["cutouts"]
    assert (target / "cutouts").read_text() == "my notes"


def _copy_once_then(monkeypatch: pytest.MonkeyPatch, failure: BaseException) -> list[str]:
    """File copies that raise ``failure`` after the first; the list of what was copied."""
    copy = shutil.copyfile
    copied: list[str] = []

    def copy_once_then_fail(src: Path, dst: Path) -> Path:
        if copied:
            raise failure
        copied.append(str(dst))
        return copy(src, dst)

    monkeypatch.setattr(shutil, "copyfile", copy_once_then_fail)
    return copied


def test_an_export_stopped_part_way_can_be_run_again(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wardrobe.import_paths(photos(2))
    copy = shutil.copyfile
    copied = _copy_once_then(monkeypatch, OSError(28, "No space left on device"))
    with pytest.raises(OSError, match="No space left"):
        wardrobe.export(tmp_path / "out")
    left = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*"))
    first = Path(copied[0]).name.removesuffix(".part")  # copied under a temporary name
    assert left == ["cutouts", f"cutouts/{first}"]  # no wardrobe.csv.part
    monkeypatch.setattr(shutil, "copyfile", copy)
    result = wardrobe.export(tmp_path / "out")  # its own cut-outs: not refused
    assert result.garments == 4 and len(list((tmp_path / "out" / "cutouts").iterdir())) == 4


def test_an_export_killed_before_its_csv_and_run_again_leaves_nothing_unlisted(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its wardrobe.csv.part (a kill runs no clean-up) lists what it wrote: a cut-out of a
    # garment deleted before the next export is taken away, not left unlisted.
    import contextlib

    wardrobe.import_paths(photos(2))
    copy = shutil.copyfile
    copied = _copy_once_then(monkeypatch, KeyboardInterrupt())  # stands in for a kill
    removed_on_error = export._removed_on_error
    monkeypatch.setattr(export, "_removed_on_error", lambda path: contextlib.nullcontext())
    with pytest.raises(KeyboardInterrupt):
        wardrobe.export(tmp_path / "out")
    monkeypatch.setattr(shutil, "copyfile", copy)
    monkeypatch.setattr(export, "_removed_on_error", removed_on_error)
    assert (tmp_path / "out" / "wardrobe.csv.part").is_file()
    first = Path(copied[0]).name.removesuffix(".part")
    deleted = wardrobe.list_garments(GarmentFilter(descending=False))[0].id
    assert first.startswith(f"{deleted:05d}-")
    wardrobe.delete_garments([deleted])
    result = wardrobe.export(tmp_path / "out")
    names = sorted(p.name for p in (tmp_path / "out" / "cutouts").iterdir())
    assert result.garments == 3 and len(names) == 3 and first not in names
    assert not (tmp_path / "out" / "wardrobe.csv.part").exists()


def test_cut_outs_beside_no_csv_are_not_removed(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    # Without the CSV that lists them, they may be another export's (its CSV moved away).
    wardrobe.import_paths(photos(2))
    out = tmp_path / "out"
    wardrobe.export(out)
    (out / "wardrobe.csv").rename(tmp_path / "kept-elsewhere.csv")
    deleted = wardrobe.list_garments()[0].id
    wardrobe.delete_garments([deleted])
    wardrobe.export(out)
    assert any(p.name.startswith(f"{deleted:05d}-") for p in (out / "cutouts").iterdir())


def test_an_export_stopped_mid_copy_leaves_the_earlier_export_whole(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Copying straight to the final name left a truncated cut-out in place of a good one.
    wardrobe.import_paths(photos(2))
    out = tmp_path / "out"
    wardrobe.export(out)
    before = {p.name: p.read_bytes() for p in (out / "cutouts").iterdir()}
    copy = shutil.copyfile

    def half_then_killed(src: Path, dst: Path) -> Path:
        Path(dst).write_bytes(Path(src).read_bytes()[:100])
        raise KeyboardInterrupt  # stands in for the process dying mid-copy

    monkeypatch.setattr(shutil, "copyfile", half_then_killed)
    with pytest.raises(KeyboardInterrupt):
        wardrobe.export(out)
    assert {p.name: p.read_bytes() for p in (out / "cutouts").iterdir()} == before
    # a kill leaves the temporary copy: the next export takes it away
    (out / "cutouts" / (next(iter(before)) + ".part")).write_bytes(b"half")
    monkeypatch.setattr(shutil, "copyfile", copy)
    wardrobe.export(out)
    assert {p.name: p.read_bytes() for p in (out / "cutouts").iterdir()} == before


def test_importing_a_folder_skips_the_cut_outs_of_an_export_in_it(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    files = photos(2)
    wardrobe.import_paths(files)
    folder = files[0].parent
    wardrobe.export(folder / "wardrobe-export")
    assert (folder / "wardrobe-export" / "cutouts").is_dir()
    assert wardrobe.expand_paths([folder]) == sorted(files)


def test_importing_a_folder_skips_the_stored_files_of_a_wardrobe_in_it(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    # A backup imported (to restore it) filed its every photo, cut-out, mask, label map
    # and thumbnail as a new photo: 3 photos came back as 18, with 34 garments.
    files = photos(2)
    wardrobe.import_paths(files)
    folder = files[0].parent
    wardrobe.backup(folder / "backup")
    found: list[Path] = []
    assert wardrobe.expand_paths([folder]) == sorted(files)
    assert expand_paths(wardrobe.home, [folder / "backup"], skipped_wardrobes=found) == []
    assert expand_paths(wardrobe.home, [folder / "backup" / "files"], skipped_wardrobes=found) == []
    assert expand_paths(wardrobe.home, [wardrobe.home], skipped_wardrobes=found) == []
    assert found == [(folder / "backup").resolve()] * 2 + [wardrobe.home.resolve()]
    # Found by walking a linked folder, a backup is named as it is when given itself
    # (it was named twice, by the link's path and by its own).
    (tmp_path / "link").symlink_to(folder, target_is_directory=True)
    linked: list[Path] = []
    through_the_link = sorted(tmp_path / "link" / f.name for f in files)
    assert expand_paths(wardrobe.home, [tmp_path / "link"], skipped_wardrobes=linked) == (
        through_the_link
    )
    assert linked == [(folder / "backup").resolve()]


# -- delete / undo / purge ------------------------------------------------------------
def test_delete_undo_and_purge_at_next_start(make_wardrobe: MakeWardrobe, photos: Photos) -> None:
    w = make_wardrobe()
    results = w.import_paths(photos(5)).imported
    doomed = [g.id for g in results[0].garments]  # a whole photo's garments
    one = results[1].garments[0].id
    assert w.delete_garments([*doomed, one, 999]) == sorted([*doomed, one])
    assert w.count() == 7
    for hits in w.similar_many([g.id for g in w.list_garments()], 20, False).values():
        assert not {h.garment.id for h in hits} & {*doomed, one}
    with pytest.raises(KeyError):
        w.similar(one)
    w.undo_delete([one])
    assert w.count() == 8
    assert one in {h.garment.id for h in w.similar(results[1].garments[1].id, 20, False)}
    assert_matches_brute_force(w)
    # cut-outs, thumbnails and the photo are unique to the purged photo; its masks and
    # label map are shared with the others (same geometry: same bytes, same file)
    gone = {str(g.cutout_path.relative_to(w.home)) for g in results[0].garments}
    gone |= {str(g.thumbnail_path.relative_to(w.home)) for g in results[0].garments}
    gone.add(str(results[0].garments[0].photo_path.relative_to(w.home)))
    shared = {str(g.mask_path.relative_to(w.home)) for g in results[0].garments}
    w.close()

    w2 = make_wardrobe()
    assert w2.store.cleanup_report.purged_garments == 2
    assert w2.store.cleanup_report.purged_photos == 1
    assert w2.count() == 8 and _rows(w2) == (4, 8)
    w2.undo_delete(doomed)  # nothing left to restore
    assert w2.count() == 8
    assert not gone & _files(w2) and shared <= _files(w2)
    assert w2.verify().ok
    assert_matches_brute_force(w2)
    # the purged photo can be imported again
    assert w2.import_photo(results[0].path).status == "imported"


def test_ids_of_purged_garments_are_never_given_again(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    w = make_wardrobe()
    files = photos(3)
    last = w.import_paths(files[:2]).imported[-1]  # photo 2, garments 3 and 4: the highest
    assert last.photo_id == 2 and [g.id for g in last.garments] == [3, 4]
    w.delete_garments([3, 4])
    w.close()
    w2 = make_wardrobe()  # purged at start: SQLite alone would hand out 2, 3 and 4 again
    assert w2.store.cleanup_report.purged_photos == 1 and _rows(w2) == (1, 2)
    again = w2.import_photo(files[2])
    assert again.photo_id == 3 and [g.id for g in again.garments] == [5, 6]
    assert w2.verify().ok


# -- similar --------------------------------------------------------------------------
def test_similar_matches_exact_search_after_edits_and_restart(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    w = make_wardrobe()
    assert w.similar_many([], 5) == {}
    w.import_paths(photos(6))
    assert_matches_brute_force(w)
    w.import_paths(photos(4, start=6))
    assert_matches_brute_force(w)
    w.delete_garments([1, 4, 7])
    assert_matches_brute_force(w)
    w.close()
    w = make_wardrobe()
    assert_matches_brute_force(w)
    w.import_paths(photos(2, start=20))
    assert_matches_brute_force(w)


def test_similar_with_background_index(make_wardrobe: MakeWardrobe, photos: Photos) -> None:
    w = make_wardrobe(background_index=True)
    w.import_paths(photos(5))
    assert_matches_brute_force(w)
    w.delete_garments([2])
    assert_matches_brute_force(w)
    w.close()
    w = make_wardrobe(background_index=True)
    assert_matches_brute_force(w)


def test_similar_hits_exclude_query_and_respect_category(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    wardrobe.import_paths(photos(5))
    for hit_list in wardrobe.similar_many([1, 2], k=3).values():
        assert len(hit_list) == 3
    hits = wardrobe.similar(1, k=10)
    assert 1 not in {h.garment.id for h in hits}
    assert {h.garment.category for h in hits} == {"top"} and len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    any_cat = wardrobe.similar(1, k=10, same_category=False)
    assert len(any_cat) == 9
    # a floor drops the weak matches, and only those, in the same order
    floor = (any_cat[3].score + any_cat[4].score) / 2
    kept = wardrobe.similar(1, k=10, same_category=False, min_score=floor)
    assert [h.garment.id for h in kept] == [h.garment.id for h in any_cat[:4]]
    with pytest.raises(KeyError):
        wardrobe.similar(12345)


def _scripted_wardrobe(
    make_wardrobe: MakeWardrobe, photos: Photos, cosines: list[float]
) -> Wardrobe:
    """Garment 1 and one more per cosine, each scoring it with garment 1 (items, one
    garment a photo, imported one by one so that the vectors go in that order)."""
    w = make_wardrobe(ScriptedEmbedder(cosines))
    for path in photos(len(cosines) + 1):
        assert w.import_photo(path, kind="item").status == "imported"
    return w


def test_nothing_alike_gives_the_closest_few_apart(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    # A grey shirt among 10 tops, none scoring the floor: the page said "Nothing
    # similar". The nearest under the floor come apart, the alike list stays empty.
    under = [SIMILAR_FLOOR - 0.05, SIMILAR_FLOOR - 0.1, -0.3, SIMILAR_FLOOR - 0.02, 0.0]
    w = _scripted_wardrobe(make_wardrobe, photos, under)
    items = w.similar_items_many([1], k=12)[1]
    assert items.alike == []
    assert [h.garment.id for h in items.less_alike] == [5, 2, 3, 6, 4]
    assert [round(h.score, 4) for h in items.less_alike] == sorted(
        (round(c, 4) for c in under), reverse=True
    )
    shown = closest_shown(items)
    assert [h.garment.id for h in shown] == [5, 2, 3][:CLOSEST_SHOWN]
    # the floor's list as before: nothing at or above it
    assert w.similar(1, k=12, min_score=SIMILAR_FLOOR) == []


def test_one_alike_keeps_the_less_alike_out_of_sight(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    w = _scripted_wardrobe(make_wardrobe, photos, [SIMILAR_FLOOR - 0.05, SIMILAR_FLOOR + 0.3, 0.0])
    items = w.similar_items_many([1], k=12)[1]
    assert [h.garment.id for h in items.alike] == [3]
    assert [h.garment.id for h in items.less_alike] == [2, 4]
    assert closest_shown(items) == []  # the main list keeps the floor's meaning
    # the k nearest in all, as similar_many gives them
    assert len(w.similar_items_many([1], k=2)[1].less_alike) == 1


def test_similar_to_photo_saves_nothing(wardrobe: Wardrobe, photos: Photos) -> None:
    wardrobe.import_paths(photos(4))
    before_files, before_rows = _files(wardrobe), _rows(wardrobe)
    (query,) = photos(1, start=50)
    analysis, results = wardrobe.similar_to_photo(query, k=3)
    assert [g.category for g in analysis.garments] == ["top", "bottom"]
    assert [len(r) for r in results] == [3, 3]
    for g, hits in zip(analysis.garments, results, strict=True):
        assert {h.garment.category for h in hits} == {g.category}
    # a stored photo finds its own garments first, with score 1
    analysis, results = wardrobe.similar_to_photo(photos(1)[0], k=1)
    assert [r[0].garment.id for r in results] == [1, 2]
    assert results[0][0].score == pytest.approx(1.0, abs=1e-5)
    assert _files(wardrobe) == before_files and _rows(wardrobe) == before_rows


def test_new_embedder_version_reembeds(make_wardrobe: MakeWardrobe, photos: Photos) -> None:
    w = make_wardrobe()
    w.import_paths(photos(5))
    w.delete_garments([3])
    w.close()

    new = FakeAnalyser(version="fake-2", permute=True)
    w = make_wardrobe(analyser=new)
    assert new.embedded == 0  # lazily, when the analyser is first used
    assert w.analyser is new
    assert new.embedded == 9  # the deleted garment went at start-up
    with w.store.session() as s:
        assert set(s.scalars(select(Garment.vector_version))) == {"fake-2"}
    assert_matches_brute_force(w)
    assert w.reindex() == service.ReindexResult(9, []) and new.embedded == 18
    assert_matches_brute_force(w)


def test_reindex_keeps_a_good_vector_whose_cut_out_file_is_lost(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    w = make_wardrobe()
    w.import_paths(photos(3))
    before = w.similar(2, k=3)
    w.garment(2).cutout_path.unlink()
    assert w.reindex() == service.ReindexResult(5, [2])  # the other five re-embedded
    assert [h.garment.id for h in w.similar(2, k=3)] == [h.garment.id for h in before]
    assert 2 in {h.garment.id for h in w.similar(4, k=3) + w.similar(6, k=3)}
    w.close()
    # with a new embedder, the old space's vector cannot stay: none, until it is readable
    new = FakeAnalyser(version="fake-2", permute=True)
    w = make_wardrobe(analyser=new)
    w.analyser  # noqa: B018 - loading it re-embeds stale vectors
    assert w.similar(2, k=3) == []


def test_reindex_skips_a_cut_out_emptied_by_a_full_disk(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    # A cut-out of 0 bytes raised cv2.error from its decoding, not the OSError a damaged
    # one raises: the reindex stopped with a traceback, the garments after it not done.
    w = make_wardrobe()
    w.import_paths(photos(3))
    w.garment(2).cutout_path.write_bytes(b"")
    assert w.reindex() == service.ReindexResult(5, [2])


def test_similar_loads_analyser_only_when_vectors_are_stale(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_wardrobe()
    w.import_paths(photos(3))
    w.close()
    made: list[FakeAnalyser] = []

    def factory() -> FakeAnalyser:
        made.append(FakeAnalyser())
        return made[-1]

    monkeypatch.setattr(service, "ANALYSER_FACTORY", factory)
    w = Wardrobe(w.home, background_index=False)
    try:
        assert not w.analyser_loaded()
        assert len(w.similar(1, 5)) == 2
        assert not w.analyser_loaded() and not made  # stored vectors suffice
        w.import_photo(photos(1, start=9)[0])
        assert w.analyser_loaded() and len(made) == 1
    finally:
        w.close()


def test_env_var_analyser_hook(home: Path, photos: Photos, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(service.ENV_ANALYSER, "fakes:make_fake")
    with Wardrobe(background_index=False) as w:  # home from WARDROBE_HOME
        assert w.home == home
        assert isinstance(w.analyser, FakeAnalyser)
        assert w.import_photo(photos(1)[0]).status == "imported"


def test_empty_wardrobe(wardrobe: Wardrobe, photos: Photos, tmp_path: Path) -> None:
    assert wardrobe.count() == 0 and wardrobe.list_garments() == []
    assert wardrobe.colour_names() == [] and wardrobe.fine_types() == []
    assert wardrobe.similar_many([], 3) == {}
    analysis, results = wardrobe.similar_to_photo(photos(1)[0])
    assert len(analysis.garments) == 2 and results == [[], []]
    assert wardrobe.reindex() == service.ReindexResult(0, [])
    assert wardrobe.export(tmp_path / "out").csv_path.read_text().startswith("id,")
    assert wardrobe.stats() == {"photos": 0, "garments": 0, "top": 0, "bottom": 0, "one-piece": 0}


def test_the_same_photo_saved_by_two_wardrobes_at_once_is_a_duplicate(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app and the CLI on one data folder: both pass the duplicate check before
    # either commits. The loser used to report a FAILED import with a raw SQL message.
    import threading
    import time

    from wardrobe_app.store import files as file_store

    put_png = file_store.FileStore.put_png

    def slow_put_png(self: file_store.FileStore, image: np.ndarray) -> tuple[str, bool]:
        time.sleep(0.2)  # widens the window between the check and the commit
        return put_png(self, image)

    monkeypatch.setattr(file_store.FileStore, "put_png", slow_put_png)
    first, second = make_wardrobe(), make_wardrobe()
    (photo,) = photos(1)
    results = {}
    threads = [
        threading.Thread(target=lambda w=w, n=n: results.__setitem__(n, w.import_photo(photo)))
        for n, w in (("first", first), ("second", second))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in results.values())
    assert statuses == ["duplicate", "imported"], [r.error for r in results.values()]
    winner = next(r for r in results.values() if r.status == "imported")
    loser = next(r for r in results.values() if r.status == "duplicate")
    assert loser.photo_id == winner.photo_id
    assert first.verify().ok and first.count() == 2


def test_an_export_removes_only_files_an_export_names(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    # A row edited by hand in wardrobe.csv named a file of the user's, which the next
    # export deleted as a cut-out of a garment gone since; "cutouts/.." crashed it.
    wardrobe.import_paths(photos(1))
    out = tmp_path / "out"
    wardrobe.export(out)
    holiday = out / "cutouts" / "holiday.jpg"
    holiday.write_bytes(b"a photo of mine")
    with (out / "wardrobe.csv").open("a", newline="") as fh:
        fh.write("99,1,top,,,,,,,0,1,0 0 1 1,2026-01-01,cutouts/holiday.jpg,\n")
        fh.write("98,1,top,,,,,,,0,1,0 0 1 1,2026-01-01,cutouts/..,\n")
    wardrobe.export(out)
    assert holiday.read_bytes() == b"a photo of mine"


class _FindsNothingWhenGuessing(FakeAnalyser):
    """Finds nothing when it chooses the kind itself (a flat-lay read as worn)."""

    def analyse(self, path: Path, kind: KindChoice = "auto") -> PhotoAnalysis:
        import dataclasses

        found = super().analyse(path, kind)
        if kind == "auto":
            return dataclasses.replace(found, garments=[], message="no garment found")
        return found


def test_a_photo_in_which_nothing_was_found_can_be_imported_as_the_other_kind(
    tmp_path: Path,
) -> None:
    """It stayed a duplicate, also after a restart: `import --kind item` answered
    "already imported" for a photo the wardrobe had no garment of."""
    photo = make_photo(tmp_path / "flat-lay.jpg", 3)
    with Wardrobe(tmp_path / "home", _FindsNothingWhenGuessing()) as w:
        first = w.import_photo(photo)
        assert first.status == "imported" and not first.garments
        assert w.import_photo(photo).status == "duplicate"  # the same reading: skipped
        assert w.import_photo(photo, kind="outfit").status == "duplicate"  # (its kind)
        again = w.import_photo(photo, kind="item")
        assert again.status == "imported" and [g.category for g in again.garments] == ["one-piece"]
        assert w.import_photo(photo, kind="outfit").status == "duplicate"  # has garments now
        assert w.stats()["photos"] == 1 and w.verify().ok
    with Wardrobe(tmp_path / "home", _FindsNothingWhenGuessing()) as w:
        assert w.count() == 1 and w.store.cleanup_report.removed_files == 0


def test_a_photo_read_again_under_another_suffix_leaves_no_stray_file(tmp_path: Path) -> None:
    """The replaced row's photo file, stored as .jpeg, stayed beside the new .jpg one:
    a file no garment uses, and `verify` said the wardrobe had problems."""
    import shutil

    photo = make_photo(tmp_path / "flat-lay.jpeg", 3)
    same = shutil.copyfile(photo, tmp_path / "flat-lay.jpg")
    with Wardrobe(tmp_path / "home", _FindsNothingWhenGuessing()) as w:
        assert not w.import_photo(photo).garments
        assert w.import_photo(same, kind="item").status == "imported"
        report = w.verify()
        assert report.ok, report


def test_models_that_cannot_load_stop_an_import_once_not_every_photo(
    home: Path, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each photo tried to load them again and was listed as failed with the same words;
    # the error is the installation's, and a batch of duplicates still needs no model.
    from wardrobe_app.vision.model_folder import ModelFolderError

    tries: list[int] = []

    def damaged() -> FakeAnalyser:
        tries.append(1)
        raise ModelFolderError("model folder /models/segmenter does not exist")

    files = photos(3)
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.import_paths(files[:1])
    monkeypatch.setattr(service, "ANALYSER_FACTORY", damaged)
    with Wardrobe(home, background_index=False) as w:
        assert len(w.import_paths(files[:1]).duplicates) == 1 and not tries
        with pytest.raises(ModelFolderError, match="does not exist"):
            w.import_paths(files)
        assert len(tries) == 1 and w.count() == 2  # the first photo's garments, no more


def test_a_closed_wardrobe_writes_nothing(
    make_wardrobe: Callable[..., Wardrobe], photos: Photos
) -> None:
    """A job that outlived the window (a model load finishing after close) went on
    writing, through a new connection, after the home's lock was released."""
    from fakes import FakeAnalyser

    from wardrobe_app.store import StoreClosed

    wardrobe = make_wardrobe()
    wardrobe.import_paths(photos(1))
    _, mask = wardrobe.garment_picture(1)
    stored = sorted(wardrobe.store.files.all_files())
    wardrobe.close()
    with pytest.raises(StoreClosed, match="was closed"):
        wardrobe.update_garment(1, name="after close")
    files = wardrobe.store.files
    written: list[str] = []
    real_commit = files._commit
    files._commit = lambda tmp, fd, rel: written.append(rel) or real_commit(tmp, fd, rel)  # type: ignore[method-assign]
    with pytest.raises(StoreClosed):  # its files were written, then deleted again
        wardrobe.set_garment_mask(1, ~mask)
    assert written == [] and sorted(files.all_files()) == stored and not files.temp_files()
    # a new embedder would re-embed every garment: not once the wardrobe is closed
    late = make_wardrobe(FakeAnalyser(version="fake-2"))
    late.close()
    with pytest.raises(StoreClosed):
        late.analyser  # noqa: B018
    with make_wardrobe() as again:
        assert again.garment(1).name == ""
        assert {g.id for g in again.list_garments()} == {1, 2}
