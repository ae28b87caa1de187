"""A garment page's category change, saved on the model's queue (its label map made
again and its PNGs read and written froze the window ~195 ms on a 12 MP photo)."""

from __future__ import annotations

import logging
import sqlite3
import threading

from test_field_undo import (
    _category_chosen,
    _choose_category,
    _done,
    _page_of_the_first_garment,
    _released_as_the_window_closes,
    _rename,
)
from test_mask_editor import _hold_the_model_queue

from wardrobe_app.service import Wardrobe
from wardrobe_app.types import CATEGORIES
from wardrobe_app.ui import garment_view
from wardrobe_app.ui.garment_model import display_name
from wardrobe_app.ui.theme import category_label


def _category_writes_on(monkeypatch, threads: list[threading.Thread], fail: bool = False) -> None:
    """``Wardrobe.update_garment`` notes the thread of each call given a category; with
    ``fail``, such a call fails as SQLite does on a full disk (the others are written)."""
    from sqlalchemy.exc import OperationalError

    real = Wardrobe.update_garment

    def update_garment(self, garment_id, **fields):
        if fields.get("category") is not None:
            threads.append(threading.current_thread())
            if fail:
                raise OperationalError("UPDATE", {}, sqlite3.OperationalError("disk is full"))
        return real(self, garment_id, **fields)

    monkeypatch.setattr(Wardrobe, "update_garment", update_garment)


def _category_writes_fail(monkeypatch) -> list[str]:
    """A change of category fails as on a full disk (``_category_writes_on``); the
    warning boxes it brings are not shown, their text kept in the list returned."""
    said: list[str] = []
    monkeypatch.setattr(
        garment_view.QMessageBox, "warning", lambda _p, _title, text, *_a: said.append(text)
    )
    _category_writes_on(monkeypatch, [], fail=True)
    return said


def test_a_category_change_is_written_off_the_gui_thread(
    make_app, qtbot, photos, monkeypatch
) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    threads: list[threading.Thread] = []
    _category_writes_on(monkeypatch, threads)
    other = next(c for c in CATEGORIES if c != record.category)
    with qtbot.waitSignal(view.edited, timeout=10_000) as landed:  # the grid follows
        _choose_category(view, other)
    assert threads and threading.main_thread() not in threads
    assert landed.args[0].category == other == parts.session.wardrobe.garment(record.id).category
    assert view.saved_label.text() == "Saved"
    assert view.category_combo.currentData() == other == view.record.category
    assert parts.window.undo_stack.count() == 1


def test_edits_made_while_a_category_save_is_held_back_are_saved_after_it(
    make_app, qtbot, photos
) -> None:
    """A second category and a name chosen while the first change waits on the queue:
    the last asked for is stored and shown, and each is a step, undone in order."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    first, second = (c for c in CATEGORIES if c != record.category)
    release = _hold_the_model_queue(parts)
    _choose_category(view, first)
    assert view.saving_category(record.id) and view.saved_label.text() == "Saving…"
    assert wardrobe.garment(record.id).category == record.category  # held back
    _choose_category(view, second)
    _rename(qtbot, view, "Red coat")  # written at once: no category in it
    assert wardrobe.garment(record.id).name == "Red coat"
    assert view.category_combo.currentData() == second
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.name) == (second, "Red coat")
    assert view.category_combo.currentData() == second == view.record.category
    assert view.name_edit.text() == "Red coat" and view.saved_label.text() == "Saved"
    assert w.undo_stack.count() == 3
    undone = []
    for _ in range(3):  # the rename, then each change, the last first
        with qtbot.waitSignal(view.edited, timeout=10_000):
            w.actions_["undo"].trigger()
        qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
        stored = wardrobe.garment(record.id)
        undone.append((stored.name, stored.category))
    assert undone == [
        (record.name, second),
        (record.name, first),
        (record.name, record.category),
    ]
    assert view.category_combo.currentData() == record.category


def test_an_undo_asked_while_the_category_is_saved_is_done_after_it(
    make_app, qtbot, photos
) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    w.actions_["undo"].trigger()  # Ctrl+Z at once: its save is queued behind the change's
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert wardrobe.garment(record.id).category == record.category
    assert view.category_combo.currentData() == record.category
    assert (w.undo_stack.count(), w.undo_stack.index()) == (1, 0)  # the change, to redo


def test_an_undo_waiting_for_a_category_save_says_so(make_app, qtbot, photos) -> None:
    """Edit > Undo and Ctrl+Z said a touch-up was being saved; it is a change of
    category, and the step the next Ctrl+Z undoes is named."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    undo = w.actions_["undo"]
    _rename(qtbot, view, "Red coat")
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    assert undo.text() == "&Undo category change of Red coat (waiting for a change of category)"
    undo.trigger()  # waits for the change's save
    assert w.statusBar().currentMessage() == (
        "A change of category is being saved: undo once it is"
    )
    assert undo.text() == "&Undo rename of Red coat (waiting for a change of category)"
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert wardrobe.garment(record.id).category == record.category
    assert undo.text() == "&Undo rename of Red coat"


