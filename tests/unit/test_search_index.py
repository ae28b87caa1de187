"""SimilarIndex: Annoy build + exact delta + tombstones, persistence and threading."""

from __future__ import annotations

import contextlib
import errno
import threading
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import numpy as np
import pytest

from wardrobe_app.search import SimilarIndex, storage

DIM = 16
BUILD_FILES = [("ids", "npy"), ("index", "ann"), ("vectors", "npy")]


class FakeDB:
    """Stands in for the garment table: the loader returns every current row."""

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim
        self.rows: dict[int, np.ndarray] = {}
        self.lock = threading.Lock()
        self.loads = 0
        self.after_snapshot: Callable[[], None] = lambda: None  # hook: block a rebuild

    def put(self, ids: list[int], vectors: np.ndarray) -> None:
        with self.lock:
            for i, v in zip(ids, vectors, strict=True):
                self.rows[i] = np.asarray(v, dtype=np.float32)

    def delete(self, ids: list[int]) -> None:
        with self.lock:
            for i in ids:
                self.rows.pop(i, None)

    def loader(self) -> tuple[np.ndarray, np.ndarray]:
        with self.lock:
            self.loads += 1
            ids = np.array(sorted(self.rows), dtype=np.int64)
            vecs = np.array([self.rows[i] for i in ids.tolist()], dtype=np.float32)
        self.after_snapshot()
        return ids, vecs.reshape(-1, self.dim)


def random_vectors(rng: np.random.Generator, n: int, dim: int = DIM) -> np.ndarray:
    return rng.standard_normal((n, dim)).astype(np.float32)


