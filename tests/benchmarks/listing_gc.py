"""What the garbage collector cost a listing of a large wardrobe, and the window with it.

    python tests/benchmarks/listing_gc.py [--garments 40000] [--photos 16000] [--repeats 5]

A temporary wardrobe (``big_wardrobe.build_big``); its whole listing made again (the
last listing's records dropped, as after an edit or at start-up) on a worker thread,
while the main thread runs a little Python every 5 ms as the GUI thread does (a card
painted, a model asked): ``--repeats`` rounds, in turn, as now (rows made records with
the collector held off, ``records.collector_held_off``) and as before (that replaced by
nothing), in the same run. Medians of: the listing's time, the collector's time (any
thread: it holds the interpreter), and the longest the main thread waited for its turn.
The last line is ``garments=<n> list_ms=<f> before_ms=<f> gc_ms=<f> before_gc_ms=<f>
block_ms=<f> before_block_ms=<f> list_over_before=<ratio> block_over_before=<ratio>``.
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from big_wardrobe import built_big, size_options  # noqa: E402  (a script beside this one)
from fakes import FakeAnalyser  # noqa: E402

from wardrobe_app.service import Wardrobe  # noqa: E402
from wardrobe_app.services import records as records_module  # noqa: E402


class GcTime:
    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0
        gc.callbacks.append(self._seen)

    def _seen(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start


def listed_on_a_worker(w: Wardrobe, gc_time: GcTime) -> tuple[float, float, float]:
    """ms of a whole listing made on a thread, of the collector meanwhile, and the
    longest wait of this (main) thread between 5 ms ticks."""
    w._browse._listing = None
    done = threading.Event()
    took: list[float] = []

    def work() -> None:
        start = time.perf_counter()
        w.list_garments()
        took.append((time.perf_counter() - start) * 1000)
        done.set()

    gc_time.seconds = 0.0
    thread = threading.Thread(target=work)
    longest, last = 0.0, time.perf_counter()
    thread.start()
    while not done.is_set():
        time.sleep(0.005)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    thread.join()
    return took[0], gc_time.seconds * 1000, longest * 1000


def main() -> None:
    parser = size_options(__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    gc_time = GcTime()
    figures: dict[str, list[float]] = defaultdict(list)
    held_off = records_module.collector_held_off
    with built_big(args) as tmp:
        home = tmp / "home"
        with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
            n = w.count()
            w.list_garments()  # warm-up: the paths cached, as in a running app
            for _ in range(args.repeats):
                for variant in ("now", "before"):
                    records_module.collector_held_off = (  # type: ignore[assignment]
                        held_off if variant == "now" else contextlib.nullcontext
                    )
                    ms, gc_ms, block = listed_on_a_worker(w, gc_time)
                    figures[f"{variant}_ms"].append(ms)
                    figures[f"{variant}_gc_ms"].append(gc_ms)
                    figures[f"{variant}_block_ms"].append(block)
            records_module.collector_held_off = held_off  # type: ignore[assignment]
    m = {k: statistics.median(v) for k, v in figures.items()}
    print(f"{n} garments listed on a worker, median of {args.repeats}:  now   before")
    for key, label in (("ms", "listing"), ("gc_ms", "collector"), ("block_ms", "main waits")):
        print(f"  {label:<12} {m['now_' + key]:8.0f} ms {m['before_' + key]:6.0f} ms")
    print(
        f"garments={n} list_ms={m['now_ms']:.0f} before_ms={m['before_ms']:.0f} "
        f"gc_ms={m['now_gc_ms']:.0f} before_gc_ms={m['before_gc_ms']:.0f} "
        f"block_ms={m['now_block_ms']:.0f} before_block_ms={m['before_block_ms']:.0f} "
        f"list_over_before={m['now_ms'] / m['before_ms']:.2f} "
        f"block_over_before={m['now_block_ms'] / m['before_block_ms']:.2f}"
    )


if __name__ == "__main__":
    main()
