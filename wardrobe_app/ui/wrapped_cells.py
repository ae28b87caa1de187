"""A tree view's column whose text wraps onto more lines, its rows as tall as it needs."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Slot
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
)


class WrappedColumn(QStyledItemDelegate):
    """Set on ``column`` of ``view``: its cells wrap at the column's width. A tree view
    asks a cell's height without its width (QTreeView leaves the rect empty), so a
    wrapped cell stayed one line tall: long text lost its middle or its end."""

    def __init__(self, view: QTreeView, column: int) -> None:
        super().__init__(view)
        self._view = view
        view.setWordWrap(True)
        view.setUniformRowHeights(False)
        view.setItemDelegateForColumn(column, self)
        # A wider or narrower column wraps anew: the rows' heights are asked again.
        view.header().sectionResized.connect(self._resized)
        self._column = column

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        # A valid rect (a height too), or the style measures the text on one line.
        opt.rect = QRect(0, 0, self._view.columnWidth(index.column()), 1)
        style = self._view.style()
        return style.sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), self._view)

    @Slot(int, int, int)
    def _resized(self, column: int, _old: int, _new: int) -> None:
        if column == self._column:
            self._view.doItemsLayout()
