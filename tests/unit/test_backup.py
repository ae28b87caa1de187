"""A backup is a complete data folder of its own, or nothing at all."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fakes import top_and_bottom, top_over_waist, top_reaching_bottom
from sqlalchemy.exc import OperationalError

from wardrobe_app.service import Wardrobe
from wardrobe_app.store import backup as backup_module
from wardrobe_app.store.backup import BackupCancelled, BackupError

Photos = Callable[..., list[Path]]


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".partial")]


def _open_files() -> list[str]:
    """What this process's descriptors are open on (Linux)."""
    names = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the listing's own, closed by now
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
    return names


def _top_row_erased(wardrobe: Wardrobe) -> np.ndarray:
    """Garment 1's mask less its top row: a touch-up to save while a backup runs."""
    _, mask = wardrobe.garment_picture(1)
    drawn = mask.copy()
    drawn[np.nonzero(mask)[0].min()] = False
    return drawn


def test_a_backup_opens_as_the_same_wardrobe(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, fake_analyser: object
) -> None:
    wardrobe.import_paths(photos(3))
    wardrobe.update_garment(1, name="Red top", tags=["work"], notes="dry clean")
    wardrobe.delete_garments([6])  # deleted for good at the next start: not brought back
    before = {g.id: (g.name, g.tags, g.notes) for g in wardrobe.list_garments()}
    similar_before = [h.garment.id for h in wardrobe.similar(1)]

    result = wardrobe.backup(tmp_path / "backups" / "monday")

    assert result.folder == (tmp_path / "backups" / "monday").resolve()
    assert (result.garments, result.photos, result.left_out) == (5, 3, {})
    copied = [p for p in (result.folder / "files").rglob("*") if p.is_file()]
    assert result.files == len(copied) and result.size > sum(p.stat().st_size for p in copied)
    assert not _leftovers(tmp_path / "backups")
    assert not (result.folder / "index").exists()  # rebuilt from the vectors
    assert not list(result.folder.glob("*-wal"))  # one database file, ready to move
    with Wardrobe(result.folder, fake_analyser, background_index=False) as copy:  # type: ignore[arg-type]
        assert copy.verify().ok
        assert {g.id: (g.name, g.tags, g.notes) for g in copy.list_garments()} == before
        assert [h.garment.id for h in copy.similar(1)] == similar_before
        assert (
            copy.garment(1).cutout_path.read_bytes() == wardrobe.garment(1).cutout_path.read_bytes()
        )


def test_a_garment_deleted_is_purged_from_the_backups_label_map_too(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, fake_analyser: object
) -> None:
    """The backup purges the garments deleted, as the wardrobe's next start does: the
    top made a bottom beside the bottom, then deleted, was drawn on the bottom's page
    of the backup (its pixels kept in the map, its mask not)."""
    from wardrobe_app.vision.label_map import of_garments

    wardrobe.import_paths(photos(1))
    top, bottom, reaching = top_reaching_bottom(wardrobe)
    wardrobe.update_garment(top, category="bottom")
    _, bottom_mask = wardrobe.garment_picture(bottom)
    wardrobe.delete_garments([top])
    labels = wardrobe.photo_labels(bottom)
    assert labels is not None and labels[reaching].any()

    result = wardrobe.backup(tmp_path / "b")

    assert wardrobe.photo_labels(bottom) is not None and wardrobe.verify().ok  # as it was
    assert result.size == sum(p.stat().st_size for p in result.folder.rglob("*") if p.is_file())
    assert not (result.folder / "files" / ".incoming").exists()
    with Wardrobe(result.folder, fake_analyser, background_index=False) as copy:  # type: ignore[arg-type]
        assert copy.verify().ok and not copy.deleted_with(bottom)
        copied = copy.photo_labels(bottom)
        assert copied is not None and not copied[reaching].any()
        page = of_garments(labels, [bottom_mask], [reaching])  # the bottom's, top deleted
        assert np.array_equal(of_garments(copied, [bottom_mask]), page)


