"""The photo with a garment's mask over it, painted with a round brush.

The left button adds to the garment, the right button erases (or the left one with the
eraser chosen). Strokes are drawn into the mask at the photo's own size, so what is
saved is exactly what was painted, whatever the zoom of the window. Each stroke can be
undone.
"""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from .theme import CATEGORY_COLOURS

UNDO_STEPS = 40
TINT = 0.45  # the garment's colour over its pixels
DIM = 0.35  # brightness left to what is not the garment


class MaskCanvas(QWidget):
    changed = Signal()  # after each stroke, undo, redo or reset
    brushChanged = Signal(int)  # the brush radius, in the photo's pixels

    def __init__(
        self, rgb: np.ndarray, mask: np.ndarray, category: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("maskCanvas")
        self.setAccessibleName("Garment mask")
        self.setMouseTracking(True)  # the brush outline follows the pointer
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        height, width = mask.shape
        self._original = np.asarray(mask, bool).copy()
        self._mask = self._original.copy()
        colour = QColor(CATEGORY_COLOURS.get(category, "#d04a8c"))
        rgbf = np.asarray(rgb, np.float32)
        tint = np.array([colour.red(), colour.green(), colour.blue()], np.float32)
        self._inside = np.clip(rgbf * (1 - TINT) + tint * TINT, 0, 255).astype(np.uint8)
        self._outside = (rgbf * DIM).astype(np.uint8)
        self._display = np.empty((height, width, 3), np.uint8)
        self._image = QImage(
            self._display.data, width, height, 3 * width, QImage.Format.Format_RGB888
        )
        self._compose(0, 0, width, height)
        # Masks as they were, a bit a pixel: 40 steps of a 2048x2048 mask took 168 MB.
        self._undo: list[np.ndarray] = []
        self._redo: list[np.ndarray] = []
        self._radius = max(2, round(max(width, height) / 80))
        self.erasing = False  # the left button's tool
        self._stroke_erases: bool | None = None  # during a stroke: whether it erases
        self._stroke_button = Qt.MouseButton.NoButton  # the button that began it
        self._last: tuple[int, int] | None = None
        self._before_stroke: np.ndarray | None = None  # packed, during a stroke
        self._pointer: QPointF | None = None

    # -- what the dialog reads and sets -----------------------------------------------
    def drawn_mask(self) -> np.ndarray:
        return self._mask.copy()

    def is_empty(self) -> bool:
        return not self._mask.any()

    def is_changed(self) -> bool:
        return not np.array_equal(self._mask, self._original)

    @property
    def radius(self) -> int:
        return self._radius

    @property
    def max_radius(self) -> int:
        """A quarter of the photo's long side: a few strokes sweep all of it."""
        return max(2, max(self._mask.shape) // 4)

    def set_radius(self, radius: int) -> None:
        radius = int(np.clip(radius, 1, self.max_radius))
        if radius != self._radius:
            self._radius = radius
            self.brushChanged.emit(radius)
            self.update()

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> None:
        if self._undo:
            self._redo.append(np.packbits(self._mask))
            self._set(self._unpacked(self._undo.pop()))

    def redo(self) -> None:
        if self._redo:
            self._undo.append(np.packbits(self._mask))
            self._set(self._unpacked(self._redo.pop()))

    def reset(self) -> None:
        """Back to the mask it was opened with (an undoable step)."""
        if self.is_changed():
            self._remember()
            self._set(self._original.copy())

    def paint_line(self, start: tuple[int, int], end: tuple[int, int], erase: bool) -> None:
        """One brush movement from ``start`` to ``end`` (photo pixels): what a drag
        paints between two mouse events."""
        value = 0 if erase else 1
        canvas = self._mask.view(np.uint8)
        cv2.line(canvas, start, end, value, thickness=2 * self._radius + 1)
        cv2.circle(canvas, end, self._radius, value, thickness=-1)
        r = self._radius + 1
        x0, x1 = min(start[0], end[0]) - r, max(start[0], end[0]) + r + 1
        y0, y1 = min(start[1], end[1]) - r, max(start[1], end[1]) + r + 1
        self._compose(x0, y0, x1, y1)

    # -- drawing ------------------------------------------------------------------------
    def _remember(self, packed: np.ndarray | None = None) -> None:
        """An undo step back to ``packed`` (by default the mask as it is now)."""
        self._undo.append(np.packbits(self._mask) if packed is None else packed)
        del self._undo[:-UNDO_STEPS]
        self._redo.clear()

    def _unpacked(self, packed: np.ndarray) -> np.ndarray:
        shape = self._mask.shape
        return np.unpackbits(packed, count=self._mask.size).reshape(shape).astype(bool)

    def _set(self, mask: np.ndarray) -> None:
        self._mask = mask
        self._compose(0, 0, mask.shape[1], mask.shape[0])
        self.changed.emit()

    def _compose(self, x0: int, y0: int, x1: int, y1: int) -> None:
        height, width = self._mask.shape
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
        if x0 >= x1 or y0 >= y1:
            return
        area = np.s_[y0:y1, x0:x1]
        self._display[area] = np.where(
            self._mask[area][..., None], self._inside[area], self._outside[area]
        )
        self.update()

    def _photo_rect(self) -> QRectF:
        """Where the photo is drawn: as large as fits, centred, aspect kept."""
        height, width = self._mask.shape
        scale = min(self.width() / width, self.height() / height)
        w, h = width * scale, height * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def _to_photo(self, pos: QPointF) -> tuple[int, int]:
        rect = self._photo_rect()
        height, width = self._mask.shape
        x = (pos.x() - rect.x()) * width / max(rect.width(), 1e-6)
        y = (pos.y() - rect.y()) * height / max(rect.height(), 1e-6)
        return round(x), round(y)

    def sizeHint(self) -> QSize:
        return QSize(720, 640)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = self._photo_rect()
        painter.drawImage(rect, self._image)
        if self._pointer is not None and rect.contains(self._pointer):
            scale = rect.width() / self._mask.shape[1]
            r = max(2.0, self._radius * scale)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            for colour, width in ((QColor(0, 0, 0, 160), 3.0), (QColor(255, 255, 255), 1.2)):
                painter.setPen(QPen(colour, width))
                painter.drawEllipse(self._pointer, r, r)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        button = event.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return super().mousePressEvent(event)
        if self._stroke_erases is not None:
            return None  # the other button during a stroke: the stroke goes on, one step
        self._before_stroke = np.packbits(self._mask)  # an undo step if the stroke changes it
        self._stroke_erases = self.erasing != (button == Qt.MouseButton.RightButton)
        self._stroke_button = button
        self._last = self._to_photo(event.position())
        self.paint_line(self._last, self._last, self._stroke_erases)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._pointer = event.position()
        if self._stroke_erases is not None and self._last is not None:
            point = self._to_photo(event.position())
            self.paint_line(self._last, point, self._stroke_erases)
            self._last = point
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._stroke_erases is None or event.button() != self._stroke_button:
            return super().mouseReleaseEvent(event)  # the other button's: the stroke goes on
        self._stroke_erases = None
        self._last = None
        before, self._before_stroke = self._before_stroke, None
        # A click that changed nothing (adding where it is all garment already) is no
        # step to undo, and must not clear what Redo would bring back.
        if before is not None and not np.array_equal(before, np.packbits(self._mask)):
            self._remember(before)
        self.changed.emit()

    def leaveEvent(self, event: object) -> None:
        self._pointer = None
        self.update()
