"""``--json``: exactly one JSON document on stdout, also where the command fails.

A command that failed before writing its document (``show 99``, ``similar 99``, a photo
``similar-to`` cannot read, a data folder it cannot use) wrote none: a script reading
stdout got "" and a JSON parse error instead of the reason. main() begins each command
here, the errors said (``text.error``) are kept, and where the command wrote no document
of its own, ``{"errors": [...]}`` is written at its end. The exit status is unchanged.
``train`` and ``pseudo-label``, whose stdout is always their JSON document, are begun as
--json commands (their ``json`` default), usage errors included (``ask``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

_asked = False  # the command runs with --json
_emitted = False  # its document is written
_errors: list[str] = []  # what it said on stderr as errors, each on one line


def begin(asked: bool) -> None:
    """A new command (main() is called again in-process by tests): nothing said yet."""
    global _asked, _emitted
    _asked, _emitted = asked, False
    _errors.clear()


def ask() -> None:
    """The command writes a document after all, what was said kept: the parser of one
    whose stdout is always its document (train, pseudo-label) has begun, so a usage
    error of its arguments is the document too."""
    global _asked
    _asked = True


def said(message: str) -> None:
    """Keep an error line said on stderr, for the document of a command that fails."""
    _errors.append(message)


def errors() -> list[str]:
    """The error lines said so far: beside the results of a command that did some of its
    work (``similar 1 999``), as the document of one that did none."""
    return list(_errors)


def emit(
    document: Any,
    *,
    indent: int | None = None,
    ensure_ascii: bool = False,
    default: Callable[[Any], Any] | None = None,
) -> None:
    """Write the command's document, in one write: json.dump encodes in Python and
    writes each token (3.8 million writes, 8 s, for ``list --json`` of 40,000 garments)."""
    global _emitted
    text = json.dumps(document, ensure_ascii=ensure_ascii, indent=indent, default=default)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    _emitted = True


def end() -> None:
    """After a command that returned (not one a bug raised out of): with --json and no
    document written, ``{"errors": [...]}``, the reasons it gave on stderr."""
    if _asked and not _emitted:
        emit({"errors": list(_errors)})