def exact(
    db: FakeDB,
    q: np.ndarray,
    k: int,
    exclude: Collection[int] = (),
    allowed: Collection[int] | None = None,
) -> list[tuple[int, float]]:
    """The reference answer: brute-force cosine, best first, ties by id."""
    ids = [i for i in sorted(db.rows) if i not in exclude and (allowed is None or i in allowed)]
    if not ids:
        return []
    m = np.array([db.rows[i] for i in ids], dtype=np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    s = m @ (q / np.linalg.norm(q)).astype(np.float32)
    order = np.lexsort((np.array(ids), -s))[:k]
    return [(ids[i], float(s[i])) for i in order]


def assert_same(got: list[tuple[int, float]], want: list[tuple[int, float]]) -> None:
    assert [i for i, _ in got] == [i for i, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-5)


def check_queries(
    index: SimilarIndex, db: FakeDB, rng: np.random.Generator, n: int = 15, **kw: object
) -> None:
    for _ in range(n):
        q = random_vectors(rng, 1, db.dim)[0]
        assert_same(index.query(q, 10, **kw), exact(db, q, 10, **kw))  # type: ignore[arg-type]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def db(rng: np.random.Generator) -> FakeDB:
    d = FakeDB()
    d.put(list(range(1, 301)), random_vectors(rng, 300))
    return d


@pytest.fixture
def mapped_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds mapped from their own files, as where no private copy can be made (a full
    disk): a change made to them on disk is then found before a query reads them."""

    def no_room(place: Path) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(place))

    monkeypatch.setattr(storage, "_unnamed_file", no_room)


@pytest.fixture
def make(tmp_path: Path, db: FakeDB) -> Iterator[Callable[..., SimilarIndex]]:
    """Open indexes on one directory (closed at teardown); kwargs go to SimilarIndex.
    ``settle``: wait for the build that opening may start."""
    made: list[SimilarIndex] = []

    def _make(loader_db: FakeDB | None = None, settle: bool = True, **kw: object) -> SimilarIndex:
        src = loader_db or db
        kw.setdefault("background", False)
        kw.setdefault("n_trees", 10)
        index = SimilarIndex(tmp_path / "index", src.dim, src.loader, **kw)  # type: ignore[arg-type]
        index.open()
        made.append(index)
        if settle:
            assert index.wait_idle(timeout=10)
        return index

    yield _make
    for index in made:
        index.close()


def annoy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a query falls back to brute force over the build."""

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("brute force used instead of Annoy")

    monkeypatch.setattr(SimilarIndex, "_exact", staticmethod(boom))


# ---- building and querying ---------------------------------------------------------------


def test_fresh_index_matches_exact(make, db, rng) -> None:
    index = make()
    assert index.built_count == 300 and index.delta_count == 0
    check_queries(index, db, rng)
    assert sorted(p.name for p in (index.directory).iterdir()) == [
        "ids-1.npy",
        "index-1.ann",
        "manifest.json",
        "vectors-1.npy",
    ]


def test_annoy_path_matches_exact(make, rng, monkeypatch) -> None:
    big = FakeDB(dim=8)
    big.put(list(range(2000)), random_vectors(rng, 2000, 8))
    index = make(big, exact_below=0, n_trees=10, search_k=1000, recall_target=None)
    annoy_only(monkeypatch)
    check_queries(index, big, rng, n=30)
    q = random_vectors(rng, 1, 8)[0]
    assert_same(index.query(q, 10, exclude={5, 6}), exact(big, q, 10, exclude={5, 6}))


def test_search_k_is_calibrated_per_build(make, rng) -> None:
    big = FakeDB(dim=12)
    big.put(list(range(3000)), random_vectors(rng, 3000, 12))
    index = make(big, exact_below=0, n_trees=10, search_k=20)  # far too little effort
    tuned = index.search_k
    assert tuned == 0 or tuned > 20  # raised, or brute force where Annoy can't get there
    check_queries(index, big, rng, n=20)
    index.close()
    assert make(big, exact_below=0, n_trees=10, search_k=20).search_k == tuned  # stored


def test_unreachable_recall_target_means_brute_force(make, rng, monkeypatch) -> None:
    big = FakeDB(dim=8)
    big.put(list(range(2000)), random_vectors(rng, 2000, 8))
    index = make(big, exact_below=0, n_trees=10, search_k=100, recall_target=1.5)
    assert index.search_k == 0
    scans = []
    exact_search = SimilarIndex._exact
    monkeypatch.setattr(
        SimilarIndex, "_exact", staticmethod(lambda *a: scans.append(1) or exact_search(*a))
    )
    check_queries(index, big, rng, n=5)
    assert len(scans) == 5
    # Brute force with a large ``allowed`` (scan, then filter the best) and a small one.
    check_queries(index, big, rng, n=5, allowed={i for i in big.rows if i % 3}, exclude={1, 2})
    check_queries(index, big, rng, n=5, allowed=set(range(0, 2000, 50)), exclude={50})


def test_delta_found_before_rebuild_then_built(make, db, rng) -> None:
    index = make(background=True, rebuild_delay=60)  # no automatic rebuild in this test
    new = random_vectors(rng, 20)
    db.put(list(range(1000, 1020)), new)
    index.add(list(range(1000, 1020)), new)
    assert index.delta_count == 20 and index.built_count == 300
    hit = index.query(new[3], 1)
    assert hit[0][0] == 1003 and hit[0][1] == pytest.approx(1.0, abs=1e-5)
    check_queries(index, db, rng)
    index.rebuild(wait=True)
    assert index.delta_count == 0 and index.built_count == 320
    check_queries(index, db, rng)


def test_add_schedules_background_rebuild(make, db, rng) -> None:
    index = make(background=True, rebuild_delay=0.01, exact_below=0)  # Annoy answers
    new = random_vectors(rng, 5)
    db.put([500, 501, 502, 503, 504], new)
    index.add([500, 501, 502, 503, 504], new)
    deadline = time.monotonic() + 10
    while index.build_number != 2 and time.monotonic() < deadline:  # nobody waits for it
        time.sleep(0.01)
    assert index.wait_idle(timeout=10)
    assert index.delta_count == 0 and index.built_count == 305 and index.build_number == 2
    check_queries(index, db, rng)


def test_a_small_index_rebuilds_after_a_pause_in_the_edits(make, db, rng) -> None:
    # Under exact_below every query scans, the build as the delta: a build after each
    # photo of an import (0.35 s each at 3,800 garments) only took CPU from the import.
    index = make(background=True, rebuild_delay=0.01)  # 300 vectors, exact_below 5000
    new = random_vectors(rng, 5)
    db.put([500, 501, 502, 503, 504], new)
    index.add([500, 501, 502, 503, 504], new)
    time.sleep(0.5)
    assert index.build_number == 1 and index.delta_count == 5
    check_queries(index, db, rng)  # the delta answers meanwhile
    assert index.wait_idle(timeout=10)  # waiting for it (closing the wardrobe) runs it now
    assert index.delta_count == 0 and index.built_count == 305 and index.build_number == 2


def test_re_adding_an_id_replaces_its_vector(make, db, rng) -> None:
    index = make()
    v = random_vectors(rng, 1)
    db.put([7], v)
    index.add([7], v)
    assert index.query(v[0], 1)[0][0] == 7
    np.testing.assert_allclose(index.vector_of(7), v[0] / np.linalg.norm(v[0]), atol=1e-6)
    check_queries(index, db, rng)


def test_removed_are_never_returned(make, db, rng) -> None:
    index = make(background=True, rebuild_delay=60)
    q = random_vectors(rng, 1)[0]
    top = [i for i, _ in index.query(q, 5)]
    new = random_vectors(rng, 3)
    db.put([900, 901, 902], new)
    index.add([900, 901, 902], new)
    gone = [*top, 901]
    db.delete(gone)
    index.remove(gone)
    for when in ("tombstoned", "rebuilt"):
        got = [i for i, _ in index.query(q, 300)]
        assert not set(got) & set(gone), when
        assert index.query(new[1], 1)[0][0] != 901
        assert index.vector_of(top[0]) is None and index.vector_of(901) is None
        check_queries(index, db, rng)
        index.rebuild(wait=True)
    assert index.built_count == 300 + 3 - 6


def test_exclude_and_allowed(make, db, rng, monkeypatch) -> None:
    index = make(background=True, rebuild_delay=60)
    new = random_vectors(rng, 30)
    db.put(list(range(2000, 2030)), new)  # in the delta: restrictions apply there too
    index.add(list(range(2000, 2030)), new)
    tops = {i for i in db.rows if i % 3 == 0}
    few = {4, 8, 15, 16, 23, 42, 2001}
    for allowed in (tops, few, {999_999}, set()):
        check_queries(index, db, rng, n=5, allowed=allowed)
        check_queries(index, db, rng, n=5, allowed=allowed, exclude={3, 6, 2001})
    res = index.query(db.rows[42], 10, exclude=[42], allowed=few)
    assert 42 not in {i for i, _ in res} and {i for i, _ in res} <= few


def test_allowed_on_the_annoy_path(make, rng, monkeypatch) -> None:
    big = FakeDB(dim=8)
    big.put(list(range(4500)), random_vectors(rng, 4500, 8))
    index = make(big, exact_below=0, n_trees=20, search_k=300, recall_target=None)
    third = {i for i in big.rows if i % 3 == 1}
    with monkeypatch.context() as m:
        annoy_only(m)  # a third of the items: Annoy, asked for about 3x the candidates
        check_queries(index, big, rng, n=10, allowed=third, exclude={1, 4})
    # Thirty allowed ids: brute force over them beats asking Annoy for 200x more.
    check_queries(index, big, rng, n=5, allowed=set(range(0, 3000, 100)))


def test_vector_of(make, db, rng) -> None:
    index = make()
    v = db.rows[10] / np.linalg.norm(db.rows[10])
    np.testing.assert_allclose(index.vector_of(10), v, atol=1e-6)
    assert index.vector_of(12345) is None


def test_empty_database(make, rng) -> None:
    empty = FakeDB()
    index = make(empty)
    assert index.query(random_vectors(rng, 1)[0]) == []
    v = random_vectors(rng, 2)
    empty.put([1, 2], v)
    index.add([1, 2], v)
    assert [i for i, _ in index.query(v[0])] == [1, 2]
    index.rebuild()
    assert index.built_count == 2 and [i for i, _ in index.query(v[0])] == [1, 2]


def test_bad_input_and_lifecycle(tmp_path, db, rng) -> None:
    index = SimilarIndex(tmp_path / "ix", DIM, db.loader, background=False)
    with pytest.raises(RuntimeError):
        index.query(random_vectors(rng, 1)[0])
    index.open()
    with pytest.raises(ValueError):
        index.query(np.zeros(DIM + 1, dtype=np.float32))
    with pytest.raises(ValueError):
        index.add([1, 2], random_vectors(rng, 3))
    index.close()
    with pytest.raises(RuntimeError):
        index.query(random_vectors(rng, 1)[0])


def test_a_build_the_disk_refuses_is_said_in_a_line_and_the_index_still_answers(
    tmp_path, db, rng, monkeypatch, caplog
) -> None:
    # An index folder it may not write in printed a whole traceback after every CLI
    # command's output (exit status 0): it read as a crash.
    import logging

    def refused(*_a: object, **_k: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "ix"))

    monkeypatch.setattr(storage, "write_build", refused)
    index = SimilarIndex(tmp_path / "ix", DIM, db.loader, background=False)
    with caplog.at_level(logging.WARNING, logger="wardrobe_app"):
        index.open()
    said = [r for r in caplog.records if "searching exactly" in r.getMessage()]
    assert len(said) == 1 and said[0].exc_info is None
    assert "Permission denied" in said[0].getMessage()
    query = random_vectors(rng, 1)[0]
    assert_same(index.query(query, k=5), exact(db, query, k=5))
    index.close()


# ---- persistence -------------------------------------------------------------------------


def test_restart_maps_the_stored_build(make, db, rng) -> None:
    first = make()
    first.close()
    loads = db.loads
    again = make()
    assert again.build_number == 1 and again.built_count == 300 and again.delta_count == 0
    assert db.loads == loads + 1  # one read to reconcile, no rebuild
    check_queries(again, db, rng)


