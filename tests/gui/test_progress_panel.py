"""The import progress in the status bar."""

from __future__ import annotations

from pathlib import Path

import pytest

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
