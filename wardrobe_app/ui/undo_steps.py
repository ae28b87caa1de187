"""The main window's undo steps (delete, touch-up, a field's edit) and the notices in its
status bar: "Deleted 3 garments  [Undo]", "Restored Navy bottom (hidden by the current
filter)  [Clear filters]"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ..types import GarmentRecord
from .elided_label import ElidedLabel
from .garment_model import display_name
from .icons import keep_line_icon

if TYPE_CHECKING:
    from .main_window import MainWindow

UNDO_NOTICE_MS = 12_000


def counted(n: int) -> str:
    """ "1 garment", "3 garments"."""
    return f"{n} garment{'s' if n != 1 else ''}"


def deletion_words(n: int, what: str) -> str:
    """A delete's step as read after the stack's "Undo"/"Redo": "Undo deletion of 3
    garments", "Undo deletion of Blue shirt" (``what``: as the delete's question named
    them; its "&" doubled, as a touch-up's name)."""
    return f"deletion of {what.replace('&', '&&') or counted(n)}"


class Undone(NamedTuple):
    """The garments an undo brought back, or an edit's undo or redo changed, as it was
    said ("Restored Navy bottom", "Rename undone: Navy top"), to say again where the
    grid's filter hides them. ``restored``: a delete's undo (several said together:
    "Restored 3 garments")."""

    ids: list[int]
    said: str
    restored: bool


def unlisted_words(undone: Sequence[Undone], listed: int, hidden: int, gone: int = 0) -> str:
    """What is said of undos (``undone``) whose garments the listing left out, ``hidden``
    by the filter, ``gone`` again since (another program), ``listed`` shown: "Restored
    Navy bottom (hidden by the current filter)", "Restored 2 garments (1 hidden by the
    current filter, 1 deleted since by another program)". Of undos said one after the
    other, counted among all their garments: "Restored Navy bottom; Rename undone: Blue
    jeans (both hidden by the current filter)" (it read as if the last alone were)."""
    whole = listed + hidden + gone
    if len(undone) == 1:
        said = undone[0].said
    elif all(u.restored for u in undone):
        said = f"Restored {counted(sum(len(u.ids) for u in undone))}"
    else:
        said = "; ".join(u.said for u in undone)
        return f"{said} ({_among(whole, hidden, gone)})"
    why = [
        f"{n} {words}" if n < whole else words
        for n, words in (
            (hidden, "hidden by the current filter"),
            (gone, "deleted since by another program"),
        )
        if n
    ]
    return f"{said} ({', '.join(why)})"


def _among(whole: int, hidden: int, gone: int) -> str:
    """Why ``hidden`` and ``gone`` of ``whole`` garments are not listed, counted among
    them all: "both hidden by the current filter", "1 of 3 hidden by the current
    filter, 1 of 3 deleted since by another program"."""
    everyone = "both" if whole == 2 else f"all {whole}"
    return ", ".join(
        f"{everyone if n == whole else f'{n} of {whole}'} {words}"
        for n, words in (
            (hidden, "hidden by the current filter"),
            (gone, "deleted since by another program"),
        )
        if n
    )


def touch_up_words(name: str) -> str:
    """A touch-up's step: "Undo touch-up of Blue Shirt" (it read "Undo Touch up Blue
    Shirt"). Read in the Undo and Redo actions' texts, where "&" marks a key: "H&M jeans"
    read "HM jeans" (its tip too: ``UndoTip``), the "M" underlined in the menu."""
    return f"touch-up of {name.replace('&', '&&')}" if name else "touch-up"


