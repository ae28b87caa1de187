"""What the window's undo stack will hold once the steps waiting for touch-up saves are
done: the step a Redo asked for now will redo, to name it in Edit > Redo while it waits
(it read "Redo" alone). Plain data, as ``MainWindow._push_in_order`` and ``_run_step``
move the stack: a new touch-up's step goes under the deletes and field edits asked for
after it, a step pushed drops the redos above it."""

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
    return stack[at].text if at < len(stack) else None


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
