"""Exact cosine helpers shared by the Annoy path and the brute-force paths.

Every score the index returns comes from :func:`cosine_scores`, so the approximate and
exact paths rank identically whenever they see the same candidates.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np

EMPTY_IDS = np.zeros(0, dtype=np.int64)


def normalise(vectors: np.ndarray, dim: int) -> np.ndarray:
    """Rows scaled to unit length as a fresh C-contiguous float32 array (zero rows stay zero).

    Accepts one vector ``(dim,)`` or a batch ``(n, dim)``; returns the same rank.
    """
    arr = np.array(vectors, dtype=np.float32, copy=True, order="C")
    if arr.ndim not in (1, 2) or arr.shape[-1] != dim:
        raise ValueError(f"expected vectors of dimension {dim}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("vectors contain NaN or infinity")
    norms = np.linalg.norm(arr, axis=-1, keepdims=True)
    # Zero vectors would divide by zero; they score 0 against everything instead.
    np.divide(arr, norms, out=arr, where=norms > 0)
    return arr


def as_ids(ids: Iterable[int] | np.ndarray) -> np.ndarray:
    """Ids as a 1-D int64 array."""
    if isinstance(ids, np.ndarray):
        arr = ids.astype(np.int64, copy=False).reshape(-1)
    else:
        arr = np.fromiter((int(i) for i in ids), dtype=np.int64)
    return arr


def id_array(ids: Collection[int]) -> np.ndarray:
    """A collection of ids (set, list, array, ...) as an int64 array for ``np.isin``."""
    if isinstance(ids, np.ndarray):
        return ids.astype(np.int64, copy=False).reshape(-1)
    return np.fromiter(ids, dtype=np.int64, count=len(ids))


IdSet = set[int] | frozenset[int] | np.ndarray


def outside(ids: np.ndarray, skip: np.ndarray) -> np.ndarray:
    """Which ``ids`` are not in ``skip`` (usually empty or one id: skip np.isin then)."""
    if skip.size == 0:
        return np.ones(ids.shape, dtype=bool)
    if skip.size == 1:
        return ids != skip[0]
    return ~np.isin(ids, skip)


def contains(ids: IdSet, candidates: np.ndarray) -> np.ndarray:
    """Which ``candidates`` are in ``ids``: O(len(candidates)) for a set."""
    if isinstance(ids, np.ndarray):
        return np.isin(candidates, ids)
    return np.fromiter((c in ids for c in candidates.tolist()), dtype=bool, count=candidates.size)


def cosine_scores(rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine of each unit row against the unit query, as float32.

    einsum rather than ``rows @ query``: OpenBLAS runs even small matrix-vector products
    on all its threads, and on a busy machine (an embedding or training job running) its
    spinning threads made a 3000-row product take ~10 ms instead of ~0.1 ms.
    """
    if rows.shape[0] == 0:
        return np.zeros(0, dtype=np.float32)
    return np.einsum("ij,j->i", rows, query, dtype=np.float32)


def best(ids: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` best (id, score) pairs: highest score first, ties broken by smaller id."""
    if k <= 0 or ids.size == 0:
        return []
    if ids.size > k:
        # argpartition keeps it O(n); widen to every tie at the cut so the order is stable.
        cut = np.partition(scores, ids.size - k)[ids.size - k]
        keep = scores >= cut
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:k]
    return [(int(ids[i]), float(scores[i])) for i in order]


def merge(parts: Iterable[list[tuple[int, float]]], k: int) -> list[tuple[int, float]]:
    """Merge ranked lists (ids are disjoint) into the ``k`` best, in :func:`best`'s order."""
    pairs = [p for part in parts for p in part]
    pairs.sort(key=lambda p: (-p[1], p[0]))
    return pairs[:k]
