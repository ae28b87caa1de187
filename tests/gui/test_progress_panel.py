"""The import progress in the status bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from wardrobe_app.ui.progress_panel import ProgressPanel


def test_the_paths_waiting_are_told_apart_without_asking_the_disk(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each was asked whether it is a folder, on the GUI thread: on a slow network share
    a drop during an import froze the window."""
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.begin("Analysing 1 of 3")

    def asked(path: Path) -> bool:
        raise AssertionError(f"{path} looked up on the GUI thread")

    monkeypatch.setattr(Path, "is_dir", asked)
    # none of them there: only their names can tell
    share = Path("/nonexistent-share")
    panel.set_waiting([share / "a.jpg", share / "B.HEIC", share / "Holiday 2024"])
    assert panel.label.text() == "Analysing 1 of 3 (then 2 photos and 1 folder)"


LONG_FILE = "holiday-in-the-mountains-with-the-whole-family-IMG_20240101_123456.jpg"


def test_an_imports_progress_fits_a_750_px_window(make_app, qtbot) -> None:
    """The panel alone needed about 540 px (its label 260 at least): during an import
    the status bar asked for 779 px, and in a 750 px window Qt squeezed it below that."""
    w = make_app().window
    w.resize(800, 600)
    w.show()
    qtbot.waitExposed(w)
    w.progress.begin("Preparing 12 items…")
    w.progress.set_progress(2, 12, LONG_FILE)
    assert w.statusBar().minimumSizeHint().width() <= 750
    assert w.progress.minimumSizeHint().width() <= 400


def _shown(label: QLabel) -> str:
    return QLabel.text(label)  # what is drawn: text() is the whole text


def test_a_long_file_name_is_shortened_in_its_middle_the_count_whole(qtbot) -> None:
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.begin("Preparing 12 items…")
    panel.set_progress(2, 12, LONG_FILE)
    panel.show()
    qtbot.waitExposed(panel)
    label = panel.label
    label.resize(320, label.height())
    shown = _shown(label)
    assert shown.startswith("Analysing 3 of 12: holi"), shown
    assert shown.endswith("123456.jpg") and "…" in shown, shown  # its number still read
    assert label.text() == f"Analysing 3 of 12: {LONG_FILE}"  # whole, where read
    assert label.toolTip() == label.text()
    # No room for the file name: it goes, the count stays whole.
    label.resize(label.minimumSizeHint().width(), label.height())
    assert _shown(label) == "Analysing 3 of 12"