class DeleteCommand(QUndoCommand):
    """Soft-deletes garments; undo restores them (``Wardrobe.undo_delete``).
    ``saves_before``: the touch-up saves asked for before the delete was
    (``GarmentView.saves_asked``), to order its step among theirs. ``deleted``: given for
    a step moved on the stack (``MainWindow._push_in_order``), whose garments are
    deleted already: its next redo or undo (``skip_next``) is one done already."""

    def __init__(
        self,
        window: MainWindow,
        ids: Sequence[int],
        saves_before: int,
        deleted: list[int] | None = None,
        what: str = "",
    ) -> None:
        super().__init__(deletion_words(len(ids), what))
        self.window = window
        self.what = what
        self.ids = list(ids)
        self.saves_before = saves_before
        self.deleted: list[int] = list(deleted or [])
        self.skip_next = deleted is not None

    def garment_ids(self) -> set[int]:
        """The garments its undo or redo touches (each waits for their touch-ups' saves)."""
        return set(self.ids)

    def copy(self) -> DeleteCommand:
        """The step, done, to push in its place (``MainWindow._push_in_order``)."""
        return DeleteCommand(self.window, self.ids, self.saves_before, self.deleted, self.what)

    def redo(self) -> None:
        if self.skip_next:
            self.skip_next = False
            return
        # Redone after its undo (which selected the garments it brought back): the next
        # listing selects their neighbour, as the delete did; it left nothing selected,
        # Delete off and the keyboard's Del acting on nothing.
        self.window.browse.expect_removal(self.ids)
        self.deleted = self.window.session.wardrobe.delete_garments(self.ids)
        if not self.deleted:  # gone already (another program): nothing to undo
            self.setObsolete(True)
        self.window.session.notify_changed()

    def undo(self) -> None:
        if self.skip_next:
            self.skip_next = False
            return
        self.window.session.wardrobe.undo_delete(self.deleted)
        # The restored ones, selected; where the filter hides them, said (named as the
        # delete's question named them, where all came back)
        whole = len(self.deleted) == len(self.ids)
        self.window.restoring(self.deleted, self.what if whole else "")
        self.window.session.notify_changed()


class TouchUpCommand(QUndoCommand):
    """A cut-out touched up (saved already, by the garment page); undo puts the mask back
    as it was, redo as drawn. Saved like the touch-up itself, on the model's queue
    (``GarmentView.save_mask``): a garment gone or a full disk is said in the status bar,
    and the step leaves the stack (``MainWindow.drop_undo_step``): it cannot be done.
    ``saves_before``: the touch-up saves asked for up to this one (its number + 1)."""

    def __init__(
        self,
        window: MainWindow,
        record: GarmentRecord,
        before: np.ndarray,
        after: np.ndarray,
        saves_before: int,
    ) -> None:
        super().__init__(touch_up_words(display_name(record)))
        self.window = window
        self.garment_id = record.id
        self.saves_before = saves_before
        self.before, self.after = before, after
        self._saved = True  # the first redo() (on push) has nothing to do

    def garment_ids(self) -> set[int]:
        return {self.garment_id}

    def redo(self) -> None:
        if self._saved:
            self._saved = False
            return
        self.window.garment_view.save_mask(
            self.garment_id, self.after, done="Touch-up redone", failed=self._failed
        )

    def undo(self) -> None:
        self.window.garment_view.save_mask(
            self.garment_id, self.before, done="Touch-up undone", failed=self._failed
        )

    def _failed(self) -> None:
        self.window.drop_undo_step(self)


# How a field's edit reads after "Undo"/"Redo" ("Undo category change of Blue shirt"),
# and once done ("Category change undone")
EDIT_WORDS = {
    "name": "rename",
    "category": "category change",
    "fine_type": "type change",
    "tags": "tags change",
    "notes": "notes change",
    "favourite": "favourite change",
}


