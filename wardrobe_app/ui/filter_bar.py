"""The browse filters: free text, category and colour chips, fine type, favourites and
sorting. Emits a :class:`GarmentFilter` whenever something changes (text debounced)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..types import CATEGORIES, GarmentFilter
from .chip_group import ChipGroup
from .colour_menu_style import CheckBesideIconStyle
from .flow_layout import FlowLayout
from .icons import entry_dot_icon, heart_icon, keep_dot_icon, line_icon
from .theme import CATEGORY_COLOURS, category_label, type_label

SORTS: tuple[tuple[str, str], ...] = (
    ("date", "Newest first"),
    ("date-asc", "Oldest first"),
    ("colour", "Colour"),
    ("category", "Category"),
)

# On the top row, the search box and (on one row) the gap before the sort box share
# the room left over in these proportions.
SEARCH_STRETCH = 3
GAP_STRETCH = 1


class Chip(QToolButton):
    """A filter chip: its dot, its words and as much room after them as before. A tool
    button asks two spaces beyond its text, which a chip's style sheet draws from the
    left: a chip had 21 px after its words and 10 before its dot."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.text():
            hint.setWidth(hint.width() - 2 * self.fontMetrics().horizontalAdvance(" "))
        return hint


def make_chip(text: str, parent: QWidget | None = None) -> QToolButton:
    chip = Chip(parent)
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
    has to fit a 1366x768 screen at 150% (911 px; the bar needed 1005). Its placeholder
    is the longest of ``PLACEHOLDERS`` that fits: at 1024x600 the whole one was cut
    ("Search names, types, tags and no…") and its "(Ctrl+F)" lost."""

    PLACEHOLDERS = (
        "Search names, types, tags and notes   (Ctrl+F)",
        "Search names, types, tags   (Ctrl+F)",
        "Search   (Ctrl+F)",
        "Search",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Its button first: Qt hides it on textChanged, in the order connected, and the
        # placeholder is fitted after, to the room the button leaves.
        self.setClearButtonEnabled(True)
        self.textChanged.connect(self._text_changed)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), 180), hint.height())

    def text_room(self) -> int:
        """The width its text is drawn in: Qt's own hint is 17 x's wide plus its frame,
        margins and icons shown (the search icon; the clear button, with text in it:
        resized then, the placeholder chosen is shorter than it could be, never cut,
        and fitted again once the box is emptied)."""
        around = QLineEdit.sizeHint(self).width() - 17 * self.fontMetrics().horizontalAdvance("x")
        return self.width() - around

    def _fit_placeholder(self) -> None:
        room, metrics = self.text_room(), self.fontMetrics()
        fits = (p for p in self.PLACEHOLDERS if metrics.horizontalAdvance(p) <= room)
        self.setPlaceholderText(next(fits, self.PLACEHOLDERS[-1]))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_placeholder()

    @Slot(str)
    def _text_changed(self, text: str) -> None:
        # Emptied, the clear button's room is the text's again (Qt gives a button fading
        # out none): the placeholder chosen with text in it stayed one size too short.
        if not text:
            self._fit_placeholder()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the text's width with it
            self._fit_placeholder()


class FilterBar(QWidget):
    filterChanged = Signal(object)  # GarmentFilter
    resultsRequested = Signal()  # Down in the search box: on to the grid

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._emitting = True
        self._shown_colours: list[tuple[str, str]] = []
        self._fine_types: list[str] = []
        self._types_by_category: dict[str, list[str]] | None = None  # None: not known
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._emit)

        self.search = SearchBox(self)
        self.search.setObjectName("search")
        self.search.setAccessibleName("Search garments")  # a placeholder is not a name
        self.search.setPlaceholderText(SearchBox.PLACEHOLDERS[0])  # made shorter to fit
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
            keep_dot_icon(chip, CATEGORY_COLOURS[cat])
            chip.setObjectName(f"chip-{cat}")
            chip.toggled.connect(self._category_toggled)
            self.category_chips[cat] = chip
        # Each row of chips is one Tab stop, the arrow keys moving within it
        self.category_group = ChipGroup(self)
        self.category_group.set_chips(list(self.category_chips.values()))

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

        # Favourites, the type, the count and the sort sit beside the search and the
        # category chips where there is room, and on a row of their own below them in a
        # narrow window (the one row needed about 1000 px: below that they were squeezed
        # or cut). Two boxes moved between the rows: the tab order does not change.
        # The colour chips collapse into this button where they do not fit on one row
        # (at 800 px they wrapped onto two, and the filters took a third of the window).
        self.colour_button = ColourButton(self)
        self.more_box = self._box(
            "moreFilters", [self.favourites, self.fine_type, self.colour_button]
        )
        more = self.more_box.layout()
        assert isinstance(more, QHBoxLayout)
        more.insertSpacing(1, 6)
        sort_label = QLabel("&Sort:", self)
        sort_label.setBuddy(self.sort)  # its name to a screen reader (and Alt+S)
        self.sort_box = self._box("sorting", [self.count_label, sort_label, self.sort])
        sorting = self.sort_box.layout()
        assert isinstance(sorting, QHBoxLayout)
        sorting.insertSpacing(1, 10)
        self.top = QHBoxLayout()
        self.top.setSpacing(8)
        self.top.addWidget(self.search, SEARCH_STRETCH)
        self.top.addSpacing(6)
        for chip in self.category_chips.values():
            self.top.addWidget(chip)
        self.first_row_items = self.top.count()
        self.second = QHBoxLayout()  # empty while everything fits on the top row
        self.second.setSpacing(8)
        self.two_rows = False
        # Tab as drawn: Favourites (made after the type box) came after it.
        QWidget.setTabOrder(self.category_chips[CATEGORIES[-1]], self.favourites)
        QWidget.setTabOrder(self.favourites, self.fine_type)
        QWidget.setTabOrder(self.fine_type, self.colour_button)
        QWidget.setTabOrder(self.colour_button, self.sort)
        self.colours_collapsed = False

        self.colour_title = QLabel("Colours:", self)
        # A chip's height, its words centred: level with the first row's, not above them.
        self.colour_title.setMinimumHeight(self.favourites.sizeHint().height())
        self.colour_box = QWidget(self)
        self.colour_flow = FlowLayout(self.colour_box, spacing=6)
        colours = QHBoxLayout()
        colours.setSpacing(8)
        colours.addWidget(self.colour_title, 0, Qt.AlignmentFlag.AlignTop)
        colours.addWidget(self.colour_box, 1)
        self.colour_chips: dict[str, QToolButton] = {}
        self.colour_group = ChipGroup(self)

        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(12, 10, 12, 8)
        self.outer.setSpacing(8)
        self.outer.addLayout(self.top)
        self.outer.addLayout(self.second)
        self.outer.addLayout(colours)
        self._arrange()

    # --- one row or two ----------------------------------------------------------------
    def _box(self, name: str, widgets: Sequence[QWidget]) -> QWidget:
        box = QWidget(self)
        box.setObjectName(name)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for widget in widgets:
            row.addWidget(widget)  # reparented into the box
        return box

    def _arrange(self) -> None:
        """The two boxes on the top row after the chips, or on a second row."""
        for row, keep in ((self.top, self.first_row_items), (self.second, 0)):
            while row.count() > keep:
                row.takeAt(keep)
        rest = self.second if self.two_rows else self.top
        rest.addWidget(self.more_box)
        rest.addStretch(GAP_STRETCH)
        rest.addWidget(self.sort_box)
        self.updateGeometry()

    def _margins(self) -> int:
        m = self.outer.contentsMargins()
        return m.left() + m.right()

    def _first_row(self, hint: bool) -> int:
        """The search box and the category chips: their preferred width (``hint``) or
        their least, whichever row the boxes are on."""
        search = self.search.sizeHint() if hint else self.search.minimumSize()
        chips = sum(
            chip.sizeHint().width() + self.top.spacing() for chip in self.category_chips.values()
        )
        return search.width() + 6 + chips

    def _second_row(self, hint: bool) -> int:
        boxes = (self.more_box, self.sort_box)
        sizes = [box.sizeHint() if hint else box.minimumSizeHint() for box in boxes]
        return sum(size.width() for size in sizes) + 2 * self.second.spacing()

    def one_row_width(self) -> int:
        """The width at which everything fits on one row at its preferred size (a
        spacing on each side of the stretch between the boxes: a few pixels to spare).
        On one row the search box shares the room left with that stretch, by their
        stretch factors: counted at its own width, it had only 3/4 of it (148 of its
        180 px in a 1024 px window, its words cut)."""
        one_row = self._first_row(True) + self.top.spacing() + self._second_row(True)
        search = self.search.sizeHint().width()
        shared = search * (SEARCH_STRETCH + GAP_STRETCH) // SEARCH_STRETCH
        return one_row + shared - search + self._margins()

    def minimumSizeHint(self) -> QSize:
        # As narrow as two rows allow (the layout, on one row, would ask for more).
        rows = max(self._first_row(False), self._second_row(False))
        return QSize(rows + self._margins(), super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        # One row where there is room: a window sized to its hint starts with one.
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.one_row_width()), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit(event.size().width())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit(self.width())

    def _boxes_changed(self) -> None:
        self._relayout_boxes()
        self._fit(self.width())

    def _relayout_boxes(self) -> None:
        # Before the bar is first shown Qt does not tell a box that a widget in it
        # changed size: the row was laid out with the old count, and the chips jumped
        # under the pointer at the first click.
        for box in (self.more_box, self.sort_box):
            layout = box.layout()
            if layout is not None:
                layout.invalidate()
            box.updateGeometry()  # drops the size its row kept
        self.outer.invalidate()

    def colours_one_row_width(self) -> int:
        """The width the title and the colour chips need on one row."""
        spacing = self.colour_flow.spacing()
        chips = sum(chip.sizeHint().width() + spacing for chip in self.colour_chips.values())
        return self.colour_title.sizeHint().width() + 8 + chips - spacing + self._margins()

    def _collapse_colours(self, width: int) -> None:
        # Only where the other filters take two rows: in a wide window the chips may
        # wrap (1360 px, 17 colours: two rows of chips under one of filters), clickable
        # at once rather than behind a drop-down.
        filters_on_two_rows = width < self.one_row_width() - self._colour_button_room()
        collapsed = (
            bool(self.colour_chips) and filters_on_two_rows and width < self.colours_one_row_width()
        )
        if collapsed == self.colours_collapsed:
            return
        had_focus = self.focusWidget()
        self._show_colours(collapsed)
        # The focus follows the colours, not lost to the window when its widget hides.
        if collapsed and had_focus in self.colour_chips.values():
            self.colour_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif not collapsed and had_focus is self.colour_button and self.colour_chips:
            stop = self.colour_group.stop()  # the chip Tab reaches
            if stop is not None:
                stop.setFocus(Qt.FocusReason.OtherFocusReason)
        self._relayout_boxes()

    def _colour_button_room(self) -> int:
        """The width the drop-down adds to the row it is on (none while hidden)."""
        if self.colour_button.isHidden():
            return 0
        more = self.more_box.layout()
        spacing = more.spacing() if more is not None else 0
        return self.colour_button.sizeHint().width() + spacing

    def _show_colours(self, collapsed: bool) -> None:
        self.colours_collapsed = collapsed
        chips = bool(self.colour_chips)
        self.colour_button.setVisible(collapsed and chips)
        self.colour_title.setVisible(not collapsed and chips)
        self.colour_box.setVisible(not collapsed and chips)

    def _fit(self, width: int) -> None:
        if not self.isVisible():
            return  # sizes are not settled yet; shown, it is fitted to its width
        self._collapse_colours(width)  # first: the button widens the second row
        two_rows = width < self.one_row_width()
        if two_rows != self.two_rows:
            self.two_rows = two_rows
            self._arrange()

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
            keep_dot_icon(chip, hex_colour)
            chip.blockSignals(True)
            chip.setChecked(name in checked)
            chip.blockSignals(False)
            chip.toggled.connect(self._emit_now)
            chip.toggled.connect(self._show_colour_count)
            self.colour_flow.addWidget(chip)
            # Tab reaches the chips where they are drawn, before the grid below (one stop:
            # colour_group)
            QWidget.setTabOrder(previous, chip)
            previous = chip
            self.colour_chips[name] = chip
        self.colour_group.set_chips(list(self.colour_chips.values()))
        self.colour_button.set_chips(self.colour_chips, dict(wanted))
        self._show_colour_count()
        self._show_colours(self.colours_collapsed)
        self.colour_flow.invalidate()
        self._boxes_changed()  # more or fewer chips may (not) fit on one row now

    def set_fine_types(
        self, fine_types: Sequence[str], by_category: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        """The fine types of the wardrobe and, where known, each category's: the type box
        offers those of the ticked categories (Hoodie then Bottom listed nothing)."""
        self._fine_types = list(fine_types)
        self._types_by_category = (
            None if by_category is None else {c: list(t) for c, t in by_category.items()}
        )
        self._offer_types()
        self.fine_type.setVisible(bool(fine_types))
        self._boxes_changed()  # the type box shown may not fit on the row any more

    def offered_types(self) -> list[str]:
        """The types of the ticked categories; every type while none is ticked."""
        ticked = [c for c, chip in self.category_chips.items() if chip.isChecked()]
        if not ticked or self._types_by_category is None:
            return list(self._fine_types)
        wanted = {t for c in ticked for t in self._types_by_category.get(c, ())}
        return [t for t in self._fine_types if t in wanted]

    def _offer_types(self) -> None:
        """The type box lists the types offered; the type chosen, no longer offered, is
        cleared (the filter would list nothing, and say no more than "No garments")."""
        offered = self.offered_types()
        box = self.fine_type
        if [box.itemData(i) for i in range(1, box.count())] == offered:
            return  # unchanged: an open list stays as it is
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem("All types", "")
        for name in offered:
            box.addItem(type_label(name), name)
        box.setCurrentIndex(max(0, box.findData(current)))
        box.blockSignals(False)
        # The box keeps its width; its list is as wide as the longest type.
        view = box.view()
        view.setMinimumWidth(
            view.sizeHintForColumn(0) + view.verticalScrollBar().sizeHint().width()
        )

    @Slot()
    def _category_toggled(self) -> None:
        self._offer_types()
        self._emit_now()

    def set_count(self, shown: int, total: int) -> None:
        noun = f"garment{'s' if total != 1 else ''}"
        label = self.count_label
        label.reserved = label.fontMetrics().horizontalAdvance(f"{total} of {total} {noun}")
        label.updateGeometry()
        if shown == total:
            self.count_label.setText(f"{total} {noun}")
        else:
            self.count_label.setText(f"{shown} of {total} {noun}")
        self._boxes_changed()  # a longer count may not fit on the row any more

    @Slot()
    def _show_colour_count(self) -> None:
        self.colour_button.show_count()

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
                if self._debounce.isActive():  # typed within the pause: the results of it
                    self._emit_now()
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


class ColourButton(QToolButton):
    """ "Colours ▾": the colour chips as checkable entries of a drop-down, each toggling
    its chip (the chips stay the one record of what is chosen)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("colourButton")
        self.setProperty("chip", True)
        self.setAccessibleName("Colours")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a tool button skips Tab otherwise
        self.chips: dict[str, QToolButton] = {}
        self.colours: dict[str, str] = {}
        menu = QMenu(self)
        menu.setObjectName("colourMenu")
        # A chosen colour's check box beside its dot: Fusion draws the dot in its place.
        self._menu_style = CheckBesideIconStyle()  # kept: setStyle does not own it
        menu.setStyle(self._menu_style)
        menu.aboutToShow.connect(self._fill)
        self.setMenu(menu)
        self.setVisible(False)
        self.show_count()

    def set_chips(self, chips: dict[str, QToolButton], colours: Mapping[str, str]) -> None:
        """The chips the entries toggle, and their colours (name: #hex); an open drop-down
        (the colours changed under it: an import in progress) is filled again, its entries
        toggled the chips replaced."""
        self.chips = chips
        self.colours = dict(colours)
        menu = self.menu()
        if menu is not None and menu.isVisible():
            self._fill()

    def show_count(self) -> None:
        chosen = sum(chip.isChecked() for chip in self.chips.values())
        # its own arrow: the style's, in the chip's corner, was cut by its round border
        self.setText(f"Colours ({chosen}) ▾" if chosen else "Colours ▾")
        self.setToolTip(f"{chosen} colour{'s' if chosen != 1 else ''} chosen")
        # Lit as a chosen chip is: drawn idle, a colour chosen in it was easy to miss
        # ("0 of 16 garments" beside lit category chips, nothing lit to say why).
        if self.property("active") != bool(chosen):
            self.setProperty("active", bool(chosen))
            self.style().unpolish(self)  # a style sheet reads a property at polish
            self.style().polish(self)

    @Slot()
    def _fill(self) -> None:
        menu = self.menu()
        menu.clear()
        for name, chip in self.chips.items():
            # drawn anew for the menu: on its Base checked or not (filled as it opens,
            # in the palette of the moment)
            action = menu.addAction(entry_dot_icon(self.colours[name], menu.palette()), name)
            action.setCheckable(True)
            action.setChecked(chip.isChecked())
            action.toggled.connect(chip.setChecked)
