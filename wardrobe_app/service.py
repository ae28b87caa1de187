"""The service layer: the one API that the CLI and the GUI call (no Qt).

``Wardrobe`` ties together the store (SQLite + content-addressed files), the vision
pipeline (loaded lazily: seconds) and the similar-items index. See docs/SERVICE_API.md.
It is a facade: each job (import, browse, edits, touch-up, similar items, export,
repair, the index) is done by a part in ``wardrobe_app/services/``.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np

from . import paths
from .services.browse import Browse
from .services.edits import Edits
from .services.expand import expand_paths
from .services.export import ExportResult, export_wardrobe
from .services.importer import Importer
from .services.map_edits import MapEdits
from .services.repair import RepairResult, repair
from .services.similar import (
    CLOSEST_SHOWN,
    SIMILAR_FLOOR,
    OtherModelsVectors,
    Similar,
    closest_shown,
)
from .services.touch_up import TouchUp
from .services.vectors import EmbeddingInterrupted, EmbeddingStopped, ReindexResult, Vectors
from .services.working_copy import WORK_MAX_PIXELS, WORK_MAX_SIDE, working_copy
from .store import Store, StoreClosed
from .store.backup import BackupResult, back_up
from .store.database import damaged_database
from .types import (
    Analyser,
    Category,
    GarmentFilter,
    GarmentRecord,
    ImportReport,
    ImportResult,
    KindChoice,
    PhotoAnalysis,
    SimilarHit,
    SimilarItems,
)
from .vision.merge import merge_garments

__all__ = [
    "ANALYSER_FACTORY",
    "CLOSEST_SHOWN",
    "ENV_ANALYSER",
    "SIMILAR_FLOOR",
    "WORK_MAX_PIXELS",
    "WORK_MAX_SIDE",
    "BackupResult",
    "EmbeddingInterrupted",
    "EmbeddingStopped",
    "ExportResult",
    "OtherModelsVectors",
    "ReindexResult",
    "RepairResult",
    "Wardrobe",
    "closest_shown",
    "default_analyser",
    "working_copy",
]

# Test / tool hook: when set, ``Wardrobe`` builds its analyser with this instead of the
# real pipeline. The environment variable ``WARDROBE_ANALYSER=module:callable`` does the
# same across processes.
ANALYSER_FACTORY: Callable[[], Analyser] | None = None
ENV_ANALYSER = "WARDROBE_ANALYSER"


def default_analyser() -> Analyser:
    """The analyser a ``Wardrobe`` without one uses: hook, env var, else the real pipeline."""
    if ANALYSER_FACTORY is not None:
        return ANALYSER_FACTORY()
    spec = os.environ.get(ENV_ANALYSER)
    if spec:
        module_name, _, attr = spec.partition(":")
        factory = getattr(importlib.import_module(module_name), attr or "default")
        return cast(Analyser, factory())
    from .vision.pipeline import PhotoAnalyser  # heavy: torch

    return cast(Analyser, PhotoAnalyser.default(device="auto"))


class Wardrobe:
    """One wardrobe (data folder): import, browse, edit, similar items, export."""

    def __init__(
        self,
        home: Path | None = None,
        analyser: Analyser | None = None,
        *,
        background_index: bool = True,
        read_only: bool | None = None,
        defer_cleanup: bool = False,
    ) -> None:
        """``read_only``: None opens a folder that cannot be written read-only (browse,
        similar items, export; every change refused in words, ``store.ReadOnlyWardrobe``).
        ``defer_cleanup``: see ``Store``; ``store.start_cleanup()`` runs it."""
        self.home = Path(home) if home is not None else paths.data_home()
        self.home.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.home, read_only=read_only, defer_cleanup=defer_cleanup)
        self.read_only = self.store.read_only
        self._analyser = analyser
        self._analyser_synced = False
        self._lock = threading.RLock()
        # Loading the analyser and re-embedding for a new embedder: minutes on a big
        # wardrobe, so not under ``_lock``, which edits on the GUI thread take.
        self._sync_lock = threading.Lock()
        self._closed = False
        try:
            self._vectors = Vectors(
                self.store, self._lock, self._synced_dim, background=background_index
            )
        except BaseException as exc:
            self.store.close()
            unusable = damaged_database(exc, paths.database_path(self.home))
            if unusable is not None:
                raise unusable from exc
            raise
        # The parts: each holds what its job needs, and the same lock and vectors.
        self._browse = Browse(self.store)
        map_edits = MapEdits()  # an undo of either gives its photo's map back exactly
        self._edits = Edits(self.store, self._lock, self._vectors, self._browse, map_edits)
        self._importer = Importer(self.store, self._lock, self._vectors, self._get_analyser)
        self._touch_up = TouchUp(
            self.store,
            self._lock,
            self._vectors,
            self._browse,
            self._touch_up_analyser,
            map_edits,
        )
        self._similar = Similar(self.store, self._vectors, self._get_analyser, self._is_synced)

    # -- life cycle --------------------------------------------------------------------
    def __enter__(self) -> Wardrobe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def interrupt(self) -> None:
        """Stop a re-embedding in progress (an upgraded similar-items model's first load:
        minutes at 100k garments) after its batch, its caller getting
        ``EmbeddingStopped``: the wardrobe is about to close. Those done are kept, and
        the next open goes on with the others; a later re-embedding stops before it starts."""
        self._vectors.stop()

    def close(self) -> None:
        self.interrupt()  # or closing waited for the whole re-embedding
        # After the batch in progress (it needs the database); the order of the two
        # locks is the one sync_embedder takes them in.
        with self._sync_lock, self._lock:
            if self._closed:
                return
            self._closed = True
            self._vectors.close()
            self._browse.close()
            self.store.close()

    @property
    def analyser(self) -> Analyser:
        """The vision pipeline, created on first use; a new embedder re-embeds the wardrobe."""
        ready = self._analyser
        if ready is not None and self._analyser_synced:
            return ready  # no lock: analysis must not wait for a save in progress
        with self._sync_lock:
            if self._closed:  # a job that outlived the window: nothing is re-embedded
                raise StoreClosed(f"the wardrobe in {self.home} was closed")
            if self._analyser is None:
                self._analyser = default_analyser()
            if not self._analyser_synced:
                self._vectors.sync_embedder(self._analyser)
                self._analyser_synced = True
            return self._analyser

    def analyser_loaded(self) -> bool:
        return self._analyser is not None

    def _get_analyser(self) -> Analyser:
        """``analyser`` for the parts, looked up on each call (it loads on first use)."""
        return self.analyser

    def _touch_up_analyser(self) -> tuple[Analyser, bool]:
        """The analyser that embeds a touched-up cut-out, and whether the stored vectors
        are in step with it. Where a re-embedding for a new model was stopped (the window
        closing with the touch-up's save queued behind it) the loaded model all the same,
        not in step: the person's touch-up is saved, its vector of that model (which the
        next load's re-embedding then skips), instead of lost."""
        try:
            return self.analyser, True
        except EmbeddingStopped:
            if self._analyser is None:  # not loaded: nothing to embed it with
                raise
            return self._analyser, False

    def _is_synced(self) -> bool:
        return self._analyser_synced

    def _synced_dim(self) -> int | None:
        """The analyser's vector size once it is in step with the stored vectors."""
        analyser = self._analyser
        if not self._analyser_synced or analyser is None:
            return None
        if self.store.read_only and self._vectors.version not in (None, analyser.embedder_version):
            return None  # another model's vectors, kept as they are: their size
        return analyser.dim

    # -- import ------------------------------------------------------------------------
    def analyse(self, path: Path, kind: KindChoice = "auto") -> PhotoAnalysis:
        """Find the garments in a photo; saves nothing. Raises ImageLoadError."""
        return self._importer.analyse(path, kind)

    def merge_garments(
        self, analysis: PhotoAnalysis, indices: Sequence[int], category: Category
    ) -> PhotoAnalysis:
        """``analysis`` with the garments at ``indices`` made one garment of ``category``
        (a dress found as a top and a bottom); saves nothing."""
        return merge_garments(analysis, indices, category, self.analyser.fill_vectors)

    def find_duplicate(self, path: Path) -> int | None:
        """Id of the stored photo with the same content as ``path``, if any (see
        ``Importer.find_duplicate``); ``ImageLoadError`` where it cannot be read."""
        return self._importer.find_duplicate(path)

    def garments_of_same_photo(self, path: Path) -> list[GarmentRecord]:
        """The wardrobe's garments from this very photo (photos are stored by content: a
        copy under another name is the same photo), [] where it is not in the wardrobe;
        ``ImageLoadError`` where it cannot be read. Nothing is analysed."""
        photo_id = self.find_duplicate(path)
        return [] if photo_id is None else self._browse.garments_of_photo(photo_id)

    def save_analysis(
        self, analysis: PhotoAnalysis, keep: Sequence[int] | None = None
    ) -> ImportResult:
        """Store an analysed photo and the garments ``keep`` selects (None = all)."""
        self.store.check_writable()  # refused at once, in words, where read-only
        return self._importer.save_analysis(analysis, keep)

    def import_photo(self, path: Path, kind: KindChoice = "auto") -> ImportResult:
        """Duplicate check, analysis and save of one photo; never raises for a bad file."""
        self.store.check_writable()  # refused at once, in words, where read-only
        return self._importer.import_photo(path, kind)

    @staticmethod
    def import_failure(path: Path, exc: Exception) -> ImportResult:
        """The failed result of a photo that could not be analysed or saved, in words
        where the storage is the cause (a full disk), with a traceback logged for a bug."""
        return Importer.import_failure(path, exc)

    def expand_paths(
        self,
        paths_: Sequence[Path],
        skipped_exports: list[Path] | None = None,
        left_out: list[Path] | None = None,
        skipped_wardrobes: list[Path] | None = None,
    ) -> list[Path]:
        """Files as given, folders expanded recursively to their photos (see
        ``services.expand.expand_paths``)."""
        return expand_paths(self.home, paths_, skipped_exports, left_out, skipped_wardrobes)

    def import_paths(
        self,
        paths: Sequence[Path],
        kind: KindChoice = "auto",
        progress: Callable[[int, int, Path], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        into: ImportReport | None = None,
    ) -> ImportReport:
        """Import files and folders; bad files are reported and the rest continue (see
        ``Importer.import_paths``)."""
        self.store.check_writable()  # refused at once, in words, where read-only
        return self._importer.import_paths(paths, kind, progress, is_cancelled, into)

    # -- browse ------------------------------------------------------------------------
    def count(self) -> int:
        return self._browse.count()

    def list_garments(self, flt: GarmentFilter | None = None) -> list[GarmentRecord]:
        return self._browse.list_garments(flt)

    def change_mark(self) -> tuple[object, ...]:
        """A cheap fingerprint of the wardrobe's garments: it changes when one is added,
        deleted, restored or edited, here or by another process (the CLI beside the
        app), so that a view can tell when to list them again."""
        return self._browse.change_mark()

    def garment(self, garment_id: int) -> GarmentRecord:
        return self._browse.garment(garment_id)

    def colour_names(self) -> list[str]:
        return self._browse.colour_names()

    def fine_types(self) -> list[str]:
        return self._browse.fine_types()

    def fine_types_by_category(self) -> dict[str, list[str]]:
        return self._browse.fine_types_by_category()

    def worn_with(self, garment_id: int) -> list[GarmentRecord]:
        return self._browse.worn_with(garment_id)

    def deleted_with(self, garment_id: int) -> list[GarmentRecord]:
        """The garments of its photo deleted (undo-able until the next start)."""
        return self._browse.worn_with(garment_id, deleted=True)

    def photo_labels(self, garment_id: int) -> np.ndarray | None:
        return self._browse.photo_labels(garment_id)

    # -- edits -------------------------------------------------------------------------
    def update_garment(
        self,
        garment_id: int,
        *,
        name: str | None = None,
        category: str | None = None,
        fine_type: str | None = None,
        tags: list[str] | None = None,
        notes: str | None = None,
        favourite: bool | None = None,
        fine_type_was: str | None = None,
    ) -> GarmentRecord:
        """``fine_type_was``: the type is written only where the stored one is still that
        ("" for none), in the same transaction (a category change's clearing of a type of
        another category, queued: one typed meanwhile is the user's)."""
        return self._edits.update_garment(
            garment_id,
            name=name,
            category=category,
            fine_type=fine_type,
            tags=tags,
            notes=notes,
            favourite=favourite,
            fine_type_was=fine_type_was,
        )

    def delete_garments(self, ids: Sequence[int]) -> list[int]:
        """Soft delete (undo-able until the next start); returns the ids deleted."""
        return self._edits.delete_garments(ids)

    def undo_delete(self, ids: Sequence[int]) -> None:
        self._edits.undo_delete(ids)

    # -- touch-up ----------------------------------------------------------------------
    def garment_picture(self, garment_id: int) -> tuple[np.ndarray, np.ndarray]:
        """What a touch-up of a garment's mask starts from: the photo (RGB) at the size
        its mask refers to, and the mask (bool); see ``TouchUp.garment_picture``."""
        return self._touch_up.garment_picture(garment_id)

    def set_garment_mask(self, garment_id: int, mask: np.ndarray) -> GarmentRecord:
        """Give a garment the mask a person drew: it is cut out, coloured and embedded
        again (see ``TouchUp.set_garment_mask``)."""
        self.store.check_writable()  # refused at once, in words, where read-only
        return self._touch_up.set_garment_mask(garment_id, mask)

    # -- similar items -----------------------------------------------------------------
    def similar(
        self,
        garment_id: int,
        k: int = 10,
        same_category: bool = True,
        min_score: float | None = None,
    ) -> list[SimilarHit]:
        return self._similar.similar(garment_id, k, same_category, min_score)

    def similar_many(
        self,
        ids: Sequence[int],
        k: int = 10,
        same_category: bool = True,
        min_score: float | None = None,
    ) -> dict[int, list[SimilarHit]]:
        """Similar garments for each id (KeyError for an unknown or deleted id): the ``k``
        nearest, less those scoring under ``min_score`` (``SIMILAR_FLOOR`` for people)."""
        return self._similar.similar_many(ids, k, same_category, min_score)

    def similar_items_many(
        self,
        ids: Sequence[int],
        k: int = 10,
        same_category: bool = True,
        floor: float = SIMILAR_FLOOR,
    ) -> dict[int, SimilarItems]:
        """The ``k`` nearest of each id split at ``floor`` into alike and less alike
        (see ``Similar.similar_items_many``): what the garment page and the CLI show."""
        return self._similar.similar_items_many(ids, k, same_category, floor)

    def models_held(self) -> list[int]:
        """How many garments hold each similar-items model's vectors, most first, read
        without the models (see ``Similar.models_held``); [] for a writable wardrobe."""
        return self._similar.models_held()

    def not_compared(self) -> list[int]:
        """Ids of the garments that similar items and "do I own this" leave out, because
        a read-only wardrobe holds vectors of two similar-items models for them (see
        ``Similar.not_compared``); [] for a writable one."""
        return self._similar.not_compared()

    def similar_to_photo(
        self,
        path: Path,
        k: int = 10,
        kind: KindChoice = "auto",
        min_score: float | None = None,
    ) -> tuple[PhotoAnalysis, list[list[SimilarHit]]]:
        """Analyse a photo that is not imported and find similar garments for each of its
        garments (same category, ``min_score`` as in ``similar_many``); saves nothing.
        Raises OtherModelsVectors, before analysing, where a read-only wardrobe's vectors
        come from another similar-items model than the installed one."""
        self._similar.check_comparable()
        analysis = self.analyse(Path(path), kind)
        return analysis, self._similar.similar_to_analysis(analysis, k, min_score)

    def reindex(self) -> ReindexResult:
        """Re-embed every garment with the current embedder and rebuild the index. A
        garment whose cut-out cannot be read keeps a vector of this embedder, if it has
        one, and is listed as unreadable."""
        self.store.check_writable()  # refused at once, in words, where read-only
        with self._sync_lock:
            if self._closed:
                raise StoreClosed(f"the wardrobe in {self.home} was closed")
            if self._analyser is None:
                self._analyser = default_analyser()
            # Not through ``analyser``: after an upgrade it re-embedded every garment for
            # the new model, and this then did all of it again (twice the minutes).
            result = self._vectors.reindex(self._analyser)
            self._analyser_synced = True  # every garment holds this model's vector
        return result

    # -- export ------------------------------------------------------------------------
    def export(
        self, directory: Path, *, progress: Callable[[int, int], None] | None = None
    ) -> ExportResult:
        """Cut-outs (PNG) of every garment + wardrobe.csv into ``directory``. A garment
        whose cut-out file is missing or damaged (see ``verify``) keeps its row, with no
        cut-out (or the good copy an earlier export here made). ``progress(done,
        total)``: told how far it is, every 100 garments."""
        return export_wardrobe(Path(directory), self.store, self._browse, progress)

    # -- backup ------------------------------------------------------------------------
    def backup(
        self,
        destination: Path,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> BackupResult:
        """A complete copy of this wardrobe, a data folder of its own, in ``destination``
        (a new or empty folder), made while it is in use (``store.backup``); of a
        read-only wardrobe too (it is only read), and the copy opens for writing."""
        return back_up(self.store, Path(destination), progress=progress, cancelled=cancelled)

    # -- maintenance -------------------------------------------------------------------
    def verify(self) -> Any:
        """Consistency report of database and files (``store.VerifyReport``)."""
        return self.store.verify()

    def repair(self) -> RepairResult:
        """Make again what can be made without guessing, of the stored files ``verify``
        finds missing or damaged (see ``services.repair.repair``)."""
        self.store.check_writable()  # refused at once, in words, where read-only
        return repair(self.store, self._lock)

    def stats(self) -> dict[str, int]:
        """Counts: photos, live garments, and live garments per category."""
        return self._browse.stats()