def test_restart_catches_up_on_unbuilt_edits(make, db, rng, monkeypatch) -> None:
    first = make(background=True, rebuild_delay=60)
    new = random_vectors(rng, 10)
    db.put(list(range(700, 710)), new)
    first.add(list(range(700, 710)), new)
    db.delete([1, 2, 3])
    first.remove([1, 2, 3])
    changed = random_vectors(rng, 1)
    db.put([50], changed)
    first.add([50], changed)
    first.close()  # before the rebuild: the edits only reached the database
    release = threading.Event()
    write_build = storage.write_build

    def held_write_build(*a: object, **kw: object) -> None:
        assert release.wait(10)
        write_build(*a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(storage, "write_build", held_write_build)
    again = make(background=True, rebuild_delay=60, settle=False)
    assert again.build_number == 1 and again.delta_count == 11  # 10 new + 1 changed
    check_queries(again, db, rng)
    assert again.query(changed[0], 1)[0][0] == 50
    release.set()  # the catch-up build started by open() may go on
    assert again.wait_idle(timeout=10)
    assert again.build_number == 2 and again.delta_count == 0 and again.built_count == 307
    check_queries(again, db, rng)


def test_edits_while_open_reads_the_database_win(make, db, rng, tmp_path) -> None:
    make().close()
    old, newer = random_vectors(rng, 2)
    db.put([50], old[None])  # changed since the build: open() will cover it from the loader
    index: list[SimilarIndex] = []

    def edit_meanwhile() -> None:  # after the loader's snapshot, before open() returns
        db.after_snapshot = lambda: None
        db.put([50], newer[None])
        index[0].add([50], newer[None])
        db.delete([60])
        index[0].remove([60])

    db.after_snapshot = edit_meanwhile
    ix = SimilarIndex(tmp_path / "index", DIM, db.loader, background=False, n_trees=10)
    index.append(ix)
    ix.open()
    try:
        np.testing.assert_allclose(ix.vector_of(50), newer / np.linalg.norm(newer), atol=1e-6)
        assert ix.vector_of(60) is None
        check_queries(ix, db, rng)
    finally:
        ix.close()


@pytest.mark.parametrize("target", ["index-1.ann", "ids-1.npy", "vectors-1.npy", "manifest.json"])
@pytest.mark.parametrize("damage", ["garbage", "same-size garbage", "missing"])
def test_damaged_files_are_rebuilt(make, db, rng, target, damage) -> None:
    first = make()
    first.close()
    path = first.directory / target
    if damage == "missing":
        path.unlink()
    else:
        size = path.stat().st_size if damage == "same-size garbage" else 1234
        path.write_bytes(np.random.default_rng(7).bytes(size))
    again = make(background=True, settle=False)
    check_queries(again, db, rng)  # exact over the loader's rows until the build lands
    assert again.wait_idle(timeout=10)
    assert again.built_count == 300
    check_queries(again, db, rng)
    # A manifest that can't be read takes build 1's files with it; else build 1 is replaced.
    assert again.build_number == (1 if target == "manifest.json" else 2)
    names = {p.name for p in again.directory.iterdir()}
    assert names == {f"{s}-{again.build_number}.{e}" for s, e in BUILD_FILES} | {"manifest.json"}
    build = again.build_number
    again.close()
    third = make(background=True, settle=False)  # the repaired build maps without a rebuild
    assert third.build_number == build and third.built_count == 300


def test_dimension_change_rebuilds(make, db, rng) -> None:
    make().close()
    small = FakeDB(dim=8)
    small.put(list(range(50)), random_vectors(rng, 50, 8))
    again = make(small)
    assert again.build_number == 2 and again.built_count == 50
    check_queries(again, small, rng)


# ---- threads -----------------------------------------------------------------------------


def _rebuild_held_after_its_snapshot(index: SimilarIndex, db: FakeDB) -> threading.Event:
    """A rebuild of ``index`` begun and held once it has read ``db`` (the reads after it
    are not held); the event returned lets it go on."""
    in_loader, release = threading.Event(), threading.Event()

    def hold() -> None:
        in_loader.set()
        assert release.wait(10)

    db.after_snapshot = hold
    index.rebuild()
    assert in_loader.wait(10)  # the rebuild has its snapshot and is blocked
    db.after_snapshot = lambda: None
    return release


def test_edits_during_a_rebuild_are_kept(make, db, rng) -> None:
    index = make(background=True, rebuild_delay=60)
    release = _rebuild_held_after_its_snapshot(index, db)
    new = random_vectors(rng, 40)

    def adder(part: int) -> None:
        ids = list(range(5000 + part * 10, 5010 + part * 10))
        db.put(ids, new[part * 10 : part * 10 + 10])
        index.add(ids, new[part * 10 : part * 10 + 10])

    threads = [threading.Thread(target=adder, args=(p,)) for p in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.delete([10, 11])
    index.remove([10, 11])
    check_queries(index, db, rng, n=5)
    release.set()
    index.rebuild(wait=True)  # the one blocked, then exactly one more
    assert index.wait_idle(timeout=10)
    assert index.built_count == 300 + 40 - 2 and index.delta_count == 0
    check_queries(index, db, rng)


def test_swap_keeps_edits_made_after_the_snapshot(make, db, rng) -> None:
    index = make(background=True, rebuild_delay=60)
    release = _rebuild_held_after_its_snapshot(index, db)
    new = random_vectors(rng, 5)
    db.put(list(range(800, 805)), new)
    index.add(list(range(800, 805)), new)
    db.delete([20])
    index.remove([20])
    loads = db.loads
    release.set()
    # Wait for the blocked build only: the rebuild the edits asked for is 60 s away.
    deadline = time.monotonic() + 10
    while index.build_number < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert index.build_number == 2 and db.loads == loads
    assert index.delta_count == 5 and index.vector_of(20) is None
    check_queries(index, db, rng)


def test_rebuild_requests_coalesce(make, db, rng) -> None:
    index = make(background=True, rebuild_delay=60)
    loads = db.loads
    release = _rebuild_held_after_its_snapshot(index, db)
    for _ in range(5):
        index.rebuild()
    release.set()
    assert index.wait_idle(timeout=10)
    assert db.loads == loads + 2 and index.build_number == 3


def test_queries_while_rebuilding(make, db, rng) -> None:
    index = make(background=True, rebuild_delay=0)
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        r = np.random.default_rng(5)
        try:
            while not stop.is_set():
                res = index.query(random_vectors(r, 1)[0], 10)
                assert len(res) == 10
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers:
        t.start()
    for n in range(10):
        v = random_vectors(rng, 3)
        ids = [3000 + 3 * n, 3001 + 3 * n, 3002 + 3 * n]
        db.put(ids, v)
        index.add(ids, v)
    assert index.wait_idle(timeout=10)
    stop.set()
    for t in readers:
        t.join()
    assert not errors
    assert index.built_count + index.delta_count == 330
    check_queries(index, db, rng)


# ---- another process on the same database and folder ---------------------------------------


def test_refresh_catches_up_with_changes_made_elsewhere(make, db, rng) -> None:
    index = make()
    index.remove([7])  # hidden here; then restored elsewhere (an undo in the other process)
    new = random_vectors(rng, 4)
    db.put([900, 901, 902, 903], new)  # imported elsewhere
    db.delete([1, 2])  # deleted elsewhere
    changed = random_vectors(rng, 1)
    db.put([10], changed)  # re-embedded elsewhere
    mine = random_vectors(rng, 1)
    db.put([800], mine)
    index.add([800], mine)  # added here, then deleted elsewhere
    db.delete([800])
    assert index.query(new[0], 1)[0][0] != 900  # not told: not found
    index.refresh()
    check_queries(index, db, rng)
    assert index.query(new[0], 1)[0][0] == 900 and index.query(changed[0], 1)[0][0] == 10
    assert index.vector_of(7) is not None and index.vector_of(800) is None
    assert index.vector_of(1) is None
    loads = db.loads
    index.refresh()  # nothing new: nothing changes
    assert db.loads == loads + 1 and index.delta_count == 6
    index.rebuild()
    assert index.delta_count == 0
    check_queries(index, db, rng)


def test_refresh_keeps_edits_made_here_after_its_snapshot(make, db, rng) -> None:
    index = make()
    newer = random_vectors(rng, 1)

    def edit_meanwhile() -> None:  # after refresh() read the rows
        db.after_snapshot = lambda: None
        index.add([5], newer)  # the database will have it after this call returns
        index.remove([6])

    db.after_snapshot = edit_meanwhile
    index.refresh()
    np.testing.assert_allclose(index.vector_of(5), newer[0] / np.linalg.norm(newer), atol=1e-6)
    assert index.vector_of(6) is None


def test_two_indexes_building_in_one_folder_do_not_break_each_other(make, db, rng) -> None:
    # The app and the CLI each rebuild; one used to delete the other's files mid-build.
    first, second = make(), make()
    errors: list[BaseException] = []

    def rebuild_often(index: SimilarIndex) -> None:
        try:
            for _ in range(15):
                index.rebuild()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=rebuild_often, args=(ix,)) for ix in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert storage.load_build(first.directory, DIM).count == 300
    check_queries(first, db, rng)
    check_queries(second, db, rng)


@pytest.mark.parametrize("value", [None, "../../etc", [3]])
def test_a_manifest_whose_build_is_no_number_is_replaced(make, db, rng, value) -> None:
    # It broke every later build: the wardrobe searched by brute force for good.
    import json

    first = make()
    first.close()
    path = first.directory / storage.MANIFEST
    path.write_text(json.dumps({**json.loads(path.read_text()), "build": value}))
    again = make()  # the unreadable manifest took build 1's files with it
    assert again.build_number == 1 and again.built_count == 300
    assert json.loads(path.read_text())["build"] == 1
    check_queries(again, db, rng)


def test_closing_does_not_wait_for_another_process_building(make, db, tmp_path) -> None:
    # A build waiting for the folder lock could not see that its index was closed: the
    # app hung on close while the CLI (suspended, say) held the lock.
    import fcntl
    import os

    index = make(background=True, rebuild_delay=0)
    other = os.open(index.directory, os.O_RDONLY)  # another open file: another process
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        index.rebuild()
        time.sleep(0.2)  # the build is waiting for the lock
        closer = threading.Thread(target=index.close)
        closer.start()
        closer.join(5)
        assert not closer.is_alive(), "close() waited for the other process's lock"
    finally:
        os.close(other)


def test_clean_keeps_the_build_the_manifest_names(make, db, rng) -> None:
    # A process that loaded build 1 cleaned with keep=1 after another had published
    # build 2, and took build 2's files: both then rebuilt from scratch.
    first = make()
    second = make()
    second.rebuild()
    assert second.build_number == 2
    storage.clean(first.directory, keep=1)
    assert storage.load_build(first.directory, DIM).build == 2


_KILLED_WHILE_SAVING = """
import sys, time
from pathlib import Path
import numpy as np
from annoy import AnnoyIndex
from wardrobe_app.search import storage

class Dying(AnnoyIndex):
    def save(self, fn, prefault=False):
        super().save(fn, prefault)
        with open(fn, "r+b") as f:  # half written when the process dies
            f.truncate(f.seek(0, 2) // 2)
        print("saving", flush=True)
        time.sleep(60)

storage.AnnoyIndex = Dying
folder = Path(sys.argv[1])
vectors = np.random.default_rng(5).standard_normal((400, {dim})).astype(np.float32)
with storage.exclusive(folder) as mine:
    storage.write_build(folder, storage.next_build_number(folder), np.arange(400) + 1,
                        storage.normalise(vectors, {dim}), n_trees=5, search_k=100)
"""


def test_a_build_killed_part_way_leaves_only_temporaries_ignored_and_removed(make, db, rng) -> None:
    # A build killed (a crash, kill -9, the app's process ending during it) placed its
    # ids and vectors under a build's names before Annoy had even started.
    import subprocess
    import sys

    first = make()
    first.close()
    folder = first.directory
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WHILE_SAVING.format(dim=DIM), str(folder)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "saving"
    finally:
        child.kill()
        child.wait()
    left = (
        {p.name for p in folder.iterdir()}
        - {f"{s}-1.{e}" for s, e in BUILD_FILES}
        - {storage.MANIFEST}
    )
    assert left and all(name.endswith(".tmp") for name in left), left  # the half-made one
    again = make(background=True, settle=False)
    assert again.build_number == 1 and again.built_count == 300 and again.delta_count == 0
    check_queries(again, db, rng)
    names = {p.name for p in folder.iterdir()}
    assert names == {f"{s}-1.{e}" for s, e in BUILD_FILES} | {"manifest.json"}


# A child's index of 600 vectors on ``folder``, built once, that Annoy answers.
_CHILD_INDEX = """
ids = np.arange(1, 601)
vectors = np.random.default_rng(3).standard_normal((600, {dim})).astype(np.float32)
index = SimilarIndex(folder, {dim}, lambda: (ids, vectors), background=False, n_trees=5,
                     exact_below=100, search_k=50, recall_target=None)  # Annoy answers
index.open()
assert index.build_number == 1 and index.built_count == 600 and index.search_k == 50
"""

_TRUNCATED_WHILE_MAPPED = (
    """
import errno, json, sys
from pathlib import Path
import numpy as np
from wardrobe_app.search import SimilarIndex, storage

def no_room(place):  # no private copy can be made: the build's own files are mapped
    raise OSError(errno.ENOSPC, "No space left on device", str(place))

storage._unnamed_file = no_room
folder, pattern = Path(sys.argv[1]), sys.argv[2]
"""
    + _CHILD_INDEX
    + """
with open(next(folder.glob(pattern)), "r+b") as f:  # another program, in place
    f.truncate(0)
found = index.query(vectors[9], 5)
held = index.vector_of(10)
built = index.build_number
index.rebuild()
print(json.dumps({{"found": found, "held": held.tolist(), "built": [built, index.build_number],
                  "again": index.query(vectors[9], 5)}}))
"""
)


_CHANGED_DURING_A_QUERY = (
    """
import json, sys
from pathlib import Path
import numpy as np
from wardrobe_app.search import SimilarIndex, storage

folder, pattern, change = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
"""
    + _CHILD_INDEX
    + """
asked = range(0, 600, 60)
before = [index.query(vectors[i], 5) for i in asked]
held_before = index.vector_of(10).tolist()
target = next(folder.glob(pattern))
intact = storage.Built.intact

def changed_right_after_the_check(self):  # another program, in place, during the query
    answer = intact(self)
    with open(target, "r+b") as f:
        if change == "truncated":
            f.truncate(0)
        else:  # written over: the same size, other bytes
            size = f.seek(0, 2)
            f.seek(0)
            f.write(np.random.default_rng(7).bytes(size))
    return answer

storage.Built.intact = changed_right_after_the_check
after = [index.query(vectors[i], 5) for i in asked]
try:
    storage.load_build(folder, {dim})
    stored = "as built"
except storage.IndexFileError as exc:
    stored = str(exc)
print(json.dumps({{"before": before, "after": after, "held": index.vector_of(10).tolist(),
                  "held_before": held_before, "build": index.build_number,
                  "stored": stored}}))
"""
)


@pytest.mark.parametrize("change", ["truncated", "written over"])
@pytest.mark.parametrize("pattern", ["index-*.ann", "vectors-*.npy"])
def test_a_build_changed_on_disk_during_a_query_is_read_as_it_was_loaded(pattern, change) -> None:
    # Truncated after the stat that looks for such a change but before the query read
    # the pages (another program at work meanwhile): the process died (SIGBUS); written
    # over, Annoy followed garbage offsets and the scores were garbage. The index maps a
    # private copy of each build. In a child, so that a crash fails this test, not the run.
    import json
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                _CHANGED_DURING_A_QUERY.format(dim=DIM),
                folder,
                pattern,
                change,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        left = sorted(p.name for p in Path(folder).iterdir())
        target = next(Path(folder).glob(pattern)).name
    assert child.returncode == 0, (child.returncode, child.stderr[-2000:])
    told = json.loads(child.stdout)
    assert told["stored"] == f"{target} is corrupt"  # changed on disk: built again next start
    assert told["after"] == told["before"] and told["held"] == told["held_before"]
    assert [hits[0][0] for hits in told["after"]] == [i + 1 for i in range(0, 600, 60)]
    assert told["build"] == 1  # nothing to drop: its copy is as it was loaded
    # No copy left behind: the build's files and the manifest
    assert left == sorted(["manifest.json", "ids-1.npy", "vectors-1.npy", "index-1.ann"])


def test_a_build_is_mapped_from_a_copy_that_leaves_no_file(make, db, rng) -> None:
    # The copy has no name (O_TMPFILE): nothing is left behind, even by a kill.
    index = make()
    assert index.build_number == 1 and storage.load_build(index.directory, DIM).mapped == ()
    assert sorted(p.name for p in index.directory.iterdir()) == sorted(
        [f"{s}-1.{e}" for s, e in BUILD_FILES] + [storage.MANIFEST]
    )
    for name in ("index-1.ann", "vectors-1.npy"):
        (index.directory / name).write_bytes(b"")  # truncated between queries
    check_queries(index, db, rng)  # the copy answers: nothing dropped, nothing rebuilt
    assert index.build_number == 1 and index.built_count == 300


def test_without_o_tmpfile_the_copy_is_unlinked_before_it_is_written(
    make, db, rng, monkeypatch
) -> None:
    # A named file, removed at once: a process killed between the two leaves an empty
    # ``.tmp`` file, which the next clean-up removes.
    import tempfile

    monkeypatch.delattr(storage.os, "O_TMPFILE", raising=False)
    named: list[Path] = []
    mkstemp = tempfile.mkstemp

    def recorded(**kw: object) -> tuple[int, str]:
        fd, name = mkstemp(**kw)  # type: ignore[call-overload]
        named.append(Path(name))
        return fd, name

    monkeypatch.setattr(storage.tempfile, "mkstemp", recorded)
    index = make()
    assert index.build_number == 1
    assert len(named) == 2 and all(
        p.parent == index.directory
        and p.name.startswith("private-")
        and p.suffix == ".tmp"
        and not p.exists()
        for p in named
    ), named
    assert storage.load_build(index.directory, DIM).mapped == ()
    check_queries(index, db, rng)
    stray = index.directory / "private-dead1234.tmp"  # a process killed in between
    stray.write_bytes(b"")
    make(background=True)  # opening cleans up
    assert not stray.exists()


def test_a_build_file_removed_before_its_copy_is_missing_not_mapped_in_place(
    make, monkeypatch, caplog
) -> None:
    # Removed between its look-up and its copy (another process's clean-up): said
    # missing, not taken for a place with no room for a copy.
    import logging

    index = make()
    private_copy = storage._private_copy

    def removed_first(path: Path, places: list[Path]) -> tuple[int, int, int]:
        path.unlink()
        return private_copy(path, places)

    monkeypatch.setattr(storage, "_private_copy", removed_first)
    with (
        caplog.at_level(logging.INFO, logger=storage.__name__),
        pytest.raises(storage.IndexFileError, match=r"vectors-1\.npy is missing"),
    ):
        storage.load_build(index.directory, DIM)
    assert "mapped in place" not in caplog.text


@pytest.mark.parametrize("trouble", ["not writable", "full"])
def test_a_copy_the_index_folder_cannot_take_goes_to_the_temporary_folder(
    make, db, rng, monkeypatch, tmp_path, trouble
) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    unnamed, write_all = storage._unnamed_file, storage._write_all
    places: list[Path] = []
    index_dir = tmp_path / "index"

    def refusing(place: Path) -> int:
        places.append(place)
        if place == index_dir and trouble == "not writable":
            raise PermissionError(errno.EACCES, "Permission denied", str(place))
        return unnamed(place)

    full: list[bool] = []

    def filling(fd: int, data: memoryview) -> None:
        if trouble == "full" and not full:  # the first file's copy in the index folder
            full.append(True)
            raise OSError(errno.ENOSPC, "No space left on device")
        write_all(fd, data)

    monkeypatch.setattr(storage, "_unnamed_file", refusing)
    monkeypatch.setattr(storage, "_write_all", filling)
    index = make()
    assert index.build_number == 1 and index.built_count == 300
    assert places[:2] == [index_dir, scratch]  # the vectors' copy: in the other place
    assert storage.load_build(index_dir, DIM).mapped == ()  # copies, not the files
    check_queries(index, db, rng)
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in index_dir.iterdir()) == sorted(
        [f"{s}-1.{e}" for s, e in BUILD_FILES] + [storage.MANIFEST]
    )


