"""Icons: the app icon from resources/icons, the style's standard icons, and a few
simple drawn ones (category dots, colour swatches, the favourite heart)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QObject,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QStyle, QWidget

from .. import paths
from .theme import swatch_ring

ICON_DIR = paths.RESOURCES_DIR / "icons"
APP_ID = "io.github.wardrobe.Wardrobe"


def app_icon() -> QIcon:
    icon = QIcon()
    for name in (
        f"{APP_ID}.svg",
        f"{APP_ID}.png",
        f"{APP_ID}-128.png",
        f"{APP_ID}-64.png",
        f"{APP_ID}-48.png",
    ):
        path = ICON_DIR / name
        if path.exists():
            icon.addFile(str(path))
    return icon


def standard(pixmap: QStyle.StandardPixmap) -> QIcon:
    style = QApplication.style()
    return style.standardIcon(pixmap)


def _canvas(size: int) -> tuple[QPixmap, QPainter]:
    ratio = 2.0
    pm = QPixmap(int(size * ratio), int(size * ratio))
    pm.setDevicePixelRatio(ratio)
    pm.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pm, painter


SWATCH_RING = 1.2  # a colour dot's ring's width, in pixels
# Where a dot sits on: a window's or dialog's labels, or a chip's and a list's Base.
ON_WINDOW = (QPalette.ColorRole.Window,)
ON_BASE = (QPalette.ColorRole.Base,)
# A combo box: its closed button's face and its open list's Base.
ON_COMBO = (QPalette.ColorRole.Button, QPalette.ColorRole.Base)


def paint_swatch(
    painter: QPainter, centre: QPointF, fill: QColor, ring: QColor | None, size: float = 9.0
) -> None:
    """A colour dot, its ring (if any) a solid band inside its edge: a 0.8 px pen across
    the edge was blended half away, and a black dot's ring showed or not by its shade
    (#0c0c0e ringed, #2d2f31 on the dark Base all but none)."""
    painter.setPen(Qt.PenStyle.NoPen)
    radius = size / 2
    if ring is not None:
        painter.setBrush(ring)
        painter.drawEllipse(centre, radius, radius)
        radius -= SWATCH_RING
    painter.setBrush(fill)
    painter.drawEllipse(centre, radius, radius)


def dot_pixmap(
    colour: str,
    palette: QPalette,
    grounds: Sequence[QPalette.ColorRole] = ON_WINDOW,
    size: int = 14,
    ring_role: QPalette.ColorRole = QPalette.ColorRole.PlaceholderText,
) -> QPixmap:
    """A colour dot ringed as the grid's are (``swatch_ring``) where it stands out less
    than 3:1 from any of ``grounds``, the colours it is drawn on. A ring picked by the
    colour's lightness alone left grey, brown, red, blue and purple under 3:1 on the dark
    scheme, white, cream and yellow on the light."""
    pm, p = _canvas(size)
    fill = QColor(colour)
    ring = None
    for role in grounds:
        ring = swatch_ring(fill, palette.color(role), palette, ring_role)
        if ring is not None:
            break
    paint_swatch(p, QPointF(size / 2, size / 2), fill, ring, size - 2.0)
    p.end()
    return pm


def dot_icon(
    colour: str,
    palette: QPalette,
    size: int = 14,
    grounds: Sequence[QPalette.ColorRole] = ON_WINDOW,
    keep_when_disabled: bool = False,
    checkable: bool = False,
) -> QIcon:
    """A filled circle: a category marker or a colour swatch, on ``grounds`` of
    ``palette``. ``keep_when_disabled``: in its colour on a turned-off widget too, where
    the colour is what it says (Qt greys an icon there: a read-only garment's category
    was a grey dot). ``checkable``: a chip's, drawn checked on the Highlight."""
    pm = dot_pixmap(colour, palette, grounds, size)
    icon = QIcon(pm)
    if keep_when_disabled:
        icon.addPixmap(pm, QIcon.Mode.Disabled)
    if checkable:
        on = dot_pixmap(
            colour,
            palette,
            (QPalette.ColorRole.Highlight,),
            size,
            QPalette.ColorRole.HighlightedText,
        )
        icon.addPixmap(on, QIcon.Mode.Normal, QIcon.State.On)
        icon.addPixmap(on, QIcon.Mode.Active, QIcon.State.On)
    return icon


def entry_dot_icon(colour: str, palette: QPalette, size: int = 12) -> QIcon:
    """A menu entry's colour dot: on the menu's Base, checked or not (Fusion draws a
    checked entry's icon in its On state: a chip's, ringed for the Highlight, was white
    on white), and on the Highlight of the entry under the pointer. Its check box is
    drawn beside it (``colour_menu_style``), not across it."""
    icon = QIcon()
    for mode, grounds, ring_role in (
        (QIcon.Mode.Normal, ON_BASE, QPalette.ColorRole.PlaceholderText),
        (QIcon.Mode.Active, (QPalette.ColorRole.Highlight,), QPalette.ColorRole.HighlightedText),
    ):
        pm = dot_pixmap(colour, palette, grounds, size, ring_role)
        for state in (QIcon.State.Off, QIcon.State.On):
            icon.addPixmap(pm, mode, state)
    return icon


def dot_html(colour: str, palette: QPalette, size: int = 14) -> str:
    """``dot_icon`` as an inline image for rich text on the Window: a text "●" has no
    ring, and a black one vanished on the dark scheme."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    dot_pixmap(colour, palette, ON_WINDOW, size).save(buffer, "PNG")
    encoded = bytes(data.toBase64().data()).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" width="{size}" height="{size}">'


class _PaletteFollower(QObject):
    """Calls ``paint`` with its widget's palette now and again whenever the palette
    changes (Settings switches light and dark live): drawn icons do not follow it."""

    def __init__(self, widget: QWidget, paint: Callable[[QPalette], None]) -> None:
        super().__init__(widget)
        self._paint = paint
        paint(widget.palette())
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.PaletteChange and isinstance(watched, QWidget):
            self._paint(watched.palette())
        return False


def follow_palette(widget: QWidget, paint: Callable[[QPalette], None]) -> None:
    """Run ``paint(palette)`` for ``widget`` now and on each of its palette changes."""
    _PaletteFollower(widget, paint)


def keep_dot_icon(button: QAbstractButton, colour: str, size: int = 12) -> None:
    """A chip's colour dot: ringed for its Base, checked for the Highlight."""
    follow_palette(
        button, lambda pal: button.setIcon(dot_icon(colour, pal, size, ON_BASE, checkable=True))
    )


def keep_dot_label(label: QLabel, colour: str, size: int = 12) -> None:
    """A label showing only a colour dot, on the Window."""
    follow_palette(label, lambda pal: label.setPixmap(dot_pixmap(colour, pal, ON_WINDOW, size)))


def keep_dot_items(
    combo: QComboBox, colours: Sequence[str], keep_when_disabled: bool = False
) -> None:
    """A combo box's items' dots (``colours``, one an item, in order)."""

    def paint(pal: QPalette) -> None:
        for i, colour in enumerate(colours):
            combo.setItemIcon(i, dot_icon(colour, pal, 14, ON_COMBO, keep_when_disabled))

    follow_palette(combo, paint)


def heart_path(rect: QRectF) -> QPainterPath:
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    path = QPainterPath()
    path.moveTo(QPointF(x + w / 2, y + h * 0.92))
    path.cubicTo(
        QPointF(x - w * 0.1, y + h * 0.5),
        QPointF(x + w * 0.1, y - h * 0.05),
        QPointF(x + w / 2, y + h * 0.25),
    )
    path.cubicTo(
        QPointF(x + w * 0.9, y - h * 0.05),
        QPointF(x + w * 1.1, y + h * 0.5),
        QPointF(x + w / 2, y + h * 0.92),
    )
    return path


def paint_heart(painter: QPainter, rect: QRectF, filled: bool, colour: QColor) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colour, 1.6))
    painter.setBrush(QBrush(colour) if filled else Qt.BrushStyle.NoBrush)
    painter.drawPath(heart_path(rect))
    painter.restore()


