"""A re-embedding for a new similar-items model (every garment, minutes at 100k) stops
when the wardrobe closes or on Ctrl+C: each batch is committed, so what was done is kept
and the next load goes on with the rest; closing no longer waits for all of it."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fakes import FakeAnalyser, SlowEmbedder

from wardrobe_app import paths, service
from wardrobe_app.service import EmbeddingStopped, Wardrobe
from wardrobe_app.services import vectors

Photos = Callable[..., list[Path]]
GARMENTS = 16  # 8 photos of 2


def _versions(home: Path) -> list[str | None]:
    with sqlite3.connect(paths.database_path(home)) as conn:
        rows = conn.execute("SELECT vector_version FROM garments ORDER BY id").fetchall()
    conn.close()
    return [v for (v,) in rows]


def _neighbours(w: Wardrobe) -> dict[int, list[int]]:
    return {
        i: [h.garment.id for h in w.similar(i, same_category=False)] for i in range(1, GARMENTS + 1)
    }


@pytest.fixture
def upgraded(home: Path, photos: Photos, monkeypatch: pytest.MonkeyPatch) -> dict[int, list[int]]:
    """16 garments embedded by "fake-1" (closed), re-embedded one a batch from now on;
    their neighbours, which the new model ("fake-1" permuted) finds too."""
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.import_paths(photos(GARMENTS // 2))
        found = _neighbours(w)
    assert len(found) == GARMENTS and all(found.values())
    monkeypatch.setattr(vectors, "EMBED_BATCH", 1)
    return found


def test_closing_during_a_re_embedding_returns_and_the_next_open_goes_on(
    home: Path, upgraded: dict[int, list[int]]
) -> None:
    slow = SlowEmbedder(delay=0.3)  # all of it: 4.8 s
    w = Wardrobe(home, slow, background_index=False)
    raised: list[BaseException] = []

    def load() -> None:  # as the app's model-loading job does
        try:
            w.analyser  # noqa: B018
        except BaseException as exc:
            raised.append(exc)

    loading = threading.Thread(target=load)
    loading.start()
    assert slow.started.wait(10)
    start = time.monotonic()
    w.close()
    took = time.monotonic() - start
    loading.join(10)
    assert took < 2.0, f"closing waited {took:.1f} s for the re-embedding"
    assert len(raised) == 1 and isinstance(raised[0], EmbeddingStopped)
    kept = _versions(home).count("fake-2")
    assert 1 <= kept < GARMENTS  # the batches done were committed
    assert set(_versions(home)) == {"fake-1", "fake-2"}
    again = FakeAnalyser("fake-2", permute=True)
    with Wardrobe(home, again, background_index=False) as w:
        w.analyser  # noqa: B018 - goes on with the others, not from the start
        assert again.embedded == GARMENTS - kept
        assert set(_versions(home)) == {"fake-2"}
        assert _neighbours(w) == upgraded
        assert w.verify().ok


def test_ctrl_c_during_the_re_embedding_of_a_command_keeps_what_was_done(
    home: Path,
    upgraded: dict[int, list[int]],
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service, "ANALYSER_FACTORY", lambda: SlowEmbedder(interrupt_at=4))
    rc, _, err = cli("reindex")  # its first load re-embeds, and is interrupted
    assert rc == 130
    assert (
        f"interrupted: re-embedding stopped: 3 of {GARMENTS} garments done and kept; the "
        "rest are re-embedded the next time the model loads" in err
    )
    assert _versions(home).count("fake-2") == 3
    again = FakeAnalyser("fake-2", permute=True)
    with Wardrobe(home, again, background_index=False) as w:
        w.analyser  # noqa: B018
        assert again.embedded == GARMENTS - 3
        assert _neighbours(w) == upgraded


def test_ctrl_c_during_a_reindex_keeps_what_was_done(
    home: Path,
    upgraded: dict[int, list[int]],
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Wardrobe(home, FakeAnalyser("fake-2", permute=True), background_index=False) as w:
        w.analyser  # noqa: B018 - every garment of "fake-2"
    monkeypatch.setattr(service, "ANALYSER_FACTORY", lambda: SlowEmbedder(interrupt_at=6))
    rc, _, err = cli("reindex")
    assert rc == 130
    assert (
        f"interrupted: re-embedding stopped: 5 of {GARMENTS} garments done and kept; the "
        "others keep the vectors they had" in err
    )
    assert set(_versions(home)) == {"fake-2"}
    with Wardrobe(home, FakeAnalyser("fake-2", permute=True), background_index=False) as w:
        assert _neighbours(w) == upgraded


def test_a_reindex_after_an_upgrade_embeds_each_garment_once(
    home: Path,
    upgraded: dict[int, list[int]],
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its first load re-embedded every garment for the new model, then the reindex did
    # all of them again: twice the minutes at 100k garments.
    made: list[FakeAnalyser] = []

    def factory() -> FakeAnalyser:
        made.append(FakeAnalyser("fake-2", permute=True))
        return made[-1]

    monkeypatch.setattr(service, "ANALYSER_FACTORY", factory)
    rc, out, _ = cli("reindex")
    assert rc == 0 and f"re-embedded {GARMENTS} garments with fake-2" in out
    assert [a.embedded for a in made] == [GARMENTS]
    assert set(_versions(home)) == {"fake-2"}
    with Wardrobe(home, FakeAnalyser("fake-2", permute=True), background_index=False) as w:
        assert _neighbours(w) == upgraded


def test_one_ctrl_c_during_the_re_embedding_of_an_import_stops_it_after_its_batch(
    home: Path,
    upgraded: dict[int, list[int]],
    photos: Photos,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first Ctrl+C only marked the import to stop after the photo in progress: the
    # re-embedding before its first photo (minutes at 100k garments) ran to its end.
    new = photos(2, start=GARMENTS, folder="new")
    monkeypatch.setattr(service, "ANALYSER_FACTORY", lambda: SlowEmbedder(sigint_at=4))
    rc, out, err = cli("import", "--json", *map(str, new))
    assert rc == 130
    assert "stopping after the work in progress" in err
    assert (
        f"interrupted: re-embedding stopped: 4 of {GARMENTS} garments done and kept; the "
        "rest are re-embedded the next time the model loads" in err
    )
    assert "interrupted: 2 photos not imported" in err
    report = json.loads(out)
    assert report["stopped"] == [str(p) for p in new]
    assert report["imported"] == report["failed"] == []
    assert _versions(home) == ["fake-2"] * 4 + ["fake-1"] * (GARMENTS - 4)
    again = FakeAnalyser("fake-2", permute=True)
    with Wardrobe(home, again, background_index=False) as w:
        w.analyser  # noqa: B018 - goes on with the others
        assert again.embedded == GARMENTS - 4
        assert _neighbours(w) == upgraded
        assert w.verify().ok
