"""Similar items: the garments nearest a stored garment, or a photo's garments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import Garment, Store
from ..store.read_only import ReadOnlyWardrobe
from ..types import CATEGORIES, Analyser, PhotoAnalysis, SimilarHit, SimilarItems
from .records import garment_records
from .vectors import Vectors

if TYPE_CHECKING:
    from ..search import SimilarIndex

# The lowest similarity (cosine of garment vectors) worth showing a person as "similar"
# (the GUI's strips; the CLI and the API list the k nearest unless asked). On 300 item
# photos of held-out senders (`python tests/benchmarks/similarity_floor.py`), pairs of
# the same label score a median 0.53, pairs of different labels -0.00 (95th percentile
# 0.38); 0.2 keeps 70% of the first and 13% of the second. Below it, "0%" matches.
SIMILAR_FLOOR = 0.2
# Where none of a garment's nearest passes the floor, a person is shown this many of them,
# nearest first, under a heading that says they are less alike (``closest_shown``): in a
# wardrobe of 20 random item photos (17 garments, 13 tops) 4 garments showed "Nothing
# similar", each the only one of its label there (a hoodie among longsleeves and coats),
# which read as broken (`python tests/benchmarks/similar_on_small_wardrobes.py`).
CLOSEST_SHOWN = 3


def closest_shown(items: SimilarItems) -> list[SimilarHit]:
    """The less-alike garments a person is shown: the nearest few, and only where none
    is alike (the main list keeps the floor's meaning)."""
    return [] if items.alike else items.less_alike[:CLOSEST_SHOWN]


class OtherModelsVectors(ReadOnlyWardrobe):
    """A photo to compare with a read-only wardrobe whose garments' vectors come from
    another version of the similar-items model than the one installed: they cannot be
    made again there, and scores across two models' spaces mean nothing. The message
    says so, and what to do, in words."""


class Similar:
    """Similar-item queries on one wardrobe's index.

    ``analyser`` gives the wardrobe's analyser, loaded and its vectors brought in step
    (re-embedding stale ones); ``analyser_synced`` says whether that has happened.
    """

    def __init__(
        self,
        store: Store,
        vectors: Vectors,
        analyser: Callable[[], Analyser],
        analyser_synced: Callable[[], bool],
    ) -> None:
        self.store = store
        self._vectors = vectors
        self._analyser = analyser
        self._analyser_synced = analyser_synced

    def _finish_mixed_embedding(self) -> None:
        """Re-embed now if live garments hold vectors of two embedders (a reindex stopped
        part-way): the index holds one embedder's, and a query vector of the other
        would be compared across spaces."""
        if not self._analyser_synced() and self._vectors.mixed_vectors():
            self._analyser()  # loading it re-embeds the others first

    def _current_index(self) -> SimilarIndex | None:
        """The index for a query, caught up with other processes' changes."""
        self._finish_mixed_embedding()
        return self._vectors.current_index()

    def _category_ids(self, s: Session) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {c: set() for c in CATEGORIES}
        for gid, cat in s.execute(
            select(Garment.id, Garment.category).where(Garment.deleted_at.is_(None))
        ):
            out.setdefault(cat, set()).add(gid)
        return out

    def _hits(
        self, s: Session, pairs: list[tuple[int, float]], min_score: float | None = None
    ) -> list[SimilarHit]:
        if min_score is not None:
            pairs = [(i, score) for i, score in pairs if score >= min_score]
        if not pairs:
            return []
        found = garment_records(s, self.store.files.abspath, [i for i, _ in pairs])
        records = {r.id: r for r in found}
        return [SimilarHit(records[i], float(score)) for i, score in pairs if i in records]

    def similar(
        self,
        garment_id: int,
        k: int = 10,
        same_category: bool = True,
        min_score: float | None = None,
    ) -> list[SimilarHit]:
        return self.similar_many([garment_id], k, same_category, min_score)[int(garment_id)]

    def similar_many(
        self,
        ids: Sequence[int],
        k: int = 10,
        same_category: bool = True,
        min_score: float | None = None,
    ) -> dict[int, list[SimilarHit]]:
        """Similar garments for each id (KeyError for an unknown or deleted id): the ``k``
        nearest, less those scoring under ``min_score`` (``SIMILAR_FLOOR`` for people)."""
        wanted = [int(i) for i in ids]
        with self.store.session() as s:
            rows = {
                row.id: row
                for row in s.scalars(
                    select(Garment).where(Garment.id.in_(wanted), Garment.deleted_at.is_(None))
                )
            }
        unknown = [i for i in wanted if i not in rows]
        if unknown:
            raise KeyError(f"no garment {', '.join(map(str, unknown))}")
        version = self._vectors.version
        self._finish_mixed_embedding()  # may re-embed the rows just read
        if self._vectors.version != version or any(
            row.vector is None or row.vector_version != self._vectors.version
            for row in rows.values()
        ):
            self._analyser()  # loading it re-embeds stale vectors
            with self.store.session() as s:
                rows = {
                    row.id: row for row in s.scalars(select(Garment).where(Garment.id.in_(wanted)))
                }
        out: dict[int, list[SimilarHit]] = {}
        with self.store.session() as s:
            groups = self._category_ids(s) if same_category else None
            index = self._current_index()
            for gid in wanted:
                row = rows[gid]
                vec = row.vector_array()
                # Another model's vector (a read-only wardrobe keeps it): not comparable.
                if index is None or vec is None or row.vector_version != self._vectors.version:
                    out[gid] = []
                    continue
                allowed = groups.get(row.category, set()) if groups is not None else None
                pairs = index.query(vec, k, exclude=(gid,), allowed=allowed)
                out[gid] = self._hits(s, pairs, min_score)
        return out

    def similar_items_many(
        self,
        ids: Sequence[int],
        k: int = 10,
        same_category: bool = True,
        floor: float = SIMILAR_FLOOR,
    ) -> dict[int, SimilarItems]:
        """The ``k`` nearest of each id (as ``similar_many``, KeyError alike), split at
        ``floor``: the GUI shows the alike ones, or else ``closest_shown``; the CLI lists
        both, marked."""
        found = self.similar_many(ids, k, same_category)
        return {
            gid: SimilarItems(
                [h for h in hits if h.score >= floor], [h for h in hits if h.score < floor]
            )
            for gid, hits in found.items()
        }

    def check_comparable(self) -> None:
        """Raise OtherModelsVectors where a photo's vectors (the installed model's) would
        be compared with stored ones of another model: a read-only wardrobe keeps those
        (``Vectors.sync_embedder``), and the scores would look like any others."""
        if not self.store.read_only or self._vectors.version is None:
            return  # in step once the analyser loads: not loaded here (a bad file first)
        installed = self._analyser().embedder_version
        stored = self._vectors.version  # once loaded: the installed one's, where held
        if stored != installed:
            raise OtherModelsVectors(
                f"The garments in {self.store.home} were described by another version of "
                f"the similar-items model ({stored}) than the one installed ({installed}), "
                "and the wardrobe is read-only, so they cannot be described again: a photo "
                "cannot be compared with them. Copy its folder to one you can write to and "
                "open the copy."
            )

    def models_held(self) -> list[int]:
        """How many live garments hold each similar-items model's vectors, most first
        (two or more: a reindex stopped part-way), without the models; [] for a
        writable wardrobe (its garments are described again)."""
        return self._vectors.version_counts() if self.store.read_only else []

    def not_compared(self) -> list[int]:
        """Ids of the live garments that similar items leave out, in a read-only wardrobe
        whose garments hold vectors of another similar-items model than those compared
        (a reindex stopped part-way), or none: they cannot be described again there.
        [] for a writable wardrobe (its garments are described again)."""
        if not self.store.read_only:
            return []
        self._finish_mixed_embedding()  # which model's are compared: chosen once loaded
        return self._vectors.not_compared()

    def similar_to_analysis(
        self, analysis: PhotoAnalysis, k: int = 10, min_score: float | None = None
    ) -> list[list[SimilarHit]]:
        """Similar garments for each garment of a photo analysed, not imported (same
        category, ``min_score`` as in ``similar_many``). Raises OtherModelsVectors (see
        ``check_comparable``)."""
        self.check_comparable()
        results: list[list[SimilarHit]] = []
        with self.store.session() as s:
            groups = self._category_ids(s)
            index = self._current_index()
            for g in analysis.garments:
                if index is None or g.vector is None:
                    results.append([])
                    continue
                pairs = index.query(
                    np.asarray(g.vector, np.float32), k, allowed=groups.get(g.category, set())
                )
                results.append(self._hits(s, pairs, min_score))
        return results
