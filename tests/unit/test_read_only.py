"""A wardrobe whose folder cannot be written (a backup on a read-only disk, a folder
without write permission) opens read-only: browsed, searched and exported, every change
refused in words, nothing written into the folder. It could not be opened at all: the
lock file, the ``files/.incoming`` folder and WAL mode were made on every open.

Tests may run as root, whom chmod does not stop: the folder is opened with the flag
(``read_only=True``), the detection is tested apart, and that nothing was written is
checked on the folder itself."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fakes import FakeAnalyser, garments_read, made_by_release, stop_reindex_part_way

from wardrobe_app import paths, service
from wardrobe_app.service import OtherModelsVectors, Wardrobe
from wardrobe_app.store import UnusableDatabase
from wardrobe_app.store import read_only as read_only_module
from wardrobe_app.store.database import head_revision
from wardrobe_app.store.read_only import ReadOnlyWardrobe, read_only_reason

Photos = Callable[..., list[Path]]
Run = Callable[..., tuple[int, str, str]]  # the ``cli`` fixture (tests/conftest.py)


def _made(home: Path, photos: Photos) -> None:
    """A wardrobe of 3 photos (6 garments), closed, without its index: as a backup is."""
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.import_paths(photos(3))
        w.update_garment(1, name="Red top", tags=["work"])
    shutil.rmtree(paths.index_dir(home))


def _state(home: Path) -> dict[str, tuple[int, int]]:
    """Every entry in the folder with its size and modification time; less SQLite's
    shared-memory files, which it makes beside the database for a reader only where the
    folder can be written (here: root), to read safely beside a writer (on a read-only
    disk it reads the file as immutable instead)."""
    sqlite_own = (".", "wardrobe.sqlite3-shm", "wardrobe.sqlite3-wal")
    entries = {str(p.relative_to(home)): p.stat() for p in [home, *home.rglob("*")]}
    return {
        name: (st.st_size, st.st_mtime_ns) for name, st in entries.items() if name not in sqlite_own
    }


def test_browsing_works_and_every_change_is_refused_in_words(
    home: Path, photos: Photos, tmp_path: Path
) -> None:
    _made(home, photos)
    before = _state(home)
    new_photo = photos(1, start=7)[0]
    with Wardrobe(home, FakeAnalyser(), background_index=False, read_only=True) as w:
        assert w.read_only
        assert len(w.list_garments()) == 6 and w.garment(1).name == "Red top"
        assert w.similar(1)  # the index is built elsewhere
        analysis, hits = w.similar_to_photo(new_photo)
        assert analysis.garments and hits[0]
        assert w.export(tmp_path / "export").garments == 6
        assert w.verify().ok
        garment = w.garment(2)
        mask = np.ones(w.garment_picture(2)[1].shape[:2], bool)
        changes: dict[str, Callable[[], object]] = {
            "edit": lambda: w.update_garment(1, name="Blue top"),
            "delete": lambda: w.delete_garments([1]),
            "undo a delete": lambda: w.undo_delete([1]),
            "import": lambda: w.import_paths([new_photo]),
            "import one": lambda: w.import_photo(new_photo),
            "save a review": lambda: w.save_analysis(analysis),
            "touch up": lambda: w.set_garment_mask(2, mask),
            "reindex": w.reindex,
            "repair": w.repair,
        }
        for what, change in changes.items():
            with pytest.raises(ReadOnlyWardrobe) as refused:
                change()
            said = str(refused.value)
            assert said.startswith(f"The wardrobe in {home} is read-only"), what
            assert "copy its folder" in said and "\n" not in said, what
        assert w.garment(1).name == "Red top" and len(w.list_garments()) == 6
        assert w.garment(2).cutout_path == garment.cutout_path
    assert _state(home) == before  # not a file made, changed or removed


def test_a_photo_is_not_compared_with_vectors_of_another_model(home: Path, photos: Photos) -> None:
    """Its garments cannot be described again by the model installed (nothing may be
    written): a photo's vectors were compared with another model's, and its "hits" were
    scores across two spaces."""
    _made(home, photos)  # by FakeAnalyser "fake-1"
    before = _state(home)
    installed = FakeAnalyser(version="fake-2", permute=True)
    with Wardrobe(home, installed, background_index=False, read_only=True) as w:
        with pytest.raises(OtherModelsVectors) as refused:
            w.similar_to_photo(photos(1, start=7)[0])
        said = str(refused.value)
        assert "another version of the similar-items model (fake-1)" in said
        assert "installed (fake-2)" in said and "Copy its folder" in said
        assert installed.analysed == []  # refused before the photo was analysed
        assert w.similar(1)  # its own garments, all of one model, still compare
    assert _state(home) == before


def test_its_own_garments_compare_once_a_model_of_another_vector_size_is_loaded(
    home: Path, photos: Photos
) -> None:
    """The index took the installed model's vector size once it was loaded (the window
    loads it at once), not the stored vectors' it keeps: "similar" raised ValueError."""
    _made(home, photos)  # 32 numbers a garment
    installed = FakeAnalyser(version="fake-2")
    installed.dim = 48
    with Wardrobe(home, installed, background_index=False, read_only=True) as w:
        assert w.analyser is installed  # loaded
        assert w.similar(1)


