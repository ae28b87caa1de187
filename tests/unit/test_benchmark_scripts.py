"""The benchmark scripts (not collected: run by hand) still reach what they measure."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_the_touch_up_benchmark_times_each_step_of_a_touch_up(
    wardrobe: object, photos: Callable[..., list[Path]], monkeypatch
) -> None:
    # It patched the steps on the Wardrobe, which became a facade over services/: the
    # steps went to TouchUp, Vectors and Browse, and the script stopped at the first one.
    # Importing the script changes sys.path and QT_QPA_PLATFORM: undone after the test.
    monkeypatch.setattr(sys, "path", [str(BENCHMARKS), *sys.path])
    monkeypatch.setenv("QT_QPA_PLATFORM", os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    monkeypatch.delitem(sys.modules, "backup_speed", raising=False)
    import backup_speed

    from wardrobe_app.service import Wardrobe

    assert isinstance(wardrobe, Wardrobe)
    (imported,) = wardrobe.import_paths(photos(1)).results
    garment_id = imported.garments[0].id
    _median, steps = backup_speed.touch_up_ms(wardrobe, garment_id, repeats=1)
    assert {
        "garment_picture",
        "_labels_after_touch_up",
        "_discard_files",
        "_index_add",
        "garment",
        "put_png",
        "garment_of_mask",
    } <= set(steps)


def test_the_item_review_counts_an_outwear_photo_typed_outerwear_as_right(monkeypatch) -> None:
    # The app shows the label "Outwear" as "Outerwear": compared as spelt, the review's
    # "type right" left out every coat (64 of the sample's 118 garments, not 72).
    monkeypatch.setattr(sys, "path", [str(BENCHMARKS), *sys.path])
    monkeypatch.delitem(sys.modules, "item_review", raising=False)
    import item_review

    def record(label: str, fine: str) -> dict[str, object]:
        return {"label": label, "garments": [{"fine": fine}]}

    assert item_review.type_right(record("Outwear", "Outerwear"))
    assert item_review.type_right(record("Skirt", "Skirt"))
    assert not item_review.type_right(record("Outwear", "Blazer"))


def test_the_dim_white_benchmark_cuts_garments_as_the_item_path_does(
    monkeypatch, capsys, tmp_path: Path
) -> None:
    # It cut with item_foreground, which gives a flat frame its centre; the app's item
    # path (find_item) files nothing there. Such photos are skipped and counted.
    import numpy as np

    monkeypatch.setattr(sys, "path", [str(BENCHMARKS), *sys.path])
    monkeypatch.delitem(sys.modules, "dim_white_names", raising=False)
    import dim_white_names

    flat = np.full((240, 180, 3), 128, np.uint8)
    shirt = np.full((240, 180, 3), 235, np.uint8)
    shirt[50:190, 40:140] = (200, 30, 40)
    photos = {"flat": flat, "shirt": shirt}

    class Item:
        def __init__(self, image: str) -> None:
            self.image, self.label, self.sender, self.garment = image, "Shirt", "s", "shirt"

        def path(self, _root: Path) -> str:
            return self.image

    monkeypatch.setattr(dim_white_names, "read_items", lambda _root: [Item(p) for p in photos])
    monkeypatch.setattr(dim_white_names, "sender_split", lambda _sender: "val")
    monkeypatch.setattr(dim_white_names, "load_image", lambda name, fit: photos[name])
    monkeypatch.setattr(dim_white_names.item_review, "_order", lambda item: item.image)
    argv = ["dim_white_names.py", "--split", "val", "--out", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", argv)
    dim_white_names.main()
    assert "1 garments of 2 photos (1 with nothing standing out)" in capsys.readouterr().out


def test_the_staleness_benchmark_times_the_check_of_this_tree(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "path", [str(BENCHMARKS), *sys.path])
    monkeypatch.delitem(sys.modules, "staleness_check", raising=False)
    import staleness_check

    got = staleness_check.figures(staleness_check.ROOT, tmp_path / "home", 50, 8, repeats=2)
    assert set(got) == {
        "mark_ms",
        "mark_max_ms",
        "current_index_ms",
        "current_index_max_ms",
        "touched_elsewhere_ms",
        "touched_elsewhere_max_ms",
        "delete_all_ms",
        "restore_all_ms",
    }
    assert all(value >= 0 for value in got.values())


def test_the_item_types_benchmark_says_it_skips_without_the_data(
    monkeypatch, capsys, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "path", [str(BENCHMARKS), *sys.path])
    monkeypatch.delitem(sys.modules, "item_types", raising=False)
    import item_types

    monkeypatch.setattr(item_types, "CLOTHING", tmp_path / "clothing")
    monkeypatch.setattr(sys, "argv", ["item_types.py", "--split", "val"])
    item_types.main()
    assert "not present: nothing to measure (skipped)" in capsys.readouterr().out


def test_the_item_types_benchmark_keeps_what_the_item_path_typed_and_its_features(
    monkeypatch, capsys
) -> None:
    # The tables count what the item path filed, and the features kept for trying heads
    # offline are those the path typed from (find_item's mask, mirror averaged); a photo
    # where nothing stands out has none, and counts as nothing found.
    import numpy as np

    monkeypatch.setattr(sys, "path", [str(BENCHMARKS), *sys.path])
    monkeypatch.delitem(sys.modules, "item_types", raising=False)
    import item_types

    from wardrobe_app.training.clothing import ClothingItem
    from wardrobe_app.vision.grabcut import find_item
    from wardrobe_app.vision.pipeline import PhotoAnalyser

    flat = np.full((240, 180, 3), 128, np.uint8)
    shirt = np.full((240, 180, 3), 235, np.uint8)
    shirt[50:190, 40:140] = (200, 30, 40)
    photos = {"flat": flat, "shirt": shirt}
    monkeypatch.setattr(item_types, "load_image", lambda path, fit: photos[Path(path).stem])
    items = [ClothingItem(name, "Shirt", "top", False, "s") for name in photos]
    analyser = PhotoAnalyser.default(device="cpu")

    data = item_types.read_split(analyser, items)

    assert data["found_mask"].tolist() == [False, True]
    assert data["outcome"][0] == item_types.NOTHING
    typed = analyser.analyse_rgb(shirt, Path("shirt.jpg"), "item").garments
    assert data["outcome"][1] == (typed[0].fine_type if typed else item_types.NOTHING)
    first_pass = analyser.embedder.features([(shirt, find_item(shirt))])[0].numpy()
    assert np.array_equal(data["features"][1], first_pass)
    item_types.type_table(data)
    item_types.gate_table(data, analyser.embedder.config.garment_threshold, [0.48])
    out = capsys.readouterr().out
    assert "fine type of 2 garment photos" in out
    assert "garment photos: nothing stands out 1" in out
