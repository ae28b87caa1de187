"""A garment page's field edits as the main window's undo steps (Edit > Undo, Ctrl+Z)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import wait_listed
from fakes import one_piece_pixels_in_the_top, top_and_bottom, top_over_waist, top_reaching_bottom
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit
from test_mask_editor import (
    _hold_the_model_queue,
    _open_touch_up,
    _the_others_page_behind_a_held_delete,
    _touch,
)

from wardrobe_app.types import CATEGORIES
from wardrobe_app.ui.garment_model import display_name
from wardrobe_app.ui.undo_steps import EDIT_WORDS


def _page_of_the_first_garment(make_app, qtbot, photos):
    parts = make_app()
    w = parts.window
    with qtbot.waitSignal(w.importer.finished, timeout=20_000):
        assert w.import_paths(photos(1))
    qtbot.waitUntil(lambda: w.browse.model.rowCount() == 2, timeout=20_000)
    record = w.browse.model.record(0)
    w.open_garment(record)
    return parts, w.garment_view, record


def _choose_category(view, category: str) -> None:
    """As a click in the list does (``activated``, not a change made by the page): its
    save is queued on the model's queue (``_category_chosen`` waits for it)."""
    combo = view.category_combo
    combo.setCurrentIndex(combo.findData(category))
    combo.activated.emit(combo.currentIndex())


def _category_chosen(qtbot, view, category: str) -> None:
    """``_choose_category``, its save waited for."""
    garment_id = view.record.id
    _choose_category(view, category)
    qtbot.waitUntil(lambda: not view.saving_category(garment_id), timeout=10_000)


def _done(qtbot, w, action: str) -> None:
    """Edit > Undo or Redo, its save (on the model's queue) waited for."""
    view = w.garment_view
    with qtbot.waitSignal(view.edited, timeout=10_000):
        w.actions_[action].trigger()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)


