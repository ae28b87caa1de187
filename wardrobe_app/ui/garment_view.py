"""One garment: the large cut-out, the original photo with a mask-overlay toggle, its
editable details (saved as you type), the similar items and what it was worn with."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import Enum
from functools import partial
from pathlib import Path
from typing import cast

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFocusEvent, QFont, QImage, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..service import closest_shown
from ..services.edits import normalise_tags
from ..store.database import storage_trouble
from ..types import CATEGORIES, LABEL_OF_CATEGORY, Category, GarmentRecord, SimilarItems
from ..vision.fine_types import FINE_TYPE_CATEGORY
from ..vision.image_io import ImageLoadError
from .ask import ask_yes
from .colour_swatches import ColourSwatches
from .column_scroll import ColumnScroll, ShrinkingColumn
from .elided_label import ElidedLabel
from .garment_model import display_name
from .garment_strip import GarmentStrip
from .icons import heart_icon, keep_dot_items, keep_line_icon
from .image_view import ImageView
from .imaging import load_scaled, preview_pair
from .mask_editor import MaskEditorDialog
from .model_loader import ModelLoadError, not_loaded
from .session import WardrobeSession
from .settings import AppSettings
from .theme import CATEGORY_COLOURS, category_label
from .thumbnails import ThumbnailCache
from .workers import ErrorInfo, Queue, WorkerContext
from .wrap_row import WrapRow

log = logging.getLogger(__name__)

SIMILAR_K = 12
SIMILAR_TITLE = "Similar items"
# Over the strip where none passes the similar floor and the nearest few are shown.
CLOSEST_TITLE = "Closest in your wardrobe, less alike"
# The similar strip of a garment a read-only wardrobe cannot compare (``not_compared``).
NOT_COMPARED = (
    "Not compared: this garment was described by another version of the similar-items "
    "model, and this read-only wardrobe cannot describe it again"
)
BIG = QSize(900, 900)
PHOTO_SIDE = 1200
DELETE_SHOWN_TIP = "Delete this garment (Del)"  # its Delete, and the tool bar's on its page


class SaveKind(Enum):
    """What a page's save on the model's queue writes, in the words the window waiting
    for it uses ("Undo (waiting for a change of category)")."""

    TOUCH_UP = "a touch-up"  # a new cut-out, or a touch-up's undo or redo
    CATEGORY = "a change of category"  # the page's (``_save_category``)
    FIELDS = "an edit"  # a field edit's undo or redo (``save_fields``)


@dataclass(frozen=True)
class QueuedSave:
    """One of the page's saves waiting on the model's queue (or running there). The page
    keeps one list of them in the order asked, as the queue runs them (one at a time,
    first come first served): parallel lists had to be kept in step."""

    garment_id: int
    kind: SaveKind
    # A new touch-up's number (``saves_asked``), whose undo step is pushed once saved;
    # None: its step pushed already, or none of its own (an undo's or a redo's save).
    number: int | None = None
    # The type a category change also clears (one of another category), in the same
    # write, where still stored: written at once, it stayed cleared, a step of its own,
    # where the save failed.
    type_was: str | None = None


@dataclass
class GarmentImages:
    garment_id: int
    cutout: QImage
    photo: QImage | None
    overlay: QImage | None
    serial: int = 0  # the page's count of loads asked for when this one was


def _load_images(
    ctx: WorkerContext, session: WardrobeSession, record: GarmentRecord, serial: int = 0
) -> GarmentImages:
    cutout = load_scaled(record.cutout_path, BIG)
    photo: QImage | None = None
    overlay: QImage | None = None
    ctx.check_cancelled()
    try:
        from ..vision.image_io import load_image

        # masks and labels are at the analysed size: scale them to the preview
        rgb = load_image(record.photo_path, max_side=PHOTO_SIDE)  # a JPEG decoded small
        ctx.check_cancelled()
        stored = session.wardrobe.photo_labels(record.id)
        labels = (
            np.array(_resize_nearest(stored, rgb.shape[:2]), np.uint8)
            if stored is not None
            else np.zeros(rgb.shape[:2], np.uint8)
        )
        highlight = _mask(record.mask_path, rgb.shape[:2])
        ctx.check_cancelled()
        labels = _live_garments_only(session, record, labels, highlight)
        if highlight is not None:  # in its category as saved: the map has the model's class
            labels[highlight] = LABEL_OF_CATEGORY[record.category]
        photo, overlay = preview_pair(rgb, labels, max_side=PHOTO_SIDE, highlight=highlight)
    except Exception:  # the original photo is missing or unreadable: show the cut-out only
        photo = overlay = None
    return GarmentImages(record.id, cutout, photo, overlay, serial)


def _live_garments_only(
    session: WardrobeSession, record: GarmentRecord, labels: np.ndarray, own: np.ndarray | None
) -> np.ndarray:
    """The photo's label map drawing only its garments in the wardrobe: one deleted, or
    left out at review, stayed tinted here. Undo of a delete lists it again, and it is
    drawn again. Where a mask is lost the whole map is drawn, as before; a deleted
    garment's mask lost only leaves what it touches of a live one's region drawn."""
    from ..vision.label_map import of_garments

    others = session.wardrobe.worn_with(record.id)
    found = [own] + [_mask(r.mask_path, labels.shape) for r in others]
    masks = [m for m in found if m is not None]
    if len(masks) != len(found):
        return labels
    deleted = [_mask(r.mask_path, labels.shape) for r in session.wardrobe.deleted_with(record.id)]
    # In their categories: a deleted one drawn over a live one's mask (a touch-up) is not
    # drawn over it
    classes = [LABEL_OF_CATEGORY[r.category] for r in (record, *others)]
    return of_garments(labels, masks, [m for m in deleted if m is not None], classes)


def _mask(path: Path, shape: tuple[int, ...]) -> np.ndarray | None:
    try:
        from PIL import Image

        with Image.open(path) as im:
            mask = np.asarray(im.convert("L")) > 127
    except Exception:
        return None
    return _resize_nearest(mask.astype(np.uint8), shape) > 0


def _resize_nearest(arr: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if arr.shape[:2] == tuple(shape[:2]):
        return arr
    import cv2

    return np.asarray(cv2.resize(arr, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST))


class GarmentView(QWidget):
    back = Signal()
    vanished = Signal()  # the garment shown was deleted elsewhere (another program)
    openGarment = Signal(int)
    deleteRequested = Signal(list)
    edited = Signal(object)  # GarmentRecord after a save
    # GarmentRecord after, mask before, after, and its save's number (``saves_asked``)
    touchedUp = Signal(object, object, object, int)
    touchUpDone = Signal(int)  # a garment's touch-up save ended (saved or not)
    touchUpSaving = Signal(int)  # a garment's touch-up save was queued
    # A new touch-up's save (its number, ``saves_asked``) ended without its undo step
    touchUpLost = Signal(int)
    notice = Signal(str)  # a line for the status bar
    # An undo's or redo's words of a garment (its id), said next by ``notice``: the
    # window takes them back once a later change of that garment lands
    stepSaid = Signal(int, str)
    # A field edit committed (left, or a category or favourite chosen): garment id, the
    # field (``EDITED_FIELDS``), its value before and after, the garment's name after.
    fieldEdited = Signal(int, str, object, object, str)
    # A field edit whose step was pushed was not saved: garment id, field, value after.
    fieldEditLost = Signal(int, str, object)
    # An edit typed became, or is no more, one not made a step yet (``typed_step``)
    typedChanged = Signal()
    # The notes left (their focus gone, as a line edit's ``editingFinished``)
    _notesLeft = Signal()

    def __init__(
        self,
        session: WardrobeSession,
        thumbnails: ThumbnailCache,
        settings: AppSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("garmentView")
        self.session = session
        self.settings = settings
        self.record: GarmentRecord | None = None
        self.images: GarmentImages | None = None
        self._loading = False
        self._images_asked = 0  # loads of pictures asked for (the newest shown)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(500)
        self._save_timer.timeout.connect(self._autosave)
        self._pending_save = False
        # Each field's value before the autosaves of the stretch of editing not committed
        # yet: one undo step for them all (old -> final), not one per autosave.
        self._edit_from: dict[str, object] = {}
        # The page's saves on the model's queue (touch-ups, category changes, field
        # edits' undos and redos), in order. A garment with an edit's undo or redo there
        # has its page's fields locked till it is written (``_lock_fields``): the
        # autosave writes at once, so an edit typed meanwhile was then overwritten by the
        # undo though pushed as the newest step. Of its category changes, the one saved
        # last is shown.
        self._saves: list[QueuedSave] = []
        self._saves_asked = 0  # saves asked for: the next one's number
        # The shown garment's stored type, cleared on the page by a category change and
        # left to that change's save (None: none such, or typed in since).
        self._type_dropped: str | None = None
        self._focus_before_lock: QWidget | None = None
        self._focus_moved_at_lock: QWidget | None = None  # where Qt moved it from there
        # The window's: whether a garment's delete is asked for and waits (for a save).
        # Touched up meanwhile, its step went on the undo stack before the delete's (done
        # once that save ended): Ctrl+Z undid the delete first, though the touch-up was
        # done last; put above the delete, its undo (a garment deleted) cannot be done.
        self.delete_waits: Callable[[int], bool] = lambda _garment_id: False
        # Where Qt moved the keyboard from Touch up… as it went off (see _enable_touch_up).
        self._focus_moved_to: QWidget | None = None

        # header
        self.back_button = QToolButton(self)
        self.back_button.setObjectName("backButton")
        self.back_button.setText("All garments")
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_button.setAutoRaise(True)
        self.back_button.setToolTip("Back to the grid (Esc)")
        self.back_button.clicked.connect(self._go_back)
        self.title = ElidedLabel(parent=self)  # a long name must not widen the window
        self.title.setObjectName("garmentTitle")
        tf = QFont(self.title.font())
        tf.setPointSizeF(tf.pointSizeF() * 1.5)
        tf.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(tf)
        self.favourite = QPushButton(heart_icon(False), "Favourite", self)
        self.favourite.setObjectName("favouriteButton")
        self.favourite.setToolTip("Mark it as a favourite: the grid's Favourites lists it")
        self.favourite.setCheckable(True)
        self.favourite.toggled.connect(self._favourite_toggled)
        self.touch_up_button = QPushButton("Touch up…", self)
        self.touch_up_button.setObjectName("touchUpButton")
        self.touch_up_button.setToolTip("Paint or erase the cut-out's edges on the photo")
        self.touch_up_button.setEnabled(False)  # until the photo is known to be there
        self.touch_up_button.clicked.connect(self._touch_up)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setObjectName("deleteButton")
        self.delete_button.setToolTip(DELETE_SHOWN_TIP)
        # Drawn in the text colour: the style's arrow stayed dark on the dark scheme.
        for button, icon in ((self.back_button, "back"), (self.delete_button, "delete")):
            keep_line_icon(button, icon, QPalette.ColorRole.WindowText)
        self.delete_button.clicked.connect(self._delete)
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addSpacing(8)
        header.addWidget(self.title, 1)
        header.addWidget(self.touch_up_button)
        header.addWidget(self.favourite)
        header.addWidget(self.delete_button)
        # Tab as drawn: Touch up (made after Favourite) was reached after it.
        QWidget.setTabOrder(self.back_button, self.touch_up_button)
        QWidget.setTabOrder(self.touch_up_button, self.favourite)
        QWidget.setTabOrder(self.favourite, self.delete_button)

        # picture: cut-out or photo (+ mask overlay)
        self.cutout_mode = QToolButton(self)
        self.cutout_mode.setText("Cut-out")
        self.photo_mode = QToolButton(self)
        self.photo_mode.setText("Original photo")
        self.photo_mode.setObjectName("photoMode")
        for b in (self.cutout_mode, self.photo_mode):
            b.setCheckable(True)
            b.setProperty("chip", True)
        self.cutout_mode.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.cutout_mode)
        group.addButton(self.photo_mode)
        group.setExclusive(True)
        self.cutout_mode.toggled.connect(self._show_picture)
        # As the review's "Show the garments found" ("mask" is a word of the trade); off on
        # the cut-out, which its tooltip explains.
        self.overlay_toggle = QCheckBox("Show the garment", self)
        self.overlay_toggle.setObjectName("overlayToggle")
        self.overlay_toggle.setToolTip("Tint the garment on the original photo")
        self.overlay_toggle.setChecked(True)
        self.overlay_toggle.toggled.connect(self._show_picture)
        # A low minimum: in a short window (1366x768 at 150%) the picture gives way before
        # the similar strip has to scroll out of sight; narrow, so that the page fits
        # 1366x768 at 200% (683x384) beside the details.
        self.picture = ImageView(self, placeholder="Loading…", min_size=QSize(210, 140))
        self.picture.setObjectName("picture")
        # The check box goes under the two buttons where the column is narrow: beside them
        # the row needed 348 px, and the window 792 px.
        modes = WrapRow([self.cutout_mode, self.photo_mode], self.overlay_toggle)
        left_column = ShrinkingColumn(self)
        left = QVBoxLayout(left_column)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(10)  # as the page's: inherited, the row's 18 took it from the photo
        left.addLayout(modes)
        left.addWidget(self.picture, 1)

        # details form
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("nameEdit")
        self.category_combo = QComboBox(self)
        self.category_combo.setObjectName("categoryCombo")
        for cat in CATEGORIES:
            self.category_combo.addItem(category_label(cat), cat)
        # its colour kept when the box is off (a read-only wardrobe)
        keep_dot_items(
            self.category_combo, [CATEGORY_COLOURS[c] for c in CATEGORIES], keep_when_disabled=True
        )
        self.type_edit = QLineEdit(self)
        self.type_edit.setObjectName("typeEdit")
        self.type_edit.setPlaceholderText("e.g. t-shirt, jeans, dress")
        self.tags_edit = QLineEdit(self)
        self.tags_edit.setObjectName("tagsEdit")
        self.tags_edit.setPlaceholderText("comma separated, e.g. summer, work")
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setPlaceholderText("Where it's from, size, care…")
        self.size_notes()
        self.notes_edit.setTabChangesFocus(True)  # Tab moves on, as in every other field
        # Wrapped between colours: four on one line (410 px) made the details column
        # wider than its 360 px, which then scrolled sideways.
        self.colours_label = ColourSwatches(self)
        self.added_label = QLabel(self)
        self.saved_label = QLabel(self)
        self.saved_label.setObjectName("savedLabel")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        form.addRow("Name", self.name_edit)
        form.addRow("Category", self.category_combo)
        form.addRow("Type", self.type_edit)
        form.addRow("Tags", self.tags_edit)
        form.addRow("Notes", self.notes_edit)
        form.addRow("Colours", self.colours_label)
        form.addRow("Added", self.added_label)
        for edit in (self.name_edit, self.type_edit, self.tags_edit):
            edit.textEdited.connect(self._schedule_save)
            edit.editingFinished.connect(self._editing_finished)
        self.notes_edit.textChanged.connect(self._notes_changed)
        # Left, the notes are saved and made a step as the line edits are: they were made
        # one only by the next Ctrl+Z (``commit_typed``), so Edit > Undo still named the
        # step before ("Undo tags change of ...") while Ctrl+Z undid the notes.
        self.notes_edit.installEventFilter(self)
        self._notesLeft.connect(self._editing_finished)
        self.category_combo.activated.connect(self._category_changed)
        # Del in the category box is about the box (it ignores it), not the window's
        # "delete this garment": claim the key before the shortcut sees it.
        self.category_combo.installEventFilter(self)

        self.worn_with = GarmentStrip(
            None,
            thumb=84,
            parent=self,
            show_subtitle=False,
            empty_text="Not worn with anything else in your photos",
        )
        self.worn_with.setObjectName("wornWith")
        self.worn_with.view.setAccessibleName("Worn with")
        self.worn_with.garmentClicked.connect(self.openGarment)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.saved_label, 0, Qt.AlignmentFlag.AlignRight)
        right.addSpacing(6)
        right.addWidget(_section("Worn with", self))
        right.addWidget(self.worn_with)
        right.addStretch(1)
        details = QFrame(self)
        details.setLayout(right)
        # Scrolled where the window is short: the form and "worn with" must not set the
        # window's minimum height (it has to fit a 1366x768 laptop screen).
        details_scroll = ColumnScroll(details, self)
        details_scroll.setObjectName("detailsScroll")
        details_scroll.setMinimumWidth(360)
        details_scroll.setMaximumWidth(520)

        # similar items
        self.any_category = QCheckBox("Any category", self)
        self.any_category.setObjectName("anyCategory")
        self.any_category.setToolTip("Also show similar garments of other categories")
        self.any_category.setChecked(settings.similar_any_category)
        self.any_category.toggled.connect(self._any_category_toggled)
        sim_header = QHBoxLayout()
        self.similar_title = _section(SIMILAR_TITLE, self)
        self.similar_title.setObjectName("similarTitle")
        sim_header.addWidget(self.similar_title)
        sim_header.addStretch(1)
        sim_header.addWidget(self.any_category)
        self.similar = GarmentStrip(None, thumb=110, parent=self, empty_text="Nothing similar yet")
        self.similar.setObjectName("similarStrip")
        self.similar.view.setAccessibleName(SIMILAR_TITLE)
        self.similar.garmentClicked.connect(self.openGarment)
        # Tab in reading order: the left column down (its "Similar items", made last,
        # came after the whole right column), then the right
        QWidget.setTabOrder(self.overlay_toggle, self.any_category)
        QWidget.setTabOrder(self.any_category, self.similar.view)
        QWidget.setTabOrder(self.similar.view, self.name_edit)

        # The similar items under the picture, the details beside both: across the page
        # the strip took their height from the details too, and "Worn with" fell below
        # the fold at 1366x768.
        left.addLayout(sim_header)
        left.addWidget(self.similar)
        # Scrolled too, once the picture is at its smallest: the strip's cards must not set
        # the window's minimum height (635 px, past a 1366x768 screen at 150%).
        left_scroll = ColumnScroll(left_column, self)
        left_scroll.setObjectName("pictureScroll")
        top = QHBoxLayout()
        top.setSpacing(18)
        top.addWidget(left_scroll, 3)
        top.addWidget(details_scroll, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addLayout(top, 1)

        self.set_thumbnails(thumbnails)
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self,
            self._go_back,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        # Back (Alt+Left) is the main window's action: a shortcut here too made it ambiguous.

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.category_combo
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            event.accept()
        if (
            watched is self.notes_edit
            and event.type() == QEvent.Type.FocusOut
            and isinstance(event, QFocusEvent)
            and not self._own_menu_open(event)
        ):
            self._notesLeft.emit()
        return super().eventFilter(watched, event)

    def _own_menu_open(self, event: QFocusEvent) -> bool:
        """The notes' focus went to their own context menu: not left (a line edit's
        ``editingFinished`` is not emitted then either; the window's menus do emit it)."""
        popup = QApplication.activePopupWidget()
        own = popup is not None and popup.parentWidget() is self.notes_edit
        return event.reason() == Qt.FocusReason.PopupFocusReason and own

    def set_thumbnails(self, thumbnails: ThumbnailCache) -> None:
        for strip in (self.similar, self.worn_with):
            strip.model.thumbnails = thumbnails
            thumbnails.loaded.connect(strip.model._thumbnail_loaded)

    # --- showing a garment -------------------------------------------------------------
    def show_garment(self, record: GarmentRecord) -> None:
        if not self.may_leave():
            return
        self._edit_from.clear()  # committed by may_leave (or discarded on leaving)
        self.record = record
        self.images = None
        self._fill(record)
        self.picture.set_image(None)
        self.picture.set_placeholder("Loading…")
        self.cutout_mode.setChecked(True)
        self.photo_mode.setEnabled(False)
        self.overlay_toggle.setEnabled(False)
        self._enable_touch_up(False)
        self._lock_fields()
        self._start_loading_images(record)
        self.refresh_related()

    def _start_loading_images(self, record: GarmentRecord) -> None:
        self._images_asked += 1
        self.session.runner.start(
            partial(_load_images, session=self.session, record=record, serial=self._images_asked),
            queue=Queue.READ,
            title="Loading the garment's pictures",
            on_result=self._images_loaded,
        )

    def refresh_related(self) -> None:
        record = self.record
        if record is None:
            return
        self._set_similar_title(SIMILAR_TITLE)  # not "less alike" over another's search
        self.similar.set_message("Finding similar items…", busy=True)
        self.worn_with.set_message("…", busy=True)
        same = not self.any_category.isChecked()
        wardrobe = self.session.wardrobe
        gid = record.id

        def similar(ctx: WorkerContext) -> tuple[int, SimilarItems | ModelLoadError | None]:
            try:
                items = wardrobe.similar_items_many([gid], k=SIMILAR_K, same_category=same)[gid]
            except KeyError:  # deleted before the search began: its page is left, no error
                items = SimilarItems([], [])
            except ModelLoadError as exc:
                # Needed where vectors of two models are held (a reindex stopped part-way):
                # said on the page, not in an error box at each garment opened.
                return gid, exc
            # None: not compared (a read-only wardrobe's vector of another model).
            return gid, None if gid in wardrobe.not_compared() else items

        def worn_with(ctx: WorkerContext) -> tuple[int, list[GarmentRecord]]:
            return gid, wardrobe.worn_with(gid)

        self.session.runner.start(
            similar,
            queue=Queue.READ,
            title="Finding similar items",
            on_result=self._similar_loaded,
            on_error=self._similar_failed,
        )
        self.session.runner.start(
            worn_with,
            queue=Queue.READ,
            title="Finding what it was worn with",
            on_result=self._worn_loaded,
        )

    def size_notes(self) -> None:
        """Three lines to write in (four pushed "Worn with" below the fold at 1366x768);
        one where there is nothing to read and nothing may be written (read-only)."""
        # The wardrobe's read-only, not the field's: the field is also read-only while
        # an undo of the garment's edit waits, and an undone note, refilled then, kept
        # one line once writable again (the page jumped up under the pointer).
        locked_for_good = self.session.wardrobe.read_only
        empty = locked_for_good and not self.notes_edit.toPlainText()
        lines = self.notes_edit.fontMetrics().lineSpacing() * (1 if empty else 3)
        self.notes_edit.setFixedHeight(lines + 2 * self.notes_edit.frameWidth() + 10)

    def _fill(self, record: GarmentRecord) -> None:
        self._loading = True
        self._type_dropped = None
        self.title.setText(display_name(record))
        self.name_edit.setText(record.name)
        self.name_edit.setPlaceholderText(display_name(record))
        self.category_combo.setCurrentIndex(max(0, self.category_combo.findData(record.category)))
        self.type_edit.setText(record.fine_type or "")
        self.tags_edit.setText(", ".join(record.tags))
        # Each field from its start: setText leaves the cursor at the end, and a name
        # longer than its field read "…n the little shop in Lisbon", its start hidden.
        for edit in (self.name_edit, self.type_edit, self.tags_edit):
            edit.setCursorPosition(0)
        self.notes_edit.setPlainText(record.notes)
        self.size_notes()
        self.favourite.setChecked(record.favourite)
        self.favourite.setIcon(heart_icon(record.favourite))
        self._show_colours(record)
        self.added_label.setText(record.created_at.strftime("%d %B %Y, %H:%M"))
        self.saved_label.setText("")
        self._loading = False

    def _show_colours(self, record: GarmentRecord) -> None:
        """The swatches, each share in the palette's muted text colour."""
        self.colours_label.show_colours(record.colours[:4], self.palette())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Light or dark chosen in Settings while a garment is shown: its shares kept the
        # old scheme's grey, dim on the dark one (#686d74 on #202124, 3.1:1; its own grey, 6.6:1).
        record = getattr(self, "record", None)  # None too while it is being built
        if event.type() == QEvent.Type.PaletteChange and record is not None:
            self._show_colours(record)

    @Slot(object)
    def _images_loaded(self, images: GarmentImages) -> None:
        record = self.record
        if record is None or images.garment_id != record.id:
            return  # the user moved on
        if self.images is not None and images.serial < self.images.serial:
            return  # made before a change (of category, of the photo's map): after newer
        self.images = images
        has_photo = images.photo is not None
        self.photo_mode.setEnabled(has_photo)
        self.photo_mode.setToolTip("" if has_photo else "The original photo is missing or damaged")
        self._update_touch_up_button()
        self._show_picture()

    @Slot()
    def _show_picture(self) -> None:
        images = self.images
        photo_mode = self.photo_mode.isChecked()
        self.overlay_toggle.setEnabled(
            photo_mode and images is not None and images.overlay is not None
        )
        if images is None:
            return
        if photo_mode and images.photo is not None:
            use_overlay = self.overlay_toggle.isChecked() and images.overlay is not None
            self.picture.set_image(images.overlay if use_overlay else images.photo)
        else:
            self.picture.set_image(images.cutout)
            if images.cutout.isNull():
                self.picture.set_placeholder(
                    "The cut-out file is missing or damaged: "
                    "`wardrobe-cli verify` lists what is wrong and what to do"
                )

    @Slot(object)
    def _similar_loaded(self, result: tuple[int, SimilarItems | ModelLoadError | None]) -> None:
        gid, items = result
        if self.record is None or gid != self.record.id:
            return
        if isinstance(items, ModelLoadError):
            self.similar.set_message(f"Could not look for similar items. {not_loaded(str(items))}")
            return
        if items is None:  # "nothing similar" would be wrong: it was not looked for
            self.similar.set_message(NOT_COMPARED)
            return
        # None alike: the nearest few, said to be less alike, rather than "Nothing
        # similar" beside a wardrobe of tops (the floor still decides what is "similar").
        hits = items.alike or closest_shown(items)
        if not hits:
            self.similar.set_message(self._nothing_similar())
            return
        if not items.alike:
            self._set_similar_title(CLOSEST_TITLE)
        self.similar.set_records([h.garment for h in hits], [h.score for h in hits])

    def _set_similar_title(self, title: str) -> None:
        self.similar_title.setText(title)
        self.similar.view.setAccessibleName(title)

    def _nothing_similar(self) -> str:
        """Where nothing was found: "in your wardrobe" left a blouse's owner, with tops
        in it, wondering; the search was among the tops only (see "Any category")."""
        if self.any_category.isChecked() or self.record is None:
            return "Nothing similar in your wardrobe yet"
        kind = category_label(self.record.category).lower()
        return f"Nothing similar among your {kind}s yet: tick Any category to look further"

    @Slot(object)
    def _similar_failed(self, info: ErrorInfo) -> None:
        self.similar.set_message(f"Could not find similar items: {info.message}")

    @Slot(object)
    def _worn_loaded(self, result: tuple[int, list[GarmentRecord]]) -> None:
        gid, records = result
        if self.record is None or gid != self.record.id:
            return
        if records:
            self.worn_with.set_records(records)
        else:
            self.worn_with.set_message("Not worn with anything else in your photos")

    @Slot(bool)
    def _any_category_toggled(self, on: bool) -> None:
        self.settings.similar_any_category = on
        self.refresh_related()

    # --- editing -----------------------------------------------------------------------
    @Slot()
    def _schedule_save(self) -> None:
        if self._loading or self.record is None:
            return
        self._pending_save = True
        self.saved_label.setText("Editing…")
        self._save_timer.start()
        self.typedChanged.emit()  # Edit > Undo names it (``typed_step``)

    @Slot()
    def _notes_changed(self) -> None:
        self._schedule_save()

    @Slot()
    def _editing_finished(self) -> None:
        """Save what is pending, and show the field as it was stored: an autosave made
        while typing left its raw text (' summer,, Work ,' for ['summer', 'Work'])."""
        if self._pending_save:
            self.save_now()
        elif self.record is not None:
            self._show_stored(self.record)
            self.commit_edits()  # its autosaves, one undo step

    @Slot()
    def _autosave(self) -> None:
        # Fired while the user may still be typing: the field they are in is not
        # rewritten under their cursor (leaving it or Enter shows it as stored).
        self.save_now(keep_focused=True)

    @Slot(int)
    def _category_changed(self, _index: int) -> None:
        self._drop_type_of_another_category()
        self._schedule_save()
        self.save_now()

    def _drop_type_of_another_category(self) -> None:
        """A known type of another category ("Dress" on what is now a bottom) is cleared,
        as the review does: the card read "Bottom · Dress". A type of the user's own
        words ("culottes") is theirs to keep."""
        typed = self.type_edit.text().strip().lower()
        known = {name.lower(): cat for name, cat in FINE_TYPE_CATEGORY.items()}
        chosen = self.category_combo.currentData()
        if known.get(typed, chosen) != chosen:
            record = self.record
            # The type stored, the one shown or one typed over and not saved yet, is
            # cleared in the category's queued save: one step, kept where it fails.
            # Written at once, one typed over stayed cleared, a step of its own. (The
            # same category chosen again queues no save: written at once, as before.)
            if record is not None and record.fine_type and record.category != chosen:
                self._type_dropped = record.fine_type
            self.type_edit.clear()

    @Slot(bool)
    def _favourite_toggled(self, on: bool) -> None:
        self.favourite.setIcon(heart_icon(on))
        if not self._loading:
            self._schedule_save()
            self.save_now()

    def save_now(self, keep_focused: bool = False) -> None:
        """Write the edited fields now (also when leaving the page), then show them as
        stored; with ``keep_focused``, all but the one being typed in."""
        self._save_timer.stop()
        record = self.record
        if not self._pending_save or record is None:
            return
        self._pending_save = False
        tags = _tags_in(self.tags_edit.text())
        category = str(self.category_combo.currentData())
        if self.type_edit.text().strip():  # typed in since: the user's, written now
            self._type_dropped = None
        # A type cleared by the category change: written with it, on the queue
        dropping = self._type_dropped is not None
        try:
            # Not the category: its change (the photo's label map made again, three PNGs
            # read and one written: ~195 ms at 12 MP) is saved on the model's queue
            # (``_save_category``); the other fields are written here, at once.
            updated = self.session.wardrobe.update_garment(
                record.id,
                name=self.name_edit.text(),
                fine_type=None if dropping else self.type_edit.text(),
                tags=tags,
                notes=self.notes_edit.toPlainText(),
                favourite=self.favourite.isChecked(),
            )
        except KeyError:  # deleted by another program while shown here
            self.saved_label.setText("This garment was deleted")
            self.vanished.emit()
            return
        except Exception:
            # Still pending: the fields keep the edit, and the next change or leaving
            # the page tries again (the error itself is reported as usual).
            self._pending_save = True
            self.saved_label.setText("Not saved yet")
            raise
        # The page's category: the one its saves on the queue store (the database may
        # not have it yet)
        updated = replace(updated, category=cast(Category, category))
        if dropping:
            updated = replace(updated, fine_type=None)
        if category != record.category:
            # Unless a change queued before clears that type already. (Another type,
            # typed since, was left stored, shown cleared: one save cleared the first.)
            dropped = self._types_dropped(record.id)
            drop = self._type_dropped if self._type_dropped not in dropped else None
            self._save_category(record.id, category, type_was=drop)
        for field in EDITED_FIELDS:  # the value before this stretch of editing
            if getattr(updated, field) != getattr(record, field):
                self._edit_from.setdefault(field, getattr(record, field))
        self.record = updated
        self.title.setText(display_name(updated))
        self.name_edit.setPlaceholderText(display_name(updated))
        self._show_stored(updated, keep_focused)
        if self.saving_category(record.id):
            self.saved_label.setText("Saving…")
        else:
            self.saved_label.setText("Saved")
            self.edited.emit(updated)
        if not keep_focused:  # left the field, or a category or favourite chosen
            self.commit_edits()

    def commit_typed(self) -> None:
        """Before an undo or redo in the window (its tool bar's Undo, the keyboard still
        in the field): the edit typed is saved and made a step, the last thing done. One
        the storage refuses stays pending, not a step, as it was (asked about on leaving
        the page; Ctrl+Z is no question about it).
        Till then, Edit > Undo names it (``typed_step``)."""
        try:
            self.save_now()
        except Exception:  # "Not saved yet" beside it
            return
        self.commit_edits()

    def typed_step(self) -> tuple[int, str, str] | None:
        """The newest step ``commit_typed`` makes of the edit typed and not left yet (the
        one an undo then undoes): its garment, field and the garment's name after it;
        None where there is none. Edit > Undo named the step before, which the tool bar's
        Undo (the keyboard still in the field) did not undo: it undid this edit."""
        record = self.record
        if record is None or not (self._pending_save or self._edit_from):
            return None
        after = self._typed_record(record) if self._pending_save else record
        edits = dict(self._edit_from)
        for field in EDITED_FIELDS:  # as ``save_now`` and ``commit_edits`` make them
            if getattr(after, field) != getattr(record, field):
                edits.setdefault(field, getattr(record, field))
        newest = None
        both = ("category", "fine_type")
        if self._types_dropped(record.id) and all(f in edits for f in both):
            newest = "category"  # one step of both, made first
            edits = {f: v for f, v in edits.items() if f not in both}
        for field, stored in edits.items():
            if _as_written(field, stored) != _as_written(field, getattr(after, field)):
                newest = field
        return None if newest is None else (record.id, newest, display_name(after))

    def _typed_record(self, record: GarmentRecord) -> GarmentRecord:
        """``record`` as ``save_now`` stores the page's fields (``update_garment``)."""
        return replace(
            record,
            name=self.name_edit.text().strip(),
            category=cast(Category, str(self.category_combo.currentData())),
            fine_type=self.type_edit.text().strip() or None,
            tags=_tags_in(self.tags_edit.text()),
            notes=self.notes_edit.toPlainText(),
            favourite=self.favourite.isChecked(),
        )

    def commit_edits(self) -> None:
        """The edits saved since the last commit, one undo step per field changed
        (``fieldEdited``); a field typed back to what it was makes none."""
        record, edits = self.record, self._edit_from
        self._edit_from = {}
        if edits:  # typed back to what it was: no step, and none for Undo to name
            self.typedChanged.emit()
        if record is None:
            return
        both = ("category", "fine_type")
        if self._types_dropped(record.id) and all(f in edits for f in both):
            # The type cleared by the category change: one step, as it is one save
            was = {f: _as_written(f, edits.pop(f)) for f in both}
            now = {"category": record.category, "fine_type": record.fine_type or ""}
            self.fieldEdited.emit(record.id, "category", was, now, display_name(record))
        for field, stored in edits.items():
            before, after = _as_written(field, stored), _as_written(field, getattr(record, field))
            if after != before:
                self.fieldEdited.emit(record.id, field, before, after, display_name(record))

    def _show_stored(self, record: GarmentRecord, keep_focused: bool = False) -> None:
        """The line fields as the record has them (tags cleaned, a name of spaces empty).
        Only a field whose text means what is stored is rewritten: one with an edit not
        saved (refused, or asked about on leaving) keeps it; one already so, its cursor."""
        # The window's focus field, also while another window is active: the user may
        # come back to it and go on typing.
        typing = self.window().focusWidget() if keep_focused else None
        stored = (
            (self.name_edit, record.name, self.name_edit.text().strip()),
            (self.type_edit, record.fine_type or "", self.type_edit.text().strip()),
            (self.tags_edit, ", ".join(record.tags), ", ".join(_tags_in(self.tags_edit.text()))),
        )
        self._loading = True  # not an edit of the user's
        try:
            for edit, text, meant in stored:
                if edit.text() != text and meant == text and edit is not typing:
                    edit.setText(text)
        finally:
            self._loading = False

    def discard_pending(self) -> None:
        """Forget an edit not saved yet (its garment is gone)."""
        self._save_timer.stop()
        self._pending_save = False
        self._edit_from.clear()
        self.typedChanged.emit()

    def may_leave(self) -> bool:
        """Save a pending edit before the page shows another garment or goes away. Where
        the database refuses it (read-only, a full disk), ask whether to leave without
        it: saying so once, and staying until it can be saved, trapped people here."""
        try:
            self.save_now()
        except Exception as exc:
            name = display_name(self.record) if self.record is not None else "this garment"
            reason = storage_trouble(exc) or str(exc)
            # Not pending while asked: the question takes the focus from the field, whose
            # "editing finished" would save (and fail) again, behind the question.
            self._pending_save = False
            if confirm_discard_edit(self, name, reason):
                self.commit_edits()  # what was saved before stays undoable
                return True
            self._pending_save = True
            return False
        self.commit_edits()
        return True

    # -- touch-up ----------------------------------------------------------------------
    @Slot()
    def _touch_up(self) -> None:
        record = self.record
        if record is None or not self.may_leave():
            return
        wardrobe = self.session.wardrobe

        def load(ctx: WorkerContext) -> tuple[GarmentRecord, np.ndarray, np.ndarray] | str | None:
            try:
                rgb, mask = wardrobe.garment_picture(record.id)
            except KeyError:  # deleted by another program while shown here
                return None
            except (ImageLoadError, OSError) as exc:
                return str(exc)
            return record, rgb, mask

        self._enable_touch_up(False)
        self.session.runner.start(
            load,
            queue=Queue.READ,
            title="Opening the cut-out to touch it up",
            on_result=self._open_touch_up,
            on_finished=self._update_touch_up_button,
        )

    @Slot()
    def _update_touch_up_button(self) -> None:
        # Not while its last touch-up is being saved: a second one would start from the
        # cut-out before it, and its Save would undo the first.
        images, record = self.images, self.record
        self._enable_touch_up(
            images is not None
            and images.photo is not None
            and (
                record is None
                or (not self.saving_touch_up([record.id]) and not self.delete_waits(record.id))
            )
            and not self.session.wardrobe.read_only
        )

    def update_touch_up_button(self) -> None:
        """Touch up… on or off again: a delete of the garment shown was queued or done."""
        self._update_touch_up_button()

    def _enable_touch_up(self, on: bool) -> None:
        """Touch up… on or off (off while its photo loads and its cut-out is saved). Off
        with the keyboard on it, Qt moves the focus on to Favourite, where the next Space
        (meant for Touch up) made the garment a favourite: back on, it has the focus again,
        unless it was moved meanwhile."""
        button, window = self.touch_up_button, self.window()
        if not on and button.isEnabled() and window.focusWidget() is button:
            button.setEnabled(False)
            self._focus_moved_to = window.focusWidget()
            return
        button.setEnabled(on)
        if on and self._focus_moved_to is not None:
            if window.focusWidget() is self._focus_moved_to and self.isVisible():
                button.setFocus()
            self._focus_moved_to = None

    def saving_touch_up(self, garment_ids: Iterable[int] | None = None) -> bool:
        """A touch-up's save is queued or running: any, or one of ``garment_ids``."""
        if garment_ids is None:
            return bool(self._saves)
        ids = set(garment_ids)
        return any(save.garment_id in ids for save in self._saves)

    def saving_words(self, garment_ids: Iterable[int] | None = None) -> str:
        """What the last save queued (of any garment, or of one of ``garment_ids``) is
        of: "a touch-up", "a change of category" or "an edit" (an edit's undo or redo).
        A step waiting for the saves of its garments waits for that one last."""
        ids = None if garment_ids is None else set(garment_ids)
        words = [s.kind.value for s in self._saves if ids is None or s.garment_id in ids]
        return words[-1] if words else "a touch-up"

    def saving_new_touch_up(self, before: int | None = None, since: int = 0) -> bool:
        """A new touch-up is being saved (one asked for before ``before`` and not before
        ``since``, numbers from ``saves_asked``): its undo step is not pushed yet."""
        return any(
            n is not None and n >= since and (before is None or n < before)
            for n in (save.number for save in self._saves)
        )

    def new_touch_ups_saving(self) -> list[tuple[int, int]]:
        """The new touch-ups being saved, in order: their numbers and garments."""
        return [(s.number, s.garment_id) for s in self._saves if s.number is not None]

    def saves_asked(self) -> int:
        """The touch-up saves asked for so far: each save's number is below the count
        taken after it was asked for, to tell those asked for before a step from later ones."""
        return self._saves_asked

    def _queued(self, save: QueuedSave) -> None:
        """A save asked for on the model's queue: Touch up… off, the window told."""
        self._saves.append(save)
        self._saves_asked += 1
        if save.kind is SaveKind.FIELDS:
            self._lock_fields()
        self._update_touch_up_button()
        self.touchUpSaving.emit(save.garment_id)

    def _save_ended(self, pushed: list[bool]) -> None:
        """The first save on the model's queue ended (saved or not): ``pushed``, whether
        a new touch-up's undo step was pushed (on_result)."""
        save = self._saves.pop(0)
        # The type it cleared: written, or shown as stored (failed). Not another, cleared
        # since, which a later save clears.
        if save.type_was == self._type_dropped and self._shows(save.garment_id):
            self._type_dropped = None
        if save.kind is SaveKind.FIELDS:
            self._lock_fields()  # unlocked where it was the garment's last
        self._update_touch_up_button()
        if save.number is not None and not pushed[0]:
            self.touchUpLost.emit(save.number)
        self.touchUpDone.emit(save.garment_id)  # after its undo step was pushed (on_result)

    @Slot(object)
    def _open_touch_up(
        self, loaded: tuple[GarmentRecord, np.ndarray, np.ndarray] | str | None
    ) -> None:
        if loaded is None:
            self._garment_gone("This garment was deleted")
            return
        if isinstance(loaded, str):
            QMessageBox.warning(self, "Cannot touch up", f"Its photo cannot be read:\n\n{loaded}")
            return
        record, rgb, mask = loaded
        if self.record is None or self.record.id != record.id:
            return  # the user moved on
        if self.delete_waits(record.id):  # Del pressed while its cut-out was read
            self.notice.emit("Not touched up: the garment will be deleted")
            return
        editor = MaskEditorDialog(rgb, mask, record.category, display_name(record), self)
        editor.accepted.connect(lambda: self.save_mask(record.id, editor.drawn_mask(), mask))
        editor.finished.connect(editor.deleteLater)
        editor.open()

    def save_mask(
        self,
        garment_id: int,
        mask: np.ndarray,
        undo_to: np.ndarray | None = None,
        done: str = "Cut-out saved",
        failed: Callable[[], object] | None = None,
    ) -> None:
        """Give a garment ``mask`` on the model's queue (the new cut-out is embedded for
        similar items: on the GUI thread that froze the window behind an import's
        analysis). ``undo_to``: the mask it had, for the window's undo step (none when
        this is that step being undone or redone); ``done``: what is said once saved;
        ``failed``: called where it was not saved (garment gone, storage refused)."""
        wardrobe = self.session.wardrobe

        def save(ctx: WorkerContext) -> GarmentRecord | int | str:
            return _saved_or_why(garment_id, lambda: wardrobe.set_garment_mask(garment_id, mask))

        if self.record is not None and self.record.id == garment_id:
            self.saved_label.setText("Saving the cut-out…")
        number = self._saves_asked
        pushed = [False]  # its undo step, set once pushed (on_result)
        step = number if undo_to is not None else None
        self._queued(QueuedSave(garment_id, SaveKind.TOUCH_UP, number=step))
        self.session.runner.start(
            save,
            queue=Queue.MODEL,
            title="Saving the touched-up cut-out",
            on_result=partial(
                self._mask_saved,
                garment_id=garment_id,
                mask=mask,
                undo_to=undo_to,
                done=done,
                failed=failed,
                pushed=pushed,
                number=number,
            ),
            # A bug: its error box, and the window's step (an undo or redo) was not done
            on_error=partial(self._mask_not_saved, garment_id=garment_id, failed=failed),
            on_finished=partial(self._save_ended, pushed),
        )

    def save_fields(
        self,
        garment_id: int,
        values: dict[str, object],
        done: str,
        failed: Callable[[], object],
    ) -> None:
        """An edit's undo or redo (``values``: field -> value) through
        ``update_garment``, as the autosave writes it, on the model's queue behind the
        touch-ups' saves (one at a time, in the order asked; a window closing waits for
        it). ``failed``: called where it was not saved (garment gone, storage refused)."""
        wardrobe = self.session.wardrobe

        def save(ctx: WorkerContext) -> GarmentRecord | int | str:
            return _saved_or_why(
                garment_id,
                lambda: wardrobe.update_garment(garment_id, **values),  # type: ignore[arg-type]
            )

        if self.record is not None and self.record.id == garment_id:
            self.saved_label.setText("Saving…")
        self._queued(QueuedSave(garment_id, SaveKind.FIELDS))  # no new step to push
        self.session.runner.start(
            save,
            queue=Queue.MODEL,
            title="Saving the garment's details",
            on_result=partial(self._fields_saved, garment_id=garment_id, done=done, failed=failed),
            # A bug: its error box, and the window's step was not done
            on_error=partial(self._fields_not_saved, failed=failed),
            on_finished=partial(self._save_ended, [True]),
        )

    def _save_category(self, garment_id: int, category: str, type_was: str | None = None) -> None:
        """The page's category change written on the model's queue, with the touch-ups'
        saves and the edits' undos (one at a time, in the order asked: a later change, or
        an undo of this one, is written after it; a delete waits for it; a window closing
        waits for it). On the GUI thread, it froze the window ~195 ms on a 12 MP photo.
        ``type_was``: the type it clears (one of another category), in the same write,
        where still stored: a failure leaves both."""
        wardrobe = self.session.wardrobe
        fine_type = None if type_was is None else ""

        def save(ctx: WorkerContext) -> GarmentRecord | int | str:
            saved = _saved_or_why(
                garment_id,
                lambda: wardrobe.update_garment(
                    garment_id, category=category, fine_type=fine_type, fine_type_was=type_was
                ),
            )
            if not isinstance(saved, GarmentRecord):  # said on its result, unless closing
                log.warning("garment %s: its category change not saved: %s", garment_id, saved)
            return saved

        # Its step pushed already (``commit_edits``)
        self._queued(QueuedSave(garment_id, SaveKind.CATEGORY, type_was=type_was))
        self.session.runner.start(
            save,
            queue=Queue.MODEL,
            title="Saving the garment's category",
            on_result=partial(
                self._category_saved, garment_id=garment_id, category=category, type_was=type_was
            ),
            # A bug: its error box; the page shows what is stored
            on_error=partial(
                self._category_not_saved,
                garment_id=garment_id,
                category=category,
                type_was=type_was,
            ),
            on_finished=partial(self._save_ended, [True]),
        )

    def saving_category(self, garment_id: int) -> bool:
        """A category change of the garment waits on the model's queue."""
        return self.categories_saving(garment_id) > 0

    def categories_saving(self, garment_id: int) -> int:
        """How many category changes of the garment wait on the model's queue."""
        kind = SaveKind.CATEGORY
        return sum(s.garment_id == garment_id and s.kind is kind for s in self._saves)

    def _types_dropped(self, garment_id: int) -> list[str]:
        """The types the garment's category changes waiting on the queue clear."""
        saves = (s for s in self._saves if s.garment_id == garment_id)
        return [s.type_was for s in saves if s.type_was is not None]

    def _category_saved(
        self,
        saved: GarmentRecord | int | str,
        garment_id: int,
        category: str,
        type_was: str | None,
    ) -> None:
        if isinstance(saved, int):
            self.fieldEditLost.emit(garment_id, "category", category)
            if self.record is not None and self.record.id == garment_id:
                self.discard_pending()
                self._garment_gone("This garment was deleted, its category not saved")
            self.notice.emit("That garment is no longer in the wardrobe")
            return
        if isinstance(saved, str):
            self._category_lost(garment_id, category, type_was)
            if not self.window().isVisible():  # closed, waiting for it: the log says it
                return
            change = f"change of category to {category_label(category).lower()} was not saved"
            if self._shows(garment_id) and self.isVisible():
                what = "This garment's"
            else:  # left (Back, another garment): the box alone said it over the grid
                what = f"{self._name_of(garment_id)}'s"
                self.notice.emit(f"{what} {change}: {saved}")
            QMessageBox.warning(self, "Category not saved", f"{what} {change}:\n\n{saved}")
            return
        if self.categories_saving(garment_id) > 1:
            return  # a later change is on its way: shown once it is saved
        self._show_saved_category(garment_id)

    def _category_not_saved(
        self, _info: object, garment_id: int, category: str, type_was: str | None
    ) -> None:
        self._category_lost(garment_id, category, type_was)

    def _category_lost(self, garment_id: int, category: str, type_was: str | None) -> None:
        """Its category change was not written: its undo step goes (there is nothing to
        undo), and the page and the grid show the category stored, and the type it was
        to clear (``type_was``) where the page still shows it cleared."""
        self.fieldEditLost.emit(garment_id, "category", category)
        if self._shows(garment_id):
            self.saved_label.setText("Category not saved")
            if type_was is not None and self._type_dropped == type_was:
                self._show_saved_type(garment_id)
        if self.categories_saving(garment_id) == 1:
            self._show_saved_category(garment_id, said=False)

    def _show_saved_category(self, garment_id: int, said: bool = True) -> None:
        """The category stored shown once its save landed: on the page (the combo, the
        overlay's tint, the similar items of that category) and on the grid."""
        try:
            stored = self.session.wardrobe.garment(garment_id)  # with later edits' fields
        except KeyError:  # deleted meanwhile: the window's refresh says so
            return
        record = self.record
        if record is not None and record.id == garment_id:
            self.record = record = replace(record, category=stored.category)
            self._loading = True  # not the user's choice
            combo = self.category_combo
            combo.setCurrentIndex(max(0, combo.findData(stored.category)))
            self._loading = False
            self.title.setText(display_name(record))
            self.name_edit.setPlaceholderText(display_name(record))
            if said and not self._pending_save:  # not over "Editing…"
                self.saved_label.setText("Saved")
            self.refresh_related()
            self._start_loading_images(record)  # the overlay tints it in its category
        self.edited.emit(stored)

    def _show_saved_type(self, garment_id: int) -> None:
        """The type a failed category change was to clear, shown as stored again."""
        try:
            stored = self.session.wardrobe.garment(garment_id)
        except KeyError:
            return
        self._type_dropped = None
        if self.record is not None:
            self.record = replace(self.record, fine_type=stored.fine_type)
        self._loading = True
        self.type_edit.setText(stored.fine_type or "")
        self._loading = False

    def _name_of(self, garment_id: int) -> str:
        """The garment's name as the grid shows it, or its number where it is gone."""
        try:
            return display_name(self.session.wardrobe.garment(garment_id))
        except KeyError:
            return f"Garment #{garment_id}"

    def _shows(self, garment_id: int) -> bool:
        return self.record is not None and self.record.id == garment_id

    def fields_locked(self) -> bool:
        """The shown garment's fields wait for an undo or redo of its edit to be written."""
        record, kind = self.record, SaveKind.FIELDS
        return record is not None and any(
            s.garment_id == record.id and s.kind is kind for s in self._saves
        )

    def _lock_fields(self) -> None:
        """The page's fields not editable while an undo or redo of the shown garment's
        edit waits on the model's queue: typed meanwhile, the undo wrote the old value over
        it. The line edits stay read-only with the keyboard in them; the category and the
        favourite are off, the keyboard given back to them after (as Touch up's)."""
        if self.session.wardrobe.read_only:  # locked for good (``lock_garment_view``)
            return
        locked = self.fields_locked()
        for edit in (self.name_edit, self.type_edit, self.tags_edit):
            edit.setReadOnly(locked)
        self.notes_edit.setReadOnly(locked)
        window = self.window()
        focus = window.focusWidget()
        if locked and focus in (self.category_combo, self.favourite):
            self._focus_before_lock = focus
        for widget in (self.category_combo, self.favourite):
            widget.setEnabled(not locked)
        if locked and focus is self._focus_before_lock:
            self._focus_moved_at_lock = window.focusWidget()  # where Qt moved it on
        if not locked and self._focus_before_lock is not None:
            # Unless the user moved it on meanwhile: taken back, the next Space meant for
            # the notes made the garment a favourite.
            if (
                self.isVisible()
                and self._focus_before_lock.isVisible()
                and window.focusWidget() in (self._focus_moved_at_lock, None)
            ):
                self._focus_before_lock.setFocus()
            self._focus_before_lock = self._focus_moved_at_lock = None

    def _fields_not_saved(self, _info: object, failed: Callable[[], object]) -> None:
        failed()

    def _fields_saved(
        self,
        saved: GarmentRecord | int | str,
        garment_id: int,
        done: str,
        failed: Callable[[], object],
    ) -> None:
        shown = self.record is not None and self.record.id == garment_id
        if isinstance(saved, int):
            failed()
            if shown:
                self._garment_gone("This garment was deleted, the edit not undone")
            self.notice.emit("That garment is no longer in the wardrobe")
            return
        if isinstance(saved, str):
            failed()
            if shown:
                self.saved_label.setText("Not saved")
            self.notice.emit(f"The edit could not be undone or redone: {saved}")
            return
        # The page (its own edit saved first) and the grid show the value put back; a
        # category's label map changed under the photo's other garments' overlays too.
        self.show_mask_change(saved, done)
        self._say_step(garment_id, f"{done}: {display_name(saved)}")

    def _say_step(self, garment_id: int, words: str) -> None:
        """An undo's or redo's words, once saved: "Category change undone: Navy top"."""
        self.stepSaid.emit(garment_id, words)
        self.notice.emit(words)

    def _mask_not_saved(
        self, _info: object, garment_id: int, failed: Callable[[], object] | None
    ) -> None:
        if self.record is not None and self.record.id == garment_id:
            self.saved_label.setText("Cut-out not saved")  # not "Saving the cut-out…"
        if failed is not None:
            failed()

    def _mask_saved(
        self,
        saved: GarmentRecord | int | str,
        garment_id: int,
        mask: np.ndarray,
        undo_to: np.ndarray | None,
        done: str,
        failed: Callable[[], object] | None,
        pushed: list[bool],
        number: int,
    ) -> None:
        shown = self.record is not None and self.record.id == garment_id
        if not isinstance(saved, GarmentRecord) and failed is not None:
            failed()
        if isinstance(saved, int):
            if shown:
                self._garment_gone("This garment was deleted, its cut-out not saved")
            self.notice.emit("That garment is no longer in the wardrobe")
            return
        if isinstance(saved, str):
            if shown:  # not under another garment, the user moved on
                # (an undo's too: "Saving the cut-out…" stayed beside it)
                self.saved_label.setText("Cut-out not saved")
            if undo_to is None:  # an undo or redo in the window: said where it was asked
                self.notice.emit(f"The touch-up could not be undone or redone: {saved}")
                return
            what = "This garment's" if shown else f"Garment #{garment_id}'s"
            QMessageBox.warning(
                self, "Cut-out not saved", f"{what} touched-up cut-out was not saved:\n\n{saved}"
            )
            return
        self.show_mask_change(saved, done)
        if undo_to is not None:
            self.touchedUp.emit(saved, undo_to, mask, number)  # undoable in the window
            pushed[0] = True
        else:  # said where it was asked, also on the grid ("Cut-out saved" stayed)
            self._say_step(garment_id, f"{done}: {display_name(saved)}")

    def show_mask_change(self, updated: GarmentRecord, done: str = "Cut-out saved") -> None:
        """A garment's mask was saved (here, or undone in the window): the grid and, if
        it is the one shown, this page show its new cut-out, and ``done`` beside it."""
        # Its pending edit saved first (and kept on the page where the wardrobe refuses
        # it): ``updated`` was read before, and shown as it is it put the old text back
        # in the field, which the page's next save then wrote to the wardrobe.
        shown = self.record is not None and self.record.id == updated.id
        if not shown and self.record is not None and self.record.photo_id == updated.photo_id:
            # Another garment of its photo: the photo's label map under its overlay changed
            self._start_loading_images(self.record)
        if shown:
            try:
                self.save_now()
            except Exception:  # refused (a full disk): the page keeps its edit, pending, as
                # it is; only the grid follows. (may_leave asked whether to leave the page,
                # which nobody was doing.)
                self.edited.emit(updated)
                return
            with contextlib.suppress(KeyError):  # deleted meanwhile: the refresh says so
                updated = self.session.wardrobe.garment(updated.id)
        self.edited.emit(updated)
        if shown:
            self.show_garment(updated)
            self.saved_label.setText(done)

    def _garment_gone(self, text: str) -> None:
        self.saved_label.setText(text)
        self.vanished.emit()  # the window lists again, which leaves the page

    @Slot()
    def _go_back(self) -> None:
        if self.may_leave():
            self.back.emit()

    @Slot()
    def _delete(self) -> None:
        if self.record is not None:
            self.deleteRequested.emit([self.record.id])