def test_a_copy_opened_by_a_name_that_shares_its_offset_is_read_from_its_start(
    make, db, rng, monkeypatch
) -> None:
    # macOS and the BSDs have no O_TMPFILE nor /proc: the copy is opened again by
    # /dev/fd/N, which there duplicates the descriptor, its offset with it (fd(4)).
    # np.load opened it so, left at the copy's end: no header (EOFError, not
    # IndexFileError), and at its start, its second open read past the first's
    # read-ahead: every start failed to open the index, every build to load its files.
    import builtins
    import os

    built = make()
    assert built.build_number == 1
    monkeypatch.delattr(storage.os, "O_TMPFILE", raising=False)
    monkeypatch.setattr(storage, "_fd_path", lambda fd: f"/dev/fd/{fd}")
    real_open = builtins.open

    def open_as_a_dup(file, mode="r", *args, **kw):  # type: ignore[no-untyped-def]
        if isinstance(file, str) and file.startswith("/dev/fd/"):  # as fd(4) says
            return os.fdopen(os.dup(int(file.rsplit("/", 1)[1])), mode, *args, **kw)
        return real_open(file, mode, *args, **kw)

    monkeypatch.setattr(builtins, "open", open_as_a_dup)  # Annoy opens it in C: as here
    loaded = storage.load_build(built.directory, DIM)
    assert loaded.mapped == () and loaded.count == 300  # the copy, read
    np.testing.assert_array_equal(loaded.ids, np.arange(1, 301))
    np.testing.assert_allclose(loaded.vectors, np.load(built.directory / "vectors-1.npy"))
    index = make()  # opened from the stored build, not rebuilt
    assert index.build_number == 1 and index.built_count == 300
    check_queries(index, db, rng)
    index.rebuild()  # a build loads what it wrote the same way
    assert index.build_number == 2
    check_queries(index, db, rng)


