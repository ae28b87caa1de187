"""One import from start to report.

Without review: ``Wardrobe.import_paths`` runs on the model queue, reporting progress and
checking the cancel flag between photos.

With review: photos are analysed one by one on the model queue (saving nothing) and
stream into the :class:`ReviewDialog`; each decision is saved on the write queue with
``Wardrobe.save_analysis(analysis, keep=...)``. The analysis pauses while a few photos
wait for review, so a big folder never piles up in memory.

Photos given while an import runs (a drop) are queued: imported after the current ones,
in the same import (one report at the end).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from ..store.database import storage_trouble
from ..types import Category, ImportReport, ImportResult, KindChoice
from .import_report import ImportSummary
from .odd_names import shown_name
from .progress_panel import photos_and_folders
from .review_dialog import REVIEW_BACKLOG, ReviewDialog, ReviewItem
from .session import WardrobeSession
from .workers import ErrorInfo, Queue, Worker, WorkerContext

if TYPE_CHECKING:
    from ..service import Wardrobe

log = logging.getLogger(__name__)

REFRESH_EVERY = 2.0  # seconds between grid refreshes during an import


@dataclass
class _Batch:
    """Photos given at once; ``cancel`` is the flag of the Cancel in force when given."""

    paths: list[Path]
    review: bool
    cancel: threading.Event
    # Given before it (resolved), being imported or waiting: left out of its folders, where
    # a photo dropped before its folder was "1 already in the wardrobe".
    given: set[Path] = field(default_factory=set)


@dataclass(frozen=True)
class NotLoaded:
    """The models could not load: none of ``files`` was imported."""

    files: list[Path]
    message: str
    left_out: list[Path] = field(default_factory=list)  # RAW, .psd, videos... in the folders


class ImportController(QObject):
    started = Signal(int)  # number of paths given (for each batch)
    queued = Signal(object)  # list[Path]: the paths waiting for the current ones
    progress = Signal(int, int, str)  # done, total, current file name
    finished = Signal(object)  # ImportSummary
    reviewOpened = Signal(object)  # ReviewDialog, about to be shown

    def __init__(self, session: WardrobeSession, parent_widget: QWidget | None = None) -> None:
        super().__init__(parent_widget)
        self.session = session
        self.parent_widget = parent_widget
        self.worker: Worker | None = None
        self.dialog: ReviewDialog | None = None
        self.summary = ImportSummary()
        self._saves = 0
        self._analysis_running = False
        self._auto_accept = False
        self._review = False
        self._backlog = 0
        self._cond = threading.Condition()
        # The import's own cancel flag, not its worker's: a worker cancelled while queued
        # (behind the model's loading) never runs, and its photos went unreported.
        self._cancel = threading.Event()
        self._waiting: list[_Batch] = []
        self._batch = _Batch([], False, self._cancel)  # the one running
        self._running = False
        self._stopped = False
        self._last_refresh = 0.0
        self._refresh_timer = QTimer(self)  # the grid's refresh after the last saves
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._refresh_grid)
        self._total = 0
        self._skipped = 0

    def busy(self) -> bool:
        return self._running

    def analysing(self) -> bool:
        """Photos are still being read and segmented, or wait for it (not just the last
        saves)."""
        return self._running and (self._analysis_running or bool(self._waiting))

    def waiting_paths(self) -> list[Path]:
        return [p for batch in self._waiting for p in batch.paths]

    # --- start / cancel ----------------------------------------------------------------
    def start(self, paths: Sequence[Path], review: bool) -> bool:
        """Import ``paths``; during an import, after its photos. False where there is
        nothing (new) to import."""
        given: set[Path] = set()
        if self.busy():  # dropped twice: once is enough, not "3 already in the wardrobe"
            given = {
                p.resolve()
                for b in [self._batch, *self._waiting]
                if not b.cancel.is_set()
                for p in b.paths
            }
            paths = [p for p in dict.fromkeys(paths) if not _among(p.resolve(), given)]
        if not paths:
            return False
        batch = _Batch(list(paths), review, self._cancel, given)
        if self.busy():
            # A drop during an import was accepted and thrown away: the photos wait.
            self._waiting.append(batch)
            self._tell_waiting()
            return True
        # Its own data folder named as such, not as "a wardrobe (a backup?)".
        self.summary = ImportSummary(reviewed=review, home=Path(self.session.home))
        self._running = True
        self._run(batch)
        return True

    def _run(self, batch: _Batch) -> None:
        # Cancelled while waiting: counted without a review that opens only to close.
        paths, review = batch.paths, batch.review and not batch.cancel.is_set()
        self._batch = batch
        self.summary.reviewed = self.summary.reviewed or review
        self._review = review
        self._auto_accept = False
        self._backlog = 0
        self._total = self._skipped = 0
        self._stopped = False
        self._bug_counted = False
        self._analysis_running = True
        self.started.emit(len(paths))
        runner = self.session.runner
        if review:
            self.dialog = ReviewDialog(self.parent_widget)
            self.dialog.decided.connect(self._decided)
            self.dialog.mergeRequested.connect(self._merge)
            self.dialog.reanalyseRequested.connect(self._reanalyse)
            self.dialog.acceptAllRequested.connect(self._accept_all)
            self.dialog.stopRequested.connect(self._stop_from_review)
            self.dialog.finished.connect(self._dialog_closed)
            self.worker = runner.start(
                partial(self._analyse_job, batch=batch),
                queue=Queue.MODEL,
                title="Analysing photos",
                on_progress=self._on_progress,
                on_partial=self._on_partial,
                on_error=self._on_error,
                on_finished=self._analysis_finished,
            )
        else:
            self.worker = runner.start(
                partial(self._import_job, batch=batch),
                queue=Queue.MODEL,
                title="Importing photos",
                on_progress=self._on_progress,
                on_partial=self._import_stopped,
                on_result=self._imported,
                on_error=self._import_failed,
                on_finished=self._analysis_finished,
            )

    def _tell_waiting(self) -> None:
        waiting = self.waiting_paths()
        self.queued.emit(waiting)
        if self.dialog is not None:  # its Stop stops them too: its question says so
            self.dialog.waiting = photos_and_folders(waiting)

    def cancel(self) -> None:
        """Stop analysing; photos already analysed can still be reviewed. The job runs
        even if it has not started yet, to count every photo as cancelled; so do the
        batches waiting, while photos given after this are imported."""
        self._cancel.set()
        self._cancel = threading.Event()
        with self._cond:
            self._cond.notify_all()

    def stop_all(self) -> None:
        """Cancel, and forget the batches waiting (the window closes)."""
        self._waiting.clear()
        self.cancel()

    # --- without review ----------------------------------------------------------------
    def _import_job(self, ctx: WorkerContext, batch: _Batch) -> ImportReport | NotLoaded:
        wardrobe = self.session.wardrobe
        cancel = batch.cancel

        def progress(done: int, total: int, current: Path) -> None:
            ctx.progress(done, total, shown_name(Path(current).name))  # a byte Qt drops

        def cancelled() -> bool:
            return cancel.is_set() or ctx.is_cancelled()

        files, left_out, wardrobes, trouble = _photos_of(wardrobe, batch, cancelled)
        if trouble is not None:
            return trouble
        report = ImportReport()
        try:
            wardrobe.import_paths(files, progress=progress, is_cancelled=cancelled, into=report)
        except Exception:
            if report.results:  # stopped part-way (not one photo's trouble): counted too
                report.left_out, report.wardrobes = left_out, wardrobes
                ctx.partial((report, files[len(report.results) :]))
            raise
        # Of the folders given: ``files`` are photos only.
        report.left_out, report.wardrobes = left_out, wardrobes
        return report

    @Slot(object)
    def _imported(self, report: ImportReport | NotLoaded) -> None:
        if isinstance(report, NotLoaded):
            self._not_loaded(report)
            return
        self.summary.left_out += report.left_out
        self.summary.wardrobes += report.wardrobes
        for result in report.results:
            self._count_result(result)

    @Slot(object)
    def _import_stopped(self, stopped: tuple[ImportReport, list[Path]]) -> None:
        """Something not one photo's trouble (which is that photo's failed result) stopped
        the import at a photo: it was one row named "Importing photos", the photos saved
        before it uncounted and those after it unsaid."""
        report, rest = stopped
        self._bug_counted = True
        self._imported(report)
        self.summary.stopped += rest

    @Slot(object)
    def _import_failed(self, info: ErrorInfo) -> None:
        if not self._bug_counted:  # its photo already listed with the error's message
            self._on_error(info)

    def _not_loaded(self, trouble: NotLoaded) -> None:
        self.summary.not_loaded.extend(trouble.files)
        self.summary.left_out += trouble.left_out
        self.summary.model_error = trouble.message

    # --- with review -------------------------------------------------------------------
    def _analyse_job(self, ctx: WorkerContext, batch: _Batch) -> None:
        wardrobe = self.session.wardrobe
        cancel = batch.cancel

        def cancelled() -> bool:
            return cancel.is_set() or ctx.is_cancelled()

        files, left_out, wardrobes, trouble = _photos_of(wardrobe, batch, cancelled)
        if wardrobes:
            ctx.partial(("wardrobes", wardrobes))
        if isinstance(trouble, ImportReport):
            # Counted before they fail, as the photos analysed are (the review's count went
            # below zero), with no review to open: none will reach it.
            ctx.partial(("total", len(files), False))
            if left_out:
                ctx.partial(("left_out", left_out))
            for result in trouble.results:
                ctx.partial(_failed(result))
            return
        if trouble is not None:
            ctx.partial(trouble)
            return
        ctx.partial(("total", len(files)))
        if left_out:
            ctx.partial(("left_out", left_out))
        for i, path in enumerate(files):
            with self._cond:  # wait while enough photos are waiting for review
                while self._backlog >= REVIEW_BACKLOG and not self._auto_accept and not cancelled():
                    self._cond.wait(0.2)
            if cancelled():
                ctx.partial(("cancelled", len(files) - i))
                break
            ctx.progress(i, len(files), shown_name(path.name))
            try:
                if wardrobe.find_duplicate(path) is not None:
                    ctx.partial(("duplicate", path))
                    continue
                item = ReviewItem.build(wardrobe.analyse(path))
            except Exception as exc:  # in the words of an import without review
                ctx.partial(_failed(wardrobe.import_failure(path, exc)))
                continue
            with self._cond:
                self._backlog += 1
            ctx.partial(("analysed", item))
        else:
            ctx.progress(len(files), len(files), "")

    @Slot(object)
    def _on_partial(self, message: tuple[object, ...] | NotLoaded) -> None:
        if isinstance(message, NotLoaded):
            self._not_loaded(message)
            return
        kind = message[0]
        dialog = self.dialog
        if kind == "total":
            self._total = int(message[1])  # type: ignore[call-overload]
            opens = len(message) < 3 or bool(message[2])  # False: every photo fails
            if dialog is not None:
                dialog.set_expected(self._total)
                if self._total and opens:
                    self._show_review(dialog)
        elif kind == "duplicate":
            self.summary.duplicates.append(Path(message[1]))  # type: ignore[arg-type]
            self._skip_one()
        elif kind == "failed":
            self.summary.failed.append((Path(message[1]), str(message[2])))  # type: ignore[arg-type]
            self._skip_one()
        elif kind == "cancelled":
            self.summary.cancelled += int(message[1])  # type: ignore[call-overload]
        elif kind == "left_out":
            self.summary.left_out += list(message[1])  # type: ignore[call-overload]
        elif kind == "wardrobes":
            self.summary.wardrobes += list(message[1])  # type: ignore[call-overload]
        elif kind == "analysed":
            item = message[1]
            assert isinstance(item, ReviewItem)
            if self._stopped:
                self.summary.cancelled += 1
            elif self._auto_accept or dialog is None:
                self._release_backlog()
                self._decided(
                    item, list(range(len(item.analysis.garments))) or None, from_dialog=False
                )
            else:
                dialog.add_item(item)

    def _show_review(self, dialog: ReviewDialog) -> None:
        """Opened once there are photos to analyse, the models loaded: with a broken model
        folder (or a folder without photos) it opened only to close before the report."""
        if dialog.isVisible() or self._batch.cancel.is_set():
            return
        self.reviewOpened.emit(dialog)  # before it shows: sized, then placed
        dialog.open()

    def _skip_one(self) -> None:
        self._skipped += 1
        if self.dialog is not None:
            self.dialog.set_expected(self._total - self._skipped, self._skipped)

    def _release_backlog(self) -> None:
        with self._cond:
            self._backlog = max(0, self._backlog - 1)
            self._cond.notify_all()

    @Slot(object, object)
    def _decided(self, item: ReviewItem, keep: list[int] | None, from_dialog: bool = True) -> None:
        if from_dialog:
            self._release_backlog()
        analysis = item.analysis
        if not analysis.garments:
            self.summary.no_garment.append((analysis.path, analysis.message or "no garment found"))
            return
        if keep is None:
            self.summary.discarded += 1
            return
        self._saves += 1
        wardrobe, kept = self.session.wardrobe, list(keep)

        def save(ctx: WorkerContext) -> ImportResult:
            try:
                return wardrobe.save_analysis(analysis, keep=kept)
            except Exception as exc:  # listed with the file in import_photo's words
                return wardrobe.import_failure(analysis.path, exc)

        self.session.runner.start(
            save,
            queue=Queue.WRITE,
            title=f"Saving {analysis.path.name}",
            on_result=self._saved,
            on_error=self._on_error,
            on_finished=self._save_finished,
        )

    @Slot(object, object, str)
    def _merge(self, item: ReviewItem, indices: list[int], category: str) -> None:
        wardrobe, chosen = self.session.wardrobe, cast(Category, category)

        def merge(ctx: WorkerContext) -> tuple[ReviewItem, ReviewItem | None, str]:
            try:
                analysis = wardrobe.merge_garments(item.analysis, indices, chosen)
                return item, ReviewItem.build(analysis), ""
            except Exception as exc:  # said in the dialog; the photo stays as it was
                log.exception("merging garments of %s failed", item.analysis.path)
                return item, None, f"{type(exc).__name__}: {exc}"

        # Not the model queue: the analysis of the next photos runs there, for minutes.
        self.session.runner.start(
            merge, queue=Queue.READ, title="Merging garments", on_result=self._replaced
        )

    @Slot(object, str)
    def _reanalyse(self, item: ReviewItem, kind: str) -> None:
        wardrobe, chosen = self.session.wardrobe, cast(KindChoice, kind)

        def reanalyse(ctx: WorkerContext) -> tuple[ReviewItem, ReviewItem | None, str]:
            try:
                return item, ReviewItem.build(wardrobe.analyse(item.analysis.path, chosen)), ""
            except Exception as exc:  # a file gone meanwhile: said in the dialog
                log.exception("analysing %s again failed", item.analysis.path)
                return item, None, str(exc)

        # The analyser serialises its callers; this photo must not wait behind the rest.
        self.session.runner.start(
            reanalyse, queue=Queue.READ, title="Analysing again", on_result=self._replaced
        )

    @Slot(object)
    def _replaced(self, result: tuple[ReviewItem, ReviewItem | None, str]) -> None:
        if self.dialog is not None:
            self.dialog.replace_current(*result)

    @Slot(object)
    def _saved(self, result: ImportResult) -> None:
        self._count_result(result)
        self._grid_changed()

    def _grid_changed(self) -> None:
        """Photos were saved: the grid lists them, at once and then at most every
        REFRESH_EVERY seconds, the last ones within that time. After "Accept all" it
        listed the whole wardrobe once per photo saved: 61 listings of 3,000 garments
        for 60 photos, 10 s of a core taken from the import."""
        wait = REFRESH_EVERY - (time.monotonic() - self._last_refresh)
        if wait <= 0:
            self._refresh_grid()
        elif not self._refresh_timer.isActive():
            self._refresh_timer.start(int(wait * 1000) + 1)

    @Slot()
    def _refresh_grid(self) -> None:
        self._refresh_timer.stop()
        self._last_refresh = time.monotonic()
        self.session.notify_changed()

    @Slot()
    def _save_finished(self) -> None:
        self._saves -= 1
        self._maybe_finish()

    @Slot()
    def _accept_all(self) -> None:
        for batch in self._waiting:  # "every remaining photo": those dropped meanwhile too
            batch.review = False
        with self._cond:
            self._auto_accept = True
            self._cond.notify_all()

    @Slot()
    def _stop_from_review(self) -> None:
        self._stopped = True
        if self.dialog is not None:
            self.summary.cancelled += self.dialog.pending()
        self.cancel()

    @Slot(int)
    def _dialog_closed(self, _code: int) -> None:
        dialog = self.dialog
        self.dialog = None
        if dialog is not None:
            dialog.deleteLater()
        with self._cond:
            self._backlog = 0
            self._auto_accept = True  # nothing left to review: analysed photos save at once
            self._cond.notify_all()
        self._maybe_finish()

    # --- shared ------------------------------------------------------------------------
    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, current: str) -> None:
        self.progress.emit(done, total, current)
        if self.dialog is not None:
            self.dialog.set_progress(done, total)
        elif not self._review and done > 0:
            # without review photos are saved as they go: let the grid show them
            self._grid_changed()

    @Slot(object)
    def _on_error(self, info: ErrorInfo) -> None:
        self.summary.failed.append((Path(info.title), f"{info.exc_type}: {info.message}"))

    @Slot()
    def _analysis_finished(self) -> None:
        self._analysis_running = False
        self.worker = None
        if self.dialog is not None:
            self.dialog.set_analysis_done()
        if not self._review:
            self.session.notify_changed()
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        if (
            not self._running
            or self._analysis_running
            or self._saves > 0
            or self.dialog is not None
        ):
            return
        if self._waiting:  # the photos given meanwhile, in the same import
            self._run(self._waiting.pop(0))
            self._tell_waiting()
            return
        self._running = False
        self._refresh_timer.stop()  # the window lists the garments at the end anyway
        summary = self.summary
        self.summary = ImportSummary()
        self.finished.emit(summary)

    def _count_result(self, result: ImportResult) -> None:
        s = self.summary
        if result.status == "imported":
            if result.garments:
                s.photos += 1
                s.garments += len(result.garments)
            else:
                s.no_garment.append((result.path, result.message or "no garment found"))
        elif result.status == "duplicate":
            s.duplicates.append(result.path)
        elif result.status == "failed":
            s.failed.append((result.path, result.error or "unknown error"))
        elif result.status == "cancelled":
            s.cancelled += 1


def _among(path: Path, given: set[Path]) -> bool:
    """``path`` (resolved) is one of ``given`` or inside a folder of them, as its import
    finds it (hidden folders are passed over): compared as given, a photo dropped after
    its folder was imported twice, the second time "1 already in the wardrobe". Its
    folders are looked up, not each of ``given`` tried: 1,000 photos dropped on 1,000
    being imported froze the window for seconds."""
    if path in given:
        return True
    hidden = False
    for inner, folder in zip((path, *path.parents), path.parents, strict=False):
        hidden = hidden or inner.name.startswith(".")
        if hidden:
            return False  # passed over by every folder above it too
        if folder in given:
            return True
    return False


def _photos_of(
    wardrobe: Wardrobe, batch: _Batch, cancelled: Callable[[], bool]
) -> tuple[list[Path], list[Path], list[Path], NotLoaded | ImportReport | None]:
    """The photos of ``batch`` (folders walked) but those given before it, the files left
    out of them, the wardrobes' data folders skipped (a backup: "no photos found" alone
    read as a format trouble), and, where there are photos to import, the models'
    trouble (``_models_trouble``)."""
    left_out: list[Path] = []
    wardrobes: list[Path] = []
    files = wardrobe.expand_paths(batch.paths, left_out=left_out, skipped_wardrobes=wardrobes)
    if batch.given:  # quietly, as a photo dropped after its folder is
        files = [f for f in files if not _among(f.resolve(), batch.given)]
    trouble = _models_trouble(wardrobe, files, left_out) if files and not cancelled() else None
    return files, left_out, wardrobes, trouble


def _models_trouble(
    wardrobe: Wardrobe, files: list[Path], left_out: list[Path]
) -> NotLoaded | ImportReport | None:
    """Models that cannot load (a model folder missing or damaged) are the installation's
    trouble: said once for the import's photos, which can be imported again once it is
    fixed, not as "1 failed" in a row named after the job, the photos uncounted. The
    storage refusing the vectors of new models (a full disk) fails each photo in words:
    it was "the models could not load" with SQL, to fix in the model folder."""
    try:
        _ = wardrobe.analyser
    except Exception as exc:
        trouble = storage_trouble(exc)
        if trouble is not None:  # said once for the import, not a line for each photo
            log.warning("%d photos not imported, the models not saved: %s", len(files), exc)
            return ImportReport(
                [ImportResult(f, "failed", error=f"{f}: not saved: {trouble}") for f in files],
                left_out,
            )
        log.error("the models could not load", exc_info=exc)
        return NotLoaded(files, str(exc) or type(exc).__name__, left_out)
    return None


def _failed(result: ImportResult) -> tuple[str, Path, str]:
    """The review's "failed" message for a photo that could not be read or analysed: a
    locked database in words, not SQL; a bug with its traceback logged."""
    return ("failed", result.path, result.error or "unknown error")