def test_an_undo_waiting_behind_a_delete_names_the_step_it_comes_to(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Del on the garment while its category change is saved (the delete waits for it),
    then Ctrl+Z (the delete's undo, in turn): the next Ctrl+Z undoes the change, which
    Undo names. It read "Undo (waiting for a change of category)", naming nothing."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    undo = w.actions_["undo"]
    monkeypatch.setattr(w, "confirm_delete", lambda _ids: True)
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    change = w.undo_stack.text(0)  # "category change of Navy top"
    w.delete_ids([record.id])  # waits for the change's save
    deletion = f"deletion of {display_name(view.record)}"  # it read "Undo deletion (...)"
    assert undo.text() == f"&Undo {deletion} (waiting for a change of category)"
    undo.trigger()  # the delete's, in turn
    assert undo.isEnabled()
    assert undo.text() == f"&Undo {change} (waiting for a change of category)"
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert wardrobe.garment(record.id).id == record.id  # deleted, and back
    assert undo.text() == f"&Undo {change}"
    assert parts.reporter.errors == []


def test_a_category_the_disk_refuses_is_said_and_not_left_to_undo(
    make_app, qtbot, photos, monkeypatch
) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    said = _category_writes_fail(monkeypatch)
    other = next(c for c in CATEGORIES if c != record.category)
    _category_chosen(qtbot, view, other)
    assert len(said) == 1 and "was not saved" in said[0] and "disk is full" in said[0]
    assert view.saved_label.text() == "Category not saved"
    assert view.category_combo.currentData() == record.category == view.record.category
    assert wardrobe.garment(record.id).category == record.category
    assert w.undo_stack.count() == 0  # nothing to undo
    assert parts.reporter.errors == []


def _stored_as(parts, view, record, category: str, fine_type: str) -> None:
    """The page's garment stored in ``category`` with ``fine_type``, shown so."""
    parts.session.wardrobe.update_garment(record.id, category=category, fine_type=fine_type)
    parts.window.open_garment(parts.session.wardrobe.garment(record.id))
    assert view.type_edit.text() == fine_type


def _a_dress(parts, qtbot, view, record) -> None:
    """The page's garment made a one-piece typed "Dress", shown so."""
    _stored_as(parts, view, record, "one-piece", "Dress")


def _typed_over(qtbot, view, text: str) -> None:
    """``text`` typed over the page's type, not saved yet (its autosave's timer stopped)."""
    view.type_edit.setFocus()
    view.type_edit.selectAll()
    qtbot.keyClicks(view.type_edit, text)
    view._save_timer.stop()  # not a race with the autosave's timer
    assert view.type_edit.text() == text


def test_a_type_cleared_by_a_category_change_is_one_step_with_it(make_app, qtbot, photos) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _a_dress(parts, qtbot, view, record)
    release = _hold_the_model_queue(parts)
    _choose_category(view, "bottom")
    assert view.type_edit.text() == ""
    assert wardrobe.garment(record.id).fine_type == "Dress"  # written with the category
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("bottom", None)
    assert w.undo_stack.count() == 1  # not a "type change" of its own
    assert w.actions_["undo"].text().startswith("&Undo category change of")
    _done(qtbot, w, "undo")
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("one-piece", "Dress")
    assert view.type_edit.text() == "Dress"
    _done(qtbot, w, "redo")
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("bottom", None)


def test_a_failed_category_change_leaves_the_type_it_cleared(
    make_app, qtbot, photos, monkeypatch
) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _a_dress(parts, qtbot, view, record)
    said = _category_writes_fail(monkeypatch)
    _category_chosen(qtbot, view, "bottom")
    assert len(said) == 1 and "disk is full" in said[0]
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("one-piece", "Dress")
    assert view.category_combo.currentData() == "one-piece"
    assert view.type_edit.text() == "Dress" == view.record.fine_type
    assert w.undo_stack.count() == 0  # neither change to undo


def test_a_type_typed_over_and_cleared_by_a_category_change_is_one_step_with_it(
    make_app, qtbot, photos
) -> None:
    """A blouse's type typed over with "Dress", not saved, then made a bottom: the
    type stored goes in the category's save, one step; it was written at once, a
    "type change" step of its own."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _stored_as(parts, view, record, "top", "Blouse")
    _typed_over(qtbot, view, "Dress")
    release = _hold_the_model_queue(parts)
    _choose_category(view, "bottom")
    assert view.type_edit.text() == ""
    assert wardrobe.garment(record.id).fine_type == "Blouse"  # written with the category
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("bottom", None)
    assert w.undo_stack.count() == 1
    assert w.actions_["undo"].text().startswith("&Undo category change of")
    _done(qtbot, w, "undo")  # both back, together
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("top", "Blouse")
    assert view.type_edit.text() == "Blouse"
    assert view.category_combo.currentData() == "top"


def test_a_failed_category_change_leaves_the_type_typed_over_as_stored(
    make_app, qtbot, photos, monkeypatch
) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _stored_as(parts, view, record, "top", "Blouse")
    said = _category_writes_fail(monkeypatch)
    _typed_over(qtbot, view, "Dress")
    _category_chosen(qtbot, view, "bottom")
    assert len(said) == 1 and "disk is full" in said[0]
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("top", "Blouse")
    assert view.category_combo.currentData() == "top"
    assert view.type_edit.text() == "Blouse" == view.record.fine_type
    assert w.undo_stack.count() == 0  # neither change to undo


def test_a_type_of_another_category_cleared_as_the_same_category_is_chosen_is_written(
    make_app, qtbot, photos
) -> None:
    """A top typed "Dress" (stored so), Top chosen again: the type cleared on the page
    is written at once (no category save is queued to write it); it was left stored."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _stored_as(parts, view, record, "top", "Dress")
    _choose_category(view, "top")
    assert not view.saving_category(record.id)
    assert view.type_edit.text() == ""
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("top", None)
    assert w.actions_["undo"].text().startswith("&Undo type change of")
    _done(qtbot, w, "undo")
    assert wardrobe.garment(record.id).fine_type == "Dress"
    assert view.type_edit.text() == "Dress"


def test_a_type_typed_while_the_category_save_waits_is_kept(make_app, qtbot, photos) -> None:
    """The queued save clears the type only where it is still the one it cleared."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    wardrobe = parts.session.wardrobe
    _a_dress(parts, qtbot, view, record)
    release = _hold_the_model_queue(parts)
    _choose_category(view, "bottom")
    view.type_edit.setFocus()
    qtbot.keyClicks(view.type_edit, "Culottes")
    view._save_timer.stop()  # not a race with the autosave's timer
    view.type_edit.editingFinished.emit()
    assert wardrobe.garment(record.id).fine_type == "Culottes"  # written at once
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("bottom", "Culottes")
    assert view.type_edit.text() == "Culottes"


def test_a_type_typed_while_a_change_waits_is_cleared_by_the_next_change(
    make_app, qtbot, photos
) -> None:
    """A blouse made a bottom (its save held, clearing "Blouse"), typed "Skirt", then
    made a top: the next change's save clears "Skirt" too; it was left to the first,
    which clears "Blouse" only, and the wardrobe kept "Skirt" the page showed cleared."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _stored_as(parts, view, record, "top", "Blouse")
    release = _hold_the_model_queue(parts)
    _choose_category(view, "bottom")
    _typed_over(qtbot, view, "Skirt")
    view.type_edit.editingFinished.emit()  # the field left: written at once
    assert wardrobe.garment(record.id).fine_type == "Skirt"
    _choose_category(view, "top")
    assert view.type_edit.text() == ""
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("top", None)
    assert view.type_edit.text() == "" and view.category_combo.currentData() == "top"
    assert w.undo_stack.count() == 3  # each change, the type typed between them
    _done(qtbot, w, "undo")  # the last change: its category and the type it cleared
    stored = wardrobe.garment(record.id)
    assert (stored.category, stored.fine_type) == ("bottom", "Skirt")
    assert view.type_edit.text() == "Skirt"


def test_closing_the_window_with_a_category_save_held_back_saves_it(
    make_app, qtbot, photos, monkeypatch
) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    runner, wardrobe = parts.session.runner, parts.session.wardrobe
    release = _hold_the_model_queue(parts)
    other = next(c for c in CATEGORIES if c != record.category)
    _choose_category(view, other)
    assert view.saving_category(record.id)
    _released_as_the_window_closes(parts, release, monkeypatch)
    parts.window.close()
    assert release.is_set() and runner._closed
    assert wardrobe.garment(record.id).category == other


def test_a_category_the_disk_refuses_after_back_is_said_on_the_grid(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Failing once the user has gone Back, it was said in a box only, as "This
    garment's" change, over the grid: the status bar says it too, naming the garment."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    boxed = _category_writes_fail(monkeypatch)
    shown: list[str] = []  # the status bar's messages (each lasts a few seconds)
    w.statusBar().messageChanged.connect(shown.append)
    other = next(c for c in CATEGORIES if c != record.category)
    release = _hold_the_model_queue(parts)
    _choose_category(view, other)
    view._go_back()
    assert w.pages.currentWidget() is w.browse
    assert view.saving_category(record.id)  # held back till after Back
    with qtbot.waitSignal(view.notice, timeout=10_000) as noticed:
        release.set()
    qtbot.waitUntil(lambda: not view.saving_category(record.id), timeout=10_000)
    name = display_name(wardrobe.garment(record.id))
    said = (
        f"{name}'s change of category to {category_label(other).lower()} was not saved: "
        "the disk is full"
    )
    assert noticed.args == [said]
    assert said in shown
    assert len(boxed) == 1 and boxed[0].startswith(f"{name}'s change of category")
    assert wardrobe.garment(record.id).category == record.category
    assert w.undo_stack.count() == 0  # nothing to undo
    assert parts.reporter.errors == []


def test_a_category_save_failing_as_the_window_closes_is_logged(
    make_app, qtbot, photos, monkeypatch, caplog
) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    _category_writes_on(monkeypatch, [], fail=True)
    # Written at once, the refused change would be asked about at close (a question
    # nobody answers here): left without it
    monkeypatch.setattr(garment_view, "confirm_discard_edit", lambda *_a: True)
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    _released_as_the_window_closes(parts, release, monkeypatch)
    with caplog.at_level(logging.WARNING, logger="wardrobe_app.ui.garment_view"):
        parts.window.close()
    assert f"garment {record.id}: its category change not saved" in caplog.text
    assert "disk is full" in caplog.text
    assert parts.session.wardrobe.garment(record.id).category == record.category


def test_a_category_change_of_a_garment_deleted_meanwhile_is_said_and_dropped(
    make_app, qtbot, photos
) -> None:
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    assert w.undo_stack.count() == 1
    wardrobe.delete_garments([record.id])  # another program (wardrobe-cli)
    with qtbot.waitSignal(view.notice, timeout=10_000) as said:
        release.set()
    assert said.args == ["That garment is no longer in the wardrobe"]
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    qtbot.waitUntil(lambda: w.pages.currentWidget() is not view, timeout=10_000)  # left
    assert w.undo_stack.count() == 0  # nothing to undo
    assert parts.reporter.errors == []


def test_an_undo_waiting_for_a_category_the_disk_refuses_undoes_nothing(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Ctrl+Z pressed for the change while its save waited: the change not saved, its
    step goes, and the undo with it; done, it undid the rename under it."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _rename(qtbot, view, "Red coat")  # a step under the change's
    _category_writes_fail(monkeypatch)
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    w.actions_["undo"].trigger()  # waits for the change's save
    assert w._waiting
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert wardrobe.garment(record.id).name == "Red coat"  # not undone
    assert (w.undo_stack.count(), w.undo_stack.index()) == (1, 1)
    assert w.statusBar().currentMessage() == "The category change was not saved: nothing undone"


def test_an_undo_waiting_for_a_category_the_disk_refuses_below_a_rename_says_so(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Ctrl+Z twice while the change's save waits, a rename above it: the rename is
    undone, the change not saved, and the undo pressed for it finds its step gone. It
    was used up without a word, the status bar ending on "Rename undone: ..."."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    _category_writes_fail(monkeypatch)
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    _rename(qtbot, view, "Red coat")  # written at once, a step above the change's
    w.actions_["undo"].trigger()  # the rename's: waits for the change's save
    w.actions_["undo"].trigger()  # the change's, in turn
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    stored = wardrobe.garment(record.id)
    assert (stored.name, stored.category) == (record.name, record.category)
    assert (w.undo_stack.count(), w.undo_stack.index()) == (1, 0)  # the rename, to redo
    assert w.statusBar().currentMessage() == "The category change was not saved: nothing undone"
    assert parts.reporter.errors == []


def test_a_redo_waiting_for_a_category_the_disk_refuses_redoes_nothing_else(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """A rename undone while the change under it waits to be saved, then Ctrl+Z and
    Ctrl+Shift+Z pressed for that change (Redo named it): the change not saved, its
    step goes and the undo with it; the redo, done, redid the rename the user had
    undone, which nobody asked to redo."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    redo = w.actions_["redo"]
    _category_writes_fail(monkeypatch)
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    _rename(qtbot, view, "Red coat")  # written at once, a step above the change's
    w.actions_["undo"].trigger()  # the rename's: waits for the change's save
    w.actions_["undo"].trigger()  # the change's, in turn
    change = w.undo_stack.text(0)  # "category change of Navy top"
    assert redo.text() == f"&Redo {change} (waiting for a change of category)"
    w.actions_["redo"].trigger()  # as Redo says
    assert len(w._waiting) == 3  # the two undos, the redo
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    stored = wardrobe.garment(record.id)  # the rename stays undone, the change not saved
    assert (stored.name, stored.category) == (record.name, record.category)
    assert (w.undo_stack.count(), w.undo_stack.index()) == (1, 0)
    assert redo.isEnabled() and redo.text() == "&Redo rename of Red coat"
    assert parts.reporter.errors == []


def test_a_redo_waiting_for_a_category_the_disk_refuses_leaves_another_garments_undo(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """The change's save held, another garment renamed and that rename undone; Ctrl+Z
    and Ctrl+Shift+Z then pressed for the change (Redo named it), which the disk
    refuses: its step goes with the undo and the redo asked for it. The redo, done,
    redid the other garment's rename the user had undone."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    redo = w.actions_["redo"]
    _category_writes_fail(monkeypatch)
    release = _hold_the_model_queue(parts)
    _choose_category(view, next(c for c in CATEGORIES if c != record.category))
    other = next(r for r in map(w.browse.model.record, range(2)) if r.id != record.id)
    w.open_garment(other)
    _rename(qtbot, view, "Red coat")
    w.actions_["undo"].trigger()  # the rename's undo: its save queued after the change's
    w.actions_["undo"].trigger()  # the change's: waits for its save
    change = w.undo_stack.text(0)
    assert redo.text() == f"&Redo {change} (waiting for a change of category)"
    w.actions_["redo"].trigger()  # as Redo says
    assert len(w._waiting) == 2  # the change's undo, the redo
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up() and not w._waiting, timeout=10_000)
    assert wardrobe.garment(other.id).name == other.name  # the rename stays undone
    assert wardrobe.garment(record.id).category == record.category
    assert (w.undo_stack.count(), w.undo_stack.index()) == (1, 0)
    assert redo.isEnabled() and redo.text() == "&Redo rename of Red coat"
    assert parts.reporter.errors == []


def test_a_category_refused_after_back_is_not_said_as_an_edit_where_the_filter_hides_it(
    make_app, qtbot, photos, monkeypatch
) -> None:
    """Failed after Back, the page shows the stored category again (``edited``), which
    the window took for the change landing: "Edited Navy top (hidden by the current
    filter)" over the failure's words, and Clear filters offered for an edit not made."""
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w = parts.window
    _category_writes_fail(monkeypatch)
    other = next(c for c in CATEGORIES if c != record.category)
    with qtbot.waitSignal(w.browse.listed, timeout=10_000):  # the garment hidden by it
        w.browse.filter_bar.category_chips[other].click()
    release = _hold_the_model_queue(parts)
    _choose_category(view, other)
    view._go_back()
    assert view.saving_category(record.id)  # held back till after Back
    with qtbot.waitSignals([view.notice, w.browse.listed], timeout=10_000):
        release.set()
    name = display_name(parts.session.wardrobe.garment(record.id))
    said = (
        f"{name}'s change of category to {category_label(other).lower()} was not saved: "
        "the disk is full"
    )
    assert w.statusBar().currentMessage() == said
    assert not w.restored_notice.isVisible()
