"""argparse value types shared by the commands: a bad value is a usage error naming it,
before any work starts (not a traceback, nor a run that silently does nothing)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path


def path_arg(text: str) -> Path:
    """A path that is not empty: ``""`` (an unset shell variable) would mean the current
    folder, and ``import ""`` imported everything under it."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty path (an unset variable in a script?)")
    return Path(text)


def int_at_least(text: str, minimum: int, not_a_number: str, too_small: str) -> int:
    """``text`` as a whole number of at least ``minimum``, or the usage error given."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(not_a_number) from None
    if value < minimum:
        raise argparse.ArgumentTypeError(too_small)
    return value


def whole(minimum: int) -> Callable[[str], int]:
    """A whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        return int_at_least(
            text,
            minimum,
            f"not a whole number: {text!r}",
            f"must be at least {minimum}, not {text}",
        )

    parse.__name__ = f"whole number >= {minimum}"
    return parse


def probability(text: str) -> float:
    """A probability in (0, 1]: a class probability threshold."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, not {text}")
    return value


def minutes(text: str) -> float:
    """A time budget in minutes: 0 (none) or more. A negative one meant no budget, and
    nan or inf a run that never stopped for time, without a word."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no budget) or more minutes, not {text}")
    return value
