"""The browse filters: free text, category and colour chips, fine type, favourites and
sorting. Emits a :class:`GarmentFilter` whenever something changes (text debounced)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..types import CATEGORIES, GarmentFilter
from .flow_layout import FlowLayout
from .icons import dot_icon, heart_icon, line_icon
from .theme import CATEGORY_COLOURS, category_label, type_label

SORTS: tuple[tuple[str, str], ...] = (
    ("date", "Newest first"),
    ("date-asc", "Oldest first"),
    ("colour", "Colour"),
    ("category", "Category"),
)


def make_chip(text: str, parent: QWidget | None = None) -> QToolButton:
    chip = QToolButton(parent)
    chip.setText(text)
    chip.setCheckable(True)
    chip.setProperty("chip", True)
    chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    chip.setIconSize(QSize(12, 12))
    chip.setCursor(Qt.CursorShape.PointingHandCursor)
    return chip


class CountLabel(QLabel):
    """The count ("16 garments", "1 of 16 garments"), asking for the room of the longer: grown
    at the first chip clicked, it took its room from the search box, and every chip
    moved under the pointer. Its minimum stays its text (the window's minimum width)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reserved = 0

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.reserved), hint.height())


class SearchBox(QLineEdit):
    """The search box: 180 px where there is room, down to 90 in a narrow window, which
    has to fit a 1366x768 screen at 150% (911 px; the bar needed 1005)."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), 180), hint.height())


class FilterBar(QWidget):
    filterChanged = Signal(object)  # GarmentFilter
    resultsRequested = Signal()  # Down in the search box: on to the grid

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._emitting = True
        self._shown_colours: list[tuple[str, str]] = []
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._emit)

        self.search = SearchBox(self)
        self.search.setObjectName("search")
        self.search.setAccessibleName("Search garments")  # a placeholder is not a name
        self.search.setPlaceholderText("Search names, types, tags and notes   (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(
            line_icon("search", self.palette().color(QPalette.ColorRole.PlaceholderText), 16),
            QLineEdit.ActionPosition.LeadingPosition,
        )
        self.search.setMinimumWidth(90)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.installEventFilter(self)  # Esc clears it, Down or Enter: the grid
        self.search.returnPressed.connect(self._emit_now)

        self.category_chips: dict[str, QToolButton] = {}
        for cat in CATEGORIES:
            chip = make_chip(category_label(cat), self)
            chip.setIcon(dot_icon(CATEGORY_COLOURS[cat], 12))
            chip.setObjectName(f"chip-{cat}")
            chip.toggled.connect(self._emit_now)
            self.category_chips[cat] = chip

        self.fine_type = QComboBox(self)
        self.fine_type.setObjectName("fineType")
        self.fine_type.setToolTip("Fine type")
        self.fine_type.setAccessibleName("Type")  # not just its current "All types"
        self.fine_type.addItem("All types", "")
        # A fixed width: a long type the user typed must not squeeze the search box (the
        # popup still shows it whole, see set_fine_types).
        self.fine_type.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.fine_type.setMinimumContentsLength(10)
        self.fine_type.setMinimumWidth(80)  # below its hint: it gives way in a narrow window
        self.fine_type.currentIndexChanged.connect(self._emit_now)

        self.favourites = make_chip("Favourites", self)
        self.favourites.setObjectName("chip-favourites")
        self.favourites.setIcon(heart_icon(True))
        self.favourites.toggled.connect(self._emit_now)

        self.sort = QComboBox(self)
        self.sort.setObjectName("sort")
        self.sort.setToolTip("Sort by")
        self.sort.setAccessibleName("Sort by")
        for key, label in SORTS:
            self.sort.addItem(label, key)
        self.sort.currentIndexChanged.connect(self._emit_now)

        self.count_label = CountLabel(self)
        self.count_label.setObjectName("countLabel")
        self.count_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.search, 3)
        top.addSpacing(6)
        for chip in self.category_chips.values():
            top.addWidget(chip)
        top.addWidget(self.favourites)
        top.addSpacing(6)
        top.addWidget(self.fine_type)
        top.addStretch(1)
        top.addWidget(self.count_label)
        top.addSpacing(10)
        sort_label = QLabel("&Sort:", self)
        sort_label.setBuddy(self.sort)  # its name to a screen reader (and Alt+S)
        top.addWidget(sort_label)
        top.addWidget(self.sort)
        # Tab as drawn: Favourites (made after the type box) came after it.
        QWidget.setTabOrder(self.category_chips[CATEGORIES[-1]], self.favourites)
        QWidget.setTabOrder(self.favourites, self.fine_type)
        QWidget.setTabOrder(self.fine_type, self.sort)

        self.colour_title = QLabel("Colours:", self)
        self.colour_box = QWidget(self)
        self.colour_flow = FlowLayout(self.colour_box, spacing=6)
        colours = QHBoxLayout()
        colours.setSpacing(8)
        colours.addWidget(self.colour_title, 0, Qt.AlignmentFlag.AlignTop)
        colours.addWidget(self.colour_box, 1)
        self.colour_chips: dict[str, QToolButton] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 8)
        outer.setSpacing(8)
        outer.addLayout(top)
        outer.addLayout(colours)

    # --- contents ----------------------------------------------------------------------
    def set_colours(self, colours: Sequence[tuple[str, str]]) -> None:
        """(name, #hex) of the colours present; checked chips stay checked."""
        checked = {name for name, chip in self.colour_chips.items() if chip.isChecked()}
        wanted = list(colours) + [(n, "#888888") for n in sorted(checked - {c for c, _ in colours})]
        if [(n, h) for n, h in wanted] == self._shown_colours:
            return  # unchanged: keep the widgets (and the focus)
        self._shown_colours = list(wanted)
        for chip in self.colour_chips.values():
            self.colour_flow.removeWidget(chip)
            chip.deleteLater()
        self.colour_chips = {}
        previous: QWidget = self.sort
        for name, hex_colour in wanted:
            chip = make_chip(name, self)
            chip.setObjectName(f"colour-{name}")
            chip.setIcon(dot_icon(hex_colour, 12))
            chip.blockSignals(True)
            chip.setChecked(name in checked)
            chip.blockSignals(False)
            chip.toggled.connect(self._emit_now)
            self.colour_flow.addWidget(chip)
            # Tab reaches the chips where they are drawn, before the grid below
            QWidget.setTabOrder(previous, chip)
            previous = chip
            self.colour_chips[name] = chip
        self.colour_title.setVisible(bool(wanted))
        self.colour_box.setVisible(bool(wanted))
        self.colour_flow.invalidate()

    def set_fine_types(self, fine_types: Sequence[str]) -> None:
        current = self.fine_type.currentData()
        self.fine_type.blockSignals(True)
        self.fine_type.clear()
        self.fine_type.addItem("All types", "")
        for name in fine_types:
            self.fine_type.addItem(type_label(name), name)
        pos = self.fine_type.findData(current)
        self.fine_type.setCurrentIndex(max(0, pos))
        self.fine_type.blockSignals(False)
        # The box keeps its width; its list is as wide as the longest type.
        view = self.fine_type.view()
        view.setMinimumWidth(
            view.sizeHintForColumn(0) + view.verticalScrollBar().sizeHint().width()
        )
        self.fine_type.setVisible(bool(fine_types))

    def set_count(self, shown: int, total: int) -> None:
        noun = f"garment{'s' if total != 1 else ''}"
        label = self.count_label
        label.reserved = label.fontMetrics().horizontalAdvance(f"{total} of {total} {noun}")
        label.updateGeometry()
        if shown == total:
            self.count_label.setText(f"{total} {noun}")
        else:
            self.count_label.setText(f"{shown} of {total} {noun}")

    # --- state -------------------------------------------------------------------------
    def current_filter(self) -> GarmentFilter:
        sort_key = str(self.sort.currentData() or "date")
        descending = sort_key != "date-asc"
        sort = "date" if sort_key.startswith("date") else sort_key
        fine = str(self.fine_type.currentData() or "")
        return GarmentFilter(
            categories={c for c, chip in self.category_chips.items() if chip.isChecked()},
            colours={c for c, chip in self.colour_chips.items() if chip.isChecked()},
            fine_types={fine} if fine else set(),
            favourites_only=self.favourites.isChecked(),
            text=self.search.text().strip(),
            sort=sort,  # type: ignore[arg-type]
            descending=descending if sort == "date" else False,
        )

    def set_sort(self, key: str) -> None:
        """Order by ``key`` (a key of SORTS; an unknown one is ignored), saying nothing."""
        pos = self.sort.findData(key)
        if pos >= 0:
            self.sort.blockSignals(True)
            self.sort.setCurrentIndex(pos)
            self.sort.blockSignals(False)

    def is_filtering(self) -> bool:
        f = self.current_filter()
        return bool(f.categories or f.colours or f.fine_types or f.favourites_only or f.text)

    def clear(self) -> None:
        self._emitting = False
        self.search.clear()
        for chip in [*self.category_chips.values(), *self.colour_chips.values(), self.favourites]:
            chip.setChecked(False)
        self.fine_type.setCurrentIndex(0)
        self._emitting = True
        self._emit_now()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                self._emit_now()
                return True
            if event.key() == Qt.Key.Key_Down:
                self.resultsRequested.emit()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._emit_now()  # searched now, not after the pause
                self.resultsRequested.emit()
                return True
        return super().eventFilter(watched, event)

    @Slot()
    def _emit_now(self) -> None:
        self._debounce.stop()
        self._emit()

    @Slot()
    def _emit(self) -> None:
        if self._emitting:
            self.filterChanged.emit(self.current_filter())
