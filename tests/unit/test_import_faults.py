"""Fault injection: an unexpected error at each step of one photo's import fails that photo
alone, leaves nothing of it behind, and the rest of the batch is saved."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakes import FakeAnalyser
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from wardrobe_app.service import Wardrobe
from wardrobe_app.services import importer
from wardrobe_app.services.importer import Importer
from wardrobe_app.services.vectors import Vectors
from wardrobe_app.store import FileStore, Garment, Photo, sha256_file
from wardrobe_app.types import ImportReport

Photos = Callable[..., list[Path]]


class Boom(RuntimeError):
    """The injected fault: no handler in the app knows it."""


def _photo_count(w: Wardrobe) -> int:
    with w.store.session() as s:
        return int(s.scalar(select(func.count(Photo.id))) or 0)


def _analysis_raises(
    error: BaseException, bad: Path, mp: pytest.MonkeyPatch, analyser: FakeAnalyser
) -> None:
    """Makes the analysis of the photo ``bad`` only raise ``error``."""
    real_analyse = analyser.analyse

    def analyse(path: Path, kind: str = "auto") -> object:
        if Path(path) == bad:
            raise error
        return real_analyse(path, kind)  # type: ignore[arg-type]

    mp.setattr(analyser, "analyse", analyse)


@contextlib.contextmanager
def _fault(stage: str, bad: Path, mp: pytest.MonkeyPatch, analyser: FakeAnalyser) -> Iterator[None]:
    """Makes ``stage`` raise ``Boom`` for the photo ``bad`` only."""
    if stage == "reading":  # the analysis opening the photo
        real_copy = importer.working_copy

        def working_copy(path: Path) -> contextlib.AbstractContextManager[object]:
            if path == bad:
                raise Boom("cannot decode")
            return real_copy(path)

        mp.setattr(importer, "working_copy", working_copy)
    elif stage == "hashing":
        real_hash = importer.sha256_file

        def hashed(path: Path) -> str:
            if Path(path) == bad:
                raise Boom("hash")
            return real_hash(path)

        mp.setattr(importer, "sha256_file", hashed)
    elif stage == "duplicate check":
        sha, real_find = sha256_file(bad), Importer._photo_by_sha

        def by_sha(self: Importer, digest: str) -> int | None:
            if digest == sha:
                raise Boom("query")
            return real_find(self, digest)

        mp.setattr(Importer, "_photo_by_sha", by_sha)
    elif stage == "analysis":
        _analysis_raises(Boom("model"), bad, mp, analyser)
    elif stage == "writing files":  # after the photo, its label map and a mask were stored
        real_put_photo, real_png = importer._put_photo, FileStore.put_png
        written: list[int] = []

        def put_photo(files: FileStore, path: Path, sha: str, suffix: str) -> tuple[str, bool]:
            if path == bad:
                written.append(1)
            return real_put_photo(files, path, sha, suffix)

        def put_png(self: FileStore, image: object) -> tuple[str, bool]:
            if written:
                written.append(1)
                if len(written) == 4:
                    raise Boom("disk")
            return real_png(self, image)  # type: ignore[arg-type]

        mp.setattr(importer, "_put_photo", put_photo)
        mp.setattr(FileStore, "put_png", put_png)
    elif stage == "commit":

        def before_commit(session: Session) -> None:
            for obj in session.identity_map.values():
                if isinstance(obj, Photo) and obj.source_path == str(bad.resolve()):
                    raise Boom("commit")

        event.listen(Session, "before_commit", before_commit)
        try:
            yield
        finally:
            event.remove(Session, "before_commit", before_commit)
        return
    elif stage == "index":
        real_add = Vectors.index_add
        sha = sha256_file(bad)

        def index_add(self: Vectors, ids: list[int], vectors: list[object]) -> bool:
            if ids and _photo_of(self, ids[0]) == sha:
                raise Boom("index")
            return real_add(self, ids, vectors)  # type: ignore[arg-type]

        mp.setattr(Vectors, "index_add", index_add)
    else:
        raise AssertionError(stage)
    yield


def _photo_of(vectors: Vectors, garment_id: int) -> str | None:
    with vectors.store.session() as s:
        return s.scalar(
            select(Photo.sha256)
            .join(Garment, Garment.photo_id == Photo.id)
            .where(Garment.id == garment_id)
        )


BEFORE_THE_COMMIT = ["reading", "hashing", "duplicate check", "analysis", "writing files", "commit"]


@pytest.mark.parametrize("stage", BEFORE_THE_COMMIT)
def test_a_fault_at_one_photo_fails_it_alone_and_leaves_nothing_of_it(
    wardrobe: Wardrobe,
    photos: Photos,
    fake_analyser: FakeAnalyser,
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
) -> None:
    # A bug in the duplicate check ended the whole batch: the photos after it unread.
    files = photos(3)
    bad = files[1]
    with monkeypatch.context() as mp, _fault(stage, bad, mp, fake_analyser):
        report = wardrobe.import_paths(files)
    assert [(r.path, r.status) for r in report.results] == [
        (files[0], "imported"),
        (bad, "failed"),
        (files[2], "imported"),
    ]
    error = report.results[1].error or ""
    assert error.startswith(f"{bad}: unexpected error: Boom: ") and "see the log" in error
    assert _photo_count(wardrobe) == 2
    assert wardrobe.verify().ok, wardrobe.verify()  # no orphan file, no half row
    # Nothing of it is in the way: imported once the fault is gone.
    again = wardrobe.import_paths(files)
    assert [r.status for r in again.results] == ["duplicate", "imported", "duplicate"]
    assert wardrobe.verify().ok


def test_a_fault_telling_the_index_keeps_the_photo_saved_and_found(
    wardrobe: Wardrobe,
    photos: Photos,
    fake_analyser: FakeAnalyser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Committed, the photo is in the wardrobe: "failed" would be untrue, and importing it
    # again a duplicate. The index, not told, catches up at its next query.
    files = photos(3)
    bad = files[1]
    with monkeypatch.context() as mp, _fault("index", bad, mp, fake_analyser):
        report = wardrobe.import_paths(files)
    assert [r.status for r in report.results] == ["imported"] * 3
    assert _photo_count(wardrobe) == 3 and wardrobe.verify().ok
    saved = [g.id for g in report.results[1].garments]
    others = [g.id for r in (report.results[0], report.results[2]) for g in r.garments]
    found = {h.garment.id for g in others for h in wardrobe.similar(g, same_category=False)}
    assert set(saved) <= found


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_a_stop_at_one_photo_raises_and_leaves_the_photos_saved_before_it_reported(
    wardrobe: Wardrobe,
    photos: Photos,
    fake_analyser: FakeAnalyser,
    monkeypatch: pytest.MonkeyPatch,
    stop: type[BaseException],
) -> None:
    # Not one photo's failure: it stops the import (Ctrl+C twice). What was saved before
    # it was not in the report (the CLI's --json wrote nothing).
    files = photos(3)
    _analysis_raises(stop(), files[2], monkeypatch, fake_analyser)
    report = ImportReport()
    with pytest.raises(stop):
        wardrobe.import_paths(files, into=report)
    # the second photo's save, in flight on its thread, was waited for
    assert [(r.path, r.status) for r in report.results] == [
        (files[0], "imported"),
        (files[1], "imported"),
    ]
    assert _photo_count(wardrobe) == 2 and wardrobe.verify().ok


def test_a_photo_out_of_memory_fails_alone(
    wardrobe: Wardrobe,
    photos: Photos,
    fake_analyser: FakeAnalyser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A photo too big for the memory left: its arrays go with it, the next can go on.
    files = photos(3)
    _analysis_raises(MemoryError(), files[1], monkeypatch, fake_analyser)
    report = wardrobe.import_paths(files)
    assert [r.status for r in report.results] == ["imported", "failed", "imported"]
    assert report.results[1].error == f"{files[1]}: out of memory analysing it"
    assert wardrobe.verify().ok


@pytest.mark.parametrize("change", ["removed", "rewritten"])
def test_a_photo_removed_or_rewritten_after_its_analysis_fails_alone(
    wardrobe: Wardrobe,
    photos: Photos,
    fake_analyser: FakeAnalyser,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    # Between its analysis and its storing (a sync client, a move in a file manager).
    files = photos(3)
    real = fake_analyser.analyse

    def analyse(path: Path, kind: str = "auto") -> object:
        analysis = real(path, kind)  # type: ignore[arg-type]
        if Path(path) == files[1]:
            if change == "removed":
                files[1].unlink()
            else:
                files[1].write_bytes(files[0].read_bytes())
        return analysis

    monkeypatch.setattr(fake_analyser, "analyse", analyse)
    report = wardrobe.import_paths(files)
    assert [r.status for r in report.results] == ["imported", "failed", "imported"]
    said = {
        "removed": "could not be read again to store it",
        "rewritten": "changed while it was being imported",
    }[change]
    assert said in (report.results[1].error or "")
    assert _photo_count(wardrobe) == 2 and wardrobe.verify().ok
