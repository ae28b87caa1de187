"""GUI test fixtures (pytest-qt, offscreen).

* ``QT_QPA_PLATFORM=offscreen`` is set before anything imports Qt.
* One session-wide QApplication (pytest-qt's ``qapp``), styled like the real app.
* Each test gets a fresh temporary home (``WARDROBE_HOME``) and its own QSettings folder.
* Qt warnings fail the test (``QtWarningMsg`` and worse, captured by pytest-qt's qtlog).
* Teardown closes windows and shuts down every TaskRunner (cancels and waits for workers).
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_SCALE_FACTOR", "1")

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt, QtMsgType
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

import wardrobe_app.ui  # noqa: F401  (first: applies the PySide6 work-around, see qt_compat)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakes import FakeAnalyser

from wardrobe_app import paths
from wardrobe_app.types import KindChoice, PhotoAnalysis

CCP_IMAGES = paths.SHARED_DATA_DIR / "ccp" / "images"

# Messages the offscreen platform prints that say nothing about the app.
HARMLESS_QT_MESSAGES = (
    "This plugin does not support propagateSizeHints()",
    "This plugin does not support raise()",
    "This plugin does not support grabbing the keyboard",
    "QFont::setPointSizeF: Point size <= 0",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(scope="session", autouse=True)
def styled_app(qapp: QApplication) -> QApplication:
    from wardrobe_app.ui.app import init_application

    return init_application()


@pytest.fixture(autouse=True)
def temp_settings(tmp_path: Path, home: Path) -> Iterator[Path]:
    """QSettings in a temporary folder (INI), so no test touches the user's settings."""
    folder = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def fail_on_qt_warnings(request: pytest.FixtureRequest, qtlog: object) -> Iterator[None]:
    yield
    records = getattr(qtlog, "records", [])
    bad = [
        r
        for r in records
        if r.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
        and not any(h in r.message for h in HARMLESS_QT_MESSAGES)
    ]
    if bad:
        pytest.fail("Qt warnings:\n" + "\n".join(f"  {r.type_name}: {r.message}" for r in bad))


@pytest.fixture(autouse=True)
def shutdown_workers() -> Iterator[None]:
    """Whatever a test leaves running is cancelled and waited for."""
    yield
    from wardrobe_app.ui.workers import TaskRunner

    for runner in list(TaskRunner.instances):
        assert runner.shutdown(15_000), "a worker did not stop within 15 s"
    QApplication.processEvents()


@pytest.fixture(autouse=True)
def stop_review_without_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a review with photos left, or the window during an import, asks first (a
    modal question would hang an offscreen test): answered yes, unless a test patches
    ``confirm_stop`` / ``confirm_stop_import`` itself."""
    from wardrobe_app.ui.main_window import MainWindow
    from wardrobe_app.ui.review_dialog import ReviewDialog

    monkeypatch.setattr(ReviewDialog, "confirm_stop", lambda self, left: True)
    monkeypatch.setattr(MainWindow, "confirm_stop_import", lambda self: True)


class SlowAnalyser(FakeAnalyser):
    """The fake analyser, taking ``delay`` seconds per photo (like a real model on CPU)."""

    def __init__(self, delay: float = 0.2) -> None:
        super().__init__()
        self.delay = delay

    def analyse(self, path: Path, kind: KindChoice = "auto") -> PhotoAnalysis:
        time.sleep(self.delay)
        return super().analyse(path, kind)


@pytest.fixture
def make_app(home: Path, qtbot: object) -> Iterator[Callable[..., object]]:
    """``make_app(analyser=None, review=False)``: the real window on ``home`` with a fake
    analyser; closed, its workers shut down and the wardrobe closed at teardown."""
    from wardrobe_app.ui.app import AppParts, build
    from wardrobe_app.ui.errors import ErrorReporter
    from wardrobe_app.ui.settings import AppSettings

    made: list[AppParts] = []

    def make(
        analyser: object | None = None,
        review: bool = False,
        show: bool = True,
        load_model: bool = True,
    ) -> AppParts:
        settings = AppSettings()
        settings.review_before_saving = review
        reporter = ErrorReporter(paths.log_path(home))
        reporter.show_dialogs = False
        parts = build(
            home,
            settings,
            analyser=analyser or FakeAnalyser(),  # type: ignore[arg-type]
            reporter=reporter,
            background_index=False,
        )
        made.append(parts)
        if show:
            parts.window.show()
        if load_model:
            parts.session.load_model()
        return parts

    yield make
    for parts in made:
        parts.window.close()
        parts.close()
        parts.reporter.close_dialogs()
        parts.window.deleteLater()
    QApplication.processEvents()


@pytest.fixture
def ccp_photos() -> Callable[[int], list[Path]]:
    """``ccp_photos(n)``: the first n photos of the CCP dataset (skips when absent)."""

    def pick(n: int) -> list[Path]:
        if not CCP_IMAGES.is_dir():
            pytest.skip("../shared/data/ccp not present")
        found = sorted(CCP_IMAGES.glob("*.jpg"))[:n]
        if len(found) < n:
            pytest.skip("../shared/data/ccp has too few photos")
        return found

    return pick


def darkest_opaque_pixel(icon: QIcon, size: int = 20) -> int:
    """The lightness (0-255) of an icon's darkest opaque pixel: an icon for a dark scheme
    must have no dark lines, which would vanish on the dark background."""
    image = icon.pixmap(size, size).toImage()
    return min(
        image.pixelColor(x, y).lightness()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 200
    )


def start_review(qtbot: Any, window: Any, files: list[Path]) -> Any:
    """Import ``files`` with a review; the review dialog, its first photo analysed."""
    with qtbot.waitSignal(window.importer.reviewOpened, timeout=5000) as opened:
        assert window.import_paths(files, review=True)
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: dialog.current is not None, timeout=10_000)
    return dialog


def wait_listed(qtbot: Any, window: Any, rows: int, timeout: int = 5000) -> None:
    """Until the main window's grid lists ``rows`` garments of its latest listing."""
    qtbot.waitUntil(
        lambda: window.browse.is_current() and window.browse.model.rowCount() == rows,
        timeout=timeout,
    )


def tab_chain(start: QWidget, n: int) -> list[QWidget]:
    """The ``n`` widgets Tab reaches from ``start`` (itself first)."""
    chain = [start]
    while len(chain) < n:
        widget = chain[-1].nextInFocusChain()
        while (  # as Tab skips them (the hidden colour drop-down, for one)
            not widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            or not widget.isEnabled()
            or not widget.isVisible()
        ):
            widget = widget.nextInFocusChain()
        chain.append(widget)
    return chain
