"""``wardrobe`` / ``python -m wardrobe_app``: start the desktop app."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import __version__, paths
from ..types import Analyser
from .errors import ErrorReporter, setup_logging
from .icons import APP_ID, app_icon
from .main_window import MainWindow
from .model_loader import LazyAnalyser
from .read_only import data_folder_problem, log_file_for
from .session import WardrobeSession
from .settings import APPLICATION, ORGANIZATION, AppSettings
from .theme import apply_theme, choose_theme, follow_system_scheme
from .workers import TaskRunner

log = logging.getLogger(__name__)


@dataclass
class AppParts:
    """Everything one window needs; ``close()`` releases it in order."""

    session: WardrobeSession
    window: MainWindow
    reporter: ErrorReporter
    runner: TaskRunner

    def close(self) -> None:
        # A re-embedding for a new model (the model's loading job) stops after its batch:
        # the shutdown waited up to 15 s for it, and closing the wardrobe for all of it.
        self.session.wardrobe.interrupt()
        self.runner.shutdown(15_000)
        self.session.wardrobe.close()


def init_application(argv: Sequence[str] | None = None) -> QApplication:
    """The one QApplication, styled; reused when it exists (tests, screenshots)."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationDisplayName("Wardrobe")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    apply_theme(app)
    follow_system_scheme(app)
    return app


def build(
    home: Path,
    settings: AppSettings,
    analyser: Analyser | None = None,
    reporter: ErrorReporter | None = None,
    background_index: bool = True,
) -> AppParts:
    """Open the wardrobe at ``home`` and build the main window (not shown yet)."""
    from ..service import ENV_ANALYSER, Wardrobe

    runner = TaskRunner()
    if reporter is None:
        reporter = ErrorReporter(log_file_for(home))
    runner.errorOccurred.connect(reporter.report)
    loader: LazyAnalyser | None = None
    if analyser is None and not os.environ.get(ENV_ANALYSER):
        loader = LazyAnalyser(settings.device)
        analyser = cast(Analyser, loader)
    # The start-up clean-up of the stored files after the window shows (see ``main``):
    # 0.25 s of the start at 40,000 garments.
    wardrobe = Wardrobe(home, analyser, background_index=background_index, defer_cleanup=True)
    session = WardrobeSession(wardrobe, runner, loader)
    window = MainWindow(session, settings, reporter)
    return AppParts(session, window, reporter, runner)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="wardrobe", description="Wardrobe desktop app")
    parser.add_argument(
        "--data-dir",
        help=f"wardrobe data folder (default: ${paths.ENV_HOME} "
        "or the platform's user data folder)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "photos",
        nargs="*",
        type=Path,
        help="photos or folders to import after start (as from a file manager)",
    )
    args, _qt_args = parser.parse_known_args(list(argv))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    app = init_application([sys.argv[0], *argv])
    settings = AppSettings()
    choose_theme(app, settings.theme)
    from_settings = False  # the folder is the one saved in Settings
    # A folder inside another wardrobe's data folder, given for this start (as the CLI
    # and Settings refuse it): that wardrobe's clean-up or backup would take it for its own.
    nested = (
        paths.nested_problem(Path(args.data_dir).expanduser().resolve())
        if args.data_dir
        else paths.env_home_problem()
    )
    if nested is not None:
        where = f"--data-dir {args.data_dir} " if args.data_dir else ""
        QMessageBox.critical(None, "Wardrobe", f"Cannot use the data folder:\n{where}{nested}")
        return 1
    try:
        if args.data_dir:
            paths.set_data_home(args.data_dir)
        elif settings.data_dir is not None and paths.ENV_HOME not in os.environ:
            problem = data_folder_problem(settings.data_dir)
            if problem:  # saved by an older version, or the folder went: say so, go on
                QMessageBox.warning(
                    None,
                    "Wardrobe",
                    f"The data folder in Settings cannot be used:\n{problem}\n\n"
                    f"Wardrobe opens the default one, {paths.chosen_home()}, instead, "
                    "and Settings now shows that one.",
                )
                settings.data_dir = None  # Settings would refuse every change until edited
            else:
                paths.set_data_home(settings.data_dir)
                from_settings = True
        home = paths.data_home()
    except OSError as exc:
        QMessageBox.critical(None, "Wardrobe", f"Cannot create the data folder:\n{exc}")
        return 1
    log_handler = setup_logging(log_file_for(home))
    reporter = ErrorReporter(log_file_for(home))
    reporter.install()
    log.info("Wardrobe %s starting on %s", __version__, home)
    while True:
        try:
            parts = build(home, settings, reporter=reporter)
            break
        except Exception as exc:
            log.exception("cannot open the wardrobe at %s", home)
            if from_settings:
                # Stopping here stopped the app at every start, with Settings (where
                # another folder is chosen) out of reach: the default one opens instead.
                from_settings = False
                os.environ.pop(paths.ENV_HOME, None)
                QMessageBox.warning(
                    None,
                    "Wardrobe",
                    f"Cannot open the wardrobe in {home}, the data folder in Settings:"
                    f"\n\n{exc}\n\nIt was left as it is. Wardrobe opens the default "
                    f"folder, {paths.chosen_home()}, for now: choose another one in "
                    "Settings, or put that one right and start again.",
                )
                try:
                    home = paths.data_home()
                except OSError as err:
                    QMessageBox.critical(None, "Wardrobe", f"Cannot create the data folder:\n{err}")
                    reporter.uninstall()
                    return 1
                # The log goes with the folder in use: the one the error dialogs name, not
                # the folder refused (left as it was).
                if log_handler is not None:
                    logging.getLogger("wardrobe_app").removeHandler(log_handler)
                    log_handler.close()
                log_handler = setup_logging(log_file_for(home))
                reporter.log_file = log_file_for(home)
                log.info("Wardrobe %s starting on %s instead", __version__, home)
                continue
            QMessageBox.critical(
                None,
                "Wardrobe",
                f"Cannot open the wardrobe in {home}:\n\n{exc}\n\n"
                f"Details are in {log_file_for(home)}.",
            )
            reporter.uninstall()
            return 1
    parts.window.show()
    QTimer.singleShot(0, parts.session.wardrobe.store.start_cleanup)
    parts.session.load_model()
    if args.photos:
        parts.window.import_paths([p.expanduser().resolve() for p in args.photos])
    try:
        code = app.exec()
    finally:
        parts.close()
        reporter.uninstall()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
