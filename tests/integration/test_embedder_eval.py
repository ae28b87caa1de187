"""The embedder's evaluation-only entry point measures the vectors the app makes."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from wardrobe_app import paths
from wardrobe_app.training import embedder_train, mask_cache
from wardrobe_app.training.clothing import ClothingItem, read_items, sender_split
from wardrobe_app.training.embedder_eval import evaluate_folder, main
from wardrobe_app.training.embedder_train import _load_small, precision_at_k
from wardrobe_app.vision.embedder import Embedder
from wardrobe_app.vision.grabcut import item_foreground

CLOTHING = paths.SHARED_DATA_DIR / "clothing"


def _few_photos(tmp_path: Path, val: int = 0) -> Path:
    """A clothing folder of 12 test-sender photos (10 garments of shared labels, for
    P@10, and 2 shoes, for the gate), 2 garments of train senders, which the evaluation
    must leave out, and ``val`` of val senders (the training's colour weight and gate)."""
    if not CLOTHING.exists():
        pytest.skip("../shared/data/clothing not present")
    items = read_items(CLOTHING)

    def garments(split: str) -> list[ClothingItem]:
        return [i for i in items if sender_split(i.sender) == split and i.garment != "other"]

    test = [i for i in items if sender_split(i.sender) == "test"]
    others = garments("train")[:2] + garments("val")[:val]
    test = [i for i in test if i.label in ("T-Shirt", "Pants", "Shirt")][:10] + [
        i for i in test if i.label == "Shoes"
    ][:2]
    root = tmp_path / "clothing"
    (root / "images").mkdir(parents=True)
    with (root / "items.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["image", "label", "garment", "kids", "sender_id"])
        for item in test + others:
            writer.writerow([item.image, item.label, item.garment, item.kids, item.sender])
            (root / "images" / f"{item.image}.jpg").symlink_to(item.path(CLOTHING))
    return root


@pytest.mark.data
def test_the_evaluation_scores_the_shipped_vectors_of_test_senders_only(
    tmp_path: Path, tiny_ccp: Path
) -> None:
    root = _few_photos(tmp_path)
    figures = evaluate_folder(paths.DEFAULT_EMBEDDER, root, tiny_ccp, tmp_path / "cache")

    assert figures["test_photos"] == 12  # the train senders' 2 left out
    assert figures["ccp_val_garments"] == 3  # a dress; a t-shirt and jeans
    # The app's own vectors of today's masks rank the photos as the evaluation did.
    embedder = Embedder(paths.DEFAULT_EMBEDDER, device="cpu")
    items = [i for i in read_items(root) if sender_split(i.sender) == "test"]
    photos = [_load_small(i.path(root)) for i in items]
    vectors = embedder.embed([(rgb, item_foreground(rgb)) for rgb in photos])
    labels = np.array([i.label for i in items])
    expected = precision_at_k(vectors, labels, np.ones(len(items), bool))
    assert figures["test_p10_ours_cached_features"] == round(expected, 4)
    assert figures["flip_average"] is embedder.config.flip_average
    assert figures["garment_threshold"] == round(embedder.config.garment_threshold, 4)
    for name in ("test_category_accuracy_top_bottom_onepiece", "test_garment_photos_passed"):
        assert 0.0 <= figures[name] <= 1.0


@pytest.mark.data
def test_the_evaluation_command_writes_its_figures(
    tmp_path: Path, tiny_ccp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _few_photos(tmp_path)
    out = tmp_path / "figures.json"
    main(
        [
            *("--clothing", str(root), "--ccp", str(tiny_ccp)),
            *("--cache", str(tmp_path / "cache"), "--json", str(out), "--no-flip"),
        ]
    )
    assert '"flip_average": false' in out.read_text(encoding="utf-8")
    assert list((tmp_path / "cache").glob("clothing_test_plain_*.npz"))
    assert "done in" in capsys.readouterr().out


@pytest.mark.data
def test_features_cached_with_other_masks_are_not_read(
    tmp_path: Path, tiny_ccp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The figures were of masks replaced since: a cache must not keep them so.
    root, cache = _few_photos(tmp_path), tmp_path / "cache"
    cut: list[int] = []

    def counted(rgb: np.ndarray) -> np.ndarray:
        cut.append(1)
        return item_foreground(rgb)

    monkeypatch.setattr(embedder_train, "item_foreground", counted)
    evaluate_folder(paths.DEFAULT_EMBEDDER, root, tiny_ccp, cache, flip=False)
    assert len(cut) == 12
    evaluate_folder(paths.DEFAULT_EMBEDDER, root, tiny_ccp, cache, flip=False)
    assert len(cut) == 12  # the same masks: read from the cache
    monkeypatch.setattr(mask_cache, "mask_code", lambda: "changed")
    figures = evaluate_folder(paths.DEFAULT_EMBEDDER, root, tiny_ccp, cache, flip=False)
    assert len(cut) == 24
    assert figures["mask_code"] == "changed"


def _training(tmp_path: Path, tiny_ccp: Path) -> tuple[list[str], list[str]]:
    """``embedder_train``'s options for a one-epoch run on 16 photos (12 test, 2 train,
    2 val senders) and the tiny CCP folder: those of its folders, and the whole run's."""
    root, cache = _few_photos(tmp_path, val=2), tmp_path / "cache"
    folders = ["--clothing", str(root), "--cache", str(cache), "--out", str(tmp_path / "emb")]
    tiny = ["--epochs", "1", "--dim", "8", "--hidden", "16"]
    return folders, [*folders, "--ccp", str(tiny_ccp), *tiny]


@pytest.mark.data
def test_a_gate_fitted_to_a_trained_folder_leaves_its_vectors_as_they_were(
    tmp_path: Path, tiny_ccp: Path
) -> None:
    # --gate-only saved the Embedder's backbone, its batch norms folded into its
    # convolutions: the folder no Embedder could load again ("does not match").
    folders, train = _training(tmp_path, tiny_ccp)
    embedder_train.main(train)
    out = tmp_path / "emb"
    photos = [_load_small(p) for p in sorted((tmp_path / "clothing" / "images").iterdir())[:3]]
    items = [(rgb, item_foreground(rgb)) for rgb in photos]
    before = Embedder(out, device="cpu").embed(items)
    embedder_train.main([*folders, "--gate-only"])
    np.testing.assert_allclose(Embedder(out, device="cpu").embed(items), before, atol=1e-6)


@pytest.mark.data
def test_the_training_reads_no_features_cached_with_other_masks(
    tmp_path: Path, tiny_ccp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The training and --gate-only read runs/cache/clothing_features.npz whatever masks
    # it was made with: heads and a gate fitted to masks replaced since, unseen.
    folders, train = _training(tmp_path, tiny_ccp)
    cut: list[int] = []

    def counted(rgb: np.ndarray) -> np.ndarray:
        cut.append(1)
        return item_foreground(rgb)

    monkeypatch.setattr(embedder_train, "item_foreground", counted)
    embedder_train.main(train)
    assert len(cut) == 16  # every photo, once
    embedder_train.main([*folders, "--gate-only"])
    assert len(cut) == 16  # the same masks: the training's cache read
    monkeypatch.setattr(mask_cache, "mask_code", lambda: "changed")
    embedder_train.main([*folders, "--gate-only"])
    assert len(cut) == 32  # other masks: cut again
    embedder_train.main(train)
    assert len(cut) == 32  # and the training reads the features of those
