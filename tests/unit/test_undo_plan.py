"""The step a Redo asked for now redoes once the steps waiting for saves are done."""

from __future__ import annotations

from wardrobe_app.ui.undo_plan import Planned, Waiting, next_redo

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
