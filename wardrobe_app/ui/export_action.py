"""File > Export…: the cut-outs and a wardrobe.csv in a folder chosen (``Wardrobe.export``),
run on a worker; the message at the end has a way to the folder."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from .folder_box import show_folder_box
from .settings import AppSettings
from .start_folder import HOME, start_folder
from .workers import ErrorInfo, Queue, TaskRunner, WorkerContext

if TYPE_CHECKING:
    from ..service import ExportResult, Wardrobe


class ExportController(QObject):
    """Asks where, exports on the reading queue and says how it went."""

    def __init__(self, window: QMainWindow, settings: AppSettings) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings

    def start(self, wardrobe: Wardrobe, runner: TaskRunner) -> None:
        folder = QFileDialog.getExistingDirectory(
            self._window, "Export the wardrobe to", start_folder(self._settings.export_folder, HOME)
        )
        if not folder:
            return
        self._settings.export_folder = folder
        self._window.statusBar().showMessage("Exporting…")
        target = Path(folder)

        def export(ctx: WorkerContext) -> ExportResult | str:
            try:
                return wardrobe.export(target, progress=ctx.progress)
            except OSError as exc:  # the folder: not writable, full, or not ours to overwrite
                where = f"{exc.filename}: " if exc.filename else ""
                return f"{where}{exc.strerror or exc}"

        # An export here before is updated in place (by design): said, not asked.
        again = (target / "wardrobe.csv").is_file()
        runner.start(
            export,
            queue=Queue.READ,
            title="Exporting the wardrobe",
            on_progress=self._progress,
            on_result=partial(self._exported, again=again),
            on_error=self._failed,
            on_finished=self._ended,
        )

    @Slot(int, int, str)
    def _progress(self, done: int, total: int, _current: str) -> None:
        # Copying 40,000 cut-outs takes minutes: "Exporting…" alone looked stuck.
        self._window.statusBar().showMessage(f"Exporting… {done} of {total} garments")

    @Slot(object)
    def _failed(self, _info: ErrorInfo) -> None:
        # The error box says why; the bar must not go on counting garments.
        self._window.statusBar().showMessage("The export failed", 10_000)

    @Slot()
    def _ended(self) -> None:
        """Every ending (a cancel too): the last "Exporting… N of M" stayed for good
        where nothing else replaced it."""
        if self._window.statusBar().currentMessage().startswith("Exporting…"):
            self._window.statusBar().clearMessage()

    def _exported(self, result: ExportResult | str, again: bool = False) -> None:
        if isinstance(result, str):
            self._window.statusBar().clearMessage()
            QMessageBox.warning(self._window, "Export stopped", f"The export stopped:\n\n{result}")
            return
        n = result.garments
        text = f"Exported {n} garment{'s' if n != 1 else ''} to {result.csv_path.parent}"
        if result.missing_cutouts:
            text += (
                f" ({len(result.missing_cutouts)} without a cut-out: its file is missing "
                "or damaged)"
            )
        self._window.statusBar().showMessage(text, 10_000)
        self._show_export_done(result.csv_path.parent, text, again)

    def _show_export_done(self, folder: Path, text: str, again: bool) -> QMessageBox:
        """Where the export went, with a way there: a status-bar line gone in ten
        seconds left people looking for the folder."""
        text += "."
        if again:
            text += (
                "\n\nThe export already in this folder was updated: wardrobe.csv and the "
                "cut-outs now match your wardrobe, and those of garments deleted since "
                "were removed."
            )
        return show_folder_box(self._window, "Export done", text, folder, "exportDone")
