"""The colour drop-down's entries as a check box, then the colour's dot, then its name.
Fusion draws an entry's icon in place of its check box: the dot hid the box, and a mark
drawn across the dot hid its colour."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPalette
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QStyleOptionMenuItem, QWidget

DOT_ROOM = 20  # px, the dot's column between the check box and the name
TEXT_GAP = 6  # px, after the dot


def _dotted_entry(option: QStyleOption) -> QStyleOptionMenuItem | None:
    """``option`` where it is a checkable menu entry with an icon (a colour's dot)."""
    if (
        isinstance(option, QStyleOptionMenuItem)
        and option.checkType == QStyleOptionMenuItem.CheckType.NonExclusive
        and not option.icon.isNull()
    ):
        return option
    return None


def dot_rect(entry: QRect, max_icon_width: int) -> QRect:
    """Where the dot goes in an entry at ``entry``: after Fusion's check column, whose
    width is at least 21 px."""
    check_column = max(max_icon_width, 21) + 4
    return QRect(entry.x() + check_column, entry.y(), DOT_ROOM, entry.height())


class CheckBesideIconStyle(QProxyStyle):
    """Fusion, but a checkable menu entry with an icon keeps its check box, the icon
    drawn beside it (set on the menu only, with ``QWidget.setStyle``)."""

    def __init__(self) -> None:
        super().__init__("Fusion")

    def sizeFromContents(
        self,
        kind: QStyle.ContentsType,
        option: QStyleOption,
        size: QSize,
        widget: QWidget | None = None,
    ) -> QSize:
        # (QProxyStyle's stub wants a widget; Qt takes None, as QCommonStyle's says)
        hint = super().sizeFromContents(kind, option, size, widget)  # type: ignore[arg-type]
        if kind == QStyle.ContentsType.CT_MenuItem and _dotted_entry(option) is not None:
            hint.setWidth(hint.width() + DOT_ROOM + TEXT_GAP)
        return hint

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        entry = _dotted_entry(option) if element == QStyle.ControlElement.CE_MenuItem else None
        if entry is None:
            super().drawControl(element, option, painter, widget)
            return
        # Fusion's entry without its icon nor name: the ground, the highlight, the box
        bare = QStyleOptionMenuItem(entry)
        bare.icon = QIcon()
        bare.text = ""
        super().drawControl(element, bare, painter, widget)
        selected = bool(entry.state & QStyle.StateFlag.State_Selected)
        enabled = bool(entry.state & QStyle.StateFlag.State_Enabled)
        dot = dot_rect(entry.rect, entry.maxIconWidth)
        mode = QIcon.Mode.Active if selected else QIcon.Mode.Normal
        if not enabled:
            mode = QIcon.Mode.Disabled
        direction = entry.direction
        entry.icon.paint(
            painter, self.visualRect(direction, entry.rect, dot), Qt.AlignmentFlag.AlignCenter, mode
        )
        text = entry.rect.adjusted(dot.right() + 1 + TEXT_GAP - entry.rect.x(), 0, 0, 0)
        painter.save()
        painter.setFont(entry.font)
        self.drawItemText(
            painter,
            self.visualRect(direction, entry.rect, text),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
            | int(Qt.TextFlag.TextShowMnemonic),
            entry.palette,
            enabled,
            entry.text,
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text,
        )
        painter.restore()
