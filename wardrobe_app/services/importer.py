"""Import: photos analysed and saved, one at a time or a batch of files and folders.

Import is all or nothing: the photo's files are written first (temp name, renamed into
place), then its rows are committed in one transaction, then the index is told. A crash
in between leaves only files that no row references; the next start removes them.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..store import FileStore, Garment, Photo, SourceChangedError, Store, sha256_file
from ..store.database import storage_trouble
from ..store.models import utcnow
from ..types import (
    CATEGORIES,
    Analyser,
    DetectedGarment,
    ImportReport,
    ImportResult,
    KindChoice,
    PhotoAnalysis,
)
from ..vision.image_io import (
    IMAGE_SUFFIXES,
    NOT_A_FILE,
    ImageLoadError,
    check_image_file,
    is_image_path,
)
from ..vision.label_map import without
from .expand import expand_paths
from .records import garment_record
from .stored_files import Staged, discard_files, thumbnail
from .vectors import EmbeddingStopped, Vectors
from .working_copy import original_size, working_copy

log = logging.getLogger(__name__)

NO_GARMENT = "no garment found"


class Importer:
    """Analyses photos and saves them with their garments into one wardrobe.

    ``analyser`` gives the wardrobe's analyser (loaded, and its vectors in step, on
    first use); ``lock`` is the wardrobe's own, which its edits take too.
    """

    def __init__(
        self,
        store: Store,
        lock: threading.RLock,
        vectors: Vectors,
        analyser: Callable[[], Analyser],
    ) -> None:
        self.store = store
        self._lock = lock
        self._vectors = vectors
        self._analyser = analyser

    def analyse(self, path: Path, kind: KindChoice = "auto") -> PhotoAnalysis:
        """Find the garments in a photo; saves nothing. Raises ImageLoadError."""
        path = Path(path)
        check_image_file(path)  # before the models load: seconds, to then say "no such file"
        analyser = self._analyser()
        with working_copy(path) as (work, _original):
            analysis = analyser.analyse(work, kind)
        if analysis.path != path:
            analysis = dataclasses.replace(analysis, path=path)
        return analysis

    def find_duplicate(self, path: Path) -> int | None:
        """Id of the stored photo with the same content as ``path``, if any; not one in
        which nothing was found (an import without review keeps those, and the review,
        which can read a photo as the other kind, is where they are brought in).

        Raises ``ImageLoadError`` (a clear message naming the file) where it is missing,
        a folder or unreadable."""
        found = self._photo_by_sha(_content_hash(Path(path)))
        return None if found is None or self._found_nothing_as(found) else found

    def _photo_by_sha(self, sha: str) -> int | None:
        with self.store.session() as s:
            return s.scalar(select(Photo.id).where(Photo.sha256 == sha))

    def _found_nothing_as(self, photo_id: int) -> str | None:
        """The kind a stored photo was read as where nothing was found in it (it has no
        garment, not even a deleted one); None where it has garments."""
        with self.store.session() as s:
            if s.scalar(select(Garment.id).where(Garment.photo_id == photo_id).limit(1)):
                return None
            return s.scalar(select(Photo.kind).where(Photo.id == photo_id))

    def save_analysis(
        self, analysis: PhotoAnalysis, keep: Sequence[int] | None = None
    ) -> ImportResult:
        """Store an analysed photo and the garments ``keep`` selects (None = all)."""
        path = Path(analysis.path)
        try:
            sha = sha256_file(path)
        except OSError as exc:
            return ImportResult(
                path, "failed", error=f"{path}: cannot read ({exc.strerror or exc})"
            )
        garments = analysis.garments if keep is None else [analysis.garments[i] for i in keep]
        return self._save(analysis, garments, sha)

    def _save(
        self, analysis: PhotoAnalysis, garments: list[DetectedGarment], sha: str
    ) -> ImportResult:
        path = Path(analysis.path)
        for g in garments:
            if g.category not in CATEGORIES:
                raise ValueError(f"unknown category {g.category!r}")
        analyser = self._analyser()
        missing = [g for g in garments if g.vector is None]
        if missing:
            vecs = analyser.embed_cutouts([g.cutout for g in missing])
            for g, v in zip(missing, vecs, strict=True):
                g.vector = np.asarray(v, np.float32)
        version = analyser.embedder_version
        original = original_size(path) or (analysis.rgb.shape[1], analysis.rgb.shape[0])
        files = self.store.files
        with self._lock:
            existing = self._photo_by_sha(sha)
            if existing is not None and not (garments and self._found_nothing_as(existing)):
                return ImportResult(
                    path, "duplicate", photo_id=existing, message="already imported"
                )
            staged = Staged(files)
            created = staged.created  # removed if the rows are not committed
            replaced: list[str] = []  # the files of the photo row this reading replaces
            try:
                suffix = path.suffix.lower() if path.suffix.lower() in IMAGE_SUFFIXES else ".img"
                photo_rel = staged.file(lambda: _put_photo(files, path, sha, suffix))
                labels_rel = staged.png(_stored_labels(analysis, garments))
                garment_files = []
                for g in garments:
                    garment_files.append(
                        (
                            staged.png(np.asarray(g.mask, bool)),
                            staged.png(g.cutout),
                            staged.png(thumbnail(g.cutout)),
                        )
                    )
                now = utcnow()
                with self.store.write_session() as s:
                    # Under the write lock: one another program's clean-up removed
                    # since it was stored (or found stored) is stored again.
                    staged.restore(s)
                    if existing is not None:  # found nothing before: this reading replaces it
                        # Its label map, and its photo file where stored under another
                        # suffix (the same bytes as .jpeg, then .jpg): only this row used them.
                        old = s.execute(
                            select(Photo.file_path, Photo.labels_path).where(Photo.id == existing)
                        ).one_or_none()
                        replaced = [rel for rel in old or () if rel]
                        s.execute(
                            delete(Photo).where(
                                Photo.id == existing,
                                ~select(Garment.id).where(Garment.photo_id == existing).exists(),
                            )
                        )
                    before = self._vectors.mark(s)
                    next_garment = self.store.next_id(s, Garment)
                    photo = Photo(
                        id=self.store.next_id(s, Photo),
                        sha256=sha,
                        file_path=photo_rel,
                        width=int(analysis.labels.shape[1]),
                        height=int(analysis.labels.shape[0]),
                        original_width=int(original[0]),
                        original_height=int(original[1]),
                        kind=analysis.kind,
                        # bytes that are not UTF-8 (an old camera's name) as \xe9
                        source_path=os.fsencode(path.resolve()).decode("utf-8", "backslashreplace"),
                        imported_at=now,
                        labels_path=labels_rel,
                        message=analysis.message or ("" if garments else NO_GARMENT),
                    )
                    s.add(photo)
                    rows: list[Garment] = []
                    for g, (mask_rel, cut_rel, thumb_rel) in zip(
                        garments, garment_files, strict=True
                    ):
                        row = Garment(
                            id=next_garment + len(rows),
                            category=g.category,
                            fine_type=g.fine_type,
                            colours=[c.to_dict() for c in g.colours],
                            area=g.area,
                            confidence=float(g.confidence),
                            mask_path=mask_rel,
                            cutout_path=cut_rel,
                            thumbnail_path=thumb_rel,
                            name="",
                            tags=[],
                            notes="",
                            favourite=False,
                            created_at=now,
                            updated_at=now,
                        )
                        row.box = g.box
                        row.set_vector(g.vector, version)
                        photo.garments.append(row)
                        rows.append(row)
                    s.flush()
                    after = self._vectors.mark(s)
                    records = [garment_record(row, photo_rel, files.abspath) for row in rows]
                    photo_id = photo.id
            except IntegrityError as exc:
                discard_files(self.store, created)
                # Another process (the app beside the CLI) stored the same photo between
                # the check above and this commit: a duplicate, not a failure.
                existing = self._photo_by_sha(sha) if "sha256" in str(exc.orig) else None
                if existing is None:
                    raise
                return ImportResult(
                    path, "duplicate", photo_id=existing, message="already imported"
                )
            except BaseException:
                discard_files(self.store, created)
                raise
            try:
                discard_files(self.store, replaced)  # keeps what a row still uses
                if self._vectors.index_add(
                    [r.id for r in records], [np.asarray(g.vector, np.float32) for g in garments]
                ):
                    self._vectors.told_index(before, after)
            except Exception:
                # Committed: the photo is in the wardrobe, and saying it failed would be
                # untrue. The index, not told, catches up at its next query (its
                # fingerprint moved); a replaced file left over goes at the next start.
                log.exception("import of %s: saved, but tidying up after it failed", path)
        message = analysis.message or ("" if garments else NO_GARMENT)
        return ImportResult(
            path,
            "imported",
            photo_id=photo_id,
            kind=analysis.kind,
            garments=records,
            message=message,
        )

    def import_photo(self, path: Path, kind: KindChoice = "auto") -> ImportResult:
        """Duplicate check, analysis and save of one photo; never raises for a bad file."""
        step = self._analyse_for_import(Path(path), kind)
        if isinstance(step, ImportResult):
            return step
        return self._save_for_import(*step)

    @staticmethod
    def import_failure(path: Path, exc: Exception) -> ImportResult:
        """The failed result of a photo that could not be analysed or saved, in words
        where the storage is the cause (a full disk), with a traceback logged for a bug."""
        if isinstance(exc, ImageLoadError):
            return ImportResult(path, "failed", error=str(exc))
        if isinstance(exc, MemoryError):
            # This photo's arrays are freed with its frames: the next, smaller, can go on.
            log.warning("import of %s failed: out of memory", path)
            return ImportResult(path, "failed", error=f"{path}: out of memory analysing it")
        trouble = storage_trouble(exc)
        if trouble:  # not a bug: no traceback, and words instead of SQL
            log.warning("import of %s failed: %s", path, exc)
            return ImportResult(path, "failed", error=f"{path}: not saved: {trouble}")
        log.error("import of %s failed", path, exc_info=exc)
        first = next(iter(str(exc).splitlines()), "")  # not SQL's lines: they are logged
        said = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        return ImportResult(path, "failed", error=f"{path}: unexpected error: {said} (see the log)")

    def _analyse_for_import(
        self, path: Path, kind: KindChoice
    ) -> tuple[PhotoAnalysis, str] | ImportResult:
        """(analysis, sha256) of a photo to save, or the result when there is nothing to
        save (failed, duplicate)."""
        try:
            sha = _content_hash(path)
            existing = self._photo_by_sha(sha)
            # A photo in which nothing was found is read again when asked for as the other
            # kind (a flat-lay read as worn): it stayed a duplicate, and could never get in.
            read_as = None if existing is None else self._found_nothing_as(existing)
        except Exception as exc:
            # This photo's failure: a locked database in words, a bug with its traceback
            # logged. Raised, a bug here ended the whole batch, the photos after it unread.
            return self.import_failure(path, exc)
        if existing is not None and (read_as is None or kind in ("auto", read_as)):
            return ImportResult(path, "duplicate", photo_id=existing, message="already imported")
        # Models that cannot load (a model folder missing or damaged) are the installation's
        # trouble, not this photo's: the error stops the batch, said once, instead of
        # every photo failing with it after its own attempt to load them.
        _ = self._analyser()
        try:
            return self.analyse(path, kind), sha
        except Exception as exc:
            return self.import_failure(path, exc)

    def _save_for_import(self, analysis: PhotoAnalysis, sha: str) -> ImportResult:
        try:
            return self._save(analysis, analysis.garments, sha)
        except Exception as exc:
            return self.import_failure(Path(analysis.path), exc)

    def import_paths(
        self,
        paths: Sequence[Path],
        kind: KindChoice = "auto",
        progress: Callable[[int, int, Path], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        into: ImportReport | None = None,
    ) -> ImportReport:
        """Import files and folders; bad files are reported and the rest continue. Models
        that cannot load raise (``ModelFolderError``), before the first photo needing them.

        Photo i is saved (PNG encoding, fsync, commit) on a worker thread while photo
        i + 1 is analysed; at most one save is in flight.

        Whatever goes wrong with one photo (it cannot be read, a locked database, a bug
        at any step) is that photo's failed result, its files and rows undone. What stops
        the import raises: the models not loading (noted with the photo it hit, which is
        listed failed) or a stop (Ctrl+C twice); ``into`` (returned otherwise) then holds
        the results of the photos before it, saved.
        """
        left_out: list[Path] = []
        files = expand_paths(self.store.home, paths, left_out=left_out)
        total = len(files)
        report = into if into is not None else ImportReport()
        report.left_out = left_out
        slots: list[ImportResult | Future[ImportResult]] = []
        said = False  # report.results set where it raised
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="wardrobe-save") as saver:
                pending: Future[ImportResult] | None = None
                for i, f in enumerate(files):
                    if is_cancelled is not None and is_cancelled():
                        slots.extend(ImportResult(r, "cancelled") for r in files[i:])
                        break
                    if progress is not None:
                        progress(i, total, f)
                    try:
                        step = self._analyse_for_import(f, kind)
                    except EmbeddingStopped:
                        # A stop (the wardrobe closing, Ctrl+C) during the re-embedding
                        # for a new model, before this photo: not its failure.
                        raise
                    except Exception as exc:
                        # Not a bad photo (that is a failed result, and the batch goes on):
                        # the models not loading, which would hit each photo after it too.
                        # The import stops and it raises; the photos before it were saved
                        # and stay counted.
                        exc.add_note(f"while importing {f}")
                        why = f"{f}: unexpected error: {exc or type(exc).__name__} (see the log)"
                        report.results = [*_settled(slots), ImportResult(f, "failed", error=why)]
                        said = True
                        raise
                    if isinstance(step, ImportResult):
                        slots.append(step)
                        continue
                    if pending is not None:
                        pending.result()
                    pending = saver.submit(self._save_for_import, *step)
                    slots.append(pending)
                else:
                    if pending is not None:
                        pending.result()
                    if progress is not None and files:
                        progress(total, total, files[-1])
        except BaseException:
            # A stop (KeyboardInterrupt): the photos saved before it are still reported
            # (the save in flight was waited for); the one in progress was not reached.
            if not said:
                report.results = _settled(slots)
            raise
        report.results = _settled(slots)
        return report


def _stored_labels(analysis: PhotoAnalysis, garments: list[DetectedGarment]) -> np.ndarray:
    """The photo's label map to store: without the garments left out at review
    (``without``), those of ``analysis`` not in ``garments``. Their masks are not
    stored: nothing else would leave their pixels out of the pages of those kept (one
    of their class beside them drew them as its own), nor out of a kept one's region
    when its category changes."""
    labels = np.asarray(analysis.labels, np.uint8)
    left_out = [g for g in analysis.garments if all(g is not k for k in garments)]
    if not garments or not left_out:  # none kept: no page draws the map
        return labels
    masks = [np.asarray(g.mask, bool) for g in (*garments, *left_out)]
    erased = without(labels, masks[len(garments) :], masks[: len(garments)])
    return labels if erased is None else erased


def _settled(slots: list[ImportResult | Future[ImportResult]]) -> list[ImportResult]:
    """The results of an import's photos, their saves waited for."""
    return [s if isinstance(s, ImportResult) else s.result() for s in slots]


