"""How the main window feels in a wardrobe of many years: waits and GUI-thread freezes.

    python tests/benchmarks/grid_feel.py [--garments 40000] [--photos 16000] [--rounds 3]
        [--home EXISTING_WARDROBE]

A temporary wardrobe (``big_wardrobe.build_big``, or ``--home``, opened as is), the
app's main window on it (offscreen Qt, the tests' fake analyser). Measured: the start-up
(``build``, then ``show`` until the grid holds the listing), then ``--rounds`` times each
step a user takes in the grid: a word typed in the search field ("wool", as keys 60 ms
apart, then the debounce), the field cleared, a colour chip clicked and clicked again,
a category chip likewise, 40 page scrolls, all selected (Ctrl+A) then one card
deselected (as a Ctrl+click does), a garment opened (until its similar items
show) and back to the grid. For each: the time until the grid (or page) shows the answer, the
longest the GUI thread did not run a 5 ms timer (a freeze the user sees: > 100 ms is
felt), and the time the garbage collector took meanwhile (on any thread: it holds the
interpreter). Medians of the rounds; RSS at the end.

To compare with an earlier commit, run this file (and ``big_wardrobe.py``) in a
``git worktree`` of it. The last line is ``garments=<n> startup_ms=<f> ...
<step>_ms=<f> <step>_block_ms=<f> ... worst_block_ms=<f> rss_mb=<f>``.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from big_wardrobe import build_big, size_options  # noqa: E402  (a script beside this one)
from fakes import FakeAnalyser  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from wardrobe_app.ui.app import build, init_application  # noqa: E402
from wardrobe_app.ui.errors import ErrorReporter  # noqa: E402
from wardrobe_app.ui.settings import AppSettings  # noqa: E402


class Watch:
    """The longest gap between ticks of a 5 ms timer, and the garbage collector's time."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0
        self.gc_s = 0.0
        self._gc_start = 0.0
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.gc_s += time.perf_counter() - self._gc_start

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self) -> None:
        self.longest, self.gc_s = 0.0, 0.0
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> tuple[float, float]:
        self._tick()
        self.timer.stop()
        return self.longest * 1000, self.gc_s * 1000


def pump(ms: int = 5) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(done: Callable[[], bool], timeout: float = 300) -> None:
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise TimeoutError
        pump()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(home: Path, rounds: int, tmp: Path) -> tuple[int, dict[str, list[float]]]:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
    init_application([sys.argv[0]])
    reporter = ErrorReporter(tmp / "log.txt")
    reporter.show_dialogs = False
    watch = Watch()
    figures: dict[str, list[float]] = defaultdict(list)

    def step(name: str, act: Callable[[], object], done: Callable[[], bool]) -> None:
        watch.start()
        start = time.perf_counter()
        act()
        wait_until(done)
        figures[name + "_ms"].append((time.perf_counter() - start) * 1000)
        block, gc_ms = watch.stop()
        figures[name + "_block_ms"].append(block)
        figures[name + "_gc_ms"].append(gc_ms)

    start = time.perf_counter()
    parts = build(home, AppSettings(), analyser=FakeAnalyser(), reporter=reporter)
    figures["build_ms"].append((time.perf_counter() - start) * 1000)
    window, browse = parts.window, parts.window.browse
    step("show", window.show, lambda: browse.is_current() and browse.model.rowCount() > 0)
    n = browse.model.rowCount()
    bar = browse.grid.verticalScrollBar()
    search = browse.filter_bar.search
    colour = next(iter(browse.filter_bar.colour_chips.values()))
    category = next(iter(browse.filter_bar.category_chips.values()))
    strip = window.garment_view.similar
    selection = browse.grid.selectionModel()
    deselect = selection.SelectionFlag.Deselect
    try:
        for r in range(rounds):

            def type_word() -> None:
                for key in "wool":
                    QTest.keyClick(search, key)
                    pump(60)
                pump(300)  # the debounce

            step("type_word", type_word, browse.is_current)
            step("clear_word", lambda: (search.clear(), pump(300)), browse.is_current)
            for name, chip in (("colour", colour), ("category", category)):
                step(f"{name}_on", chip.click, browse.is_current)
                step(f"{name}_off", chip.click, browse.is_current)

            def scroll() -> None:
                for _ in range(40):
                    bar.setValue(bar.value() + browse.grid.viewport().height())
                    pump(1)

            step("scroll", scroll, lambda: True)
            step("select_all", window.select_all, lambda: True)
            step(
                "deselect_one",
                lambda row=r: selection.select(browse.grid_model.index(row, 0), deselect),
                lambda: True,
            )
            selection.clearSelection()
            record = browse.model.record(100 + r)
            step(
                "open_garment",
                lambda rec=record: window.open_garment(rec),
                lambda: strip.currentWidget() is strip.view and strip.model.rowCount() > 0,
            )
            window.show_browse()
            pump(50)
        figures["rss_mb"].append(rss_mb())
    finally:
        window.close()
        parts.close()
    return n, figures


def main() -> None:
    parser = size_options(__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--home", type=Path, help="an existing wardrobe (not built)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        home = args.home
        if home is None:
            home = tmp / "home"
            build_big(home, args.garments, args.photos)
        n, figures = measure(home, args.rounds, tmp)
    medians = {k: statistics.median(v) for k, v in figures.items()}
    worst = max(v for k, vs in figures.items() if k.endswith("_block_ms") for v in vs)
    print(f"{n} garments; medians of {args.rounds} rounds:")
    print(f"  {'step':<14} {'shown in':>9} {'GUI freeze':>11} {'GC':>8}")
    for key in figures:
        if key.endswith("_block_ms"):
            name = key[: -len("_block_ms")]
            print(
                f"  {name:<14} {medians[name + '_ms']:7.0f} ms {medians[key]:8.0f} ms "
                f"{medians[name + '_gc_ms']:5.0f} ms"
            )
    print(f"  build() {medians['build_ms']:.0f} ms; RSS at the end {medians['rss_mb']:.0f} MB")
    shown = " ".join(f"{k}={v:.0f}" for k, v in medians.items() if not k.endswith("_gc_ms"))
    print(f"garments={n} {shown} worst_block_ms={worst:.0f}")


if __name__ == "__main__":
    main()