@pytest.mark.parametrize("deleted", ["made a bottom beside it", "drawn over it", "mask lost"])
def test_a_backups_purge_draws_the_kept_garments_as_the_wardrobes_own_purge(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, fake_analyser: object, deleted: str
) -> None:
    """The backup's purge (maps read from the wardrobe, written into the copy) against
    the wardrobe's own at its next clean-up, for each way it erases a deleted top: its
    pixels where it was made a bottom beside the bottom (``without``), the bottom drawn
    again where a touch-up drew the top over it (``reclaimed``), the map drawn again
    where the top's mask cannot be read (``of_garments``). The wardrobe's map is not
    changed by the backup."""
    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    if deleted == "made a bottom beside it":
        top_reaching_bottom(wardrobe)
        wardrobe.update_garment(top, category="bottom")
    elif deleted == "drawn over it":
        top_over_waist(wardrobe)
    mask_path = wardrobe.garment(top).mask_path
    wardrobe.delete_garments([top])
    if deleted == "mask lost":
        mask_path.write_bytes(b"not a PNG")
    labels = wardrobe.photo_labels(bottom)
    assert labels is not None

    result = wardrobe.backup(tmp_path / "b")

    kept = wardrobe.photo_labels(bottom)
    assert kept is not None and np.array_equal(kept, labels)  # the wardrobe's, as it was
    with Wardrobe(result.folder, fake_analyser, background_index=False) as copy:  # type: ignore[arg-type]
        assert copy.verify().ok and not copy.deleted_with(bottom)
        copied = copy.photo_labels(bottom)
    assert wardrobe.store.cleanup().purged_garments == 1
    purged = wardrobe.photo_labels(bottom)
    assert copied is not None and purged is not None and not np.array_equal(purged, labels)
    assert np.array_equal(copied, purged)


