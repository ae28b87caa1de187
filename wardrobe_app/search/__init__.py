"""Similar-garment search: an Annoy index over unit embedding vectors (no Qt).

See :class:`SimilarIndex`; files live in ``paths.index_dir()``.
"""

from .index import SimilarIndex
from .storage import IndexFileError

__all__ = ["IndexFileError", "SimilarIndex"]
