"""A writable wardrobe's similar items, as before vectors of two models were kept apart
for read-only ones (6680906): the "most common version" now counts live garments only,
and a garment whose vector is of another model than the one compared gets no results.
A writable wardrobe describes its garments again, so every path ends as it did: the
same neighbours, every vector of the installed model, nothing named "not compared"."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from fakes import FakeAnalyser, stop_reindex_part_way

from wardrobe_app import paths
from wardrobe_app.service import Wardrobe

Photos = Callable[..., list[Path]]
IDS = range(1, 7)


def _neighbours(w: Wardrobe) -> dict[int, list[int]]:
    return {i: [h.garment.id for h in w.similar(i, same_category=False)] for i in IDS}


def _versions(home: Path) -> dict[int, str | None]:
    with sqlite3.connect(paths.database_path(home)) as conn:
        rows = conn.execute("SELECT id, vector_version FROM garments").fetchall()
    conn.close()
    return dict(rows)


def _baseline(home: Path, photos: Photos) -> dict[int, list[int]]:
    """6 garments (3 photos) of "fake-1", closed; their neighbours."""
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.import_paths(photos(3))
        found = _neighbours(w)
    assert all(found.values())
    return found


def test_first_open_without_vectors(home: Path, photos: Photos) -> None:
    fake = FakeAnalyser()
    with Wardrobe(home, fake, background_index=False) as w:
        assert w.not_compared() == []
        w.import_paths(photos(3))
        assert all(_neighbours(w).values())
        assert w.not_compared() == []


def test_before_the_analyser_loads_and_after(home: Path, photos: Photos) -> None:
    before = _baseline(home, photos)
    fake = FakeAnalyser()
    with Wardrobe(home, fake, background_index=False) as w:
        assert _neighbours(w) == before and fake.embedded == 0  # not loaded for it
        assert w.not_compared() == [] and fake.embedded == 0
        w.analyser  # noqa: B018 - loads it (in step: nothing described again)
        assert _neighbours(w) == before and fake.embedded == 0


def test_import_after_a_model_upgrade(home: Path, photos: Photos) -> None:
    before = _baseline(home, photos)
    fake = FakeAnalyser("fake-2", permute=True)
    with Wardrobe(home, fake, background_index=False) as w:
        assert _neighbours(w) == before  # the stored model's, until the analyser loads
        _, hits = w.similar_to_photo(photos(1, start=7)[0])  # loads it: described again
        assert set(_versions(home).values()) == {"fake-2"} and all(hits)
        w.import_paths(photos(1, start=8))
        old = {i: [g for g in n if g in before] for i, n in _neighbours(w).items()}
        assert old == before  # the new garments among them
        assert w.not_compared() == []


def test_a_reindex_stopped_part_way_is_resumed(home: Path, photos: Photos) -> None:
    before = _baseline(home, photos)
    for first in ((1, 2), (1, 2, 3, 4)):  # the new model's the fewer, then the more
        stop_reindex_part_way(paths.database_path(home), first)
        with Wardrobe(home, FakeAnalyser("fake-2", permute=True), background_index=False) as w:
            assert _neighbours(w) == before
            assert set(_versions(home).values()) == {"fake-2"}
            assert w.not_compared() == []
        # Back to "fake-1" everywhere for the next round.
        with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
            w.reindex()


def test_a_cut_out_that_cannot_be_described_again(home: Path, photos: Photos) -> None:
    """Its vector of the old model is dropped: no results for it, and none name it."""
    before = _baseline(home, photos)
    stop_reindex_part_way(paths.database_path(home), (1, 2))
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        cutout = Path(w.garment(3).cutout_path)
    cutout.unlink()
    with Wardrobe(home, FakeAnalyser("fake-2", permute=True), background_index=False) as w:
        found = _neighbours(w)
        assert found[3] == []
        assert found == {i: [g for g in n if g != 3] if i != 3 else [] for i, n in before.items()}


def test_deleted_and_restored(home: Path, photos: Photos) -> None:
    before = _baseline(home, photos)
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.similar(1)
        w.delete_garments([2])
        assert 2 not in [h.garment.id for h in w.similar(1, same_category=False)]
        w.undo_delete([2])
        assert _neighbours(w) == before


def test_opened_beside_one_whose_garments_are_all_deleted(home: Path, photos: Photos) -> None:
    """Another process opens the wardrobe while this one's garments are all deleted (no
    live vector: no "most common" model), then this one undoes it."""
    before = _baseline(home, photos)
    with Wardrobe(home, FakeAnalyser(), background_index=False) as a:
        a.delete_garments(list(IDS))
        with Wardrobe(home, FakeAnalyser(), background_index=False) as b:
            assert b.list_garments() == []
            a.undo_delete(list(IDS))
            assert _neighbours(b) == before
            assert b.not_compared() == []


SECOND_PROCESS = """
import json, sys
sys.path.insert(0, sys.argv[2])
from fakes import FakeAnalyser
from wardrobe_app.service import Wardrobe
with Wardrobe(sys.argv[1], FakeAnalyser(), background_index=False) as w:
    ids = range(1, 7)
    found = {i: [h.garment.id for h in w.similar(i, same_category=False)] for i in ids}
    print(json.dumps({"found": found, "embedded": w._analyser.embedded}))
"""


def test_the_index_persisted_and_reopened_by_a_second_process(home: Path, photos: Photos) -> None:
    before = _baseline(home, photos)
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.delete_garments([6])
        w.undo_delete([6])
        assert _neighbours(w) == before
    assert any(paths.index_dir(home).iterdir())
    tests_dir = Path(__file__).resolve().parents[1]
    run = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, str(home), str(tests_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    said = json.loads(run.stdout)
    assert {int(i): n for i, n in said["found"].items()} == before
    assert said["embedded"] == 0
