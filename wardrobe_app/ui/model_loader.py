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
        with self._lock:
            if self._real is None:
                self._real = self._factory(self.requested_device)
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