class FieldEditCommand(QUndoCommand):
    """A field of a garment edited on its page (saved already, by its autosaves: one
    step for a stretch of typing, ``GarmentView.commit_edits``); undo writes the value
    before, redo the value after, through ``Wardrobe.update_garment`` on the model's
    queue (``GarmentView.save_fields``), behind the touch-ups' saves. A garment gone or
    a full disk is said in the status bar, and the step leaves the stack.
    ``saves_before``: the saves asked for before it (``GarmentView.saves_asked``).
    A category change that cleared a type of another category is one step of both:
    ``values`` are then the fields' values ({"category": ..., "fine_type": ...})."""

    def __init__(
        self,
        window: MainWindow,
        garment_id: int,
        field: str,
        values: tuple[object, object],
        name: str,
        saves_before: int,
    ) -> None:
        words = EDIT_WORDS[field]
        super().__init__()
        self.window = window
        self.garment_id = garment_id
        self.field = field
        self.before, self.after = values
        self.saves_before = saves_before
        self.name = ""
        self.rename(name)
        self._done_words = words[0].upper() + words[1:]
        # The next redo() or undo() is done already: the push's (saved by the autosave),
        # or a copy's moved on the stack (``MainWindow._push_in_order``)
        self.skip_next = True
        # Its save failed, the step left where it is (steps above it): the undo that
        # reaches it is said as undoing nothing (``MainWindow._run_step``)
        self.unsaved = False

    def garment_ids(self) -> set[int]:
        return {self.garment_id}

    def rename(self, name: str) -> None:
        """Named after its garment as it is once done ("category change of Blue shirt")."""
        self.name = name
        self.setText(f"{EDIT_WORDS[self.field]} of {name.replace('&', '&&')}")

    def values(self, undo: bool) -> dict[str, object]:
        """The fields and values its undo (or redo) writes."""
        value = self.before if undo else self.after
        return dict(value) if isinstance(value, dict) else {self.field: value}

    def made(self, field: str, after: object) -> bool:
        """Its redo writes ``after`` in ``field`` (the step of a save that failed)."""
        return field in self.values(undo=False) and self.values(undo=False)[field] == after

    def copy(self) -> FieldEditCommand:
        """The step, done, to push in its place (``MainWindow._push_in_order``)."""
        values = (self.before, self.after)
        return FieldEditCommand(
            self.window, self.garment_id, self.field, values, self.name, self.saves_before
        )

    def redo(self) -> None:
        if self.skip_next:
            self.skip_next = False
            return
        self._save(self.after, f"{self._done_words} redone")

    def undo(self) -> None:
        if self.skip_next:
            self.skip_next = False
            return
        self._save(self.before, f"{self._done_words} undone")

    def _save(self, value: object, done: str) -> None:
        self.window.saving_edit(self.garment_id, done)
        values = dict(value) if isinstance(value, dict) else {self.field: value}
        self.window.garment_view.save_fields(
            self.garment_id, values, done=done, failed=self._failed
        )

    def _failed(self) -> None:
        self.window.saving_edit(self.garment_id, None)
        self.window.drop_undo_step(self)


def name_as_touched_up(steps: Iterable[object], record: GarmentRecord, number: int) -> None:
    """The field edits of ``record``'s garment asked for while its touch-up (its save's
    ``number``) was saved, named as the garment is after each once that save landed
    (``record``): it gives a garment with no type one, as at import ("Navy bottom" is
    then "Navy jeans"), and Redo read "Redo favourite change of Navy bottom".
    ``steps``: the undo stack's, then those waiting, in the order done."""
    now = record
    for step in steps:
        if not isinstance(step, FieldEditCommand) or step.garment_id != record.id:
            continue
        if step.saves_before > number:  # asked for after it: done on what it left
            now = replace(now, **step.values(undo=False))  # type: ignore[arg-type]
            step.rename(display_name(now))


class StatusNotice(QWidget):
    """A line and a button in the status bar for a few seconds: "Deleted 3 garments
    [Undo]" (``UndoNotice``), "Restored Navy bottom (hidden by the current filter)
    [Clear filters]"."""

    def __init__(self, button: str, icon: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Shortened with "…" where the status bar has no room for a long name: it was
        # cut off mid-word ("... holidays of 202"), nothing to say it went on.
        self.label = ElidedLabel(parent=self)
        self.button = QPushButton(button, self)
        if icon:
            keep_line_icon(self.button, icon)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()
        self.timer.start(UNDO_NOTICE_MS)

    def offered(self) -> bool:
        """Shown, its few seconds not over."""
        return self.isVisible() and self.timer.isActive()


class UndoNotice(StatusNotice):
    """ "Deleted 3 garments  [Undo]" in the status bar for a few seconds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        # The toolbar's Undo arrow (the style's "back" triangle read as "play backwards")
        super().__init__("Undo", "undo", parent)
        self.button.setObjectName("undoNotice")