def test_the_cli_says_why_a_photo_is_not_compared_with_another_models_vectors(
    home: Path, photos: Photos, monkeypatch: pytest.MonkeyPatch, cli: Run
) -> None:
    _made(home, photos)
    monkeypatch.setattr(service, "ANALYSER_FACTORY", lambda: FakeAnalyser(version="fake-2"))
    monkeypatch.setattr(
        "wardrobe_app.store.store.read_only_reason", lambda home, db: "it is on a read-only disk"
    )
    rc, out, err = cli("similar-to", str(photos(1, start=7)[0]))
    assert rc == 2 and out == ""
    assert "another version of the similar-items model (fake-1)" in err
    assert "Traceback" not in err


def test_a_folder_that_cannot_be_written_is_told(
    home: Path, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    _made(home, photos)
    db = paths.database_path(home)
    assert read_only_reason(home, db) is None
    real_access = os.access

    def no_writing(path: object, mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and Path(str(path)) in (home, db):
            return False
        return real_access(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(read_only_module.os, "access", no_writing)
    assert read_only_reason(home, db) == "you may not write in its folder"
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:  # found out alone
        assert w.read_only and len(w.list_garments()) == 6
        assert "(you may not write in its folder)" in (w.store.refusal or "")

    class ReadOnlyDisk:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(read_only_module.os, "statvfs", lambda path: ReadOnlyDisk())
    assert read_only_reason(home, db) == "it is on a read-only disk"
    # A new folder is made, not told read-only; and False opens it for writing.
    assert read_only_reason(home / "new", db) is None
    monkeypatch.undo()
    with Wardrobe(home, FakeAnalyser(), background_index=False, read_only=False) as w:
        assert not w.read_only


def test_a_read_only_folder_without_a_wardrobe_is_refused_in_words(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UnusableDatabase, match="holds no wardrobe"):
        Wardrobe(empty, FakeAnalyser(), read_only=True)
    assert list(empty.iterdir()) == []


def test_the_cli_reads_a_read_only_wardrobe_and_refuses_changes(
    home: Path,
    photos: Photos,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cli: Run,
) -> None:
    _made(home, photos)
    before = _state(home)
    monkeypatch.setattr(
        "wardrobe_app.store.store.read_only_reason", lambda home, db: "it is on a read-only disk"
    )
    rc, out, _ = cli("list")
    assert rc == 0 and "Red top" in out and len(out.splitlines()) == 6
    rc, out, _ = cli("similar", "1")
    assert rc == 0 and out.startswith("Similar to #1")
    assert cli("export", str(tmp_path / "export"))[0] == 0
    assert (tmp_path / "export" / "wardrobe.csv").is_file()
    rc, out, _ = cli("verify")
    assert rc == 0 and "the wardrobe is consistent" in out
    for change in (["delete", "1"], ["import", str(photos(1, start=7)[0])], ["verify", "--repair"]):
        rc, out, err = cli(*change)
        assert rc == 2 and out == "", change
        assert "is read-only (it is on a read-only disk)" in err, change
        assert "Traceback" not in err
    assert _state(home) == before


# Run in a mount namespace of its own, where ``home`` is mounted read-only: the real
# thing (statvfs says so; SQLite cannot make its -shm file, and reads the file as
# immutable). Prints what it found as JSON.
ON_A_READ_ONLY_MOUNT = """
import json, sys
sys.path.insert(0, sys.argv[2])
from fakes import FakeAnalyser
from wardrobe_app.service import Wardrobe
from wardrobe_app.store.read_only import ReadOnlyWardrobe
with Wardrobe(sys.argv[1], FakeAnalyser(), background_index=False) as w:
    found = {"refusal": w.store.refusal, "garments": len(w.list_garments()),
             "similar": len(w.similar(1)), "verified": w.verify().ok}
    try:
        w.update_garment(1, name="Blue top")
    except ReadOnlyWardrobe as exc:
        found["refused"] = str(exc)
print(json.dumps(found))
"""


def test_a_wardrobe_on_a_read_only_mount_opens_read_only(home: Path, photos: Photos) -> None:
    import json
    import subprocess
    import sys

    if shutil.which("unshare") is None or sys.platform != "linux":
        pytest.skip("needs Linux's unshare to mount a folder read-only")
    _made(home, photos)
    before = _state(home)
    tests_dir = Path(__file__).resolve().parents[1]
    mount = f"mount --bind '{home}' '{home}' && mount -o remount,bind,ro '{home}'"
    shell = f'{mount} && exec "$0" -c "$1" "$2" "$3"'  # then python, the script, its args
    script = [sys.executable, ON_A_READ_ONLY_MOUNT, str(home), str(tests_dir)]
    run = subprocess.run(
        ["unshare", "-rm", "sh", "-c", shell, *script],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if run.returncode != 0 and "mount" in run.stderr and "Traceback" not in run.stderr:
        pytest.skip(f"cannot mount a folder read-only here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert "(it is on a read-only disk)" in found["refusal"]
    assert (found["garments"], found["verified"]) == (6, True) and found["similar"] > 0
    assert found["refused"] == found["refusal"]
    assert _state(home) == before


def test_an_older_read_only_wardrobe_is_refused_in_words_and_left_as_it_is(
    home: Path, photos: Photos
) -> None:
    """Its schema would have to be brought up to date first, which is a write. (One of
    the release before, at 0003, is read as it is: see the test below.)"""
    _made(home, photos)
    made_by_release(paths.database_path(home), "0002_id_floor")  # its coats: "Outwear"
    before = _state(home)
    with pytest.raises(UnusableDatabase, match="made by an older version of Wardrobe") as refused:
        Wardrobe(home, FakeAnalyser(), read_only=True)
    assert "copy the folder to one you can write to" in str(refused.value)
    assert _state(home) == before


def _revision(home: Path) -> str:
    import sqlite3

    with sqlite3.connect(paths.database_path(home)) as conn:
        (found,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    conn.close()
    return str(found)


# The releases before: 0003 without 0004's change counters, 0004 without 0005's log of
# changed garments, 0005 with a log whose seq starts again at 1 once emptied (0006),
# 0006 without tokens in its log (0007).
RELEASES_BEFORE = [
    "0003_outerwear",
    "0004_change_counts",
    "0005_garment_changes",
    "0006_change_log_autoincrement",
]


@pytest.mark.parametrize("release", RELEASES_BEFORE)
def test_a_read_only_wardrobe_of_the_release_before_is_read_as_it_is(
    home: Path, photos: Photos, tmp_path: Path, release: str
) -> None:
    """A backup made by a release before was refused on a read-only disk until it had
    been opened once where it could be written."""
    _made(home, photos)
    made_by_release(paths.database_path(home), release)
    before = _state(home)
    with Wardrobe(home, FakeAnalyser(), background_index=False, read_only=True) as w:
        assert w.read_only and (w.store.refusal or "").startswith(f"The wardrobe in {home} is")
        assert len(w.list_garments()) == 6 and w.garment(1).name == "Red top"
        assert w.change_mark() == w.change_mark()  # nothing changed: the grid stays
        assert w.similar(1)
        _, hits = w.similar_to_photo(photos(1, start=7)[0])
        assert hits[0]
        assert w.export(tmp_path / "export").garments == 6
        assert w.backup(tmp_path / "backup").garments == 6
        assert w.verify().ok
        with pytest.raises(ReadOnlyWardrobe, match="is read-only"):
            w.update_garment(1, name="Blue top")
    assert _state(home) == before and _revision(home) == release
    _opens_as_a_wardrobe_of_its_own(tmp_path / "backup")  # updated there: writable
    assert _revision(tmp_path / "backup") == head_revision()


def test_a_wardrobe_of_the_release_before_on_a_read_only_mount_is_read(
    home: Path, photos: Photos
) -> None:
    """The real thing: SQLite reads the file as immutable there."""
    _made(home, photos)
    made_by_release(paths.database_path(home), "0003_outerwear")
    before = _state(home)
    found = _on_a_read_only_mount(home, ON_A_READ_ONLY_MOUNT)
    assert "(it is on a read-only disk)" in found["refusal"]
    assert (found["garments"], found["verified"]) == (6, True) and found["similar"]
    assert found["refused"] == found["refusal"]
    assert _state(home) == before and _revision(home) == "0003_outerwear"


def test_the_cli_reads_a_read_only_wardrobe_of_the_release_before(
    home: Path, photos: Photos, monkeypatch: pytest.MonkeyPatch, cli: Run
) -> None:
    _made(home, photos)
    made_by_release(paths.database_path(home), "0003_outerwear")
    before = _state(home)
    monkeypatch.setattr(
        "wardrobe_app.store.store.read_only_reason", lambda home, db: "it is on a read-only disk"
    )
    rc, out, err = cli("list")
    assert rc == 0 and "Red top" in out and len(out.splitlines()) == 6, err
    rc, out, _ = cli("similar", "1")
    assert rc == 0 and out.startswith("Similar to #1")
    rc, out, err = cli("delete", "1")
    assert rc == 2 and out == "" and "is read-only (it is on a read-only disk)" in err
    assert _state(home) == before


@pytest.mark.parametrize("release", RELEASES_BEFORE)
def test_changes_to_a_read_only_wardrobe_of_the_release_before_are_seen(
    home: Path, photos: Photos, release: str
) -> None:
    """A release before writes to it meanwhile (its folder is another user's), without
    the change counters the grid's and the similar-items index's checks read (0003) or
    the log of changed garments the listing reads (0004), or with 0005's log, whose seq
    a tool's emptying would give again: deleting 2 and 5 and restoring 3 and 4 keeps the
    garments' count and their ids' sum and largest."""
    import sqlite3

    _made(home, photos)
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.delete_garments([3, 4])
    made_by_release(paths.database_path(home), release)
    with Wardrobe(home, FakeAnalyser(), background_index=False, read_only=True) as w:
        mark = w.change_mark()
        assert {h.garment.id for h in w.similar(1, same_category=False)} == {2, 5, 6}
        with sqlite3.connect(paths.database_path(home)) as writer:
            writer.execute("UPDATE garments SET deleted_at = NULL WHERE id IN (3, 4)")
            writer.execute(
                "UPDATE garments SET deleted_at = '2026-11-28 05:00:00' WHERE id IN (2, 5)"
            )
        writer.close()
        assert w.change_mark() != mark
        assert sorted(r.id for r in w.list_garments()) == [1, 3, 4, 6]
        assert {h.garment.id for h in w.similar(1, same_category=False)} == {3, 4, 6}
        # A touch-up there: 3 given 6's vector (no log to say which garments changed).
        with sqlite3.connect(paths.database_path(home)) as writer:
            writer.execute(
                "UPDATE garments SET vector = (SELECT vector FROM garments WHERE id = 6) "
                "WHERE id = 3"
            )
        writer.close()
        nearest = w.similar(6, same_category=False)[0]
        assert nearest.garment.id == 3 and nearest.score == pytest.approx(1.0, abs=1e-4)


def test_a_read_only_folder_with_an_empty_database_is_refused_in_words(tmp_path: Path) -> None:
    import sqlite3

    folder = tmp_path / "empty-db"
    folder.mkdir()
    sqlite3.connect(paths.database_path(folder)).close()  # a file of 0 bytes
    with pytest.raises(UnusableDatabase, match="holds no wardrobe"):
        Wardrobe(folder, FakeAnalyser(), read_only=True)
    assert sorted(p.name for p in folder.iterdir()) == ["wardrobe.sqlite3"]


def _on_a_read_only_mount(home: Path, script: str) -> dict[str, str]:
    """What ``script`` (run by python with the home and the tests folder as arguments)
    printed as JSON, with ``home`` mounted read-only in a mount namespace of its own."""
    import json
    import subprocess
    import sys

    if shutil.which("unshare") is None or sys.platform != "linux":
        pytest.skip("needs Linux's unshare to mount a folder read-only")
    tests_dir = Path(__file__).resolve().parents[1]
    mount = f"mount --bind '{home}' '{home}' && mount -o remount,bind,ro '{home}'"
    shell = f'{mount} && exec "$0" -c "$1" "$2" "$3"'
    args = [sys.executable, script, str(home), str(tests_dir)]
    run = subprocess.run(
        ["unshare", "-rm", "sh", "-c", shell, *args], capture_output=True, text=True, timeout=120
    )
    if run.returncode != 0 and "mount" in run.stderr and "Traceback" not in run.stderr:
        pytest.skip(f"cannot mount a folder read-only here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    return dict(json.loads(run.stdout))


NAME_OF_GARMENT_1 = """
import json, sys
sys.path.insert(0, sys.argv[2])
from fakes import FakeAnalyser
from wardrobe_app.service import Wardrobe
from wardrobe_app.store import UnusableDatabase
from wardrobe_app.store.database import head_revision
try:
    with Wardrobe(sys.argv[1], FakeAnalyser(), background_index=False) as w:
        print(json.dumps({"name": w.garment(1).name}))
except UnusableDatabase as exc:
    print(json.dumps({"unusable": str(exc)}))
"""


def test_changes_left_in_a_wal_file_on_a_read_only_disk_are_not_silently_ignored(
    home: Path, photos: Photos, tmp_path: Path
) -> None:
    """A wardrobe copied while open (or after a crash) keeps its last changes in the
    -wal file; without the -shm file SQLite can only read the database as immutable on a
    read-only disk, which ignores the -wal file: the wardrobe showed its older state."""
    import sqlite3

    _made(home, photos)
    copy = tmp_path / "copy"
    shutil.copytree(home, copy)
    writer = sqlite3.connect(paths.database_path(home))
    try:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE garments SET name = 'Blue top' WHERE id = 1")
        writer.commit()
        for name in ("wardrobe.sqlite3", "wardrobe.sqlite3-wal"):  # not the -shm file
            shutil.copy2(home / name, copy / name)
    finally:
        writer.close()
    assert (copy / "wardrobe.sqlite3-wal").stat().st_size > 0
    found = _on_a_read_only_mount(copy, NAME_OF_GARMENT_1)
    assert found.get("name") != "Red top"  # the older state, shown as if it were current
    assert "copy the folder to one you can write to" in found.get("unusable", ""), found


def test_a_read_only_folder_of_photos_without_its_database_says_the_database_is_missing(
    home: Path, photos: Photos
) -> None:
    """It said "holds no wardrobe", as for an empty folder, of a folder full of photos."""
    _made(home, photos)
    paths.database_path(home).unlink()
    before = _state(home)
    with pytest.raises(UnusableDatabase, match="photos and cut-outs but not its database"):
        Wardrobe(home, FakeAnalyser(), read_only=True)
    assert _state(home) == before


def _opens_as_a_wardrobe_of_its_own(backup: Path) -> None:
    """A backup of a read-only wardrobe: complete, verified by hash, and writable."""
    with Wardrobe(backup, FakeAnalyser(), background_index=False) as w:
        assert not w.read_only
        report = w.verify()
        assert report.ok and not report.damaged_files, report
        assert len(w.list_garments()) == 6 and w.garment(1).name == "Red top"
        w.update_garment(1, name="Blue top")
        assert w.garment(1).name == "Blue top"


def test_a_read_only_wardrobe_is_backed_up(home: Path, photos: Photos, tmp_path: Path) -> None:
    """A backup only reads the wardrobe: it was refused ("copy the folder instead")."""
    _made(home, photos)
    before = _state(home)
    with Wardrobe(home, FakeAnalyser(), background_index=False, read_only=True) as w:
        result = w.backup(tmp_path / "backup")
    assert (result.garments, result.photos, result.left_out) == (6, 3, {})
    assert _state(home) == before
    _opens_as_a_wardrobe_of_its_own(tmp_path / "backup")


def test_the_cli_backs_up_a_read_only_wardrobe(
    home: Path, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Run
) -> None:
    _made(home, photos)
    monkeypatch.setattr(
        "wardrobe_app.store.store.read_only_reason", lambda home, db: "it is on a read-only disk"
    )
    rc, _, err = cli("backup", str(tmp_path / "backup"))
    assert rc == 0, err
    monkeypatch.undo()
    _opens_as_a_wardrobe_of_its_own(tmp_path / "backup")


BACK_UP = """
import json, sys
sys.path.insert(0, sys.argv[2])
from fakes import FakeAnalyser
from wardrobe_app.service import Wardrobe
with Wardrobe(sys.argv[1], FakeAnalyser(), background_index=False) as w:
    result = w.backup(sys.argv[1] + "-backup")
    print(json.dumps({"read_only": w.read_only, "garments": result.garments}))
"""


def test_a_wardrobe_on_a_read_only_mount_is_backed_up(home: Path, photos: Photos) -> None:
    """The real thing: SQLite cannot open the WAL database there for writing (no -shm
    file can be made), so the backup reads it as the read-only store does."""
    import sqlite3

    _made(home, photos)
    with sqlite3.connect(paths.database_path(home)) as conn:  # as the app leaves it
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    before = _state(home)
    found = _on_a_read_only_mount(home, BACK_UP)
    assert found == {"read_only": True, "garments": 6}
    assert _state(home) == before
    _opens_as_a_wardrobe_of_its_own(home.parent / f"{home.name}-backup")


LEAVE_AN_INDEX_FOLDER = """
import json, os, sys
sys.path.insert(0, sys.argv[2])
from fakes import FakeAnalyser
from wardrobe_app.service import Wardrobe
w = Wardrobe(sys.argv[1], FakeAnalyser(), background_index=False, read_only=True)
w.similar(1)  # the index is built in its temporary folder
print(json.dumps({"folder": str(w.store.index_dir())}), flush=True)
os._exit(9)  # a crash: nothing closed
"""


def test_index_folders_left_by_a_crash_are_removed_at_the_next_read_only_open(
    home: Path, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only wardrobe's index is built in a temporary folder removed at close; a
    crash left it there for good (one per crashed run, the size of the index)."""
    import json
    import subprocess
    import sys
    import tempfile

    from wardrobe_app.store.scratch import ScratchFolder

    _made(home, photos)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    tests_dir = Path(__file__).resolve().parents[1]
    run = subprocess.run(
        [sys.executable, "-c", LEAVE_AN_INDEX_FOLDER, str(home), str(tests_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 9, run.stderr
    crashed = Path(json.loads(run.stdout)["folder"])
    assert crashed.parent == temp and any(crashed.iterdir())  # left behind
    live = ScratchFolder()  # another run's, still open
    others = [temp / "wardrobe-index-abc", temp / "wardrobe-index-1-x", temp / "other-1-x"]
    for folder in others:  # not named as this app names them, or without an owner lock
        folder.mkdir()
    with Wardrobe(home, FakeAnalyser(), background_index=False, read_only=True) as w:
        assert not crashed.exists()
        assert w.similar(1)
        own = w.store.index_dir()
        assert own.parent == temp and own.is_dir()
    assert not own.exists()  # removed at close, as before
    assert live.path.is_dir() and all(folder.is_dir() for folder in others)
    live.remove()
    assert not live.path.exists()


def test_a_change_cut_short_in_rollback_journal_mode_is_not_read_half_made(
    home: Path, photos: Photos, tmp_path: Path
) -> None:
    """A database in rollback-journal mode (as a backup's is) copied after a crash that
    cut a change short keeps a "hot" -journal beside it, needed to undo that change: read
    as immutable, SQLite ignored it, and the wardrobe showed a database half changed."""
    import sqlite3

    _made(home, photos)
    copy = tmp_path / "copy"
    shutil.copytree(home, copy)
    db = paths.database_path(home)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode = DELETE")
        writer.execute("PRAGMA cache_size = 1")  # changed pages reach the file at once
        writer.execute("BEGIN")
        writer.execute("UPDATE garments SET name = 'Blue top', vector = zeroblob(4096)")
        for name in ("wardrobe.sqlite3", "wardrobe.sqlite3-journal"):  # the crash
            shutil.copy2(home / name, copy / name)
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert (copy / "wardrobe.sqlite3-journal").read_bytes()[:1] not in (b"", b"\0")
    before = _state(copy)
    with pytest.raises(UnusableDatabase, match="cut short") as refused:
        Wardrobe(copy, FakeAnalyser(), background_index=False, read_only=True)
    assert "copy the folder to one you can write to" in str(refused.value)
    assert _state(copy) == before  # the journal is kept: the copy can still be undone
    found = _on_a_read_only_mount(copy, NAME_OF_GARMENT_1)  # the real thing
    assert "cut short" in found.get("unusable", ""), found


def _ids(hits: list) -> set[int]:
    return {h.garment.id for h in hits}


def test_vectors_of_two_models_are_not_compared_with_each_other(home: Path, photos: Photos) -> None:
    """A read-only wardrobe whose reindex stopped part-way cannot finish it: "similar"
    and "do I own this" compared one model's vectors with the other's. The installed
    model's are used where some garments hold them, and the others are named."""
    _made(home, photos)
    # The fewer: "fake-1" is the most common.
    stop_reindex_part_way(paths.database_path(home), (1, 2))
    installed = FakeAnalyser(version="fake-2", permute=True)
    with Wardrobe(home, installed, background_index=False, read_only=True) as w:
        assert w.not_compared() == [3, 4, 5, 6]
        assert _ids(w.similar(1, same_category=False)) == {2}
        assert w.similar(3, same_category=False) == []  # another model's: not compared
        _, hits = w.similar_to_photo(photos(1, start=7)[0], k=10)
        found = set().union(*map(_ids, hits))
        assert found and found <= {1, 2}
    # No model of theirs installed: the most common one's are compared, with each other.
    with Wardrobe(home, FakeAnalyser("fake-3"), background_index=False, read_only=True) as w:
        assert w.not_compared() == [1, 2]
        assert w.similar(1, same_category=False) == []
        assert _ids(w.similar(3, same_category=False)) == {4, 5, 6}
        with pytest.raises(OtherModelsVectors):
            w.similar_to_photo(photos(1, start=7)[0])


def test_the_cli_says_which_garments_could_not_be_compared(
    home: Path, photos: Photos, monkeypatch: pytest.MonkeyPatch, cli: Run
) -> None:
    _made(home, photos)
    stop_reindex_part_way(paths.database_path(home), (1, 2))
    monkeypatch.setattr(service, "ANALYSER_FACTORY", lambda: FakeAnalyser("fake-3"))
    monkeypatch.setattr(
        "wardrobe_app.store.store.read_only_reason", lambda home, db: "it is on a read-only disk"
    )
    rc, out, err = cli("similar", "1", "3", "--any-category")
    assert rc == 0, err
    assert "2 garments could not be compared" in err and "similar-items model" in err
    said_of_1 = out.split("Similar to")[1]
    assert "(not compared: described by another similar-items model)" in said_of_1


def test_a_sweep_while_an_index_folder_is_being_made_leaves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's read-only open sweeps the temporary folder at any moment: one
    between the owner lock's making and its locking took the new folder for a dead
    process's and removed it under its living owner."""
    import tempfile

    from wardrobe_app.store import scratch

    fcntl = pytest.importorskip("fcntl")  # POSIX: Windows leaves leftovers to the OS

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    real_flock = fcntl.flock
    swept: list[int] = []

    def sweep_first(fd: int, op: int) -> None:
        if not swept:
            swept.append(-1)  # the sweep's own flock goes straight on
            swept[0] = scratch.remove_dead_leftovers(tmp_path)
        real_flock(fd, op)

    monkeypatch.setattr(fcntl, "flock", sweep_first)
    folder = scratch.ScratchFolder()
    monkeypatch.setattr(fcntl, "flock", real_flock)
    try:
        assert swept == [0] and folder.path.is_dir()
        assert scratch.remove_dead_leftovers(tmp_path) == 0  # its owner lives
        assert (folder.path / scratch.OWNER_LOCK).is_file()
    finally:
        folder.remove()
    assert not folder.path.exists()


def test_a_folder_another_sweep_removes_meanwhile_does_not_fail_the_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two read-only opens at once sweep the same leftovers: the one whose folder the
    other removed between its checks raised FileNotFoundError, and the wardrobe did not
    open."""
    from wardrobe_app.store import scratch

    pytest.importorskip("fcntl")  # POSIX: Windows leaves leftovers to the OS
    dead = tmp_path / f"{scratch.PREFIX}1-x"
    dead.mkdir()
    (dead / scratch.OWNER_LOCK).touch()
    real_is_dir = Path.is_dir

    def removed_by_the_other(self: Path) -> bool:
        found = real_is_dir(self)
        if self == dead:
            shutil.rmtree(dead)  # the other process's sweep, just after the check
        return found

    monkeypatch.setattr(Path, "is_dir", removed_by_the_other)
    assert scratch.remove_dead_leftovers(tmp_path) == 0
    assert not dead.exists()


def test_an_index_folder_is_made_where_the_temporary_folder_has_no_flock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A temporary folder on a file system without flock (ENOLCK): the owner lock failed,
    and with it every similar-items query of a read-only wardrobe. The folder is made
    without one, then, and never swept (as before the owner locks)."""
    import errno
    import tempfile

    from wardrobe_app.store import scratch

    fcntl = pytest.importorskip("fcntl")  # POSIX: Windows leaves leftovers to the OS

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    real_flock = fcntl.flock

    def no_locks(fd: int, op: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    folder = scratch.ScratchFolder()
    monkeypatch.setattr(fcntl, "flock", real_flock)
    assert folder.path.is_dir() and not any(folder.path.iterdir())
    assert scratch.remove_dead_leftovers(tmp_path) == 0 and folder.path.is_dir()
    folder.remove()
    assert not folder.path.exists()


def test_a_garment_without_a_vector_is_not_said_to_be_of_another_model(
    home: Path, photos: Photos
) -> None:
    """A garment left without a vector (its cut-out unreadable when the wardrobe was
    described again) was counted as "described by another version of the similar-items
    model" in a read-only wardrobe whose vectors are all of one model."""
    import sqlite3

    _made(home, photos)
    with sqlite3.connect(paths.database_path(home)) as conn:
        conn.execute("UPDATE garments SET vector = NULL, vector_version = NULL WHERE id = 3")
    conn.close()
    with Wardrobe(home, FakeAnalyser(), background_index=False, read_only=True) as w:
        assert w.not_compared() == []
        assert w.similar(3) == [] and w.similar(1, same_category=False)
    # And now two models: only those named.
    stop_reindex_part_way(paths.database_path(home), (1, 2))
    with Wardrobe(home, FakeAnalyser("fake-2", permute=True), read_only=True) as w:
        assert w.not_compared() == [4, 5, 6]


def test_an_index_folder_removed_while_a_build_still_writes_into_it_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build abandoned at close goes on writing its temporaries into the folder by its
    # name while the close removes it: a file made between the removal's listing and
    # its last step kept the folder, without its owner lock, so no sweep ever took it.
    import contextlib
    import tempfile
    import threading
    import time

    from wardrobe_app.store.scratch import ScratchFolder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for _ in range(20):
        folder = ScratchFolder()
        stop = threading.Event()

        def build(path: Path = folder.path, stop: threading.Event = stop) -> None:
            n = 0
            while not stop.is_set():
                with contextlib.suppress(OSError):
                    (path / f"index-1.ann.{n}.tmp").write_bytes(b"x" * 4096)
                n += 1

        writer = threading.Thread(target=build)
        writer.start()
        time.sleep(0.01)
        folder.remove()
        stop.set()
        writer.join()
        assert list(tmp_path.iterdir()) == []


# Releases whose log of changed garments has no tokens (migration 0007): a read-only
# wardrobe of theirs is read as it is, and the listing goes by the file's identity.
WITHOUT_TOKENS = ["0005_garment_changes", "0006_change_log_autoincrement"]


def _written(home: Path, *statements: str) -> None:
    """Statements committed by another program (the release before, beside this one)."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(paths.database_path(home))) as conn, conn:
        for statement in statements:
            conn.execute(statement)


def _checkpointed(home: Path) -> None:
    """Every page in the database file, its -wal empty: a plain copy is the wardrobe."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(paths.database_path(home))) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()


@pytest.mark.parametrize("release", WITHOUT_TOKENS)
def test_an_older_copy_copied_over_a_read_only_wardrobe_without_tokens_is_seen(
    home: Path, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, release: str
) -> None:
    """An older copy of the file copied over it, then as many edits (a touch-up, two
    names): the log's largest seq, its row count and the change counters are where they
    were at the listing, yet the garments are not. The listing kept the names written
    before the copy, and the similar-items index the vectors."""
    _made(home, photos)
    made_by_release(paths.database_path(home), release)
    _checkpointed(home)
    shutil.copyfile(paths.database_path(home), tmp_path / "older.sqlite3")
    with Wardrobe(home, FakeAnalyser(), background_index=False, read_only=True) as w:
        _written(
            home,
            "UPDATE garments SET vector = (SELECT vector FROM garments WHERE id = 2) WHERE id = 1",
            "UPDATE garments SET name = 'before the copy' WHERE id IN (3, 4)",
        )
        assert len(w.list_garments()) == 6
        seen = w.change_mark()
        assert w.similar(2, same_category=False)[0].garment.id == 1
        made = garments_read(monkeypatch)

        _checkpointed(home)
        shutil.copyfile(tmp_path / "older.sqlite3", paths.database_path(home))
        _written(
            home,
            "UPDATE garments SET vector = (SELECT vector FROM garments WHERE id = 6) WHERE id = 5",
            "UPDATE garments SET notes = 'after the copy' WHERE id IN (3, 4)",
        )
        assert w.change_mark() != seen
        listed = w.list_garments()
        assert sorted(made) == [1, 2, 3, 4, 5, 6]  # every garment read again
        assert not [r for r in listed if r.name == "before the copy"]
        assert [r.id for r in listed if r.notes == "after the copy"] == [4, 3]
        nearest = w.similar(6, same_category=False)[0]
        assert nearest.garment.id == 5 and nearest.score == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("release", WITHOUT_TOKENS)
def test_another_wardrobe_copied_over_a_read_only_wardrobe_without_tokens_is_seen(
    home: Path, photos: Photos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, release: str
) -> None:
    """The file's identity read long after its writing (``RECENT_S``: none here): its
    size moves with another wardrobe copied over it, whose log reads as this one's gone
    on (more rows, a larger seq), with most of its garments logged at a seq not above
    the listing's: they were not read again, the listing kept this wardrobe's."""
    from wardrobe_app.services import live_listing

    monkeypatch.setattr(live_listing, "RECENT_S", 0.0, raising=False)
    other = tmp_path / "other"
    with Wardrobe(other, FakeAnalyser(), background_index=False) as w:
        w.import_paths(photos(6, start=20, folder="other"))
    # Its log's rows at a seq below this one's largest: garments it does not read again.
    _written(other, "UPDATE garments SET name = 'Theirs'")
    _written(other, *(f"UPDATE garments SET notes = 'n{n}' WHERE id = 12" for n in range(40)))
    made_by_release(paths.database_path(other), release)
    _checkpointed(other)
    _made(home, photos)
    _written(home, *(f"UPDATE garments SET notes = 'n{n}' WHERE id = 1" for n in range(30)))
    made_by_release(paths.database_path(home), release)
    _checkpointed(home)
    with Wardrobe(home, FakeAnalyser(), background_index=False, read_only=True) as w:
        assert len(w.list_garments()) == 6
        seen = w.change_mark()
        made = garments_read(monkeypatch)
        before = paths.database_path(home).stat().st_size
        shutil.copyfile(paths.database_path(other), paths.database_path(home))
        assert paths.database_path(home).stat().st_size != before
        _written(home, "UPDATE garments SET notes = 'after the copy' WHERE id = 12")
        assert w.change_mark() != seen
        listed = w.list_garments()
        assert sorted(made) == list(range(1, 13))  # every garment read again
        assert len(listed) == 12 and {r.name for r in listed} == {"Theirs"}


@pytest.mark.parametrize("release", WITHOUT_TOKENS)
def test_a_read_only_wardrobe_without_tokens_reads_again_only_the_garments_changed(
    home: Path, photos: Photos, monkeypatch: pytest.MonkeyPatch, release: str
) -> None:
    """Commits to its -wal file leave the file's identity as it was: a name written by
    the release before reads again that garment alone, not all."""
    from wardrobe_app.services import live_listing

    monkeypatch.setattr(live_listing, "RECENT_S", 0.0, raising=False)
    _made(home, photos)
    made_by_release(paths.database_path(home), release)
    _checkpointed(home)
    with Wardrobe(home, FakeAnalyser(), background_index=False, read_only=True) as w:
        assert len(w.list_garments()) == 6
        made = garments_read(monkeypatch)
        _written(home, "UPDATE garments SET name = 'Renamed' WHERE id = 2")
        assert [r.id for r in w.list_garments() if r.name == "Renamed"] == [2]
        assert made == [2]
