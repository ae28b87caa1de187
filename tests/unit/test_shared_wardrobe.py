"""One data folder open in two places at once (the app beside the CLI): edits of either
wait for the other instead of failing, and each finds the garments the other imported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from fakes import FakeAnalyser

from wardrobe_app.service import Wardrobe
from wardrobe_app.types import CATEGORIES

MakeWardrobe = Callable[..., Wardrobe]
Photos = Callable[..., list[Path]]


def test_edits_from_two_places_wait_for_each_other(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    # Read-then-write transactions that began as readers failed at once with "database
    # is locked" when the other process committed in between (lost edits, a lost undo).
    first, second = make_wardrobe(), make_wardrobe()
    first.import_paths(photos(2))
    ids = [r.id for r in first.list_garments()]
    errors: list[BaseException] = []

    def hammer(w: Wardrobe, garment_id: int, rounds: int = 60) -> None:
        try:
            for n in range(rounds):
                w.update_garment(garment_id, notes=f"round {n}")
                w.delete_garments([garment_id])
                w.undo_delete([garment_id])
        except BaseException as exc:  # reported below, with the thread's name
            errors.append(exc)

    threads = [
        threading.Thread(target=hammer, args=(first, ids[0])),
        threading.Thread(target=hammer, args=(second, ids[1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert {r.id: r.notes for r in first.list_garments()} == {
        **{i: "" for i in ids},
        ids[0]: "round 59",
        ids[1]: "round 59",
    }


def test_similar_items_follow_imports_and_deletes_made_elsewhere(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    # The app's index only heard of its own edits: garments the CLI imported were never
    # found until a restart, and those it deleted took places among the k results.
    app, cli = make_wardrobe(), make_wardrobe()
    app.import_paths(photos(3))
    first = app.list_garments()[0].id
    assert len(app.similar(first, k=10, same_category=False)) == 5
    cli.import_paths(photos(2, start=3))
    every = {r.id for r in cli.list_garments()}
    assert len(every) == 10
    found = {h.garment.id for h in app.similar(first, k=10, same_category=False)}
    assert found == every - {first}
    gone = sorted(found)[:3]
    cli.delete_garments(gone)
    hits = app.similar(first, k=5, same_category=False)
    assert len(hits) == 5 and not {h.garment.id for h in hits} & set(gone)
    cli.undo_delete(gone)
    found = {h.garment.id for h in app.similar(first, k=10, same_category=False)}
    assert set(gone) <= found


def test_similar_items_follow_deletes_and_restores_that_keep_count_and_id_sum(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    # The fingerprint of the index's rows was their count, largest id and id sum:
    # deleting {5, 7} and restoring {4, 8} elsewhere kept all three, so the index went
    # on finding 5 and 7 (dropped from the results) and never found 4 and 8.
    app, cli = make_wardrobe(), make_wardrobe()
    app.import_paths(photos(5))
    every = {r.id for r in app.list_garments()}
    assert every == set(range(1, 11))
    cli.delete_garments([4, 8])
    assert {h.garment.id for h in app.similar(1, k=10, same_category=False)} == every - {1, 4, 8}
    cli.delete_garments([5, 7])
    cli.undo_delete([4, 8])
    found = {h.garment.id for h in app.similar(1, k=10, same_category=False)}
    assert found == every - {1, 5, 7}


@pytest.mark.parametrize("rebuilt", [False, True], ids=["trigger gone", "rebuilt"])
def test_similar_items_follow_changes_the_change_counters_missed(
    make_wardrobe: MakeWardrobe, photos: Photos, rebuilt: bool
) -> None:
    # The index trusted 0004's counters with their triggers gone (a tool dropped one, a
    # migration rebuilt the table and made them again after rewriting its rows): deletes
    # and restores elsewhere kept the counters, and the index went on finding 5 and 7 and
    # never found 4 and 8.
    import sqlite3

    from wardrobe_app import paths

    app, cli = make_wardrobe(), make_wardrobe()
    app.import_paths(photos(5))
    every = {r.id for r in app.list_garments()}
    cli.delete_garments([4, 8])
    assert {h.garment.id for h in app.similar(1, k=10, same_category=False)} == every - {1, 4, 8}
    with sqlite3.connect(paths.database_path(app.home)) as tool:
        trigger = tool.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'garments_set_changed'"
        ).fetchone()[0]
        tool.execute("DROP TRIGGER garments_set_changed")
        if rebuilt:  # its rows rewritten while the trigger was gone: the cli's changes
            tool.execute("UPDATE garments SET deleted_at = updated_at WHERE id IN (5, 7)")
            tool.execute("UPDATE garments SET deleted_at = NULL WHERE id IN (4, 8)")
            tool.execute(trigger)
    tool.close()
    if not rebuilt:
        cli.delete_garments([5, 7])
        cli.undo_delete([4, 8])
    found = {h.garment.id for h in app.similar(1, k=10, same_category=False)}
    assert found == every - {1, 5, 7}


def test_the_change_mark_follows_deletes_and_restores_that_keep_count_and_id_sum(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    # The window lists the garments again, back from the CLI, when change_mark() moved:
    # it was their count, largest and summed id and latest edit, which deleting {5, 7}
    # and restoring {4, 8} elsewhere kept, so the grid went on showing 5 and 7.
    app, cli = make_wardrobe(), make_wardrobe()
    app.import_paths(photos(5))
    cli.delete_garments([4, 8])
    seen = app.change_mark()
    cli.delete_garments([5, 7])
    cli.undo_delete([4, 8])
    assert app.change_mark() != seen
    seen = app.change_mark()
    assert app.change_mark() == seen  # nothing changed: not listed again


def test_edits_do_not_wait_for_a_new_embedder_to_re_embed_the_wardrobe(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    # Re-embedding held the lock that edits take: the garment page froze on save for as
    # long as the whole wardrobe took (12 s for 107 garments).
    from fakes import FakeAnalyser

    make_wardrobe().import_paths(photos(2))
    new = FakeAnalyser(version="fake-2")
    embedding, release = threading.Event(), threading.Event()
    embed = new.embed_cutouts

    def slow_embed(cutouts: list) -> object:
        embedding.set()
        assert release.wait(10)
        return embed(cutouts)

    new.embed_cutouts = slow_embed  # type: ignore[method-assign]
    w = make_wardrobe(analyser=new)
    gid = w.list_garments()[0].id
    loader = threading.Thread(target=lambda: w.analyser)
    loader.start()
    try:
        assert embedding.wait(10)
        edit = threading.Thread(target=lambda: w.update_garment(gid, name="Saved meanwhile"))
        edit.start()
        edit.join(5)
        assert not edit.is_alive(), "the edit waited for the re-embedding"
        w.delete_garments([gid])
        w.undo_delete([gid])
    finally:
        release.set()
        loader.join(10)
    assert w.garment(gid).name == "Saved meanwhile"
    assert {r.vector_version for r in _vector_rows(w)} == {"fake-2"}


def _vector_rows(w: Wardrobe) -> list:
    from sqlalchemy import select

    from wardrobe_app.store import Garment

    with w.store.session() as s:
        return list(s.scalars(select(Garment)))


def test_a_re_embedding_stopped_part_way_is_finished_before_similar_answers(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    # A kill during reindex leaves vectors of two embedders; the index holds one, and
    # similar left the garments of the other out without a word.
    ids, again = _two_embedders(make_wardrobe, photos, older_after=3)
    hits = again.similar(ids[0], k=10, same_category=False)
    assert sorted(h.garment.id for h in hits) == ids[1:]
    assert {r.vector_version for r in _vector_rows(again)} == {"fake-1"}


def test_an_import_into_a_closed_wardrobe_builds_the_index_once(
    make_wardrobe: MakeWardrobe, photos: Photos, home: Path
) -> None:
    # The CLI's import opened the index after its commit (which reads the new rows and
    # builds), then added them again, which built the whole index a second time.
    import json

    first = make_wardrobe()
    first.import_paths(photos(2))
    first.close()
    manifest = home / "index" / "manifest.json"
    before = json.loads(manifest.read_text())["build"]
    cli = make_wardrobe(background_index=True)
    cli.import_paths(photos(1, start=2))
    cli.close()
    after = json.loads(manifest.read_text())
    assert after["build"] == before + 1 and after["count"] == 6


def test_a_re_embedding_stopped_early_is_finished_before_the_query_vector_is_read(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    # The other way round: most garments still hold the old embedder's vectors, the
    # garment asked about among them. Its old vector was compared with the new index.
    ids, again = _two_embedders(make_wardrobe, photos, older_after=1, other_space=True)
    first = [(h.garment.id, round(h.score, 5)) for h in again.similar(ids[-1], k=10)]
    second = [(h.garment.id, round(h.score, 5)) for h in again.similar(ids[-1], k=10)]
    assert first == second


def _counted_reads(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[int]]:
    """Lists that fill as the index reads every vector again (a refresh: an entry each;
    its loader is bound before) and as the wardrobe reads garments' vectors (their ids)."""
    from wardrobe_app.search import SimilarIndex
    from wardrobe_app.services.vectors import Vectors

    refreshed: list[int] = []
    loaded: list[int] = []
    refresh, load = SimilarIndex.refresh, Vectors._load_vectors

    def counted_refresh(index: SimilarIndex) -> bool:
        refreshed.append(1)
        return refresh(index)

    def counted_load(vectors: Vectors, logged_since: int | None = None) -> tuple:
        found = load(vectors, logged_since)
        loaded.extend(int(i) for i in found[0])
        return found

    monkeypatch.setattr(SimilarIndex, "refresh", counted_refresh)
    monkeypatch.setattr(Vectors, "_load_vectors", counted_load)
    return refreshed, loaded


