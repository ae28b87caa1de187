"""A change of category draws its photo's label map without the wardrobe's lock: the
other writes made meanwhile (a name on the GUI thread, a touch-up) neither wait for it
nor are lost."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fakes import store_mask_cropped, top_and_bottom

from wardrobe_app.service import Wardrobe
from wardrobe_app.store import Garment
from wardrobe_app.types import LABEL_OF_CATEGORY

Photos = Callable[..., list[Path]]
# Generous: only a write that waits for the held drawing (the bug) takes this long
WAIT_S = 60


class HeldDrawing:
    """``Edits._relabel``'s first drawing held, once drawn and stored, until
    ``release``: a change of category whose map work is in progress. ``calls``: the
    drawings made (a second where the first was overtaken)."""

    def __init__(self, wardrobe: Wardrobe, monkeypatch: pytest.MonkeyPatch) -> None:
        self.drawn = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        edits = wardrobe._edits
        draw = edits._relabel

        def held(*args: object, **kwargs: object) -> object:
            drawn = draw(*args, **kwargs)  # type: ignore[arg-type]
            self.calls += 1
            if self.calls == 1:
                self.drawn.set()
                self.release.wait(WAIT_S * 2)
            return drawn

        monkeypatch.setattr(edits, "_relabel", held)


class InThread:
    """``work`` run on a thread of its own; ``done`` once it returned or raised."""

    def __init__(self, work: Callable[[], object]) -> None:
        self.result: object = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], object]) -> None:
        try:
            self.result = work()
        except BaseException as exc:
            self.error = exc

    def done(self, timeout_s: float) -> bool:
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def value(self) -> object:
        assert self.done(WAIT_S * 4), "still running"
        if self.error is not None:
            raise self.error
        return self.result


def _labels_rel(wardrobe: Wardrobe, garment_id: int) -> str:
    with wardrobe.store.session() as s:
        row = s.get(Garment, garment_id)
        assert row is not None
        return str(row.photo.labels_path)


def _category_change_held(
    wardrobe: Wardrobe, monkeypatch: pytest.MonkeyPatch, top: int, **values: object
) -> tuple[HeldDrawing, InThread]:
    """The top made a one-piece on a thread (as the page's queued save), its map drawn
    and held before it is committed."""
    held = HeldDrawing(wardrobe, monkeypatch)
    change = InThread(lambda: wardrobe.update_garment(top, category="one-piece", **values))  # type: ignore[arg-type]
    assert held.drawn.wait(WAIT_S * 4), "the change of category drew no map"
    return held, change


def test_a_field_written_while_a_category_change_draws_its_map_does_not_wait_and_is_kept(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name written on the GUI thread waited for the wardrobe's lock, held through the
    category's map work (259 ms at 12 MP); it is written at once, and the category lands
    after it without undoing it."""
    wardrobe.import_paths(photos(1))
    top, _ = top_and_bottom(wardrobe)
    _, mask = wardrobe.garment_picture(top)
    held, change = _category_change_held(wardrobe, monkeypatch, top)
    name = InThread(lambda: wardrobe.update_garment(top, name="Coat", tags=["work"]))
    written = name.done(WAIT_S)
    held.release.set()
    assert written, "the name's write waited for the category's map"
    assert name.value().category == "top"  # type: ignore[attr-defined]
    saved = change.value()
    assert saved.category == "one-piece" and saved.name == "Coat"  # type: ignore[attr-defined]
    stored = wardrobe.garment(top)
    assert (stored.name, stored.tags, stored.category) == ("Coat", ["work"], "one-piece")
    labels = wardrobe.photo_labels(top)
    assert labels is not None and (labels[mask] == LABEL_OF_CATEGORY["one-piece"]).all()
    assert held.calls == 1 and wardrobe.verify().ok  # the name left the map's rows alone


def test_a_field_a_category_change_writes_too_is_kept_where_written_meanwhile(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An undo's values (a category and its type) committed after a type typed
    meanwhile: the type typed, later, stays."""
    wardrobe.import_paths(photos(1))
    top, _ = top_and_bottom(wardrobe)
    held, change = _category_change_held(wardrobe, monkeypatch, top, fine_type="Dress")
    typed = InThread(lambda: wardrobe.update_garment(top, fine_type="Kimono"))
    written = typed.done(WAIT_S)
    held.release.set()
    assert written, "the type's write waited for the category's map"
    typed.value()
    change.value()
    stored = wardrobe.garment(top)
    assert (stored.category, stored.fine_type) == ("one-piece", "Kimono")


@pytest.mark.parametrize(
    ("field", "asked_over", "between", "change"),
    [
        # The page's change of category clears the type of the other category, where
        # still stored (type_was)
        ("fine_type", "Shirt", "Polo", {"fine_type": "", "fine_type_was": "Shirt"}),
        # An undo's values
        ("fine_type", "Shirt", "Polo", {"fine_type": "Dress"}),
        ("name", "Navy top", "Blue top", {"name": "Old name"}),
        ("tags", ["work"], ["home"], {"tags": ["old"]}),
        ("favourite", True, False, {"favourite": False}),
    ],
)
def test_a_field_written_away_and_back_while_a_category_change_draws_its_map_is_kept(
    wardrobe: Wardrobe,
    photos: Photos,
    monkeypatch: pytest.MonkeyPatch,
    field: str,
    asked_over: object,
    between: object,
    change: dict[str, object],
) -> None:
    """A field the change writes too, written meanwhile to another value and then back
    to the one the change was asked over (A, B, then A again): the later write, A,
    stays. Compared by value, the row read as unchanged, and the change's own value
    went over it."""
    wardrobe.import_paths(photos(1))
    top, _ = top_and_bottom(wardrobe)
    wardrobe.update_garment(top, **{field: asked_over})  # type: ignore[arg-type]
    held, category_change = _category_change_held(wardrobe, monkeypatch, top, **change)
    away = InThread(lambda: wardrobe.update_garment(top, **{field: between}))  # type: ignore[arg-type]
    written = away.done(WAIT_S)
    back = InThread(lambda: wardrobe.update_garment(top, **{field: asked_over}))  # type: ignore[arg-type]
    written = back.done(WAIT_S) and written
    held.release.set()
    assert written, "the field's writes waited for the category's map"
    away.value()
    back.value()
    category_change.value()
    stored = wardrobe.garment(top)
    assert stored.category == "one-piece"
    assert getattr(stored, field) == asked_over


def test_a_field_saved_again_as_it_was_while_a_category_change_draws_its_map_is_written(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page saves every field with the one edited: a name typed during an undo's
    save of a category and its type saves the type too, as it was. That is no write of
    the type: the undo's type is written, and the name typed stays."""
    wardrobe.import_paths(photos(1))
    top, _ = top_and_bottom(wardrobe)
    wardrobe.update_garment(top, fine_type="Shirt")
    held, change = _category_change_held(wardrobe, monkeypatch, top, fine_type="Dress")
    page = InThread(
        lambda: wardrobe.update_garment(
            top, name="Coat", fine_type="Shirt", tags=[], notes="", favourite=False
        )
    )
    written = page.done(WAIT_S)
    held.release.set()
    assert written, "the page's save waited for the category's map"
    page.value()
    change.value()
    stored = wardrobe.garment(top)
    assert (stored.category, stored.fine_type, stored.name) == ("one-piece", "Dress", "Coat")


def test_a_touch_up_made_while_a_category_change_draws_its_map_is_kept_in_the_map(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The map drawn from the one the touch-up replaced is drawn again from the touch-up's:
    committed as drawn, the pixels the touch-up erased came back in the new class, and
    the first drawing's file is not left behind."""
    wardrobe.import_paths(photos(1))
    top, _ = top_and_bottom(wardrobe)
    _, mask = wardrobe.garment_picture(top)
    drawn = mask.copy()
    drawn[: np.nonzero(mask)[0].min() + 10] = False  # its shoulders erased, far from the bottom
    erased = mask & ~drawn
    held, change = _category_change_held(wardrobe, monkeypatch, top)
    touch_up = InThread(lambda: wardrobe.set_garment_mask(top, drawn))
    touched = touch_up.done(WAIT_S)
    held.release.set()
    assert touched, "the touch-up waited for the category's map"
    touch_up.value()
    assert change.value().category == "one-piece"  # type: ignore[attr-defined]
    assert held.calls == 2  # the first drawing was overtaken: drawn again
    assert np.array_equal(wardrobe.garment_picture(top)[1], drawn)
    labels = wardrobe.photo_labels(top)
    assert labels is not None and erased.any()
    assert (labels[drawn] == LABEL_OF_CATEGORY["one-piece"]).all()
    assert (labels[erased] == 0).all()
    assert wardrobe.verify().ok  # the first drawing's map removed


def test_a_label_map_of_another_size_than_the_mask_is_kept_and_said(
    wardrobe: Wardrobe, photos: Photos, caplog: pytest.LogCaptureFixture
) -> None:
    """The category changes, the map cannot follow: it was skipped without a word."""
    wardrobe.import_paths(photos(1))
    top, _ = top_and_bottom(wardrobe)
    labels = wardrobe.photo_labels(top)
    assert labels is not None
    rel = wardrobe.store.files.put_png(np.ascontiguousarray(labels[:-4, :-2]))[0]
    with wardrobe.store.write_session() as s:
        row = s.get(Garment, top)
        assert row is not None
        photo = row.photo
        before, photo.labels_path = photo.labels_path, rel  # as another version wrote it
    assert before is not None
    wardrobe.store.files.remove([before])
    height, width = labels.shape
    with caplog.at_level(logging.WARNING, logger="wardrobe_app.services.edits"):
        assert wardrobe.update_garment(top, category="one-piece").category == "one-piece"
    assert _labels_rel(wardrobe, top) == rel
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert said == [
        f"garment {top}: its mask is {width}x{height}, its photo's label map "
        f"{width - 2}x{height - 4}: the map kept as it is (its new category not drawn in it)"
    ]


def test_another_garments_mask_of_another_size_than_the_label_map_is_said(
    wardrobe: Wardrobe, photos: Photos, caplog: pytest.LogCaptureFixture
) -> None:
    """The bottom's mask is not the size of the map drawn for the top's new category:
    left out (its specks not moved) without a word, as the top's own was before."""
    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    labels = wardrobe.photo_labels(top)
    assert labels is not None
    width, height = store_mask_cropped(wardrobe, bottom)
    with caplog.at_level(logging.WARNING, logger="wardrobe_app.services"):
        assert wardrobe.update_garment(top, category="one-piece").category == "one-piece"
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert said == [
        f"garment {bottom}: its mask is {width}x{height}, its photo's label map "
        f"{labels.shape[1]}x{labels.shape[0]}: left out of the map redrawn for garment {top}"
    ]


def test_a_category_change_overtaken_at_each_drawing_is_drawn_in_its_commit(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The photo's other garment touched up after each drawing, before it is committed
    (as another program may): the last is drawn in the transaction that commits it,
    which nothing can overtake (it was drawn under the wardrobe's lock, which another
    program does not take, and raised), and the drawings overtaken leave no file."""
    from wardrobe_app.services.edits import DRAWINGS

    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    _, mask = wardrobe.garment_picture(top)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    hem = np.nonzero(bottom_mask.any(axis=1))[0][-DRAWINGS:]  # its last rows
    edits = wardrobe._edits
    draw = edits._relabel
    drawings: list[object] = []
    touched = bottom_mask

    def overtaken(*args: object, **kwargs: object) -> object:
        nonlocal touched
        drawn = draw(*args, **kwargs)  # type: ignore[arg-type]
        drawings.append(drawn)
        if len(drawings) <= DRAWINGS:  # a row of its hem shorter each time
            touched = bottom_mask.copy()
            touched[hem[len(drawings) - 1] :] = False
            wardrobe.set_garment_mask(bottom, touched)
        return drawn

    monkeypatch.setattr(edits, "_relabel", overtaken)
    assert wardrobe.update_garment(top, category="one-piece").category == "one-piece"
    assert len(drawings) == DRAWINGS + 1
    assert np.array_equal(wardrobe.garment_picture(bottom)[1], touched)
    labels = wardrobe.photo_labels(top)
    assert labels is not None
    assert (labels[mask] == LABEL_OF_CATEGORY["one-piece"]).all()
    assert (labels[touched] == LABEL_OF_CATEGORY["bottom"]).all()
    assert (labels[bottom_mask & ~touched] == 0).all()  # the touch-ups' erased hem
    assert wardrobe.verify().ok  # the drawings overtaken left no file
