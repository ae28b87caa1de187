"""Touch up a garment's cut-out: paint what belongs to it, erase what does not.

The dialog edits a copy of the mask (``MaskCanvas``); Save hands it to the garment view,
which stores it (``Wardrobe.set_garment_mask``: cut out, coloured and embedded again).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .ask import ask_yes
from .mask_canvas import MaskCanvas
from .screen_fit import resize_within_screen

HINT = (
    "Paint over what belongs to the garment; the right mouse button erases. "
    "[ and ] change the brush size."
)


def _keys(button: QPushButton) -> str:
    """A button's shortcut as this platform writes it ("Ctrl+Shift+Z")."""
    return button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


class MaskEditorDialog(QDialog):
    def __init__(
        self,
        rgb: np.ndarray,
        mask: np.ndarray,
        category: str,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("maskEditor")
        self.setWindowTitle(f"Touch up: {title}")
        self.canvas = MaskCanvas(rgb, mask, category, self)
        # A screen reader read "Garment mask" alone: what it shows, and how it is used.
        self.canvas.setAccessibleDescription(
            "The photo, the garment tinted and the rest dimmed. " + HINT
        )

        self.add_tool = QToolButton(self)
        self.add_tool.setText("Add")
        self.add_tool.setToolTip("Paint what belongs to the garment (A)")
        self.erase_tool = QToolButton(self)
        self.erase_tool.setText("Erase")
        self.erase_tool.setToolTip("Remove what does not belong to it (E)")
        tools = QButtonGroup(self)
        for button, key in ((self.add_tool, "A"), (self.erase_tool, "E")):
            button.setCheckable(True)
            button.setProperty("chip", True)
            button.setShortcut(QKeySequence(key))
            tools.addButton(button)
        self.add_tool.setChecked(True)
        self.erase_tool.toggled.connect(self._erase_toggled)

        self.brush = QSlider(Qt.Orientation.Horizontal, self)
        self.brush.setAccessibleName("Brush size")
        self.brush.setRange(1, self.canvas.max_radius)
        self.brush.setValue(self.canvas.radius)
        self.brush.setFixedWidth(160)
        self.brush.valueChanged.connect(self.canvas.set_radius)
        self.canvas.brushChanged.connect(self.brush.setValue)
        brush_label = QLabel("&Brush", self)
        brush_label.setBuddy(self.brush)

        self.undo_button = QPushButton("Undo", self)
        self.undo_button.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_button.setToolTip(f"Undo the last stroke ({_keys(self.undo_button)})")
        self.undo_button.clicked.connect(self.canvas.undo)
        # Redo said nothing of its keys, which differ by platform (Ctrl+Shift+Z, Ctrl+Y).
        self.redo_button = QPushButton("Redo", self)
        self.redo_button.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_button.setToolTip(f"Redo the stroke undone ({_keys(self.redo_button)})")
        self.redo_button.clicked.connect(self.canvas.redo)
        self.reset_button = QPushButton("Start over", self)
        self.reset_button.setToolTip("Back to the cut-out as it was saved")
        self.reset_button.clicked.connect(self.canvas.reset)

        bar = QHBoxLayout()
        bar.addWidget(self.add_tool)
        bar.addWidget(self.erase_tool)
        bar.addSpacing(12)
        bar.addWidget(brush_label)
        bar.addWidget(self.brush)
        bar.addStretch(1)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.redo_button)
        bar.addWidget(self.reset_button)

        self.hint = QLabel(HINT, self)
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.hint)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.buttons)
        self.canvas.changed.connect(self._update_buttons)
        self._update_buttons()
        resize_within_screen(self, 900, 860)

    def drawn_mask(self) -> np.ndarray:
        return self.canvas.drawn_mask()

    @Slot(bool)
    def _erase_toggled(self, on: bool) -> None:
        self.canvas.erasing = on

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # [ and ], as in image editors; here (keys its children leave unhandled come up
        # to the dialog) rather than shortcuts, which want the window active.
        step = {Qt.Key.Key_BracketLeft: -1, Qt.Key.Key_BracketRight: 1}.get(Qt.Key(event.key()))
        if step is None:
            super().keyPressEvent(event)
            return
        radius = self.canvas.radius  # a step of about a tenth: fine when small, quick when large
        self.canvas.set_radius(radius + step * max(1, radius // 10))

    @Slot()
    def _update_buttons(self) -> None:
        canvas = self.canvas
        empty = canvas.is_empty()
        self.save_button.setEnabled(canvas.is_changed() and not empty)
        self.save_button.setToolTip(
            "Nothing is left of the garment: to remove it, delete it instead" if empty else ""
        )
        self.undo_button.setEnabled(canvas.can_undo())
        self.redo_button.setEnabled(canvas.can_redo())
        self.reset_button.setEnabled(canvas.is_changed())

    def reject(self) -> None:
        """Cancel, Esc or the close button: painted changes are not lost without asking."""
        if self.canvas.is_changed() and not ask_yes(
            self,
            "Discard the changes?",
            "The changes to this cut-out have not been saved. Discard them?",
            yes_by_default=False,
        ):
            return
        super().reject()