def _content_hash(path: Path) -> str:
    """sha256 of a photo file, or ``ImageLoadError`` naming it (missing, a folder,
    unreadable): the same words whether the import reviews or not."""
    try:
        # is_dir and exists raise where the disk will not say (a folder on the way that
        # may not be searched, a name too long): this photo's trouble, in words.
        if path.is_dir():
            raise ImageLoadError(_folder_trouble(path))
        if path.exists() and not path.is_file():
            raise ImageLoadError(f"{path}: {NOT_A_FILE}")
        if not is_image_path(path):
            # Its header first: a video given or dropped ("clip.mp4", "Trip.ts" on a share
            # the drop could not ask in time) was read whole to hash it, then refused.
            check_image_file(path)
        return sha256_file(path)
    except FileNotFoundError:
        raise ImageLoadError(f"{path}: no such file") from None
    except OSError as exc:
        raise ImageLoadError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _folder_trouble(path: Path) -> str:
    """Why a folder is among the photos to import: one ``expand_paths`` could not list
    (its photos are not imported), or one given where a photo is expected."""
    try:
        os.scandir(path).close()
    except OSError as exc:
        reason = exc.strerror or exc
        return f"{path}: cannot read the folder ({reason}); its photos were not imported"
    return f"{path}: is a folder, not a photo"


def _put_photo(files: FileStore, path: Path, sha: str, suffix: str) -> tuple[str, bool]:
    """``files.put_file`` of the photo being imported, or ``ImageLoadError`` naming it
    where it changed or went since it was hashed and analysed: that photo's trouble,
    reported as such, not a program error with a traceback."""
    try:
        return files.put_file(path, sha, suffix)
    except SourceChangedError:
        raise ImageLoadError(
            f"{path}: changed while it was being imported (still being written?); import it again"
        ) from None
    except OSError as exc:
        if exc.filename != str(path):  # the wardrobe's own folder: not the photo's fault
            raise
        raise ImageLoadError(
            f"{path}: could not be read again to store it ({exc.strerror or exc}); "
            "moved or removed while it was being imported?"
        ) from None