def test_a_category_change_is_undone_and_redone(make_app, qtbot, photos) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    other = next(c for c in CATEGORIES if c != record.category)
    _category_chosen(qtbot, view, other)
    assert wardrobe.garment(record.id).category == other
    assert w.undo_stack.count() == 1
    # named as it is after the edit ("Navy top" made a bottom: "Navy bottom")
    step = f"category change of {display_name(view.record)}"
    assert w.actions_["undo"].text() == f"&Undo {step}"
    # The undo's save waits behind what the model's queue runs: the page still shows
    # the edit until it is written
    release = _hold_the_model_queue(parts)
    w.actions_["undo"].trigger()
    assert view.saving_touch_up([record.id])
    assert wardrobe.garment(record.id).category == other
    with qtbot.waitSignal(view.edited, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    assert wardrobe.garment(record.id).category == record.category
    assert view.category_combo.currentData() == record.category == view.record.category
    assert view.saved_label.text() == "Category change undone"
    assert w.actions_["redo"].text() == f"&Redo {step}"
    _done(qtbot, w, "redo")
    assert wardrobe.garment(record.id).category == other
    assert view.category_combo.currentData() == other
    assert w.undo_stack.count() == 1  # undo and redo push no step of their own


def test_a_rename_typed_over_several_autosaves_is_one_step(make_app, qtbot, photos) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    edit = view.name_edit
    edit.selectAll()
    for typed, name in (("Red", "Red"), (" coat", "Red coat")):
        qtbot.keyClicks(edit, typed)
        view._save_timer.stop()  # its autosave, now (not a race with the timer)
        view._autosave()
        assert wardrobe.garment(record.id).name == name
    assert w.undo_stack.count() == 0  # still typing: no step yet
    edit.editingFinished.emit()  # the field left
    assert w.undo_stack.count() == 1
    assert w.actions_["undo"].text() == "&Undo rename of Red coat"
    _done(qtbot, w, "undo")  # the name before the typing, in one step
    assert wardrobe.garment(record.id).name == record.name
    assert view.name_edit.text() == record.name
    assert w.statusBar().currentMessage() == f"Rename undone: {display_name(view.record)}"


def test_a_favourite_is_a_step_at_once(make_app, qtbot, photos) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w = parts.window
    view.favourite.click()
    assert parts.session.wardrobe.garment(record.id).favourite
    assert w.actions_["undo"].text() == f"&Undo favourite change of {display_name(record)}"
    _done(qtbot, w, "undo")
    assert not parts.session.wardrobe.garment(record.id).favourite
    assert not view.favourite.isChecked()


def test_an_edit_of_a_garment_deleted_since_is_dropped(make_app, qtbot, photos) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _category_chosen(qtbot, view, next(c for c in CATEGORIES if c != record.category))
    view._go_back()
    # Listed first (still there): a listing landing after the delete below says "Edited
    # ... (deleted since by another program)" over the undo's words
    wait_listed(qtbot, w, 2)
    wardrobe.delete_garments([record.id])  # another program (wardrobe-cli)
    with qtbot.waitSignal(view.notice, timeout=10_000) as said:
        w.actions_["undo"].trigger()
    assert said.args == ["That garment is no longer in the wardrobe"]
    assert "no longer in the wardrobe" in w.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    assert w.undo_stack.count() == 0  # it cannot be done: not left to redo


def test_an_edit_made_while_a_touch_up_is_saved_is_undone_first(make_app, qtbot, photos) -> None:
    """The touch-up's step is pushed once saved: it went above the edit made after it."""
    parts = make_app()
    w, wardrobe = parts.window, parts.session.wardrobe
    view, editor = _open_touch_up(parts, qtbot, photos)
    record = view.record
    _touch(qtbot, editor.canvas)
    release = _hold_the_model_queue(parts)
    editor.save_button.click()  # its save waits on the model's queue
    assert view.saving_new_touch_up()
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    assert w.undo_stack.count() == 2
    assert w.actions_["undo"].text().startswith("&Undo category change of")
    _done(qtbot, w, "undo")
    assert wardrobe.garment(record.id).category == record.category
    assert w.actions_["undo"].text().startswith("&Undo touch-up of")


def test_ctrl_z_in_the_field_typed_in_is_its_own_undo(make_app, qtbot, photos) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w = parts.window
    other = next(c for c in CATEGORIES if c != record.category)
    _category_chosen(qtbot, view, other)
    edit = view.name_edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=5000)
    qtbot.keyClicks(edit, "Red")
    view._save_timer.stop()  # its autosave, now (not a race with the timer)
    view._autosave()
    qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == record.name  # the field's own undo of the typing
    assert w.undo_stack.count() == 1 and w.undo_stack.canUndo()  # the category's, not undone
    assert parts.session.wardrobe.garment(record.id).category == other


def _rename(qtbot, view, name: str) -> None:
    """``name`` typed over the field's and the field left (saved, one step)."""
    view.name_edit.selectAll()
    qtbot.keyClicks(view.name_edit, name)
    view._save_timer.stop()  # not a race with the autosave's timer
    view.name_edit.editingFinished.emit()


