"""The garment page's picture header: buttons in a row, and one more widget that goes
under them where the row is too narrow."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QWidget

from .flow_layout import ItemListLayout


class WrapRow(ItemListLayout):
    """A row of widgets and one more at its right end that goes under them, at the left,
    where the row is too narrow for all of them. It says its height for a width, so the
    layout above gives the rest to the picture in the same pass (nothing to wait for)."""

    def __init__(self, leading: list[QWidget], trailing: QWidget) -> None:
        super().__init__()
        for w in [*leading, trailing]:
            self.addWidget(w)

    def _gap(self) -> int:
        gap = self.spacing()
        return gap if gap >= 0 else 6

    def _parts(self) -> tuple[list[QSize], QSize]:
        sizes = [item.sizeHint() if not item.isEmpty() else QSize() for item in self._items]
        return sizes[:-1], sizes[-1]

    def _lead_width(self, lead: list[QSize]) -> int:
        shown = [s for s in lead if s.isValid()]
        return sum(s.width() for s in shown) + self._gap() * max(len(shown) - 1, 0)

    def _one_row_width(self) -> int:
        lead, last = self._parts()
        width = self._lead_width(lead)
        return width + self._gap() + last.width() if last.isValid() else width

    def sizeHint(self) -> QSize:
        lead, last = self._parts()
        height = max([s.height() for s in (*lead, last) if s.isValid()], default=0)
        return QSize(self._one_row_width(), height)

    def minimumSize(self) -> QSize:
        lead, last = self._parts()
        return QSize(max(self._lead_width(lead), max(last.width(), 0)), self.sizeHint().height())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        lead, last = self._parts()
        if width >= self._one_row_width() or not last.isValid():
            return self.sizeHint().height()
        top = max([s.height() for s in lead if s.isValid()], default=0)
        return top + self._gap() + last.height()

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        lead, last = self._parts()
        one_row = rect.width() >= self._one_row_width()
        top = (
            self.sizeHint().height()
            if one_row
            else max([s.height() for s in lead if s.isValid()], default=0)
        )
        x = rect.x()
        for item, size in zip(self._items[:-1], lead, strict=True):
            if size.isValid():
                y = rect.y() + (top - size.height()) // 2
                item.setGeometry(QRect(x, y, size.width(), size.height()))
                x += size.width() + self._gap()
        if last.isValid():
            if one_row:  # at the right end, centred on the row
                x = rect.right() + 1 - last.width()
                y = rect.y() + (top - last.height()) // 2
            else:  # under the buttons
                x, y = rect.x(), rect.y() + top + self._gap()
            self._items[-1].setGeometry(QRect(x, y, last.width(), last.height()))
