"""The vision pipeline, loaded once on first use with the device chosen in the settings.

The GUI hands a :class:`LazyAnalyser` to the service and calls ``load()`` in a worker on
the model queue at start-up, so the window opens at once and the first import simply
waits for the load. torch is imported here, never at GUI start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import cast

import numpy as np

from ..types import Analyser, DetectedGarment, KindChoice, PhotoAnalysis


class ModelLoadError(RuntimeError):
    """The models could not load (a model folder missing, a broken weights file): the
    installation's trouble, not the photo's nor the wardrobe's. Its message is the
    original error's, which it is raised from."""


def not_loaded(why: str) -> str:
    """The words for models that could not load, and why: where an import, a photo
    compared or similar items needed them."""
    return f"The models could not load: {why}"


def default_factory(device: str) -> Analyser:
    from ..vision.pipeline import PhotoAnalyser  # heavy: torch, the models

    return cast(Analyser, PhotoAnalyser.default(device=device))


class LazyAnalyser:
    """An :class:`Analyser` that builds the real one on first use (thread-safe)."""

    def __init__(
        self, device: str = "auto", factory: Callable[[str], Analyser] = default_factory
    ) -> None:
        self.requested_device = device
        self._factory = factory
        self._lock = threading.Lock()
        self._real: Analyser | None = None

    def load(self) -> Analyser:
        """The analyser, built on the first call; ModelLoadError where it cannot be (tried
        again on the next call: the folder may have been put right)."""
        with self._lock:
            if self._real is None:
                try:
                    self._real = self._factory(self.requested_device)
                except Exception as exc:
                    # Told apart from a photo's or the wardrobe's trouble where it surfaces
                    # (comparing a photo, finding similar items).
                    raise ModelLoadError(str(exc) or type(exc).__name__) from exc
            return self._real

    def is_loaded(self) -> bool:
        return self._real is not None

    @property
    def embedder_version(self) -> str:
        return self.load().embedder_version

    @property
    def dim(self) -> int:
        return self.load().dim

    @property
    def device(self) -> str:
        return self.load().device

    def analyse(self, path: Path, kind: KindChoice = "auto") -> PhotoAnalysis:
        return self.load().analyse(path, kind)

    def embed_cutouts(self, cutouts: list[np.ndarray]) -> np.ndarray:
        return self.load().embed_cutouts(cutouts)

    def fill_vectors(self, garments: list[DetectedGarment]) -> None:
        self.load().fill_vectors(garments)

    def describe(self) -> str:
        return self.load().describe()


def detect_devices() -> list[str]:
    """What torch can run on here, e.g. ["CPU", "CUDA 0: NVIDIA H100 (80 GB)"].

    Slow (imports torch): call it in a worker."""
    found = ["CPU"]
    try:
        import torch
    except Exception as exc:  # torch missing or broken: say so
        return [f"CPU (torch unavailable: {exc})"]
    try:
        if torch.cuda.is_available():
            for i in range(torch.cuda.device_count()):
                props = torch.cuda.get_device_properties(i)
                found.append(f"CUDA {i}: {props.name} ({props.total_memory / 2**30:.0f} GB)")
    except Exception as exc:
        found.append(f"CUDA check failed: {exc}")
    return found
