"""The tool bar's Undo words cut to the room left (``FitToolBarText``)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QToolBar

from wardrobe_app.ui import toolbar_fit
from wardrobe_app.ui.toolbar_fit import ELLIPSIS, FitToolBarText


def test_words_within_a_pixel_of_the_room_are_fitted_once(qtbot, monkeypatch) -> None:
    """Measured on the words it had just set, a fit within a pixel or two of the room
    ("Undo rename of Li" 151 px wide in 151, cut 149) asked for the full words and the
    cut ones in turn, each set calling it again: a stack overflow (as a name was typed)."""
    depth, deepest = [0], [0]
    fit = toolbar_fit.FitToolBarText.fit

    def counted(self: FitToolBarText) -> None:
        depth[0] += 1
        deepest[0] = max(deepest[0], depth[0])
        try:
            if depth[0] <= 8:  # the endless one stopped here, to fail rather than crash
                fit(self)
        finally:
            depth[0] -= 1

    monkeypatch.setattr(toolbar_fit.FitToolBarText, "fit", counted)
    window = QMainWindow()
    qtbot.addWidget(window)
    bar = QToolBar(window)
    window.addToolBar(bar)
    action = QAction("&Undo", window)
    bar.addAction(action)
    FitToolBarText(bar, action)
    window.show()
    qtbot.waitExposed(window)
    text = "Undo rename of Linen shirt"
    for width in range(60, 260):  # across the words' own width: the boundary among them
        bar.setFixedWidth(width)
        action.setText("&Undo")
        action.setText(f"&{text}")
        assert deepest[0] <= 2, f"fitted {deepest[0]} times over at {width} px"
        shown = action.iconText()
        assert shown == text or (shown.endswith(ELLIPSIS) and text.startswith(shown[:-1]))
