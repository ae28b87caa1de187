"""Stored files named by their content, shared by two programs on one data folder (the
app beside ``wardrobe-cli import``): one's save finds a file there, or writes it, while
the other removes the same file as its own save's leftover (``discard_files``). Neither
may leave a row naming a file that is gone."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from fakes import top_and_bottom

from wardrobe_app import paths
from wardrobe_app.service import Wardrobe
from wardrobe_app.services.stored_files import discard_files
from wardrobe_app.store import Garment, Photo, Store, sha256_file

MakeWardrobe = Callable[..., Wardrobe]
Photos = Callable[..., list[Path]]


def _discard_before_commit(
    writer: Store, discard: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> list[bool]:
    """``discard`` run once, as another program, when ``writer`` next opens a write
    transaction: after its save stored its files, before the transaction that names
    them. The list returned holds True once it ran."""
    ran: list[bool] = []
    session = writer.write_session

    @contextlib.contextmanager
    def after_discard() -> Iterator[object]:
        if not ran:
            ran.append(True)
            discard()
        with session() as s:
            yield s

    monkeypatch.setattr(writer, "write_session", after_discard)
    return ran


def test_a_photo_found_stored_then_removed_by_the_other_program_is_stored_again(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's import of a photo stored its copy and failed; the CLI imports the same
    photo, finds the copy stored and does not write it, and the app removes its failed
    save's files (the copy, and those of the same analysis: the same bytes) before the
    CLI commits. The CLI's rows named files no longer there: a photo that would not
    open, a garment without its cut-out."""
    app, cli = make_wardrobe(), make_wardrobe()
    photo = photos(1)[0]
    copy, new = app.store.files.put_file(photo, sha256_file(photo), ".jpg")
    assert new
    ran = _discard_before_commit(
        cli.store, lambda: discard_files(app.store, app.store.files.all_files()), monkeypatch
    )
    result = cli.import_photo(photo)
    assert ran and result.status == "imported", result
    with cli.store.session() as s:
        stored = s.get(Photo, result.photo_id)
        assert stored is not None and stored.file_path == copy
    report = cli.verify()
    assert report.missing_files == [] and report.ok, report


def test_a_touch_up_s_files_removed_by_the_other_program_before_its_commit_are_stored_again(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same mask drawn in both programs: the app's save failed and removes its files
    as the CLI's save, which wrote the same ones, is about to commit."""
    app, cli = make_wardrobe(), make_wardrobe()
    cli.import_paths(photos(1))
    top, _ = top_and_bottom(cli)
    _, mask = cli.garment_picture(top)
    drawn = mask.copy()
    drawn[: np.nonzero(mask)[0].min() + 10] = False
    used = set(cli.store.files.all_files())
    ran = _discard_before_commit(
        cli.store,
        lambda: discard_files(app.store, sorted(set(app.store.files.all_files()) - used)),
        monkeypatch,
    )
    cli.set_garment_mask(top, drawn)
    assert ran
    assert np.array_equal(cli.garment_picture(top)[1], drawn)
    report = cli.verify()
    assert report.missing_files == [] and report.ok, report


def test_no_other_program_commits_between_a_discard_s_look_and_its_removal(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's discard reads that no row names a thumbnail its failed save wrote; the
    CLI, whose save stored the same thumbnail, then commits its row naming it; the app
    removes it. The look and the removal are one step under the database's write lock:
    the CLI's commit waits for it (here: refused at once), and its save then finds the
    file gone under that lock (see the tests above)."""
    app = make_wardrobe()
    app.import_paths(photos(1))
    garment = app.list_garments()[0].id
    thumbnail, new = app.store.files.put_png(np.full((8, 8, 3), 77, np.uint8))
    assert new
    looked = app.store.files_in_use
    commits: list[str] = []

    def look_then_other_program_commits(session: object, rels: object) -> set[str]:
        used = looked(session, rels)  # type: ignore[arg-type]
        other = sqlite3.connect(paths.database_path(app.store.home), timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "UPDATE garments SET thumbnail_path = ? WHERE id = ?", (thumbnail, garment)
            )
            other.commit()
            commits.append("committed")
        except sqlite3.OperationalError as exc:
            commits.append(str(exc))
        finally:
            other.close()
        return used

    monkeypatch.setattr(app.store, "files_in_use", look_then_other_program_commits)
    discard_files(app.store, [thumbnail])
    assert commits == ["database is locked"]
    with app.store.session() as s:
        row = s.get(Garment, garment)
        assert row is not None and row.thumbnail_path != thumbnail
    assert not app.store.files.abspath(thumbnail).exists()
    assert app.verify().ok


def test_a_category_change_s_map_removed_by_the_other_program_before_its_commit_is_stored_again(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same change of category made in both programs: the CLI's failed and removes
    its map (the same bytes) after the app's drawing stored it, before the app commits.
    The app looks for the file in its commit's transaction (``Edits._save``)."""
    app, cli = make_wardrobe(), make_wardrobe()
    app.import_paths(photos(1))
    top, _ = top_and_bottom(app)
    used = set(app.store.files.all_files())
    ran = _discard_before_commit(
        app.store,
        lambda: discard_files(cli.store, sorted(set(cli.store.files.all_files()) - used)),
        monkeypatch,
    )
    assert app.update_garment(top, category="one-piece").category == "one-piece"
    assert ran
    report = app.verify()
    assert report.missing_files == [] and report.ok, report
