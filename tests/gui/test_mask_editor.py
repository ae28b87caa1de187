"""Touching up a cut-out: the brush, undo, the dialog's guards, and the garment page."""

from __future__ import annotations

import errno
import threading
import tracemalloc

import numpy as np
import pytest
from fakes import BROKEN_WEIGHTS, FakeAnalyser, broken_models
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from wardrobe_app.service import Wardrobe
from wardrobe_app.ui import garment_view, mask_editor
from wardrobe_app.ui.garment_model import display_name
from wardrobe_app.ui.main_window import Deletion
from wardrobe_app.ui.mask_canvas import UNDO_STEPS, MaskCanvas
from wardrobe_app.ui.mask_editor import MaskEditorDialog

H, W = 80, 120


def _photo_and_mask() -> tuple[np.ndarray, np.ndarray]:
    rgb = np.full((H, W, 3), 200, np.uint8)
    mask = np.zeros((H, W), bool)
    mask[20:60, 30:90] = True
    return rgb, mask


def _on_screen(canvas: MaskCanvas, x: float, y: float) -> QPoint:
    """Where photo pixel (x, y) is on the canvas."""
    rect = canvas._photo_rect()
    return QPoint(round(rect.x() + x * rect.width() / W), round(rect.y() + y * rect.height() / H))


def _drag(qtbot, canvas, points, button=Qt.MouseButton.LeftButton) -> None:
    qtbot.mousePress(canvas, button, pos=_on_screen(canvas, *points[0]))
    for point in points[1:]:
        qtbot.mouseMove(canvas, _on_screen(canvas, *point))
    qtbot.mouseRelease(canvas, button, pos=_on_screen(canvas, *points[-1]))


def _erase_all(qtbot, canvas: MaskCanvas) -> None:
    """Sweep the whole photo with the largest brush, the right button."""
    height, width = canvas.drawn_mask().shape
    canvas.set_radius(canvas.max_radius)
    step = canvas.radius
    for y in range(0, height + step, step):
        _drag(qtbot, canvas, [(0, y), (width, y)], Qt.MouseButton.RightButton)


def _touch(qtbot, canvas: MaskCanvas) -> None:
    """A small change that leaves a garment: a dot added in a corner of the photo."""
    canvas.set_radius(1)
    _drag(qtbot, canvas, [(1, 1)])
    assert canvas.is_changed() and not canvas.is_empty()


@pytest.fixture(autouse=True)
def _discard_without_asking(monkeypatch) -> None:
    """Closing a dialog with changes asks first (tested below): at teardown, a question
    nobody answers would wait for ever."""
    monkeypatch.setattr(mask_editor, "ask_yes", lambda *_a, **_k: True)


@pytest.fixture
def canvas(qtbot) -> MaskCanvas:
    rgb, mask = _photo_and_mask()
    widget = MaskCanvas(rgb, mask, "top")
    qtbot.addWidget(widget)
    widget.resize(2 * W, 2 * H)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_radius(3)
    return widget


def test_painting_adds_erasing_removes_and_each_stroke_undoes(qtbot, canvas: MaskCanvas) -> None:
    original = canvas.drawn_mask()
    _drag(qtbot, canvas, [(100, 10), (110, 10)])  # outside the garment: added
    added = canvas.drawn_mask()
    assert added[10, 100:111].all() and not original[10, 100]
    assert added[original].all() and canvas.is_changed()
    _drag(qtbot, canvas, [(40, 40), (60, 40)], Qt.MouseButton.RightButton)  # erased
    erased = canvas.drawn_mask()
    assert not erased[40, 40:61].any() and erased[10, 105]
    canvas.erasing = True  # the Erase tool: the left button erases, the right one adds
    _drag(qtbot, canvas, [(10, 70)], Qt.MouseButton.RightButton)
    assert canvas.drawn_mask()[70, 10]
    canvas.undo()
    assert np.array_equal(canvas.drawn_mask(), erased)
    canvas.undo()
    assert np.array_equal(canvas.drawn_mask(), added)
    canvas.redo()
    assert np.array_equal(canvas.drawn_mask(), erased)
    canvas.reset()
    assert np.array_equal(canvas.drawn_mask(), original) and not canvas.is_changed()
    canvas.undo()  # the reset itself undoes
    assert np.array_equal(canvas.drawn_mask(), erased)


def test_what_is_painted_is_drawn_over_the_photo(qtbot, canvas: MaskCanvas) -> None:
    before = canvas.grab().toImage()
    inside = before.pixelColor(_on_screen(canvas, 50, 40))
    outside = before.pixelColor(_on_screen(canvas, 10, 10))
    assert inside.blue() > inside.red() and outside.lightness() < 100  # tinted; dimmed
    _drag(qtbot, canvas, [(10, 10)])
    assert canvas.grab().toImage().pixelColor(_on_screen(canvas, 10, 10)) == inside


def test_save_needs_a_change_and_a_garment_left(qtbot) -> None:
    rgb, mask = _photo_and_mask()
    dialog = MaskEditorDialog(rgb, mask, "top", "Blue shirt")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Touch up: Blue shirt"
    assert not dialog.save_button.isEnabled() and not dialog.undo_button.isEnabled()
    canvas = dialog.canvas
    _drag(qtbot, canvas, [(5, 5)])
    assert dialog.save_button.isEnabled() and dialog.undo_button.isEnabled()
    dialog.undo_button.click()
    assert not dialog.save_button.isEnabled() and dialog.redo_button.isEnabled()
    _erase_all(qtbot, canvas)
    assert canvas.is_empty() and not dialog.save_button.isEnabled()
    assert "delete it instead" in dialog.save_button.toolTip()
    # [ and ] change the brush, and the slider follows
    canvas.set_radius(20)
    qtbot.keyClick(dialog.brush, Qt.Key.Key_BracketRight)  # from the focused slider, say
    assert canvas.radius == 22 and dialog.brush.value() == 22
    qtbot.keyClick(dialog, Qt.Key.Key_BracketLeft)
    assert canvas.radius == 20


def test_cancel_with_changes_asks_first(qtbot, monkeypatch) -> None:
    rgb, mask = _photo_and_mask()
    dialog = MaskEditorDialog(rgb, mask, "top", "Blue shirt")
    qtbot.addWidget(dialog)
    dialog.show()
    asked: list[str] = []
    answer = [False]

    def ask(_parent, title, _text, *, yes_by_default):
        asked.append(title)
        assert yes_by_default is False
        return answer[0]

    monkeypatch.setattr(mask_editor, "ask_yes", ask)
    dialog.reject()  # nothing painted: closes without asking
    assert not asked and not dialog.isVisible()
    dialog.show()
    _drag(qtbot, dialog.canvas, [(5, 5)])
    dialog.reject()
    assert asked == ["Discard the changes?"] and dialog.isVisible()  # "No": still open
    answer[0] = True
    dialog.reject()
    assert not dialog.isVisible()


