"""What a backup, and a touch-up, cost in a large wardrobe.

    python tests/benchmarks/backup_speed.py [--garments 3600] [--photos 2750]
        [--import-photos 40] [--repeats 3] [--keep DIR]

A temporary wardrobe gets N garments on M photos as rows written straight into its
database (272-d vectors; 3% of the garments deleted this session, so the backup's purge
and VACUUM have work) with stored files of realistic sizes and random, incompressible
bytes (like JPEG's): photos 200-500 KB, label maps 10-30 KB, masks 4-12 KB, cut-outs
50-150 KB, thumbnails 8-24 KB; and one outfit photo of 2048x2048 imported through the
tests' fake analyser (the pipeline's largest analysis size), whose garment is touched up.

Measured, in the same run:
* in turn, ``--repeats`` rounds: ``cp -r`` of the data folder, ``Wardrobe.backup`` of
  it, and an experiment: the backup with each stored file's fsync on a pool of 4 threads
  while the next files are copied (every one done before the rename: the same
  guarantee), each after ``sync``; ratios are medians of the rounds' own (a shared
  disk's speed drifts between rounds). The backup's time is split into the database
  copy, purge + VACUUM, reading, hashing, writing, each file's fsync and the folder
  syncs; its peak memory is the rise of the process's peak RSS;
* a backup while ``--import-photos`` photos (1200x1600 JPEG) are imported beside it,
  and the experiment while as many others are, against the same import alone;
* ``set_garment_mask`` of the 2048x2048 garment (median of 5), split into its steps, and
  the same in a wardrobe of 100 garments: a step that grows with the wardrobe shows;
  the check of which replaced files rows still use, against listing them all (before);
* a paint stroke on that 2048x2048 mask in ``MaskCanvas`` (offscreen Qt): press, 30
  moves, release, and one repaint of the canvas.

The last line is ``garments=<n> files=<k> data_mb=<f> backup_s=<f> cp_s=<f>
backup_over_cp=<ratio> ... touch_up_ms=<f> touch_up_over_small=<ratio> ...``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import fakes  # noqa: E402
from fakes import FakeAnalyser, make_photo  # noqa: E402

from wardrobe_app import paths  # noqa: E402
from wardrobe_app.service import Wardrobe  # noqa: E402
from wardrobe_app.store import Garment, Photo, Store  # noqa: E402
from wardrobe_app.store import backup as backup_module  # noqa: E402
from wardrobe_app.store.files import write_all  # noqa: E402

DIM = 272
KB = 1000
# (low, high) bytes of each kind of stored file
SIZES = {
    "photo": (200 * KB, 500 * KB),
    "labels": (10 * KB, 30 * KB),
    "mask": (4 * KB, 12 * KB),
    "cutout": (50 * KB, 150 * KB),
    "thumb": (8 * KB, 24 * KB),
}


def analyser() -> FakeAnalyser:
    fake = FakeAnalyser()
    fake.dim = DIM  # the real embedder's size; the fake fills the first 32 and pads
    return fake


# -- building a wardrobe ---------------------------------------------------------------
def _random_file(store: Store, rng: np.random.Generator, kind: str, suffix: str) -> str:
    low, high = SIZES[kind]
    return store.files.put_bytes(os.urandom(int(rng.integers(low, high + 1))), suffix)[0]


def _garment_row(store: Store, rng: np.random.Generator, photo: Photo, category: str) -> Garment:
    vector = rng.normal(size=DIM).astype(np.float32)
    row = Garment(
        photo=photo,
        category=category,
        colours=[{"name": "blue", "hex": "#2040a0", "share": 1.0}],
        box_x0=10,
        box_y0=10,
        box_x1=400,
        box_y1=600,
        area=150_000,
        mask_path=_random_file(store, rng, "mask", ".png"),
        cutout_path=_random_file(store, rng, "cutout", ".png"),
        thumbnail_path=_random_file(store, rng, "thumb", ".png"),
    )
    row.set_vector(vector / np.linalg.norm(vector), "fake-1")
    return row


def add_rows(home: Path, garments: int, photos: int, seed: int = 0) -> None:
    """``garments`` garments on ``photos`` photos (two on the first ones), written
    straight into the database, with their files (no fsync: a benchmark's setup)."""
    rng = np.random.default_rng(seed)
    store = Store(home, fsync=False)
    try:
        with store.write_session() as s:
            for i in range(photos):
                pair = i < garments - photos
                photo = Photo(
                    sha256=f"{i:064x}",
                    file_path=_random_file(store, rng, "photo", ".jpg"),
                    width=768,
                    height=1024,
                    original_width=3024,
                    original_height=4032,
                    kind="outfit" if pair else "item",
                    labels_path=_random_file(store, rng, "labels", ".png"),
                )
                s.add(photo)
                categories = ("top", "bottom") if pair else ("one-piece",)
                for category in categories:
                    s.add(_garment_row(store, rng, photo, category))
    finally:
        store.close()


def build(home: Path, garments: int, photos: int, photo_dir: Path) -> tuple[Wardrobe, int]:
    """The wardrobe open (as in the app), and the id of its 2048x2048 garment."""
    add_rows(home, garments, photos)
    w = Wardrobe(home, analyser())
    kept = fakes.MAX_SIDE
    fakes.MAX_SIDE = 2048
    try:
        big = make_photo(photo_dir / "big.jpg", seed=1, size=(2048, 2048))
        report = w.import_paths([big])
    finally:
        fakes.MAX_SIDE = kept
    touched = report.results[0].garments[0].id
    ids = [r.id for r in w.list_garments() if r.id != touched]
    w.delete_garments(ids[::33])  # deleted this session: purged in the backup
    return w, touched


def data_size(home: Path) -> tuple[int, int]:
    files = [p for p in home.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# -- timing ------------------------------------------------------------------------------
class Buckets:
    """Seconds spent per named part; nested parts are not counted in their outer one."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self._stack: list[str] = []

    @contextlib.contextmanager
    def part(self, name: str) -> Iterator[None]:
        self._stack.append(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self._stack.pop()
            self.seconds[name] += elapsed
            self.counts[name] += 1
            if self._stack:  # the outer part's own time excludes this one
                self.seconds[self._stack[-1]] -= elapsed

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.part(name):
                return fn(*args, **kwargs)

        return timed


@contextlib.contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    kept = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, kept)


@contextlib.contextmanager
def backup_parts(buckets: Buckets) -> Iterator[None]:
    """The backup module's steps timed into ``buckets`` (a fsync is counted in the
    step that makes it: a stored file's, a folder's, the database's)."""
    m = backup_module
    sha256 = m.hashlib.sha256
    with contextlib.ExitStack() as stack:
        for attr, name in (
            ("_copy_database", "database copy"),
            ("_contents", "purge + vacuum"),
            ("_copy_checked", "read + rest"),
            ("_write_durably", "write"),
            ("_sync_folder", "folder syncs"),
        ):
            stack.enter_context(patched(m, attr, buckets.wrap(name, getattr(m, attr))))
        stack.enter_context(patched(m.hashlib, "sha256", buckets.wrap("hash", sha256)))
        fsync = os.fsync
        main = threading.main_thread()

        def timed_fsync(fd: int) -> None:
            # Only where made in turn: the worker threads' overlap the rest.
            here = threading.current_thread() is main
            if here and buckets._stack and buckets._stack[-1] == "write":
                with buckets.part("file fsync"):
                    fsync(fd)
            else:
                fsync(fd)

        stack.enter_context(patched(os, "fsync", timed_fsync))
        yield


@contextlib.contextmanager
def fsyncs_on_threads(threads: int = 4, queue: int = 64) -> Iterator[None]:
    """The experiment: each stored file's fsync (and close) on a pool of ``threads``
    while the next files are copied, at most ``queue`` waiting; all of them done before
    ``_copy_files`` returns, so every file is on disk before the rename, as now."""
    m = backup_module
    pool = ThreadPoolExecutor(threads)
    pending: deque[Future[None]] = deque()
    copy_files = m._copy_files

    def sync_and_close(fd: int) -> None:
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def write(path: Path, data: bytes) -> None:
        path.parent.mkdir(exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        write_all(fd, data)
        pending.append(pool.submit(sync_and_close, fd))
        while len(pending) > queue:
            pending.popleft().result()

    def copy_and_wait(*args: Any) -> list[str]:
        left_out: list[str] = copy_files(*args)
        while pending:
            pending.popleft().result()
        return left_out

    try:
        with patched(m, "_write_durably", write), patched(m, "_copy_files", copy_and_wait):
            yield
    finally:
        pool.shutdown(wait=True)


def peak_rss_reset() -> bool:
    """Reset the peak RSS (Linux); False where the OS does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed_s(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def one_backup(w: Wardrobe, tmp: Path, threaded: bool) -> tuple[float, Buckets, Any]:
    """Seconds of a backup (with ``threaded``: as ``fsyncs_on_threads``), its parts and
    its result; after the disk has written what earlier runs left."""
    os.sync()
    buckets = Buckets()
    with contextlib.ExitStack() as stack:
        if threaded:
            stack.enter_context(fsyncs_on_threads())
        stack.enter_context(backup_parts(buckets))
        with buckets.part("rest"):
            result = w.backup(tmp / "backup")
    seconds = sum(buckets.seconds.values())
    return seconds, buckets, result


def print_parts(title: str, runs: list[Buckets]) -> None:
    print(title)
    names = {name for b in runs for name in b.seconds}
    medians = {n: statistics.median(b.seconds.get(n, 0.0) for b in runs) for n in names}
    for name, seconds in sorted(medians.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<16} {seconds:7.2f} s  ({runs[0].counts.get(name, 0)} calls)")


def measure_backup(w: Wardrobe, tmp: Path, repeats: int) -> dict[str, float]:
    """``cp -r``, the backup, and the backup with its fsyncs on threads, in turn,
    ``repeats`` times each."""
    times: dict[str, list[float]] = defaultdict(list)
    parts: dict[str, list[Buckets]] = defaultdict(list)
    for _ in range(repeats):
        os.sync()
        cp_dest = tmp / "cp-copy"
        times["cp"].append(
            timed_s(lambda d=cp_dest: subprocess.run(["cp", "-r", str(w.home), str(d)], check=True))
        )
        shutil.rmtree(cp_dest)
        for variant, threaded in (("backup", False), ("threads", True)):
            resettable = peak_rss_reset()
            rss = rss_mb("VmRSS")
            seconds, buckets, result = one_backup(w, tmp, threaded)
            times[variant].append(seconds)
            parts[variant].append(buckets)
            if variant == "backup":
                times["rise"].append(rss_mb("VmHWM") - rss if resettable else float("nan"))
                times["rss"].append(rss)
                times["vacuum"].append(vacuum_alone(tmp / "backup", tmp / "vacuum"))
            shutil.rmtree(tmp / "backup")
    figures = {k: statistics.median(v) for k, v in times.items()}
    # Ratios of runs made one after the other: the disk's speed drifts between rounds.
    rounds = {
        "over_cp": [b / c for b, c in zip(times["backup"], times["cp"], strict=True)],
        "threads_over": [t / b for t, b in zip(times["threads"], times["backup"], strict=True)],
    }
    figures.update({k: statistics.median(v) for k, v in rounds.items()})
    print(
        f"backup of {result.garments} garments, {result.files} files, "
        f"{result.size / 1e6:.0f} MB, median of {repeats}:"
    )
    for key, label in (("cp", "cp -r"), ("backup", "backup"), ("threads", "fsyncs on threads")):
        runs = " ".join(f"{t:.1f}" for t in times[key])
        print(f"  {label:<18} {figures[key]:6.2f} s  (runs: {runs})")
    for key, label in (("over_cp", "backup / cp -r"), ("threads_over", "threads / backup")):
        print(
            f"  {label:<18} {figures[key]:6.2f}    (rounds: "
            + " ".join(f"{r:.2f}" for r in rounds[key])
            + ")"
        )
    print_parts("  the backup's parts:", parts["backup"])
    for name in parts["backup"][0].seconds:
        key = name.replace(" + ", "_").replace(" ", "_") + "_s"
        figures[key] = statistics.median(b.seconds[name] for b in parts["backup"])
    figures["files"] = result.files
    return figures


def vacuum_alone(backup: Path, tmp: Path) -> float:
    """VACUUM of the backed-up database on its own (part of "purge + vacuum")."""
    import sqlite3

    tmp.mkdir()
    copy = tmp / "db"
    shutil.copy(paths.database_path(backup), copy)
    with contextlib.closing(sqlite3.connect(copy)) as conn:
        seconds = timed_s(lambda: conn.execute("VACUUM"))
    shutil.rmtree(tmp)
    return seconds


def import_photos(folder: Path, photos: int, seed: int) -> Path:
    for i in range(photos):
        make_photo(folder / f"p{i:04d}.jpg", seed=seed + i, size=(1200, 1600), quality=95)
    return folder


def backup_beside_import(w: Wardrobe, tmp: Path, folder: Path, threaded: bool) -> dict[str, float]:
    """A backup started while the photos in ``folder`` are imported: seconds of each."""
    done: dict[str, float] = {}

    def importing() -> None:
        done["import_s"] = timed_s(lambda: w.import_paths([folder]))

    os.sync()
    copies = Buckets()
    with contextlib.ExitStack() as stack:
        copy = copies.wrap("copy", backup_module._copy_database)
        stack.enter_context(patched(backup_module, "_copy_database", copy))
        if threaded:
            stack.enter_context(fsyncs_on_threads())
        thread = threading.Thread(target=importing)
        thread.start()
        time.sleep(0.5)  # the import under way
        backup_s = timed_s(lambda: w.backup(tmp / "backup-during"))
        thread.join()
    shutil.rmtree(tmp / "backup-during")
    return {"backup_s": backup_s, "import_s": done["import_s"], "copies": copies.counts["copy"]}


def measure_backup_during_import(w: Wardrobe, tmp: Path, photos: int) -> dict[str, float]:
    """Imports alone, beside a backup, and beside one with its fsyncs on threads."""
    os.sync()
    alone = import_photos(tmp / "import-alone", photos, 0)
    figures = {"import_alone_s": timed_s(lambda: w.import_paths([alone]))}
    for name, threaded, seed in (("", False, 10_000), ("threads_", True, 20_000)):
        folder = import_photos(tmp / f"import-{name}during", photos, seed)
        run = backup_beside_import(w, tmp, folder, threaded)
        figures[f"{name}backup_during_import_s"] = run["backup_s"]
        figures[f"{name}import_during_backup_s"] = run["import_s"]
        figures[f"{name}snapshots_during_import"] = run["copies"]
    return figures


# -- touch-up -----------------------------------------------------------------------------
def touch_up_ms(w: Wardrobe, garment_id: int, repeats: int = 5) -> tuple[float, dict[str, float]]:
    """Median ms of ``set_garment_mask`` (alternating two masks), and its steps' ms."""
    import cv2

    from wardrobe_app.services import touch_up as touch_up_module
    from wardrobe_app.vision import garments as garments_module

    _rgb, mask = w.garment_picture(garment_id)
    grown = cv2.dilate(mask.view(np.uint8), np.ones((15, 15), np.uint8)) > 0
    buckets = Buckets()
    # The steps where the facade's touch-up runs them (services/touch_up.py), under the
    # names they had in the Wardrobe, so that figures stay comparable.
    steps: list[tuple[Any, str, str]] = [
        (w._touch_up, "garment_picture", "garment_picture"),
        (w._touch_up, "_labels_after_touch_up", "_labels_after_touch_up"),
        (touch_up_module, "discard_files", "_discard_files"),
        (w._vectors, "index_add", "_index_add"),
        (w._browse, "garment", "garment"),
    ]
    with contextlib.ExitStack() as stack:
        for target, attr, name in steps:
            stack.enter_context(patched(target, attr, buckets.wrap(name, getattr(target, attr))))
        stack.enter_context(
            patched(w.store.files, "put_png", buckets.wrap("put_png", w.store.files.put_png))
        )
        stack.enter_context(
            patched(
                garments_module,
                "garment_of_mask",
                buckets.wrap("garment_of_mask", garments_module.garment_of_mask),
            )
        )
        w.set_garment_mask(garment_id, grown)  # warm-up
        buckets.seconds.clear()
        times = []
        for i in range(repeats):
            with buckets.part("rest"):
                w.set_garment_mask(garment_id, mask if i % 2 else grown)
            times.append(sum(buckets.seconds.values()) * 1000 - sum(times))
    steps = {k: v * 1000 / repeats for k, v in buckets.seconds.items()}
    return statistics.median(times), steps


def discard_check_ms(w: Wardrobe) -> tuple[float, float]:
    """Which of a touch-up's 4 replaced files rows still use: median ms asked of those
    few (``Store.files_in_use``), and by listing every referenced file as before."""
    with w.store.session() as s:
        asked = sorted(w.store.referenced_files(s))[:4]
        few = median(lambda: w.store.files_in_use(s, asked))
        every = median(lambda: w.store.referenced_files(s))
    return few, every


def median(fn: Callable[[], object], repeats: int = 15) -> float:
    fn()
    return statistics.median(timed_s(fn) for _ in range(repeats)) * 1000


def small_touch_up_ms(tmp: Path) -> float:
    home = tmp / "small"
    w, touched = build(home, 100, 80, tmp / "small-photos")
    try:
        return touch_up_ms(w, touched)[0]
    finally:
        w.close()
        shutil.rmtree(home)


def stroke_ms(w: Wardrobe, garment_id: int) -> dict[str, float]:
    """A paint stroke on the garment's mask in MaskCanvas: press, 30 moves, release."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from wardrobe_app.ui.mask_canvas import MaskCanvas

    app = QApplication.instance() or QApplication([])
    rgb, mask = w.garment_picture(garment_id)
    canvas = MaskCanvas(rgb, mask, "top")
    canvas.resize(720, 640)
    canvas.show()
    app.processEvents()

    def event(kind: QMouseEvent.Type, x: float, y: float) -> QMouseEvent:
        point = QPointF(x, y)
        button = Qt.MouseButton.LeftButton
        return QMouseEvent(
            kind, point, point, point, button, button, Qt.KeyboardModifier.NoModifier
        )

    figures: dict[str, float] = {}
    start = time.perf_counter()
    canvas.mousePressEvent(event(QMouseEvent.Type.MouseButtonPress, 100, 100))
    figures["press_ms"] = (time.perf_counter() - start) * 1000
    moves = []
    for i in range(1, 31):
        start = time.perf_counter()
        canvas.mouseMoveEvent(event(QMouseEvent.Type.MouseMove, 100 + 15 * i, 100 + 8 * i))
        moves.append((time.perf_counter() - start) * 1000)
    figures["move_ms"] = statistics.median(moves)
    start = time.perf_counter()
    canvas.mouseReleaseEvent(event(QMouseEvent.Type.MouseButtonRelease, 550, 340))
    figures["release_ms"] = (time.perf_counter() - start) * 1000
    repaints = []
    for _ in range(5):
        start = time.perf_counter()
        canvas.repaint()
        repaints.append((time.perf_counter() - start) * 1000)
    figures["repaint_ms"] = statistics.median(repaints)
    canvas.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--garments", type=int, default=3600)
    parser.add_argument("--photos", type=int, default=2750)
    parser.add_argument("--import-photos", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3, help="of each backup")
    parser.add_argument("--keep", type=Path, help="build the wardrobe here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        home = args.keep or tmp / "home"
        start = time.perf_counter()
        w, touched = build(home, args.garments, args.photos, tmp / "photos")
        n_files, n_bytes = data_size(home)
        print(
            f"built {w.count()} garments, {n_files} files, {n_bytes / 1e6:.0f} MB "
            f"in {time.perf_counter() - start:.0f} s"
        )
        try:
            figures = measure_backup(w, tmp, args.repeats)
            figures.update(measure_backup_during_import(w, tmp, args.import_photos))
            figures["touch_up_ms"], steps = touch_up_ms(w, touched)
            figures["in_use_ms"], figures["all_refs_ms"] = discard_check_ms(w)
            figures.update(stroke_ms(w, touched))
            count = w.count()
        finally:
            w.close()
        figures["small_touch_up_ms"] = small_touch_up_ms(tmp)
    print(f"VACUUM of the copy alone   {figures['vacuum']:7.3f} s")
    print(
        f"peak RSS rise in backup    {figures['rise']:7.1f} MB (RSS before {figures['rss']:.0f} MB)"
    )
    print(f"import of {args.import_photos} photos alone {figures['import_alone_s']:6.2f} s")
    for name, label in (("", "backup"), ("threads_", "backup, fsyncs on threads")):
        print(
            f"  beside a {label}: {figures[name + 'import_during_backup_s']:6.2f} s; "
            f"that backup {figures[name + 'backup_during_import_s']:6.2f} s, "
            f"{figures[name + 'snapshots_during_import']} database cop(ies)"
        )
    print(
        f"set_garment_mask (2048x2048) {figures['touch_up_ms']:7.1f} ms median; steps, ms a call:"
    )
    for name, ms in sorted(steps.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<24} {ms:7.1f}")
    print(f"  in a wardrobe of 100 garments: {figures['small_touch_up_ms']:7.1f} ms")
    print(
        f"  files still used, of the 4 replaced: {figures['in_use_ms']:.1f} ms; "
        f"listing every referenced file (before): {figures['all_refs_ms']:.1f} ms"
    )
    print(
        f"paint stroke (2048x2048): press {figures['press_ms']:.1f} ms, move "
        f"{figures['move_ms']:.2f} ms median, release {figures['release_ms']:.1f} ms, "
        f"repaint {figures['repaint_ms']:.1f} ms"
    )
    print(
        f"garments={count} files={n_files} data_mb={n_bytes / 1e6:.0f} "
        f"backup_s={figures['backup']:.2f} threads_s={figures['threads']:.2f} "
        f"cp_s={figures['cp']:.2f} backup_over_cp={figures['over_cp']:.2f} "
        f"threads_over_backup={figures['threads_over']:.2f} "
        f"write_s={figures.get('write_s', 0):.2f} "
        f"file_fsync_s={figures.get('file_fsync_s', 0):.2f} hash_s={figures.get('hash_s', 0):.2f} "
        f"peak_rss_rise_mb={figures['rise']:.1f} "
        f"backup_during_import_s={figures['backup_during_import_s']:.2f} "
        f"import_during_over_alone="
        f"{figures['import_during_backup_s'] / figures['import_alone_s']:.2f} "
        f"import_during_threads_over_alone="
        f"{figures['threads_import_during_backup_s'] / figures['import_alone_s']:.2f} "
        f"touch_up_ms={figures['touch_up_ms']:.1f} "
        f"touch_up_over_small={figures['touch_up_ms'] / figures['small_touch_up_ms']:.2f} "
        f"in_use_over_all_refs={figures['in_use_ms'] / figures['all_refs_ms']:.2f} "
        f"stroke_move_ms={figures['move_ms']:.2f} repaint_ms={figures['repaint_ms']:.1f}"
    )


if __name__ == "__main__":
    main()
