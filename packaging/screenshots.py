"""Screenshots of the real app with a populated wardrobe, for the README and AppStream.

Run under a virtual X server, e.g.::

    xvfb-run -s "-screen 0 1440x900x24" python packaging/screenshots.py

It imports photos (the CCP dataset in ../shared/data by default) into a temporary
wardrobe with the real analyser (``--analyser real``; ``fake`` uses the test double for
a quick look at the layout) and saves docs/screenshots/main.png, review.png, garment.png
touch-up.png and own-this.png. Your own wardrobe and settings are not touched.
Shrink them before committing, pixels unchanged (some 2% smaller than Qt writes them)::

    optipng -o5 -strip all docs/screenshots/*.png
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_PHOTOS = REPO.parent / "shared" / "data" / "ccp" / "images"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS, help="folder of photos")
    p.add_argument("--count", type=int, default=28, help="photos to import")
    p.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    p.add_argument(
        "--analyser",
        choices=("auto", "real", "fake"),
        default="auto",
        help="auto: the real one when resources/models has a segmenter",
    )
    p.add_argument("--device", default="auto", help="model device for the real analyser")
    p.add_argument("--size", default="1360x860", help="window size WxH")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--dark", action="store_true", help="use the dark palette")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="wardrobe-shots-"))
    try:
        return shoot(args, work)
    finally:  # a whole scratch wardrobe, and the settings: left behind by every run
        shutil.rmtree(work, ignore_errors=True)


def shoot(args: argparse.Namespace, work: Path) -> int:
    """The screenshots, of a wardrobe made in ``work``."""
    os.environ["WARDROBE_HOME"] = str(work / "home")

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QWidget

    import wardrobe_app.ui  # noqa: F401  (applies the PySide6 work-around first)
    from wardrobe_app import paths
    from wardrobe_app.ui import theme
    from wardrobe_app.ui.app import build, init_application
    from wardrobe_app.ui.errors import ErrorReporter
    from wardrobe_app.ui.model_loader import LazyAnalyser
    from wardrobe_app.ui.settings import AppSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "ini"))
    app = init_application([sys.argv[0]])
    if args.dark:
        app.setPalette(theme.dark_palette())

    def pump(ms: int = 50) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(cond: Callable[[], bool], timeout: float = 600.0, what: str = "") -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError(f"timed out waiting for {what or cond}")
            pump(50)

    def save(widget: QWidget, name: str) -> None:
        pump(300)
        args.out.mkdir(parents=True, exist_ok=True)
        target = args.out / name
        widget.grab().save(str(target))
        print(f"saved {target.relative_to(REPO) if target.is_relative_to(REPO) else target}")

    use_real = args.analyser == "real" or (
        args.analyser == "auto" and (paths.DEFAULT_SEGMENTER / "config.json").exists()
    )
    if use_real:
        analyser: object = LazyAnalyser(args.device)
    else:
        sys.path.insert(0, str(REPO / "tests"))
        from fakes import FakeAnalyser

        analyser = FakeAnalyser()
    print(f"analyser: {'real' if use_real else 'fake (layout only)'}")

    photos = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    if len(photos) < args.count + 3:
        print(f"need at least {args.count + 3} photos in {args.photos}", file=sys.stderr)
        return 1
    random.Random(args.seed).shuffle(photos)
    wardrobe_photos = photos[: args.count]
    review_photo, own_photo = photos[args.count], photos[args.count + 1]

    settings = AppSettings()
    settings.review_before_saving = False
    reporter = ErrorReporter(paths.log_path())
    reporter.show_dialogs = False
    parts = build(
        paths.data_home(),
        settings,
        analyser=analyser,  # type: ignore[arg-type]
        reporter=reporter,
        background_index=False,
    )
    window, session = parts.window, parts.session
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    session.load_model()
    wait_until(lambda: session.model_loaded, what="the model")
    print(f"model: {session.model_status}")

    # populate
    done: list[object] = []
    window.importer.finished.connect(done.append)
    t0 = time.monotonic()
    window.import_paths(wardrobe_photos, review=False)
    wait_until(lambda: bool(done), timeout=3600, what="the import")
    summary = done[0]
    print(f"imported in {time.monotonic() - t0:.0f} s: {summary.headline()}")  # type: ignore[attr-defined]
    wardrobe = session.wardrobe
    records = wardrobe.list_garments()
    for rec in records[:: max(1, len(records) // 4)][:4]:
        wardrobe.update_garment(rec.id, favourite=True)
    session.notify_changed()
    wait_until(lambda: window.browse.is_current() and window.browse.model.rowCount() > 0)
    window.statusBar().clearMessage()
    wait_until(lambda: window.thumbnails.pending_count() == 0, 60, "thumbnails")
    # The first listing selected the first photo's garment (the keyboard on the grid after
    # the empty page), since pushed out of sight by the newer ones: Delete was on with no
    # card seen selected. Nothing selected, as a click between the cards leaves it.
    window.browse.grid.clearSelection()
    window.browse.grid.setFocus()
    save(window, "main.png")
    print(f"main.png: {len(window.browse.selected_ids())} selected")

    # review step
    opened: list[object] = []
    window.importer.reviewOpened.connect(opened.append)
    window.import_paths([review_photo], review=True)
    wait_until(
        lambda: bool(opened) and opened[0].current is not None,  # type: ignore[attr-defined]
        what="the review",
    )
    dialog = opened[0]
    dialog.resize(1180, 760)  # type: ignore[attr-defined]
    save(dialog, "review.png")  # type: ignore[arg-type]
    dialog.stop()  # type: ignore[attr-defined]
    wait_until(lambda: not window.importer.busy(), what="the review to close")

    window.statusBar().clearMessage()
    # garment view: one that has similar items and was worn with something
    best = max(
        records, key=lambda r: (len(wardrobe.worn_with(r.id)) > 0, r.category == "top", r.area)
    )
    window.open_garment(wardrobe.garment(best.id))
    view = window.garment_view
    view.photo_mode.setChecked(True)
    wait_until(lambda: view.images is not None, what="the garment pictures")
    view._show_picture()
    wait_until(
        lambda: (
            view.similar.model.rowCount() > 0
            or (
                view.similar.currentWidget() is view.similar.empty
                and "Finding" not in view.similar.empty.text()
            )
        ),
        what="similar items",
    )
    wait_until(lambda: window.thumbnails.pending_count() == 0, 60, "thumbnails")
    save(window, "garment.png")

    # its cut-out, touched up
    from PySide6.QtWidgets import QApplication

    from wardrobe_app.ui.mask_editor import MaskEditorDialog

    wait_until(view.touch_up_button.isEnabled, what="the touch-up button")
    view.touch_up_button.click()
    wait_until(
        lambda: isinstance(QApplication.activeModalWidget(), MaskEditorDialog),
        what="the touch-up dialog",
    )
    editor = QApplication.activeModalWidget()
    editor.resize(960, 800)
    pump(200)
    save(editor, "touch-up.png")
    editor.done(0)  # nothing painted: closes without asking

    # do I already own this?
    own = window.open_own_this()
    own.resize(1240, 780)
    results: list[object] = []
    own.analysed.connect(results.append)
    own.analyse_photo(own_photo)
    wait_until(lambda: bool(results), what="the own-this analysis")
    wait_until(lambda: window.thumbnails.pending_count() == 0, 60, "thumbnails")
    save(own, "own-this.png")
    own.close()

    window.close()
    parts.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
