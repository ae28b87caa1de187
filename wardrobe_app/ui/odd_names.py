"""File names that are not UTF-8 (an old camera's, another system's disk): Qt gives them
with U+FFFD in place of each odd byte, and drops such bytes from what it draws. Found
again on the disk here, and shown with their bytes written as \\xe9."""

from __future__ import annotations

import os
import re
from pathlib import Path

REPLACED = "\ufffd"  # what Qt puts in place of a byte that is not UTF-8
_ESCAPED = "[\udc80-\udcff]+"  # those bytes as Python's file system names hold them


def shown_name(text: str) -> str:
    """``text`` with the bytes of a name that is not UTF-8 written as \\xe9: Qt dropped
    them ("caf.jpg", a file that is not there)."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name gives
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


def real_path(name: str) -> Path:
    """The file a name from Qt's file dialogs means. A name with U+FFFD that is not there
    is looked for in its folder (itself found so where its name has U+FFFD too): the one
    name there whose odd bytes stand where the U+FFFDs do. Where none or several match,
    the name as given (the import then says it is not there). POSIX only: a Windows name
    is UTF-16, never lost so."""
    path = Path(name)
    if REPLACED not in name or os.name != "posix" or os.path.lexists(path):
        return path
    return _on_disk(path) or path


def _on_disk(path: Path) -> Path | None:
    if os.path.lexists(path):
        return path
    parent = path.parent
    if parent == path or REPLACED not in str(path):
        return None
    if REPLACED in str(parent):
        found = _on_disk(parent)
        if found is None:
            return None
        parent = found
    if REPLACED not in path.name:
        candidate = parent / path.name
        return candidate if os.path.lexists(candidate) else None
    pattern = re.compile(_ESCAPED.join(re.escape(part) for part in path.name.split(REPLACED)))
    try:
        names = os.listdir(parent)
    except OSError:  # gone, or not ours to read: the import says so
        return None
    matches = [n for n in names if pattern.fullmatch(n)]
    return parent / matches[0] if len(matches) == 1 else None
