"""The main window: menus and toolbar, the empty / grid / garment pages, drag and drop,
the status bar (model, device, count, import progress, undo)."""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import NamedTuple, cast
from urllib.parse import unquote_to_bytes

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QItemSelectionModel, QSize, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QCursor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QPalette,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from ..types import GarmentRecord
from ..vision.image_io import is_image_path
from .about_dialog import AboutDialog
from .ask import STOP_IMPORT, ask_yes
from .backup_action import BackupController
from .browse_page import BrowsePage
from .drop_overlay import DropOverlay
from .drop_probe import FolderProbe
from .elided_label import ElidedLabel
from .empty_state import EmptyState
from .errors import ErrorReporter
from .export_action import ExportController
from .garment_model import display_name
from .garment_view import DELETE_SHOWN_TIP, GarmentView
from .icons import app_icon
from .import_controller import ImportController
from .import_report import ImportReportDialog, ImportSummary
from .odd_names import real_path
from .own_this_dialog import IMAGE_FILTER, OwnThisDialog
from .progress_panel import ProgressPanel
from .read_only import READ_ONLY_IMPORT, lock_window
from .review_dialog import ReviewDialog
from .screen_fit import resize_within_screen
from .session import WardrobeSession
from .settings import AppSettings
from .settings_dialog import SettingsDialog
from .start_folder import start_folder
from .status_room import StatusRoom
from .thumbnails import ThumbnailCache
from .toolbar_fit import FitToolBarText
from .undo_plan import Planned, Waiting, meant_for_lost, next_redo, next_undo
from .undo_steps import (
    EDIT_WORDS,
    DeleteCommand,
    FieldEditCommand,
    StatusNotice,
    TouchUpCommand,
    Undone,
    UndoNotice,
    counted,
    deletion_words,
    name_as_touched_up,
    touch_up_words,
    unlisted_words,
)
from .waiting_at_close import at_close
from .window_actions import make_actions, make_menus, paint_icons
from .workers import Queue

log = logging.getLogger(__name__)

# The most the status bar's models' words take, in average characters: the shipped
# models' summary whole (about 60), a load error cut with "…" (whole in the tooltip).
MODEL_LABEL_CHARS = 80


class Asked(NamedTuple):
    """An undo or redo asked for (``what``: "undo" or "redo"), with the touch-up saves
    asked for before it then (``GarmentView.saves_asked``): a new touch-up started
    later is no step it was asked to undo."""

    what: str
    saves_before: int


class Deletion(NamedTuple):
    """A delete asked for (its garments' ``ids``), with the touch-up saves asked for
    before it (``GarmentView.saves_asked``): its step is ordered among theirs."""

    ids: list[int]
    saves_before: int