@cache
def heart_icon(filled: bool = True, colour: str = "#e0245e", size: int = 16) -> QIcon:
    pm, p = _canvas(size)
    paint_heart(p, QRectF(2, 2.5, size - 4, size - 4), filled, QColor(colour))
    p.end()
    return QIcon(pm)


def empty_state_pixmap(size: int, colour: QColor) -> QPixmap:
    """A large hanger drawn in one colour, for empty pages."""
    pm, p = _canvas(size)
    pen = QPen(
        colour,
        size * 0.045,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    s = float(size)
    hook = QPainterPath()
    hook.moveTo(QPointF(s * 0.5, s * 0.40))
    hook.lineTo(QPointF(s * 0.5, s * 0.32))
    hook.arcTo(QRectF(s * 0.42, s * 0.16, s * 0.16, s * 0.16), -90, 270)
    p.drawPath(hook)
    body = QPainterPath()
    body.moveTo(QPointF(s * 0.5, s * 0.40))
    body.lineTo(QPointF(s * 0.1, s * 0.68))
    body.quadTo(QPointF(s * 0.06, s * 0.74), QPointF(s * 0.14, s * 0.74))
    body.lineTo(QPointF(s * 0.86, s * 0.74))
    body.quadTo(QPointF(s * 0.94, s * 0.74), QPointF(s * 0.9, s * 0.68))
    body.closeSubpath()
    p.drawPath(body)
    p.end()
    return pm


def placeholder_pixmap(size: QSize, colour: QColor) -> QPixmap:
    """Shown in a grid cell until its thumbnail has loaded."""
    pm = QPixmap(size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(colour)
    c.setAlpha(40)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(QRectF(pm.rect()).adjusted(8, 8, -8, -8), 10, 10)
    p.end()
    return pm


def _line_pen(colour: QColor, width: float) -> QPen:
    return QPen(
        colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
    )


def keep_line_icon(
    button: QAbstractButton, name: str, role: QPalette.ColorRole = QPalette.ColorRole.ButtonText
) -> None:
    """Give ``button`` the line icon ``name`` in its palette's ``role`` colour, drawn
    again on each palette change (the style's bitmaps had dark lines, lost on the dark
    scheme, and did not match the toolbar's drawn icons)."""
    follow_palette(button, lambda pal: button.setIcon(line_icon(name, pal.color(role))))


def line_icon(name: str, colour: QColor, size: int = 20) -> QIcon:
    """Simple line icons for the toolbar, drawn in the palette's text colour:
    photos, folder, search, delete, undo, settings, back."""
    pm, p = _canvas(size)
    s = float(size)
    p.setPen(_line_pen(colour, s * 0.085))
    p.setBrush(Qt.BrushStyle.NoBrush)
    if name == "photos":
        p.drawRoundedRect(QRectF(s * 0.1, s * 0.2, s * 0.62, s * 0.55), s * 0.08, s * 0.08)
        path = QPainterPath()
        path.moveTo(s * 0.14, s * 0.68)
        path.lineTo(s * 0.32, s * 0.48)
        path.lineTo(s * 0.46, s * 0.6)
        path.lineTo(s * 0.56, s * 0.52)
        path.lineTo(s * 0.7, s * 0.66)
        p.drawPath(path)
        p.drawLine(QPointF(s * 0.8, s * 0.55), QPointF(s * 0.8, s * 0.9))
        p.drawLine(QPointF(s * 0.63, s * 0.72), QPointF(s * 0.97, s * 0.72))
    elif name == "folder":
        path = QPainterPath()
        path.moveTo(s * 0.1, s * 0.8)
        path.lineTo(s * 0.1, s * 0.22)
        path.lineTo(s * 0.38, s * 0.22)
        path.lineTo(s * 0.46, s * 0.32)
        path.lineTo(s * 0.9, s * 0.32)
        path.lineTo(s * 0.9, s * 0.8)
        path.closeSubpath()
        p.drawPath(path)
    elif name == "search":
        p.drawEllipse(QRectF(s * 0.12, s * 0.12, s * 0.5, s * 0.5))
        p.drawLine(QPointF(s * 0.55, s * 0.55), QPointF(s * 0.86, s * 0.86))
    elif name == "delete":
        p.drawLine(QPointF(s * 0.15, s * 0.25), QPointF(s * 0.85, s * 0.25))
        p.drawLine(QPointF(s * 0.4, s * 0.25), QPointF(s * 0.42, s * 0.12))
        p.drawLine(QPointF(s * 0.42, s * 0.12), QPointF(s * 0.58, s * 0.12))
        p.drawLine(QPointF(s * 0.58, s * 0.12), QPointF(s * 0.6, s * 0.25))
        path = QPainterPath()
        path.moveTo(s * 0.24, s * 0.3)
        path.lineTo(s * 0.3, s * 0.88)
        path.lineTo(s * 0.7, s * 0.88)
        path.lineTo(s * 0.76, s * 0.3)
        p.drawPath(path)
        p.drawLine(QPointF(s * 0.43, s * 0.42), QPointF(s * 0.44, s * 0.76))
        p.drawLine(QPointF(s * 0.57, s * 0.42), QPointF(s * 0.56, s * 0.76))
    elif name == "undo":
        path = QPainterPath()
        path.moveTo(s * 0.22, s * 0.42)
        path.lineTo(s * 0.62, s * 0.42)
        path.cubicTo(
            QPointF(s * 0.95, s * 0.42), QPointF(s * 0.95, s * 0.86), QPointF(s * 0.62, s * 0.86)
        )
        path.lineTo(s * 0.4, s * 0.86)
        p.drawPath(path)
        p.drawLine(QPointF(s * 0.22, s * 0.42), QPointF(s * 0.38, s * 0.26))
        p.drawLine(QPointF(s * 0.22, s * 0.42), QPointF(s * 0.38, s * 0.58))
    elif name == "settings":
        import math

        centre = QPointF(s / 2, s / 2)
        for i in range(8):
            a = i * math.pi / 4
            p.drawLine(
                QPointF(centre.x() + math.cos(a) * s * 0.28, centre.y() + math.sin(a) * s * 0.28),
                QPointF(centre.x() + math.cos(a) * s * 0.42, centre.y() + math.sin(a) * s * 0.42),
            )
        p.drawEllipse(centre, s * 0.26, s * 0.26)
        p.drawEllipse(centre, s * 0.09, s * 0.09)
    elif name == "back":
        p.drawLine(QPointF(s * 0.2, s * 0.5), QPointF(s * 0.82, s * 0.5))
        p.drawLine(QPointF(s * 0.2, s * 0.5), QPointF(s * 0.45, s * 0.25))
        p.drawLine(QPointF(s * 0.2, s * 0.5), QPointF(s * 0.45, s * 0.75))
    p.end()
    return QIcon(pm)
