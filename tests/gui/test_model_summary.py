"""The status bar names the models by their own names from config.json, in words, with
their folders in the tooltip (it said "lite0-lite2-cascade-ccp (ensemble) on CPU")."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from fakes import FakeAnalyser
from PySide6.QtWidgets import QLabel, QWidget

from wardrobe_app import paths
from wardrobe_app.ui.model_summary import segmenter_words, summarise


class ModelsAnalyser(FakeAnalyser):
    """The fake analyser carrying the shipped models' configs and folders, as the real
    pipeline does (``segmenter.config``, ``embedder.model_dir``...)."""

    def __init__(self) -> None:
        super().__init__()
        from wardrobe_app.vision.embedder import read_embedder_config
        from wardrobe_app.vision.model_folder import ModelConfig

        seg_dir, emb_dir = paths.DEFAULT_SEGMENTER, paths.DEFAULT_EMBEDDER
        config = ModelConfig.from_dict(json.loads((seg_dir / "config.json").read_text()))
        self.segmenter = SimpleNamespace(config=config, model_dir=seg_dir)
        self.embedder = SimpleNamespace(config=read_embedder_config(emb_dir), model_dir=emb_dir)
        self.device = "cpu"


def shipped(folder: Path) -> dict[str, object]:
    if not (folder / "config.json").exists():
        pytest.skip(f"no model in {folder}")
    return dict(json.loads((folder / "config.json").read_text()))


def test_status_bar_says_the_models_names_and_kinds_with_folders(make_app, qtbot):
    seg, emb = shipped(paths.DEFAULT_SEGMENTER), shipped(paths.DEFAULT_EMBEDDER)
    parts = make_app(analyser=ModelsAnalyser())
    qtbot.waitUntil(lambda: parts.session.model_loaded, timeout=5000)
    label = parts.window.model_label
    assert str(seg["name"]) in label.text()
    assert "garment finder" in label.text() and "on CPU" in label.text()
    assert f"({seg['architecture']})" not in label.text()  # the config's jargon
    tip = label.toolTip()
    assert str(paths.DEFAULT_SEGMENTER.resolve()) in tip
    assert str(paths.DEFAULT_EMBEDDER.resolve()) in tip
    assert str(emb["version"]) in tip
    assert "EfficientNet-Lite0" in tip


def _message_room(bar) -> int:
    """Where the status bar's message ends: at the first permanent widget shown."""
    shown = [w for w in bar.findChildren(QWidget) if w.parent() is bar and w.isVisible()]
    return min((w.x() for w in shown if w.x() > 0), default=bar.width())


def test_a_long_message_or_the_progress_is_not_cut_by_the_models_words(make_app, qtbot):
    # At 800 px the models' words left about 250 px: an import's summary ran into them,
    # cut mid-word. They step aside while such a message, or the import's progress,
    # shows, and come back.
    shipped(paths.DEFAULT_SEGMENTER)
    parts = make_app(analyser=ModelsAnalyser())
    qtbot.waitUntil(lambda: parts.session.model_loaded, timeout=5000)
    w = parts.window
    w.resize(800, 600)
    qtbot.waitUntil(lambda: w.width() == 800, timeout=2000)
    bar, label = w.statusBar(), w.model_label
    short, long = "Ready", "Imported 3 photos with 6 garments; 1 duplicate; 0 failed."
    bar.showMessage(short)
    assert label.isVisible()
    bar.showMessage(long)
    qtbot.waitUntil(lambda: bar.fontMetrics().horizontalAdvance(long) < _message_room(bar))
    assert not label.isVisible()
    w.resize(1360, 600)  # room enough beside them: back while the message shows
    qtbot.waitUntil(label.isVisible, timeout=2000)
    w.resize(800, 600)
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=2000)
    bar.clearMessage()
    assert label.isVisible()

    # An import's progress beside them squeezed out the dot before the count.
    w.progress.begin("Analysing 1 of 8: 0101.jpg")
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=2000)
    qtbot.waitUntil(lambda: w.progress.geometry().right() < w.count_label.x(), timeout=2000)
    w.progress.end()
    qtbot.waitUntil(label.isVisible, timeout=2000)


def test_one_network_and_an_average_are_told_apart() -> None:
    one = SimpleNamespace(architecture="lite-unet", encoder="lite2", members=[])
    assert segmenter_words(one) == ("1 network", "a U-Net on an EfficientNet-Lite2 encoder")
    members = [{"architecture": "lite-unet", "encoder": "lite0"}, {"architecture": "unet"}]
    averaged = SimpleNamespace(architecture="ensemble", members=members, consult_above=0.0)
    short, long = segmenter_words(averaged)
    assert short == "2 networks"
    assert "averaged" in long and "EfficientNet-Lite0" in long and "a U-Net" in long
    cascade = SimpleNamespace(architecture="ensemble", members=members, consult_above=0.1)
    assert "only where the first is unsure" in segmenter_words(cascade)[1]


def test_an_analyser_without_configs_keeps_its_own_words() -> None:
    summary = summarise(FakeAnalyser())
    assert summary.text == FakeAnalyser().describe()


def test_ensemble_members_that_leave_keys_out_are_named_by_their_defaults() -> None:
    from wardrobe_app.vision.model_folder import ModelConfig

    members = [{"architecture": "lite-unet"}, {"encoder": "lite2"}]
    config = ModelConfig.from_dict({"architecture": "ensemble", "members": members})
    long = segmenter_words(config)[1]
    assert "None" not in long
    assert long.endswith(
        "a U-Net on an EfficientNet-Lite0 encoder and a U-Net on an EfficientNet-Lite2 encoder"
    )


def test_a_long_load_error_is_cut_with_an_ellipsis_whole_in_the_tooltip(make_app, qtbot):
    # A torch error of ~230 characters made the label's least width its whole text
    # (1616 px): the window could not be narrower, and the text was cut off unmarked.
    from wardrobe_app.ui.model_loader import LazyAnalyser

    why = "Error(s) in loading state_dict for LiteUNet: " + ", ".join(
        f"size mismatch for decoder.{i}.weight" for i in range(6)
    )
    assert len(why) > 200

    def broken(device: str):
        raise RuntimeError(why)

    parts = make_app(analyser=LazyAnalyser("cpu", factory=broken))
    qtbot.waitUntil(lambda: parts.session.model_error is not None, timeout=5000)
    w, label = parts.window, parts.window.model_label
    w.resize(900, 600)
    qtbot.waitUntil(lambda: w.width() == 900, timeout=2000)
    assert label.text() == f"Model failed to load: {why}"  # the whole text
    assert w.minimumSizeHint().width() < 900
    assert label.isVisible() and label.geometry().right() <= w.statusBar().width()
    shown = QLabel.text(label)  # the words on screen
    assert shown.endswith("…") and shown[:-1] in label.text()
    assert why in label.toolTip()