def test_a_copy_whose_name_will_not_open_is_mapped_in_place_not_rebuilt(
    make, db, rng, monkeypatch, caplog
) -> None:
    # No /proc/self/fd nor /dev/fd to open the copy by (a sandbox without /proc, a BSD
    # without fdescfs): the build's own files are mapped, as where no copy can be made.
    # Taken for unreadable arrays, the stored build was rebuilt at every start, and every
    # build failed to load what it wrote (the index never built).
    import logging

    built = make()
    assert built.build_number == 1
    monkeypatch.setattr(storage, "_fd_path", lambda fd: f"/nonexistent/fd/{fd}")
    with caplog.at_level(logging.INFO, logger=storage.__name__):
        loaded = storage.load_build(built.directory, DIM)
    assert len(loaded.mapped) == 2 and "mapped in place" in caplog.text
    index = make()
    assert index.build_number == 1 and index.built_count == 300
    check_queries(index, db, rng)
    index.rebuild()
    assert index.build_number == 2 and index.built_count == 300
    check_queries(index, db, rng)


def test_a_copy_whose_name_cannot_be_unlinked_leaves_no_descriptor_open(
    make, db, rng, monkeypatch, tmp_path
) -> None:
    # Without O_TMPFILE the copy is named, then unlinked: where the unlink failed (a
    # network share that keeps an open file's name, EBUSY), the descriptor was left open
    # (no copy made there, the files mapped in place), one per file and place each load.
    import os
    import tempfile

    # The named copies the failed unlink leaves go here, not in the system's /tmp (the
    # second place tried): every run of the suite left one there.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    index = make()
    monkeypatch.delattr(storage.os, "O_TMPFILE", raising=False)
    unlink = os.unlink

    def busy(path, *args, **kw):  # type: ignore[no-untyped-def]
        if os.path.basename(path).startswith("private-"):
            raise OSError(errno.EBUSY, "Device or resource busy", str(path))
        return unlink(path, *args, **kw)

    def private_copies_open() -> list[str]:
        return [
            target
            for fd in os.listdir("/proc/self/fd")
            if "private-" in (target := os.path.realpath(f"/proc/self/fd/{fd}"))
        ]

    monkeypatch.setattr(os, "unlink", busy)
    loaded = storage.load_build(index.directory, DIM)
    monkeypatch.setattr(os, "unlink", unlink)
    assert len(loaded.mapped) == 2  # no copy could be made: the files themselves
    assert private_copies_open() == []
    check_queries(make(), db, rng)


