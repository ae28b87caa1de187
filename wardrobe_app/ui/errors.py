"""One place where every unexpected error ends up: logged to ``paths.log_path()`` and
shown in a dialog, so that the app never dies silently.

``install()`` hooks ``sys.excepthook`` and ``threading.excepthook``; worker errors are
routed here by ``TaskRunner.errorOccurred``. Errors from other threads reach the dialog
through a queued signal.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from .workers import ErrorInfo

log = logging.getLogger("wardrobe_app")


def setup_logging(log_file: Path, level: int = logging.INFO) -> logging.Handler | None:
    """Log the app's messages to ``log_file`` (rotated at 1 MB)."""
    root = logging.getLogger("wardrobe_app")
    root.setLevel(level)
    for handler in root.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == log_file:
            return handler
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return handler


class ErrorReporter(QObject):
    """Logs and shows errors; safe to call from any thread."""

    _show = Signal(object)  # ErrorInfo, delivered in the GUI thread
    errorShown = Signal(object)

    def __init__(self, log_file: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.parent_widget: QWidget | None = None
        self.errors: list[ErrorInfo] = []  # everything reported in this session
        self.show_dialogs = True
        self._open: list[QMessageBox] = []
        self._show.connect(self._show_dialog, Qt.ConnectionType.QueuedConnection)
        self._old_sys_hook = sys.excepthook
        self._old_thread_hook = threading.excepthook

    # --- hooks -------------------------------------------------------------------------
    def install(self) -> None:
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        sys.excepthook = self._old_sys_hook
        threading.excepthook = self._old_thread_hook

    def _sys_hook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        self.report_exception(exc, "Unexpected error", tb)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread else "a background thread"
        self.report_exception(args.exc_value, f"Unexpected error in {name}", args.exc_traceback)

    # --- reporting ---------------------------------------------------------------------
    def report_exception(
        self, exc: BaseException, title: str = "Unexpected error", tb: TracebackType | None = None
    ) -> ErrorInfo:
        details = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
        info = ErrorInfo(title, type(exc).__name__, str(exc) or type(exc).__name__, details)
        self.report(info)
        return info

    @Slot(object)
    def report(self, info: ErrorInfo) -> None:
        """Log ``info`` and show it (queued to the GUI thread)."""
        log.error("%s: %s: %s\n%s", info.title, info.exc_type, info.message, info.details)
        self.errors.append(info)
        self._show.emit(info)

    @Slot(object)
    def _show_dialog(self, info: ErrorInfo) -> None:
        self.errorShown.emit(info)
        if not self.show_dialogs or QApplication.instance() is None:
            return
        box = QMessageBox(self.parent_widget)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Wardrobe: something went wrong")
        box.setText(f"<b>{info.title}</b><br>{_escape(info.message)}")
        box.setInformativeText(
            f"Your wardrobe is safe. The details were written to<br><tt>{self.log_file}</tt>"
        )
        box.setDetailedText(info.details)
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.finished.connect(lambda _r, b=box: self._open.remove(b) if b in self._open else None)
        self._open.append(box)
        box.open()  # not modal to the app: the window keeps working

    def close_dialogs(self) -> None:
        for box in list(self._open):
            box.close()
        self._open.clear()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
