"""Peak memory of a step, for tests that bound what a big photo costs."""

from __future__ import annotations

from collections.abc import Callable

import pytest


def peak_growth_mb(fn: Callable[[], object]) -> float:
    """How far this process's peak resident memory rose above its size before ``fn``
    (Linux: the peak is reset through /proc/self/clear_refs; elsewhere the test skips)."""

    def status(key: str) -> float:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith(key)) / 1024

    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pytest.skip("no resettable peak memory (/proc/self/clear_refs) here")
    before = status("VmRSS:")
    fn()
    return status("VmHWM:") - before
