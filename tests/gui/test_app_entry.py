"""The real entry point: ``main()`` opens the window on a fresh data folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from wardrobe_app import paths
from wardrobe_app.ui.app import main
from wardrobe_app.ui.main_window import MainWindow
from wardrobe_app.ui.settings import AppSettings
from wardrobe_app.ui.workers import Queue


def test_main_opens_an_empty_wardrobe_and_imports_given_photos(
    qtbot, tmp_path, monkeypatch, photos
):
    monkeypatch.setenv("WARDROBE_ANALYSER", "fakes:make_fake")
    data = tmp_path / "data"
    files = photos(2)
    seen: dict[str, object] = {}
    deadline = time.monotonic() + 90

    def check() -> None:
        windows = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        if time.monotonic() > deadline:  # never hang the test run
            seen["timeout"] = [
                (w.session.model_status, w.importer.busy(), w.progress.label.text())
                for w in windows
            ]
            for w in windows:
                w.close()
            return
        if not windows:
            QTimer.singleShot(50, check)
            return
        window = windows[0]
        if window.importer.busy() or not window.session.model_loaded:
            QTimer.singleShot(50, check)
            return
        seen["home"] = window.session.home
        seen["count"] = window.session.count()
        seen["status"] = window.model_label.text()
        window.close()

    AppSettings().review_before_saving = False
    QTimer.singleShot(0, check)
    assert main(["--data-dir", str(data), *map(str, files)]) == 0
    assert "timeout" not in seen, seen
    assert Path(str(seen["home"])) == data.resolve()
    assert seen["count"] == 4
    assert seen["status"] == "fake analyser fake-1"
    assert (data / "wardrobe.sqlite3").exists()
    assert (data / "wardrobe.log").exists()


def test_python_m_wardrobe_app_version():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-m", "wardrobe_app", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("wardrobe 0.")


def _start(monkeypatch, tmp_path: Path, argv: list[str]) -> tuple[int, Path, Path, list[str]]:
    """``main(argv)``, its window closed once shown: (exit code, the default folder, the
    home it opened, the texts of its warnings and, after a "!", its critical messages)."""
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setenv("WARDROBE_ANALYSER", "fakes:make_fake")
    default = tmp_path / "default-home"
    monkeypatch.setattr(paths.platformdirs, "user_data_dir", lambda _name: str(default))
    warned: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text: warned.append(text))
    )
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda _p, _t, text: warned.append("!" + text))
    )
    seen: dict[str, object] = {}

    def close_when_open() -> None:
        if "code" in seen:  # main() returned without a window: no later test's is closed
            return
        visible = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        if not visible:
            QTimer.singleShot(50, close_when_open)
            return
        seen["home"] = visible[0].session.home
        visible[0].close()

    QTimer.singleShot(0, close_when_open)
    code = seen["code"] = main(argv)
    return code, default, Path(str(seen.get("home", ""))), warned


def _start_with_settings_folder(
    monkeypatch, tmp_path: Path, folder: Path
) -> tuple[int, Path, Path, list[str]]:
    """``_start()`` with ``folder`` saved in Settings (no $WARDROBE_HOME)."""
    monkeypatch.delenv(paths.ENV_HOME, raising=False)
    AppSettings().data_dir = folder
    return _start(monkeypatch, tmp_path, [])


def test_a_saved_data_folder_that_cannot_be_used_is_said_and_the_default_opens(
    qtbot, tmp_path, monkeypatch
):
    # A file saved as the data folder stopped the app at every start with a traceback.
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    code, default, opened, warned = _start_with_settings_folder(monkeypatch, tmp_path, a_file)
    assert code == 0
    assert warned and "is a file, not a folder" in warned[0]
    assert opened == default
    assert AppSettings().data_dir is None  # Settings shows the folder in use
    assert a_file.read_text() == "not a folder"


def test_a_saved_data_folder_that_cannot_be_opened_is_said_and_the_default_opens(
    qtbot, tmp_path, monkeypatch
):
    # A folder in Settings whose database cannot be opened (another program's, a newer
    # version's, damaged) stopped the app at every start, and Settings, where another
    # folder is chosen, was out of reach.
    import sqlite3

    theirs = tmp_path / "their folder"
    theirs.mkdir()
    with sqlite3.connect(theirs / "wardrobe.sqlite3") as raw:
        raw.execute("create table notes (body text)")
    before = (theirs / "wardrobe.sqlite3").read_bytes()
    code, default, opened, warned = _start_with_settings_folder(monkeypatch, tmp_path, theirs)
    assert code == 0
    assert len(warned) == 1 and "another program's tables" in warned[0]
    assert f"opens the default folder, {default}" in warned[0]
    assert opened == default
    assert AppSettings().data_dir == theirs  # kept: the user may put it right
    assert (theirs / "wardrobe.sqlite3").read_bytes() == before
    # the session logs to the folder in use (error dialogs name its log), not to theirs
    assert "starting on" in (default / "wardrobe.log").read_text(encoding="utf-8")


def test_closing_the_window_during_a_similar_items_build_returns_at_once(
    qtbot, home, photos, monkeypatch
):
    # Annoy's build cannot be interrupted: closing waited for all of it (6.5 s at 100k
    # garments, tens of seconds for bigger vectors; tests/benchmarks/close_during_build.py).
    from fakes import FakeAnalyser, SlowBuild

    from wardrobe_app.services import vectors
    from wardrobe_app.ui.app import build
    from wardrobe_app.ui.errors import ErrorReporter

    # A large wardrobe's: a build covering the edits is not waited for at all (a small
    # one's, at most CLOSE_WAIT_S).
    monkeypatch.setattr(vectors, "QUICK_BUILD_BELOW", 1, raising=False)
    reporter = ErrorReporter(home / "wardrobe.log")
    reporter.show_dialogs = False
    parts = build(home, AppSettings(), FakeAnalyser(), reporter, background_index=True)
    slow = SlowBuild(monkeypatch)
    slow.install()
    try:
        parts.window.show()
        parts.session.wardrobe.import_paths(photos(2))  # the index opens: a build starts
        assert slow.started.wait(10)
        start = time.monotonic()
        parts.window.close()
        parts.close()
        took = time.monotonic() - start
    finally:
        slow.end()
        parts.window.deleteLater()
    assert took < 5.0, f"closing waited {took:.1f} s for the similar-items build"  # 20 s


def test_closing_the_window_during_a_re_embedding_returns_at_once_and_says_nothing(
    qtbot, home, photos, make_app, monkeypatch, caplog
):
    # A new similar-items model's first load re-embeds every garment (minutes at 100k):
    # closing waited 15 s for the loading job, then for the whole re-embedding.
    import logging
    import sqlite3
    import threading

    from fakes import FakeAnalyser, SlowEmbedder

    from wardrobe_app.service import Wardrobe
    from wardrobe_app.services import vectors

    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.import_paths(photos(8))  # 16 garments of "fake-1"
    monkeypatch.setattr(vectors, "EMBED_BATCH", 1)
    slow = SlowEmbedder(delay=1.0)  # all of it: 16 s
    caplog.set_level(logging.INFO, logger="wardrobe_app")
    parts = make_app(analyser=slow)  # loads the model: the re-embedding starts
    assert slow.started.wait(10)
    # Similar items of a wardrobe re-embedded part-way wait for the model, on another
    # queue: stopped by the close too, and silent.
    waiting = threading.Event()

    def similar_items(ctx: object) -> object:
        waiting.set()
        return parts.session.wardrobe.analyser

    parts.runner.start(similar_items, queue=Queue.READ, title="Finding similar items")
    assert waiting.wait(10)
    start = time.monotonic()
    parts.window.close()
    parts.close()
    took = time.monotonic() - start
    QApplication.processEvents()
    assert took < 5.0, f"closing waited {took:.1f} s for the re-embedding"
    # A stop, not a failure: no error reported (no dialog), none logged, none said.
    assert parts.reporter.errors == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert parts.session.model_error is None
    with sqlite3.connect(paths.database_path(home)) as conn:
        versions = [v for (v,) in conn.execute("SELECT vector_version FROM garments")]
    conn.close()
    assert 1 <= versions.count("fake-2") < 16  # kept, for the next start to go on from


def test_a_data_folder_inside_another_wardrobe_given_for_the_start_is_refused(
    qtbot, tmp_path, monkeypatch
):
    # $WARDROBE_HOME (or the app's --data-dir) inside another wardrobe's data folder
    # opened a wardrobe there, in the other one's index/; Settings refused such a folder.
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    paths.database_path(theirs).write_bytes(b"")
    inside = theirs / "index" / "x"
    monkeypatch.setenv(paths.ENV_HOME, str(inside))
    code, _, opened, said = _start(monkeypatch, tmp_path, [])
    assert (code, opened, said) == (
        1,
        Path(""),
        [
            f"!Cannot use the data folder:\n${paths.ENV_HOME} {inside} is inside the data "
            f"folder of the wardrobe in {theirs}: choose a folder outside it"
        ],
    )
    monkeypatch.delenv(paths.ENV_HOME)
    code, _, opened, said = _start(monkeypatch, tmp_path, ["--data-dir", str(inside)])
    assert (code, opened) == (1, Path(""))
    assert said[0].startswith(f"!Cannot use the data folder:\n--data-dir {inside} is inside")
    assert sorted(theirs.rglob("*")) == [paths.database_path(theirs)]  # nothing made there
