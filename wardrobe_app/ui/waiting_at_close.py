"""What the main window's steps still waiting (for a save on the model's queue) come to
as it closes: the deletes to do and the field values to write (an edit's undo or redo),
in the order asked, and the undos and redos that cannot be done any more."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtGui import QUndoCommand, QUndoStack

from .undo_steps import FieldEditCommand


@dataclass
class AtClose:
    done: list[object] = field(default_factory=list)  # the waiting steps done (deletes...)
    # garment id, fields and values: an edit's undo or redo, written in this order
    writes: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # "undo"/"redo" that cannot be done


def at_close(
    waiting: Sequence[object],
    stack: QUndoStack,
    pushed_later: Callable[[int, int], bool],
    saves_before: Callable[[QUndoCommand | None], int],
) -> AtClose:
    """``waiting``: the window's steps in the order asked (deletes and field edits not
    pushed yet, undos and redos). An undo or redo of a field edit, waiting or on the
    stack, is a value to write: dropped at close, the page's last asked-for value was
    lost though its save was waited for. One of a delete waiting undoes it (not done).
    One that would do a touch-up's step (its save's result, which pushes it, comes no
    more: ``pushed_later(asked's saves_before, step's saves_before)``), or a step on the
    stack not a field edit (a touch-up's undo is a save the shutdown drops), is dropped,
    and those after it, whose step is then not known."""
    result = AtClose()
    done: list[object] = []  # the waiting deletes and field edits done, in order
    undone: list[object] = []  # those undone, the last one next to redo
    at = stack.index()  # the stack's steps followed: where its index would be
    follow = True
    for step in waiting:
        what = getattr(step, "what", None)
        if what is None:  # a step pushed (a delete, a field edit)
            done.append(step)
            undone.clear()  # a new step drops the redos
            continue
        if what == "undo" and done:
            undone.append(done.pop())
            _write(result, undone[-1], undo=True)
            continue
        if what == "redo" and undone:
            done.append(undone.pop())
            _write(result, done[-1], undo=False)
            continue
        command: QUndoCommand | None = None
        if follow and what == "undo" and at > 0:
            command = stack.command(at - 1)
        elif follow and what == "redo" and at < stack.count():
            command = stack.command(at)
        asked = getattr(step, "saves_before", 0)
        if isinstance(command, FieldEditCommand) and not pushed_later(asked, saves_before(command)):
            _write(result, command, undo=what == "undo")
            at += -1 if what == "undo" else 1
        else:
            follow = False
            result.dropped.append(what)
    result.done = done
    return result


def _write(result: AtClose, step: object, undo: bool) -> None:
    if isinstance(step, FieldEditCommand):
        result.writes.append((step.garment_id, step.values(undo)))
