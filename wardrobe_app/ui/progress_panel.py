"""The import progress in the status bar: "Analysing 3 of 10: IMG_0042.jpg", a bar,
and a Cancel button."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QStyle, QWidget

from .elided_label import ElidedLabel
from .icons import standard


class ProgressPanel(QWidget):
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ElidedLabel(parent=self)  # a long file name must not widen the window
        self.label.setObjectName("progressLabel")
        self.label.setMinimumWidth(260)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("progressBar")
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(True)
        self.bar.setFormat("%v / %m")
        self.cancel_button = QPushButton(
            standard(QStyle.StandardPixmap.SP_DialogCancelButton), "Cancel", self
        )
        self.cancel_button.setObjectName("cancelImport")
        self.cancel_button.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(8)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.hide()

    def begin(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show()

    @Slot(int, int, str)
    def set_progress(self, done: int, total: int, current: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        verb = "Analysing" if done < total else "Finishing"
        shown = min(done + 1, total)
        self.label.setText(
            f"{verb} {shown} of {total}: {current}" if current else f"{verb} {shown} of {total}"
        )

    def set_text(self, text: str) -> None:
        self.label.setText(text)

    def end(self) -> None:
        self.hide()

    @Slot()
    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.cancelRequested.emit()
