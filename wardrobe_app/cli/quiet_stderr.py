"""A stderr that a reader gone away does not fail: what goes there is progress and
notes, beside the work itself on stdout."""

from __future__ import annotations

import contextlib
import os
from typing import Any, TextIO


class QuietStderr:
    """``stream`` (stderr) whose writes and flushes pass over a closed pipe
    (BrokenPipeError): `wardrobe-cli list 2>&1 >out | head -0`-like, the count said there
    ended a complete listing with exit 1. Everything else is ``stream``'s own."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.gone = False  # its reader closed the pipe: what comes next is dropped

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        self.gone = True
        # The descriptor now /dev/null: the bytes still buffered, and native libraries'
        # warnings, go there, and Python's flush at exit reports no pipe.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, self.stream.fileno())
            finally:
                os.close(null)

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding... as stderr's
        return getattr(self.stream, name)
