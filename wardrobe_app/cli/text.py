"""Text output: each entry on one line, whatever the file names it holds."""

from __future__ import annotations

import sys
import unicodedata


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
    print(f"wardrobe-cli: error: {one_line(message)}", file=sys.stderr)