def test_touch_up_from_the_garment_page(make_app, qtbot, photos) -> None:
    parts = make_app()
    w = parts.window
    with qtbot.waitSignal(w.importer.finished, timeout=20_000):
        assert w.import_paths(photos(2))
    qtbot.waitUntil(lambda: w.browse.model.rowCount() == 4, timeout=5000)
    record = w.browse.model.record(0)
    w.open_garment(record)
    view = w.garment_view
    qtbot.waitUntil(lambda: view.touch_up_button.isEnabled(), timeout=5000)
    view.touch_up_button.click()
    qtbot.waitUntil(
        lambda: isinstance(QApplication.activeModalWidget(), MaskEditorDialog), timeout=5000
    )
    editor = QApplication.activeModalWidget()
    canvas = editor.canvas
    _erase_all(qtbot, canvas)  # erase it all...
    canvas.set_radius(3)
    before = parts.session.wardrobe.garment(record.id)
    x0, y0, x1, _ = before.box
    _drag(qtbot, canvas, [(x0 + 2, y0 + 2), ((x0 + x1) // 2, y0 + 2)])  # ...paint a line back
    with qtbot.waitSignal(view.edited, timeout=10_000) as edited:
        editor.save_button.click()
    updated = edited.args[0]
    assert updated.id == record.id and 0 < updated.area < before.area
    assert parts.session.wardrobe.garment(record.id).cutout_path == updated.cutout_path
    qtbot.waitUntil(lambda: view.saved_label.text() == "Cut-out saved", timeout=5000)
    qtbot.waitUntil(lambda: not view.saving_touch_up())  # until then, undo waits
    assert view.record.area == updated.area
    # undone in the window (Edit > Undo, Ctrl+Z): the cut-out as it was; redone: as drawn
    wardrobe = parts.session.wardrobe
    # Edit > Undo reads as a phrase ("Undo Touch up Blue shirt", it said)
    assert w.actions_["undo"].text() == f"&Undo touch-up of {display_name(updated)}"
    with qtbot.waitSignal(view.edited, timeout=10_000):  # saved on the model's queue
        w.actions_["undo"].trigger()
    qtbot.waitUntil(lambda: not view.saving_touch_up())  # until then, redo waits
    assert wardrobe.garment(record.id).area == before.area
    assert view.record.area == before.area and w.browse.model.record(0).area == before.area
    # ... and said so ("Cut-out saved" stayed beside the cut-out put back)
    assert view.saved_label.text() == "Touch-up undone"
    assert w.statusBar().currentMessage() == f"Touch-up undone: {display_name(updated)}"
    with qtbot.waitSignal(view.edited, timeout=10_000):
        w.actions_["redo"].trigger()
    qtbot.waitUntil(lambda: not view.saving_touch_up())
    assert wardrobe.garment(record.id).area == updated.area == view.record.area
    assert view.saved_label.text() == "Touch-up redone"
    assert w.undo_stack.count() == 1  # undo and redo push no step of their own
    # undone after the garment went for good (another program): said, not an error box
    wardrobe.delete_garments([record.id])
    with qtbot.waitSignal(view.notice, timeout=10_000) as said:
        w.actions_["undo"].trigger()
    assert said.args == ["That garment is no longer in the wardrobe"]
    assert "no longer in the wardrobe" in w.statusBar().currentMessage()
    assert w.undo_stack.count() == 0  # it cannot be done: not left to redo


def _hold_the_model_queue(parts) -> threading.Event:
    """A job ahead of any save on the model's queue, until the event returned is set."""
    from wardrobe_app.ui.workers import Queue

    busy, release = threading.Event(), threading.Event()

    def model_busy(_ctx) -> None:
        busy.set()
        # A safety valve only (each test sets it): a busy CI machine can take over 10 s
        # between hold and release
        release.wait(60)

    parts.session.runner.start(model_busy, queue=Queue.MODEL, title="Busy")
    assert busy.wait(5)
    return release


def _refuse_edits_as_a_full_disk(monkeypatch) -> None:
    """From now on ``Wardrobe.update_garment`` fails as SQLite does on a full disk."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from wardrobe_app.service import Wardrobe

    def full(self, *args, **kwargs):
        raise OperationalError("UPDATE", {}, sqlite3.OperationalError("disk is full"))

    monkeypatch.setattr(Wardrobe, "update_garment", full)


def _touched_editor(make_app, qtbot, photos) -> tuple[object, object, MaskEditorDialog]:
    """The app, the garment page and its Touch up dialog, with a dot painted in it."""
    parts = make_app()
    view, editor = _open_touch_up(parts, qtbot, photos)
    _touch(qtbot, editor.canvas)
    return parts, view, editor


def _saved_touch_up(make_app, qtbot, photos) -> tuple[object, object]:
    """The app and the garment page once a touch-up is saved (until then, undo waits)."""
    parts, view, editor = _touched_editor(make_app, qtbot, photos)
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        editor.save_button.click()
    qtbot.waitUntil(lambda: not view.saving_touch_up())
    return parts, view


def _open_touch_up(parts, qtbot, photos) -> tuple[object, MaskEditorDialog]:
    w = parts.window
    with qtbot.waitSignal(w.importer.finished, timeout=20_000):
        assert w.import_paths(photos(1))
    return _touch_up_first_garment(w, qtbot)


def _touch_up_first_garment(w, qtbot) -> tuple[object, MaskEditorDialog]:
    """The garment page of the first of two garments listed, and its Touch up dialog."""
    qtbot.waitUntil(lambda: w.browse.model.rowCount() == 2, timeout=5000)
    w.open_garment(w.browse.model.record(0))
    view = w.garment_view
    qtbot.waitUntil(lambda: view.touch_up_button.isEnabled(), timeout=5000)
    view.touch_up_button.click()
    qtbot.waitUntil(
        lambda: isinstance(QApplication.activeModalWidget(), MaskEditorDialog), timeout=5000
    )
    return view, QApplication.activeModalWidget()


def test_saving_a_touch_up_of_a_garment_deleted_meanwhile_is_no_error(
    make_app, qtbot, photos
) -> None:
    parts = make_app()
    view, editor = _open_touch_up(parts, qtbot, photos)
    garment_id = view.record.id
    _touch(qtbot, editor.canvas)
    assert editor.save_button.isEnabled()
    parts.session.wardrobe.delete_garments([garment_id])  # wardrobe-cli delete, meanwhile
    with qtbot.waitSignal(view.vanished, timeout=10_000):
        editor.save_button.click()
    assert view.saved_label.text() == "This garment was deleted, its cut-out not saved"
    assert parts.reporter.errors == []


def test_touching_up_a_garment_deleted_meanwhile_leaves_its_page(make_app, qtbot, photos) -> None:
    parts = make_app()
    w = parts.window
    with qtbot.waitSignal(w.importer.finished, timeout=20_000):
        assert w.import_paths(photos(1))
    qtbot.waitUntil(lambda: w.browse.model.rowCount() == 2, timeout=5000)
    w.open_garment(w.browse.model.record(0))
    view = w.garment_view
    qtbot.waitUntil(lambda: view.touch_up_button.isEnabled(), timeout=5000)
    parts.session.wardrobe.delete_garments([view.record.id])  # wardrobe-cli delete
    with qtbot.waitSignal(view.vanished, timeout=10_000):
        view.touch_up_button.click()
    assert parts.reporter.errors == []


def test_the_undo_steps_of_a_large_photo_keep_a_bit_a_pixel(qtbot) -> None:
    side = 2048  # the analysed size of a large photo
    widget = MaskCanvas(np.zeros((side, side, 3), np.uint8), np.zeros((side, side), bool), "top")
    qtbot.addWidget(widget)
    widget.resize(400, 400)
    widget.show()
    qtbot.waitExposed(widget)
    tracemalloc.start()
    try:
        for i in range(UNDO_STEPS):
            qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(10 + 9 * i, 200))
        grown, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A byte a pixel and step was 168 MB; a bit a pixel is 21 MB.
    assert grown < UNDO_STEPS * side * side / 4
    for _ in range(UNDO_STEPS):
        widget.undo()
    assert not widget.drawn_mask().any() and not widget.can_undo() and widget.can_redo()


def test_no_second_touch_up_while_the_first_is_saved(make_app, qtbot, photos) -> None:
    _parts, view, editor = _touched_editor(make_app, qtbot, photos)
    editor.save_button.click()
    # Opened now, it would start from the cut-out before this save, and undo it.
    assert not view.touch_up_button.isEnabled()
    qtbot.waitUntil(lambda: view.saved_label.text() == "Cut-out saved", timeout=10_000)
    qtbot.waitUntil(view.touch_up_button.isEnabled, timeout=5000)


def test_a_full_disk_when_a_touch_up_is_saved_is_said_in_words(
    make_app, qtbot, photos, monkeypatch
) -> None:
    parts, view, editor = _touched_editor(make_app, qtbot, photos)

    def disk_full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(parts.session.wardrobe.store.files, "put_png", disk_full)
    said: list[str] = []
    monkeypatch.setattr(
        garment_view.QMessageBox, "warning", lambda _p, title, text: said.append(text)
    )
    editor.save_button.click()
    qtbot.waitUntil(lambda: view.saved_label.text() == "Cut-out not saved", timeout=10_000)
    assert said == ["This garment's touched-up cut-out was not saved:\n\nthe disk is full"]
    assert parts.reporter.errors == []


def test_a_touch_up_saved_while_the_models_cannot_load_says_so(
    make_app, qtbot, home, photos, monkeypatch
) -> None:
    # Describing the new cut-out needs the models: with a broken weights file the save
    # failed as a bug (an error box with a traceback). It says the models could not load.
    with Wardrobe(home, FakeAnalyser(), background_index=False) as wardrobe:
        wardrobe.import_paths(photos(1))
    parts = make_app(analyser=broken_models())
    qtbot.waitUntil(lambda: parts.session.model_error is not None, timeout=5000)
    view, editor = _touch_up_first_garment(parts.window, qtbot)
    _touch(qtbot, editor.canvas)
    said: list[str] = []
    monkeypatch.setattr(
        garment_view.QMessageBox, "warning", lambda _p, title, text: said.append(text)
    )
    editor.save_button.click()
    qtbot.waitUntil(lambda: view.saved_label.text() == "Cut-out not saved", timeout=10_000)
    assert said == [
        "This garment's touched-up cut-out was not saved:\n\n"
        f"The models could not load: {BROKEN_WEIGHTS}"
    ]
    assert [e.title for e in parts.reporter.errors] == ["Loading the model"]


def test_a_click_that_changes_nothing_is_no_undo_step(qtbot, canvas: MaskCanvas) -> None:
    _drag(qtbot, canvas, [(100, 10)])  # a dot outside the garment
    canvas.undo()
    assert canvas.can_redo()
    _drag(qtbot, canvas, [(50, 40)])  # inside it, where it is all garment already
    assert not canvas.can_undo() and canvas.can_redo()  # Redo still brings the dot back
    canvas.redo()
    assert canvas.drawn_mask()[10, 100]


def test_an_undo_the_disk_refuses_is_said_in_the_status_bar(
    make_app, qtbot, photos, monkeypatch
) -> None:
    import errno

    from wardrobe_app.store.files import FileStore

    parts, view = _saved_touch_up(make_app, qtbot, photos)
    w = parts.window

    def full(*_args: object, **_kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileStore, "put_png", full)
    with qtbot.waitSignal(view.notice, timeout=10_000):
        w.actions_["undo"].trigger()  # an error box and a traceback before
    assert w.statusBar().currentMessage() == (
        "The touch-up could not be undone or redone: the disk is full"
    )
    assert parts.reporter.errors == []
    assert view.saved_label.text() == "Cut-out not saved"  # "Saving the cut-out…" stayed
    # the step leaves the stack: Redo offered to put back a cut-out that never went
    assert w.undo_stack.count() == 0 and not w.actions_["redo"].isEnabled()


def test_an_undo_a_bug_stops_leaves_the_undo_stack(make_app, qtbot, photos, monkeypatch):
    """A bug in the save (its error box) left the step as if undone: the Edit menu offered
    to redo a touch-up still in the wardrobe, and Undo the step below it."""
    from wardrobe_app.service import Wardrobe

    parts, view = _saved_touch_up(make_app, qtbot, photos)
    w = parts.window

    def buggy(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(Wardrobe, "set_garment_mask", buggy)
    w.actions_["undo"].trigger()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    qtbot.waitUntil(lambda: len(parts.reporter.errors) == 1)  # its traceback, said
    assert w.undo_stack.count() == 0 and not w.actions_["redo"].isEnabled()
    assert view.saved_label.text() == "Cut-out not saved"


def test_a_redo_the_disk_refuses_leaves_the_undo_stack(make_app, qtbot, photos, monkeypatch):
    """It stayed as if redone: Undo then offered to undo a touch-up that was not there."""
    from wardrobe_app.store.files import FileStore

    parts, view = _saved_touch_up(make_app, qtbot, photos)
    w = parts.window
    with qtbot.waitSignal(view.edited, timeout=10_000):
        w.actions_["undo"].trigger()
    qtbot.waitUntil(lambda: not view.saving_touch_up())  # until then, redo waits
    assert (w.undo_stack.count(), w.undo_stack.index()) == (1, 0)

    def full(*_args: object, **_kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileStore, "put_png", full)
    with qtbot.waitSignal(view.notice, timeout=10_000):
        w.actions_["redo"].trigger()
    assert w.undo_stack.count() == 0 and not w.actions_["undo"].isEnabled()
    assert parts.reporter.errors == []


def test_an_undo_while_a_touch_up_is_being_saved_waits_for_it(make_app, qtbot, photos) -> None:
    """Saved after the touch-up queued before it, the undo put the older cut-out over the
    new one, and the new one's step was then pushed on top, as if it were shown. Then it
    was refused, to be asked for again: it waits for the save, and undoes that touch-up."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    w.open_garment(wardrobe.garment(garment_id))
    view = w.garment_view
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        view.save_mask(garment_id, drawn, undo_to=mask)  # a first touch-up, undoable
    drawn_again = drawn.copy()
    drawn_again[tuple(np.argwhere(drawn)[0])] = False
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn_again, undo_to=drawn)  # a second one, queued
    w.actions_["undo"].trigger()  # Ctrl+Z meanwhile: waits, and said
    assert w.statusBar().currentMessage() == "A touch-up is being saved: undo once it is"
    assert w.undo_stack.index() == 1
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    # the second touch-up's step pushed, then undone: its cut-out back to the first's
    assert (w.undo_stack.count(), w.undo_stack.index()) == (2, 1)
    assert (wardrobe.garment_picture(garment_id)[1] == drawn).all()
    assert parts.reporter.errors == []


def test_ctrl_z_while_a_first_touch_up_is_saved_undoes_it_once_saved(
    make_app, qtbot, photos
) -> None:
    """Its step is pushed once saved: until then the stack was empty, Undo off, and the
    Ctrl+Z right after Save did nothing."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    w.open_garment(wardrobe.garment(garment_id))
    view = w.garment_view
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)  # the dialog's Save
    undo = w.actions_["undo"]
    named = f"touch-up of {display_name(wardrobe.garment(garment_id))}"
    assert undo.isEnabled() and undo.text() == f"&Undo {named} (being saved)"
    undo.trigger()
    assert wardrobe.garment_picture(garment_id)[1].sum() == mask.sum()  # not saved yet
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    assert (w.undo_stack.count(), w.undo_stack.index()) == (1, 0)
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()
    assert not undo.isEnabled() and w.actions_["redo"].isEnabled()  # the stack's again
    assert parts.reporter.errors == []


def test_the_undo_tip_names_the_step_on_its_way(make_app, qtbot, photos, monkeypatch) -> None:
    """Undo is on during a first touch-up's save and while a delete waits for a touch-up
    undo's save, but its tip followed the stack alone, empty: "Nothing to undo"."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QToolBar

    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view, undo = w.garment_view, w.actions_["undo"]
    button = w.findChild(QToolBar, "mainToolBar").widgetForAction(undo)
    keys = undo.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert button.toolTip() == f"Nothing to undo ({keys})"
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)  # a first touch-up: the stack empty
    named = f"touch-up of {display_name(wardrobe.garment(garment_id))}"
    assert button.toolTip() == f"Undo {named} (being saved) ({keys})"
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    name = display_name(wardrobe.garment(garment_id))
    assert button.toolTip() == f"Undo touch-up of {name} ({keys})"
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    release = _hold_the_model_queue(parts)
    undo.trigger()  # the touch-up's undo: its save queued, the stack's Undo off
    assert button.toolTip() == f"Nothing to undo ({keys})"
    w.delete_ids([garment_id])  # waits for that save
    assert button.toolTip() == f"Undo deletion of {name} (waiting for a touch-up) ({keys})"
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert button.toolTip() == f"Undo deletion of {name} ({keys})"
    assert parts.reporter.errors == []


def test_a_garment_named_with_an_ampersand_reads_so_in_undo(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """The step's text is read in the Undo and Redo actions' texts, where "&" marks the
    key: "H&M jeans" read "HM jeans" (the "M" underlined in the menu), in the tip too."""
    from PySide6.QtWidgets import QToolBar

    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    wardrobe.update_garment(garment_id, name="H&M jeans")
    view, undo = w.garment_view, w.actions_["undo"]
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        view.save_mask(garment_id, drawn, undo_to=mask)
    qtbot.waitUntil(lambda: not view.saving_touch_up())
    assert undo.text() == "&Undo touch-up of H&&M jeans"  # shown "Undo touch-up of H&M jeans"
    button = w.findChild(QToolBar, "mainToolBar").widgetForAction(undo)
    assert button.toolTip().startswith("Undo touch-up of H&M jeans (")
    with qtbot.waitSignal(view.notice, timeout=10_000):
        undo.trigger()
    qtbot.waitUntil(lambda: not view.saving_touch_up())  # the undo's save: else it waits
    assert w.actions_["redo"].text() == "&Redo touch-up of H&&M jeans"
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    w.delete_ids([garment_id])  # its deletion, named so too
    assert undo.text() == "&Undo deletion of H&&M jeans"
    assert w.undo_notice.label.text() == "Deleted H&M jeans"
    assert parts.reporter.errors == []


def test_two_ctrl_z_while_a_touch_up_is_saved_undo_two_steps_in_order(
    make_app, qtbot, photos
) -> None:
    """The second waits behind the first (and its undo's save): the two touch-ups are
    undone, the last one first."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    w.open_garment(wardrobe.garment(garment_id))
    view = w.garment_view
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        view.save_mask(garment_id, drawn, undo_to=mask)
    qtbot.waitUntil(lambda: not view.saving_touch_up())
    drawn_again = drawn.copy()
    drawn_again[tuple(np.argwhere(drawn)[0])] = False
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn_again, undo_to=drawn)
    w.actions_["undo"].trigger()
    w.actions_["undo"].trigger()
    assert w.undo_stack.index() == 1
    release.set()
    qtbot.waitUntil(
        lambda: w.undo_stack.index() == 0 and not view.saving_touch_up(), timeout=10_000
    )
    assert w.undo_stack.count() == 2
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()  # out of order: drawn
    with qtbot.waitSignal(view.notice, timeout=10_000):
        w.actions_["redo"].trigger()  # the first touch-up, next to redo
    assert (wardrobe.garment_picture(garment_id)[1] == drawn).all()
    assert parts.reporter.errors == []


def test_ctrl_z_waiting_for_a_touch_up_not_saved_undoes_nothing_else(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Ctrl+Z pressed for a touch-up being saved, which is then not saved (its garment
    deleted by another program meanwhile): no step of it to undo. The undo waiting for
    it undid the step before, a delete nobody asked to undo: that garment came back."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    other = next(r.id for r in map(w.browse.model.record, range(2)) if r.id != garment_id)
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    w.delete_ids([other])
    assert w.undo_stack.index() == 1
    view = w.garment_view
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)
    w.actions_["undo"].trigger()  # the touch-up's, once saved
    wardrobe.delete_garments([garment_id])  # wardrobe-cli meanwhile
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    with pytest.raises(KeyError):
        wardrobe.garment(other)  # still deleted: its delete not undone
    assert w.undo_stack.index() == 1 and w._waiting == []
    assert w.statusBar().currentMessage() == "The touch-up was not saved: nothing undone"
    assert parts.reporter.errors == []


def test_a_redo_waiting_for_a_touch_up_not_saved_redoes_nothing_else(
    make_app, qtbot, photos
) -> None:
    """Ctrl+Z then Ctrl+Shift+Z pressed for a touch-up being saved (Redo named it), the
    touch-up then not saved (its garment deleted by another program): no step of it. The
    undo went ("nothing undone"), but the redo, done, redid the other garment's
    touch-up the user had undone before, which nobody asked to redo."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view, redo = w.garment_view, w.actions_["redo"]
    other = next(r.id for r in map(w.browse.model.record, range(2)) if r.id != garment_id)
    other_mask = wardrobe.garment_picture(other)[1]
    other_drawn = _less_a_pixel(other_mask)
    _two_touch_ups_saved(qtbot, view, other, other_mask, other_drawn)
    with qtbot.waitSignal(view.edited, timeout=10_000):
        w.actions_["undo"].trigger()  # the other's second touch-up, undone: to redo
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    assert (w.undo_stack.count(), w.undo_stack.index()) == (2, 1)
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)
    w.actions_["undo"].trigger()  # the touch-up's, once saved
    w.actions_["redo"].trigger()  # and its redo, as Redo then says
    assert len(w._waiting) == 2
    wardrobe.delete_garments([garment_id])  # wardrobe-cli meanwhile: it is not saved
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert (wardrobe.garment_picture(other)[1] == other_drawn).all()  # not redone
    assert (w.undo_stack.count(), w.undo_stack.index()) == (2, 1)
    assert w.statusBar().currentMessage() == "The touch-up was not saved: nothing undone"
    assert redo.isEnabled() and redo.text() == f"&Redo {w.undo_stack.redoText()}"
    assert parts.reporter.errors == []


def test_an_undo_waiting_behind_an_undos_save_is_done_though_a_later_touch_up_is_lost(
    make_app, qtbot, photos
) -> None:
    """Ctrl+Z twice on a garment's two touch-ups: the second waits for the first's save.
    The other garment touched up meanwhile, its save lost (deleted by another program):
    the second Ctrl+Z was dropped as if pressed for that touch-up ("nothing undone"), and
    the garment's first touch-up stayed."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view = w.garment_view
    _two_touch_ups_saved(qtbot, view, garment_id, mask, drawn)
    other = w.browse.model.record(1).id
    other_mask = wardrobe.garment_picture(other)[1]
    release = _hold_the_model_queue(parts)
    w.actions_["undo"].trigger()  # the second touch-up's undo: its save queued
    w.actions_["undo"].trigger()  # the first's: waits for that save
    assert len(w._waiting) == 1
    view.save_mask(other, _less_a_pixel(other_mask), undo_to=other_mask)  # pressed after
    wardrobe.delete_garments([other])  # wardrobe-cli meanwhile: that one is not saved
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()  # both undone
    assert w.undo_stack.index() == 0
    assert w.statusBar().currentMessage() != "The touch-up was not saved: nothing undone"
    assert parts.reporter.errors == []


def test_an_undo_waiting_behind_an_undos_save_leaves_a_later_touch_up_alone(
    make_app, qtbot, photos
) -> None:
    """Ctrl+Z twice on a garment's two touch-ups, the second waiting for the first's save;
    the other garment touched up after: the second Ctrl+Z waited for that touch-up too, and
    undid it, not the first touch-up it was pressed for."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view = w.garment_view
    _two_touch_ups_saved(qtbot, view, garment_id, mask, drawn)
    other = w.browse.model.record(1).id
    other_mask = wardrobe.garment_picture(other)[1]
    other_drawn = _less_a_pixel(other_mask)
    release = _hold_the_model_queue(parts)
    w.actions_["undo"].trigger()  # the second touch-up's undo: its save queued
    w.actions_["undo"].trigger()  # the first's: waits for that save
    view.save_mask(other, other_drawn, undo_to=other_mask)  # pressed after
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()  # both undone
    assert (wardrobe.garment_picture(other)[1] == other_drawn).all()  # kept
    # its step, pushed after the undos (which it drops, as a new step does)
    assert (w.undo_stack.count(), w.undo_stack.index()) == (1, 1)
    assert w.undo_stack.command(0).garment_ids() == {other}
    assert parts.reporter.errors == []


def test_an_undo_waiting_for_a_touch_up_is_dropped_when_the_window_closes(
    make_app, qtbot, photos, caplog
) -> None:
    """Its step would be pushed on the save's result, which a closing window gets no
    more: the touch-up is kept, as last shown, and the log says the undo was dropped."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    w.open_garment(wardrobe.garment(garment_id))
    release = _hold_the_model_queue(parts)
    w.garment_view.save_mask(garment_id, drawn, undo_to=mask)
    w.actions_["undo"].trigger()
    threading.Timer(0.2, release.set).start()
    with caplog.at_level("INFO", logger="wardrobe_app.ui.main_window"):
        w.close()
    assert not w.isVisible() and parts.session.runner._closed
    assert (wardrobe.garment_picture(garment_id)[1] == drawn).all()
    assert "undo asked for during a touch-up's save dropped at close" in caplog.text
    assert parts.reporter.errors == []


def test_undoing_a_delete_of_another_garment_goes_through_a_touch_up_undo_being_saved(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Every undo was refused while any touch-up was saved: behind an undo's save (no
    step to wait for), only those on its garment wait."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    other = w.browse.model.record(1).id
    view = w.garment_view
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    w.delete_ids([other])
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        view.save_mask(garment_id, drawn, undo_to=mask)
    qtbot.waitUntil(lambda: not view.saving_touch_up())
    release = _hold_the_model_queue(parts)
    w.actions_["undo"].trigger()  # the touch-up's undo: its save queued
    assert view.saving_touch_up() and w.undo_stack.index() == 1
    w.actions_["undo"].trigger()  # the delete of the other garment: undone at once
    assert wardrobe.garment(other).id == other and w.undo_stack.index() == 0
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()
    assert parts.reporter.errors == []


def test_a_garment_whose_touch_up_undo_is_being_saved_is_deleted_after_it(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Deleted before its undo was saved (which then failed), the garment came back from
    the delete's undo with the undone touch-up still on it. The delete was then refused,
    to be asked for again: it waits for the save, and is done after it."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view = w.garment_view
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        view.save_mask(garment_id, drawn, undo_to=mask)
    qtbot.waitUntil(lambda: not view.saving_touch_up())  # until then, undo waits
    asked: list[int] = []
    monkeypatch.setattr(w, "confirm_delete", lambda ids: asked.append(len(ids)) or True)
    release = _hold_the_model_queue(parts)
    w.actions_["undo"].trigger()  # the touch-up's undo: queued
    assert view.saving_touch_up()
    w.delete_ids([garment_id])  # waits for it, and said, naming it ("the garment")
    name = display_name(wardrobe.garment(garment_id))
    assert w.statusBar().currentMessage() == (
        f"A touch-up is being saved: {name} will be deleted once it is"
    )
    w.delete_ids([garment_id])  # asked again meanwhile: on its way, not asked twice
    assert asked == [1] and wardrobe.garment(garment_id).id == garment_id
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    with pytest.raises(KeyError):
        wardrobe.garment(garment_id)
    said = w.undo_notice.label.text()
    assert (w.undo_stack.count(), w.undo_stack.index()) == (1, 1)  # pushed on the undone one
    w.actions_["undo"].trigger()  # the delete
    assert said == f"Deleted {display_name(wardrobe.garment(garment_id))}"  # as it is now
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()  # as before the touch-up
    assert w.undo_stack.index() == 0 and parts.reporter.errors == []


def test_an_undo_behind_a_waiting_delete_waits_for_its_question_on_an_edit_not_saved(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Del on a touched-up garment whose edit the disk refuses, then Ctrl+Z, both waiting
    for its save. Done, the delete asks whether to leave the edit; the other garment's
    touch-up, saved while it asked, ran the undo before the delete's step was pushed: it
    undid that touch-up, and the garment stayed deleted."""
    from sqlalchemy.exc import OperationalError

    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    other = w.browse.model.record(1).id
    other_mask = wardrobe.garment_picture(other)[1]
    other_drawn = _less_a_pixel(other_mask)
    view = w.garment_view
    w.open_garment(wardrobe.garment(garment_id))
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)

    def answer_later(*_args: object) -> bool:  # as the question's own event loop would
        qtbot.waitUntil(lambda: not view.saving_touch_up([other]), timeout=10_000)
        return True  # leave without the edit

    monkeypatch.setattr(garment_view, "confirm_discard_edit", answer_later)
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)
    view.save_mask(other, other_drawn, undo_to=other_mask)
    view.notes_edit.setPlainText("dry clean only")  # typed; its save refused:
    _refuse_edits_as_a_full_disk(monkeypatch)
    with pytest.raises(OperationalError):
        view.save_now()  # still pending, asked about when leaving the page
    view.delete_button.click()  # waits for the garment's touch-up
    w.actions_["undo"].trigger()  # the delete's, once done
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert wardrobe.garment(garment_id).id == garment_id  # its delete undone
    assert (wardrobe.garment_picture(other)[1] == other_drawn).all()  # its touch-up kept
    assert w.undo_stack.index() == 2 and w.undo_stack.canRedo()  # the delete, next to redo
    assert parts.reporter.errors == []


