"""tools/missed_garments.py: garments no model finds, from `evaluate --per-photo` files."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLASSES = ("background", "top", "bottom", "one-piece")


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "missed_garments", ROOT / "tools" / "missed_garments.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(path: Path, photos: dict[str, tuple[tuple[int, int, int], str]]) -> Path:
    """One row per photo: (true, predicted, both) one-piece pixels and its outcome."""
    fields = ["photo"] + [f"{c}_{k}" for c in CLASSES for k in ("true", "predicted", "both")]
    fields += [f"{g}_outcome" for g in CLASSES[1:]]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for photo, ((true, predicted, both), outcome) in photos.items():
            row: dict[str, int | str] = {field: 0 for field in fields}
            row.update({"photo": photo, "top_outcome": "", "bottom_outcome": ""})
            row.update({"top_true": 10, "top_predicted": 10, "top_both": 10})
            row.update({"bottom_true": 10, "bottom_predicted": 10, "bottom_both": 10})
            row.update(
                {
                    "one-piece_true": true,
                    "one-piece_predicted": predicted,
                    "one-piece_both": both,
                    "one-piece_outcome": outcome,
                }
            )
            writer.writerow(row)
    return path


def test_counts_only_garments_every_model_misses_and_scores_the_rest(tmp_path: Path) -> None:
    tool = _tool()
    a = _write(
        tmp_path / "a.csv",
        {
            "p1": ((100, 100, 90), "found"),
            "p2": ((100, 0, 0), "wrong_class"),
            "p3": ((0, 0, 0), ""),
        },
    )
    b = _write(
        tmp_path / "b.csv",
        {"p1": ((100, 100, 90), "found"), "p2": ((100, 50, 40), "split"), "p3": ((0, 0, 0), "")},
    )
    runs = [tool.read_rows(a), tool.read_rows(b)]
    assert tool.never_found(runs, "one-piece") == ["p2"]
    lines = tool.report(runs, ["a", "b"], "one-piece")
    assert lines[0].startswith("2 photos show a one-piece")
    assert "  p2: wrong_class split" in lines
    assert "found by none: 1 of 2 (50% of the one-piece pixels): p2" in lines
    # a: one-piece 90 / (200 + 100 - 90) over all photos; 90 / 110 without p2
    assert lines[-2].endswith(f"one-piece {90 / 210:.3f} mean {(1 + 1 + 90 / 210) / 3:.3f}")
    assert lines[-1].endswith(f"one-piece {90 / 110:.3f} mean {(1 + 1 + 90 / 110) / 3:.3f}")


def test_a_garment_one_model_finds_is_not_counted(tmp_path: Path) -> None:
    tool = _tool()
    a = tool.read_rows(_write(tmp_path / "a.csv", {"p1": ((100, 0, 0), "wrong_class")}))
    b = tool.read_rows(_write(tmp_path / "b.csv", {"p1": ((100, 100, 95), "found")}))
    assert tool.never_found([a, b], "one-piece") == []


def test_files_of_different_photos_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tool = _tool()
    a = _write(tmp_path / "a.csv", {"p1": ((100, 100, 90), "found")})
    b = _write(tmp_path / "b.csv", {"p2": ((100, 100, 90), "found")})
    assert tool.main([str(a), str(b)]) == 1
    assert "different photos" in capsys.readouterr().err


def test_a_class_in_no_photo_is_left_out_of_the_mean(tmp_path: Path) -> None:
    tool = _tool()
    rows = tool.read_rows(_write(tmp_path / "a.csv", {"p1": ((0, 0, 0), "")}))
    lines = tool.report([rows], ["a"], "one-piece")
    assert lines[-2].endswith("one-piece nan mean 1.000")  # top and bottom only
