"""A garment's colours as swatches (dot, name, share), wrapped between colours only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from ..types import Colour
from .flow_layout import FlowLayout
from .icons import dot_html


class ColourSwatches(QWidget):
    """One unwrapped label a colour in a flow: a single wrapped label broke lines after
    a dot's image (Qt's text layout always may, no-break spaces or not), a dot at a
    line's end and its name on the next."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coloursLabel")
        self._flow = FlowLayout(self, spacing=10)
        self.labels: list[QLabel] = []

    def show_colours(self, colours: Sequence[Colour], palette: QPalette) -> None:
        """Each colour's dot and name, its share in the palette's muted text colour;
        "—" where there are none."""
        for label in self.labels:
            self._flow.removeWidget(label)
            label.deleteLater()
        muted = palette.color(QPalette.ColorRole.PlaceholderText).name()
        texts = [
            f"{dot_html(c.hex, palette)}&nbsp;{c.name.replace(' ', '&nbsp;')}&nbsp;"
            f'<span style="color:{muted}">{c.share:.0%}</span>'
            for c in colours
        ] or ["—"]
        self.labels = []
        for text in texts:
            label = QLabel(text, self)
            label.setTextFormat(Qt.TextFormat.RichText)
            self._flow.addWidget(label)
            self.labels.append(label)

    def text(self) -> str:
        """The swatches' rich text, one after another."""
        return " ".join(label.text() for label in self.labels)
