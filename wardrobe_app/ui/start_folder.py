"""Where a file dialog opens: the folder the user last chose there, or theirs for photos."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

Location = QStandardPaths.StandardLocation
HOME = Location.HomeLocation  # where exports and backups begin


def start_folder(saved: str, where: Location = Location.PicturesLocation) -> str:
    """``saved`` while it is a folder, else the user's ``where`` folder (Pictures), else
    their home. An empty start opened the dialog in the folder the app was started from:
    from a terminal, whatever folder that was; and a folder since deleted or unmounted
    did the same."""
    if saved and Path(saved).is_dir():
        return saved
    for folder in QStandardPaths.standardLocations(where):
        if Path(folder).is_dir():
            return folder
    return str(Path.home())
