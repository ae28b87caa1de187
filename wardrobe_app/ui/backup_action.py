"""File > Back up…: a complete copy of the wardrobe in a dated folder, with progress and
Cancel (``store.backup``); the message at the end says how to restore it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from ..store.backup import BackupCancelled, BackupError, BackupResult
from .folder_box import show_folder_box
from .settings import AppSettings
from .start_folder import HOME, start_folder
from .workers import Queue, TaskRunner, Worker, WorkerContext

if TYPE_CHECKING:
    from ..service import Wardrobe

LEFT_OUT_SHOWN = 5  # files named in the message; the rest are counted


def backup_folder(parent: Path, now: datetime) -> Path:
    """A new folder in ``parent`` named by the date: backups sort by name, and a second
    one in the same minute gets " (2)"."""
    base = f"Wardrobe backup {now:%Y-%m-%d %H.%M}"
    candidate, n = parent / base, 2
    while candidate.exists():
        candidate, n = parent / f"{base} ({n})", n + 1
    return candidate


def left_out_text(result: BackupResult) -> str:
    """The files a backup left out, in words ("" if none)."""
    if not result.left_out:
        return ""
    named = [f"• {what or rel}" for rel, what in list(result.left_out.items())[:LEFT_OUT_SHOWN]]
    more = len(result.left_out) - len(named)
    if more:
        named.append(f"• and {more} more")
    return (
        "These stored files are missing or damaged in the wardrobe itself and were left "
        "out (`wardrobe-cli verify` lists them all):\n" + "\n".join(named)
    )


class BackupController(QObject):
    """Asks where, runs the backup on a worker and reports; one at a time."""

    def __init__(self, window: QWidget, settings: AppSettings) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings
        self._dialog: QProgressDialog | None = None
        self._worker: Worker | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self, wardrobe: Wardrobe, runner: TaskRunner) -> None:
        if self.running:
            return
        parent = QFileDialog.getExistingDirectory(
            self._window, "Put the backup in", start_folder(self._settings.backup_folder, HOME)
        )
        if not parent:
            return
        self._settings.backup_folder = parent
        target = backup_folder(Path(parent), datetime.now())

        def job(ctx: WorkerContext) -> BackupResult | str | None:
            try:
                return wardrobe.backup(target, progress=ctx.progress, cancelled=ctx.is_cancelled)
            except BackupCancelled:
                return None
            except BackupError as exc:
                return str(exc)
            except OSError as exc:  # the folder not writable, or the disk full
                where = f"{exc.filename}: " if exc.filename else ""
                return f"{where}{exc.strerror or exc}"

        dialog = QProgressDialog("Backing up the wardrobe…", "Cancel", 0, 0, self._window)
        dialog.setObjectName("backupProgress")
        dialog.setWindowTitle("Back up")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        self._dialog = dialog
        self._worker = runner.start(
            job,
            queue=Queue.READ,
            title="Backing up the wardrobe",
            on_progress=self._progress,
            on_result=self._done,
            on_finished=self._finished,
        )
        dialog.canceled.connect(self._worker.cancel)
        dialog.show()

    @Slot(int, int, str)
    def _progress(self, done: int, total: int, current: str) -> None:
        dialog = self._dialog
        if dialog is None:
            return
        dialog.setMaximum(total)
        dialog.setLabelText(f"Backing up the wardrobe: file {done} of {total}")
        # Last: a window-modal dialog's setValue processes events, where the backup's
        # result may land (``_done``) and close the dialog; nothing may touch it after.
        dialog.setValue(done)

    @Slot(object)
    def _done(self, result: BackupResult | str | None) -> None:
        # Done here, not at ``finished``: that comes after, and a backup asked for from
        # the message box's parent in between must not be refused as still running.
        self._close_dialog()
        self._worker = None
        if result is None:
            QMessageBox.information(self._window, "Back up", "Backup cancelled: nothing was kept.")
        elif isinstance(result, str):
            QMessageBox.warning(self._window, "Backup not made", f"No backup was made:\n\n{result}")
        else:
            mb = result.size / 1e6
            n = result.garments
            text = (
                f"Backed up {n} garment{'s' if n != 1 else ''} ({mb:.1f} MB) to\n"
                f"{result.folder}\n\nTo restore, choose this folder as the data folder in "
                "Settings, or copy it back in place of the data folder while Wardrobe is "
                "closed."
            )
            icon = QMessageBox.Icon.Information
            if result.left_out:
                text += "\n\n" + left_out_text(result)
                icon = QMessageBox.Icon.Warning
            # With a way to the copy, as an export's (it had OK alone).
            show_folder_box(self._window, "Backup made", text, result.folder, "backupDone", icon)

    @Slot()
    def _finished(self) -> None:
        # Without a result (it failed: the runner's error handler says why). A worker
        # still running is the next backup's, whose dialog stays.
        if self._worker is not None and self._worker.is_done():
            self._close_dialog()
            self._worker = None

    def _close_dialog(self) -> None:
        if self._dialog is not None:
            self._dialog.canceled.disconnect()
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