def test_an_undo_behind_a_waiting_delete_the_user_then_cancels_is_dropped(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Del on a touched-up garment whose edit the disk refuses, then Ctrl+Z twice, all
    waiting for its save. Done, the delete asks whether to leave the edit: "No", the
    garment stays. The first Ctrl+Z, pressed for the delete, undid the step underneath
    (the garment's touch-up), the second the other garment's touch-up under it: the
    first is dropped, said, and the second undoes the step it would have met."""
    from sqlalchemy.exc import OperationalError

    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    other = w.browse.model.record(1).id
    other_mask = wardrobe.garment_picture(other)[1]
    view = w.garment_view
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        view.save_mask(other, _less_a_pixel(other_mask), undo_to=other_mask)
    qtbot.waitUntil(lambda: not view.saving_touch_up())
    w.open_garment(wardrobe.garment(garment_id))
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)

    monkeypatch.setattr(garment_view, "confirm_discard_edit", lambda *_a: False)  # "No"
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)
    view.notes_edit.setPlainText("dry clean only")  # typed; its save refused:
    _refuse_edits_as_a_full_disk(monkeypatch)
    with pytest.raises(OperationalError):
        view.save_now()  # still pending, asked about when leaving the page
    view.delete_button.click()  # waits for the garment's touch-up
    w.actions_["undo"].trigger()  # the delete's, once done
    w.actions_["undo"].trigger()  # the garment's touch-up's
    said: list[str] = []
    w.statusBar().messageChanged.connect(said.append)
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert wardrobe.garment(garment_id).id == garment_id  # not deleted: the user said no
    assert w.pages.currentWidget() is view and view.record.id == garment_id
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()  # its touch-up undone
    assert (wardrobe.garment_picture(other)[1] == _less_a_pixel(other_mask)).all()  # kept
    assert (w.undo_stack.count(), w.undo_stack.index()) == (2, 1)
    assert "The garment was not deleted: nothing undone" in said
    assert parts.reporter.errors == []


def _a_delete_during_another_touch_up(parts, qtbot, photos, monkeypatch):
    """The grid's first garment touched up with the model's queue held (``release`` lets
    it go), and the other garment deleted meanwhile, at once: the window, the wardrobe,
    the touched-up garment's id, its mask, its drawn mask, the deleted one's id and
    name (as Undo names it), and ``release``."""
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    other = w.browse.model.record(1).id
    other_name = display_name(w.browse.model.record(1))
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    release = _hold_the_model_queue(parts)
    w.garment_view.save_mask(garment_id, drawn, undo_to=mask)
    w.delete_ids([other])  # nothing to wait for: deleted now
    with pytest.raises(KeyError):
        wardrobe.garment(other)
    return w, wardrobe, garment_id, mask, drawn, other, other_name, release


def test_the_notices_undo_of_a_delete_during_a_touch_ups_save_undoes_the_delete(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """A garment deleted while another's touch-up, asked for before, was saved: the
    delete's step was pushed first, the touch-up's on it once saved, and the notice's
    Undo ("Deleted Olive top") undid the touch-up; the garment stayed deleted. The
    touch-up's step goes under the delete's, asked for after it."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn, other, name, release = _a_delete_during_another_touch_up(
        parts, qtbot, photos, monkeypatch
    )
    view = w.garment_view
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    with pytest.raises(KeyError):
        wardrobe.garment(other)  # its step moved above the touch-up's, not undone
    assert (w.undo_stack.count(), w.undo_stack.index()) == (2, 2)
    assert w.actions_["undo"].text() == f"&Undo deletion of {name}"
    assert w.undo_notice.isVisible() and w.undo_notice.label.text() == f"Deleted {name}"
    w.undo_notice.button.click()
    assert wardrobe.garment(other).id == other  # back
    assert (wardrobe.garment_picture(garment_id)[1] == drawn).all()  # the touch-up kept
    assert w.undo_stack.index() == 1
    assert w.actions_["redo"].text() == f"&Redo deletion of {name}"
    with qtbot.waitSignal(view.notice, timeout=10_000):
        w.actions_["undo"].trigger()  # then the touch-up
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()
    w.actions_["redo"].trigger()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    w.actions_["redo"].trigger()  # the delete, done again
    with pytest.raises(KeyError):
        wardrobe.garment(other)
    assert (wardrobe.garment_picture(garment_id)[1] == drawn).all()
    assert (w.undo_stack.count(), w.undo_stack.index()) == (2, 2)
    assert parts.reporter.errors == []


def test_ctrl_z_right_after_a_delete_during_a_touch_ups_save_undoes_the_delete(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Pressed while the other garment's touch-up, asked for before the delete, was
    saved, Ctrl+Z waited for it and undid it: the deleted garment stayed deleted. It
    undoes the delete at once; the touch-up's step, once saved, goes under it."""
    parts = make_app()
    w, wardrobe, garment_id, _mask, drawn, other, name, release = _a_delete_during_another_touch_up(
        parts, qtbot, photos, monkeypatch
    )
    view, undo = w.garment_view, w.actions_["undo"]
    assert undo.isEnabled() and undo.text() == f"&Undo deletion of {name}"
    undo.trigger()
    assert wardrobe.garment(other).id == other  # back at once
    assert view.saving_touch_up() and w._waiting == []
    named = f"touch-up of {display_name(wardrobe.garment(garment_id))}"
    assert undo.text() == f"&Undo {named} (being saved)"
    assert w.actions_["redo"].isEnabled()  # the delete, asked for after that touch-up
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    assert (wardrobe.garment_picture(garment_id)[1] == drawn).all()  # the touch-up kept
    assert (w.undo_stack.count(), w.undo_stack.index()) == (2, 1)  # the delete to redo
    assert undo.text().startswith("&Undo touch-up of")
    assert w.actions_["redo"].text() == f"&Redo deletion of {name}"
    w.actions_["redo"].trigger()
    with pytest.raises(KeyError):
        wardrobe.garment(other)
    assert parts.reporter.errors == []


def test_ctrl_z_after_a_delete_waiting_for_a_touch_up_undo_is_undone_in_turn(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """A touch-up undone, then Del on its garment (waiting for the undo's save): nothing
    else was on the stack, so Undo was off and Ctrl+Z did nothing, though the delete's step
    is on its way. Undo is on, and undoes the delete once it is done."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view = w.garment_view
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        view.save_mask(garment_id, drawn, undo_to=mask)
    qtbot.waitUntil(lambda: not view.saving_touch_up())
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    release = _hold_the_model_queue(parts)
    undo = w.actions_["undo"]
    undo.trigger()  # the touch-up's undo: its save queued, nothing left to undo
    assert not undo.isEnabled()
    w.delete_ids([garment_id])  # waits for that save
    deletion = f"deletion of {display_name(wardrobe.garment(garment_id))}"
    assert undo.isEnabled() and undo.text() == f"&Undo {deletion} (waiting for a touch-up)"
    assert not w.actions_["redo"].isEnabled()  # the delete's step drops the touch-up's redo
    undo.trigger()  # queued behind the delete
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()  # back, touch-up undone
    assert (w.undo_stack.count(), w.undo_stack.index()) == (1, 0)  # the delete, to redo
    assert not undo.isEnabled() and w.actions_["redo"].isEnabled()  # the stack's again
    assert parts.reporter.errors == []


def test_a_delete_waiting_for_a_touch_up_is_done_when_the_window_closes(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Closing finishes the save the delete waits for: the delete was dropped with it."""
    parts = make_app()
    w, wardrobe, garment_id, drawn, release = _a_delete_behind_a_held_touch_up(
        parts, qtbot, photos, monkeypatch
    )
    release.set()
    w.close()
    with pytest.raises(KeyError):
        wardrobe.garment(garment_id)
    wardrobe.undo_delete([garment_id])  # deleted after the touch-up was saved, not before
    assert (wardrobe.garment_picture(garment_id)[1] == drawn).all()
    assert parts.reporter.errors == []


def test_a_delete_at_close_the_disk_refuses_still_closes_the_window(
    make_app, qtbot, photos, monkeypatch
) -> None:
    parts = make_app()
    w, wardrobe, garment_id, drawn, release = _a_delete_behind_a_held_touch_up(
        parts, qtbot, photos, monkeypatch
    )

    def full(ids):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(wardrobe, "delete_garments", full)
    release.set()
    w.close()
    assert not w.isVisible() and parts.session.runner._closed  # closed all the same
    assert wardrobe.garment(garment_id).id == garment_id  # kept, with its touch-up
    assert (wardrobe.garment_picture(garment_id)[1] == drawn).all()


def test_a_delete_done_after_a_save_leaves_another_garments_page_open(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Done once the save it waited for ended, it took the page of the garment shown by
    then, another one, back to the grid."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    view = w.garment_view
    w.open_garment(wardrobe.garment(garment_id))
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)
    view.delete_button.click()  # waits for the save
    other = w.browse.model.record(1).id
    w.open_garment(wardrobe.garment(other))
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    with pytest.raises(KeyError):
        wardrobe.garment(garment_id)
    assert w.pages.currentWidget() is view and view.record.id == other


def test_the_photos_other_garment_shown_when_a_touch_up_is_saved_shows_it_as_saved(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Its overlay was made from the photo's label map before the save: the touched-up
    garment kept its old shape on it until the page was opened again."""
    parts = make_app()
    w, wardrobe, garment_id, mask, _ = _imported_with_a_drawn_mask(parts, qtbot, photos)
    drawn = mask.copy()
    ys = np.nonzero(mask)[0]
    drawn[ys.min() : (ys.min() + ys.max()) // 2, :] = False  # the upper half erased
    made: list[np.ndarray] = []
    real = garment_view.preview_pair

    def preview_pair(rgb, labels, max_side, highlight):  # what the overlay is made from
        made.append(labels)
        return real(rgb, labels, max_side=max_side, highlight=highlight)

    monkeypatch.setattr(garment_view, "preview_pair", preview_pair)
    view = w.garment_view
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)
    other = w.browse.model.record(1).id
    w.open_garment(wardrobe.garment(other))  # on to the other garment, while it is saved
    qtbot.waitUntil(lambda: view.images is not None)
    shown = view.images
    assert made[-1].shape == mask.shape and made[-1][mask & ~drawn].all()  # as it was
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: view.images is not shown, timeout=5000)
    assert view.record.id == other and not made[-1][mask & ~drawn].any()


def _imported_with_a_drawn_mask(parts, qtbot, photos):
    """One photo imported (two garments): the window, the wardrobe, the grid's first
    garment's id, its mask, and that mask less one pixel."""
    w = parts.window
    with qtbot.waitSignal(w.importer.finished, timeout=20_000):
        assert w.import_paths(photos(1))
    qtbot.waitUntil(lambda: w.browse.model.rowCount() == 2, timeout=5000)
    wardrobe = parts.session.wardrobe
    garment_id = w.browse.model.record(0).id
    _, mask = wardrobe.garment_picture(garment_id)
    return w, wardrobe, garment_id, mask, _less_a_pixel(mask)


def _less_a_pixel(mask: np.ndarray) -> np.ndarray:
    """``mask`` with its first pixel erased: a touch-up that leaves a garment."""
    drawn = mask.copy()
    drawn[tuple(np.argwhere(mask)[0])] = False
    return drawn


def _two_touch_ups_saved(qtbot, view, garment_id, mask, drawn) -> None:
    """``mask`` touched up to ``drawn``, then to ``drawn`` less a pixel, each saved: two
    steps on the window's undo stack."""
    for before, after in ((mask, drawn), (drawn, _less_a_pixel(drawn))):
        with qtbot.waitSignal(view.touchedUp, timeout=10_000):
            view.save_mask(garment_id, after, undo_to=before)
        qtbot.waitUntil(lambda: not view.saving_touch_up())


def _a_delete_behind_a_held_touch_up(parts, qtbot, photos, monkeypatch):
    """A touch-up saved with the model's queue held (``release`` lets it go) and a delete
    of its garment, confirmed, waiting for it: the window, the wardrobe, the garment's
    id, its drawn mask and ``release``."""
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    release = _hold_the_model_queue(parts)
    w.garment_view.save_mask(garment_id, drawn, undo_to=mask)
    w.delete_ids([garment_id])
    return w, wardrobe, garment_id, drawn, release


def _the_others_page_behind_a_held_delete(parts, qtbot, photos, monkeypatch):
    """``_a_delete_behind_a_held_touch_up``, then the photo's other garment's page open,
    its Touch up on: the window, the wardrobe, that other garment and ``release``."""
    w, wardrobe, garment_id, _drawn, release = _a_delete_behind_a_held_touch_up(
        parts, qtbot, photos, monkeypatch
    )
    other = next(g for g in (w.browse.model.record(i) for i in range(2)) if g.id != garment_id)
    w.open_garment(other)
    qtbot.waitUntil(lambda: w.garment_view.touch_up_button.isEnabled(), timeout=5000)
    return w, wardrobe, other, release


def test_a_touch_up_saved_while_a_field_is_edited_keeps_the_edit(make_app, qtbot, photos) -> None:
    """The record the save's worker read, before the edit being typed was saved, was
    shown over it: the name went back to the old one on the page, and the page's next
    save wrote that back to the wardrobe."""
    parts = make_app()
    w, wardrobe, garment_id, _mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    w.open_garment(wardrobe.garment(garment_id))
    view = w.garment_view
    touched = wardrobe.set_garment_mask(garment_id, drawn)  # what the save's worker returns
    view.name_edit.setFocus()
    qtbot.keyClicks(view.name_edit, "Linen shirt")  # typed meanwhile: not saved yet
    view.show_mask_change(touched)
    assert view.name_edit.text() == "Linen shirt"
    assert view.record.name == "Linen shirt" and view.record.area == touched.area
    view.notes_edit.setPlainText("iron it")  # the page's next save
    view.save_now()
    assert (wardrobe.garment(garment_id).name, wardrobe.garment(garment_id).notes) == (
        "Linen shirt",
        "iron it",
    )


def test_a_touch_up_saved_just_before_closing_is_not_dropped(make_app, qtbot, photos) -> None:
    """Its save waits on the model's queue (behind an import, a model loading); the
    window's shutdown dropped it, and the cut-out the user had saved was lost in silence."""
    import threading

    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    w.open_garment(wardrobe.garment(garment_id))
    view = w.garment_view
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)  # the dialog's Save
    threading.Timer(0.2, release.set).start()
    w.close()
    assert wardrobe.garment(garment_id).area == int(drawn.sum())


def test_the_other_button_during_a_stroke_keeps_it_one_undo_step(qtbot, canvas: MaskCanvas) -> None:
    """A press of the other button mid-stroke began a new undo step: Undo then went
    back to the middle of the stroke, not to before it."""
    original = canvas.drawn_mask()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=_on_screen(canvas, 100, 10))
    qtbot.mouseMove(canvas, _on_screen(canvas, 110, 10))
    qtbot.mousePress(canvas, Qt.MouseButton.RightButton, pos=_on_screen(canvas, 110, 10))
    qtbot.mouseMove(canvas, _on_screen(canvas, 110, 20))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=_on_screen(canvas, 110, 20))
    assert canvas.drawn_mask()[10:21, 110].all()  # still adding, to the end
    canvas.undo()
    assert np.array_equal(canvas.drawn_mask(), original) and not canvas.can_undo()


def test_the_other_button_let_go_mid_stroke_does_not_end_it(qtbot, canvas: MaskCanvas) -> None:
    """Its press is passed over; its release ended the stroke, and the rest of the drag
    with the first button still held drew nothing."""
    original = canvas.drawn_mask()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=_on_screen(canvas, 100, 10))
    qtbot.mousePress(canvas, Qt.MouseButton.RightButton, pos=_on_screen(canvas, 100, 10))
    qtbot.mouseRelease(canvas, Qt.MouseButton.RightButton, pos=_on_screen(canvas, 100, 10))
    qtbot.mouseMove(canvas, _on_screen(canvas, 100, 30))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=_on_screen(canvas, 100, 30))
    assert canvas.drawn_mask()[10:31, 100].all()
    canvas.undo()
    assert np.array_equal(canvas.drawn_mask(), original) and not canvas.can_undo()


