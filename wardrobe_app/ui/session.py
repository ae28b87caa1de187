"""The open wardrobe as the GUI sees it: the service, the task runner, the model's
state, and one signal for "the garments changed" that every view listens to."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from ..services.vectors import EmbeddingStopped
from ..store import StoreClosed
from ..store.database import storage_trouble
from .model_loader import LazyAnalyser
from .model_summary import ModelSummary, summarise
from .workers import ErrorInfo, Queue, TaskRunner, WorkerCancelled, WorkerContext

if TYPE_CHECKING:
    from ..service import Wardrobe

LOADING_TITLE = "Loading the model"


class WardrobeSession(QObject):
    changed = Signal()  # garments added, edited, deleted or restored
    modelStatusChanged = Signal(str)
    modelReady = Signal()

    def __init__(
        self,
        wardrobe: Wardrobe,
        runner: TaskRunner,
        loader: LazyAnalyser | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.wardrobe = wardrobe
        self.runner = runner
        self.loader = loader  # when the GUI built the analyser itself
        self.model_status = "Model not loaded"
        self.model_tooltip = ""  # the models' names, kinds and folders (rich text)
        self.model_loaded = False
        self.model_error: str | None = None
        self._loading = False

    @property
    def home(self) -> str:
        return str(self.wardrobe.home)

    def load_model(self, quiet: bool = False) -> None:
        """Load the analyser in the background (model queue: imports wait behind it).
        ``quiet``: a failure only in the status bar, for a retry by an import, which
        reports the same error itself (two error boxes for one import, otherwise)."""
        if self._loading or self.model_loaded:
            return
        self._loading = True
        self.model_error = None
        self._set_status("Loading model…")
        self.runner.start(
            partial(self._load_model, quiet=quiet),
            queue=Queue.MODEL,
            title=LOADING_TITLE,
            on_result=self._model_loaded,
            on_error=self._model_failed,
        )

    def _load_model(self, ctx: WorkerContext, quiet: bool = False) -> ModelSummary | ErrorInfo:
        try:
            if self.loader is not None:
                # outside the service's lock: the GUI keeps editing while the model loads
                self.loader.load()
            analyser = self.wardrobe.analyser  # re-embeds vectors of an older embedder
            # the real pipeline, whose models carry their configs and folders
            real = analyser.load() if isinstance(analyser, LazyAnalyser) else analyser
            return summarise(real)
        except (EmbeddingStopped, StoreClosed):
            # The window is closing during the re-embedding for a new model (or closed
            # while the models loaded, past the shutdown's wait): no failure, those done
            # are kept and the next start goes on, so no error to say or log.
            raise WorkerCancelled from None
        except Exception as exc:
            trouble = storage_trouble(exc)
            if trouble is not None:
                # The storage, not the models (a full disk refused a new embedder's
                # vectors): said in the status bar, not as a crash with its SQL.
                message = f"{trouble} (the wardrobe could not be updated for it)"
                return ErrorInfo(LOADING_TITLE, type(exc).__name__, message, "")
            if not quiet:
                raise  # to the error handler: the window says it
            return ErrorInfo.from_exception(LOADING_TITLE, exc)

    @Slot(object)
    def _model_loaded(self, summary: ModelSummary | ErrorInfo) -> None:
        if isinstance(summary, ErrorInfo):  # a quiet retry that failed, or the storage
            self._model_failed(summary)
            return
        self._loading = False
        self.model_loaded = True
        self._set_status(summary.text, summary.tooltip)
        self.modelReady.emit()

    @Slot(object)
    def _model_failed(self, info: ErrorInfo) -> None:
        self._loading = False
        self.model_error = info.message
        self._set_status(f"Model failed to load: {info.message}")

    def _set_status(self, text: str, tooltip: str = "") -> None:
        self.model_status = text
        self.model_tooltip = tooltip
        self.modelStatusChanged.emit(text)

    def count(self) -> int:
        return int(self.wardrobe.count())

    def notify_changed(self) -> None:
        self.changed.emit()
