"""FlowLayout: widgets of different heights on one line are centred on it."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from wardrobe_app.ui.flow_layout import FlowLayout


def test_widgets_of_different_heights_are_centred_on_their_line(qtbot):
    # The review's "Show the garments found" (a check box, taller than a label) and its
    # legend were placed at the line's top: their text sat 3 px apart.
    host = QWidget()
    qtbot.addWidget(host)
    flow = FlowLayout(host, spacing=12)
    toggle = QCheckBox("Show the garments found", host)
    label = QLabel("Top", host)
    label.setFixedHeight(toggle.sizeHint().height() - 6)
    tall = QLabel("tall", host)
    tall.setFixedHeight(toggle.sizeHint().height() + 10)
    for widget in (toggle, label, tall):
        flow.addWidget(widget)
    host.resize(600, 100)
    host.show()
    qtbot.waitExposed(host)
    line = {w.geometry().center().y() for w in (toggle, label, tall)}
    assert max(line) - min(line) <= 1, [w.geometry() for w in (toggle, label, tall)]
    assert tall.geometry().top() == 0  # the tallest sets the line
    # wrapped, the second line is centred on its own height
    host.resize(toggle.sizeHint().width() + 4, 200)
    qtbot.waitUntil(lambda: label.geometry().top() > toggle.geometry().top(), timeout=2000)
    assert label.geometry().left() == 0
