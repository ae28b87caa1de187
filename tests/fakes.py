"""Test doubles shared by unit, integration and subprocess tests (no torch).

``FakeAnalyser`` implements ``types.Analyser``: it reads the photo with ``load_image``
(so bad files fail exactly as in real life), labels fixed blocks of the photo (top: the
upper middle, bottom: the lower middle; an "item" photo: one centred block) and embeds
cut-outs as colour histograms. A nearly uniform photo has no garment.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from wardrobe_app.types import Category, DetectedGarment, KindChoice, PhotoAnalysis, PhotoKind
from wardrobe_app.vision.image_io import load_image

if TYPE_CHECKING:
    import pytest

    from wardrobe_app.service import Wardrobe
    from wardrobe_app.training.train import TrainArgs
    from wardrobe_app.ui.model_loader import LazyAnalyser

MAX_SIDE = 1024

_garment_from_mask: Callable[..., DetectedGarment | None] | None
try:
    from wardrobe_app.vision.garments import garment_from_mask as _garment_from_mask
except ImportError:  # pragma: no cover - the vision helpers not written yet
    _garment_from_mask = None


def _manual_garment(rgb: np.ndarray, mask: np.ndarray, category: Category) -> DetectedGarment:
    from wardrobe_app.types import Colour

    ys, xs = np.nonzero(mask)
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    x0, y0, x1, y1 = box
    cut = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    crop = mask[y0:y1, x0:x1]
    cut[..., :3] = np.where(crop[..., None], rgb[y0:y1, x0:x1], 0)
    cut[..., 3] = crop * 255
    mean = rgb[mask].mean(axis=0).astype(int)
    colour = Colour("grey", "#{:02x}{:02x}{:02x}".format(*mean), 1.0)
    return DetectedGarment(category=category, mask=mask, box=box, cutout=cut, colours=[colour])


def make_garment(rgb: np.ndarray, mask: np.ndarray, category: Category) -> DetectedGarment | None:
    if _garment_from_mask is not None:
        return _garment_from_mask(rgb, mask, category)
    return _manual_garment(rgb, mask, category)


class FakeAnalyser:
    """Deterministic, fast stand-in for ``vision.pipeline.PhotoAnalyser``."""

    device = "cpu"

    def __init__(self, version: str = "fake-1", permute: bool = False) -> None:
        self.embedder_version = version
        self.dim = 32
        self.permute = permute  # a "new embedder": same information, other layout
        self.analysed: list[Path] = []
        self.embedded = 0

    def describe(self) -> str:
        return f"fake analyser {self.embedder_version}"

    def analyse(self, path: Path, kind: KindChoice = "auto") -> PhotoAnalysis:
        rgb = load_image(path)
        scale = MAX_SIDE / max(rgb.shape[:2])
        if scale < 1:
            step = int(np.ceil(1 / scale))
            rgb = np.ascontiguousarray(rgb[::step, ::step])
        self.analysed.append(Path(path))
        h, w = rgb.shape[:2]
        chosen: PhotoKind
        chosen = ("item" if "item" in Path(path).stem else "outfit") if kind == "auto" else kind
        labels = np.zeros((h, w), np.uint8)
        garments: list[DetectedGarment] = []
        message = ""
        if float(rgb.std()) < 2.0:
            message = "no garment found"
        else:
            if chosen == "outfit":
                labels[int(h * 0.15) : int(h * 0.5), int(w * 0.25) : int(w * 0.75)] = 1
                labels[int(h * 0.55) : int(h * 0.9), int(w * 0.3) : int(w * 0.7)] = 2
                parts: list[tuple[int, Category]] = [(1, "top"), (2, "bottom")]
            else:
                labels[int(h * 0.2) : int(h * 0.8), int(w * 0.2) : int(w * 0.8)] = 3
                parts = [(3, "one-piece")]
            for label, category in parts:
                g = make_garment(rgb, labels == label, category)
                if g is not None:
                    garments.append(g)
            if garments:
                vectors = self.embed_cutouts([g.cutout for g in garments])
                for g, v in zip(garments, vectors, strict=True):
                    g.vector = v
        return PhotoAnalysis(
            path=Path(path),
            rgb=rgb,
            kind=chosen,
            labels=labels,
            garments=garments,
            message=message,
        )

    def embed_cutouts(self, cutouts: list[np.ndarray]) -> np.ndarray:
        """Per-channel 10-bin histograms of the opaque pixels + dark/bright shares (32-d),
        offset so that scores spread over (0, 1], L2-normalised."""
        out = np.zeros((len(cutouts), self.dim), np.float32)
        for i, cut in enumerate(cutouts):
            px = cut[cut[..., 3] > 0][:, :3] if cut.shape[2] == 4 else cut.reshape(-1, 3)
            px = px.reshape(-1, 3).astype(np.int64)
            vec = np.zeros(self.dim, np.float64)
            if len(px):
                for c in range(3):
                    vec[c * 10 : c * 10 + 10] = np.bincount(px[:, c] * 10 // 256, minlength=10)
                grey = px.mean(axis=1)
                vec[30] = (grey < 64).sum()
                vec[31] = (grey > 192).sum()
                vec /= len(px)
            vec += 0.02
            if self.permute:
                vec = vec[::-1].copy()
            out[i] = vec / np.linalg.norm(vec)
        self.embedded += len(cutouts)
        return out

    def fill_vectors(self, garments: list[DetectedGarment]) -> None:
        """Vectors as ``analyse`` gives them, and a fine type named after the category."""
        vectors = self.embed_cutouts([g.cutout for g in garments])
        for garment, vector in zip(garments, vectors, strict=True):
            garment.vector = vector
            garment.fine_type = garment.fine_type or f"fake {garment.category}"


def make_fake() -> FakeAnalyser:
    """Factory for ``WARDROBE_ANALYSER=fakes:make_fake``."""
    return FakeAnalyser()


BROKEN_WEIGHTS = "Error(s) in loading state_dict: size mismatch for head.weight"


def broken_models() -> LazyAnalyser:
    """The GUI's loader on a broken weights file: each load fails with BROKEN_WEIGHTS."""
    from wardrobe_app.ui.model_loader import LazyAnalyser

    def load(device: str) -> FakeAnalyser:
        raise RuntimeError(BROKEN_WEIGHTS)

    return LazyAnalyser("cpu", factory=load)


