"""A one-row, horizontally scrolling strip of garment cards (similar items, worn with,
matches), with a message in place of the strip when it is empty."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QStackedWidget,
    QStyleOptionViewItem,
    QWidget,
)

from ..types import GarmentRecord
from .garment_delegate import GarmentDelegate
from .garment_model import GarmentListModel, GarmentRoles
from .thumbnails import ThumbnailCache


class GarmentStrip(QStackedWidget):
    garmentClicked = Signal(int)

    def __init__(
        self,
        thumbnails: ThumbnailCache | None,
        thumb: int = 108,
        empty_text: str = "Nothing here",
        parent: QWidget | None = None,
        show_subtitle: bool = True,
    ) -> None:
        super().__init__(parent)
        self.model = GarmentListModel(thumbnails, self)
        self.model.drop_shared_category = True
        self.view = QListView(self)
        self.view.setObjectName("stripView")
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setFlow(QListView.Flow.LeftToRight)
        self.view.setWrapping(False)
        self.view.setUniformItemSizes(True)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setSpacing(2)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setMouseTracking(True)
        self.view.setFrameShape(QListView.Shape.NoFrame)
        self.view.viewport().setAutoFillBackground(False)
        self.delegate = GarmentDelegate(thumb, self.view, show_subtitle=show_subtitle)
        self.view.setItemDelegate(self.delegate)
        self.view.setModel(self.model)
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._clicked)
        self.empty = QLabel(empty_text, self)
        self.empty.setObjectName("stripEmpty")
        # Under its heading, where the cards start: centred in the strip's height it fell
        # below the fold of the garment page's details at 1366x768 ("Worn with", blank).
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.setContentsMargins(4, 4, 4, 4)
        self.empty.setWordWrap(True)
        self.addWidget(self.view)
        self.addWidget(self.empty)
        cell = self.delegate.sizeHint(_option(self.view), QModelIndex())
        self._height = cell.height() + self.view.horizontalScrollBar().sizeHint().height() + 10
        self.setCurrentWidget(self.empty)
        self._busy = False
        self._fit_height()

    def sizeHint(self) -> QSize:
        return QSize(600, self.height())

    def _fit_height(self) -> None:
        """The cards' height, or only the message's: a strip of one line kept the cards'
        height, which the garment page's photo and details lacked at 1366x768."""
        if self.currentWidget() is self.view:
            height = self._height
        else:
            width = max(self.width(), 200)
            height = min(self._height, max(self.empty.heightForWidth(width), 0))
            height = max(height, self.empty.sizeHint().height())
        self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.currentWidget() is self.empty and not self._busy:  # wrapped: follows width
            self._fit_height()

    def set_records(
        self, records: Sequence[GarmentRecord], scores: Sequence[float] | None = None
    ) -> None:
        self.model.set_records(records, scores)
        self.setCurrentWidget(self.view if records else self.empty)
        self._busy = False
        self._fit_height()

    def set_message(self, text: str, busy: bool = False) -> None:
        """Show ``text`` instead of the strip (loading, empty, error). ``busy``: a
        message while the cards are looked for keeps the strip's height, so the page does
        not jump twice from one garment with cards to the next."""
        self.model.set_records([])
        self.empty.setText(text)
        self.setCurrentWidget(self.empty)
        self._busy = busy
        if not busy:
            self._fit_height()

    def ids(self) -> list[int]:
        return [r.id for r in self.model.records()]

    @Slot(QModelIndex)
    def _clicked(self, index: QModelIndex) -> None:
        gid = index.data(GarmentRoles.Id)
        if gid is not None:
            self.garmentClicked.emit(int(gid))


def _option(view: QListView) -> QStyleOptionViewItem:
    opt = QStyleOptionViewItem()
    opt.initFrom(view)
    opt.font = view.font()
    return opt
