"""A widget that shows one picture scaled to fit, centred, with a text while empty."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from .theme import cutout_backdrop


class ImageView(QWidget):
    def __init__(
        self,
        parent: QWidget | None = None,
        placeholder: str = "",
        framed: bool = True,
        min_size: QSize | None = None,
    ) -> None:
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._placeholder = placeholder
        self._framed = framed
        self.setMinimumSize(min_size or QSize(160, 160))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: QImage | QPixmap | None) -> None:
        if isinstance(image, QImage):
            image = QPixmap.fromImage(image) if not image.isNull() else None
        self._pixmap = image if image is not None and not image.isNull() else None
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def has_image(self) -> bool:
        return self._pixmap is not None

    def pixmap(self) -> QPixmap | None:
        return self._pixmap

    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        area = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        base = self.palette().color(QPalette.ColorRole.Base)
        cutout = self._pixmap is not None and self._pixmap.hasAlphaChannel()
        bg = cutout_backdrop(self.palette()) if cutout else base
        if self._framed:
            p.setBrush(bg)
            p.setPen(self.palette().color(QPalette.ColorRole.Mid))
            p.drawRoundedRect(area, 10, 10)
        elif bg != base:  # a cut-out on the dark scheme: on a lighter well
            p.setBrush(bg)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawRoundedRect(area, 8, 8)
        inner = self.rect().adjusted(10, 10, -10, -10)
        if self._pixmap is None:
            colour = QColor(self.palette().color(QPalette.ColorRole.PlaceholderText))
            p.setPen(colour)
            p.drawText(
                inner, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder
            )
            return
        size = self._pixmap.size()
        dpr = self._pixmap.devicePixelRatio()
        logical = QSize(int(size.width() / dpr), int(size.height() / dpr))
        fitted = logical.scaled(inner.size(), Qt.AspectRatioMode.KeepAspectRatio)
        if logical.width() <= inner.width() and logical.height() <= inner.height():
            # never blow a small cut-out up by more than 2x: it only gets blurry
            fitted = logical.scaled(
                QSize(
                    min(inner.width(), logical.width() * 2),
                    min(inner.height(), logical.height() * 2),
                ),
                Qt.AspectRatioMode.KeepAspectRatio,
            )
        target = QRect(0, 0, fitted.width(), fitted.height())
        target.moveCenter(inner.center())
        p.drawPixmap(target, self._pixmap)
