"""What the window's undo stack will hold once the steps waiting for touch-up saves are
done: the step a Redo (or an Undo) asked for now will redo (undo), to name it in Edit >
Redo (Undo) while it waits (it read "Redo" alone). Plain data, as
``MainWindow._push_in_order`` and ``_run_step`` move the stack: a new touch-up's step
goes under the deletes and field edits asked for after it, a step pushed drops the redos
above it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Planned:
    """A step on the stack, or to be pushed: its text ("deletion of Blue shirt"), the
    touch-up saves asked for before it, and whether a touch-up's step asked for before
    it goes under it (a delete's or a field edit's: ``moves``)."""

    text: str
    saves_before: int
    moves: bool


@dataclass(frozen=True)
class Waiting:
    """A step waiting in the window's queue: ``what`` is "push" (a delete or a field
    edit, ``step``), "undo" or "redo"; ``saves_before`` as ``Planned``'s."""

    what: str
    saves_before: int
    step: Planned | None = None


def next_redo(
    steps: Sequence[Planned],
    index: int,
    waiting: Sequence[Waiting],
    touch_ups: Sequence[tuple[int, str]],
    asked: int,
) -> str | None:
    """The text of the step a Redo asked for now (``asked``: the saves asked for so far)
    redoes, once ``waiting`` is done and the new touch-ups being saved (``touch_ups``:
    their numbers, in order, and their steps' texts) are pushed; None where there will
    be nothing to redo. ``steps`` and ``index``: the stack now."""
    stack, at = _planned(steps, index, waiting, touch_ups, asked)
    return stack[at].text if at < len(stack) else None


def next_undo(
    steps: Sequence[Planned],
    index: int,
    waiting: Sequence[Waiting],
    touch_ups: Sequence[tuple[int, str]] = (),
    asked: int = 0,
) -> str | None:
    """The text of the step an Undo asked for now undoes, once ``waiting`` is done (a
    delete or a field edit pushed, the undos asked for after it); None where there
    will be nothing to undo. The rest as ``next_redo``'s."""
    stack, at = _planned(steps, index, waiting, touch_ups, asked)
    return stack[at - 1].text if at > 0 else None


def _planned(
    steps: Sequence[Planned],
    index: int,
    waiting: Sequence[Waiting],
    touch_ups: Sequence[tuple[int, str]],
    asked: int,
) -> tuple[list[Planned], int]:
    """The stack and its index once ``waiting`` is done and the touch-ups asked before
    ``asked`` are pushed."""
    stack, at = list(steps), index
    saving = sorted(touch_ups)

    def push_touch_ups(before: int) -> None:
        """Push those asked for before ``before``."""
        nonlocal at
        while saving and saving[0][0] < before:
            at = _push_touch_up(stack, at, *saving.pop(0))

    for step in waiting:
        push_touch_ups(step.saves_before)  # its turn comes once they are pushed
        if step.what == "push" and step.step is not None:
            stack[at:] = [step.step]  # the redos dropped
            at += 1
        elif step.what == "undo":
            at = max(at - 1, 0)
        elif step.what == "redo":
            at = min(at + 1, len(stack))
    push_touch_ups(asked)
    return stack, at


def _push_touch_up(stack: list[Planned], at: int, number: int, text: str) -> int:
    """A new touch-up's step pushed in ``stack`` at ``at`` as ``_push_in_order`` does:
    under the deletes and field edits asked for after it, around ``at``, the redos above
    them dropped. The index after it."""

    def later(step: Planned) -> bool:
        return step.moves and step.saves_before > number

    start = end = at
    while start > 0 and later(stack[start - 1]):
        start -= 1
    while end < len(stack) and later(stack[end]):
        end += 1
    stack[start:] = [Planned(text, number + 1, False), *stack[start:end]]
    return at + 1


def meant_for_lost(waiting: Sequence[str], above: int, done: int) -> tuple[list[int], int]:
    """The waiting undos and redos asked for a step that is lost (a delete the user chose
    not to do, a save that failed: its step dropped, or never pushed), to drop: done,
    an undo undid the step under it and a redo redid the one above, which nobody asked
    for. ``waiting``: each one's kind, in order ("push": a delete or a field edit,
    "undo", "redo"); ``above``: the steps above the lost one on the stack; ``done``:
    how many of the lost one and those above are done (the rest undone: next to redo).
    Each is followed to the step it would have met. The indices in ``waiting`` of
    those kept, and how many undos are dropped."""
    steps = [True, *[False] * above]  # from the lost step up: True for it
    below = 0  # steps under the lost one undone by the undos followed
    kept: list[int] = []
    undos_dropped = 0
    for at, what in enumerate(waiting):
        if what == "push":
            if done == 0:  # pushed in its place: nothing after it reaches it
                kept.extend(range(at, len(waiting)))
                break
            del steps[done:]  # a new step drops the redos
            steps.append(False)
            done += 1
        elif what == "undo" and done == 0:
            below += 1
        elif what == "undo":
            done -= 1
            if steps[done]:
                undos_dropped += 1
                continue
        elif below:
            below -= 1
        elif done < len(steps):
            done += 1
            if steps[done - 1]:
                continue
        else:  # every step is done: there is nothing to redo
            continue
        kept.append(at)
    return kept, undos_dropped