@pytest.mark.parametrize(("before", "after"), [("", "Blouse"), ("Blouse", "")])
def test_a_type_typed_in_or_cleared_is_undone_and_redone(
    make_app, qtbot, photos, before: str, after: str
) -> None:
    """A type typed into an empty field, or cleared: its undo (or redo) writing no type
    wrote None, which leaves the type stored; "Type change undone" and it stayed."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    wardrobe.update_garment(record.id, fine_type=before)
    w.open_garment(wardrobe.garment(record.id))
    edit = view.type_edit
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, after)
    view._save_timer.stop()  # not a race with the autosave's timer
    edit.editingFinished.emit()  # the field left: saved, one step
    assert wardrobe.garment(record.id).fine_type == (after or None)
    assert w.actions_["undo"].text().startswith("&Undo type change of")
    for action, shown in (("undo", before), ("redo", after)):
        _done(qtbot, w, action)
        assert wardrobe.garment(record.id).fine_type == (shown or None)
        assert edit.text() == shown


def test_typing_while_an_undo_waits_is_not_overwritten_by_it(make_app, qtbot, photos) -> None:
    """The undo waits on the model's queue, the autosave would write at once: the fields
    are locked till the undo is written, and the database and the stack agree."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _rename(qtbot, view, "Red coat")
    assert wardrobe.garment(record.id).name == "Red coat"
    release = _hold_the_model_queue(parts)
    w.actions_["undo"].trigger()  # Ctrl+Z outside the field: its save waits
    assert view.saving_touch_up([record.id])
    assert view.name_edit.isReadOnly() and view.notes_edit.isReadOnly()
    assert not view.category_combo.isEnabled() and not view.favourite.isEnabled()
    _rename(qtbot, view, "Blue coat")  # refused: the field is read-only
    assert view.name_edit.text() == "Red coat"
    assert wardrobe.garment(record.id).name == "Red coat"
    with qtbot.waitSignal(view.edited, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    assert wardrobe.garment(record.id).name == record.name == view.name_edit.text()
    assert w.undo_stack.count() == 1 and w.undo_stack.index() == 0  # the rename, to redo
    assert w.actions_["redo"].text() == "&Redo rename of Red coat"
    # Written: the fields take typing again, a step on top of the stack
    assert not view.name_edit.isReadOnly() and view.category_combo.isEnabled()
    _rename(qtbot, view, "Blue coat")
    assert wardrobe.garment(record.id).name == "Blue coat"
    assert w.actions_["undo"].text() == "&Undo rename of Blue coat"
    _done(qtbot, w, "undo")
    assert wardrobe.garment(record.id).name == record.name


def test_an_edit_made_while_a_delete_waits_goes_above_it(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """The delete waits for a touch-up's save; an edit of another garment made meanwhile
    is the last thing done: its step goes above the delete's, not under it."""
    parts = make_app()
    w, wardrobe, other, release = _the_others_page_behind_a_held_delete(
        parts, qtbot, photos, monkeypatch
    )
    view = w.garment_view
    category = next(c for c in CATEGORIES if c != other.category)
    _choose_category(view, category)
    assert view.saving_category(other.id)  # queued behind the touch-up's save
    step = f"category change of {display_name(view.record)}"  # it read "Undo (waiting ...)"
    assert w.actions_["undo"].text() == f"&Undo {step} (waiting for a touch-up)"
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert wardrobe.garment(other.id).category == category
    assert w.undo_stack.count() == 3  # the touch-up, the delete, the category change
    assert w.actions_["undo"].text() == f"&Undo category change of {display_name(view.record)}"
    _done(qtbot, w, "undo")
    assert wardrobe.garment(other.id).category == other.category
    assert w.actions_["undo"].text().startswith("&Undo deletion of")


def _released_as_the_window_closes(parts, release, monkeypatch) -> None:
    """The model's queue held by ``release`` runs once the closing window waits for it."""
    from wardrobe_app.ui.workers import Queue

    runner = parts.session.runner
    finish = runner.finish_queue

    def finish_queue(queue, msecs=10_000):
        if queue is Queue.MODEL:
            release.set()
        return finish(queue, msecs)

    monkeypatch.setattr(runner, "finish_queue", finish_queue)


def test_an_edits_undo_waiting_for_its_save_is_done_when_the_window_closes(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Ctrl+Z pressed while the category change's save waits on the model's queue: the
    close waits for that save, then puts the category back, as the user last asked; it
    was dropped (logged), the change kept."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    w.actions_["undo"].trigger()  # waits for the change's save
    assert w._waiting
    _released_as_the_window_closes(parts, release, monkeypatch)
    w.close()
    assert parts.session.runner._closed
    assert wardrobe.garment(record.id).category == record.category
    assert parts.reporter.errors == []


def test_an_undo_of_an_edit_waiting_behind_a_delete_is_done_when_the_window_closes(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """The rename's step waits behind the delete (which waits for a touch-up's save), and
    Ctrl+Z behind it: at close the delete is done and the rename undone; the undo was
    dropped, the new name kept."""
    parts = make_app()
    w, wardrobe, other, release = _the_others_page_behind_a_held_delete(
        parts, qtbot, photos, monkeypatch
    )
    view = w.garment_view
    _rename(qtbot, view, "Red coat")
    assert wardrobe.garment(other.id).name == "Red coat"
    w.actions_["undo"].trigger()
    assert len(w._waiting) == 3  # the delete, the rename's step, the undo
    _released_as_the_window_closes(parts, release, monkeypatch)
    w.close()
    assert wardrobe.garment(other.id).name == other.name
    assert [g.id for g in wardrobe.list_garments()] == [other.id]  # the other, deleted
    assert parts.reporter.errors == []


def _page_of(w, qtbot, garment_id: int):
    model = w.browse.model
    qtbot.waitUntil(lambda: model.row_of(garment_id) >= 0, timeout=5000)
    w.open_garment(model.record(model.row_of(garment_id)))
    return w.garment_view


@pytest.mark.parametrize(
    ("drawn", "category"),
    [
        ("as imported", None),
        ("with one-piece pixels", "one-piece"),
        ("down to the bottom", "bottom"),
        ("over the waist", "one-piece"),
    ],
)
def test_a_category_change_undone_gives_back_the_photos_label_map(
    make_app, qtbot, photos, drawn: str, category: str | None
) -> None:
    """The change recoloured the top's pixels in its photo's label map (the overlays and
    the other garments' cut-outs read it); undone from the window, the map is as stored
    before, to the pixel: also where the map alone cannot tell (one-piece pixels the
    model found in the top, made a one-piece: ``services/map_edits.py``), and with the
    top touched up down to the bottom (made a bottom) or over its waist."""
    parts = make_app()
    w, wardrobe = parts.window, parts.session.wardrobe
    with qtbot.waitSignal(w.importer.finished, timeout=20_000):
        assert w.import_paths(photos(1))
    if drawn == "with one-piece pixels":
        top = one_piece_pixels_in_the_top(wardrobe)[0]
    elif drawn == "down to the bottom":
        top = top_reaching_bottom(wardrobe)[0]
    elif drawn == "over the waist":
        top = top_over_waist(wardrobe)[0]
    else:
        top = top_and_bottom(wardrobe)[0]
    w.refresh()
    view = _page_of(w, qtbot, top)
    stored = wardrobe.photo_labels(top)
    assert stored is not None
    for other in [category] if category else [c for c in CATEGORIES if c != "top"]:
        _category_chosen(qtbot, view, other)
        changed = wardrobe.photo_labels(top)
        assert changed is not None and not np.array_equal(changed, stored)  # recoloured
        _done(qtbot, w, "undo")
        assert wardrobe.garment(top).category == "top" == view.category_combo.currentData()
        back = wardrobe.photo_labels(top)
        assert back is not None and back.dtype == stored.dtype
        assert np.array_equal(back, stored), other


@pytest.mark.parametrize("field", ["category_combo", "favourite", "tags_edit"])
def test_the_keyboard_is_given_back_to_the_field_once_an_undo_is_written(
    make_app, qtbot, photos, field: str
) -> None:
    """The fields are locked while an edit's undo waits on the model's queue (the
    category box and Favourite turned off, which moves the keyboard on): once it is
    written, the keyboard is in the field the user was in."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w = parts.window
    _rename(qtbot, view, "Red coat")
    widget = getattr(view, field)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=10_000)
    release = _hold_the_model_queue(parts)
    w.actions_["undo"].trigger()  # Ctrl+Z: the fields locked till it is written
    assert view.fields_locked()
    with qtbot.waitSignal(view.edited, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: not view.fields_locked(), timeout=10_000)
    assert parts.session.wardrobe.garment(record.id).name == record.name
    qtbot.waitUntil(widget.hasFocus, timeout=10_000)
    assert QApplication.focusWidget() is widget


def test_a_field_the_user_went_to_meanwhile_keeps_the_keyboard_once_an_undo_is_written(
    make_app, qtbot, photos
) -> None:
    """The keyboard in Favourite, turned off while the undo waits: the user goes on to
    the notes; written, the undo took the keyboard back to Favourite, where the next
    Space (meant for the notes) made the garment a favourite."""
    parts, view, _record = _page_of_the_first_garment(make_app, qtbot, photos)
    w = parts.window
    _rename(qtbot, view, "Red coat")
    view.favourite.setFocus()
    qtbot.waitUntil(view.favourite.hasFocus, timeout=10_000)
    release = _hold_the_model_queue(parts)
    w.actions_["undo"].trigger()
    assert not view.favourite.isEnabled()
    view.notes_edit.setFocus()  # the user moves on
    qtbot.waitUntil(view.notes_edit.hasFocus, timeout=10_000)
    with qtbot.waitSignal(view.edited, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: not view.fields_locked(), timeout=10_000)
    assert view.favourite.isEnabled()
    assert QApplication.focusWidget() is view.notes_edit


def test_ctrl_z_for_the_only_step_while_it_is_saved_leaves_nothing_to_undo(
    make_app, qtbot, photos
) -> None:
    """A category change the only step, Ctrl+Z pressed while its save waits: the next
    Ctrl+Z has nothing to undo. Undo stayed on, reading "Undo (waiting for a change of
    category)" with nothing to name; it is off, as it reads once the undo is written."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, undo = parts.window, parts.window.actions_["undo"]
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    assert undo.isEnabled()
    step = f"category change of {display_name(view.record)}"
    assert undo.text() == f"&Undo {step} (waiting for a change of category)"
    undo.trigger()  # waits for the change's save
    assert w._waiting
    assert not undo.isEnabled() and undo.text() == "&Undo"
    said = "A change of category is being saved: undo once it is"
    assert w.statusBar().currentMessage() == said
    with qtbot.waitSignal(view.edited, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert parts.session.wardrobe.garment(record.id).category == record.category
    assert not undo.isEnabled() and undo.text() == "&Undo"
    assert parts.reporter.errors == []


def test_an_undos_words_go_once_a_later_category_change_lands(make_app, qtbot, photos) -> None:
    """A category change redone, then another chosen while its words were still shown:
    the status bar kept "Category change redone: Navy one-piece" over a garment that was
    now a top once that change landed. The later change says nothing of its own."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w = parts.window
    other = next(c for c in CATEGORIES if c != record.category)
    _category_chosen(qtbot, view, other)
    _done(qtbot, w, "undo")
    _done(qtbot, w, "redo")
    redone = f"Category change redone: {display_name(view.record)}"
    assert w.statusBar().currentMessage() == redone
    release = _hold_the_model_queue(parts)  # the message's seconds not over meanwhile
    _choose_category(view, record.category)
    assert w.statusBar().currentMessage() == redone  # still true: not saved yet
    with qtbot.waitSignal(view.edited, timeout=10_000):
        release.set()
    assert parts.session.wardrobe.garment(record.id).category == record.category
    assert w.statusBar().currentMessage() == ""


def test_a_touch_up_undos_words_go_once_the_garment_is_renamed(make_app, qtbot, photos) -> None:
    """The status bar kept "Touch-up undone: Navy fake bottom" after the garment was
    renamed "Red coat" on its page."""
    parts = make_app()
    w = parts.window
    view, editor = _open_touch_up(parts, qtbot, photos)
    _touch(qtbot, editor.canvas)
    with qtbot.waitSignal(view.touchedUp, timeout=10_000):
        editor.save_button.click()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    _done(qtbot, w, "undo")
    undone = f"Touch-up undone: {display_name(view.record)}"
    assert w.statusBar().currentMessage() == undone
    _rename(qtbot, view, "Red coat")
    assert parts.session.wardrobe.garment(view.record.id).name == "Red coat"
    assert w.statusBar().currentMessage() == ""


def test_an_edit_made_while_a_touch_up_is_saved_is_named_as_the_save_left_the_garment(
    make_app, qtbot, photos
) -> None:
    """The touch-up's save gives a garment with no type one (as at import): "Navy
    bottom" is "Navy fake bottom" once it lands. A favourite chosen meanwhile, then
    Ctrl+Z (waiting for that save): Redo read "Redo favourite change of Navy bottom",
    the name before the save, also once it had landed."""
    parts = make_app()
    w, wardrobe = parts.window, parts.session.wardrobe
    view, editor = _open_touch_up(parts, qtbot, photos)
    record = view.record
    assert record.fine_type is None
    _touch(qtbot, editor.canvas)
    release = _hold_the_model_queue(parts)
    editor.save_button.click()  # its save waits on the model's queue
    view.favourite.click()  # a step at once, above the touch-up's once saved
    before = f"favourite change of {display_name(record)}"
    assert w.actions_["undo"].text() == f"&Undo {before} (waiting for a touch-up)"
    w.actions_["undo"].trigger()  # waits for the touch-up's save
    redo = w.actions_["redo"]
    assert redo.text() == f"&Redo {before} (waiting for a touch-up)"
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    now = display_name(wardrobe.garment(record.id))
    assert now != display_name(record)  # typed by the save: "Navy fake bottom"
    assert not wardrobe.garment(record.id).favourite  # undone
    assert redo.text() == f"&Redo favourite change of {now}"
    assert w.actions_["undo"].text() == f"&Undo touch-up of {now}"


# A field's edit as the user makes it: its value typed (or the button clicked), the
# garment's value for it after. ``autosaved``: the autosave fired while typing, or the
# field was left with its save still waiting (the 500 ms timer).
_EDITS = {
    "name": ("name_edit", "Red coat", "Red coat"),
    "fine_type": ("type_edit", "Culottes", "Culottes"),
    "tags": ("tags_edit", "summer, work", ["summer", "work"]),
    "notes": ("notes_edit", "Bought in Leeds", "Bought in Leeds"),
}


def _edit_and_leave(qtbot, view, field: str, autosaved: bool) -> None:
    """``field`` edited as the user does it: typed over and left with Tab (the favourite
    clicked)."""
    if field == "favourite":
        view.favourite.click()
        return
    edit = getattr(view, _EDITS[field][0])
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=5000)
    edit.selectAll()
    qtbot.keyClicks(edit, _EDITS[field][1])
    view._save_timer.stop()  # not a race with the autosave's timer
    if autosaved:
        view._autosave()
    else:
        view._pending_save = True  # its save still waiting, as the stopped timer left it
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert not edit.hasFocus()


def _stored(wardrobe, garment_id: int, field: str) -> object:
    value = getattr(wardrobe.garment(garment_id), field)
    return value or ("" if field == "fine_type" else value)


def _edited(record, field: str) -> object:
    return (not record.favourite) if field == "favourite" else _EDITS[field][2]


def _original(record, field: str) -> object:
    value = getattr(record, field)
    return value or ("" if field == "fine_type" else value)


@pytest.mark.parametrize("autosaved", [True, False])
@pytest.mark.parametrize(
    ("first", "second"),
    [("tags", "notes"), ("name", "tags"), ("fine_type", "notes"), ("favourite", "name")],
)
def test_undo_names_the_newest_field_edit_and_ctrl_z_undoes_it(
    make_app, qtbot, photos, first: str, second: str, autosaved: bool
) -> None:
    """Two fields edited and left in turn: Edit > Undo names the second, and Ctrl+Z undoes
    it (then Redo names and redoes it, and Undo names the first). The notes, left, were no
    step till the next Ctrl+Z made them one: Undo read "Undo tags change of ..." and
    Ctrl+Z undid the notes ("Notes change undone")."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _edit_and_leave(qtbot, view, first, autosaved)
    _edit_and_leave(qtbot, view, second, autosaved)
    assert _stored(wardrobe, record.id, first) == _edited(record, first)
    assert _stored(wardrobe, record.id, second) == _edited(record, second)
    step = f"{EDIT_WORDS[second]} of {display_name(view.record)}"
    assert w.actions_["undo"].text() == f"&Undo {step}"
    # Ctrl+Z where the keyboard is, out of the fields of text (their own undo takes it)
    focus = QApplication.focusWidget()
    if isinstance(focus, (QLineEdit, QPlainTextEdit)):  # Tab from the tags: the notes
        focus = view.favourite
        focus.setFocus()
        qtbot.waitUntil(focus.hasFocus, timeout=5000)
        assert w.actions_["undo"].text() == f"&Undo {step}"
    assert focus is not None
    with qtbot.waitSignal(view.edited, timeout=10_000):
        qtbot.keyClick(focus, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    assert _stored(wardrobe, record.id, second) == _original(record, second)
    assert _stored(wardrobe, record.id, first) == _edited(record, first)
    words = EDIT_WORDS[second]
    assert w.statusBar().currentMessage().startswith(f"{words[0].upper()}{words[1:]} undone")
    assert w.actions_["redo"].text() == f"&Redo {step}"
    _done(qtbot, w, "redo")
    assert _stored(wardrobe, record.id, second) == _edited(record, second)
    assert w.actions_["undo"].text() == f"&Undo {step}"
    _done(qtbot, w, "undo")
    assert w.actions_["undo"].text().startswith(f"&Undo {EDIT_WORDS[first]} of ")
    _done(qtbot, w, "undo")
    assert _stored(wardrobe, record.id, first) == _original(record, first)
    assert not w.undo_stack.canUndo()


def test_notes_left_while_a_category_change_is_saved_are_the_step_ctrl_z_undoes(
    make_app, qtbot, photos
) -> None:
    """The same with a save waiting on the model's queue (a category chosen): Undo names
    the notes, as waiting for that save, and Ctrl+Z, done once it is saved, undoes them."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    other = next(c for c in CATEGORIES if c != record.category)
    release = _hold_the_model_queue(parts)
    _choose_category(view, other)
    assert view.saving_category(record.id)
    _edit_and_leave(qtbot, view, "notes", autosaved=False)
    step = f"notes change of {display_name(view.record)}"
    undo = w.actions_["undo"]
    assert undo.text() == f"&Undo {step} (waiting for a change of category)"
    focus = QApplication.focusWidget()
    assert focus is not None and not isinstance(focus, (QLineEdit, QPlainTextEdit))
    qtbot.keyClick(focus, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert wardrobe.garment(record.id).notes == "Bought in Leeds"  # it waits
    with qtbot.waitSignal(view.stepSaid, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    assert wardrobe.garment(record.id).notes == record.notes
    assert wardrobe.garment(record.id).category == other  # the category change stays
    assert w.actions_["redo"].text() == f"&Redo {step}"
    assert undo.text().startswith("&Undo category change of ")


@pytest.mark.parametrize("autosaved", [True, False])
@pytest.mark.parametrize(("first", "second"), [("tags", "notes"), ("favourite", "name")])
def test_undo_names_the_edit_still_typed_in_which_it_undoes(
    make_app, qtbot, photos, first: str, second: str, autosaved: bool
) -> None:
    """The keyboard still in the field typed in: the tool bar's Undo makes the edit a step
    and undoes it (``commit_typed``). It read "Undo tags change of ..." meanwhile."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _edit_and_leave(qtbot, view, first, autosaved)
    edit = getattr(view, _EDITS[second][0])
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=5000)
    edit.selectAll()
    qtbot.keyClicks(edit, _EDITS[second][1])
    view._save_timer.stop()  # not a race with the autosave's timer
    if autosaved:
        view._autosave()
    name = display_name(replace(record, name=_EDITS["name"][2])) if second == "name" else None
    step = f"{EDIT_WORDS[second]} of {name or display_name(view.record)}"
    undo, redo = w.actions_["undo"], w.actions_["redo"]
    assert undo.text() == f"&Undo {step}" and undo.isEnabled()
    assert not redo.isEnabled()  # its step, made first, drops the redos
    _done(qtbot, w, "undo")
    assert edit.hasFocus()
    assert _stored(wardrobe, record.id, second) == _original(record, second)
    assert _stored(wardrobe, record.id, first) == _edited(record, first)
    assert redo.text() == f"&Redo {step}"
    assert undo.text().startswith(f"&Undo {EDIT_WORDS[first]} of ")