def make_photo(
    path: Path, seed: int, size: tuple[int, int] = (240, 320), *, mode: str = "RGB", **save: object
) -> Path:
    """A synthetic outfit photo: a background, a top block and a bottom block in random
    colours with a little noise; ``size`` is (width, height)."""
    rng = np.random.default_rng(seed)
    w, h = size
    colours = rng.integers(0, 256, size=(3, 3))
    rgb = np.empty((h, w, 3), np.uint8)
    rgb[:] = colours[0]
    rgb[int(h * 0.1) : int(h * 0.52), int(w * 0.2) : int(w * 0.8)] = colours[1]
    rgb[int(h * 0.52) : int(h * 0.95), int(w * 0.25) : int(w * 0.75)] = colours[2]
    noise = rng.integers(-12, 13, size=rgb.shape)
    rgb = np.clip(rgb.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.fromarray(rgb)
    if mode != "RGB":
        image = image.convert(mode)
    image.save(path, **save)  # type: ignore[arg-type]
    return path


def tiny_train_args(data: Path, out: Path, epochs: int, **overrides: object) -> TrainArgs:
    """A seed UNet of width 4 on 96x64 photos: a training run of seconds."""
    from wardrobe_app.training.train import TrainArgs  # torch stays out of the module

    args = TrainArgs(
        data=str(data),
        out=str(out),
        architecture="unet",
        width=4,
        batch_norm=True,  # trains in few steps
        size=(96, 64),
        crop=(64, 64),
        epochs=epochs,
        batch=2,
        pretrained=False,
        threads=1,
    )
    for name, value in overrides.items():
        setattr(args, name, value)
    return args


def stop_reindex_part_way(db_path: Path, ids: tuple[int, ...]) -> None:
    """Give garments ``ids`` FakeAnalyser("fake-2", permute=True)'s vectors (the same
    numbers, reversed), the others keeping "fake-1"'s: a reindex killed part-way."""
    with sqlite3.connect(db_path) as conn:
        for gid in ids:
            (blob,) = conn.execute("SELECT vector FROM garments WHERE id = ?", (gid,)).fetchone()
            vec = np.frombuffer(blob, np.float32)[::-1].copy()
            conn.execute(
                "UPDATE garments SET vector = ?, vector_version = 'fake-2' WHERE id = ?",
                (vec.tobytes(), gid),
            )
    conn.close()


def made_by_release(db_path: Path, revision: str) -> None:
    """The wardrobe's database as a release of ``revision`` left it: the later
    migrations undone (Alembic), its rows kept."""
    from alembic import command

    from wardrobe_app.store.database import alembic_config, make_engine

    engine = make_engine(db_path)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), revision)
    finally:
        engine.dispose()


