"""Look and feel: the Fusion style with light and dark palettes that follow the system,
and the colours that mark each garment category."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from ..category_colours import CATEGORY_COLOURS as CATEGORY_COLOURS

# Shown outside the window too (the CLI, an export), so kept free of Qt there.
from ..services.naming import category_label as category_label
from ..services.naming import type_label as type_label

# Overlay colour per label-map value (0 = background: transparent).
LABEL_COLOURS: dict[int, str] = {
    1: CATEGORY_COLOURS["top"],
    2: CATEGORY_COLOURS["bottom"],
    3: CATEGORY_COLOURS["one-piece"],
}
ACCENT = "#2f7d6d"

# Rounded, checkable "chips" (filters, view switches): QToolButtons with chip=true;
# active=true draws one as checked (the colours' drop-down while colours are chosen).
# The keyboard focus is a thicker frame (the style sheet drew none), the same size.
CHIP_STYLE = """
QToolButton[chip="true"] {
    border: 1px solid palette(mid); border-radius: 12px; padding: 3px 10px 3px 8px;
    background: palette(base);
}
QToolButton[chip="true"]:hover { border-color: palette(highlight); }
QToolButton[chip="true"]:checked, QToolButton[chip="true"][active="true"] {
    background: palette(highlight); color: palette(highlighted-text);
    border-color: palette(highlight);
}
QToolButton[chip="true"]:disabled { color: palette(placeholder-text); }
QToolButton[chip="true"]:focus {
    border: 2px solid palette(highlight); padding: 2px 9px 2px 7px;
}
QToolButton[chip="true"]:checked:focus, QToolButton[chip="true"][active="true"]:focus {
    border-color: palette(text);
}
QToolButton[chip="true"]::menu-indicator { image: none; width: 0px; }
"""
FAVOURITE = "#e0245e"


def relative_luminance(colour: QColor) -> float:
    """WCAG's relative luminance of an sRGB colour, 0 (black) to 1 (white)."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG's contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


SWATCH_CONTRAST = 3.0  # a colour dot this distinct from its ground needs no ring (WCAG's UI)


def swatch_ring(
    fill: QColor,
    ground: QColor,
    palette: QPalette,
    role: QPalette.ColorRole = QPalette.ColorRole.PlaceholderText,
) -> QColor | None:
    """The ring of a colour dot on a ground of colour ``ground``: the muted text's (4.5:1
    on Base and Window) where the colour itself stands out less than 3:1 (black and navy
    on the dark scheme, white on the light), none where it does. ``role``: the ring's
    colour where the muted text is not the ground's (HighlightedText on Highlight)."""
    if contrast_ratio(fill, ground) >= SWATCH_CONTRAST:
        return None
    return palette.color(role)


def category_colour(category: str) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, "#808080"))


def cutout_backdrop(palette: QPalette) -> QColor:
    """What a cut-out is drawn on. The light scheme's white Base; on the dark scheme's
    Base a black garment all but vanished (1.5:1), so a grey between Base and Text, on
    which black and white garments both stand out (about 3.5:1)."""
    base = palette.color(QPalette.ColorRole.Base)
    if base.lightness() >= 128:
        return base
    text = palette.color(QPalette.ColorRole.Text)
    mix = 0.35
    return QColor(
        round(base.red() + (text.red() - base.red()) * mix),
        round(base.green() + (text.green() - base.green()) * mix),
        round(base.blue() + (text.blue() - base.blue()) * mix),
    )


# "system" (follow the desktop's light or dark scheme), "light" or "dark": Settings.
_choice = "system"


def is_dark() -> bool:
    if _choice != "system":
        return _choice == "dark"
    hints = QGuiApplication.styleHints()
    return bool(hints.colorScheme() == Qt.ColorScheme.Dark)


def choose_theme(app: QApplication, choice: str) -> None:
    """Light, dark, or as the system ("system"): applied at once, to every window."""
    global _choice
    _choice = choice if choice in ("light", "dark") else "system"
    apply_theme(app)


def light_palette() -> QPalette:
    p = QPalette()
    window, base, text = QColor("#f4f4f2"), QColor("#ffffff"), QColor("#1f2328")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#ecebe8"))
    p.setColor(QPalette.ColorRole.ToolTipBase, base)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    # Muted text (hints, the cards' types, shares) at 4.5:1 or more on Window and Base.
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#686d74"))
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, QColor("#e9e8e4"))
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor("#d1242f"))
    p.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.Link, QColor(ACCENT))
    p.setColor(QPalette.ColorRole.Mid, QColor("#c9c7c2"))
    p.setColor(QPalette.ColorRole.Midlight, QColor("#dedcd8"))
    p.setColor(QPalette.ColorRole.Dark, QColor("#a09e99"))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9a9ea5"))
    return p


def dark_palette() -> QPalette:
    p = QPalette()
    # Base lighter than Window, as white is in the light palette: Fusion draws a check
    # box as a Base square with a Window-derived outline, which vanished on #17181a.
    window, base, text = QColor("#202124"), QColor("#36383d"), QColor("#e8eaed")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#3e4045"))
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor("#2a2b2e"))
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#a0a6ac"))  # 4.5:1 on Base
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, QColor("#303134"))
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor("#ff6b6b"))
    p.setColor(QPalette.ColorRole.Highlight, QColor("#2b8270"))  # white on it: 4.6:1
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.Link, QColor("#5cc3ad"))
    p.setColor(QPalette.ColorRole.Mid, QColor("#44464a"))
    p.setColor(QPalette.ColorRole.Midlight, QColor("#3a3b3e"))
    p.setColor(QPalette.ColorRole.Dark, QColor("#111214"))
    p.setColor(QPalette.ColorRole.Light, QColor("#505256"))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b6f75"))
    return p


def apply_theme(app: QApplication) -> None:
    """Fusion everywhere; the palette light or dark as chosen (by default, as the
    system's scheme)."""
    style = QStyleFactory.create("Fusion")
    if style is not None:
        app.setStyle(style)
    app.setPalette(dark_palette() if is_dark() else light_palette())
    # On the application, not a window: a widget's style sheet stops the application's
    # palette from reaching its children, so a live switch to dark left them light.
    # Set anew each time (cleared first): the sheet's palette(...) colours are resolved
    # when widgets are polished, and a live switch must re-polish them.
    app.setStyleSheet("")
    app.setStyleSheet(CHIP_STYLE)


def follow_system_scheme(app: QApplication) -> None:
    """Re-apply the palette whenever the system switches between light and dark."""
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