@pytest.mark.parametrize("where", ["inside", "not empty", "a file"])
def test_a_backup_needs_a_new_or_empty_folder_outside_the_wardrobe(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, home: Path, where: str
) -> None:
    wardrobe.import_paths(photos(1))
    target = {"inside": home / "backup", "not empty": tmp_path / "mine", "a file": tmp_path / "f"}[
        where
    ]
    if where == "not empty":
        target.mkdir()
        (target / "holiday.jpg").write_bytes(b"mine")
    if where == "a file":
        target.write_bytes(b"mine")
    with pytest.raises(BackupError, match=where):
        wardrobe.backup(target)
    assert not _leftovers(target.parent)
    if where == "not empty":
        assert [p.name for p in target.iterdir()] == ["holiday.jpg"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert wardrobe.backup(empty).garments == 2  # an empty folder is fine


def test_a_backup_into_another_wardrobe_s_stored_files_is_refused(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    # It was made, and said "open it with --data-dir", which refuses a folder there.
    from wardrobe_app import paths

    wardrobe.import_paths(photos(1))
    other = tmp_path / "other"
    Wardrobe(other, wardrobe.analyser, background_index=False).close()
    for inside, where in (("files", "stored files"), ("index", "data folder")):
        # In its index/ too: made there, it could not be opened either.
        target = other / inside / "backup"
        target.parent.mkdir(exist_ok=True)  # the index's folder, as a running app has it
        with pytest.raises(BackupError, match=f"inside the {where} of the wardrobe in {other}"):
            wardrobe.backup(target)
        assert not target.exists() and not _leftovers(target.parent)
        assert paths.data_folder_problem(target) is not None  # why it would be no use there


def test_a_damaged_file_is_left_out_and_named(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    wardrobe.import_paths(photos(2))
    stored = wardrobe.garment(2).cutout_path
    stored.write_bytes(stored.read_bytes()[:50])  # cut short
    wardrobe.garment(3).thumbnail_path.unlink()
    result = wardrobe.backup(tmp_path / "b")
    rel_cut = stored.relative_to(wardrobe.home).as_posix()
    assert result.left_out[rel_cut] == "cut-out of garment #2"
    assert "thumbnail of garment #3" in result.left_out.values() and len(result.left_out) == 2
    assert not (result.folder / rel_cut).exists()  # no damaged copy in the backup
    assert result.garments == 4


def test_a_stopped_or_failed_backup_leaves_nothing(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wardrobe.import_paths(photos(2))
    seen: list[tuple[int, int]] = []
    with pytest.raises(BackupCancelled):
        wardrobe.backup(
            tmp_path / "b",
            progress=lambda d, t: seen.append((d, t)),
            cancelled=lambda: len(seen) >= 3,
        )
    with wardrobe.store.session() as session:
        total = len(wardrobe.store.referenced_files(session))
    assert seen == [(1, total), (2, total), (3, total)]
    assert list(tmp_path.glob("*b*")) == []  # neither the folder nor its hidden work copy

    real = backup_module._write_durably
    writes: list[Path] = []

    def disk_fills(path: Path, data: bytes) -> None:
        writes.append(path)
        if len(writes) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(backup_module, "_write_durably", disk_fills)
    with pytest.raises(OSError, match="No space"):
        wardrobe.backup(tmp_path / "b")
    assert list(tmp_path.glob("*b*")) == []
    assert wardrobe.verify().ok  # the wardrobe itself untouched


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names open files on Linux")
def test_a_stored_file_that_cannot_be_synced_fails_the_backup(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every stored file is on disk before the backup is renamed into place (a faster
    # way to sync them must keep this): one that cannot be is no backup, and leaves no
    # descriptor open.
    wardrobe.import_paths(photos(3))
    real_fsync = os.fsync

    def failing(fd: int) -> None:
        if "/files/" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OSError, match="Input/output"):
        wardrobe.backup(tmp_path / "b")
    assert list(tmp_path.glob("*b*")) == []
    assert [name for name in _open_files() if ".partial" in name] == []
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert wardrobe.backup(tmp_path / "b").files > 0


def test_files_replaced_while_copying_are_no_loss(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, fake_analyser: object
) -> None:
    wardrobe.import_paths(photos(2))
    drawn = _top_row_erased(wardrobe)
    touched: list[int] = []

    def touch_up_meanwhile(done: int, total: int) -> None:
        # The app saves a touch-up after the database was copied: the files the copy
        # references are deleted, replaced by new ones.
        if not touched:
            touched.append(wardrobe.set_garment_mask(1, drawn).id)

    result = wardrobe.backup(tmp_path / "b", progress=touch_up_meanwhile)

    assert touched and result.left_out == {}
    with Wardrobe(result.folder, fake_analyser, background_index=False) as copy:  # type: ignore[arg-type]
        assert copy.verify().ok
        assert np.array_equal(copy.garment_picture(1)[1], drawn)


def test_the_size_and_the_folders_flushed_are_those_of_the_copy(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted as the files are written (the copy was walked twice after): its size is
    every byte in it, and every folder in it is flushed."""
    wardrobe.import_paths(photos(2))
    synced: list[Path] = []
    monkeypatch.setattr(backup_module, "_sync_folder", synced.append)

    result = wardrobe.backup(tmp_path / "b")

    (work,) = (p for p in synced if p.name.endswith(".partial"))
    folders = {p for p in result.folder.rglob("*") if p.is_dir()}
    assert len(folders) > 2  # files/ and its shards
    assert {result.folder / p.relative_to(work) for p in synced if p.is_relative_to(work)} == {
        result.folder,
        *folders,
    }
    assert result.size == sum(p.stat().st_size for p in result.folder.rglob("*") if p.is_file())


def test_the_size_leaves_out_the_files_replaced_under_a_first_snapshot(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wardrobe.import_paths(photos(2))
    drawn = _top_row_erased(wardrobe)
    before = wardrobe.garment(1)
    replaced = {
        p.relative_to(wardrobe.home).as_posix()
        for p in (before.cutout_path, before.thumbnail_path, before.mask_path)
    }
    totals: list[int] = []
    copied: list[str] = []
    copy_checked = backup_module._copy_checked

    def noted(store: object, rel: str, work: Path) -> int | None:
        size = copy_checked(store, rel, work)
        if size is not None:
            copied.append(rel)
        if rel in replaced and len(totals) == 1:
            # The first of its files copied, it is touched up: that one is removed from
            # the copy again, the others are gone, copied from a second snapshot.
            wardrobe.set_garment_mask(1, drawn)
            replaced.clear()
        return size

    def progress(done: int, total: int) -> None:
        if done == 1:
            totals.append(total)

    monkeypatch.setattr(backup_module, "_copy_checked", noted)
    result = wardrobe.backup(tmp_path / "b", progress=progress)

    kept = {p.relative_to(result.folder).as_posix() for p in result.folder.rglob("*")}
    assert len(totals) == 2 and set(copied) - kept  # copied, then removed from the copy
    assert result.size == sum(p.stat().st_size for p in result.folder.rglob("*") if p.is_file())


def test_a_wardrobe_that_keeps_changing_under_the_copy_is_no_half_backup(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    """After three snapshots it was renamed into place anyway, its database naming files
    it did not hold, called "missing or damaged in the wardrobe itself"."""
    wardrobe.import_paths(photos(2))
    _, mask = wardrobe.garment_picture(1)
    rows = np.nonzero(mask)[0]
    seen_totals: list[int] = []

    def touch_up_at_every_snapshot(done: int, total: int) -> None:
        if done == 1:  # each snapshot's first file: a new cut-out replaces the last
            seen_totals.append(total)
            drawn = mask.copy()
            drawn[rows.min() + len(seen_totals)] = False
            wardrobe.set_garment_mask(1, drawn)

    with pytest.raises(BackupError, match="kept changing while it was copied"):
        wardrobe.backup(tmp_path / "b", progress=touch_up_at_every_snapshot)
    assert len(seen_totals) == backup_module.SNAPSHOTS
    assert not (tmp_path / "b").exists() and not _leftovers(tmp_path)


@pytest.mark.parametrize("step", ["_copy_database", "_contents"])
def test_a_full_disk_while_the_database_is_copied_is_said_so(
    wardrobe: Wardrobe,
    photos: Photos,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
) -> None:
    wardrobe.import_paths(photos(1))

    def disk_full(*_args: object) -> None:
        # What SQLite says, raw from its backup or through SQLAlchemy (the VACUUM).
        full = sqlite3.OperationalError("database or disk is full")
        if step == "_contents":
            raise OperationalError("VACUUM", {}, full)
        raise full

    monkeypatch.setattr(backup_module, step, disk_full)
    with pytest.raises(OSError, match="No space left") as caught:
        wardrobe.backup(tmp_path / "b")
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(tmp_path / "b")
    assert list(tmp_path.glob("*b*")) == [] and wardrobe.verify().ok


def test_the_top_folder_of_a_disk_is_refused_before_anything_is_copied(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wardrobe.import_paths(photos(1))
    usb = tmp_path / "media" / "usb"  # an empty USB stick, mounted
    usb.mkdir(parents=True)
    real_ismount = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == usb or real_ismount(p))
    with pytest.raises(BackupError, match="top folder of a disk: give a new folder on it"):
        wardrobe.backup(usb)
    # where the copy would have been made: beside it, on another disk
    assert list((tmp_path / "media").iterdir()) == [usb]
    assert wardrobe.backup(usb / "Wardrobe backup").garments == 2


@pytest.mark.parametrize("removed", ["the folder", "the database"])
def test_a_folder_removed_while_the_backup_is_written_is_no_backup(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, removed: str
) -> None:
    wardrobe.import_paths(photos(2))
    where = tmp_path / "usb"
    where.mkdir()

    def remove(done: int, total: int) -> None:
        if done != 2:
            return
        if removed == "the folder":  # the user deletes it, hidden work copy and all
            shutil.rmtree(where)
        else:  # an `rm -r` racing the copy removed the database, not the folder
            (work,) = where.glob(".b.*.partial")
            (work / "wardrobe.sqlite3").unlink()

    with pytest.raises(FileNotFoundError):
        wardrobe.backup(where / "b", progress=remove)
    # not made again, nor renamed into place, as a backup without its database
    assert not where.exists() or list(where.iterdir()) == []
    assert wardrobe.verify().ok


def test_what_a_killed_backup_left_is_removed_by_the_next_and_a_live_one_kept(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path
) -> None:
    """A backup killed (or a machine that lost power) left its hidden work folder for
    good: up to a whole wardrobe's size, and dated backups never met it again."""
    import fcntl
    import os
    import time

    from wardrobe_app.store.partial_folder import IN_PROGRESS

    wardrobe.import_paths(photos(1))
    where = tmp_path / "backups"
    an_hour_ago = time.time() - 3600

    def made_long_ago(folder: Path) -> None:
        os.utime(folder, (an_hour_ago, an_hour_ago))

    killed = where / ".monday.0123abcd.partial"  # its owner died: the lock is free
    (killed / "files").mkdir(parents=True)
    (killed / IN_PROGRESS).touch()
    (killed / "wardrobe.sqlite3").write_bytes(b"half")
    made_long_ago(killed)
    live = where / ".tuesday.4567cdef.partial"  # being written by another process now
    live.mkdir()
    held = open(live / IN_PROGRESS, "wb")  # noqa: SIM115
    fcntl.flock(held.fileno(), fcntl.LOCK_EX)
    made_long_ago(live)  # a long backup: only its lock tells
    just_made = where / ".wednesday.89abcdef.partial"  # made, its lock file not locked yet
    just_made.mkdir()
    (just_made / IN_PROGRESS).touch()
    old = where / ".thursday.0000ffff.partial"  # killed before it locked: long ago
    old.mkdir()
    made_long_ago(old)
    mine = where / ".my-own.partial"  # not a name a backup gives
    mine.mkdir()
    made_long_ago(mine)
    try:
        wardrobe.backup(where / "friday")
    finally:
        held.close()
    assert sorted(p.name for p in where.iterdir()) == [
        ".my-own.partial",
        ".tuesday.4567cdef.partial",
        ".wednesday.89abcdef.partial",
        "friday",
    ]


def test_a_long_backup_renamed_into_place_while_looked_at_is_not_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its owner removes the lock file, then renames the folder: looked at in between
    (its old time read before the removal, the lock file looked for after), the
    finished copy was taken for one killed before it locked, and removed under it."""
    import builtins
    import time

    from wardrobe_app.store import partial_folder
    from wardrobe_app.store.partial_folder import IN_PROGRESS, remove_leftovers

    pytest.importorskip("fcntl")
    work = tmp_path / ".monday.0123abcd.partial"
    (work / "files").mkdir(parents=True)
    (work / IN_PROGRESS).touch()
    an_hour_ago = time.time() - 3600
    os.utime(work, (an_hour_ago, an_hour_ago))  # an hour's backup, done
    real_open = builtins.open

    def owner_finishes_first(path: object, *args: object, **kwargs: object) -> object:
        if Path(str(path)).name == IN_PROGRESS:
            (work / IN_PROGRESS).unlink(missing_ok=True)  # its owner, about to rename it
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(partial_folder, "open", owner_finishes_first, raising=False)
    assert remove_leftovers(tmp_path) == []
    assert (work / "files").is_dir()


def test_an_error_names_the_folder_asked_for_not_the_hidden_one(
    wardrobe: Wardrobe, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wardrobe.import_paths(photos(1))

    def read_only(path: Path, data: bytes) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(backup_module, "_write_durably", read_only)
    with pytest.raises(OSError) as caught:
        wardrobe.backup(tmp_path / "b")
    assert caught.value.filename.startswith(str((tmp_path / "b").resolve() / "files"))
    assert ".partial" not in str(caught.value)
