"""A friendly page for "nothing here yet": a drawing, a title, a hint and actions."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QAction, QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .icons import empty_state_pixmap


class EmptyState(QWidget):
    def __init__(
        self,
        title: str,
        hint: str,
        actions: list[QAction] | None = None,
        parent: QWidget | None = None,
        art_size: int = 150,
    ) -> None:
        super().__init__(parent)
        self.art = QLabel(self)
        self.art.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._art_size = art_size
        self.title = QLabel(title, self)
        self.title.setObjectName("emptyTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(hint, self)
        self.hint.setObjectName("emptyHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        hint_font = QFont(self.hint.font())
        hint_font.setPointSizeF(hint_font.pointSizeF() * 1.15)
        self.hint.setFont(hint_font)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.buttons: list[QPushButton] = []
        for action in actions or []:
            button = QPushButton(action.icon(), action.text().replace("&", ""), self)
            button.setMinimumHeight(34)
            button.clicked.connect(action.trigger)
            # disabled with its action (during an import), not a button that does nothing
            button.setEnabled(action.isEnabled())
            action.enabledChanged.connect(button.setEnabled)
            buttons.addWidget(button)
            self.buttons.append(button)
        buttons.addStretch(1)

        layout = self._layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.art)
        layout.addSpacing(12)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addSpacing(18)
        layout.addLayout(buttons)
        layout.addStretch(3)
        self._update_art()

    def minimumSizeHint(self) -> QSize:
        # Without the drawing, which gives way where the page is short: with it the
        # window could not be made short enough for a 1366x768 screen at 200% (683x384).
        hint = super().minimumSizeHint()
        if not self.art.isHidden():
            hint.setHeight(hint.height() - self._art_room())
        return hint

    def heightForWidth(self, width: int) -> int:
        # As the least height: a layout asks this of a page whose hint wraps.
        height = super().heightForWidth(width)
        if height >= 0 and not self.art.isHidden():
            height -= self._art_room()
        return height

    def _art_room(self) -> int:
        """The height the drawing takes, with its gap under it."""
        return self._art_size + self._layout.spacing()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        size = event.size()
        least = self.heightForWidth(size.width())
        if least < 0:
            least = self.minimumSizeHint().height()
        # The words and actions say what to do; the drawing only where there is room.
        self.art.setVisible(size.height() >= least + self._art_room())

    def _update_art(self) -> None:
        colour = self.palette().color(QPalette.ColorRole.PlaceholderText)
        self.art.setPixmap(empty_state_pixmap(self._art_size, colour))
        muted = self.hint.palette()
        muted.setColor(QPalette.ColorRole.WindowText, colour)
        self.hint.setPalette(muted)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._update_art()
