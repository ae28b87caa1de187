"""Paints one garment as a card: cut-out, name, category marker, colours, favourite,
and the similarity score where there is one."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from .garment_model import GarmentRoles
from .icons import paint_heart, paint_swatch
from .theme import FAVOURITE, category_colour, cutout_backdrop, swatch_ring

Index = QModelIndex | QPersistentModelIndex
SWATCH_STEP = 11  # a colour dot and its gap, in pixels
MAX_SWATCHES = 3
SELECTED_TINT = 45  # the highlight's alpha over a selected card's Base
CARD_MARGIN = 3  # between a cell's rectangle and the card drawn in it


def swatches_that_fit(fm: QFontMetrics, text: str, width: int, colours: int) -> int:
    """How many colour dots a card's line shows beside ``text`` in ``width``: up to
    three, fewer where the text would be cut ("Outerw…" beside three dots), never none
    (the main colour stays)."""
    shown = min(colours, MAX_SWATCHES)
    while shown > 1 and fm.horizontalAdvance(text) > width - shown * SWATCH_STEP:
        shown -= 1
    return shown


def selected_fill(palette: QPalette) -> QColor:
    """A selected card's ground: Base tinted with the highlight."""
    base, highlight = (
        palette.color(QPalette.ColorRole.Base),
        palette.color(QPalette.ColorRole.Highlight),
    )
    a = SELECTED_TINT / 255
    return QColor(
        round(base.red() + (highlight.red() - base.red()) * a),
        round(base.green() + (highlight.green() - base.green()) * a),
        round(base.blue() + (highlight.blue() - base.blue()) * a),
    )


def subtitle_colour(palette: QPalette, selected: bool) -> QColor:
    """A card's second line ("Top", the type): muted, 4.5:1 on Base; on a selected
    card's tint the muted colour fell to 4.1:1 (both schemes), so there the text's."""
    role = QPalette.ColorRole.Text if selected else QPalette.ColorRole.PlaceholderText
    return palette.color(role)


class GarmentDelegate(QStyledItemDelegate):
    def __init__(
        self, thumb: int = 148, parent: QWidget | None = None, show_subtitle: bool = True
    ) -> None:
        super().__init__(parent)
        self.thumb = thumb
        self.pad = 10 if thumb >= 120 else 7
        self.show_subtitle = show_subtitle

    def thumb_size(self) -> QSize:
        return QSize(self.thumb, self.thumb)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        fm = QFontMetrics(option.font)
        lines = 2 if self.show_subtitle else 1
        text_h = fm.height() * lines + 6
        return QSize(self.thumb + 2 * self.pad, self.thumb + 2 * self.pad + text_h)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = option
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        state = opt.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        focused = bool(state & QStyle.StateFlag.State_HasFocus)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        m = CARD_MARGIN
        card = QRectF(rect).adjusted(m, m, -m, -m)
        base = palette.color(QPalette.ColorRole.Base)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        border = palette.color(QPalette.ColorRole.Mid)
        if selected:
            painter.setBrush(selected_fill(palette))
            painter.setPen(QPen(highlight, 2))
        else:
            painter.setBrush(base)
            painter.setPen(QPen(highlight if (hovered or focused) else border, 1))
        painter.drawRoundedRect(card, 10, 10)

        # the cut-out (or a placeholder while it loads)
        thumb_rect = QRect(rect.x() + self.pad, rect.y() + self.pad, self.thumb, self.thumb)
        pm = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pm, QPixmap) and not pm.isNull():
            backdrop = cutout_backdrop(palette)
            if backdrop != base:  # the dark scheme: a lighter well under the cut-out
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(backdrop)
                painter.drawRoundedRect(QRectF(thumb_rect), 8, 8)
            size = pm.size().scaled(thumb_rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            if pm.width() <= thumb_rect.width() and pm.height() <= thumb_rect.height():
                size = pm.size()
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(thumb_rect.center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(target, pm)
        else:
            ph = QColor(palette.color(QPalette.ColorRole.Text))
            ph.setAlpha(18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(ph)
            painter.drawRoundedRect(QRectF(thumb_rect).adjusted(6, 6, -6, -6), 8, 8)
            if isinstance(pm, QPixmap):  # loaded but unreadable
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(thumb_rect, Qt.AlignmentFlag.AlignCenter, "no image")

        category = index.data(GarmentRoles.Category) or ""
        # favourite heart, top right
        if index.data(GarmentRoles.Favourite):
            s = 18 if self.thumb >= 120 else 14
            paint_heart(
                painter,
                QRectF(thumb_rect.right() - s, thumb_rect.top() + 2, s, s),
                True,
                QColor(FAVOURITE),
            )
        # similarity score badge, top left
        score = index.data(GarmentRoles.Score)
        if score is not None:
            self._badge(painter, thumb_rect, f"{max(0.0, float(score)):.0%}", highlight)

        # text: name (bold) and the category line with its colour marker
        fm = QFontMetrics(opt.font)
        y = thumb_rect.bottom() + 6
        text_rect = QRect(rect.x() + self.pad, y, rect.width() - 2 * self.pad, fm.height())
        name_font = QFont(opt.font)
        name_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(name_font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(name_font).elidedText(
                name, Qt.TextElideMode.ElideRight, text_rect.width()
            ),
        )
        if self.show_subtitle:
            line = text_rect.translated(0, fm.height() + 2)
            ground = selected_fill(palette) if selected else base
            # Ringed as the colour dots are: one-piece's purple on the dark Base (2.97:1)
            # and bottom's amber on the light one (2.15:1) all but vanished.
            marker = category_colour(category)
            centre = QPointF(line.x() + 4, line.center().y())
            paint_swatch(painter, centre, marker, swatch_ring(marker, ground, palette), 8)
            colours = index.data(GarmentRoles.Colours) or []
            text = str(index.data(GarmentRoles.Subtitle) or "")
            shown = swatches_that_fit(fm, text, line.width() - 16, len(colours))
            swatch_w = shown * SWATCH_STEP
            sub_rect = line.adjusted(14, 0, -swatch_w - 2, 0)
            painter.setFont(opt.font)
            painter.setPen(subtitle_colour(palette, selected))
            painter.drawText(
                sub_rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(text, Qt.TextElideMode.ElideRight, sub_rect.width()),
            )
            x = line.right() - swatch_w + 2
            for colour in colours[:shown]:
                fill = QColor(colour.hex)
                centre = QPointF(x + 4.5, line.center().y())
                paint_swatch(painter, centre, fill, swatch_ring(fill, ground, palette))
                x += SWATCH_STEP
        painter.restore()

    def _badge(self, painter: QPainter, thumb_rect: QRect, text: str, colour: QColor) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        font.setWeight(QFont.Weight.Bold)
        fm = QFontMetrics(font)
        w, h = fm.horizontalAdvance(text) + 10, fm.height() + 2
        badge = QRectF(thumb_rect.left(), thumb_rect.top(), w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(badge, h / 2, h / 2)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
