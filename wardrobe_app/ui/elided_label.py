"""A one-line label that shortens a text too long for its room ("…"), instead of
setting the window's minimum width to the whole text."""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

# The narrowest the label asks for, in characters: a few words still read.
MIN_CHARS = 12


class ElidedLabel(QLabel):
    """``text()`` is the whole text; the label shows as much as fits, the rest in its
    tooltip (and to a screen reader, in its accessible name)."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
    ) -> None:
        super().__init__(parent)
        self._full = ""
        self._tip = ""
        self._mode = mode
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self.setAccessibleName(text)
        self.updateGeometry()
        self._elide()

    def text(self) -> str:
        return self._full

    def set_tip(self, tip: str) -> None:
        """A tooltip shown whether the text is cut or not, in place of the whole text:
        one that says all the text does, or more (the models' names and folders)."""
        self._tip = tip
        self._elide()

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        # The text's width rounded up: QFontMetrics rounds it down (100 px for 100.4),
        # and at that room elidedText cut the label's own text ("Loading mode…" in the
        # status bar, which gives the label the width it asks for).
        text = math.ceil(QFontMetricsF(self.font()).horizontalAdvance(self._full))
        width = text + margins.left() + margins.right()
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self.fontMetrics().averageCharWidth() * MIN_CHARS
        return QSize(
            min(width, self.sizeHint().width()) + margins.left() + margins.right(),
            super().minimumSizeHint().height(),
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, self._mode, max(room, 0))
        super().setText(shown)
        self.setToolTip(self._tip or (self._full if shown != self._full else ""))
