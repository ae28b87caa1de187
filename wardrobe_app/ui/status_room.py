"""Room in the status bar: the models' words step aside while what else it shows (a
message, the import's progress) would not fit beside them. At 800 px they left about
180 px: "Nothing was imported: this wardrobe is read-only" ran into them, cut, and an
import's progress squeezed out the dot between them and the count ("on CPU30 garments")."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtWidgets import QStatusBar, QWidget

# Beside each widget (the bar's layout spacing, rounded up) and around the message.
GAP = 8


class StatusRoom(QObject):
    """Hides ``yielding`` (permanent widgets of ``bar``) while the message and the other
    widgets shown would not fit beside them; shows them again when they would.
    ``watched``: widgets of the bar that come and go (the progress panel)."""

    def __init__(
        self, bar: QStatusBar, yielding: Sequence[QWidget], watched: Sequence[QWidget] = ()
    ) -> None:
        super().__init__(bar)
        self.bar = bar
        self.yielding = list(yielding)
        self.watched = list(watched)
        bar.messageChanged.connect(self._update)
        bar.installEventFilter(self)  # a window made wider or narrower
        for widget in self.watched:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (watched is self.bar and kind == QEvent.Type.Resize) or (
            watched in self.watched and kind in (QEvent.Type.Show, QEvent.Type.Hide)
        ):
            self._update()
        return False

    @Slot()
    def _update(self) -> None:
        message = self.bar.currentMessage()
        needed = self.bar.fontMetrics().horizontalAdvance(message) if message else 0
        fits = needed <= self._room()
        for widget in self.yielding:
            widget.setVisible(fits)

    def _room(self) -> int:
        """The width left for a message with every yielding widget shown. (The normal
        widgets, such as the undo notice, are hidden while a message is shown: QStatusBar
        hides them before it says that the message changed.)"""
        used = GAP
        children = self.bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        for child in children:
            if child in self.yielding:
                # the most the bar's layout gives it: its hint, within its maximum
                wanted = max(child.sizeHint().width(), child.minimumWidth())
                used += min(wanted, child.maximumWidth()) + GAP
            elif child.isVisibleTo(self.bar):
                # the least it takes: the progress panel shortens a long file name
                used += max(child.minimumSizeHint().width(), child.minimumWidth()) + GAP
        return self.bar.width() - used
