"""Columns that scroll up and down where the window is short: the garment page's, and a
dialog's body above its buttons (``PageScroll``)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget


class ShrinkingColumn(QWidget):
    """A column whose height for a width is its least one: the scroll area made the column
    at least its preferred height (the picture's 420 px) once the picture header said its
    height for a width, and the picture no longer gave way before the column scrolled."""

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        if layout is None:
            return super().heightForWidth(width)
        return layout.totalMinimumHeightForWidth(width)


class ColumnScroll(QScrollArea):
    """A column of the page that scrolls up and down where the window is short, never
    sideways: it is as wide as the column needs."""

    def __init__(self, column: QWidget, parent: QWidget) -> None:
        super().__init__(parent)
        self.column = column
        self.setWidget(column)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no empty Tab stop

    def minimumSizeHint(self) -> QSize:
        # The column's width and room for the scroll bar, which takes it from the column.
        column = self.column.minimumSizeHint().width()
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(column + bar, super().minimumSizeHint().height())


class PageScroll(ColumnScroll):
    """A dialog's body: whole where the screen has room (a scroll area's own hint is at
    most 24 lines tall, and Settings opened scrolled on any screen), scrolled where the
    screen is short. Its widgets go in ``page_layout``, a column without margins."""

    def __init__(self, parent: QWidget, spacing: int = 12) -> None:
        page = ShrinkingColumn(parent)  # scrolled only below its least height
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(spacing)
        super().__init__(page, parent)
        self.page_layout = page_layout

    def sizeHint(self) -> QSize:
        page = self.column.sizeHint()
        return QSize(page.width() + self.verticalScrollBar().sizeHint().width(), page.height())
