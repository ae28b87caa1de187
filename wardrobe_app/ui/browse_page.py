"""The grid of garments with its filter bar. Listings run off the GUI thread, one at a
time: a change of the filter supersedes the one running; a change of the garments waits
for it to be shown, and is listed after it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QContextMenuEvent, QFocusEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QMenu,
    QStyle,
    QStyleOption,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..types import GarmentFilter, GarmentRecord
from .empty_state import EmptyState
from .filter_bar import FilterBar
from .garment_delegate import CARD_MARGIN, GarmentDelegate
from .garment_model import GarmentListModel, GarmentRoles
from .page_stack import PageStack
from .session import WardrobeSession
from .thumbnails import ThumbnailCache
from .workers import Queue, Worker, WorkerContext

if TYPE_CHECKING:
    from ..service import Wardrobe

FAVOURITES_HINT = "Open a garment and press Favourite to list it here."
# Alt with an arrow is a browser's move (Back, Forward), not the grid's.
ALT_ARROWS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)


@dataclass
class Listing:
    generation: int
    records: list[GarmentRecord]
    total: int
    colours: list[tuple[str, str]]
    fine_types: list[str]
    types_by_category: dict[str, list[str]] = field(default_factory=dict)
    only_favourites: bool = False  # the filter was Favourites alone
    # Of the garments to select (``select_when_listed``), those gone again when read
    # (deleted by another program since the undo): not hidden by the filter
    gone: list[int] = field(default_factory=list)


def _colour_hex(name: str, records: list[GarmentRecord]) -> str:
    try:
        from ..vision.colours import palette_hex

        return palette_hex(name)
    except Exception:
        for rec in records:
            for c in rec.colours:
                if c.name == name:
                    return c.hex
    return "#888888"


class GarmentGrid(QListView):
    """The grid: icon mode, uniform cells, laid out in one pass.

    Not Qt's batched layout: it broke a row at the end of each batch (a short row of
    misplaced cards every 400 garments), and a scroll position restored after a listing
    was clamped to the first batch. One pass over 4,300 uniform cells takes 7-16 ms."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("garmentGrid")
        self.setAccessibleName("Garments")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSpacing(4)
        self.setWrapping(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setContentsMargins(8, 8, 8, 8)
        self._cell = QSize()
        # The right-click menu on a card (None: a line), and between the cards.
        self.card_actions: list[QAction | None] = []
        self.space_actions: list[QAction | None] = []

    def set_cell_size(self, cell: QSize) -> None:
        """The card size; the grid spreads the cards evenly over the width."""
        self._cell = QSize(cell)
        self._fit_columns()

    def select_current(self) -> None:
        """Select the current card where nothing is selected: the focus frame alone on a
        card left Del and Enter acting on nothing."""
        sel = self.selectionModel()
        if not sel.hasSelection() and self.currentIndex().isValid():
            sel.select(self.currentIndex(), QItemSelectionModel.SelectionFlag.Select)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """The window's actions on the card under the pointer (a right click did nothing):
        on it alone where it was not selected, else on the selection it is part of. From
        the keyboard (the Menu key), on the current card."""
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            index = self.currentIndex()
            at = self.visualRect(index).center() if index.isValid() else QPoint(8, 8)
        else:
            at = event.pos()
            index = self.indexAt(at)
        sel = self.selectionModel()
        if index.isValid():
            flag = QItemSelectionModel.SelectionFlag
            keep = sel.isSelected(index)
            sel.setCurrentIndex(index, flag.NoUpdate if keep else flag.ClearAndSelect)
        else:  # between the cards: as a file manager, nothing selected, nothing to open
            sel.clearSelection()
        menu = QMenu(self)
        menu.setObjectName("cardMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for action in self.card_actions if index.isValid() else self.space_actions:
            if action is None:
                menu.addSeparator()
            elif action.isEnabled():
                menu.addAction(action)
        if menu.actions():
            menu.popup(self.viewport().mapToGlobal(at))
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if event.reason() in (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
            Qt.FocusReason.ShortcutFocusReason,
        ):
            self.select_current()

    def scrollTo(
        self,
        index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        """As QListView's, but the card is scrolled no further than into sight: Qt made
        room for the spacing around it too, and at 1024x600, where two rows of cards fit
        with 3 px to spare, a card of the second row made current (a delete's neighbour,
        an undo's garment, a click) scrolled the grid 5 px, the first row's top cut off;
        scrolling down to a card, it cut the row above by those pixels too."""
        if hint == QAbstractItemView.ScrollHint.EnsureVisible and index.isValid():
            m = CARD_MARGIN
            plain = index if isinstance(index, QModelIndex) else self.model().index(index.row(), 0)
            card = self.visualRect(plain).adjusted(m, m, -m, -m)
            view = self.viewport().rect()
            if view.contains(card):
                return
            if (
                card.height() <= view.height()
                and view.left() <= card.left() <= card.right() <= view.right()
            ):
                bar = self.verticalScrollBar()
                below = card.bottom() > view.bottom()
                bar.setValue(bar.value() + (card.bottom() - view.bottom() if below else card.top()))
                return
        super().scrollTo(index, hint)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Alt+Left is Back, Alt+Right Forward: on the grid they go nowhere, and QListView
        # read them as Left and Right, moving the current card.
        if event.modifiers() & Qt.KeyboardModifier.AltModifier and event.key() in ALT_ARROWS:
            event.ignore()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def layout_width(self) -> int:
        """The width Qt lays the cells out in (as QListViewPrivate::prepareItemsLayout)."""
        width = self.maximumViewportSize().width()
        style, bar = self.style(), self.verticalScrollBar()
        if self.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded and not (
            style.pixelMetric(QStyle.PixelMetric.PM_ScrollView_ScrollBarOverlap, None, bar)
        ):
            width -= style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, bar)
            if style.styleHint(QStyle.StyleHint.SH_ScrollView_FrameOnlyAroundContents, None, self):
                option = QStyleOption()
                option.initFrom(self)
                frame = style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, option, self)
                width -= 2 * frame
        return width

    def columns(self) -> int:
        """How many cards a row holds."""
        grid = self.gridSize()
        return max(1, (self.layout_width() - 2) // grid.width()) if grid.isValid() else 1

    def _fit_columns(self) -> None:
        if not self._cell.isValid():
            return
        # The width Qt wraps the cells in: with the vertical scroll bar "as needed", its
        # list view keeps room for the bar even while it is hidden. Spreading the cells
        # over the whole viewport instead pushed the last column onto the next row.
        width = self.layout_width() - 2
        gap = 6
        columns = max(1, width // (self._cell.width() + gap))
        grid = QSize(max(self._cell.width() + gap, width // columns), self._cell.height() + gap)
        if grid != self.gridSize():
            self.setGridSize(grid)


class BrowsePage(QWidget):
    garmentActivated = Signal(object)  # GarmentRecord
    selectionChanged = Signal(int)  # number selected
    listed = Signal(int, int)  # shown, total
    # Brought back by an undo (``select_when_listed``), some not listed: those listed
    # (selected), those the filter hides, and those deleted again since (another program)
    restoredUnlisted = Signal(list, list, list)

    def __init__(
        self, session: WardrobeSession, thumbnails: ThumbnailCache, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.thumbnails = thumbnails
        self._generation = 0  # the latest listing asked for
        self._shown_generation = 0
        # Listings asked for before this one answer another filter: never shown.
        self._superseded_below = 0
        self._running: Worker | None = None  # the listing running, if any
        self._relist = False  # asked for while it ran: listed once it is done
        self.total = 0
        self._removal_expected = False
        self._removal_from = 0  # the first listing asked for after the delete (see below)
        self._to_select: list[int] = []  # brought back by an undo: selected when listed
        # The first listing asked for after that undo: one running then (read before it)
        # took them as not listed and dropped them, and the next showed them unselected.
        self._to_select_from = 0
        # Of those, the ones not said where the listing leaves them out: a restored
        # notice's, selected where the filter the user chose since shows them
        self._quiet: set[int] = set()
        # Down or Enter in the search box: the listing (its generation) whose first card
        # is picked once shown; 0 for none. Tied to it: a listing that failed left a flag
        # set, and a later one (an edit's, the grid in use) jumped to the first card.
        self._first_result_of = 0

        self.filter_bar = FilterBar(self)
        self.filter_bar.filterChanged.connect(self._filter_changed)
        self.filter_bar.resultsRequested.connect(self.go_to_results)
        self.model = GarmentListModel(thumbnails, self)
        # The grid sees the model through a proxy that changes nothing: Qt's own (C++)
        # answers the index per row that each layout asks twice of every card, where the
        # model (Python) was asked its row count each time: showing 40,000 cards froze
        # the window 50 ms per layout for that alone (4 ms now). Its rows are the model's.
        self.grid_model = QSortFilterProxyModel(self)
        self.grid_model.setDynamicSortFilter(False)
        self.grid_model.setSourceModel(self.model)
        self.grid = GarmentGrid(self)
        self.delegate = GarmentDelegate(148, self.grid)
        self.grid.setItemDelegate(self.delegate)
        self.grid.setModel(self.grid_model)
        option = QStyleOptionViewItem()
        option.initFrom(self.grid)
        option.font = self.grid.font()
        self.grid.set_cell_size(self.delegate.sizeHint(option, QModelIndex()))
        self.grid.activated.connect(self._activated)
        self.grid.selectionModel().selectionChanged.connect(
            lambda *_: self.selectionChanged.emit(len(self.selected_ids()))
        )

        self.clear_filters = QAction("Clear filters", self)
        self.clear_filters.setToolTip("Show every garment again")
        self.clear_filters.triggered.connect(self.filter_bar.clear)
        self.no_match = EmptyState(
            "No garments match",
            "Try fewer filters or another search.",
            [self.clear_filters],
            parent=self,
            art_size=110,
        )
        self.no_match.setObjectName("noMatch")
        self.stack = PageStack(self)
        self.stack.addWidget(self.grid)
        self.stack.addWidget(self.no_match)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.stack, 1)

    # --- listing -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-run the current filter (after imports, edits, deletes). A listing running is
        let finish and shown, and one more runs after it, of the filter then (however many
        refreshes came meanwhile). Each superseded the one before: during an import, with
        listings slower than its refreshes (2 s apart), the grid showed nothing new until
        the import ended."""
        self._generation += 1
        if self._running is not None and not self._running.is_done():
            if self._relist and self._first_result_of == self._generation - 1:
                self._first_result_of = self._generation  # the queued listing is this one
            self._relist = True
            return
        self._start_listing()

    def _supersede(self) -> None:
        """List the filter chosen now, at once: the listing running answers another."""
        if self._running is not None:
            self._running.cancel()
        self._generation += 1
        self._superseded_below = self._generation
        self._start_listing()

    def _start_listing(self) -> None:
        self._relist = False
        gen = self._generation
        flt = self.filter_bar.current_filter()
        wardrobe = self.session.wardrobe
        narrowed = flt.text.strip() or flt.categories or flt.colours or flt.fine_types
        favourites_alone = flt.favourites_only and not narrowed
        to_select = list(self._to_select)

        def job(ctx: WorkerContext) -> Listing:
            records = wardrobe.list_garments(flt)
            ctx.check_cancelled()
            gone = _gone(wardrobe, to_select, records)
            total = wardrobe.count()
            names = wardrobe.colour_names()
            colours = [(n, _colour_hex(n, records)) for n in _palette_order(names)]
            by_category = wardrobe.fine_types_by_category()
            fine_types = sorted({t for types in by_category.values() for t in types})
            return Listing(
                gen, records, total, colours, fine_types, by_category, favourites_alone, gone
            )

        self._running = self.session.runner.start(
            job,
            queue=Queue.READ,
            title="Listing garments",
            on_result=self._listed,
            on_finished=self._listing_finished,
        )

    @Slot()
    def _listing_finished(self) -> None:
        # A superseded listing ends too: only the one running now lets the queued one go
        # (its result, emitted before its end, has been shown).
        if self._running is not None and self._running.is_done():
            self._running = None
            if self._relist:
                self._start_listing()

    def expect_removal(self, ids: Sequence[int] = ()) -> None:
        """The selected garments (``ids``) are about to be deleted (see
        ``_restore_selection``): no more to select, where an undo brought them back
        (Ctrl+Z then Ctrl+Shift+Z before the listing: said to be hidden by the filter)."""
        self._removal_expected = True
        self._removal_from = self._generation + 1  # the refresh that follows the delete
        gone = set(ids)
        self._to_select = [i for i in self._to_select if i not in gone]

    def waiting_to_select(self) -> list[int]:
        """The garments of ``select_when_listed`` no listing has shown yet."""
        return list(self._to_select)

    def select_when_listed(self, ids: list[int]) -> None:
        """Select these garments (restored by an undo) once the next listing shows them,
        in place of the selection before; with those of an undo before it not listed
        yet (Ctrl+Z twice): the first's were dropped, neither selected nor said."""
        self._to_select = [*self._to_select, *ids]
        self._to_select_from = self._generation + 1  # the refresh that follows the undo

    def select_in_listing(self, ids: list[int]) -> None:
        """Select these garments where the listing asked for last (a filter's change,
        ``_filter_changed``) shows them; unsaid where it does not (the user's filter)."""
        self._to_select = [*self._to_select, *ids]
        self._quiet.update(ids)
        self._to_select_from = max(self._to_select_from, self._generation)

    def is_current(self) -> bool:
        """True when the grid shows the answer to the latest request."""
        return self._shown_generation == self._generation

    @Slot(object)
    def _filter_changed(self, _flt: GarmentFilter) -> None:
        self._supersede()

    @Slot(object)
    def _listed(self, listing: Listing) -> None:
        if listing.generation < max(self._superseded_below, self._shown_generation):
            return  # another filter's, or older than the one shown
        selected = set(self.selected_ids())
        current = self.grid.currentIndex().data(GarmentRoles.Id)
        to_select = set(self._to_select)
        restored = [r.id for r in listing.records if r.id in to_select]
        listed = [i for i in restored if i not in self._quiet]  # said with those left out
        hidden: list[int] = []
        gone: list[int] = []
        # Kept till the undo's own listing: one before it may show the first of two
        # undos' garments only (Ctrl+Z twice), and spent them there
        if listing.generation >= self._to_select_from:
            shown, gone_since = set(restored), set(listing.gone)
            said = [i for i in self._to_select if i not in self._quiet]
            hidden = [i for i in said if i not in shown and i not in gone_since]
            gone = [i for i in said if i in gone_since]
            self._to_select, self._quiet = [], set()
        # An edit undone that the filter now hides, selected: its neighbour takes its
        # place, selected, as after a delete (nothing was, and Delete was off)
        took_selected = not selected.isdisjoint(hidden)
        if restored:
            selected, current = set(restored), restored[0]
        current_row = self.grid.currentIndex().row()
        scroll = self.grid.verticalScrollBar().value()
        unchanged = listing.records == self.model.records()
        if not unchanged:
            self.model.set_records(listing.records)
        self.total = listing.total
        self.filter_bar.set_colours(listing.colours)
        self.filter_bar.set_fine_types(listing.fine_types, listing.types_by_category)
        self.filter_bar.set_count(len(listing.records), listing.total)
        if not listing.records:
            self._say_why_empty(listing.only_favourites)
        self.stack.setCurrentWidget(self.grid if listing.records else self.no_match)
        if unchanged and restored:
            # An edit undone, listed where it was (the grid showed its new value): the
            # selection, not cleared by a new list, is the garment's alone, as it is
            # after a delete's undo; it stayed on the cards selected before.
            self.grid.selectionModel().clearSelection()
        if not unchanged or restored:
            # keep the user's place: restoring the current item must not scroll the grid
            self.grid.setAutoScroll(False)
            self._restore_selection(selected, current, current_row, took_selected)
            self.grid.setAutoScroll(True)
            if scroll > 0:
                self.grid.doItemsLayout()  # now: a layout still due would clamp the value
                self.grid.verticalScrollBar().setValue(scroll)
            if restored:
                self.grid.scrollTo(self.grid.currentIndex())
        # Kept through a listing asked for before the delete (one running, read before
        # it, still shows the garments): spent there, the delete's listing selected
        # nothing, Delete off and Del acting on nothing.
        if listing.generation >= self._removal_from:
            self._removal_expected = False
        self._shown_generation = listing.generation
        if self._first_result_of == listing.generation:
            self._first_result_of = 0
            if self.grid.hasFocus():  # not where the user went on meanwhile
                self._pick_first_card()
        # A model reset drops the selection without a signal: say what is selected now,
        # so Delete is enabled only with something to delete.
        self.selectionChanged.emit(len(self.selected_ids()))
        self.listed.emit(len(listing.records), listing.total)
        if not self.filter_bar.is_filtering():
            hidden = []  # nothing hides them: all there are listed
        if hidden or gone:
            self.restoredUnlisted.emit(listed, hidden, gone)

    def _say_why_empty(self, only_favourites: bool) -> None:
        """Favourites alone and none: there are none yet, which "Try fewer filters or
        another search" left a new user to guess (one filter, no search)."""
        if only_favourites:
            title, hint = "No favourites yet", FAVOURITES_HINT
        else:
            title, hint = "No garments match", "Try fewer filters or another search."
        self.no_match.title.setText(title)
        self.no_match.hint.setText(hint)

    def _restore_selection(
        self, ids: set[int], current: object, current_row: int, removed: bool = False
    ) -> None:
        """The selection and current card as they were; where the current card is gone
        (deleted, filtered out), its neighbour at the same place takes over, selected
        after a delete of the selected cards (or where they went, ``removed``: an edit
        undone that the filter hides), so the keyboard (Del, Enter) goes on there."""
        sel = self.grid.selectionModel()
        # One selection of runs of rows, selected at once: a select() per card cost
        # the selection model time growing with those already selected (an undo of a
        # delete of 3,000 garments, or a listing while all are selected: 13 s).
        chosen = QItemSelection()
        start = -1
        for row, rec in enumerate(self.model.records()):
            if rec.id in ids:
                if start < 0:
                    start = row
            elif start >= 0:
                chosen.select(self.grid_model.index(start, 0), self.grid_model.index(row - 1, 0))
                start = -1
            if rec.id == current:
                sel.setCurrentIndex(
                    self.grid_model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
                )
        rows = self.model.rowCount()
        if start >= 0:
            chosen.select(self.grid_model.index(start, 0), self.grid_model.index(rows - 1, 0))
        if not chosen.isEmpty():
            sel.select(chosen, QItemSelectionModel.SelectionFlag.Select)
        if not self.grid.currentIndex().isValid() and rows > 0:
            row = min(max(current_row, 0), rows - 1)
            sel.setCurrentIndex(
                self.grid_model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )
        if (self._removal_expected or removed) and ids and not sel.hasSelection():
            self.grid.select_current()

    # --- selection ---------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        """The selected rows, in order, read from the selection's ranges: its indexes
        (``selectedIndexes``) were an object and a question to the model per card, and
        each click after Ctrl+A in a wardrobe of 40,000 garments froze the window 0.6 s."""
        rows: set[int] = set()
        selection = self.grid.selectionModel().selection()
        for i in range(selection.count()):
            span = selection.at(i)
            rows.update(range(span.top(), span.bottom() + 1))
        return sorted(rows)

    def selected_ids(self) -> list[int]:
        n = self.model.rowCount()
        return [self.model.record(r).id for r in self.selected_rows() if r < n]

    def select_id(self, garment_id: int) -> None:
        row = self.model.row_of(garment_id)
        if row >= 0:
            idx = self.grid_model.index(row, 0)
            self.grid.selectionModel().setCurrentIndex(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.grid.scrollTo(idx)

    def update_record(self, record: GarmentRecord) -> None:
        self.model.replace_record(record)

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        record = index.data(GarmentRoles.Record)
        if record is not None:
            self.garmentActivated.emit(record)

    def sizeHint(self) -> QSize:
        return QSize(1100, 700)

    def focus_grid(self) -> None:
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        self.grid.select_current()

    @Slot()
    def go_to_results(self) -> None:
        """Down or Enter in the search box: the grid, its first card current and selected,
        as a search's first result. The card current before the search kept its row in
        the new list: after "pants" and Enter the seventh and last card of seven was
        current, nothing selected (Delete off, Enter opened that one)."""
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.is_current():
            self._pick_first_card()
        else:  # the search asked for is still being listed (Enter searches at once)
            self._first_result_of = self._generation

    def _pick_first_card(self) -> None:
        first = self.grid_model.index(0, 0)
        if first.isValid():
            flag = QItemSelectionModel.SelectionFlag.ClearAndSelect
            self.grid.selectionModel().setCurrentIndex(first, flag)
            self.grid.scrollTo(first)


def _gone(wardrobe: Wardrobe, ids: list[int], listed: list[GarmentRecord]) -> list[int]:
    """Those of ``ids`` not in the wardrobe (``listed``: a listing of it): a filter
    hiding them, they were said hidden by it where another program deleted them again.
    Read from the live garments the listing read (cached): no query per garment."""
    shown = {r.id for r in listed}
    missing = [i for i in ids if i not in shown]
    if not missing:
        return []
    live = {r.id for r in wardrobe.list_garments(GarmentFilter())}
    return [i for i in missing if i not in live]


def _palette_order(names: list[str]) -> list[str]:
    try:
        from ..vision.colours import PALETTE_NAMES
    except Exception:
        return sorted(names)
    order = {n: i for i, n in enumerate(PALETTE_NAMES)}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))
