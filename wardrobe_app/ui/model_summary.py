"""The loaded models in words for the status bar: each model's own name from its
config.json and what kind of network it is, with the folders in the tooltip.

The folder names ("segmenter", "embedder") say nothing about which model is in them,
and "(ensemble)" says little to someone who is not a machine-learning person.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What the config's encoder keys stand for.
ENCODER_WORDS = {f"lite{i}": f"EfficientNet-Lite{i}" for i in range(5)}


@dataclass(frozen=True)
class ModelSummary:
    text: str  # one short line for the status bar
    tooltip: str  # the details and the folders, rich text


def network_words(architecture: str, encoder: str) -> str:
    """One network, e.g. "a U-Net on an EfficientNet-Lite0 encoder"."""
    if architecture == "lite-unet":
        return f"a U-Net on an {ENCODER_WORDS.get(encoder, encoder)} encoder"
    if architecture == "unet":
        return "a U-Net"
    return f"a {architecture} network"


def segmenter_words(config: Any) -> tuple[str, str]:
    """(short, long) words for a segmenter's ModelConfig: what finds the garments."""
    architecture = str(getattr(config, "architecture", ""))
    members: Sequence[Mapping[str, Any]] = list(getattr(config, "members", []) or [])
    if architecture != "ensemble" or not members:
        return "1 network", network_words(architecture, str(getattr(config, "encoder", "")))
    nets = [network_words(*kind) for kind in _member_kinds(config, members)]
    listed = ", ".join(nets[:-1]) + f" and {nets[-1]}"
    if float(getattr(config, "consult_above", 0.0) or 0.0) > 0:
        long = (
            f"{len(nets)} networks: {listed}; "
            f"{'the second looks' if len(nets) == 2 else 'the others look'} again only "
            "where the first is unsure"
        )
    else:
        long = f"{len(nets)} networks whose answers are averaged: {listed}"
    return f"{len(nets)} networks", long


def _member_kinds(config: Any, members: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(architecture, encoder) of each member: a ModelConfig's own, with the defaults of
    keys a member leaves out (read from the dicts, those said "an None encoder")."""
    if callable(getattr(config, "member_configs", None)):
        return [(m.architecture, m.encoder) for m in config.member_configs()]
    return [(str(m.get("architecture")), str(m.get("encoder"))) for m in members]


def embedder_words(config: Any) -> str:
    """What the similar-items model does, from its EmbedderConfig."""
    dim = getattr(config, "dim", None)
    learnt = f"{dim} learnt numbers" if dim else "learnt numbers"
    backbone = str((getattr(config, "training", {}) or {}).get("backbone", ""))
    based = ""
    for key, words in ENCODER_WORDS.items():
        if words in backbone or key in backbone.lower().replace("-", ""):
            based = f", on {words} features"
            break
    return f"describes each cut-out by {learnt} and its colours{based}"


def _folder(model: Any) -> str:
    folder = getattr(model, "model_dir", None)
    return str(Path(folder).resolve()) if folder is not None else "?"


def summarise(analyser: Any) -> ModelSummary:
    """Words for a loaded analyser. One without its models' configs at hand (a test's
    fake, another implementation) keeps its own ``describe()``."""
    segmenter = getattr(analyser, "segmenter", None)
    embedder = getattr(analyser, "embedder", None)
    seg_config = getattr(segmenter, "config", None)
    if seg_config is None:
        text = str(analyser.describe())
        return ModelSummary(text, html.escape(text))
    device = str(getattr(analyser, "device", "cpu")).upper()
    name = str(getattr(seg_config, "name", "") or "unnamed")
    short, long = segmenter_words(seg_config)
    text = f"{name} (garment finder, {short}) on {device}"
    lines = [
        f"<b>Finds the garments:</b> {html.escape(name)}",
        html.escape(long[0].upper() + long[1:]),
        f"Folder: {html.escape(_folder(segmenter))}",
    ]
    emb_config = getattr(embedder, "config", None)
    if emb_config is not None:
        version = str(getattr(emb_config, "version", "") or "unnamed")
        words = embedder_words(emb_config)
        lines += [
            "",
            f"<b>Finds similar items:</b> {html.escape(version)}",
            html.escape(words[0].upper() + words[1:]),
            f"Folder: {html.escape(_folder(embedder))}",
        ]
    lines += ["", f"Runs on: {device}"]
    return ModelSummary(text, "<br>".join(lines))
