"""How often the window lists a large wardrobe again while an import saves photos.

    python tests/benchmarks/grid_during_import.py [--photos 1500] [--import 60]
        [--seconds-per-photo 0.15]

A temporary wardrobe gets N synthetic outfit photos (2 garments each) through the tests'
fake analyser. The real window (offscreen) then imports M more with a fake analyser
that takes ``--seconds-per-photo`` a photo (sleeping: the CPU stays free, as if the model
ran elsewhere), once with the review and "Accept all", once without. Counted: the
listings of the whole wardrobe the grid ran meanwhile, the seconds they took in their
worker thread, and the import's duration. The last line is ``garments=<n>
review_listings=<k> review_list_s=<f> review_s=<f> plain_listings=<k> plain_list_s=<f>
plain_s=<f>``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--photos", type=int, default=1500)
    parser.add_argument("--import", dest="imported", type=int, default=60)
    parser.add_argument("--seconds-per-photo", type=float, default=0.15)
    args = parser.parse_args()

    from fakes import FakeAnalyser, make_photo
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    import wardrobe_app.ui  # noqa: F401  (the PySide6 work-around first)
    from wardrobe_app.service import Wardrobe
    from wardrobe_app.ui.app import build, init_application
    from wardrobe_app.ui.errors import ErrorReporter
    from wardrobe_app.ui.review_dialog import ReviewDialog
    from wardrobe_app.ui.settings import AppSettings

    class SlowAnalyser(FakeAnalyser):
        def analyse(self, path, kind="auto"):  # type: ignore[no-untyped-def]
            time.sleep(args.seconds_per_photo)
            return super().analyse(path, kind)

    listings: list[float] = []
    real_list = Wardrobe.list_garments

    def counted_list(self, flt=None):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return real_list(self, flt)
        finally:
            listings.append(time.perf_counter() - start)

    def pump(ms: int = 20) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(cond: Callable[[], bool], timeout: float = 600.0) -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError
            pump(10)

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        home, photos = Path(tmp) / "home", Path(tmp) / "photos"
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        for i in range(args.photos):
            make_photo(photos / "wardrobe" / f"p{i:05d}.jpg", seed=i, size=(96, 128))
        for run in ("review", "plain"):
            for i in range(args.imported):
                seed = args.photos + i + (args.imported if run == "plain" else 0)
                make_photo(photos / run / f"n{i:05d}.jpg", seed=seed, size=(96, 128))
        with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
            w.import_paths([photos / "wardrobe"])
            garments = w.count()

        init_application([sys.argv[0]])
        reporter = ErrorReporter(Path(tmp) / "log.txt")
        reporter.show_dialogs = False
        parts = build(home, AppSettings(), analyser=SlowAnalyser(), reporter=reporter)  # type: ignore[arg-type]
        window = parts.window
        window.show()
        parts.session.load_model()
        wait_until(lambda: parts.session.model_loaded and window.browse.is_current())
        Wardrobe.list_garments = counted_list  # type: ignore[method-assign]
        try:
            for run in ("review", "plain"):
                done: list[object] = []
                window.importer.finished.connect(done.append)

                def accept_all(dialog: ReviewDialog) -> None:
                    wait_until(lambda: dialog.current is not None)
                    dialog.accept_all()

                window.importer.reviewOpened.connect(accept_all)
                listings.clear()
                start = time.perf_counter()
                window.import_paths([photos / run], review=run == "review")
                wait_until(lambda done=done: bool(done))
                figures[f"{run}_s"] = time.perf_counter() - start
                wait_until(window.browse.is_current)
                figures[f"{run}_listings"] = len(listings)
                figures[f"{run}_list_s"] = sum(listings)
                window.importer.finished.disconnect(done.append)
                window.importer.reviewOpened.disconnect(accept_all)
        finally:
            Wardrobe.list_garments = real_list  # type: ignore[method-assign]
            window.close()
            parts.close()
    print(
        f"{garments} garments, importing {args.imported} photos ({args.seconds_per_photo} s each):"
    )
    for run in ("review", "plain"):
        print(
            f"  {run:<7} {figures[f'{run}_s']:6.1f} s, {int(figures[f'{run}_listings']):3d} "
            f"listings taking {figures[f'{run}_list_s']:5.1f} s"
        )
    shown = " ".join(
        f"{k}={int(v)}" if k.endswith("listings") else f"{k}={v:.1f}" for k, v in figures.items()
    )
    print(f"garments={garments} {shown}")


if __name__ == "__main__":
    main()