def _scored(w: Wardrobe, ids: list[int]) -> dict[int, list[tuple[int, float]]]:
    """Each of ``ids``' similar items (any category), with their scores."""
    return {
        i: [(h.garment.id, round(h.score, 4)) for h in w.similar(i, same_category=False)]
        for i in ids
    }


def test_similar_after_an_edit_made_here_does_not_read_every_vector_again(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index is told of this process's edits; re-reading all vectors (100 MB for a
    # large wardrobe) is for changes made elsewhere.

    w, first = _with_an_open_index(make_wardrobe, photos)

    refreshed, _ = _counted_reads(monkeypatch)
    w.import_paths(photos(1, start=2))
    assert len(w.similar(first, k=10, same_category=False)) == 5
    gone = w.list_garments()[0].id
    w.delete_garments([gone])
    assert gone not in {h.garment.id for h in w.similar(first, k=10, same_category=False)}
    w.undo_delete([gone])
    assert gone in {h.garment.id for h in w.similar(first, k=10, same_category=False)}
    assert refreshed == []


def test_rows_the_index_could_not_take_are_found_by_the_next_query(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index was marked as told of an import whose add (and the rebuild after it)
    # failed, so no query caught it up.
    from wardrobe_app.search import SimilarIndex

    w, first = _with_an_open_index(make_wardrobe, photos)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("no space left for the index")

    with monkeypatch.context() as m:
        m.setattr(SimilarIndex, "add", broken)
        m.setattr(SimilarIndex, "rebuild", broken)
        w.import_paths(photos(1, start=2))
    assert len(w.similar(first, k=10, same_category=False)) == 5


def _two_embedders(
    make_wardrobe: MakeWardrobe, photos: Photos, older_after: int, other_space: bool = False
) -> tuple[list[int], Wardrobe]:
    """A wardrobe of 6 garments whose ids after the ``older_after``-th hold vectors of an
    older embedder (in another space with ``other_space``), opened again: (ids, it)."""
    import numpy as np
    from sqlalchemy import update

    from wardrobe_app.store import Garment

    w = make_wardrobe()
    w.import_paths(photos(3))
    ids = sorted(r.id for r in w.list_garments())
    values: dict[str, object] = {"vector_version": "older-0"}
    if other_space:
        values["vector"] = np.random.default_rng(0).standard_normal(32).astype(np.float32).tobytes()
    with w.store.write_session() as s:
        s.execute(update(Garment).where(Garment.id > ids[older_after]).values(**values))
    w.close()
    return ids, make_wardrobe()


def _with_an_open_index(make_wardrobe: MakeWardrobe, photos: Photos) -> tuple[Wardrobe, int]:
    """A wardrobe of 4 garments whose index is open (a query made): (it, a garment)."""
    w = make_wardrobe()
    w.import_paths(photos(2))
    first = w.list_garments()[-1].id
    w.similar(first)
    return w, first


@pytest.mark.parametrize("clock_behind", [timedelta(0), timedelta(hours=1)], ids=["", "behind"])
def test_similar_items_follow_a_touch_up_made_elsewhere(
    make_wardrobe: MakeWardrobe,
    photos: Photos,
    monkeypatch: pytest.MonkeyPatch,
    clock_behind: timedelta,
) -> None:
    # A touch-up gives a garment another vector but adds, deletes and restores nothing:
    # the fingerprint the index catches up by did not change, and the other process's
    # index scored the garment by its old vector until it was built again. Then the
    # index read again the rows updated since the latest ``updated_at`` it had seen: a
    # touch-up dated earlier (the clock set back meanwhile) was never read.
    import numpy as np

    from wardrobe_app.services import touch_up
    from wardrobe_app.store.models import utcnow

    make_wardrobe().import_paths(photos(3))
    app, other = make_wardrobe(), make_wardrobe()  # on garments there already: see above
    ids = [r.id for r in app.list_garments()]
    monkeypatch.setattr(touch_up, "utcnow", lambda: utcnow() - clock_behind)

    before = _scored(app, ids)
    touched = ids[0]
    _, mask = other.garment_picture(touched)
    cut = np.zeros_like(mask)
    cut[:, : mask.shape[1] // 3] = True  # the garment's left third only
    other.set_garment_mask(touched, mask & cut)
    want = _scored(make_wardrobe(), ids)  # a fresh index: the truth
    assert want != before  # the touch-up moved the garment
    assert _scored(app, ids) == want
    app.update_garment(ids[1], name="renamed here")  # no vector changed
    assert _scored(app, ids) == want


def test_a_catch_up_after_edits_made_here_reads_only_the_vectors_logged_since(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A garment touched up here twice, another deleted and restored here, a third
    # renamed elsewhere: the index was told of the edits made here, yet its mark of the
    # log stayed where it was made, and the query read again the vectors of every
    # garment logged here since (of every garment where the log's newest row then was
    # replaced too often since to be found), not the one renamed elsewhere.

    make_wardrobe().import_paths(photos(3))
    app, other = make_wardrobe(), make_wardrobe()
    ids = [r.id for r in app.list_garments()]
    touched, restored, renamed = ids[0], ids[1], ids[2]
    app.similar(touched, same_category=False)  # the index open, caught up

    refreshed, loaded = _counted_reads(monkeypatch)
    _, mask = app.garment_picture(touched)
    for part in (3, 2):
        cut = np.zeros_like(mask)
        cut[:, : mask.shape[1] // part] = True  # the garment's left part only
        app.set_garment_mask(touched, mask & cut)
    app.delete_garments([restored])
    app.undo_delete([restored])
    other.update_garment(renamed, name="renamed elsewhere")

    got = _scored(app, ids)
    assert (refreshed, loaded) == ([], [renamed])
    assert got == _scored(make_wardrobe(), ids)  # a fresh index: the truth


def test_a_catch_up_after_field_edits_made_here_reads_no_vector(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A name, tags or notes edit (or a change of category) made here moves the change
    # log, not the vectors; the index was not told, and the next query read the
    # edited garment's vector again (one read per edited garment).

    make_wardrobe().import_paths(photos(3))
    app = make_wardrobe()
    ids = [r.id for r in app.list_garments()]
    app.similar(ids[0], same_category=False)  # the index open, caught up

    refreshed, loaded = _counted_reads(monkeypatch)
    app.update_garment(ids[0], name="renamed here")
    app.update_garment(ids[1], tags=["linen"], notes="washed")
    was = next(r.category for r in app.list_garments() if r.id == ids[2])
    app.update_garment(ids[2], category=next(c for c in CATEGORIES if c != was))

    got = _scored(app, ids)
    assert (refreshed, loaded) == ([], [])
    assert got == _scored(make_wardrobe(), ids)  # a fresh index: the truth


class _OtherDevice(FakeAnalyser):
    """The same similar-items model on another device (CPU beside CUDA): vectors of the
    same version that differ a little, which the app's index must still catch up with."""

    def embed_cutouts(self, cutouts: list[np.ndarray]) -> np.ndarray:
        vectors = np.asarray(super().embed_cutouts(cutouts), np.float64) ** 2
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_similar_items_follow_a_reindex_with_the_same_model_made_elsewhere(
    make_wardrobe: MakeWardrobe, photos: Photos
) -> None:
    # A reindex gives every garment new vectors of the same version and edits nothing
    # else: the index here read again only rows updated since it last looked, and a
    # re-embedding did not mark its rows updated, so it kept the old vectors for good.
    make_wardrobe().import_paths(photos(4))
    app = make_wardrobe()  # opened on garments there already: its index marks their time
    ids = [r.id for r in app.list_garments()]

    def scored(w: Wardrobe) -> list[list[tuple[int, float]]]:
        return [
            [(h.garment.id, round(h.score, 4)) for h in w.similar(i, same_category=False)]
            for i in ids
        ]

    before = scored(app)
    make_wardrobe(_OtherDevice()).reindex()
    want = scored(make_wardrobe())  # a fresh index: the truth
    assert want != before  # the reindex moved the garments
    assert scored(app) == want


def test_similar_items_follow_an_older_copy_copied_over_the_file(
    make_wardrobe: MakeWardrobe, photos: Photos, tmp_path: Path
) -> None:
    # A copy of the file taken, a garment re-embedded elsewhere and caught up with; the
    # copy copied back over the file in use (plain cp), then another garment re-embedded
    # elsewhere: the counters the index is marked by are back where they were, and it
    # kept the first garment's vector, which the wardrobe no longer holds.
    import contextlib
    import shutil
    import sqlite3

    from wardrobe_app import paths

    app = make_wardrobe()
    app.import_paths(photos(3))
    ids = [r.id for r in app.list_garments()]
    database = paths.database_path(app.home)

    def checkpointed() -> None:  # every page in the file: a plain copy is the wardrobe
        with contextlib.closing(sqlite3.connect(database)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

    def reversed_elsewhere(garment_id: int) -> None:  # another vector, as a touch-up
        with contextlib.closing(sqlite3.connect(database)) as conn, conn:
            (blob,) = conn.execute(
                "SELECT vector FROM garments WHERE id = ?", (garment_id,)
            ).fetchone()
            vector = np.frombuffer(blob, np.float32)[::-1].copy()
            conn.execute(
                "UPDATE garments SET vector = ? WHERE id = ?", (vector.tobytes(), garment_id)
            )

    before = _scored(app, ids)
    checkpointed()
    shutil.copyfile(database, tmp_path / "copy.db")
    reversed_elsewhere(ids[0])
    assert _scored(app, ids) != before  # caught up with
    checkpointed()
    shutil.copyfile(tmp_path / "copy.db", database)
    reversed_elsewhere(ids[1])
    want = _scored(make_wardrobe(), ids)  # a fresh index: the truth
    assert _scored(app, ids) == want