@pytest.mark.parametrize("private", [True, False])
@pytest.mark.parametrize("name", ["ids", "vectors"])
def test_an_empty_file_that_a_manifest_describes_is_an_index_file_error(
    make, request, name, private
) -> None:
    # A manifest written by another program that says so (size 0, CRC 0): numpy found no
    # data (EOFError), which open() did not take for a build to make again.
    import json

    index = make()
    manifest = json.loads((index.directory / storage.MANIFEST).read_text())
    manifest["files"][name].update(size=0, crc32=0)
    (index.directory / storage.MANIFEST).write_text(json.dumps(manifest))
    (index.directory / f"{name}-1.npy").write_bytes(b"")
    if not private:
        request.getfixturevalue("mapped_in_place")
    with pytest.raises(storage.IndexFileError, match="unreadable arrays"):
        storage.load_build(index.directory, DIM)


@pytest.mark.parametrize("pattern", ["index-*.ann", "vectors-*.npy"])
def test_a_build_truncated_while_mapped_is_searched_exactly_not_a_crash(pattern) -> None:
    # Mapped in place (no private copy could be made): its pages past the new end killed
    # the process on the next query (SIGBUS), with no word of why; in a child, so that
    # a crash fails this test, not the run.
    import json
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        child = subprocess.run(
            [sys.executable, "-c", _TRUNCATED_WHILE_MAPPED.format(dim=DIM), folder, pattern],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert child.returncode == 0, (child.returncode, child.stderr[-2000:])
    assert "was changed on disk by another program" in child.stderr
    told = json.loads(child.stdout)
    db = FakeDB()
    db.put(list(range(1, 601)), np.random.default_rng(3).standard_normal((600, DIM)))
    want = exact(db, db.rows[10], 5)
    assert_same([(i, s) for i, s in told["found"]], want)
    assert len(told["again"]) == 5 and told["again"][0][0] == 10  # Annoy's, approximate
    np.testing.assert_allclose(told["held"], db.rows[10] / np.linalg.norm(db.rows[10]), atol=1e-6)
    assert told["built"] == [0, 2]  # exact until built again (a new build, mapped)


@pytest.mark.usefixtures("mapped_in_place")
def test_a_build_written_over_while_mapped_is_built_again_in_the_background(make, db, rng):
    # Written over in place (its time moved, as any write moves it): its pages are no
    # longer those verified at load, and Annoy trusts their offsets blindly.
    import os

    index = make(background=True)
    assert index.build_number == 1
    ann = index.directory / "index-1.ann"
    st = ann.stat()
    os.utime(ann, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    check_queries(index, db, rng, n=3)  # exact over the database's rows, not the file
    assert index.wait_idle(timeout=10)
    assert index.build_number == 2 and index.built_count == 300
    check_queries(index, db, rng)


@pytest.mark.usefixtures("mapped_in_place")
def test_a_refresh_meeting_a_build_changed_on_disk_keeps_what_was_added_after_its_read(
    make, db, rng
):
    # The build is replaced by the database's rows read after the refresh's own read:
    # compared with that older read, a garment another process added in between took a
    # tombstone: this index did not find it until told of it again (the app's next
    # catch-up) or built again (never where builds are not in the background).
    import os

    index = make()
    assert index.build_number == 1
    ann = index.directory / "index-1.ann"
    st = ann.stat()
    os.utime(ann, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # written over
    added = random_vectors(rng, 1)

    def another_process_adds() -> None:  # after the refresh's read, once
        db.after_snapshot = lambda: None
        db.put([301], added)

    db.after_snapshot = another_process_adds
    assert index.refresh()
    assert index.query(added[0], 1)[0][0] == 301
    check_queries(index, db, rng)


def test_closing_waits_for_a_build_reading_the_database_but_not_for_the_build(make, db) -> None:
    # A build abandoned at close must not be left reading the database: the wardrobe
    # closes it next, and the process may exit with the read's connection open.
    index = make(background=True, rebuild_delay=0)
    reading, read = threading.Event(), threading.Event()

    def slow_read() -> None:
        reading.set()
        time.sleep(0.3)
        read.set()

    db.after_snapshot = slow_read
    index.rebuild()
    assert reading.wait(5)
    index.close(timeout=0)
    assert read.is_set()


@pytest.mark.parametrize("background", [False, True])
@pytest.mark.parametrize("reader", ["rebuild", "refresh", "open"])
def test_closing_waits_for_a_read_of_the_database_in_another_thread(
    make, db, background, reader, tmp_path
) -> None:
    # Without the rebuild thread, close() did not wait for a build run by rebuild() in
    # another thread, and it never waited for a refresh()'s read, nor open()'s: the
    # wardrobe then closed the database under the read. The read's call ends cleanly
    # instead.
    index = make(background=background, rebuild_delay=3600)
    if reader == "open":  # another index on the stored build, being opened
        index = SimilarIndex(
            tmp_path / "index",
            DIM,
            db.loader,
            background=background,
            rebuild_delay=3600,
            n_trees=10,
        )
    reading, release, close_returned = threading.Event(), threading.Event(), threading.Event()
    close_returned_during_read: list[bool] = []

    def held_read() -> None:
        db.after_snapshot = lambda: None  # this read only
        reading.set()
        assert release.wait(30)
        close_returned_during_read.append(close_returned.is_set())

    db.after_snapshot = held_read
    errors: list[BaseException] = []

    def read() -> None:
        try:
            if reader == "rebuild":
                index.rebuild(wait=True)
            elif reader == "open":
                index.open()
            else:
                index.refresh()
        except BaseException as exc:  # the test's failure, not the thread's
            errors.append(exc)

    def close() -> None:
        index.close(timeout=0)
        close_returned.set()

    reader_thread = threading.Thread(target=read)
    reader_thread.start()
    assert reading.wait(30)
    closer = threading.Thread(target=close)
    closer.start()
    deadline = time.monotonic() + 30
    while not index_closed(index):  # close() has begun: let the read end
        assert time.monotonic() < deadline, "close() never began"
        time.sleep(0.01)
    release.set()
    reader_thread.join(30)
    closer.join(30)
    assert not reader_thread.is_alive() and not closer.is_alive()
    assert close_returned_during_read == [False], "close() returned during the read"
    if reader == "refresh":
        assert errors == []
    else:  # a build asked of, or an open of, a closed index: said, not a crash
        assert all(isinstance(e, RuntimeError) for e in errors)
    if reader == "open":  # and it holds nothing, nor builds anything
        assert index.count == 0 and index.build_number == 0
        assert index.wait_idle(timeout=10)


def index_closed(index: SimilarIndex) -> bool:
    """Whether ``index`` says it is closed (edits refused; also while it is opened)."""
    try:
        index.remove([])  # no id: changes nothing
    except RuntimeError:
        return True
    return False


def test_a_folder_removed_while_open_is_made_again_by_the_next_build(make, db, rng) -> None:
    # Every build failed after it (no such folder) until the app was started again.
    import shutil

    index = make(background=True, rebuild_delay=0)
    shutil.rmtree(index.directory)
    check_queries(index, db, rng)  # the mapped build still answers
    new = random_vectors(rng, 5)
    db.put(list(range(800, 805)), new)
    index.add(list(range(800, 805)), new)
    index.rebuild(wait=True)
    assert index.built_count == 305 and index.delta_count == 0
    check_queries(index, db, rng)
    assert storage.load_build(index.directory, DIM).build == index.build_number


def test_a_build_closed_during_calibration_writes_nothing(make, db, monkeypatch) -> None:
    # Calibration takes seconds at 100k vectors; a build abandoned at close then wrote
    # its files (hundreds of MB, fsync'ed), only to remove them.
    calibrating, release = threading.Event(), threading.Event()
    tune = storage.tune_search_k
    written: list[object] = []

    def held_tune(*a: object, **kw: object) -> int:
        calibrating.set()
        assert release.wait(10)
        return tune(*a, **kw)  # type: ignore[arg-type]

    index = make(background=True, rebuild_delay=0)
    monkeypatch.setattr(storage, "tune_search_k", held_tune)
    monkeypatch.setattr(storage, "_save_npy", lambda *a: written.append(a))
    index.rebuild()
    assert calibrating.wait(10)
    index.close(timeout=0)  # abandoned during calibration
    release.set()
    for thread in threading.enumerate():
        if thread.name == "similar-index-rebuild":
            thread.join(10)
    assert written == []


def test_update_takes_rows_changed_elsewhere_but_not_over_edits_made_here(make, db, rng) -> None:
    index = make()
    moved = random_vectors(rng, 1)
    kept = db.rows[7].copy()

    def read() -> tuple[np.ndarray, np.ndarray]:
        db.put([5], moved)  # touched up elsewhere
        rows = np.array([5, 7], dtype=np.int64), np.stack([moved[0], kept])
        db.delete([7])  # deleted here while the rows were read
        index.remove([7])
        return rows

    assert index.update(read)
    assert index.vector_of(7) is None
    np.testing.assert_allclose(index.vector_of(5), moved[0] / np.linalg.norm(moved[0]), atol=1e-6)
    assert index.delta_count == 1
    check_queries(index, db, rng)


def test_an_update_meeting_a_build_that_read_later_rows_keeps_the_newer_vectors(
    make, db, rng
) -> None:
    # A build lands after update() read its rows, having read the database later (the
    # garment touched up again elsewhere meanwhile): compared with it, the update's
    # older row differed, and went in the delta over the build's newer vector.
    index = make()
    older, newer = random_vectors(rng, 2)
    db.put([5], older[None])  # touched up elsewhere
    built: list[int] = []

    def read() -> tuple[np.ndarray, np.ndarray]:
        rows = np.array([5], dtype=np.int64), db.rows[5][None].copy()
        if not built:  # after the first read: touched up again, and a build that reads
            db.put([5], newer[None])  # it lands
            index.rebuild()
            built.append(index.build_number)
        return rows

    assert index.update(read)
    assert built == [2] and index.build_number == 2
    np.testing.assert_allclose(index.vector_of(5), newer / np.linalg.norm(newer), atol=1e-6)
    assert index.delta_count == 0
    check_queries(index, db, rng)


def test_a_refresh_meeting_a_build_that_read_later_rows_keeps_what_it_holds(make, db, rng) -> None:
    # A build lands after refresh() read the rows, having read the database later (a
    # garment added and one touched up elsewhere meanwhile): compared with it, the
    # added one was gone and took a tombstone, the touched-up one went back.
    index = make()
    added, newer = random_vectors(rng, 2)

    def another_process_writes() -> None:  # after the refresh's read, once
        db.after_snapshot = lambda: None
        db.put([301, 5], np.stack([added, newer]))
        index.rebuild()  # reads them

    db.after_snapshot = another_process_writes
    assert index.refresh()
    assert index.build_number == 2 and index.built_count == 301
    assert index.query(added, 1)[0][0] == 301
    np.testing.assert_allclose(index.vector_of(5), newer / np.linalg.norm(newer), atol=1e-6)
    assert index.delta_count == 0
    check_queries(index, db, rng)


def _hold_build_writes(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Builds held after their read of the database, before their files are written:
    ``writing`` is set when one is held there, ``release`` lets it go on."""
    writing, release = threading.Event(), threading.Event()
    write_build = storage.write_build

    def held_write_build(*a: object, **kw: object) -> None:
        writing.set()
        assert release.wait(10)
        write_build(*a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(storage, "write_build", held_write_build)
    return writing, release


@pytest.mark.usefixtures("mapped_in_place")
def test_a_build_that_read_the_database_before_a_changed_build_was_replaced_does_not_land(
    make, db, rng, monkeypatch
) -> None:
    # A build reads the database; then this index's build changes on disk and is replaced
    # by the rows read after (a garment added here, one added elsewhere). The first build
    # landed over them: both were lost, the one added here dropped from the delta too.
    import os

    index = make()
    writing, release = _hold_build_writes(monkeypatch)
    building = threading.Thread(target=index.rebuild)
    building.start()
    try:
        assert writing.wait(10)
        here, elsewhere = random_vectors(rng, 2)
        db.put([301, 302], np.stack([here, elsewhere]))
        index.add([301], here[None])
        ann = index.directory / "index-1.ann"
        st = ann.stat()
        os.utime(ann, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # written over
        assert index.query(elsewhere, 1)[0][0] == 302  # the database's rows, read now
    finally:
        release.set()
        building.join(10)
    assert not building.is_alive()
    assert index.query(here, 1)[0][0] == 301
    assert index.query(elsewhere, 1)[0][0] == 302
    check_queries(index, db, rng)
    index.rebuild()  # the next build holds them
    assert index.built_count == 302 and index.delta_count == 0
    check_queries(index, db, rng)


def test_an_update_read_after_a_build_read_keeps_what_it_found_once_the_build_lands(
    make, db, rng, monkeypatch
) -> None:
    # A build takes its mark after update()'s and reads the database before it; a garment
    # added elsewhere in between is found by the update, put in the delta with the
    # update's mark, and dropped with the delta entries up to the build's when it lands:
    # not found again, and the app's next catch-up did not look (its mark was passed).
    index = make()
    writing, release = _hold_build_writes(monkeypatch)
    added = random_vectors(rng, 1)
    building = threading.Thread(target=index.rebuild)

    def read() -> tuple[np.ndarray, np.ndarray]:
        building.start()  # marked after this update; reads the database first
        assert writing.wait(10)
        db.put([301], added)  # elsewhere
        return np.array([301], dtype=np.int64), added.copy()

    try:
        assert index.update(read)
        assert index.query(added[0], 1)[0][0] == 301
    finally:
        release.set()
        building.join(10)
    assert not building.is_alive() and index.build_number == 2
    assert index.query(added[0], 1)[0][0] == 301
    check_queries(index, db, rng)


@pytest.mark.usefixtures("mapped_in_place")
def test_a_build_that_read_before_a_changed_build_was_replaced_catches_up_once_landed(
    make, db, rng, monkeypatch
) -> None:
    # The other order: the build takes its mark after _drop_changed's, but reads the
    # database before it. It lands (its mark is the later) and a garment added elsewhere
    # between the two reads, found by the exact search meanwhile, was lost.
    import os

    index = make()
    writing, release = _hold_build_writes(monkeypatch)
    added = random_vectors(rng, 1)
    building = threading.Thread(target=index.rebuild)
    database_read, me = index._database_read, threading.current_thread()

    @contextlib.contextmanager
    def read_after_the_build() -> Iterator[bool]:  # _drop_changed's, once marked
        if threading.current_thread() is me and not building.ident:
            building.start()
            assert writing.wait(10)
            db.put([301], added)  # elsewhere
        with database_read() as still_open:
            yield still_open

    monkeypatch.setattr(index, "_database_read", read_after_the_build)
    ann = index.directory / "index-1.ann"
    st = ann.stat()
    os.utime(ann, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # written over
    try:
        assert index.query(added[0], 1)[0][0] == 301
    finally:
        release.set()
        building.join(10)
    assert not building.is_alive() and index.build_number == 2
    assert index.query(added[0], 1)[0][0] == 301
    check_queries(index, db, rng)


@pytest.mark.usefixtures("mapped_in_place")
def test_rebuild_after_a_changed_build_was_replaced_builds_from_a_fresh_read(make, db, rng) -> None:
    # open() left the index unbuilt (a command that must not wait), holding its read for
    # the build; the stored build then changed on disk and was replaced by a later read.
    # rebuild() built from open()'s older read, which may not replace the later one: it
    # was dropped, and the command's rebuild built nothing.
    import os

    make().close()
    added = random_vectors(rng, 1)
    db.put([301], added)  # elsewhere, after that build
    index = make(build_below=1)
    assert index.build_number == 1 and index.delta_count == 1
    ann = index.directory / "index-1.ann"
    st = ann.stat()
    os.utime(ann, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # written over
    assert index.query(added[0], 1)[0][0] == 301  # exact, over a later read
    index.rebuild()
    assert index.build_number == 2 and index.built_count == 301 and index.delta_count == 0
    check_queries(index, db, rng)


@pytest.mark.parametrize("later", ["update", "refresh"])
def test_an_update_applied_after_a_later_catch_up_does_not_put_back_an_older_vector(
    make, db, rng, later
) -> None:
    # Two catch-ups (two threads asking for similar items): the later read finds the
    # garment as the build holds it, so leaves nothing in the delta; the earlier read,
    # applied after it, put its older vector (an undo elsewhere, then redone) over it.
    index = make()
    built, undone = db.rows[5].copy(), random_vectors(rng, 1)[0]

    def read() -> tuple[np.ndarray, np.ndarray]:
        rows = np.array([5], dtype=np.int64), undone[None].copy()  # undone elsewhere
        db.put([5], built[None])  # and redone
        if later == "update":
            assert index.update(lambda: (np.array([5], dtype=np.int64), built[None].copy()))
        else:
            assert index.refresh()
        return rows

    assert index.update(read)
    np.testing.assert_allclose(index.vector_of(5), built / np.linalg.norm(built), atol=1e-6)
    assert index.delta_count == 0
    check_queries(index, db, rng)
