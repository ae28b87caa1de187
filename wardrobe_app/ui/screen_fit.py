"""Windows sized for the screen they open on: a 1366x768 laptop with a panel has about
736 px of height, less a title bar."""

from __future__ import annotations

from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QWidget

# Room the window manager's title bar and borders take, beyond the window's own size.
FRAME_ALLOWANCE = 40


def resize_within_screen(
    window: QWidget, width: int, height: int, screen: QScreen | None = None
) -> None:
    """``window.resize(width, height)``, smaller where the free area of ``screen`` (by
    default the one it opens on) is, never below the window's minimum size hint. Call it
    once the layout is set."""
    if screen is None:
        anchor = window.parentWidget() or window  # a dialog opens over its parent
        screen = anchor.screen()
    if screen is not None:
        free = screen.availableGeometry()
        width = min(width, free.width() - FRAME_ALLOWANCE)
        height = min(height, free.height() - FRAME_ALLOWANCE)
    hint = window.minimumSizeHint()
    window.resize(max(width, hint.width()), max(height, hint.height()))
