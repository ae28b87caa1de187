""" "Do I already own this?": analyse a photo that is not in the wardrobe and show, for
each garment found, the most similar garments you own. Saves nothing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QFont, QImage, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..service import SIMILAR_FLOOR, OtherModelsVectors
from ..types import DetectedGarment, KindChoice, PhotoAnalysis, SimilarHit
from ..vision.image_io import IMAGE_SUFFIXES, READABLE_FORMATS, ImageLoadError, load_image
from .column_scroll import PageScroll
from .empty_state import EmptyState
from .garment_strip import GarmentStrip
from .icons import keep_dot_label, keep_line_icon
from .image_view import ImageView
from .imaging import fit_image, preview_pair, rgb_to_qimage
from .model_loader import ModelLoadError
from .odd_names import real_path, shown_name
from .review_dialog import KIND_WORDS
from .same_photo_row import SamePhoto, SamePhotoRow
from .screen_fit import resize_within_screen
from .session import WardrobeSession
from .settings import AppSettings
from .start_folder import start_folder
from .theme import CATEGORY_COLOURS, category_label, type_label
from .thumbnails import ThumbnailCache
from .workers import ErrorInfo, Queue, WorkerContext

MATCHES = 8
LIKELY_OWNED = 0.9  # a best score at least this high reads as "you probably own it"
SIMILAR_KIND = 0.75  # ... as "something similar": the same kind of garment (embedder MODEL.md)
CHOOSE_ANOTHER = "Choose another photo (Enter)"
IMAGE_FILTER = f"Photos ({' '.join('*' + s for s in sorted(IMAGE_SUFFIXES))})"


@dataclass
class OwnThisResult:
    path: Path
    analysis: PhotoAnalysis
    hits: list[list[SimilarHit]]
    overlay: QImage
    cutouts: list[QImage]
    photo: QImage  # without the overlay, whose tint changes the garments' colours
    left_out: int = 0  # the wardrobe's garments not compared (``Wardrobe.not_compared``)
    empty_wardrobe: bool = False  # nothing to compare with: every answer is "it would be new"


@dataclass(frozen=True)
class Unreadable:
    """A photo that could not be read (``ImageLoadError``)."""

    path: Path
    message: str  # the error's, starting with the path

    def reason(self) -> str:
        """The message without the path it starts with, shown beside the name."""
        for prefix in (f"{self.path}: ", f"{self.path.name}: "):
            if self.message.startswith(prefix):
                return self.message[len(prefix) :]
        return self.message


@dataclass(frozen=True)
class ModelsNotLoaded:
    """The models could not load (``ModelLoadError``): no photo can be compared."""

    why: str


@dataclass(frozen=True)
class NotCompared:
    """Why the photo was not compared with the wardrobe (``OtherModelsVectors``)."""

    words: str


# What the dialog says in place of matches.
Answer = NotCompared | Unreadable | ModelsNotLoaded

# A new user trying this first read "Nothing like it in your wardrobe: it would be new."
# for every garment, with nothing to say why.
EMPTY_WARDROBE = (
    "Your wardrobe is empty: import photos of your clothes first (Ctrl+I) to compare with them."
)


def _other_kind(analysis: PhotoAnalysis) -> KindChoice:
    """The kind of photo ``analysis`` was not read as."""
    return "outfit" if analysis.kind == "item" else "item"


def not_compared(count: int) -> str:
    """The words, after the count of garments found, for ``count`` garments of a
    read-only wardrobe left out ("" for none): "nothing like it" may then be wrong."""
    if not count:
        return ""
    return (
        f" {count} garment{'s' if count != 1 else ''} of this wardrobe could not be compared"
        " with it: described by another version of the similar-items model."
    )


def verdict(hits: list[SimilarHit], colour: str | None = None) -> str:
    """The answer to "do I own this?" for one garment of main colour ``colour``. The
    similarity weighs the kind of garment far above its colour, so a closest match of
    another main colour is said to be one (a grey tee against a burgundy one read
    "You own something similar", 76%)."""
    if not hits:
        return "Nothing like it in your wardrobe: it would be new."
    closest = max(hits, key=lambda h: h.score)
    best = closest.score
    theirs = closest.garment.colours[0].name if closest.garment.colours else None
    other = f", in {theirs}" if colour and theirs and theirs != colour else ""
    if best >= LIKELY_OWNED:
        if other:
            return f"You own one very like it{other} (closest match {best:.0%})."
        return f"You probably own this already (closest match {best:.0%})."
    if best >= SIMILAR_KIND:
        return f"You own something similar{other} (closest match {best:.0%})."
    return f"Nothing very close (closest match {best:.0%})."


# The garment found's picture; smaller in a row narrower than NARROW_ROW (the dialog at
# 643 px, 1366x768 at 200%: a row of 357 px), so that two matches are whole beside it
# (two cards and their gaps, 240 px): 140 px wide, it left room for one, the next cut.
PICTURE = QSize(140, 150)
NARROW_PICTURE = QSize(88, 96)
NARROW_ROW = 520


class MatchRow(QFrame):
    def __init__(
        self,
        garment: DetectedGarment,
        cutout: QImage,
        hits: list[SimilarHit],
        thumbnails: ThumbnailCache,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        picture = ImageView(self, framed=False, min_size=NARROW_PICTURE)
        picture.setFixedSize(PICTURE)
        picture.set_image(cutout)
        self.picture = picture
        cat = QLabel(self)
        keep_dot_label(cat, CATEGORY_COLOURS[garment.category])
        cat_name = category_label(garment.category)
        title_text = f"<b>{cat_name}</b>"
        if garment.fine_type and garment.fine_type.lower() != cat_name.lower():
            # the type first, as the cards say it ("Dress · One-piece"), not "Top · Top"
            title_text = f"<b>{type_label(garment.fine_type)}</b> · {cat_name}"
        title = QLabel(title_text, self)
        colour = garment.colours[0].name if garment.colours else None
        self.verdict = QLabel(verdict(hits, colour), self)
        self.verdict.setObjectName("verdict")
        # Wrapped: on one line it made the row wider than the results in a small window.
        self.verdict.setWordWrap(True)
        self.strip = GarmentStrip(thumbnails, thumb=104, parent=self)
        self.strip.setObjectName("matchStrip")
        kind = type_label(garment.fine_type) if garment.fine_type else cat_name
        self.strip.view.setAccessibleName(f"Closest in your wardrobe to the {kind.lower()}")
        self.strip.set_records([h.garment for h in hits], [h.score for h in hits])
        # No match: the verdict says so ("it would be new"); the strip's own "nothing"
        # under it said it again, the two lines spread over the row's height.
        self.strip.setVisible(bool(hits))
        head = QHBoxLayout()
        head.addWidget(cat)
        head.addWidget(title)
        head.addStretch(1)
        right = QVBoxLayout()
        right.addLayout(head)
        right.addWidget(self.verdict)  # under the title: beside it, a narrow column
        right.addWidget(self.strip)
        right.addStretch(1)  # the words under the title, not spread down the picture's height
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(picture)
        layout.addLayout(right, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        size = PICTURE if event.size().width() >= NARROW_ROW else NARROW_PICTURE
        if self.picture.size() != size:
            self.picture.setFixedSize(size)


class OwnThisDialog(QDialog):
    openGarment = Signal(int)
    analysed = Signal(object)  # OwnThisResult, or SamePhoto: the photo is in the wardrobe

    def __init__(
        self,
        session: WardrobeSession,
        thumbnails: ThumbnailCache,
        parent: QWidget | None = None,
        settings: AppSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings  # remembers the folder of the last photo chosen
        self.setObjectName("ownThisDialog")
        self.setWindowTitle("Do I already own this?")
        self.session = session
        self.thumbnails = thumbnails
        self.result_: OwnThisResult | None = None
        self.rows: list[MatchRow | SamePhotoRow] = []
        self._busy = False
        self._next_path: Path | None = None  # asked for while another was analysed
        self._next_kind: KindChoice = "auto"  # ... and as which kind of photo

        intro = QLabel(
            "Choose a photo of something you are thinking of buying (or a friend's "
            "outfit). Wardrobe finds the garments in it and shows what you already "
            "own that looks like them. Nothing is saved.",
            self,
        )
        intro.setWordWrap(True)
        self.choose_button = QPushButton("Choose photo…", self)
        self.choose_button.setObjectName("choosePhoto")
        keep_line_icon(self.choose_button, "folder")  # as the toolbar's, not the style's
        self.choose_button.clicked.connect(self.choose)
        # Opened with Ctrl+O, the dialog's first step is a keypress away: Enter chooses.
        self.choose_button.setDefault(True)
        self.choose_button.setFocus()
        self.status = QLabel(self)
        self.status.setObjectName("ownStatus")
        self.status.setWordWrap(True)  # a long path or error must not widen the dialog
        if session.count() == 0:  # said before a photo is chosen, not after each answer
            self.status.setText(EMPTY_WARDROBE)
        # The photo read as the other kind, as in the review: a shop's photo of shoes
        # said "If someone is wearing it, analyse it as an outfit photo", with nothing
        # here to do it with.
        self.kind_button = QPushButton(self)
        self.kind_button.setObjectName("otherKind")
        self.kind_button.hide()  # until a photo is analysed
        self.kind_button.clicked.connect(self.analyse_as_other_kind)
        top = QHBoxLayout()
        top.addWidget(self.choose_button)
        top.addWidget(self.status, 1)
        top.addWidget(self.kind_button)

        self.photo = ImageView(self, placeholder="No photo chosen yet", min_size=QSize(220, 120))
        self.photo.setMaximumWidth(420)
        # As in the review: the overlay's tint turned a burgundy t-shirt purple.
        self.overlay_toggle = QCheckBox("Show the garments found", self)
        self.overlay_toggle.setObjectName("overlayToggle")
        self.overlay_toggle.setChecked(True)
        self.overlay_toggle.setEnabled(False)  # until there is a photo to show
        self.overlay_toggle.toggled.connect(self._show_photo)
        picture = QVBoxLayout()
        picture.addWidget(self.photo, 1)
        picture.addWidget(self.overlay_toggle)
        self.results = QWidget(self)
        self.results_layout = QVBoxLayout(self.results)
        self.results_layout.setContentsMargins(0, 0, 0, 0)
        self.results_layout.setSpacing(10)
        self.results_layout.addStretch(1)
        scroll = QScrollArea(self)
        self.results_scroll = scroll
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no empty Tab stop, nor first focus
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.results)
        # Before a photo is chosen the results' side says what comes there: two thirds
        # of the dialog were empty, with nothing to say what to do.
        self.placeholder = EmptyState(
            "Your matches will show here",
            "Choose a photo (Enter): each garment found in it is listed here, beside "
            "the ones you own that look like it.",
            parent=self,
            art_size=110,
        )
        self.placeholder.setObjectName("ownThisPlaceholder")
        # What went wrong, where the matches would be: the side was left blank, only the
        # status line saying why.
        self.problem = EmptyState("", "", parent=self, art_size=110)
        self.problem.setObjectName("ownThisProblem")
        self.problem.title.setWordWrap(True)  # a long title must not widen the dialog
        self.results_stack = QStackedWidget(self)
        self.results_stack.addWidget(self.placeholder)
        self.results_stack.addWidget(scroll)
        self.results_stack.addWidget(self.problem)
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addLayout(picture, 2)
        body.addWidget(self.results_stack, 5)

        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        self.close_button = close
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)

        title = QLabel("Do I already own this?", self)
        tf = QFont(title.font())
        tf.setPointSizeF(tf.pointSizeF() * 1.4)
        tf.setWeight(QFont.Weight.DemiBold)
        title.setFont(tf)
        # Scrolled where the screen is short, Close always in sight: the dialog's least
        # height (491 px) did not fit 1366x768 at 200% (683x384).
        self.page_scroll = PageScroll(self)
        self.page_scroll.setObjectName("ownThisPage")
        page_layout = self.page_scroll.page_layout
        page_layout.addWidget(title)
        page_layout.addWidget(intro)
        page_layout.addLayout(top)
        page_layout.addLayout(body, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(12)
        layout.addWidget(self.page_scroll, 1)
        layout.addLayout(bottom)
        resize_within_screen(self, 1180, 760)

    @Slot()
    def choose(self) -> None:
        folder = start_folder(self.settings.own_this_folder if self.settings is not None else "")
        path, _ = QFileDialog.getOpenFileName(self, "Choose a photo", folder, IMAGE_FILTER)
        if path:
            if self.settings is not None:
                self.settings.own_this_folder = str(Path(path).parent)
            self.analyse_photo(real_path(path))  # a name that is not UTF-8 too

    def analyse_as_other_kind(self) -> None:
        """The photo shown analysed again as the kind it was not read as."""
        result = self.result_
        if result is not None:
            self.analyse_photo(result.path, kind=_other_kind(result.analysis))

    def analyse_photo(self, path: Path, kind: KindChoice = "auto") -> None:
        if self._busy:
            # Looked at next, not dropped without a word (a photo dropped on the dialog,
            # or asked for as the last one's answer arrives, before its worker is done).
            self._next_path, self._next_kind = path, kind
            return
        self._busy = True
        self.choose_button.setEnabled(False)
        self.status.setText(f"Looking at {shown_name(path.name)}…")
        self._clear()
        self.results_stack.setCurrentWidget(self.results_scroll)
        self.result_ = None
        self.kind_button.hide()
        self.overlay_toggle.setEnabled(False)
        self.photo.set_image(None)
        self.photo.set_placeholder("Analysing…")
        self.session.runner.start(
            partial(self._job, path=path, kind=kind),
            queue=Queue.MODEL,
            title="Do I already own this?",
            on_result=self._done,
            on_error=self._failed,
            on_finished=self._finished,
        )

    def _job(
        self, ctx: WorkerContext, path: Path, kind: KindChoice = "auto"
    ) -> OwnThisResult | SamePhoto | Answer:
        try:
            # This very photo (by content) already in the wardrobe: said as it is, not
            # analysed to be matched with itself ("probably own this", 100%).
            same = self.session.wardrobe.garments_of_same_photo(path)
            if same:
                photo = rgb_to_qimage(load_image(path, max_side=900))
                return SamePhoto(path, same, photo)
            analysis, hits = self.session.wardrobe.similar_to_photo(
                path, k=MATCHES, kind=kind, min_score=SIMILAR_FLOOR
            )
        except ImageLoadError as exc:  # a bad file is an answer, not a crash
            return Unreadable(path, str(exc))
        except ModelLoadError as exc:  # said here, not in an error box at each photo
            return ModelsNotLoaded(str(exc))
        except OtherModelsVectors as exc:  # as is a wardrobe it cannot be compared with
            return NotCompared(str(exc))
        photo, overlay = preview_pair(analysis.rgb, analysis.labels, max_side=900)
        box = QSize(280, 300)
        cutouts = [fit_image(rgb_to_qimage(g.cutout), box) for g in analysis.garments]
        wardrobe = self.session.wardrobe
        left_out = len(wardrobe.not_compared())
        empty = wardrobe.count() == 0
        return OwnThisResult(path, analysis, hits, overlay, cutouts, photo, left_out, empty)

    @Slot(object)
    def _done(self, result: OwnThisResult | SamePhoto | Answer) -> None:
        if isinstance(result, ModelsNotLoaded):
            self.status.setText("Nothing compared: the models could not load.")
            self.photo.set_placeholder("Not analysed")
            self._show_problem(
                "The models could not load",
                f"{result.why}\n\nComparing a photo needs them: once the model folder is "
                "put right, choose the photo again.",
            )
            return
        if isinstance(result, Unreadable):
            # its name: the why is said beside the photo (the whole path took two lines)
            self.status.setText(f"Could not read the photo {shown_name(result.path.name)}.")
            self.photo.set_placeholder("Not a photo Wardrobe can read")
            self._show_problem(
                "Could not read this photo",
                f"{shown_name(result.path.name)}: {shown_name(result.reason())}.\n\n"
                f"{CHOOSE_ANOTHER}: {READABLE_FORMATS}.",
            )
            return
        if isinstance(result, NotCompared):
            self.status.setText(result.words)
            self.photo.set_placeholder("Not compared with this wardrobe")
            self._show_problem("Not compared with this wardrobe", result.words)
            return
        if isinstance(result, SamePhoto):
            self._show_same_photo(result)
            return
        self.result_ = result
        self.overlay_toggle.setEnabled(True)
        self._show_photo()
        garments = result.analysis.garments
        name = shown_name(result.path.name)  # a byte Qt would drop
        other = KIND_WORDS[_other_kind(result.analysis)]
        self.kind_button.setText(f"Analyse as {other}")
        self.kind_button.setToolTip(
            f"Read as {KIND_WORDS[result.analysis.kind]}: look at the photo again as {other}"
        )
        # A photo too small to analyse finds nothing read either way.
        self.kind_button.setVisible(not result.analysis.too_small)
        if not garments:
            # Said where the matches would be, as a photo that cannot be read is: the
            # side stood blank, the reason on the status line alone.
            note = result.analysis.message or "no garment found"
            self.status.setText(f"{name}: no garment found.")
            self._show_problem(
                "No garment found in this photo",
                f"{note[:1].upper()}{note[1:]}.\n\n{CHOOSE_ANOTHER}.",
            )
        else:
            self.status.setText(
                f"{name}: {len(garments)} garment"
                f"{'s' if len(garments) != 1 else ''} found.{not_compared(result.left_out)}"
                + (f" {EMPTY_WARDROBE}" if result.empty_wardrobe else "")
            )
        for garment, cutout, hits in zip(garments, result.cutouts, result.hits, strict=True):
            self._add_row(MatchRow(garment, cutout, hits, self.thumbnails, self.results))
        self._chain_tabs()
        self.analysed.emit(result)

    def _show_same_photo(self, result: SamePhoto) -> None:
        """This very photo is in the wardrobe: said, with its garments to open."""
        self.photo.set_image(result.photo)  # no overlay: the photo was not analysed
        self.status.setText(
            f"{shown_name(result.path.name)} is already in your wardrobe: this very photo."
        )
        self._add_row(SamePhotoRow(result.garments, self.thumbnails, self.results))
        self._chain_tabs()
        self.analysed.emit(result)

    def _add_row(self, row: MatchRow | SamePhotoRow) -> None:
        row.strip.garmentClicked.connect(self._open)
        self.rows.append(row)
        self.results_layout.insertWidget(self.results_layout.count() - 1, row)

    def _chain_tabs(self) -> None:
        """Tab in reading order: the photo's switch, each row's garments, then Close
        (made for each photo, the matches otherwise came last, after Close)."""
        chain: list[QWidget] = [self.overlay_toggle]
        chain += [row.strip.view for row in self.rows]
        chain.append(self.close_button)
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    @Slot()
    def _show_photo(self) -> None:
        result = self.result_
        if result is not None:
            overlay = self.overlay_toggle.isChecked()
            self.photo.set_image(result.overlay if overlay else result.photo)

    @Slot(object)
    def _failed(self, info: ErrorInfo) -> None:
        self.status.setText(f"Could not analyse the photo: {info.message}")
        self.photo.set_placeholder("Could not analyse this photo")
        self._show_problem("Could not analyse this photo", f"{info.message}\n\n{CHOOSE_ANOTHER}.")

    def _show_problem(self, title: str, hint: str) -> None:
        """The results' side says what went wrong and what to do, in the empty-state style."""
        self.problem.title.setText(title)
        self.problem.hint.setText(hint)
        self.results_stack.setCurrentWidget(self.problem)

    @Slot()
    def _finished(self) -> None:
        self._busy = False
        self.choose_button.setEnabled(True)
        following, self._next_path = self._next_path, None
        if following is not None:
            self.analyse_photo(following, self._next_kind)
            return
        # "Choose photo…" was disabled meanwhile and the focus fell to Close, where the
        # next Enter closed the dialog: on to the first matches (Enter opens one).
        if self.focusWidget() in (None, self.close_button, self.choose_button):
            self._focus_matches()

    def _focus_matches(self) -> None:
        for row in self.rows:
            view = row.strip.view
            if view.model().rowCount():
                view.setFocus(Qt.FocusReason.OtherFocusReason)
                view.setCurrentIndex(view.model().index(0, 0))
                return
        self.choose_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear(self) -> None:
        for row in self.rows:
            self.results_layout.removeWidget(row)
            row.deleteLater()
        self.rows = []

    @Slot(int)
    def _open(self, garment_id: int) -> None:
        self.openGarment.emit(garment_id)
        self.accept()
