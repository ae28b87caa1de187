"""Review before saving: each analysed photo with its mask overlay and the garments
found; the user unticks garments, corrects categories, merges a garment found in parts
(a dress split into a top and a bottom), discards the photo or accepts everything.
Photos arrive one by one while the analysis goes on."""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise
from typing import cast

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QFont, QImage, QKeySequence, QPalette, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..types import CATEGORIES, Category, DetectedGarment, PhotoAnalysis
from ..vision.merge import recategorise
from .ask import STOP_IMPORT, ask_yes
from .elided_label import ElidedLabel
from .flow_layout import FlowLayout
from .icons import (
    ON_BASE,
    dot_icon,
    follow_palette,
    keep_dot_items,
    keep_dot_label,
    keep_line_icon,
    standard,
)
from .image_view import ImageView
from .imaging import fit_image, preview_pair, rgb_to_qimage
from .odd_names import shown_name
from .screen_fit import resize_within_screen
from .theme import CATEGORY_COLOURS, category_label, type_label

# Photos analysed ahead of the one under review: the analysis waits beyond that, so that
# a long review does not hold a folder's worth of photos in memory.
REVIEW_BACKLOG = 3

CUTOUT_SIDE = 132
PHOTO_MIN = 240  # px, the photo's least width (was 420, then 320)
PHOTO_MIN_HEIGHT = 160  # px, its least height (was 320)
GARMENTS_MIN_WIDTH = 330  # px, the garments' column (was 380)
SAVE_AND_NEXT, NEXT_PHOTO = "Save and next", "Next photo"
# The same on the import's last photo: "Save and next" there led to no next photo.
SAVE_AND_FINISH, FINISH = "Save and finish", "Finish"
KIND_WORDS = {"outfit": "an outfit photo", "item": "one garment"}
OVERLAY_SIDE = 1000  # the photo's longest side as the review shows it


@dataclass
class ReviewItem:
    """One analysed photo with its previews (made in the worker, off the GUI thread)."""

    analysis: PhotoAnalysis
    photo: QImage
    overlay: QImage
    cutouts: list[QImage] = field(default_factory=list)
    # The analysis as found (or merged): categories chosen in the review apply to it, so
    # a category changed and changed back gets its fine type back.
    found: PhotoAnalysis | None = None
    # Garments the user merged, and those whose category they chose (by index): their
    # rows say so, not how sure the model was of a choice it did not make.
    merged: set[int] = field(default_factory=set)
    chosen: set[int] = field(default_factory=set)
    # This photo as it was before each merge or new analysis, the last last: Undo goes
    # back through them. Kept with the photo, so that it goes with it once saved or discarded.
    history: list[ReviewStep] = field(default_factory=list)

    @classmethod
    def build(cls, analysis: PhotoAnalysis) -> ReviewItem:
        photo, overlay = preview_pair(analysis.rgb, analysis.labels, max_side=OVERLAY_SIDE)
        box = QSize(CUTOUT_SIDE * 2, CUTOUT_SIDE * 2)
        cutouts = [fit_image(rgb_to_qimage(g.cutout), box) for g in analysis.garments]
        return cls(analysis, photo, overlay, cutouts, found=analysis)

    def decided_by_user(self, index: int) -> str:
        """What the user did to garment ``index``, in its row's words ("" for nothing)."""
        if index in self.merged:
            return "merged by you"
        return "your choice" if index in self.chosen else ""

    def carry_marks(self, before: ReviewItem) -> None:
        """After a merge of ``before``: the garment made of its parts is new; the others
        are the same objects, and keep what the user did to them."""
        for i, garment in enumerate(self.analysis.garments):
            was = next((j for j, g in enumerate(before.analysis.garments) if g is garment), None)
            if was is None or was in before.merged:
                self.merged.add(i)
            elif was in before.chosen:
                self.chosen.add(i)


