"""A row of chips that is one Tab stop, as a radio group or a tool bar is: the arrow keys
(and Home, End) move between its chips, Space toggles the one with the focus, and Tab
comes back to the chip last used. With a Tab stop on every chip, the filter bar took
about 17 presses to get from the search box to the grid."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton

_BACK = (Qt.Key.Key_Left, Qt.Key.Key_Up)
_ON = (Qt.Key.Key_Right, Qt.Key.Key_Down)
_ENDS = (Qt.Key.Key_Home, Qt.Key.Key_End)


class ChipGroup(QObject):
    """Makes ``set_chips``' chips one Tab stop (the "roving" stop of a radio group)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.chips: list[QAbstractButton] = []
        # The objectName of the chip the user last reached: chips made again keep it as
        # their stop. Empty while none was: the stop is then the first chip of each set
        # (a colour first in an earlier set stayed the stop once listed second).
        self._stop_name = ""

    def set_chips(self, chips: Sequence[QAbstractButton]) -> None:
        """The group's chips, in their order on screen (and in the Tab chain). The Tab
        stop stays on the chip of the same name, else the first chosen, else the first."""
        self.chips = list(chips)
        for chip in self.chips:
            chip.installEventFilter(self)
        named = [chip for chip in self.chips if chip.objectName() == self._stop_name]
        chosen = [chip for chip in self.chips if chip.isChecked()]
        stops = named or chosen or self.chips
        if stops:
            self._make_stop(stops[0], used=bool(named))

    def stop(self) -> QAbstractButton | None:
        """The chip Tab reaches (None: no chips)."""
        return next((c for c in self.chips if c.focusPolicy() & Qt.FocusPolicy.TabFocus), None)

    def _make_stop(self, stop: QAbstractButton, used: bool = True) -> None:
        self._stop_name = stop.objectName() if used else ""
        for chip in self.chips:
            policy = Qt.FocusPolicy.TabFocus if chip is stop else Qt.FocusPolicy.NoFocus
            chip.setFocusPolicy(policy)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched not in self.chips:
            return False
        assert isinstance(watched, QAbstractButton)
        if event.type() == QEvent.Type.FocusIn:
            self._make_stop(watched)  # focused however (a click, the filter bar): the stop
        elif event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                return False
            if key in _BACK or key in _ON or key in _ENDS:
                self._move(watched, key)
                return True
        return False

    def _move(self, chip: QAbstractButton, key: int) -> None:
        shown = [c for c in self.chips if c.isVisible() and c.isEnabled()]
        if chip not in shown:
            return
        at = shown.index(chip)
        if key == Qt.Key.Key_Home:
            at = 0
        elif key == Qt.Key.Key_End:
            at = len(shown) - 1
        else:  # no wrapping, as in a tool bar: the ends are felt
            at = max(0, min(len(shown) - 1, at + (-1 if key in _BACK else 1)))
        target = shown[at]
        self._make_stop(target)
        target.setFocus(Qt.FocusReason.TabFocusReason)
