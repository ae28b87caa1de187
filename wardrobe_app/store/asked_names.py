"""Errors of a file or folder written under a temporary name (``X.part``, a hidden
``.X.1a2b3c4d.partial``) said with the name the user asked for: "….csv.part: Permission
denied" named a file the user never saw, and not the folder at fault."""

from __future__ import annotations

import os
from pathlib import Path


def named_as_asked(exc: OSError, temporary: Path, asked: Path) -> OSError:
    """``exc`` naming ``asked`` wherever it named ``temporary`` (filename, or a copy's
    filename2); where it was refused for want of the right to write in their folder,
    that folder named too: the user's to change, or to choose another. Returns ``exc``."""
    named = exc.filename == str(temporary)
    if named:
        exc.filename = str(asked)
    if exc.filename2 == str(temporary):  # a copy names its source first (shutil)
        exc.filename2 = str(asked)
    folder = asked.parent
    if named and isinstance(exc, PermissionError) and exc.strerror and not _writable(folder):
        exc.strerror = f"{exc.strerror} (cannot write in {folder})"
    return exc


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)
