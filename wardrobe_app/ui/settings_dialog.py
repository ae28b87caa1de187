"""Preferences: the device the model runs on (with what torch detected), the data
folder and the review step."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import paths
from .column_scroll import PageScroll
from .model_loader import detect_devices
from .read_only import data_folder_problem, log_file_for
from .screen_fit import resize_within_screen
from .session import WardrobeSession
from .settings import DEVICE_CHOICES, AppSettings
from .theme import choose_theme
from .workers import Queue

DEVICE_LABELS = {"auto": "Automatic (CUDA when available)", "cpu": "CPU", "cuda": "CUDA (GPU)"}


class SettingsDialog(QDialog):
    settingsChanged = Signal()
    restartNeeded = Signal(str)

    def __init__(
        self,
        settings: AppSettings,
        session: WardrobeSession | None,
        parent: QWidget | None = None,
        detect: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self.settings = settings
        self.session = session

        # model
        self.device = QComboBox(self)
        self.device.setObjectName("device")
        for choice in DEVICE_CHOICES:
            self.device.addItem(DEVICE_LABELS[choice], choice)
        self.device.setCurrentIndex(max(0, self.device.findData(settings.device)))
        self.detected = QLabel("Detecting devices…", self)
        self.detected.setObjectName("detected")
        self.detected.setWordWrap(True)
        self.current = QLabel(session.model_status if session is not None else "", self)
        if session is not None:  # "Loading model..." turns into what was loaded
            session.modelStatusChanged.connect(self.current.setText)
        self.current.setWordWrap(True)
        model_box = QGroupBox("Model", self)
        mf = QFormLayout(model_box)
        mf.addRow("Run on", self.device)
        mf.addRow("Detected", self.detected)
        mf.addRow("Now", self.current)

        # data
        home = settings.data_dir or (
            Path(session.home) if session is not None else paths.data_home()
        )
        self.data_dir = QLineEdit(str(home), self)
        self.data_dir.setObjectName("dataDir")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.data_dir, 1)
        row.addWidget(browse)
        # The log of the wardrobe open now: with another folder chosen for the next
        # start, it named a log in that one, where nothing was written yet.
        in_use = Path(session.home) if session is not None else Path(home)
        note = QLabel(f"The log is written to {log_file_for(in_use)}.", self)
        note.setWordWrap(True)
        note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        data_box = QGroupBox("Data folder", self)
        dl = QVBoxLayout(data_box)
        dl.addLayout(row)
        dl.addWidget(note)
        if paths.ENV_HOME in os.environ:
            env = QLabel(f"${paths.ENV_HOME} is set and takes precedence.", self)
            dl.addWidget(env)

        # look
        self.theme = QComboBox(self)
        self.theme.setObjectName("theme")
        for look, label in (("system", "As the system"), ("light", "Light"), ("dark", "Dark")):
            self.theme.addItem(label, look)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        look_box = QGroupBox("Look", self)
        lf = QFormLayout(look_box)
        lf.addRow("Colours", self.theme)

        # import
        self.review = QCheckBox("Review the garments found before saving them", self)
        self.review.setObjectName("review")
        self.review.setChecked(settings.review_before_saving)
        import_box = QGroupBox("Import", self)
        il = QVBoxLayout(import_box)
        il.addWidget(self.review)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        # Scrolled where the screen is short, OK and Cancel always in sight: the boxes
        # (423 px) did not fit 1366x768 at 200% (683x384).
        self.page_scroll = PageScroll(self)
        self.page_scroll.setObjectName("settingsPage")
        boxes = self.page_scroll.page_layout
        boxes.addWidget(model_box)
        boxes.addWidget(data_box)
        boxes.addWidget(look_box)
        boxes.addWidget(import_box)
        boxes.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.page_scroll, 1)
        layout.addWidget(buttons)
        hint = self.sizeHint()
        resize_within_screen(self, hint.width(), hint.height())

        if detect and session is not None:
            session.runner.start(
                lambda ctx: detect_devices(),
                queue=Queue.READ,
                title="Detecting devices",
                on_result=self._detected,
            )
        elif not detect:
            self.detected.setText("—")

    @Slot(object)
    def _detected(self, found: list[str]) -> None:
        self.detected.setText("\n".join(found))
        has_cuda = any(f.startswith("CUDA ") for f in found)
        item = self.device.model().item(self.device.findData("cuda"))  # type: ignore[attr-defined]
        if item is not None and not has_cuda:
            # Not offered: chosen, it failed every import after the restart.
            item.setToolTip("torch found no CUDA device")
            item.setEnabled(False)
            if self.device.currentData() == "cuda":
                self.device.setCurrentIndex(self.device.findData("auto"))

    @Slot()
    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Wardrobe data folder", self.data_dir.text()
        )
        if folder:
            self.data_dir.setText(folder)

    def accept(self) -> None:
        s = self.settings
        changes: list[str] = []
        text = self.data_dir.text().strip()
        folder = Path(text).expanduser() if text else None
        problem = data_folder_problem(folder) if folder is not None else None  # or read-only
        if problem:
            # Saved, a bad folder stopped the app at every start.
            QMessageBox.warning(self, "Data folder", problem)
            self.data_dir.setFocus()
            return
        current = s.data_dir or (Path(self.session.home) if self.session is not None else None)
        in_use = Path(self.session.home).resolve() if self.session is not None else None
        if folder is not None:
            folder = folder.resolve()
        # Checked first, saved together: a refused folder left the device saved already.
        device = str(self.device.currentData())
        if device != s.device:
            s.device = device  # type: ignore[assignment]
            changes.append("the model device")
        if folder != (current.resolve() if current is not None else None):
            s.data_dir = folder
            # $WARDROBE_HOME wins at every start: a restart would not bring this folder.
            # Nor is one needed for the folder open now (another chosen, then this one
            # again): it said "Restart Wardrobe to use the data folder" of the one in use.
            if paths.ENV_HOME not in os.environ and (in_use is None or folder != in_use):
                changes.append("the data folder")
        s.review_before_saving = self.review.isChecked()
        theme = str(self.theme.currentData())
        if theme != s.theme:
            s.theme = theme  # type: ignore[assignment]
            app = QApplication.instance()
            if isinstance(app, QApplication):
                choose_theme(app, theme)  # at once: no restart for colours
        s.sync()
        self.settingsChanged.emit()
        if changes:
            self.restartNeeded.emit(" and ".join(changes))
        super().accept()
