"""The import progress in the status bar: "Analysing 3 of 10: IMG_0042.jpg" (with
"(then 2 photos)" for photos dropped meanwhile), a bar, and a Cancel button."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QStyle, QWidget

from ..vision.image_io import is_image_path
from .elided_label import ElidedLabel
from .icons import standard


class ProgressPanel(QWidget):
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ProgressLabel(self)  # a long file name must not widen the window
        self.label.setObjectName("progressLabel")
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
        # "Analysing 3 of 10", " (then 2 photos)" waiting for it, and ": IMG_0042.jpg"
        self._head, self._then, self._current = "", "", ""
        self.hide()

    def begin(self, text: str) -> None:
        self._head, self._current = text, ""
        self._show()
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
        self._head, self._current = f"{verb} {shown} of {total}", current
        self._show()

    @Slot(object)
    def set_waiting(self, paths: list[Path]) -> None:
        """Photos and folders that wait for this import, said after its count."""
        self._then = f" (then {photos_and_folders(paths)})" if paths else ""
        self._show()

    def set_text(self, text: str) -> None:
        self._head, self._current = text, ""
        self._show()

    def _show(self) -> None:
        self.label.set_parts(self._head, self._then, self._current)

    def end(self) -> None:
        self._then = ""
        self.hide()

    @Slot()
    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.cancelRequested.emit()


# The most the count ("Analysing 13 of 120") keeps whole in a narrow window: with the
# label's old 260 px minimum the panel needed about 540 px, and the window 792 at least.
HEAD_ROOM = 200


class ProgressLabel(ElidedLabel):
    """ "Analysing 3 of 10 (then 2 photos): IMG_0042.jpg", shortened from the file name's
    middle first (its start and its number both tell it), then from the end; the whole
    text in the tooltip. Its minimum is the count's width, not the file name's."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self._head, self._rest, self._file = "", "", ""  # before the first _elide
        super().__init__(parent=parent)

    def set_parts(self, head: str, rest: str, file: str) -> None:
        self._head, self._rest, self._file = head, rest, file
        text = head + rest
        self.setText(f"{text}: {file}" if file else text)

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        # 2 px over: elidedText() measures in fractions, and cut the count at its width
        head = min(self.fontMetrics().horizontalAdvance(self._head) + 2, HEAD_ROOM)
        width = min(head + margins.left() + margins.right(), self.sizeHint().width())
        return QSize(max(width, super().minimumSizeHint().width()), self.sizeHint().height())

    def _elide(self) -> None:
        if not self._file:
            super()._elide()
            return
        metrics, room = self.fontMetrics(), max(self.contentsRect().width(), 0)
        whole = self.text()
        prefix = f"{self._head}{self._rest}: "
        if metrics.horizontalAdvance(whole) <= room:
            shown = whole
        elif metrics.horizontalAdvance(prefix + "…") <= room:
            rest = room - metrics.horizontalAdvance(prefix)
            shown = prefix + metrics.elidedText(self._file, Qt.TextElideMode.ElideMiddle, rest)
        else:
            shown = metrics.elidedText(self._head + self._rest, Qt.TextElideMode.ElideRight, room)
        QLabel.setText(self, shown)
        self.setToolTip(whole if shown != whole else "")


def photos_and_folders(paths: list[Path]) -> str:
    """ "2 photos", "1 folder", "2 photos and 1 folder". Told by name, not by asking the
    disk (on the GUI thread: a slow network share froze the window): an import is given
    photos and folders only (a drop or the dialogs keep no other path), so what is not
    named as a photo is a folder; one named like a photo is counted as one."""
    folders = sum(1 for p in paths if not is_image_path(p))
    files = len(paths) - folders
    words = [
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in ((files, "photo"), (folders, "folder"))
        if n
    ]
    return " and ".join(words)
