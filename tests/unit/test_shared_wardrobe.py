"""One data folder open in two places at once (the app beside the CLI): edits of either
wait for the other instead of failing, and each finds the garments the other imported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from wardrobe_app.service import Wardrobe

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
