"""Where a file dialog opens, where the folder saved last time cannot be looked up."""

from __future__ import annotations

from pathlib import Path

from wardrobe_app.ui.start_folder import HOME, start_folder


def test_a_saved_folder_the_disk_will_not_look_up_opens_the_dialog_at_home(
    tmp_path: Path,
) -> None:
    """``Path.is_dir`` raises for a name too long or a folder on the way that may not be
    searched (only a missing one is False): the dialog did not open at all."""
    too_long = str(tmp_path / ("x" * 300))
    assert start_folder(too_long, HOME) == start_folder("", HOME)
    assert start_folder(str(tmp_path), HOME) == str(tmp_path)  # a folder that is there
