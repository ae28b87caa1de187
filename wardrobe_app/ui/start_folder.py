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
    if saved and _is_folder(saved):
        return saved
    for folder in QStandardPaths.standardLocations(where):
        if _is_folder(folder):
            return folder
    return str(Path.home())


def _is_folder(path: str) -> bool:
    """False also where the disk will not say (a folder on the way that may no longer be
    searched, a name too long): raised, the import, export or backup did not open."""
    try:
        return Path(path).is_dir()
    except OSError:
        return False