@dataclass
class ReviewStep:
    """A photo under review as it was before a merge or a new analysis, to go back to
    (analysing it again lost every change made to it)."""

    item: ReviewItem  # a copy: the review edits the categories of its photo in place
    ticked: list[bool]
    what: str = "merge"  # the Undo button says "Undo merge" or "Undo new analysis"


def _legend(parent: QWidget) -> QWidget:
    """The categories' colour dots and names: one piece, put under "Show the garments
    found" as a whole where the two do not fit on one line."""
    legend = QWidget(parent)
    legend.setObjectName("legend")
    row = QHBoxLayout(legend)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    for cat in CATEGORIES:
        dot = QLabel(legend)
        keep_dot_label(dot, CATEGORY_COLOURS[cat])
        row.addWidget(dot)
        row.addWidget(QLabel(category_label(cat), legend))
        row.addSpacing(6)
    return legend


class GarmentRow(QFrame):
    """One garment found: keep or not, its cut-out, its category and colours."""

    def __init__(self, index: int, item: ReviewItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        garment = item.analysis.garments[index]
        self.index = index
        self.setObjectName(f"garmentRow{index}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.keep = QCheckBox("Keep", self)
        self.keep.setObjectName("keep")
        self.keep.setChecked(True)
        cut = ImageView(self, framed=False, min_size=QSize(CUTOUT_SIDE, CUTOUT_SIDE))
        cut.setFixedSize(CUTOUT_SIDE, CUTOUT_SIDE)
        if index < len(item.cutouts):
            cut.set_image(item.cutouts[index])
        self.cutout = cut
        self.category = QComboBox(self)
        self.category.setObjectName("category")
        for cat in CATEGORIES:
            self.category.addItem(category_label(cat), cat)
        keep_dot_items(self.category, [CATEGORY_COLOURS[c] for c in CATEGORIES])
        self.category.setCurrentIndex(max(0, self.category.findData(garment.category)))
        # Which garment each control is about, for a screen reader ("Keep" alone was
        # the same in every row).
        kind = type_label(garment.fine_type or category_label(garment.category)).lower()
        main_colour = f"{garment.colours[0].name} " if garment.colours else ""
        what = f"garment {index + 1}, {main_colour}{kind}"  # "garment 2, navy outwear"
        self.keep.setAccessibleName(f"Keep {what}")
        self.category.setAccessibleName(f"Category of {what}")
        cut.setAccessibleName(f"Cut-out of {what}")
        # What the row says of the garment, faded as one with its cut-out when unticked
        # (the colour names and the category box stayed at full strength).
        self.about = QWidget(self)
        self.about.setObjectName("about")
        about = QVBoxLayout(self.about)
        about.setContentsMargins(0, 0, 0, 0)
        about.setSpacing(6)
        about.addWidget(self.category)
        self.info = QLabel(self)
        self.info.setObjectName("fineType")
        self.info.setWordWrap(True)  # "Sweatshirt · merged by you" widened a narrow column
        self.show_type(garment, item.decided_by_user(index))
        about.addWidget(self.info)
        swatches = QHBoxLayout()
        swatches.setSpacing(4)
        for colour in garment.colours[:4]:
            sw = QLabel(self)
            keep_dot_label(sw, colour.hex, 14)
            sw.setToolTip(f"{colour.name} ({colour.share:.0%})")
            swatches.addWidget(sw)
        names = QLabel(", ".join(c.name for c in garment.colours[:3]), self)
        # Wrapped: "grey, light blue, blue" on one line made the row wider than its column.
        names.setWordWrap(True)
        swatches.addWidget(names, 1)
        about.addLayout(swatches)
        details = QVBoxLayout()
        details.setSpacing(6)
        details.addWidget(self.keep)
        details.addWidget(self.about)
        details.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(cut)
        layout.addLayout(details, 1)
        # An unticked garment is faded, so what will be saved shows at a glance.
        self._fade = QGraphicsOpacityEffect(cut)
        self._fade.setOpacity(1.0)
        cut.setGraphicsEffect(self._fade)
        self._fade_about = QGraphicsOpacityEffect(self.about)
        self._fade_about.setOpacity(1.0)
        self.about.setGraphicsEffect(self._fade_about)
        self.keep.toggled.connect(self._kept)

    def chosen_category(self) -> str:
        return str(self.category.currentData())

    def show_type(self, garment: DetectedGarment, by_user: str = "") -> None:
        """The type and how sure the model is ("Blouse · 93% sure"); where the user
        decided (chose the category, merged the parts), what they did instead, with the
        type only where it still fits."""
        kind = type_label(garment.fine_type or category_label(garment.category))
        sure = by_user or f"{garment.confidence:.0%} sure"
        self.info.setText(f"{kind} · {sure}")

    @Slot(bool)
    def _kept(self, on: bool) -> None:
        self.cutout.setEnabled(on)
        self._fade.setOpacity(1.0 if on else 0.3)
        # Still readable, and the category still editable: ticking again keeps it.
        self._fade_about.setOpacity(1.0 if on else 0.45)


class ReviewDialog(QDialog):
    """Signals each decision; the caller saves. ``keep`` is None for a discarded photo."""

    decided = Signal(object, object)  # ReviewItem, list[int] | None
    mergeRequested = Signal(object, object, str)  # ReviewItem, list[int], category
    reanalyseRequested = Signal(object, str)  # ReviewItem, "outfit" or "item"
    acceptAllRequested = Signal()
    stopRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewDialog")
        self.setWindowTitle("Review the garments found")
        self._queue: deque[ReviewItem] = deque()
        self.current: ReviewItem | None = None
        self.rows: list[GarmentRow] = []
        self.reviewed = 0
        self.analysis_done = False
        self.expected = 0
        self.skipped = 0
        self.analysed = 0
        self.analysed_files = 0
        self.total_files = 0
        self._stopped = False
        self._waiting = ""  # "2 photos" given meanwhile: stopped with this review
        # While the photo is merged or analysed again, its buttons wait for the answer;
        # what was unticked before a merge stays unticked after.
        self._replacing = False
        self._merging = False  # the answer awaited is a merge's (not a new analysis)
        self._step: ReviewStep | None = None  # the photo as it was, while it waits
        self._unticked: list[DetectedGarment] = []
        # Whether the keyboard was on the garments (a row, Merge, Undo, Analyse as…)
        # when a merge, new analysis or undo began: it is put back there after.
        self._keyboard_on_garments = False

        self.header = ElidedLabel(parent=self)  # a long file name: shortened, not wider
        self.header.setObjectName("reviewHeader")
        hf = QFont(self.header.font())
        hf.setPointSizeF(hf.pointSizeF() * 1.25)
        hf.setWeight(QFont.Weight.DemiBold)
        self.header.setFont(hf)
        self.subheader = QLabel(self)
        self.subheader.setObjectName("reviewSubheader")

        self.photo = ImageView(self, placeholder="Analysing the next photo…")
        # Small enough, with the legend and the actions wrapping, for an 800x600 screen
        # and for 1366x768 at 200% (683x384).
        self.photo.setMinimumSize(QSize(PHOTO_MIN, PHOTO_MIN_HEIGHT))
        self.overlay_toggle = QCheckBox("Show the garments found", self)
        self.overlay_toggle.setObjectName("overlayToggle")
        self.overlay_toggle.setChecked(True)
        self.overlay_toggle.toggled.connect(self._show_photo)
        # The toggle and the category colours on one line where there is room.
        legend = FlowLayout(spacing=12)
        legend.addWidget(self.overlay_toggle)
        legend.addWidget(_legend(self))

        left = QVBoxLayout()
        left.addWidget(self.photo, 1)
        left.addLayout(legend)

        self.garment_box = QWidget(self)
        self.garment_layout = QVBoxLayout(self.garment_box)
        self.garment_layout.setContentsMargins(0, 0, 0, 0)
        self.garment_layout.setSpacing(8)
        scroll = QScrollArea(self)
        self.garment_scroll = scroll
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.garment_box)
        scroll.setMinimumWidth(GARMENTS_MIN_WIDTH)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no empty Tab stop
        scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.found_label = QLabel(self)
        self.found_label.setObjectName("foundLabel")
        self.found_label.setWordWrap(True)
        # A push button's menu arrow has room of its own (a tool button's overlapped the text).
        self.merge_button = QPushButton("Merge ticked into one", self)
        self.merge_button.setObjectName("mergeGarments")
        self.merge_button.setToolTip(
            "One garment found in parts, such as a dress taken for a top and a bottom?\n"
            "Tick only its parts, then merge them into one garment."
        )
        merge_menu = QMenu(self.merge_button)
        merge_as = ("one-piece", "top", "bottom")
        for cat in merge_as:
            action = merge_menu.addAction(f"As a {category_label(cat).lower()}")
            action.setObjectName(f"mergeAs-{cat}")
            action.triggered.connect(partial(self.merge_ticked, cat))
        self.merge_button.setMenu(merge_menu)

        def paint_merge_dots(pal: QPalette) -> None:  # Fusion draws a menu on (a shade of) Base
            for action, cat in zip(merge_menu.actions(), merge_as, strict=True):
                action.setIcon(dot_icon(CATEGORY_COLOURS[cat], pal, grounds=ON_BASE))

        follow_palette(merge_menu, paint_merge_dots)
        # Back to the garments as they were before the last merge (or new analysis);
        # shown only then.
        self.undo_button = QPushButton("Undo merge", self)
        self.undo_button.setObjectName("undoStep")
        self.undo_button.clicked.connect(self.undo)
        self.undo_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self, self.undo)
        # The photo taken for the other kind (a dark top on a dark bed read as "no
        # garment", a flat-lay read as worn): analysed again as the user says it is.
        self.reanalyse_button = QPushButton(self)
        self.reanalyse_button.setObjectName("reanalyse")
        self.reanalyse_button.clicked.connect(self.reanalyse_as_other_kind)
        actions = FlowLayout()  # "Undo merge" shown beside them made one line too long
        actions.addWidget(self.merge_button)
        actions.addWidget(self.undo_button)
        actions.addWidget(self.reanalyse_button)
        right = QVBoxLayout()
        right.addWidget(self.found_label)
        right.addWidget(scroll, 1)
        right.addLayout(actions)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addLayout(left, 3)
        body.addLayout(right, 2)

        self.stop_button = QPushButton("Stop import", self)
        self.stop_button.setObjectName("stopImport")
        self.stop_button.setToolTip("Discard this and the remaining photos")
        self.discard_button = QPushButton("Discard photo", self)
        self.discard_button.setObjectName("discardPhoto")
        self.discard_button.setToolTip("Leave this photo out of the wardrobe (Del)")
        keep_line_icon(self.discard_button, "delete")
        self.accept_all_button = QPushButton("Accept all", self)
        self.accept_all_button.setObjectName("acceptAll")
        self.accept_all_button.setToolTip(
            "Save this photo as ticked and every remaining photo with all its garments"
        )
        self.save_button = QPushButton(
            standard(QStyle.StandardPixmap.SP_DialogApplyButton), SAVE_AND_NEXT, self
        )
        self.save_button.setObjectName("savePhoto")
        self.save_button.setDefault(True)
        # As wide as its widest words whatever it reads ("Next photo", "Save and
        # finish"...): the buttons beside it must not move under the pointer as garments
        # are ticked or the last photo comes.
        widths = []
        for words in (SAVE_AND_NEXT, NEXT_PHOTO, SAVE_AND_FINISH, FINISH):
            self.save_button.setText(words)
            widths.append(self.save_button.sizeHint().width())
        self.save_button.setText(SAVE_AND_NEXT)
        self.save_button.setMinimumWidth(max(widths))
        self.stop_button.clicked.connect(self.stop)
        self.discard_button.clicked.connect(self.discard_current)
        self.accept_all_button.clicked.connect(self.accept_all)
        self.save_button.clicked.connect(self.save_current)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self, self.discard_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.accept_all_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(self.header)
        layout.addWidget(self.subheader)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        self._refresh()
        resize_within_screen(self, 1120, 720)

    # --- feeding -----------------------------------------------------------------------
    def set_expected(self, total: int, skipped: int = 0) -> None:
        """How many photos will reach the review: the files found less the ``skipped``
        ones (unreadable, or already in the wardrobe), which the subheader counts."""
        self.expected = total
        self.skipped = skipped
        self._refresh_header()

    def set_progress(self, done: int, total: int) -> None:
        self.analysed_files, self.total_files = done, total
        self._refresh_header()

    @Slot(object)
    def add_item(self, item: ReviewItem) -> None:
        self.analysed += 1
        self._queue.append(item)
        if self.current is None:
            self._next()
        else:
            self._refresh_header()

    def set_analysis_done(self) -> None:
        self.analysis_done = True
        if self.current is None and not self._queue:
            self.accept()
        else:
            self._refresh_header()

    def pending(self) -> int:
        return len(self._queue) + (1 if self.current is not None else 0)

    # --- decisions ---------------------------------------------------------------------
    def kept_indices(self) -> list[int]:
        return [row.index for row in self.rows if row.keep.isChecked()]

    def merge_ticked(self, category: str) -> None:
        """Ask for the ticked garments as one garment of ``category``; the controller
        answers with ``replace_current``."""
        item, indices = self.current, self.kept_indices()
        if item is None or self._replacing or len(indices) < 2:
            return
        self._apply_edits()
        self._step = self._before("merge")
        garments = item.analysis.garments
        self._unticked = [garments[row.index] for row in self.rows if not row.keep.isChecked()]
        self._keyboard_on_garments = self._focus_on_garments()
        self._replacing = self._merging = True
        self._update_buttons()
        self.found_label.setText(f"Merging {len(indices)} garments…")
        self.mergeRequested.emit(item, indices, category)

    def reanalyse_as_other_kind(self) -> None:
        """Ask for the photo analysed as the other kind; answered by ``replace_current``."""
        item = self.current
        if item is None or self._replacing:
            return
        other = _other_kind(item)
        self._unticked = []
        self._step = self._before("new analysis")
        self._keyboard_on_garments = self._focus_on_garments()
        self._replacing = True
        self._update_buttons()
        self.found_label.setText(f"Analysing it again as {KIND_WORDS[other]}…")
        self.reanalyseRequested.emit(item, other)

    def replace_current(self, old: ReviewItem, new: ReviewItem | None, error: str = "") -> None:
        """Show the merged (or re-analysed) photo in place of ``old`` (or say why it
        could not be)."""
        if old is not self.current:
            return  # the dialog moved on or stopped meanwhile
        self._replacing = False
        if new is not None:
            if self._merging:
                new.carry_marks(old)
            if self._step is not None:
                new.history = [*old.history, self._step]
            self.current = new
        self._merging = False
        self._step = None
        self._refresh()
        if new is None:
            self.found_label.setText(f"<b>Could not do it:</b> {error}")
        unticked = self._unticked
        self._unticked = []
        for row in self.rows:
            garment = self.current.analysis.garments[row.index]
            if any(garment is other for other in unticked):
                row.keep.setChecked(False)
        if self._keyboard_on_garments:
            self._keyboard_on_garments = False
            self._refocus_garments()

    def _before(self, what: str) -> ReviewStep | None:
        """The photo under review as it is now, categories and ticks, to undo to."""
        item = self.current
        if item is None:
            return None
        ticked = [row.keep.isChecked() for row in self.rows]
        copy = dataclasses.replace(
            item, merged=set(item.merged), chosen=set(item.chosen), history=[]
        )
        return ReviewStep(copy, ticked, what)

    @Slot()
    def undo(self) -> None:
        """Back to the photo as it was before its last merge or new analysis (Ctrl+Z).
        Only this photo's: one saved or discarded has gone with its history."""
        item = self.current
        if item is None or self._replacing or not item.history:
            return
        step = item.history[-1]
        step.item.history = item.history[:-1]
        on_garments = self._focus_on_garments()
        self.current = step.item
        self._refresh()
        for row, ticked in zip(self.rows, step.ticked, strict=True):
            row.keep.setChecked(ticked)
        if on_garments:
            self._refocus_garments()

    def _focus_on_garments(self) -> bool:
        widget = self.focusWidget()
        if widget is None:
            return False
        actions = (self.merge_button, self.undo_button, self.reanalyse_button)
        return widget in actions or self.garment_box.isAncestorOf(widget)

    def _refocus_garments(self) -> None:
        """After a merge, new analysis or undo begun from the garments: the rows were
        made anew and the button pressed may be gone or disabled, and the keyboard fell
        to "Save and next", where the next Space saved the photo. Back to the garments:
        the Undo of what was just done, else Merge, else the first garment."""
        focused = self.focusWidget()
        if focused is not None and self._focus_on_garments() and focused.isEnabled():
            return  # still on a button that is there
        rows = [row.keep for row in self.rows]
        for widget in (self.undo_button, self.merge_button, *rows, self.reanalyse_button):
            if widget.isVisible() and widget.isEnabled():
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def _apply_edits(self) -> None:
        """The categories chosen in the rows, into the photo's analysis (and its overlay)."""
        item = self.current
        if item is None:
            return
        analysis = item.found or item.analysis
        for row in self.rows:
            analysis = recategorise(analysis, row.index, cast(Category, row.chosen_category()))
        if analysis is not item.analysis:
            item.analysis = analysis
            item.overlay = preview_pair(analysis.rgb, analysis.labels, max_side=OVERLAY_SIDE)[1]

    def _category_chosen(self, row: GarmentRow, _index: int) -> None:
        self._apply_edits()
        if self.current is not None:
            self.current.chosen.add(row.index)
            garment = self.current.analysis.garments[row.index]
            row.show_type(garment, self.current.decided_by_user(row.index))
        self._show_photo()

    @Slot()
    def save_current(self) -> None:
        if self.current is None or self._replacing:
            return
        self._apply_edits()
        item, keep = self.current, self.kept_indices()
        self.current = None
        self.reviewed += 1
        # nothing ticked is a discard: no photo without garments in the wardrobe
        self.decided.emit(item, keep if keep else None)
        self._next()

    @Slot()
    def discard_current(self) -> None:
        if self.current is None or self._replacing:  # the Delete key too waits for a merge
            return
        item = self.current
        self.current = None
        self.reviewed += 1
        self.decided.emit(item, None)
        self._next()

    @Slot()
    def accept_all(self) -> None:
        """Save the current photo as ticked and all the others in full, now and later."""
        if self._replacing:
            return
        self.save_current()
        # save_current moved on to the next photo: it is one of "the others" too (it was
        # dropped unsaved when the rest had been analysed already)
        rest = ([self.current] if self.current is not None else []) + list(self._queue)
        self.current = None
        self._queue.clear()
        for item in rest:
            self.reviewed += 1
            self.decided.emit(item, list(range(len(item.analysis.garments))) or None)
        self.acceptAllRequested.emit()
        self.accept()

    @Slot()
    def stop(self) -> None:
        self._stopped = True
        self.stopRequested.emit()
        self.reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._stopped and self.result() != QDialog.DialogCode.Accepted:
            if not self.may_stop():
                event.ignore()
                return
            self._stopped = True
            self.stopRequested.emit()
        super().closeEvent(event)

    def reject(self) -> None:
        if not self._stopped:
            if not self.may_stop():
                return  # Esc by mistake: the review goes on
            self._stopped = True
            self.stopRequested.emit()
        super().reject()

    def may_stop(self) -> bool:
        """Esc or the window's close button stop the whole import: asked first where
        photos would be lost (the Stop button says so on itself)."""
        left = self.pending() + (0 if self.analysis_done else max(0, self.expected - self.analysed))
        return (left == 0 and not self.waiting) or self.confirm_stop(left)

    def confirm_stop(self, left: int) -> bool:
        if left == 0 and self.waiting:  # none counted yet (the model loading): the rest only
            lost = f"The {self.waiting} given meanwhile will not be saved"
        else:
            nor = f", nor the {self.waiting} given meanwhile" if self.waiting else ""
            lost = f"{left} photo{'s' if left != 1 else ''} not reviewed yet will not be saved{nor}"
        return ask_yes(
            self,
            STOP_IMPORT,
            f"{STOP_IMPORT}\n{lost}.\nThe photos saved so far stay in the wardrobe.",
            yes_by_default=False,
        )

    # --- display -----------------------------------------------------------------------
    def _next(self) -> None:
        self.current = self._queue.popleft() if self._queue else None
        if self.current is None and self.analysis_done:
            self.accept()
            return
        self._refresh()

    def _clear_rows(self) -> None:
        for row in self.rows:
            self.garment_layout.removeWidget(row)
            row.hide()  # at once: deleteLater waits for the event loop
            row.deleteLater()
        self.rows = []
        while self.garment_layout.count():
            taken = self.garment_layout.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()

    def _update_buttons(self) -> None:
        ready = self.current is not None and not self._replacing
        for button in (self.save_button, self.discard_button, self.accept_all_button):
            button.setEnabled(ready)
        self._name_save_button()
        self.merge_button.setEnabled(ready and len(self.kept_indices()) >= 2)
        self.garment_box.setEnabled(not self._replacing)  # edits now would be lost
        # only outfit photos can hold several garments
        self.merge_button.setVisible(self.current is None or self.current.analysis.kind == "outfit")
        history = self.current.history if self.current is not None else []
        self.undo_button.setVisible(bool(history))
        self.undo_button.setEnabled(ready)
        if history:
            self.undo_button.setText(f"Undo {history[-1].what}")
            # The platform's own key (⌘Z on macOS), not a hard-coded Ctrl+Z.
            keys = self.undo_shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
            self.undo_button.setToolTip(
                f"Back to the garments as before the {history[-1].what} ({keys})"
            )
        self.reanalyse_button.setEnabled(ready)
        # A photo too small to analyse finds nothing read either way: the button read
        # again, offered "Undo new analysis" and the other kind, all to the same end.
        self.reanalyse_button.setVisible(
            self.current is not None and not self.current.analysis.too_small
        )
        if self.current is not None:
            self.reanalyse_button.setText(f"Analyse as {KIND_WORDS[_other_kind(self.current)]}")

    def _name_save_button(self) -> None:
        # Nothing ticked (or found) saves nothing: "Save and next" said otherwise.
        nothing = self.current is not None and not self.kept_indices()
        last = self._on_last_photo()
        if nothing:
            self.save_button.setText(FINISH if last else NEXT_PHOTO)
            self.save_button.setToolTip("Nothing is ticked: this photo is not saved (Enter)")
        else:
            self.save_button.setText(SAVE_AND_FINISH if last else SAVE_AND_NEXT)
            self.save_button.setToolTip(
                "Save the ticked garments and end the review (Enter)"
                if last
                else "Save the ticked garments and show the next photo (Enter)"
            )

    def _on_last_photo(self) -> bool:
        """The photo shown is the import's last: analysed all, none ready or given after."""
        return (
            self.current is not None and self.analysis_done and not self._queue and not self.waiting
        )

    def _refresh(self) -> None:
        self._clear_rows()
        item = self.current
        self._update_buttons()
        if item is None:
            self.photo.set_image(None)
            self.photo.set_placeholder("Analysing the next photo…")
            self.found_label.setText("")
            self._refresh_header()
            return
        garments = item.analysis.garments
        for i in range(len(garments)):
            row = GarmentRow(i, item, self.garment_box)
            row.keep.toggled.connect(self._update_buttons)
            row.category.activated.connect(partial(self._category_chosen, row))
            self.rows.append(row)
            self.garment_layout.addWidget(row)
        self.garment_layout.addStretch(1)
        # Tab in reading order: the photo's toggle, each garment, then its actions (made
        # for each photo, the rows would otherwise come last, after "Save and next").
        chain: list[QWidget] = [self.overlay_toggle]
        for row in self.rows:
            chain += [row.keep, row.category]
        chain += [self.merge_button, self.undo_button, self.reanalyse_button]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)
        self._update_buttons()
        if garments:
            # In the words of the button that reads it the other way: "(item photo)"
            # sat beside "Analyse as one garment", two names for one thing.
            self.found_label.setText(
                f"<b>{len(garments)} garment{'s' if len(garments) != 1 else ''} found</b> "
                f"(read as {KIND_WORDS[item.analysis.kind]}). "
                "Untick what you don't want to keep."
            )
        else:
            note = item.analysis.message or "no garment found"
            self.found_label.setText(f"<b>Nothing to keep:</b> {note}.")
        self._show_photo()
        self._refresh_header()
        self.save_button.setFocus()

    @Slot()
    def _show_photo(self) -> None:
        if self.current is None:
            return
        image = self.current.overlay if self.overlay_toggle.isChecked() else self.current.photo
        self.photo.set_image(QPixmap.fromImage(image))

    @property
    def waiting(self) -> str:
        """The photos given meanwhile ("2 photos"), to follow in the same import."""
        return self._waiting

    @waiting.setter
    def waiting(self, text: str) -> None:
        self._waiting = text
        self._refresh_header()  # the line said "the last photo" with more to come

    def _refresh_header(self) -> None:
        position = self.reviewed + (1 if self.current is not None else 0)
        total = self.expected or (self.reviewed + self.pending())
        if self.current is not None:
            name = shown_name(self.current.analysis.path.name)  # a byte Qt would drop
            self.header.setText(f"Photo {position} of {total}: {name}")
        else:
            self.header.setText("Waiting for the next photo…")
        waiting = len(self._queue)
        parts = []
        if waiting:
            parts.append(f"{waiting} more ready to review")
        if not self.analysis_done and self.total_files:
            if waiting + (self.current is not None) >= REVIEW_BACKLOG:
                # The analysis waits: it said "analysing file 3 of 15" for as long as
                # the person took, of a file it had finished.
                parts.append("the next photos are analysed as you review")
            else:
                shown = min(self.analysed_files + 1, self.total_files)
                parts.append(f"analysing file {shown} of {self.total_files}")
        if self.skipped:
            # why "of N" went down: those files never reach the review
            parts.append(
                f"{self.skipped} file{'s' if self.skipped != 1 else ''} skipped "
                "(already in the wardrobe or not readable, listed at the end)"
            )
        if self.waiting:
            parts.append(f"{self.waiting} waiting to follow")
        if not parts and self.current is not None:
            parts.append("the last photo of this import")  # the line stood empty
        text = " · ".join(parts)
        self.subheader.setText(text[:1].upper() + text[1:])  # "analysing file 2 of 2"
        self._name_save_button()  # "…and finish" once the last photo is known to be


def _other_kind(item: ReviewItem) -> str:
    """The kind of photo this one was not analysed as."""
    return "outfit" if item.analysis.kind == "item" else "item"
