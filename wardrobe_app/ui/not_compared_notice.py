"""The status bar's word, in a read-only wardrobe, on its garments that similar items
leave out (``Wardrobe.not_compared``: described by another version of the similar-items
model, which it cannot describe again). Each one's page says so, but nothing said how
many there were. Counted once the model is loaded (it picks which model's are
compared) and again when the grid is listed after a change (made elsewhere: a read-only
wardrobe makes none); hidden while there are none. Where the models could not load,
which are compared is not known: the garments of more than one model are said, from
the database alone (it said nothing)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QStatusBar

from .workers import Queue, WorkerContext

if TYPE_CHECKING:
    from .session import WardrobeSession

log = logging.getLogger(__name__)


def notice_words(count: int) -> tuple[str, str]:
    """The status bar's words for ``count`` garments left out, and its tooltip's."""
    garments = f"{count} garment{'s' if count != 1 else ''}"
    tip = (
        f"{garments} of this wardrobe {'were' if count != 1 else 'was'} described by another "
        "version of the similar-items model, which this read-only wardrobe cannot describe "
        'again: similar items and "Do I already own this?" leave '
        f"{'them' if count != 1 else 'it'} out. Copy its folder to one you can write to "
        "and open the copy to compare them all."
    )
    return f"{garments} not compared: described by another model", tip


def models_words(held: list[int]) -> tuple[str, str]:
    """The words where the models could not load: ``held`` garments of each model."""
    total = sum(held)
    each = f"{', '.join(map(str, held[:-1]))} and {held[-1]}"
    tip = (
        f"The {total} garments of this wardrobe were described by {len(held)} versions of "
        f"the similar-items model ({each} garments), which this "
        'read-only wardrobe cannot describe again: similar items and "Do I already own '
        "this?\" compare one version's and leave the others out. The models could not "
        "load, so which are left out is not known. Copy its folder to one you can write "
        "to and open the copy to compare them all."
    )
    return f"Garments of {len(held)} models: not all compared", tip


class NotComparedNotice(QLabel):
    """The status bar's "N garments not compared" (after a dot, as its other words), its
    tooltip saying why; both hidden while there are none."""

    def __init__(self, session: WardrobeSession, status: QStatusBar) -> None:
        super().__init__(status)
        self.setObjectName("notComparedNotice")
        self.session = session
        self.counted: int | None = None  # the last count, None before the first
        self.dot = QLabel("·", status)
        self.dot.setContentsMargins(4, 0, 4, 0)
        for widget in (self.dot, self):
            widget.hide()  # before it is added: the status bar leaves it hidden
            status.addPermanentWidget(widget)
        self._mark: tuple[object, ...] | None = None  # change_mark() when last counted
        session.modelReady.connect(self.recount)
        session.modelStatusChanged.connect(self._model_status)
        if session.model_loaded or session.model_error is not None:
            self.recount()

    @Slot(str)
    def _model_status(self, _text: str) -> None:
        if self.session.model_error is not None:  # failed: said without the models
            self.recount()

    @Slot()
    def recount(self) -> None:
        count: Callable[[WorkerContext], int | list[int] | None]
        if self.session.model_loaded:
            count = self._count
        elif self.session.model_error is not None:
            count = self._count_models  # which model's are compared is not known
        else:
            return
        self._mark = self._change_mark()
        self.session.runner.start(
            count, queue=Queue.READ, title="Counting garments not compared", on_result=self._show
        )

    @Slot()
    def relisted(self) -> None:
        """The grid was listed again: counted again where the garments changed since the
        last count (another program re-embedded some, or deleted them)."""
        if self._change_mark() != self._mark:
            self.recount()

    def _change_mark(self) -> tuple[object, ...] | None:
        try:
            return self.session.wardrobe.change_mark()  # cached until the database changes
        except Exception as exc:  # counted again, whose failure is logged
            log.warning("could not look for changes made elsewhere: %s", exc)
            return None

    def _count(self, ctx: WorkerContext) -> int | None:
        try:
            return len(self.session.wardrobe.not_compared())
        except Exception as exc:  # a word in the status bar: no error box for it
            log.warning("could not count the garments not compared: %s", exc)
            return None

    def _count_models(self, ctx: WorkerContext) -> list[int] | None:
        try:
            return self.session.wardrobe.models_held()
        except Exception as exc:
            log.warning("could not count the garments of each model: %s", exc)
            return None

    @Slot(object)
    def _show(self, count: int | list[int] | None) -> None:
        if count is None:  # not counted: as it was
            return
        if isinstance(count, list):  # each model's garments, counted without the models
            if self.session.model_loaded:  # loaded since: its own count follows
                return
            text, tip = models_words(count) if len(count) > 1 else ("", "")
        else:
            self.counted = count
            text, tip = notice_words(count) if count else ("", "")
        self.setText(text)
        self.setToolTip(tip)
        self.setVisible(bool(text))
        self.dot.setVisible(bool(text))
