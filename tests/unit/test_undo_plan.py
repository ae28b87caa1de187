"""The step a Redo asked for now redoes once the steps waiting for saves are done."""

from __future__ import annotations

from wardrobe_app.ui.undo_plan import Planned, Waiting, meant_for_lost, next_redo, next_undo

TOUCH_UP = Planned("touch-up of Blue shirt", 1, False)
DELETE = Planned("deletion of Red coat", 1, True)


def test_nothing_waiting_redoes_the_stacks_next_step() -> None:
    assert next_redo([TOUCH_UP, DELETE], 1, [], [], 1) == DELETE.text
    assert next_redo([TOUCH_UP, DELETE], 2, [], [], 1) is None


def test_an_undo_waiting_for_a_touch_up_redoes_that_touch_up() -> None:
    # Ctrl+Z pressed while the second touch-up (number 1) is saved: its step is pushed,
    # then undone
    waiting = [Waiting("undo", 2)]
    assert next_redo([TOUCH_UP], 1, waiting, [(1, "touch-up of Navy bottom")], 2) == (
        "touch-up of Navy bottom"
    )
    # two undos: the first touch-up next
    waiting = [Waiting("undo", 2), Waiting("undo", 2)]
    assert next_redo([TOUCH_UP], 1, waiting, [(1, "touch-up of Navy bottom")], 2) == (TOUCH_UP.text)


def test_a_touch_up_goes_under_a_delete_asked_after_it() -> None:
    # Touch-up 0 being saved, a delete of another garment done meanwhile (on the stack),
    # then Ctrl+Z waiting: the touch-up's step goes under the delete, the undo undoes
    # the delete
    steps = [DELETE]
    waiting = [Waiting("undo", 1)]
    assert next_redo(steps, 1, waiting, [(0, "touch-up of Blue shirt")], 1) == DELETE.text


def test_a_step_pushed_or_a_new_touch_up_drops_the_redos() -> None:
    pushed = Planned("rename of Red coat", 0, True)
    waiting = [Waiting("undo", 0), Waiting("push", 0, pushed)]
    assert next_redo([TOUCH_UP], 1, waiting, [], 0) is None
    # the touch-up undone, next to redo; a new one (number 1) being saved drops it
    assert next_redo([TOUCH_UP], 0, [], [(1, "touch-up of Navy bottom")], 2) is None
    # a redo waiting behind an undo redoes what that undo undid: nothing left after
    waiting = [Waiting("undo", 1), Waiting("redo", 1)]
    assert next_redo([TOUCH_UP], 1, waiting, [], 1) is None


def test_the_undos_and_redos_asked_for_a_lost_step_are_dropped() -> None:
    # A delete not done (its step would have gone on top): the undo asked for it goes,
    # the next undo is for the step under it, the redo after that one for it again
    assert meant_for_lost(["undo", "undo", "redo"], 0, 1) == ([1, 2], 1)
    # A step's save failed once its undo was taken off: a redo asked for it goes too,
    # a second redo is for the step above it (a rename the user had undone)
    assert meant_for_lost(["redo"], 1, 0) == ([], 0)
    assert meant_for_lost(["redo", "redo"], 1, 0) == ([1], 0)
    # Undone, the lost step: redo, undo, redo, undo all meet it; the last undo is for
    # the step under it
    assert meant_for_lost(["redo", "undo", "redo", "undo", "undo"], 0, 0) == ([4], 2)


def test_a_step_pushed_in_the_lost_ones_place_keeps_what_follows() -> None:
    # Undone, then a delete asked for: it drops the redos, the lost step with them
    assert meant_for_lost(["push", "redo", "undo", "undo"], 0, 0) == ([0, 1, 2, 3], 0)
    # Done, a delete pushed above it: an undo undoes the delete, the next the lost one
    assert meant_for_lost(["push", "undo", "undo", "undo"], 0, 1) == ([0, 1, 3], 1)
    # Every step done: a redo would redo nothing
    assert meant_for_lost(["redo"], 2, 3) == ([], 0)


def test_an_undo_behind_a_step_pushed_undoes_the_one_under_that_step() -> None:
    # A delete (or a field edit) waiting to be pushed, then Ctrl+Z: it undoes the delete,
    # and the next Ctrl+Z the stack's top step; the redos above it dropped by the push
    waiting = [Waiting("push", 1, DELETE)]
    assert next_undo([TOUCH_UP], 1, waiting) == DELETE.text
    assert next_undo([TOUCH_UP], 1, [*waiting, Waiting("undo", 1)]) == TOUCH_UP.text
    assert next_undo([TOUCH_UP], 0, [*waiting, Waiting("undo", 1)]) is None
    two_undos = [*waiting, Waiting("undo", 1), Waiting("undo", 1)]
    assert next_undo([TOUCH_UP], 1, two_undos) is None
