"""File > Back up…'s progress dialog (``BackupController``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from wardrobe_app.ui.backup_action import BackupController
from wardrobe_app.ui.settings import AppSettings


def test_a_result_landing_while_the_progress_is_shown_closes_the_dialog_cleanly(
    qtbot, monkeypatch
) -> None:
    # A window-modal QProgressDialog's setValue runs the event loop: the backup's result,
    # queued from its worker, could land there and close the dialog, and the progress
    # slot then went on with a dialog gone ('NoneType' has no attribute 'setLabelText').
    told: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "information", staticmethod(lambda _p, _title, text: told.append(text))
    )
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    controller = BackupController(window, AppSettings())
    dialog = QProgressDialog("Backing up the wardrobe…", "Cancel", 0, 0, window)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.show()
    controller._dialog = dialog
    controller._progress(1, 10, "")  # the first: the dialog is shown from here on
    QTimer.singleShot(0, lambda: controller._done(None))  # the result, queued

    controller._progress(2, 10, "")

    assert told == ["Backup cancelled: nothing was kept."]  # the result did land there
    assert controller._dialog is None and not controller.running