def test_a_touch_up_refused_after_moving_on_leaves_the_page_shown_alone(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """ "Cut-out not saved" was put under the garment shown by then, a garment whose
    cut-out nobody had touched; "Saving the cut-out…" was already said only on its own."""
    import errno

    from wardrobe_app.ui import garment_view

    parts = make_app()
    w, wardrobe, first_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view, second = w.garment_view, w.browse.model.record(1)

    def disk_full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(wardrobe.store.files, "put_png", disk_full)
    said: list[str] = []
    monkeypatch.setattr(
        garment_view.QMessageBox, "warning", lambda _p, title, text: said.append(text)
    )
    w.open_garment(second)  # moved on while the first one's cut-out is saved
    view.save_mask(first_id, drawn, undo_to=mask)
    qtbot.waitUntil(lambda: said != [] and not view.saving_touch_up(), timeout=10_000)
    assert view.record.id == second.id and view.saved_label.text() != "Cut-out not saved"


def test_a_touch_up_saved_while_the_page_cannot_save_its_edit_asks_nothing(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """It asked "leave without saving?" though nobody was leaving; yes lost the edit."""
    _parts, view, editor = _touched_editor(make_app, qtbot, photos)
    asked: list[str] = []
    monkeypatch.setattr(garment_view, "confirm_discard_edit", lambda *a: asked.append("?"))

    view.notes_edit.setPlainText("dry clean only")  # typed, not saved yet
    # Typed a moment ago: the half-second autosave would fail on its own (reported as
    # any failed save) if the touch-up's save took longer than that on a busy machine.
    view._save_timer.stop()
    _refuse_edits_as_a_full_disk(monkeypatch)
    with qtbot.waitSignal(view.edited, timeout=10_000):
        editor.save_button.click()
    assert asked == [] and view.notes_edit.toPlainText() == "dry clean only"


def test_each_control_says_its_keys_and_the_canvas_what_it_is(qtbot) -> None:
    # Redo had no tooltip, so its keys (Ctrl+Shift+Z here, Ctrl+Y on Windows) were
    # nowhere; a screen reader read the canvas as "Garment mask" and nothing more.
    from PySide6.QtGui import QKeySequence

    dialog = MaskEditorDialog(*_photo_and_mask(), "top", "Grey top")
    qtbot.addWidget(dialog)
    for button in (dialog.undo_button, dialog.redo_button, dialog.add_tool, dialog.erase_tool):
        keys = button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert keys and f"({keys})" in button.toolTip(), button.text()
    assert dialog.reset_button.toolTip()
    assert "right mouse button erases" in dialog.canvas.accessibleDescription()


def test_the_keyboard_stays_on_touch_up_not_on_favourite(make_app, qtbot, photos) -> None:
    # Touch up… is off while the photo loads and while the cut-out is saved: with the
    # keyboard on it, Qt moved the focus on to Favourite, where the next Space (meant for
    # Touch up) made the garment a favourite.
    parts = make_app()
    w = parts.window
    view, editor = _open_touch_up(parts, qtbot, photos)
    editor.reject()  # nothing painted: closes without asking
    w.activateWindow()
    for save in (False, True):
        # The load's "finished" (which turns the button back on) may come an event after
        # its result opened the editor: a Space on the button still off did nothing.
        qtbot.waitUntil(view.touch_up_button.isEnabled, timeout=5000)
        view.touch_up_button.setFocus()
        qtbot.keyClick(view.touch_up_button, Qt.Key.Key_Space)
        qtbot.waitUntil(
            lambda: isinstance(QApplication.activeModalWidget(), MaskEditorDialog), timeout=5000
        )
        editor = QApplication.activeModalWidget()
        if save:
            _touch(qtbot, editor.canvas)
            with qtbot.waitSignal(view.touchedUp, timeout=10_000):
                editor.save_button.click()
            qtbot.waitUntil(lambda: not view.saving_touch_up())
        else:
            editor.reject()
        # The focus comes back with the button, when the load or the save has finished:
        # the editor can be open, and closed, before the load's "finished" is delivered.
        qtbot.waitUntil(view.touch_up_button.isEnabled, timeout=5000)
        assert w.focusWidget() is view.touch_up_button
    assert not view.favourite.isChecked()


def test_closing_with_a_touch_up_queued_behind_a_re_embedding_saves_it_at_once(
    make_app, qtbot, home, photos, monkeypatch
) -> None:
    """A new similar-items model's first load re-embeds every garment (minutes at 100k):
    closing waited up to 60 s for it before the touch-up queued behind it was saved."""
    import sqlite3
    import time

    from fakes import FakeAnalyser, SlowEmbedder

    from wardrobe_app import paths
    from wardrobe_app.service import Wardrobe
    from wardrobe_app.services import vectors

    with Wardrobe(home, FakeAnalyser(), background_index=False) as plain:
        plain.import_paths(photos(8))  # 16 garments of "fake-1"
        garment_id = max(r.id for r in plain.list_garments())  # the last re-embedded
        _, mask = plain.garment_picture(garment_id)
    drawn = mask.copy()
    drawn[tuple(np.argwhere(mask)[0])] = False
    monkeypatch.setattr(vectors, "EMBED_BATCH", 1)
    slow = SlowEmbedder(delay=0.5)  # all of it: 8 s
    parts = make_app(analyser=slow)  # loads the model: the re-embedding starts
    assert slow.started.wait(10)
    parts.window.garment_view.save_mask(garment_id, drawn, undo_to=mask)
    start = time.monotonic()
    parts.window.close()
    took = time.monotonic() - start
    parts.close()
    assert took < 4.0, f"closing waited {took:.1f} s for the re-embedding"
    assert parts.reporter.errors == []
    with sqlite3.connect(paths.database_path(home)) as conn:
        versions = dict(conn.execute("SELECT id, vector_version FROM garments"))
    conn.close()
    assert versions[garment_id] == "fake-2"  # the touch-up's cut-out, by the new model
    kept = list(versions.values()).count("fake-2")
    assert kept < 16
    again = FakeAnalyser("fake-2", permute=True)
    with Wardrobe(home, again, background_index=False) as w:
        assert (w.garment_picture(garment_id)[1] == drawn).all()  # saved, not lost
        w.analyser  # noqa: B018 - goes on with the others, not the touched-up one
        assert again.embedded == 16 - kept
        assert w.similar(garment_id, same_category=False)  # its new vector compared
        assert w.verify().ok


def test_an_undo_of_a_delete_waiting_for_a_touch_up_is_followed_when_the_window_closes(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Del, then Ctrl+Z, both waiting for a touch-up's save as the window closes: the
    delete was done and its undo dropped, the garment deleted all the same."""
    parts = make_app()
    w, wardrobe, garment_id, drawn, release = _a_delete_behind_a_held_touch_up(
        parts, qtbot, photos, monkeypatch
    )
    w.actions_["undo"].trigger()  # the delete's, once done
    assert len(w._waiting) == 2
    release.set()
    w.close()
    assert wardrobe.garment(garment_id).id == garment_id  # not deleted: its delete undone
    assert (wardrobe.garment_picture(garment_id)[1] == drawn).all()
    assert parts.reporter.errors == []


def test_a_redo_of_a_delete_undone_waiting_for_a_touch_up_is_followed_when_the_window_closes(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Behind the second touch-up's undo being saved: Del, Ctrl+Z, Ctrl+Shift+Z, then
    the window closes: the garment is deleted, as the redo would have."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view = w.garment_view
    _two_touch_ups_saved(qtbot, view, garment_id, mask, drawn)
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    release = _hold_the_model_queue(parts)
    w.actions_["undo"].trigger()  # the touch-up's undo: its save queued
    w.delete_ids([garment_id])
    w.actions_["undo"].trigger()
    w.actions_["redo"].trigger()
    assert [s.ids if isinstance(s, Deletion) else s.what for s in w._waiting] == [
        [garment_id],
        "undo",
        "redo",
    ]
    release.set()
    w.close()
    with pytest.raises(KeyError):
        wardrobe.garment(garment_id)
    assert parts.reporter.errors == []


def test_a_garment_whose_delete_waits_cannot_be_touched_up_before_it_is_done(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Del on a garment's page while another's delete waits for a touch-up's save: its
    delete waits too, its page stays, and Touch up was on. Touched up then, its step was
    pushed before the delete's (done once that save ended): Ctrl+Z undid the delete
    first, though the touch-up was the last thing done, and its undo, on a garment
    deleted, could not be done. Touch up is off until the delete is done."""
    parts = make_app()
    w, wardrobe, other, release = _the_others_page_behind_a_held_delete(
        parts, qtbot, photos, monkeypatch
    )
    view = w.garment_view
    view.delete_button.click()  # waits behind the first delete
    assert any(other.id in step.ids for step in w._waiting) and view.record.id == other.id
    assert not view.touch_up_button.isEnabled()
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    with pytest.raises(KeyError):
        wardrobe.garment(other.id)
    # the steps in the order asked: the touch-up, its garment's delete, the other's delete
    assert (w.undo_stack.count(), w.undo_stack.index()) == (3, 3)
    assert w.actions_["undo"].text() == f"&Undo deletion of {display_name(other)}"
    assert parts.reporter.errors == []


def test_a_delete_the_user_cancels_gives_touch_up_back(make_app, qtbot, photos, monkeypatch):
    """Touch up goes off while the garment's delete waits, and on again where the delete
    is not done (the user kept the page's edit the wardrobe refused)."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view = w.garment_view
    w.open_garment(wardrobe.garment(garment_id))
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    monkeypatch.setattr(garment_view, "confirm_discard_edit", lambda *_a: False)  # "No"
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)
    view.notes_edit.setPlainText("dry clean only")  # typed; its save refused:
    view._save_timer.stop()  # its autosave is not tested here
    _refuse_edits_as_a_full_disk(monkeypatch)
    view.delete_button.click()  # waits for the garment's touch-up
    assert not view.touch_up_button.isEnabled()
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert wardrobe.garment(garment_id).id == garment_id and view.record.id == garment_id
    qtbot.waitUntil(lambda: view.touch_up_button.isEnabled(), timeout=5000)
    assert parts.reporter.errors == []


def test_a_touch_up_opening_as_its_garments_delete_is_queued_is_not_opened(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Touch up clicked, then Del before its cut-out was read: the editor opened on a
    garment on its way to be deleted (its delete waiting for another's touch-up)."""
    parts = make_app()
    w, _wardrobe, _other, release = _the_others_page_behind_a_held_delete(
        parts, qtbot, photos, monkeypatch
    )
    view = w.garment_view
    view.touch_up_button.click()  # its cut-out read on the reading queue: the result
    view.delete_button.click()  # comes by the event loop, after this (queued: waits)
    with qtbot.waitSignal(view.notice, timeout=10_000) as said:
        pass
    assert said.args == ["Not touched up: the garment will be deleted"]
    assert QApplication.activeModalWidget() is None
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert (w.undo_stack.count(), w.undo_stack.index()) == (3, 3)
    assert parts.reporter.errors == []


def test_undo_names_the_delete_waiting_behind_a_touch_up_being_saved(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Touched up, then Del on the garment (waiting for the touch-up's save): Edit > Undo
    read "Undo touch-up (being saved)", and Ctrl+Z, queued behind the delete, undid the
    delete."""
    parts = make_app()
    w, wardrobe, garment_id, drawn, release = _a_delete_behind_a_held_touch_up(
        parts, qtbot, photos, monkeypatch
    )
    view, undo = w.garment_view, w.actions_["undo"]
    deletion = f"deletion of {display_name(wardrobe.garment(garment_id))}"
    assert undo.isEnabled() and undo.text() == f"&Undo {deletion} (waiting for a touch-up)"
    undo.trigger()  # what it says: the delete, once done
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert wardrobe.garment(garment_id).id == garment_id  # its delete undone
    assert (wardrobe.garment_picture(garment_id)[1] == drawn).all()  # the touch-up kept
    assert (w.undo_stack.count(), w.undo_stack.index()) == (2, 1)
    assert parts.reporter.errors == []


def test_redo_names_what_it_redoes_while_an_undo_waits_for_a_touch_up(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Ctrl+Z pressed for a touch-up being saved: Edit > Redo read "Redo" alone, though it
    then redoes that touch-up once it is saved and undone. A delete asked for after it
    drops the redos: Redo off."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view, redo = w.garment_view, w.actions_["redo"]
    wardrobe.update_garment(garment_id, name="H&M jeans")  # its "&" doubled as a step's
    parts.session.notify_changed()
    model = w.browse.model
    qtbot.waitUntil(
        lambda: (
            model.row_of(garment_id) >= 0
            and model.record(model.row_of(garment_id)).name == "H&M jeans"
        ),
        timeout=10_000,
    )
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)
    w.actions_["undo"].trigger()  # waits for it
    assert redo.isEnabled()
    assert redo.text() == "&Redo touch-up of H&&M jeans (waiting for a touch-up)"
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    other = next(r.id for r in map(w.browse.model.record, range(2)) if r.id != garment_id)
    w.delete_ids([other])  # waits behind the undo, then drops its redo
    assert not redo.isEnabled() and redo.text() == "&Redo"
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()  # undone
    assert not redo.isEnabled() and redo.text() == "&Redo"
    w.actions_["undo"].trigger()  # the delete, undone: the stack's own text again
    assert redo.isEnabled() and redo.text().startswith("&Redo deletion of ")
    assert parts.reporter.errors == []


def test_redo_names_a_touch_up_of_a_garment_neither_shown_nor_listed(
    make_app, qtbot, photos
) -> None:
    """The touch-up's garment filtered out of the grid, its page not open, Ctrl+Z
    pressed for its save: Edit > Redo read "Redo touch-up (waiting for a touch-up)",
    naming no garment; it names it as the grid would."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view, redo = w.garment_view, w.actions_["redo"]
    touched = wardrobe.garment(garment_id)
    other = next(r for r in map(w.browse.model.record, range(2)) if r.id != garment_id)
    assert other.category != touched.category  # the chip of its category hides it
    w.browse.filter_bar.category_chips[other.category].click()
    qtbot.waitUntil(
        lambda: w.browse.is_current() and w.browse.model.row_of(garment_id) < 0, timeout=10_000
    )
    assert view.record is None  # no page open
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, drawn, undo_to=mask)
    w.actions_["undo"].trigger()  # waits for it
    named = f"touch-up of {display_name(touched)}"
    assert redo.isEnabled() and redo.text() == f"&Redo {named} (waiting for a touch-up)"
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()  # undone
    assert redo.isEnabled() and redo.text().startswith("&Redo touch-up of ")
    assert parts.reporter.errors == []


def test_undo_names_no_touch_up_being_saved_once_ctrl_z_waits_for_it(
    make_app, qtbot, photos
) -> None:
    """A second touch-up being saved, Ctrl+Z pressed for it: Undo still read "Undo
    touch-up (being saved)", though the next Ctrl+Z undoes the first touch-up, which it
    names (it read "Undo (waiting for a touch-up)")."""
    parts = make_app()
    w, wardrobe, garment_id, mask, drawn = _imported_with_a_drawn_mask(parts, qtbot, photos)
    view, undo = w.garment_view, w.actions_["undo"]
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        view.save_mask(garment_id, drawn, undo_to=mask)
    qtbot.waitUntil(lambda: not view.saving_touch_up())
    release = _hold_the_model_queue(parts)
    view.save_mask(garment_id, _less_a_pixel(drawn), undo_to=drawn)
    first = w.undo_stack.text(0)  # "touch-up of Navy fake bottom", as saved
    named = f"touch-up of {display_name(wardrobe.garment(garment_id))}"
    assert undo.text() == f"&Undo {named} (being saved)"
    undo.trigger()  # waits for it
    assert undo.isEnabled() and undo.text() == f"&Undo {first} (waiting for a touch-up)"
    undo.trigger()  # the first touch-up, in turn
    release.set()
    qtbot.waitUntil(
        lambda: w.undo_stack.index() == 0 and not view.saving_touch_up(), timeout=10_000
    )
    assert (wardrobe.garment_picture(garment_id)[1] == mask).all()
    assert undo.text() == "&Undo" and not undo.isEnabled()
    assert parts.reporter.errors == []
