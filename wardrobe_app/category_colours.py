"""The colour that marks each garment category: one set for the app's chips, dots and
overlays and for the CLI's overlay images, so a top is the same blue in both. Kept free
of Qt, as the CLI and the vision code read it too."""

from __future__ import annotations

CATEGORY_COLOURS: dict[str, str] = {
    "top": "#3b82f6",  # blue
    "bottom": "#f59e0b",  # amber
    "one-piece": "#a855f7",  # purple
}


def rgb_of(hex_colour: str) -> tuple[int, int, int]:
    """``"#3b82f6"`` as ``(59, 130, 246)``."""
    value = int(hex_colour.lstrip("#"), 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF
