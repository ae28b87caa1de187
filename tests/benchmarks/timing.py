"""Timing shared by the benchmark scripts: steps run in turn, so a busy machine's
drifts in load hit each alike and their ratios stay fair."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def interleaved_times_ms(
    fns: Sequence[Callable[[], object]], repeats: int, warmup: int = 3
) -> list[list[float]]:
    """Each function's times in ms, run in turn so that drifts in load hit them alike."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, bucket in zip(fns, times, strict=True):
            t0 = time.perf_counter()
            fn()
            bucket.append((time.perf_counter() - t0) * 1000)
    return times


def interleaved_medians_ms(
    fns: Sequence[Callable[[], object]], repeats: int, warmup: int = 3
) -> list[float]:
    return [statistics.median(t) for t in interleaved_times_ms(fns, repeats, warmup)]
