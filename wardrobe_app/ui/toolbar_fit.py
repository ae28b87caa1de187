"""A tool bar button whose words grow with its action's (Undo: "Undo deletion of Blue
shirt"), shortened to the room the tool bar has left: a garment with a long name pushed
Undo and Settings into the tool bar's overflow menu, at 1366 px too."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolBar, QToolButton

ELLIPSIS = "…"


def plain_text(text: str) -> str:
    """An action's text as shown: its mnemonic's "&" dropped, a "&&" read as "&"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


class FitToolBarText(QObject):
    """Sets ``action``'s icon text (the words its tool bar button shows; the menu keeps
    its text) to its text, cut with "…" where the tool bar has no room for all of it.
    Done again as the text changes and as the tool bar is resized."""

    def __init__(self, toolbar: QToolBar, action: QAction) -> None:
        super().__init__(toolbar)
        self._bar = toolbar
        self._action = action
        self._fitting = False  # setting the words (``fit``)
        action.changed.connect(self.fit)
        toolbar.installEventFilter(self)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._bar and event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _room(self) -> int:
        """The width the button may take: the tool bar's less its other buttons'."""
        bar = self._bar
        layout = bar.layout()
        margins = layout.contentsMargins() if layout is not None else None
        spacing = max(layout.spacing(), 0) if layout is not None else 0
        room = bar.contentsRect().width()
        if margins is not None:
            room -= margins.left() + margins.right()
        for other in bar.actions():
            if other is self._action or not other.isVisible():
                continue
            widget = bar.widgetForAction(other)
            if widget is not None:  # a spacer's hint is (-1, -1): it takes what is left
                room -= max(widget.sizeHint().width(), 0) + spacing
        return room

    @Slot()
    def fit(self) -> None:
        if self._fitting:  # our own setIconText's changed()
            return
        if not shiboken6.isValid(self._action):  # the undo stack's, gone with the window
            return
        button = self._bar.widgetForAction(self._action)
        if not isinstance(button, QToolButton):
            return
        text = plain_text(self._action.text())
        metrics = button.fontMetrics()
        shown = plain_text(button.text())
        chrome = button.sizeHint().width() - metrics.horizontalAdvance(shown)
        width = max(self._room() - chrome, metrics.horizontalAdvance(text[:4] + ELLIPSIS))
        fitted = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        wanted = fitted.replace("&", "&&")  # a button's "&" marks a key, as an action's
        if self._action.iconText() != wanted:
            # Its changed() comes back here, measured on the words just set: within a
            # pixel or two of the room (151 px, "Undo rename of Li" 151 wide, cut 149),
            # the full words and the cut ones each asked for the other, without end (a
            # stack overflow). What this call chose stands.
            self._fitting = True
            try:
                self._action.setIconText(wanted)
            finally:
                self._fitting = False
