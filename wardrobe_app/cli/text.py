"""Text output: each entry on one line, whatever the file names it holds."""

from __future__ import annotations

import sys
import unicodedata

from . import json_document


def one_line(text: object) -> str:
    """``text`` with its control characters escaped as Python writes them in a string
    (a newline as \\n, a tab as \\t, ESC as \\x1b, an odd byte of a name that is not
    UTF-8 as \\udce9): a file name holding a newline printed one entry over two lines,
    and one holding ESC could drive the terminal. Letters of every script and spaces
    stay as they are. For text output only: ``--json`` keeps names exact."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(
        c if c.isprintable() or unicodedata.category(c) == "Zs" else repr(c)[1:-1] for c in s
    )


def error(message: object) -> None:
    """``wardrobe-cli: error: MESSAGE`` on stderr, on one line: the paths it names come
    from the user (``--data-dir``, a model folder) and may hold a newline. An OSError
    of a file is said as main() says one, "FILE: Permission denied", not as Python
    writes it ("[Errno 13] Permission denied: 'FILE'")."""
    if isinstance(message, OSError) and message.filename is not None and message.strerror:
        message = f"{message.filename}: {message.strerror}"
    line = one_line(message)
    print(f"wardrobe-cli: error: {line}", file=sys.stderr)
    json_document.said(line)  # for the document of a --json command that fails


def plural(n: int, noun: str) -> str:
    """``noun`` as it goes with the count ``n``: 'photo' for 1, 'photos' for 0 or 2."""
    return noun if n == 1 else f"{noun}s"


def counted(n: int, noun: str) -> str:
    """'1 photo', '3 photos': the summaries said '1 photo(s)', and '1 of 1 photos were'."""
    return f"{n} {plural(n, noun)}"


def some_of(part: int, whole: int, noun: str) -> str:
    """``part`` of ``whole`` things, with the verb that goes with it: 'the photo was' (1
    of 1), '1 of 3 photos was', '2 of 3 photos were'."""
    if whole == part == 1:
        return f"the {noun} was"
    return f"{part} of {counted(whole, noun)} {'was' if part == 1 else 'were'}"
