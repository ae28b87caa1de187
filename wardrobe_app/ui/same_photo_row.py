""" "Do I already own this?" asked of a photo already in the wardrobe: it says that this
very photo is there, with its garments to open, instead of matching it against itself
("You probably own this already (closest match 100%)", a guess about a certainty)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ..services.naming import display_name
from ..types import GarmentRecord
from .garment_strip import GarmentStrip
from .thumbnails import ThumbnailCache


@dataclass
class SamePhoto:
    """The photo asked about is one the wardrobe holds (by content): its garments."""

    path: Path
    garments: list[GarmentRecord]
    photo: QImage  # shown as the photo of an analysis is, without an overlay


def same_photo_words(garments: list[GarmentRecord]) -> str:
    """ "Imported before, with its 2 garments (Navy top, Olive bottom): ..." """
    count = len(garments)
    names = ", ".join(display_name(g) for g in garments[:3]) + (", …" if count > 3 else "")
    its = "its garment" if count == 1 else f"its {count} garments"
    return f"Imported before, with {its} ({names}): open one to see it (Enter)."


class SamePhotoRow(QFrame):
    """Where the matches are listed: this very photo is in the wardrobe, and its
    garments (a click or Enter opens one)."""

    TITLE = "This very photo is already in your wardrobe"

    def __init__(
        self,
        garments: list[GarmentRecord],
        thumbnails: ThumbnailCache,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("samePhoto")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"<b>{self.TITLE}</b>", self)
        self.title.setWordWrap(True)
        self.words = QLabel(self)
        self.words.setTextFormat(Qt.TextFormat.PlainText)  # a name's "<" as typed
        self.words.setText(same_photo_words(garments))
        self.words.setWordWrap(True)
        self.strip = GarmentStrip(thumbnails, thumb=104, parent=self)
        self.strip.setObjectName("samePhotoStrip")
        self.strip.view.setAccessibleName("The garments of this photo in your wardrobe")
        self.strip.set_records(garments)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.words)
        layout.addWidget(self.strip)
