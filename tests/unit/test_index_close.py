"""Closing a wardrobe while its similar-items index is being built: Annoy's build cannot
be interrupted (about 4 s at 100k vectors of 128 floats, tens of seconds for bigger
ones), and closing the window waited for all of it. Closing now leaves the build to die
with the process; it publishes nothing, and the next open is consistent. A command (the
CLI, no background builds) builds only a small wardrobe's index."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakes import FakeAnalyser, SlowBuild

from wardrobe_app import paths
from wardrobe_app.search import storage
from wardrobe_app.service import Wardrobe
from wardrobe_app.services import vectors

Photos = Callable[..., list[Path]]


@pytest.fixture
def slow_build(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowBuild]:
    slow = SlowBuild(monkeypatch)
    yield slow
    slow.end()


def _neighbours(w: Wardrobe) -> dict[int, list[int]]:
    ids = [g.id for g in w.list_garments()]
    return {i: [h.garment.id for h in w.similar(i, same_category=False)] for i in ids}


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _build_files(build: int) -> set[str]:
    return {f"ids-{build}.npy", f"vectors-{build}.npy", f"index-{build}.ann", "manifest.json"}


def test_closing_during_a_build_returns_at_once_and_the_next_open_is_consistent(
    home: Path, photos: Photos, slow_build: SlowBuild
) -> None:
    fake = FakeAnalyser()
    with Wardrobe(home, fake, background_index=False) as w:
        w.import_paths(photos(3))  # the index builds in this thread
    folder = paths.index_dir(home)
    first = storage.read_manifest(folder)["build"]
    assert _names(folder) == _build_files(first)

    slow_build.install()
    w = Wardrobe(home, fake, background_index=True)
    w.import_paths(photos(2, start=3))  # the index is behind: a build starts
    assert slow_build.started.wait(10)
    want = _neighbours(w)  # answered exactly meanwhile
    start = time.monotonic()
    w.close()
    took = time.monotonic() - start
    slow_build.end()  # the abandoned build goes on, then ends
    assert took < 5.0, f"close() waited {took:.1f} s for the index build"  # it lasts 20 s
    # It published nothing, and removed what it wrote: the first build is all there is.
    assert _names(folder) == _build_files(first)
    with Wardrobe(home, fake, background_index=False) as again:
        assert _neighbours(again) == want
    assert storage.load_build(folder, fake.dim).count == 10  # rebuilt with all 10


def test_closing_a_read_only_wardrobe_during_a_build_leaves_no_index_folder(
    home: Path,
    photos: Photos,
    slow_build: SlowBuild,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Its index lives in a temporary folder removed at close; the build abandoned then
    # must not make it again (nothing would ever remove it).
    fake = FakeAnalyser()
    with Wardrobe(home, fake, background_index=False) as w:
        w.import_paths(photos(3))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    slow_build.install()
    w = Wardrobe(home, fake, background_index=True, read_only=True)
    assert _neighbours(w)  # the index opens in a temporary folder: a build starts
    assert slow_build.started.wait(10)
    start = time.monotonic()
    w.close()
    took = time.monotonic() - start
    slow_build.end()
    assert took < 5.0, f"close() waited {took:.1f} s for the index build"  # it lasts 20 s
    assert list(scratch.iterdir()) == []


def test_a_command_on_a_large_wardrobe_builds_no_index(
    home: Path, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At 100k garments `wardrobe-cli import` built the index when it opened it (the
    # stored build lacked the photo just saved) and again at exit; `similar` built it
    # before answering where the app had been closed during its build.
    fake = FakeAnalyser()
    with Wardrobe(home, fake, background_index=False) as w:
        w.import_paths(photos(3))  # 6 garments: built
    folder = paths.index_dir(home)
    first = storage.read_manifest(folder)["build"]
    monkeypatch.setattr(vectors, "QUICK_BUILD_BELOW", 4, raising=False)  # 6: large
    builds: list[int] = []
    write_build = storage.write_build

    def counted(*a: object, **kw: object) -> None:
        builds.append(1)
        write_build(*a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(storage, "write_build", counted)
    with Wardrobe(home, fake, background_index=False) as w:
        w.import_paths(photos(2, start=3))
        want = _neighbours(w)  # exact: the stored build and the garments added since
    assert builds == [] and storage.read_manifest(folder)["build"] == first
    assert len(want) == 10 and all(want.values())
    with Wardrobe(home, fake, background_index=False) as w:
        assert _neighbours(w) == want  # the next command covers what the build lacks
    assert builds == []
    monkeypatch.setattr(vectors, "QUICK_BUILD_BELOW", 5000, raising=False)
    with Wardrobe(home, fake, background_index=False) as w:
        assert _neighbours(w) == want  # and a build gives the same
    assert builds and storage.load_build(folder, fake.dim).count == 10


def test_closing_starts_no_build_that_would_be_abandoned(
    home: Path, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build due later (edits wait for more) was started at close, to be abandoned when
    # the wait ran out: a second of every close of a large wardrobe, for nothing.
    monkeypatch.setattr(vectors, "QUICK_BUILD_BELOW", 4, raising=False)  # 6: large
    monkeypatch.setattr(vectors, "CLOSE_WAIT_S", 0.3)
    builds: list[int] = []
    write_build = storage.write_build

    def counted(*a: object, **kw: object) -> None:
        builds.append(1)
        if len(builds) == 1:
            time.sleep(0.5)  # the last build took longer than a close waits
        write_build(*a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(storage, "write_build", counted)
    fake = FakeAnalyser()
    folder = paths.index_dir(home)
    w = Wardrobe(home, fake, background_index=True)
    try:
        w.import_paths(photos(3))  # the index opens: its first build runs at once
        deadline = time.monotonic() + 10
        while not (folder / storage.MANIFEST).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        w.import_paths(photos(1, start=3))  # a build is due in 30 s
    finally:
        w.close()
    assert builds == [1], "close() started a build"
