"""Room in the status bar for its messages: the models' words step aside while a message
that would not fit beside them is shown. At 800 px they left about 180 px, and "Nothing
was imported: this wardrobe is read-only" ran into them, cut ("…this wardrobelite0-…")."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtWidgets import QStatusBar, QWidget

# Beside each widget (the bar's layout spacing, rounded up) and around the message.
GAP = 8


class MessageRoom(QObject):
    """Hides ``yielding`` (permanent widgets of ``bar``) while a message too long for
    the room they leave is shown; shows them again when it goes."""

    def __init__(self, bar: QStatusBar, yielding: Sequence[QWidget]) -> None:
        super().__init__(bar)
        self.bar = bar
        self.yielding = list(yielding)
        bar.messageChanged.connect(self._message_changed)
        bar.installEventFilter(self)  # a window made wider or narrower under a message

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.bar and event.type() == QEvent.Type.Resize:
            self._message_changed(self.bar.currentMessage())
        return False

    @Slot(str)
    def _message_changed(self, message: str) -> None:
        fits = not message or self.bar.fontMetrics().horizontalAdvance(message) <= self._room()
        for widget in self.yielding:
            widget.setVisible(fits)

    def _room(self) -> int:
        """The width left for a message with every yielding widget shown. (The normal
        widgets, such as the undo notice, are hidden by then: QStatusBar hides them
        before it says that the message changed.)"""
        used = GAP
        children = self.bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        for child in children:
            if child in self.yielding or child.isVisibleTo(self.bar):
                used += max(child.sizeHint().width(), child.minimumWidth()) + GAP
        return self.bar.width() - used