def top_and_bottom(wardrobe: Wardrobe) -> tuple[int, int]:
    """The ids of an imported fake photo's top and bottom (the first of each listed)."""
    listed = wardrobe.list_garments()
    top, bottom = (next(r.id for r in listed if r.category == c) for c in ("top", "bottom"))
    return top, bottom


def top_over_waist(wardrobe: Wardrobe) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """An imported fake photo's top touched up over the bottom's waist (the upper ten
    rows of the bottom's mask, in the top's class now): the top's id, its mask before,
    the bottom's mask and the waist."""
    top, bottom = top_and_bottom(wardrobe)
    _, top_mask = wardrobe.garment_picture(top)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    waist = bottom_mask.copy()
    waist[np.nonzero(bottom_mask)[0].min() + 10 :] = False
    wardrobe.set_garment_mask(top, top_mask | waist)
    return top, top_mask, bottom_mask, waist


def top_reaching_bottom(wardrobe: Wardrobe) -> tuple[int, int, np.ndarray]:
    """The ids of an imported fake photo's top and bottom, the top touched up down to the
    bottom's mask (the mask it has now, returned): made a bottom, the two are one
    region of the photo's label map."""
    top, bottom = top_and_bottom(wardrobe)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    _, top_mask = wardrobe.garment_picture(top)
    reaching = mask_reaching(top_mask, bottom_mask)
    wardrobe.set_garment_mask(top, reaching)
    return top, bottom, reaching


