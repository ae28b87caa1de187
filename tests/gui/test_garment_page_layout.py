"""The garment page keeps its shape as its fields are edited and their edits undone."""

from __future__ import annotations

from test_field_undo import _done, _page_of_the_first_garment
from test_mask_editor import _hold_the_model_queue


def test_an_undone_note_leaves_three_lines_to_write_in(make_app, qtbot, photos) -> None:
    # The note's undo waits on the model's queue with the fields read-only; refilled
    # then, the emptied notes field was sized as a read-only wardrobe's (one line) and
    # stayed so once writable: the page below it jumped up, the field a sliver.
    parts, view, record = _page_of_the_first_garment(make_app, qtbot, photos)
    w, wardrobe = parts.window, parts.session.wardrobe
    notes = view.notes_edit
    line = notes.fontMetrics().lineSpacing()
    height = notes.height()
    assert height >= 3 * line  # room to write in
    notes.setFocus()
    qtbot.keyClicks(notes, "Bought in Rio")
    view.save_now()
    view.commit_edits()
    assert wardrobe.garment(record.id).notes == "Bought in Rio"
    assert w.actions_["undo"].text().startswith("&Undo notes change of")
    w.browse.setFocus()  # Ctrl+Z outside the field
    release = _hold_the_model_queue(parts)
    w.actions_["undo"].trigger()
    qtbot.waitUntil(notes.isReadOnly, timeout=5000)  # locked while the undo waits
    release.set()
    qtbot.waitUntil(lambda: not view.saving_touch_up(), timeout=10_000)
    qtbot.waitUntil(lambda: not notes.isReadOnly(), timeout=5000)
    assert wardrobe.garment(record.id).notes == "" == notes.toPlainText()
    assert notes.height() == height
    _done(qtbot, w, "redo")  # and back
    assert notes.toPlainText() == "Bought in Rio" and notes.height() == height
