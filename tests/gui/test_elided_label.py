"""A shortened label shortens only what does not fit: given the room it asks for, it
shows its whole text."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from wardrobe_app.ui.elided_label import ElidedLabel

WORDS = [
    "Loading model…",
    "Model not loaded",
    "40 garments",
    "fill",
    "Photo 1 of 7: 0400.jpg",
    "lite0-lite2-cascade-ccp (garment finder, 2 networks) on CPU",
    "My checked coat",
]


def shown(label: ElidedLabel) -> str:
    """What the label draws (its ``text()`` is the whole text)."""
    return QLabel.text(label)


@pytest.mark.parametrize("words", WORDS)
def test_at_the_width_it_asks_for_the_whole_text_shows(qtbot, words):
    # QFontMetrics rounds a text's width down (100 px for 100.4): at that width the
    # label cut its own text, "Loading model…" read "Loading mode…".
    label = ElidedLabel(words)
    qtbot.addWidget(label)
    label.show()  # a hidden label is told of no resize
    label.resize(label.sizeHint())
    assert shown(label) == words
    label.resize(label.sizeHint().width() - 6, label.height())  # and short of it, cut
    assert shown(label) != words


def test_the_status_bar_says_loading_model_in_full(make_app, qtbot):
    # The status bar gives the models' words the room they ask for: "Loading mode…"
    # was shown at start-up, with the whole bar free beside it.
    parts = make_app(load_model=False)
    w = parts.window
    w.resize(1320, 860)
    label = w.model_label
    qtbot.waitUntil(lambda: label.width() == label.sizeHint().width())  # laid out
    parts.session.modelStatusChanged.emit("Loading model…")
    assert label.text() == "Loading model…"
    qtbot.waitUntil(lambda: label.width() == label.sizeHint().width())  # given what it asks
    assert shown(label) == "Loading model…"