class MainWindow(QMainWindow):
    def __init__(
        self, session: WardrobeSession, settings: AppSettings, reporter: ErrorReporter | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.session = session
        self.settings = settings
        self.reporter = reporter
        if reporter is not None:
            reporter.parent_widget = self
        self.setWindowTitle("Wardrobe")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1320, 860)
        self.undo_stack = QUndoStack(self)
        # Deletes (``Deletion``) and undos and redos asked for while a touch-up
        # they wait for is being saved: done, in the order asked, once it is
        # (``_run_waiting``). A field edit's step (saved already) made behind them is
        # pushed in its turn: at once, it went under the delete asked before it.
        self._waiting: list[Deletion | Asked | FieldEditCommand] = []
        self._running_waiting = False  # _run_waiting is doing one of them
        self._reordering = False  # _push_in_order is moving steps on the stack
        self.thumbnails = ThumbnailCache(session.runner, QSize(148, 148), parent=self)
        self.importer = ImportController(session, self)
        self.backups = BackupController(self, settings)
        self.exports = ExportController(self, settings)
        self.last_summary: ImportSummary | None = None
        self.report_dialog: ImportReportDialog | None = None
        self._make_actions()
        self._make_pages()
        self._make_menus()
        self._make_status_bar()
        self._connect()
        self.read_only_banner: QLabel | None = None  # "read-only", under the toolbar
        refusal = session.wardrobe.store.refusal
        if refusal is not None:
            lock_window(self, refusal)
        geometry, state = settings.window_state()
        if geometry is None or not self.restoreGeometry(geometry):
            self._fit_screen()
        if state is not None:
            self.restoreState(state)
        self._count = -1
        self._seen_mark: tuple[object, ...] | None = None  # change_mark() when last listed
        self._listing_stale = False  # a garment was edited in its view since the last listing
        self._grid_takes_keys = False  # the first garments came: the keyboard on the grid
        # The cards the window selected itself then, while the import goes on (None once
        # the user picks other cards or scrolls, or the import ends).
        self._picked_for_the_user: list[int] | None = None
        self._notice_index = 0  # the undo stack's index, to tell an undo from a push
        # The garments of the last undos of deletes, as each is said ("Restored Navy
        # bottom"): said again where the filter hides them, and selected by Clear filters
        self._undone: list[Undone] = []
        self._offered: list[int] = []  # those Clear filters selects: the notice's undos'
        self._offered_hidden: list[int] = []  # those of them the notice says hidden
        # Field edits undone or redone on the model's queue, by garment (one at a time
        # each: ``_step_waits``): what is said once saved ("Rename undone")
        self._edits_saving: dict[int, str] = {}
        # The undo's or redo's words the status bar shows, and the garments they name
        # ("Category change redone: Navy one-piece"): taken back once a later change of
        # one of them lands (``_garment_edited``), which they no longer tell
        self._step_said: tuple[set[int], str] | None = None
        # Garments edited while a garment's page is shown: the page's, said on Back
        # where the grid's filter then hides it (``show_browse``)
        self._edited_on_page: set[int] = set()
        # Left (Back) with a category change still saved on the model's queue: said as
        # edited on its page once it lands (its save comes after the listing of Back)
        self._landing_after_back: set[int] = set()
        self.refresh()

    # --- construction ------------------------------------------------------------------
    def _fit_screen(self) -> None:
        """The first size within the screen's free area: 860 px tall put the status bar
        (import results, the Undo notice) below a 1366x768 laptop's screen."""
        # The screen it will open on: where the pointer is, as window managers place it.
        screen = QGuiApplication.screenAt(QCursor.pos()) or self.screen()
        resize_within_screen(self, self.width(), self.height(), screen)

    def _make_actions(self) -> None:
        self.actions_: dict[str, QAction] = {}
        make_actions(self, self.actions_)
        self._paint_icons()

    def _paint_icons(self) -> None:
        """(Re)draw the line icons in the palette's text colour (light or dark)."""
        paint_icons(self.actions_, self.palette().color(QPalette.ColorRole.WindowText))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "actions_"):
            self._paint_icons()
        elif event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            # After the activation, not inside it: what the refresh may ask (an edit
            # that cannot be saved) is no question to open from an event handler.
            QTimer.singleShot(0, self.catch_up)

    @Slot()
    def catch_up(self) -> None:
        """List the garments again if another program (wardrobe-cli) changed them: back
        in the window after an import in a terminal, the grid shows it."""
        if not hasattr(self, "browse") or QApplication.activeModalWidget() is not None:
            return  # a dialog is open: its closing activates the window again
        try:
            mark = self.session.wardrobe.change_mark()
        except Exception as exc:  # a convenience: no error box for it at each activation
            log.warning("could not look for changes made elsewhere: %s", exc)
            return
        if mark != self._seen_mark:
            self.refresh()

    def _make_pages(self) -> None:
        self.empty_page = EmptyState(
            "Your wardrobe is empty",
            "Drop photos here or press Ctrl+I.\nWardrobe finds the tops, bottoms and one-pieces "
            "in them and files each one.",
            [self.actions_["import_photos"], self.actions_["import_folder"]],
            self,
        )
        self.empty_page.setObjectName("emptyPage")
        self.browse = BrowsePage(self.session, self.thumbnails, self)
        # The order the user chose stays for the next start (the filters do not).
        self.browse.filter_bar.set_sort(self.settings.sort)
        self.browse.filter_bar.sort.currentIndexChanged.connect(self._sort_chosen)
        a = self.actions_
        self.browse.grid.card_actions = [a["open"], a["delete"], None, a["select_all"]]
        self.browse.grid.space_actions = [a["select_all"]]
        self.garment_view = GarmentView(self.session, self.thumbnails, self.settings, self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.empty_page)
        self.pages.addWidget(self.browse)
        self.pages.addWidget(self.garment_view)
        self.setCentralWidget(self.pages)
        self.drop_overlay = DropOverlay(self.pages)
        self._drop_probe = FolderProbe()
        self._dragged: tuple[list[Path], list[Path]] = ([], [])  # _split_by_name's

        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name in ("import_photos", "import_folder", "own_this"):
            toolbar.addAction(self.actions_[name])
        toolbar.addSeparator()
        toolbar.addAction(self.actions_["delete"])
        toolbar.addAction(self.actions_["undo"])
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(
            spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred
        )
        toolbar.addWidget(spacer)
        toolbar.addAction(self.actions_["settings"])
        self.addToolBar(toolbar)
        FitToolBarText(toolbar, self.actions_["undo"])  # a long garment name cut short

    def _make_menus(self) -> None:
        make_menus(self.menuBar(), self.actions_)

    def _make_status_bar(self) -> None:
        status = self.statusBar()
        self.undo_notice = UndoNotice(status)
        self.undo_notice.button.clicked.connect(self.undo_last)
        # Undone by Ctrl+Z or the menu: the notice's offer is spent.
        self.undo_stack.indexChanged.connect(self._undo_index_changed)
        status.addWidget(self.undo_notice)
        # An undo's garments the grid's filter hides: said, with the way to see them
        self.restored_notice = StatusNotice("Clear filters", parent=status)
        self.restored_notice.button.setObjectName("restoredNotice")
        self.restored_notice.button.clicked.connect(self._show_restored)
        status.addWidget(self.restored_notice)
        self.progress = ProgressPanel(status)
        self.progress.cancelRequested.connect(self.importer.cancel)
        status.addPermanentWidget(self.progress)
        # Cut with "…" where there is no room: a long load error (230 characters) was
        # the label's least width, 1616 px, and cut off at the window's edge unmarked.
        self.model_label = ElidedLabel(self.session.model_status, status)
        self.model_label.setObjectName("modelLabel")
        self.model_label.set_tip(self.session.model_tooltip or self.session.model_status)
        # At most about a long model summary's width: at its whole width the error left
        # no room for the count beside it, and StatusRoom hid it even with no message.
        most = self.model_label.fontMetrics().averageCharWidth() * MODEL_LABEL_CHARS
        self.model_label.setMaximumWidth(most)
        self.count_label = QLabel(status)
        self.count_label.setObjectName("countLabel")
        model_dot = _separator(status)
        status.addPermanentWidget(self.model_label)
        status.addPermanentWidget(model_dot)
        status.addPermanentWidget(self.count_label)
        StatusRoom(status, [self.model_label, model_dot], watched=[self.progress])

    def _connect(self) -> None:
        s = self.session
        s.changed.connect(self.refresh)
        s.modelStatusChanged.connect(self._model_status)
        self.browse.garmentActivated.connect(self.open_garment)
        self.browse.selectionChanged.connect(self._selection_changed)
        self.browse.listed.connect(self._listed)
        self.browse.restoredUnlisted.connect(self._restored_unlisted)
        # After the page's own slot (connected first), which lists the filter chosen
        self.browse.filter_bar.filterChanged.connect(self._filter_chosen)
        self.garment_view.back.connect(self.show_browse)
        self.garment_view.openGarment.connect(self.open_garment_id)
        self.garment_view.deleteRequested.connect(self.delete_ids)
        self.garment_view.touchUpLost.connect(self._touch_up_lost)
        self.garment_view.touchUpDone.connect(self._run_waiting)
        self.garment_view.touchUpSaving.connect(self._show_undo_state)
        self.undo_stack.canUndoChanged.connect(self._show_undo_state)
        self.undo_stack.canRedoChanged.connect(self._show_undo_state)
        self.undo_stack.undoTextChanged.connect(self._show_undo_state)
        self.undo_stack.redoTextChanged.connect(self._show_undo_state)  # after its own
        self.garment_view.edited.connect(self._garment_edited)
        self.garment_view.touchedUp.connect(self._touched_up)
        self.garment_view.fieldEdited.connect(self._field_edited)
        self.garment_view.typedChanged.connect(self._show_undo_state)
        self.garment_view.fieldEditLost.connect(self._field_edit_lost)
        self.garment_view.delete_waits = self._delete_waits
        self.garment_view.notice.connect(self._notice)
        self.garment_view.stepSaid.connect(self._said_of)
        self.garment_view.vanished.connect(self.refresh)  # which leaves the page
        self.importer.started.connect(self._import_started)
        self.importer.progress.connect(self.progress.set_progress)
        self.importer.queued.connect(self.progress.set_waiting)
        self.importer.finished.connect(self._import_finished)
        self.importer.reviewOpened.connect(self._review_opened)
        self.pages.currentChanged.connect(lambda _i: self._update_actions())

    # --- pages -------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """The garments changed: re-list them and pick the right page."""
        self._seen_mark = self.session.wardrobe.change_mark()
        self._listing_stale = False  # listed below
        self._count = self.session.count()
        self._show_count()
        if self._count == 0 and self.pages.currentWidget() is not self.garment_view:
            self.pages.setCurrentWidget(self.empty_page)
        elif self.pages.currentWidget() is self.empty_page:
            self.pages.setCurrentWidget(self.browse)
            # On the grid, not the search box Qt passed the empty page's focus on to;
            # its first card selected once listed
            self.browse.focus_grid()
            self._grid_takes_keys = True
        if self.pages.currentWidget() is self.garment_view:
            record = self.garment_view.record
            if record is not None and not self._exists(record.id):
                # Deleted by another program: back to the grid, saying so (an edit to
                # it, if any, is lost).
                self.garment_view.discard_pending()
                self.show_browse()
                self.statusBar().showMessage(
                    "That garment was deleted by another program (such as wardrobe-cli)",
                    10_000,
                )
        self.browse.refresh()

    def _exists(self, garment_id: int) -> bool:
        try:
            self.session.wardrobe.garment(garment_id)
        except KeyError:
            return False
        return True

    def _show_count(self) -> None:
        n = max(self._count, 0)
        self.count_label.setText(f"{n} garment{'s' if n != 1 else ''}")

    @Slot(int, int)
    def _listed(self, _shown: int, total: int) -> None:
        self._count = total
        self._show_count()
        self._offer_spent()
        # Behind the review dialog (the active window) the grid has no focus to check:
        # nobody typed in this window meanwhile, it gets the keys once the dialog goes.
        if self._grid_takes_keys and (self.browse.grid.hasFocus() or not self.isActiveWindow()):
            self.browse.focus_grid()  # selects the current card (the first)
            self._picked_for_the_user = self.browse.selected_ids()
        elif self._picked_for_the_user is not None:
            self._keep_the_first_card_picked()
        self._grid_takes_keys = False
        if not self.importer.busy():
            self._picked_for_the_user = None

    def _keep_the_first_card_picked(self) -> None:
        """The first card the window selected, kept the first as the import's later
        garments are listed above it (newest first): it went down out of sight, Delete
        on. Left as it is once the user selected other cards or scrolled."""
        grid = self.browse.grid
        first = grid.model().index(0, 0)
        if (
            self.browse.selected_ids() != self._picked_for_the_user
            or grid.verticalScrollBar().value() != 0
            or not first.isValid()
        ):
            self._picked_for_the_user = None
            return
        grid.selectionModel().setCurrentIndex(
            first, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self._picked_for_the_user = self.browse.selected_ids()

    @Slot()
    def show_browse(self) -> None:
        if self.pages.currentWidget() is self.garment_view:
            if not self.garment_view.may_leave():
                return
            current = self.garment_view.record
            if current is not None:
                self.browse.select_id(current.id)
                if self.garment_view.saving_category(current.id):
                    self._landing_after_back.add(current.id)
                elif current.id in self._edited_on_page:
                    # Edited on its page: selected once listed, or said where the filter
                    # now hides it, as an edit undone on the grid ("Edited Navy top
                    # (hidden by the current filter)"); it went unsaid, nothing selected
                    said = f"Edited {display_name(current)}"
                    self._select_when_listed(Undone([current.id], said, restored=False))
        self.pages.setCurrentWidget(self.browse if self._count != 0 else self.empty_page)
        self.browse.focus_grid()
        self._edited_on_page.clear()
        if self._listing_stale:
            self._listing_stale = False
            self.browse.refresh()

    @Slot(object)
    def open_garment(self, record: GarmentRecord) -> None:
        self._landing_after_back.discard(record.id)
        self.garment_view.show_garment(record)
        self.pages.setCurrentWidget(self.garment_view)

    @Slot(int)
    def open_garment_id(self, garment_id: int) -> None:
        try:
            record = self.session.wardrobe.garment(garment_id)
        except KeyError:
            self.statusBar().showMessage("That garment is no longer in the wardrobe", 5000)
            return
        self.open_garment(record)

    @Slot()
    def open_current(self) -> None:
        index = self.browse.grid.currentIndex()
        if index.isValid():
            self.browse._activated(index)

    @Slot(object)
    def _garment_edited(self, record: GarmentRecord) -> None:
        self.browse.update_record(record)
        self._unsay_step_of(record.id)
        done = self._edits_saving.pop(record.id, None)
        landed_after_back = record.id in self._landing_after_back
        self._landing_after_back.discard(record.id)
        # A new category, colour or type may take it out of the filter (or add a type to
        # the filter's list): listed again on the way back, not after every keystroke.
        # At once where the grid is shown (an edit undone or redone from it): it kept a
        # garment the filter no longer matched, or left out one it matched again.
        if self.pages.currentWidget() is self.garment_view:
            self._listing_stale = True
            self._edited_on_page.add(record.id)
            return
        if done is not None:
            # Selected once listed, or said where the filter now hides it: it went from
            # the grid unsaid ("Rename undone: Navy top"), nothing selected, Delete off
            said = f"{done}: {display_name(record)}"
            self._select_when_listed(Undone([record.id], said, restored=False))
        elif landed_after_back:  # as show_browse says an edit saved before Back
            said = f"Edited {display_name(record)}"
            self._select_when_listed(Undone([record.id], said, restored=False))
        self.browse.refresh()

    def saving_edit(self, garment_id: int, done: str | None) -> None:
        """A field edit's undo or redo of the garment is being saved (``done``: as said
        once saved, "Rename undone"), or is not (None: it failed)."""
        if done is None:
            self._edits_saving.pop(garment_id, None)
        else:
            self._edits_saving[garment_id] = done

    @Slot(str)
    def _notice(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    @Slot(int, str)
    def _said_of(self, garment_id: int, words: str) -> None:
        """``words`` (an undo's or redo's, said next) name the garment."""
        self._step_said = ({garment_id}, words)

    def _unsay_step_of(self, garment_id: int) -> None:
        """A later change of the garment landed (a category saved, a name typed, a
        touch-up): the undo's words naming it, still shown, go. The status bar kept
        "Category change redone: Navy one-piece" over a garment now a top."""
        said = self._step_said
        if said is None or garment_id not in said[0]:
            return
        self._step_said = None
        if self.statusBar().currentMessage() == said[1]:
            self.statusBar().clearMessage()

    @Slot(object, object, object, int)
    def _touched_up(
        self, record: GarmentRecord, before: np.ndarray, after: np.ndarray, number: int
    ) -> None:
        self._push_in_order(TouchUpCommand(self, record, before, after, number + 1))
        stack = self.undo_stack
        steps = [stack.command(i) for i in range(stack.count())]
        name_as_touched_up([*steps, *self._waiting], record, number)
        self._show_undo_state()  # a step renamed: the stack says nothing of it

    @Slot(int, str, object, object, str)
    def _field_edited(
        self, garment_id: int, field: str, before: object, after: object, name: str
    ) -> None:
        # Saved already (the autosave): the push's redo() does nothing
        asked = self.garment_view.saves_asked()
        step = FieldEditCommand(self, garment_id, field, (before, after), name, asked)
        if self._waiting and not self._running_waiting:  # behind what was asked before
            self._waiting.append(step)
            self._show_undo_state()
            return
        self.undo_stack.push(step)

    @Slot(int, str, object)
    def _field_edit_lost(self, garment_id: int, field: str, after: object) -> None:
        """A field edit's step was pushed as it was asked, its save queued (a category's),
        and that save failed: the step goes (there is nothing to undo), the newest such
        one. An undo waiting for that save (Ctrl+Z pressed meanwhile) was for it: done,
        it undid the step under it, which nobody asked for: dropped."""

        def lost(step: object) -> bool:
            if not isinstance(step, FieldEditCommand):
                return False
            return step.garment_id == garment_id and step.made(field, after)

        if field == "category" and self.garment_view.categories_saving(garment_id) <= 1:
            # The page shows the stored category again (``edited``): not the change
            # landing after Back, which said "Edited Navy top (hidden by the current
            # filter)" over the failure's words. A later change still on its way keeps it.
            self._landing_after_back.discard(garment_id)
        waiting = next((s for s in reversed(self._waiting) if lost(s)), None)
        if waiting is not None:  # not pushed yet (behind a delete): not pushed at all
            self._waiting.remove(waiting)
            self._show_undo_state()
            return
        stack = self.undo_stack
        at = next((i for i in reversed(range(stack.count())) if lost(stack.command(i))), None)
        if at is None:
            return
        step = cast(FieldEditCommand, stack.command(at))
        step.unsaved = True  # left on the stack (not next in line): said when reached
        if self.drop_undo_step(step):  # an undo asked for it went with it
            self._say_unsaved(step)
        self._show_undo_state()

    def _say_unsaved(self, step: FieldEditCommand) -> None:
        """An undo asked for a field edit whose save failed: it undid nothing."""
        words = EDIT_WORDS[step.field]
        self.statusBar().showMessage(f"The {words} was not saved: nothing undone", 10_000)

    def _push_in_order(self, command: TouchUpCommand) -> None:
        """Push a touch-up's step under the deletes and field edits asked for after it,
        done (or undone) while it was saved: their steps, pushed first, are moved above
        it. On top, the touch-up's step was the one the delete's Undo (its notice's, or
        Ctrl+Z) undid, and the garments stayed deleted. A step is moved by taking it off
        (obsolete, the stack drops it undone or not) and pushing its copy, which skips the
        redo (and undo) already done. Above them, the push drops the redos, as ever."""
        stack = self.undo_stack

        def later(at: int) -> bool:
            step = stack.command(at)
            moves = isinstance(step, (DeleteCommand, FieldEditCommand))
            return moves and _saves_before(step) >= command.saves_before

        top = start = end = stack.index()
        while start > 0 and later(start - 1):
            start -= 1
        while end < stack.count() and later(end):
            end += 1
        moved = [stack.command(i) for i in range(start, end)]
        copies = [cast(DeleteCommand | FieldEditCommand, m).copy() for m in moved]
        self._reordering = True  # the notice stays: the delete it offers to undo stays
        try:
            for _ in range(top - start):
                stack.command(stack.index() - 1).setObsolete(True)
                stack.undo()  # taken off, not undone
            stack.push(command)  # drops the steps that were above the index
            for copy in copies:
                stack.push(copy)
            for copy in reversed(copies[top - start :]):  # undone before: undone again
                copy.skip_next = True
                stack.undo()
        finally:
            self._reordering = False
        self._notice_index = stack.index()

    @Slot(int)
    def _sort_chosen(self, _index: int) -> None:
        self.settings.sort = str(self.browse.filter_bar.sort.currentData())

    @Slot()
    def focus_search(self) -> None:
        if self.pages.currentWidget() is not self.browse and self._count > 0:
            self.show_browse()
        self.browse.filter_bar.focus_search()

    @Slot()
    def select_all(self) -> None:
        if self.pages.currentWidget() is self.browse:
            self.browse.grid.selectAll()

    @Slot(int)
    def _selection_changed(self, _n: int) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        page = self.pages.currentWidget()
        can_delete = (page is self.garment_view and self.garment_view.record is not None) or (
            page is self.browse and bool(self.browse.selected_ids())
        )
        can_delete = can_delete and not self.session.wardrobe.read_only
        self.actions_["delete"].setEnabled(can_delete)
        if not self.session.wardrobe.read_only:  # its tip says why it is off
            # On a garment's page it deletes that garment: "the selected garments" misled.
            on_page = page is self.garment_view
            tip = DELETE_SHOWN_TIP if on_page else "Delete the selected garments (Del)"
            self.actions_["delete"].setToolTip(tip)
            self.actions_["delete"].setStatusTip(tip)
        self.actions_["back"].setEnabled(page is self.garment_view)

    @Slot(str)
    def _model_status(self, text: str) -> None:
        # the models' own names, kinds and folders; the whole text when there are none
        self.model_label.set_tip(self.session.model_tooltip or text)
        self.model_label.setText(text)

    # --- import ------------------------------------------------------------------------
    @Slot()
    def choose_photos(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import photos", start_folder(self.settings.last_folder), IMAGE_FILTER
        )
        if files:
            self.settings.last_folder = str(Path(files[0]).parent)
            self.import_paths([real_path(f) for f in files])  # a name not UTF-8 too

    @Slot()
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Import a folder of photos", start_folder(self.settings.last_folder)
        )
        if folder:
            self.settings.last_folder = folder
            self.import_paths([real_path(folder)])

    def import_paths(self, paths: Sequence[Path], review: bool | None = None) -> bool:
        """Start importing, or queue the photos after the import running; False when
        there is nothing (new) to import."""
        if self._refused_read_only():
            return False
        if review is None:
            review = self.settings.review_before_saving
        if self.session.model_error is not None:
            # Tried again before the import (model queue); failing, the import says so.
            self.session.load_model(quiet=True)
        if self.importer.start(list(paths), review):
            return True
        if paths:
            self.statusBar().showMessage("Those photos are already being imported", 5000)
        return False

    @Slot(int)
    def _import_started(self, n: int) -> None:
        if self.progress.isHidden():  # the import's first photos, not those given meanwhile
            # The last import's headline would run into the progress; a note said during
            # this import ("2 dropped items left out") stays its 10 s.
            self.statusBar().clearMessage()
        self.progress.begin(f"Preparing {n} item{'s' if n != 1 else ''}…")
        # The import actions stay: photos given meanwhile wait for these (as a drop's).

    @Slot(object)
    def _review_opened(self, dialog: ReviewDialog) -> None:
        """The review opens at the size the user left it (within this screen)."""
        size = self.settings.review_size
        if size is not None:
            resize_within_screen(dialog, size.width(), size.height())
        dialog.finished.connect(partial(self._review_closed, dialog, dialog.size()))

    def _review_closed(self, dialog: ReviewDialog, opened_at: QSize, _code: int) -> None:
        # Kept only where the user resized it: the size it opened at may be one shrunk to
        # fit a small screen (or one at 200%), which, kept, opened the review that small
        # on a large screen too, every time after.
        if dialog.size() != opened_at:
            self.settings.review_size = dialog.size()

    @Slot(object)
    def _import_finished(self, summary: ImportSummary) -> None:
        self.progress.end()
        self.last_summary = summary
        self.statusBar().showMessage(summary.headline(), 10_000)
        self.refresh()
        if summary.needs_report():
            self.report_dialog = ImportReportDialog(summary, self)
            self.report_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.report_dialog.destroyed.connect(self._report_closed)
            self.report_dialog.open()

    @Slot()
    def _report_closed(self) -> None:
        self.report_dialog = None

    def _refused_read_only(self) -> bool:
        """A read-only wardrobe: nothing is imported, and the status bar says why."""
        if self.session.wardrobe.read_only:  # the line under the tool bar says the rest
            self.statusBar().showMessage(READ_ONLY_IMPORT, 10_000)
        return self.session.wardrobe.read_only

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        # Photos and folders only: a text file or a web link is refused at the door, not
        # reported as a failed import after the drop. A name of a text file, a video or
        # a sound may be a folder's ("Trip.ts"): the disk is asked, off this thread, and
        # the drag's moves refused until it says so (an enter refused gets no moves).
        self._dragged = taken, maybe = _split_by_name(event.mimeData().urls())
        self._drop_probe.forget()
        self._drop_probe.ask(maybe)
        if not (taken or maybe) or self._refused_read_only():
            event.ignore()
            return
        # Accepted even where the disk has not answered yet, or the moves would not come:
        # the move that follows the enter at once, and each after it, gives the cursor.
        event.acceptProposedAction()
        if self._drag_takes():
            self.drop_overlay.cover()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_overlay.hide()
        super().dragLeaveEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        # Each move's answer is the cursor shown (and whether a drop comes). The names
        # were judged at the enter, once (4 ms for 1,000 links), not at each move.
        if self._drag_takes():
            event.acceptProposedAction()
            self.drop_overlay.cover()
        else:
            event.ignore()
            self.drop_overlay.hide()

    def _drag_takes(self) -> bool:
        """A photo or folder by its name among the links dragged, or one named like a
        text file or a video that the disk said is a folder."""
        taken, maybe = self._dragged
        return bool(taken) or any(self._drop_probe.is_folder(p) for p in maybe)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_overlay.hide()
        urls = event.mimeData().urls()
        taken, maybe = _split_by_name(urls)
        # Those the disk has not answered for yet go too (a slow share): the import's
        # worker walks a folder, and says a file is not a photo.
        kept = {*taken, *(p for p in maybe if self._drop_probe.is_folder(p) is not False)}
        paths = [p for p in dict.fromkeys(_local_paths(urls)) if p in kept]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)
            left_out = len(urls) - len(paths)
            if left_out:  # said, not silently dropped (a web link, a text file)
                self.statusBar().showMessage(
                    f"{left_out} dropped item{'s' if left_out != 1 else ''} left out: "
                    "only photos and folders on this computer can be imported",
                    10_000,
                )

    # --- delete / undo -----------------------------------------------------------------
    @Slot()
    def delete_selected(self) -> None:
        if self.pages.currentWidget() is self.garment_view and self.garment_view.record:
            self.delete_ids([self.garment_view.record.id])
        elif self.pages.currentWidget() is self.browse:
            self.delete_ids(self.browse.selected_ids())

    def _what_is_deleted(self, ids: list[int]) -> str:
        """One garment by its name ("Blue shirt"), more by their number ("3 garments")."""
        n = len(ids)
        one = self._name_of(ids[0]) if n == 1 else ""
        return one or f"{n} garment{'s' if n != 1 else ''}"

    def _name_of(self, garment_id: int) -> str:
        """The garment's name, as its page or the grid shows it, or else as stored (a
        touch-up being saved of a garment the filter hides, its page left: Redo read
        "Redo touch-up (waiting for a touch-up)"); "" where it is gone."""
        shown = self.garment_view.record
        if shown is not None and shown.id == garment_id:
            return display_name(shown)
        row = self.browse.model.row_of(garment_id)
        if row >= 0:
            return display_name(self.browse.model.record(row))
        try:  # one row read by id (the database in WAL: a save running does not block it)
            return display_name(self.session.wardrobe.garment(garment_id))
        except KeyError:  # deleted (by another program too)
            return ""
        except Exception as exc:  # a name in a menu's words: no error box for it
            log.warning("garment %s: its name not read: %s", garment_id, exc)
            return ""

    def confirm_delete(self, ids: list[int]) -> bool:
        # One garment is named ("Delete 1 garment…?" on its own page, it asked)
        n = len(ids)
        what = self._what_is_deleted(ids)
        # The platform's own undo key, as the tool bar tips name it (⌘Z on macOS)
        keys = self.actions_["undo"].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        return ask_yes(
            self,
            "Delete garment" if n == 1 else "Delete garments",
            f"Delete {what} from the wardrobe?\nYou can undo this with {keys}.",
            yes_by_default=True,
        )

    @Slot(list)
    def delete_ids(self, ids: list[int]) -> None:
        queued = {i for step in self._waiting if isinstance(step, Deletion) for i in step.ids}
        if set(ids) <= queued and ids:  # asked again: it is on its way already
            self._say_delete_queued(ids)
            return
        if not ids or not self.confirm_delete(ids):
            return
        # Asked now: its step goes above those of the touch-ups asked before, once saved
        asked = self.garment_view.saves_asked()
        if self._waiting or self.garment_view.saving_touch_up(ids):
            # Deleted before it, the save failed, and undoing the delete brought the
            # garment back without it (an undone touch-up, still applied): deleted once
            # it is saved, its step on the undo stack after the touch-up's (and after
            # an undo asked for before it, which would undo the delete instead).
            self._waiting.append(Deletion([i for i in ids if i not in queued], asked))
            self._say_delete_queued(ids)
            self._show_undo_state()  # Undo on: Ctrl+Z waits behind it
            return
        self._delete_now(Deletion(ids, asked))

    def _delete_waits(self, garment_id: int) -> bool:
        """A delete of the garment is asked for and waits for a touch-up's save."""
        return any(garment_id in s.ids for s in self._waiting if isinstance(s, Deletion))

    def _say_delete_queued(self, ids: list[int]) -> None:
        """ "A touch-up is being saved: Navy bottom will be deleted once it is", named as
        the delete's question and its Undo name it (it read "the garment")."""
        what = self._what_is_deleted(ids)
        saving = _capitalised(self._wait_words())
        self.statusBar().showMessage(
            f"{saving} is being saved: {what} will be deleted once it is", 8000
        )

    def _wait_words(self, step: Asked | None = None) -> str:
        """What the steps waiting wait for (the first one's save), or ``step`` asked now:
        "a touch-up", "a change of category" or "an edit" (``GarmentView.saving_words``).
        A category change's save said "A touch-up is being saved"."""
        view = self.garment_view
        first = self._waiting[0] if self._waiting else step
        if isinstance(first, Deletion):
            return view.saving_words(first.ids)
        if isinstance(first, Asked):
            command = self._command_for(first.what)
            if view.saving_new_touch_up(before=first.saves_before, since=_saves_before(command)):
                return "a touch-up"
            steps = (DeleteCommand, TouchUpCommand, FieldEditCommand)
            if isinstance(command, steps) and self._step_waits(command):
                return view.saving_words(command.garment_ids())
        return view.saving_words()

    def _command_for(self, what: str) -> QUndoCommand | None:
        """The step an undo (``what``: "undo") or a redo done now would do."""
        stack = self.undo_stack
        if what == "undo":
            return stack.command(stack.index() - 1) if stack.canUndo() else None
        return stack.command(stack.index()) if stack.canRedo() else None

    def _typed_step(self) -> tuple[int, str] | None:
        """The shown page's edit typed and not left yet, as Undo or Redo make it a step
        first (``GarmentView.typed_step``): its garment and its step's text."""
        if self.pages.currentWidget() is not self.garment_view:
            return None
        typed = self.garment_view.typed_step()
        if typed is None:
            return None
        garment_id, field, name = typed
        return garment_id, f"{EDIT_WORDS[field]} of {name.replace('&', '&&')}"

    def _undo_named(self) -> str:
        """The step the next Ctrl+Z undoes once the steps waiting are done (a delete's or
        a field edit's step pushed, undos and redos) and the new touch-ups being saved
        are pushed (each where ``_push_in_order`` puts it, named as its garment is now);
        "" where there is none (the undos waiting undo every step). A delete or a field
        edit waiting read "Undo (waiting for a change of category)", naming nothing, a
        delete waiting "Undo deletion (waiting for a touch-up)", no garment named, and a
        touch-up being saved "Undo (waiting for a touch-up)"."""
        named = next_undo(
            *self._planned_stack(),
            [self._planned_wait(s) for s in self._waiting],
            self._touch_ups_saving(),
            self.garment_view.saves_asked(),
        )
        return named or ""

    def _touch_ups_saving(self) -> list[tuple[int, str]]:
        """The new touch-ups being saved as ``undo_plan`` reads them: their numbers and
        their steps' texts, their garments named as they are now."""
        saving = self.garment_view.new_touch_ups_saving()
        return [(n, touch_up_words(self._name_of(g))) for n, g in saving]

    @Slot(int)
    def _run_waiting(self, _garment_id: int) -> None:
        """The deletes, undos and redos waiting for touch-ups saved now, in the order asked."""
        # A delete's question (its page's edit not saved) runs events: a save ending then
        # ran the steps after it, an undo before the delete's step was pushed. They are
        # left to the loop below, which looks again once the delete is done.
        if self._running_waiting:
            return
        waiting = self._waiting
        self._running_waiting = True
        try:
            # Taken off before it is done: its question and an undo's save run events
            while waiting and not self._must_wait(waiting[0]):
                step = waiting.pop(0)
                if not self._run_step(step) and isinstance(step, Deletion):
                    self._drop_asked_for(step)  # a delete the user chose not to do
        finally:
            self._running_waiting = False
        self._show_undo_state()

    def _run_step(self, step: Deletion | Asked | FieldEditCommand) -> bool:
        """A delete (its ids), an undo or a redo, done now, or a field edit's step
        pushed (saved already); False for a delete the user chose not to do (its page's
        edit kept)."""
        if isinstance(step, Deletion):
            return self._delete_now(step)
        if isinstance(step, FieldEditCommand):
            self.undo_stack.push(step)  # its redo() skipped: saved by the autosave
            return True
        stack = self.undo_stack
        if step.what == "undo":
            if stack.canUndo():
                command = stack.command(stack.index() - 1)
                lost = command.isObsolete()
                stack.undo()  # an obsolete step (``drop_undo_step``) dropped, not undone
                if lost:  # the undos and redos asked for it after this one go too
                    self._drop_meant_for(above=stack.count() - stack.index(), done=0)
                # Its save failed after a step above it was undone first: the status bar
                # ended on that undo's words ("Rename undone: ..."), this undo used up
                if lost and isinstance(command, FieldEditCommand) and command.unsaved:
                    self._say_unsaved(command)
        elif stack.canRedo():
            command = stack.command(stack.index())
            lost = command.isObsolete()
            stack.redo()
            if lost:
                self._drop_meant_for(above=stack.count() - stack.index(), done=1)
            elif isinstance(command, DeleteCommand):  # said as the delete itself said it
                self._say_deleted(command)
        return True

    def _drop_asked_for(self, cancelled: Deletion) -> None:
        """The undos and redos waiting behind a delete not done (``cancelled``, just taken
        off the queue) that were asked for that delete's step are dropped: done, an undo
        undid the step underneath, which nobody asked for. Each is followed to the step it
        would have met: the delete's, one of the deletes after it, or one under it."""
        if self._drop_meant_for(above=0, done=1):  # its step would have gone on top
            n = len(cancelled.ids)
            what = "The garment was" if n == 1 else f"The {n} garments were"
            self.statusBar().showMessage(f"{what} not deleted: nothing undone", 10_000)

    def _drop_meant_for(self, above: int, done: int) -> int:
        """Drop the undos and redos waiting that were asked for a step lost (``above``
        and ``done``: ``undo_plan.meant_for_lost``'s); how many undos went."""
        kinds = [s.what if isinstance(s, Asked) else "push" for s in self._waiting]
        kept, undos_dropped = meant_for_lost(kinds, above, done)
        self._waiting[:] = [self._waiting[i] for i in kept]
        return undos_dropped

    @Slot(int)
    def _touch_up_lost(self, number: int) -> None:
        """A new touch-up (its save's ``number``) was not saved (garment gone, disk full):
        no step of it to undo. The undo waiting for it (the first waiting, asked for after
        it, no other new touch-up asked for before that undo being saved) is dropped: done,
        it undid the step before, which nobody asked for. An undo asked for before that
        touch-up was started waits for another save, and is done all the same (it was
        dropped too). One asked for a step asked for after that touch-up did not wait
        for it: its step goes under that one's."""
        first = self._waiting[0] if self._waiting else None
        since = self._top_saves_before()
        if (
            isinstance(first, Asked)
            and first.what == "undo"
            and since <= number < first.saves_before
            and not self.garment_view.saving_new_touch_up(before=first.saves_before, since=since)
        ):
            self._waiting.pop(0)
            # and a redo asked for it after (Redo named it): done, it redid another step
            self._drop_meant_for(above=0, done=0)
            self.statusBar().showMessage("The touch-up was not saved: nothing undone", 10_000)

    def _top_saves_before(self) -> int:
        """The touch-up saves asked for before the step next to undo: one asked for since
        is the step next to undo once saved (its step goes above it)."""
        stack = self.undo_stack
        return _saves_before(stack.command(stack.index() - 1)) if stack.canUndo() else 0

    def _must_wait(self, step: Deletion | Asked | FieldEditCommand) -> bool:
        """A delete waits for its garments' touch-ups; an undo or redo for a new touch-up
        asked for before it (its step, pushed once saved, is the one to undo: the redos go
        with its push; one started later is not: its step is pushed on what it did) but
        after the step it would do (its step goes under that one: ``_push_in_order``),
        and for those of the garments of the step it does (``_step_waits``)."""
        view = self.garment_view
        if isinstance(step, FieldEditCommand):  # saved already: only its turn waited
            return False
        if isinstance(step, Deletion):
            return view.saving_touch_up(step.ids)
        command = self._command_for(step.what)
        # Not for one asked for before that step: its step goes under it
        since = _saves_before(command)
        return view.saving_new_touch_up(before=step.saves_before, since=since) or (
            command is not None and self._step_waits(command)
        )

    def _delete_queued_at_close(self) -> None:
        """Their saves are done (the model's queue finished): the deletes asked for
        are done too, not dropped with the window, and an edit's undo or redo waiting
        (Ctrl+Z pressed while its garment's save was queued) is written: the wardrobe is
        as the user last asked. Another undo or redo is dropped (logged): it would undo a
        step the closing window never pushed (a touch-up's, pushed on its save's result,
        which comes no more), or a touch-up's undo would be a save the shutdown drops.
        One that would undo (or redo) a delete waiting before it is followed instead: the
        delete is not done (or done), as it would have been had the window stayed open."""
        waiting, self._waiting = self._waiting, []
        view = self.garment_view
        left = at_close(
            waiting,
            self.undo_stack,
            lambda asked, step: view.saving_new_touch_up(before=asked, since=step),
            _saves_before,
        )
        for what in left.dropped:
            log.info("%s asked for during a touch-up's save dropped at close", what)
        wardrobe = self.session.wardrobe
        for garment_id, values in left.writes:  # before the deletes, as asked
            try:
                wardrobe.update_garment(garment_id, **values)  # type: ignore[arg-type]
            except Exception:  # deleted meanwhile, a full disk: the window closes all
                # the same, the value stored stays, and the log says why
                fields = ", ".join(values)
                log.exception("garment %s: its %s not put back at close", garment_id, fields)
        for deletion in left.done:
            if not isinstance(deletion, Deletion):
                continue  # a field edit's step, saved already
            try:
                wardrobe.delete_garments(deletion.ids)
            except Exception:  # a full disk: the window closes all the same, the garments
                # stay (as after a delete undone), and the log says why
                log.exception("garments %s not deleted at close", deletion.ids)

    def _delete_now(self, deletion: Deletion) -> bool:
        """Delete its garments, with its undo step; False where the user chose to stay on
        the page of one of them, to keep its edit the wardrobe refused."""
        ids = deletion.ids
        shown = self.garment_view.record
        # Its page left only where it shows one of them (a delete that waited for a save
        # may be done while another garment is shown).
        was_viewing = (
            self.pages.currentWidget() is self.garment_view
            and shown is not None
            and shown.id in ids
        )
        if was_viewing and not self.garment_view.may_leave():
            return False  # its edit first: undo restores the garment with it
        self.browse.expect_removal(ids)  # the next listing selects the deleted card's neighbour
        # Named as the question named it: "Deleted 1 garment" after "Delete Blue shirt…?"
        what = self._what_is_deleted(ids)
        command = DeleteCommand(self, ids, deletion.saves_before, what=what)
        self.undo_stack.push(command)  # runs redo(): the delete
        self._say_deleted(command)
        if was_viewing:
            self.pages.setCurrentWidget(self.browse if self._count else self.empty_page)
        return True

    def _say_deleted(self, command: DeleteCommand) -> None:
        """ "Deleted Blue shirt  [Undo]" after a delete's step is done, pushed or redone."""
        n = len(command.deleted)
        self.statusBar().clearMessage()  # the notice would be drawn over it
        if n == 0:
            self.statusBar().showMessage(
                "Already deleted (by another program, such as wardrobe-cli)", 10_000
            )
        else:
            some = command.what if n == len(command.ids) and command.what else counted(n)
            self.restored_notice.hide()  # gone again
            self.undo_notice.show_message(f"Deleted {some}")

    def restoring(self, ids: list[int], what: str) -> None:
        """An undo brings back the garments of a delete (``what``: their name, or ""):
        selected once listed, or said where the grid's filter hides them. Undone
        unseen, the grid unchanged, the user was not told anything came back."""
        said = f"Restored {what or counted(len(ids))}"
        self._select_when_listed(Undone(ids, said, restored=True))
        # On a garment's page the grid behind it, selecting them, is not seen: said
        if self.pages.currentWidget() is self.garment_view:
            self._notice(said)
            self._step_said = (set(ids), said)

    def _select_when_listed(self, undone: Undone) -> None:
        """The garments of an undo (or an edit's redo) selected once listed, said again
        where the filter hides them (``_restored_unlisted``)."""
        waiting = set(self.browse.waiting_to_select())
        self.browse.select_when_listed(undone.ids)
        # With those of an undo before it not listed yet (Ctrl+Z twice): said together
        kept = [u for u in self._undone if waiting & set(u.ids)]
        self._undone = [*kept, undone]

    @Slot(list, list, list)
    def _restored_unlisted(self, listed: list[int], hidden: list[int], gone: list[int]) -> None:
        """Undos' garments the listing left out: hidden by the filter (said, with Clear
        filters), or deleted again since by another program (said so: they were said
        hidden by the filter, and Clear filters showed nothing)."""
        # Not an undo redone since (its garments deleted again): Ctrl+Z twice, then
        # Ctrl+Shift+Z, said "Restored 1 garment", not the first undo's garment's name
        brought = {*listed, *hidden, *gone}
        self._undone = [u for u in self._undone if brought & set(u.ids)]
        words = unlisted_words(self._undone, len(listed), len(hidden), len(gone))
        self.statusBar().clearMessage()  # the notice would be drawn over it
        self.undo_notice.hide()
        if hidden:
            self._offered, self._offered_hidden = [*listed, *hidden], hidden
            self.restored_notice.show_message(words)
        else:
            self.restored_notice.hide()
            self.statusBar().showMessage(words, 10_000)

    @Slot(object)
    def _filter_chosen(self, _flt: object) -> None:
        """A filter chosen while the restored notice is shown: the garments it offered
        are selected where the new filter lists them, as its Clear filters does
        (cleared by hand, they came back among the rest unselected). The notice stays,
        its seconds counted again, till a listing shows them (``_offer_spent``): gone
        at once, a search cleared a letter at a time spent it on a first Backspace that
        still hid them, and the garment showed unselected at the next."""
        notice = self.restored_notice
        if not notice.offered():
            notice.hide()
            return
        self.browse.select_in_listing(self._offered)
        notice.show_message(notice.label.text())

    def _offer_spent(self) -> None:
        """The restored notice goes once a listing shows a garment it said hidden
        (selected there: ``_filter_chosen``)."""
        if self.restored_notice.isVisible() and any(
            self.browse.model.row_of(i) >= 0 for i in self._offered_hidden
        ):
            self.restored_notice.hide()

    @Slot()
    def _show_restored(self) -> None:
        """The notice's Clear filters: every garment listed, all those brought back
        selected (the ones shown before too)."""
        self.restored_notice.hide()
        if self.pages.currentWidget() is self.garment_view:
            self.show_browse()
            if self.pages.currentWidget() is self.garment_view:
                return  # its edit not saved: the user stays
        self.browse.select_when_listed(self._offered)
        self.browse.filter_bar.clear()  # lists them, as asked for after the line above

    @Slot()
    def undo_last(self) -> None:
        self._undo_or_wait("undo")
        self.undo_notice.hide()

    @Slot()
    def redo_last(self) -> None:
        self._undo_or_wait("redo")

    def _undo_or_wait(self, what: str) -> None:
        """Done now, or once the touch-up it waits for is saved (``_must_wait``), after
        the steps asked for before it: pressed twice, two steps are undone, in order.
        The page's edit is saved and made a step first (Undo on the tool bar or in the
        menu, the keyboard still in the field typed in): it is the last thing done."""
        if self.pages.currentWidget() is self.garment_view:
            self.garment_view.commit_typed()
        step = Asked(what, self.garment_view.saves_asked())
        if self._waiting or self._must_wait(step):
            self._waiting.append(step)
            saving = _capitalised(self._wait_words(step))
            self.statusBar().showMessage(f"{saving} is being saved: {what} once it is", 5000)
            self._show_undo_state()
        else:
            self._run_step(step)

    def _step_waits(self, command: QUndoCommand) -> bool:
        """A step on a garment whose touch-up (or its undo's) is queued. Saved after it, an
        undo put the old cut-out over the new one, whose step was then pushed on top; one
        at a time also leaves a failed step where ``drop_undo_step`` finds it. Steps on
        other garments go through."""
        steps = (DeleteCommand, TouchUpCommand, FieldEditCommand)
        ids = command.garment_ids() if isinstance(command, steps) else ()
        return self.garment_view.saving_touch_up(ids)

    @Slot()
    def _show_undo_state(self) -> None:
        """Undo on while a new touch-up asked for after the step next to undo is saved
        (Ctrl+Z then waits for it and undoes it; the stack alone kept it off, on a first
        touch-up, and the key did nothing). On too while a delete waits for a touch-up's
        save (Ctrl+Z then waits behind it, in turn). Redo: ``_show_redo_state``. Run after
        the stack's own updates of them."""
        undo = self.actions_["undo"]
        if not shiboken6.isValid(undo):  # the stack cleared as the window goes
            return
        stack, view = self.undo_stack, self.garment_view
        view.update_touch_up_button()  # off while the garment's delete waits
        # Anything waiting first: Ctrl+Z goes behind it. "Undo touch-up (being saved)"
        # stayed while a delete asked after that touch-up waited (Ctrl+Z then undid the
        # delete), and once Ctrl+Z was pressed for it (the next one undid the step under).
        if self._waiting:
            named = self._undo_named()
            # The undos waiting undo every step: the next Ctrl+Z has none (a category
            # change alone, Ctrl+Z during its save). Off, as once they are done; it read
            # "Undo (waiting for a change of category)", naming nothing.
            undo.setEnabled(named != "")
            waits = f"&Undo {named} (waiting for {self._wait_words()})"
            undo.setText(waits if named else "&Undo")
        elif view.saving_new_touch_up(since=self._top_saves_before()):
            # Its garment named, as its step will be: "Undo touch-up (being saved)"
            undo.setEnabled(True)
            undo.setText(f"&Undo {self._undo_named()} (being saved)")
        elif typed := self._typed_step():
            # The edit typed, not left: Undo makes it a step and undoes it (commit_typed)
            garment_id, step = typed
            undo.setEnabled(True)
            if view.saving_touch_up([garment_id]):  # its garment's save queued: it waits
                undo.setText(f"&Undo {step} (waiting for {view.saving_words([garment_id])})")
            else:
                undo.setText(f"&Undo {step}")
        else:
            step = stack.undoText()
            undo.setEnabled(stack.canUndo())
            asked = Asked("undo", view.saves_asked())
            if step and self._must_wait(asked):  # its garment's save queued: Ctrl+Z waits
                undo.setText(f"&Undo {step} (waiting for {self._wait_words(asked)})")
            else:
                undo.setText(f"&Undo {step}" if step else "&Undo")
        self._show_redo_state()

    def _show_redo_state(self) -> None:
        """Redo names the step it redoes, once what waits is done (``next_redo``), and
        that it waits: it read "Redo" alone while an undo waited for a touch-up's save.
        Off where there will be nothing to redo (a step pushed last drops the redos;
        a new touch-up being saved drops those asked for before it)."""
        redo, view, stack = self.actions_["redo"], self.garment_view, self.undo_stack
        if not self._waiting and self._typed_step():
            # Its step, made first (commit_typed), drops the redos: nothing to redo
            redo.setEnabled(False)
            redo.setText("&Redo")
            return
        if not self._waiting and not view.saving_touch_up():  # the stack's own
            redo.setEnabled(stack.canRedo())
            redo.setText(f"&Redo {stack.redoText()}" if stack.canRedo() else "&Redo")
            return
        asked = Asked("redo", view.saves_asked())
        step = next_redo(
            *self._planned_stack(),
            [self._planned_wait(s) for s in self._waiting],
            self._touch_ups_saving(),
            asked.saves_before,
        )
        redo.setEnabled(step is not None)
        if step is None:
            redo.setText("&Redo")
        elif self._waiting or self._must_wait(asked):
            redo.setText(f"&Redo {step} (waiting for {self._wait_words(asked)})")
        else:
            redo.setText(f"&Redo {step}")

    def _planned_stack(self) -> tuple[list[Planned], int]:
        """The undo stack's steps as ``undo_plan`` reads them, and its index."""
        stack = self.undo_stack
        steps = [stack.command(i) for i in range(stack.count())]
        moves = (DeleteCommand, FieldEditCommand)
        planned = [Planned(s.text(), _saves_before(s), isinstance(s, moves)) for s in steps]
        return planned, stack.index()

    def _planned_wait(self, step: Deletion | Asked | FieldEditCommand) -> Waiting:
        if isinstance(step, Deletion):
            text = deletion_words(len(step.ids), self._what_is_deleted(step.ids))
            return Waiting("push", step.saves_before, Planned(text, step.saves_before, True))
        if isinstance(step, FieldEditCommand):
            return Waiting("push", step.saves_before, Planned(step.text(), step.saves_before, True))
        return Waiting(step.what, step.saves_before)

    def drop_undo_step(self, command: QUndoCommand) -> int:
        """Take a step whose undo or redo failed (garment gone, disk full) off the stack:
        it cannot be done. QUndoStack drops an obsolete command only as it undoes or redoes
        it (without calling its undo() or redo()), so where it is next in line that is done
        now, which leaves the index where it was; anywhere else (steps pushed since) it
        goes when reached (``_run_step``). Not on the stack any more: a new step cleared
        it already. The undos and redos waiting that were asked for it go with it (Redo
        named it: done, one redid the step above, which nobody asked for); how many
        undos went."""
        stack = self.undo_stack
        at = next((i for i in range(stack.count()) if stack.command(i) is command), None)
        if at is None:
            return 0
        command.setObsolete(True)
        index, dropped = stack.index(), 0
        if at in (index, index - 1):
            dropped = self._drop_meant_for(above=stack.count() - at - 1, done=index - at)
        if at == index:  # its undo failed: next to redo
            stack.redo()
        elif at == index - 1:  # its redo failed: next to undo
            stack.undo()
        return dropped

    @Slot(int)
    def _undo_index_changed(self, index: int) -> None:
        if self._reordering:
            return  # a step moved, none undone
        if index < self._notice_index:
            self.undo_notice.hide()
        self.restored_notice.hide()  # another step done or undone: it may be gone again
        self._notice_index = index

    # --- dialogs -----------------------------------------------------------------------
    @Slot()
    def open_own_this(self) -> OwnThisDialog:
        dialog = OwnThisDialog(self.session, self.thumbnails, self, self.settings)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.openGarment.connect(self.open_garment_id)
        dialog.open()
        self.own_this_dialog = dialog
        return dialog

    @Slot()
    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings, self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restartNeeded.connect(self._restart_needed)
        dialog.open()
        return dialog

    @Slot(str)
    def _restart_needed(self, what: str) -> None:
        self.statusBar().showMessage(f"Restart Wardrobe to use {what}", 10_000)

    @Slot()
    def open_about(self) -> AboutDialog:
        dialog = AboutDialog(self.session.model_status, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session.modelStatusChanged.connect(dialog.show_model)
        dialog.open()
        return dialog

    @Slot()
    def export(self) -> None:
        self.exports.start(self.session.wardrobe, self.session.runner)

    @Slot()
    def back_up(self) -> None:
        self.backups.start(self.session.wardrobe, self.session.runner)

    # --- shutdown ----------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close():
            event.ignore()  # the user chose to keep importing
            return
        if not self.garment_view.may_leave():
            event.ignore()  # the user chose to keep an edit that could not be saved
            return
        dialog = self.importer.dialog
        if dialog is not None:
            dialog.stop()  # asked already (or nothing was left to lose)
        if self.importer.busy():
            self.importer.stop_all()
        # Photos already accepted (or imported) are saved before the workers go: a
        # shutdown drops queued jobs, and a quick close after "Accept all" lost them.
        self.hide()  # gone at once, not frozen unpainted while the last saves finish
        self.session.runner.finish_queue(Queue.WRITE, 60_000)
        # The model's loading job, re-embedding the garments for a new model (minutes on a
        # big wardrobe), stops after its batch, keeping those done: not waited for here.
        # Before a touch-up's save is waited for: queued behind that job, it waited up to
        # 60 s; it is saved all the same (embedded by the model loaded, not in step).
        self.session.wardrobe.interrupt()
        if self.garment_view.saving_touch_up():
            # Its save waits on the model's queue (behind the import just stopped, or the
            # model loading), which the shutdown would drop: the cut-out saved was lost.
            self.session.runner.finish_queue(Queue.MODEL, 60_000)
        self._delete_queued_at_close()
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.session.runner.shutdown(15_000)
        super().closeEvent(event)

    def _may_close(self) -> bool:
        """Closing during an import stops it: asked first where photos would be lost."""
        dialog = self.importer.dialog
        if dialog is not None and dialog.isVisible():
            return dialog.may_stop()
        if self.importer.analysing():  # only saves left: they finish, nothing to ask
            return self.confirm_stop_import()
        return True

    def confirm_stop_import(self) -> bool:
        return ask_yes(
            self,
            STOP_IMPORT,
            f"{STOP_IMPORT}\nPhotos are still being imported. Those imported so far stay in "
            "the wardrobe; the rest are not imported.",
            yes_by_default=False,
        )


def _local_paths(urls: list[QUrl]) -> list[Path]:
    return [_local_path(u) for u in urls if u.isLocalFile()]


def _local_path(url: QUrl) -> Path:
    """The file a local link names. A name that is not UTF-8 (an old camera's, another
    system's disk) came back from ``toLocalFile`` with U+FFFD in place of its bytes: a
    file that is not there. Its bytes are taken from the link as the file system has
    them (POSIX; a Windows name is UTF-16, never lost so)."""
    local = url.toLocalFile()
    if "\ufffd" in local and os.name == "posix" and not url.host():
        encoded = url.path(QUrl.ComponentFormattingOption.FullyEncoded)
        return Path(os.fsdecode(unquote_to_bytes(encoded)))
    return Path(local)


def _split_by_name(urls: list[QUrl]) -> tuple[list[Path], list[Path]]:
    """(photos and folders, maybe folders) among the local links dragged, told by their
    names alone. Taken: a photo's suffix, a name that is no known kind of file (a folder:
    "Holiday 2024", "Trip.2024"), or a link ending with / (a folder, as macOS gives
    them). Maybe folders: names of a text file, a PDF, a video or a sound, which only
    the disk can tell from folders named so ("Trip.ts", "Berlin.csv"). Asking the disk
    on the GUI thread froze the window during the drag on a slow network share."""
    taken: list[Path] = []
    maybe: list[Path] = []
    for url in urls:
        if url.isLocalFile():
            path = _local_path(url)
            folder_link = url.path().endswith("/")
            (taken if folder_link or not _known_non_photo(path) else maybe).append(path)
    return taken, maybe


# The kinds refused at the door. Not every kind the system knows a suffix of: folders
# named "Photos.bak", "Jan.ai" or "Shop.com" were (a backup file, Illustrator, MS-DOS).
_REFUSED_KINDS = ("text/", "video/", "audio/", "application/pdf")


def _known_non_photo(path: Path) -> bool:
    """A text file, a PDF, a video or a sound, by its name."""
    if not path.suffix or is_image_path(path):
        return False
    kind = mimetypes.guess_type(path.name, strict=False)[0]
    return kind is not None and kind.startswith(_REFUSED_KINDS)


def _saves_before(command: QUndoCommand | None) -> int:
    """The touch-up saves asked for before a step on the stack (none: 0)."""
    steps = (DeleteCommand, TouchUpCommand, FieldEditCommand)
    return command.saves_before if isinstance(command, steps) else 0


def _separator(parent: QWidget) -> QLabel:
    label = QLabel("·", parent)
    label.setContentsMargins(4, 0, 4, 0)
    return label


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]
