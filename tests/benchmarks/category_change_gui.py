"""How long a garment page's change of category holds the GUI thread.

    python tests/benchmarks/category_change_gui.py [--size 4000x3000] [--repeats 5]

A photo of ``--size`` (a phone photo's 12 MP first) imported through the tests' fake
analyser, analysed at full size, into a temporary wardrobe; the real window (offscreen)
on its top's page. Each round, in turn (a warm-up round first):

* ``before``: ``Wardrobe.update_garment`` making the top a one-piece and back, called on
  the GUI thread, as the page's save did before it was queued (its label map made again,
  its PNGs read and written);
* ``after``: the page's category box choosing one-piece, then top, as a click does: the
  GUI thread's time in the page's slot (the other fields written, the save queued) and in
  the handler of the save's result (the page and the grid shown the category stored),
  each save waited for on the model's queue (its wall time is ``after_wall``), and the
  pictures and similar items it asks for again waited for before the next step.

Two changes each, medians of ``--repeats``. Then, each round, the GUI thread's time
in the page's write of a name typed (``save_now``, as leaving the field or the autosave
does): ``name_idle`` with nothing queued, ``name_during_save`` made while a category
change's save runs on the model's queue (its label map being made again, without the
wardrobe's lock), and ``name_during_locked_save`` the same with the map's work made
under the wardrobe's lock, as it was before (the name's write waited for it). The last
line is ``size=<WxH> before_gui_ms=<f> after_gui_ms=<f> after_wall_ms=<f>
name_idle_ms=<f> name_during_save_ms=<f> name_during_locked_save_ms=<f>``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import fakes  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from wardrobe_app.service import Wardrobe  # noqa: E402


def _wait(until: Callable[[], bool], timeout_s: float = 120) -> None:
    end = time.monotonic() + timeout_s
    while not until():
        if time.monotonic() > end:
            raise TimeoutError("the page's jobs did not end")
        QApplication.processEvents()
        time.sleep(0.001)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="4000x3000")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        os.environ["WARDROBE_HOME"] = str(home)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(Path(tmp) / "settings")
        )
        kept, fakes.MAX_SIDE = fakes.MAX_SIDE, max(width, height)  # analysed at full size
        try:
            photo = fakes.make_photo(Path(tmp) / "photo.jpg", seed=1, size=(width, height))
            wardrobe = Wardrobe(home, fakes.FakeAnalyser())
            report = wardrobe.import_paths([photo])
            wardrobe.close()
        finally:
            fakes.MAX_SIDE = kept
        top = next(g.id for g in report.results[0].garments if g.category == "top")
        before, after, wall, idle, during, locked = run(home, top, args.repeats)
    print(f"before (update_garment on the GUI thread): {before:.1f} ms")
    print(f"after (the page's slot and result handler): {after:.1f} ms, {wall:.1f} ms in all")
    print(
        f"size={width}x{height} before_gui_ms={before:.1f} after_gui_ms={after:.1f} "
        f"after_wall_ms={wall:.1f} name_idle_ms={idle:.1f} name_during_save_ms={during:.1f} "
        f"name_during_locked_save_ms={locked:.1f}"
    )


def run(home: Path, top: int, repeats: int) -> tuple[float, float, float, float, float, float]:
    """The medians, in ms, of two changes: before's, after's GUI time, after's wall time;
    of a name's write: idle, during a category's save, and during one whose map's work
    holds the wardrobe's lock (as it did before)."""
    from wardrobe_app.ui.app import build, init_application
    from wardrobe_app.ui.errors import ErrorReporter
    from wardrobe_app.ui.settings import AppSettings

    init_application()
    reporter = ErrorReporter(Path(home) / "benchmark.log")
    reporter.show_dialogs = False
    parts = build(
        home,
        AppSettings(),
        analyser=fakes.FakeAnalyser(),
        reporter=reporter,
        background_index=False,
    )
    window, wardrobe, runner = parts.window, parts.session.wardrobe, parts.runner
    window.show()
    window.open_garment(wardrobe.garment(top))
    view = window.garment_view
    _wait(lambda: not runner.active)
    gui = [0.0]  # the GUI thread's time in the save's result handler
    landed = view._category_saved

    def timed_landing(*a: object, **k: object) -> None:
        t0 = time.perf_counter()
        landed(*a, **k)  # type: ignore[arg-type]
        gui[0] += time.perf_counter() - t0

    view._category_saved = timed_landing  # type: ignore[method-assign]

    def old_way() -> float:
        t0 = time.perf_counter()
        for category in ("one-piece", "top"):
            wardrobe.update_garment(top, category=category)
        return time.perf_counter() - t0

    def page() -> tuple[float, float]:
        gui[0], t_all = 0.0, time.perf_counter()
        combo = view.category_combo
        for category in ("one-piece", "top"):
            t0 = time.perf_counter()
            combo.setCurrentIndex(combo.findData(category))
            combo.activated.emit(combo.currentIndex())
            gui[0] += time.perf_counter() - t0
            _wait(lambda: not view.saving_category(top))
            assert wardrobe.garment(top).category == category, "not saved"
        spent = time.perf_counter() - t_all
        _wait(lambda: not runner.active)  # the pictures and similar items asked again
        return gui[0], spent

    # Set once a category's save is making the label map again
    relabelling = threading.Event()
    relabel = wardrobe._edits._relabel
    under_lock = [False]  # the map's work under the wardrobe's lock, as before

    def noted_relabel(*a: object, **k: object) -> object:
        if not under_lock[0]:
            relabelling.set()
            return relabel(*a, **k)  # type: ignore[arg-type]
        with wardrobe._lock:
            relabelling.set()
            return relabel(*a, **k)  # type: ignore[arg-type]

    wardrobe._edits._relabel = noted_relabel  # type: ignore[method-assign,assignment]
    names = iter(range(1_000_000))

    def name_write(during_save: bool, locked: bool = False) -> float:
        under_lock[0] = locked
        combo = view.category_combo
        if during_save:
            relabelling.clear()
            combo.setCurrentIndex(combo.findData("one-piece"))
            combo.activated.emit(combo.currentIndex())
            _wait(relabelling.is_set)
        view.name_edit.setText(f"Coat {next(names)}")
        view.name_edit.textEdited.emit(view.name_edit.text())
        view._save_timer.stop()  # written here, timed
        t0 = time.perf_counter()
        view.save_now()
        spent = time.perf_counter() - t0
        _wait(lambda: not view.saving_category(top))
        if during_save:  # back to a top, as the other rounds expect
            combo.setCurrentIndex(combo.findData("top"))
            combo.activated.emit(combo.currentIndex())
            _wait(lambda: not view.saving_category(top))
        _wait(lambda: not runner.active)
        return spent

    try:
        old_way(), page(), name_write(False), name_write(True), name_write(True, True)  # warm-up
        befores, afters, walls, idles, durings, lockeds = [], [], [], [], [], []
        for _ in range(repeats):
            befores.append(old_way())
            a, w = page()
            afters.append(a)
            walls.append(w)
            idles.append(name_write(False))
            durings.append(name_write(True))
            lockeds.append(name_write(True, locked=True))
    finally:
        window.close()
        parts.close()
    times = (befores, afters, walls, idles, durings, lockeds)
    return tuple(statistics.median(t) * 1000 for t in times)  # type: ignore[return-value]


if __name__ == "__main__":
    main()