def one_piece_pixels_in_the_top(wardrobe: Wardrobe) -> tuple[int, np.ndarray, tuple[int, ...]]:
    """An imported fake photo's top, its photo's label map stored as a model may make it:
    a one-piece pixel inside the top and a one-piece speck alone in the corner (no
    one-piece in the photo). Made a one-piece, both are the same as the top's own: the
    map alone cannot tell them apart on the way back. The top's id, that map, the pixel."""
    from wardrobe_app.types import LABEL_OF_CATEGORY

    top = next(r.id for r in wardrobe.list_garments() if r.category == "top")
    _, mask = wardrobe.garment_picture(top)
    model = wardrobe.photo_labels(top)
    assert model is not None and not (model == LABEL_OF_CATEGORY["one-piece"]).any()
    assert not model[:2, :2].any()  # the speck stands alone in the corner
    inside = tuple(np.argwhere(mask)[len(np.argwhere(mask)) // 2])
    model[inside] = model[0, 0] = LABEL_OF_CATEGORY["one-piece"]
    store_photo_labels(wardrobe, top, model)
    return top, model, inside


def store_photo_labels(wardrobe: Wardrobe, garment_id: int, labels: np.ndarray) -> None:
    """Make ``labels`` the stored label map of the photo of ``garment_id``, as a model
    may have made it (the imported map's file removed)."""
    from wardrobe_app.store import Garment

    rel = wardrobe.store.files.put_png(labels)[0]
    with wardrobe.store.write_session() as s:
        photo = s.get(Garment, garment_id).photo
        imported, photo.labels_path = photo.labels_path, rel
    wardrobe.store.files.remove([imported])


def store_mask_cropped(wardrobe: Wardrobe, garment_id: int) -> tuple[int, int]:
    """Store the garment's mask 4 rows and 2 columns short of its photo's size, as
    another version may have written it (the old file removed); its new (width, height)."""
    from wardrobe_app.store import Garment

    _, mask = wardrobe.garment_picture(garment_id)
    cropped = np.ascontiguousarray(mask[:-4, :-2].astype(np.uint8) * 255)
    rel = wardrobe.store.files.put_png(cropped)[0]
    with wardrobe.store.write_session() as s:
        row = s.get(Garment, garment_id)
        old, row.mask_path = row.mask_path, rel
    wardrobe.store.files.remove([old])
    return cropped.shape[1], cropped.shape[0]


def mask_reaching(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """A copy of the mask ``top`` drawn on down to the mask ``bottom`` below it."""
    ys, xs = np.nonzero(top)
    reaching = top.copy()
    reaching[ys.max() : np.nonzero(bottom)[0].min(), xs.min() : xs.max()] = True
    return reaching


class SlowBuild:
    """Similar-items index builds that, like Annoy's on a big wardrobe (seconds to tens of
    seconds, in C++), take long and never look at a stop flag: once ``install()``-ed, each
    Annoy build waits until ``end()`` (``limit`` seconds at most). ``started`` is set as
    one begins; ``end()``, once every index is closed, also waits for their rebuild
    threads to finish (an open index's thread waits for more work: it never ends)."""

    REBUILD_THREAD = "similar-index-rebuild"  # Rebuilder's thread name

    def __init__(self, monkeypatch: pytest.MonkeyPatch, limit: float = 20.0) -> None:
        from annoy import AnnoyIndex

        self.started = threading.Event()
        self._release = threading.Event()
        self._monkeypatch = monkeypatch
        started, release = self.started, self._release

        class Slow(AnnoyIndex):  # type: ignore[misc]
            def build(self, n_trees: int, n_jobs: int = -1) -> bool:
                started.set()
                release.wait(limit)
                return bool(super().build(n_trees, n_jobs=n_jobs))

        self._annoy = Slow

    def install(self) -> None:
        from wardrobe_app.search import storage

        self._monkeypatch.setattr(storage, "AnnoyIndex", self._annoy)

    def end(self) -> None:
        self._release.set()
        for thread in threading.enumerate():
            if thread.name == self.REBUILD_THREAD:
                thread.join(20)
                assert not thread.is_alive()


class SlowEmbedder(FakeAnalyser):
    """``FakeAnalyser("fake-2", permute=True)`` (a new similar-items model) whose every
    ``embed_cutouts`` call takes ``delay`` seconds, as a real model's batch on CPU does:
    the re-embedding of a wardrobe made with "fake-1" then takes long. ``started`` is
    set as the first call begins; ``interrupt_at`` raises KeyboardInterrupt (Ctrl+C)
    as that call (1-based) begins; ``sigint_at`` sends this process SIGINT instead (a
    real Ctrl+C, which the handler in place answers) and the call goes on."""

    def __init__(
        self, delay: float = 0.0, interrupt_at: int | None = None, sigint_at: int | None = None
    ) -> None:
        super().__init__("fake-2", permute=True)
        self.delay = delay
        self.interrupt_at = interrupt_at
        self.sigint_at = sigint_at
        self.calls = 0
        self.started = threading.Event()

    def embed_cutouts(self, cutouts: list[np.ndarray]) -> np.ndarray:
        self.calls += 1
        self.started.set()
        if self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        if self.calls == self.sigint_at:
            signal.raise_signal(signal.SIGINT)
        time.sleep(self.delay)
        return super().embed_cutouts(cutouts)


class ScriptedEmbedder(FakeAnalyser):
    """The fake analyser whose garments' vectors score ``cosines`` with the first one's,
    in the order they are embedded (one garment per photo imported as an item): the
    second garment embedded scores ``cosines[0]`` with the first, and so on."""

    def __init__(self, cosines: list[float]) -> None:
        super().__init__()
        self.script: list[np.ndarray] = [np.eye(self.dim, dtype=np.float32)[0]]
        for i, c in enumerate(cosines, start=1):  # c along the first, the rest its own
            vec = np.zeros(self.dim, np.float32)
            vec[0], vec[i] = c, np.sqrt(1 - c * c)
            self.script.append(vec)

    def embed_cutouts(self, cutouts: list[np.ndarray]) -> np.ndarray:
        self.embedded += len(cutouts)
        return np.stack([self.script.pop(0) for _ in cutouts])


def without_write_override() -> list[str]:
    """The command prefix that makes a process meet file permissions: none for a user;
    for root (which writes anywhere), setpriv less the capabilities that let it."""
    import os
    import subprocess

    import pytest

    if os.geteuid() != 0:
        return []
    caps = "-dac_override,-dac_read_search"
    prefix = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]
    try:
        subprocess.run([*prefix, "true"], check=True, timeout=60, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("root, and setpriv cannot drop the right to write anywhere")
    return prefix


def load_migration(name: str) -> ModuleType:
    """The migration module ``store/migrations/versions/<name>.py``, loaded by path (its
    folder is no package), to check what it makes against what the code trusts."""
    import importlib.util

    from wardrobe_app import paths

    path = Path(paths.__file__).parent / "store" / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def garments_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the garments made into records from here on (by any listing): what a
    listing read again."""
    from wardrobe_app.services import records

    read: list[int] = []
    real = records.garment_record

    def counted(row: object, *args: object) -> object:
        made = real(row, *args)  # type: ignore[arg-type]
        read.append(made.id)
        return made

    monkeypatch.setattr(records, "garment_record", counted)
    return read