# The fields a page's edit changes, each undone on its own (``commit_edits``)
EDITED_FIELDS = ("name", "category", "fine_type", "tags", "notes", "favourite")


def confirm_discard_edit(parent: QWidget, name: str, reason: str) -> bool:
    """Whether to leave a garment whose edit could not be saved, losing the edit."""
    return ask_yes(
        parent,
        "Changes not saved",
        f"Your changes to {name} could not be saved ({reason}).\n\nLeave without them?",
        yes_by_default=False,
    )


def _as_written(field: str, value: object) -> object:
    """A field's value as an undo or redo writes it (``update_garment``): no type is
    "", as None there leaves the type stored (a type typed into an empty field, undone,
    stayed; one cleared, redone, came back)."""
    return "" if field == "fine_type" and value is None else value


def _tags_in(text: str) -> list[str]:
    """The tags a comma-separated field stands for, as the wardrobe stores them."""
    return normalise_tags(text.split(","))


def _section(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setWeight(QFont.Weight.DemiBold)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


def _saved_or_why(garment_id: int, save: Callable[[], GarmentRecord]) -> GarmentRecord | int | str:
    """A save on the model's queue: the garment, or why it was not saved: its id where
    another program deleted it meanwhile, words where its photo was lost or damaged, the
    models could not load (describing a new cut-out needs them) or the storage refused."""
    try:
        return save()
    except KeyError:
        return garment_id
    except ImageLoadError as exc:
        return str(exc)
    except ModelLoadError as exc:
        return not_loaded(str(exc))
    except Exception as exc:
        trouble = storage_trouble(exc)
        if trouble is None:  # a bug: its traceback is what a report needs
            raise
        return trouble
