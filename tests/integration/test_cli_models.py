"""``wardrobe-cli segment`` and ``evaluate`` with a tiny model folder."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

import wardrobe_app.vision.segmenter as segmenter_module
from wardrobe_app import paths
from wardrobe_app.cli import main
from wardrobe_app.store import read_png
from wardrobe_app.vision.edge_refine import EdgeRefinement


@pytest.fixture()
def tiny_model(tiny_model_folder: Path) -> Path:
    return tiny_model_folder


def write_photo(path: Path, h: int, w: int, exif_rotate: bool = False) -> None:
    arr = np.random.default_rng(0).integers(0, 255, (h, w, 3), dtype=np.uint8)
    image = Image.fromarray(arr)
    if exif_rotate:
        exif = image.getexif()
        exif[0x0112] = 6
        image.save(path, exif=exif)
    else:
        image.save(path)


def test_segment_writes_label_maps_and_reports_bad_files(
    tmp_path: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_photo(tmp_path / "a.jpg", 90, 70)
    write_photo(tmp_path / "rot.jpg", 40, 100, exif_rotate=True)
    (tmp_path / "bad.jpg").write_bytes(b"definitely not a jpeg")
    out = tmp_path / "out"
    code = main(
        [
            "segment",
            str(tmp_path / "a.jpg"),
            str(tmp_path / "bad.jpg"),
            str(tmp_path / "rot.jpg"),
            "--out-dir",
            str(out),
            "--model",
            str(tiny_model),
            "--device",
            "cpu",
            "--overlay",
        ]
    )
    assert code != 0  # one file failed
    err = capsys.readouterr().err
    assert str(tmp_path / "bad.jpg") in err
    a = cv2.imread(str(out / "a.png"), cv2.IMREAD_UNCHANGED)
    assert a.shape == (90, 70) and a.dtype == np.uint8 and a.max() <= 3
    rot = cv2.imread(str(out / "rot.png"), cv2.IMREAD_UNCHANGED)
    assert rot.shape == (100, 40)  # EXIF-rotated size
    assert (out / "a_overlay.jpg").exists() and (out / "rot_overlay.jpg").exists()
    assert not (out / "bad.png").exists()


def test_segment_errors_keep_a_file_name_with_a_newline_on_one_line(
    tmp_path: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad\nname.jpg").write_bytes(b"not a photo")
    args = ["segment", str(tmp_path / "bad\nname.jpg"), "--out-dir", str(tmp_path / "out")]
    assert main([*args, "--model", str(tiny_model), "--device", "cpu"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"wardrobe-cli: error: {tmp_path}/bad\\nname.jpg: ")


def test_segment_summary_reads_well_for_one_photo_and_for_several(
    tmp_path: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One photo that failed was "1 of 1 photos were not segmented".
    (tmp_path / "bad.jpg").write_bytes(b"not a photo")
    write_photo(tmp_path / "good.jpg", 30, 20)
    run = ["--out-dir", str(tmp_path / "out"), "--model", str(tiny_model), "--device", "cpu"]
    for photos, summary in (
        (["bad.jpg"], "the photo was not segmented"),
        (["bad.jpg", "good.jpg"], "1 of 2 photos was not segmented"),
        (["bad.jpg", "good.jpg", "bad.jpg"], "2 of 3 photos were not segmented"),
    ):
        assert main(["segment", *(str(tmp_path / p) for p in photos), *run]) == 1
        assert capsys.readouterr().err.splitlines()[-1] == summary


def test_model_commands_write_nothing_into_a_wardrobe_s_data_folder(
    tiny_ccp: Path, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Label maps, a training run, pseudo-labels or a per-photo CSV were written into a
    # wardrobe's folder (left out of its backups, mixed into a backup's copy), where an
    # export is refused.
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    paths.database_path(theirs).write_bytes(b"")
    write_photo(tmp_path / "a.jpg", 30, 20)
    data, model = ["--data", str(tiny_ccp)], ["--model", str(tiny_model)]
    for option, target, command in (
        ("--out-dir", theirs, ["segment", str(tmp_path / "a.jpg"), *model]),
        ("--out", theirs / "run", ["train", *data, "--epochs", "1"]),
        ("--out", theirs / "index" / "pseudo", ["pseudo-label", *data, *model]),
        ("--per-photo", theirs / "rows.csv", ["evaluate", *data, *model]),
    ):
        assert main([*command, option, str(target)]) == 2, command
        out, err = capsys.readouterr()
        inside = "is the" if target == theirs else "is inside the"
        assert err == (
            f"wardrobe-cli: error: {option} {target} {inside} data folder of the wardrobe "
            f"in {theirs}: choose a folder outside it\n"
        )
        said = err.removeprefix("wardrobe-cli: error: ").strip()
        always_json = command[0] in ("train", "pseudo-label")  # stdout: their document
        assert (json.loads(out) == {"errors": [said]}) if always_json else not out, command
        assert [p.name for p in theirs.iterdir()] == ["wardrobe.sqlite3"]


def test_a_model_folder_error_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_photo(tmp_path / "a.jpg", 40, 30)
    model = tmp_path / "no\nmodel"  # its name was printed as it is, over two lines
    args = ["segment", str(tmp_path / "a.jpg"), "--out-dir", str(tmp_path / "out")]
    assert main([*args, "--model", str(model), "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "no\\nmodel" in err and len(err.splitlines()) == 1


def test_segment_dash_says_it_reads_no_photo_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `cat photo.jpg | wardrobe-cli segment -` loaded the model, then "-: no such file".
    assert main(["segment", "-", "--out-dir", str(tmp_path / "out")]) == 2
    assert "give files, not stdin" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_segment_all_good_exits_zero(tmp_path: Path, tiny_model: Path) -> None:
    write_photo(tmp_path / "b.png", 33, 47)
    out = tmp_path / "masks"
    args = ["segment", str(tmp_path / "b.png"), "--out-dir", str(out), "--model", str(tiny_model)]
    assert main(args) == 0
    assert cv2.imread(str(out / "b.png"), cv2.IMREAD_UNCHANGED).shape == (33, 47)


def test_segment_never_overwrites_a_photo_or_another_photos_map(
    tmp_path: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    write_photo(tmp_path / "one" / "look.jpg", 30, 20)
    write_photo(tmp_path / "two" / "look.png", 40, 20)  # the same stem, another photo
    write_photo(tmp_path / "here.png", 25, 20)  # its map would be written over it
    photo = (tmp_path / "here.png").read_bytes()
    photos = [tmp_path / "one" / "look.jpg", tmp_path / "two" / "look.png", tmp_path / "here.png"]
    photos.append(tmp_path / "one" / "look.jpg")  # the same file twice: done once, no error
    args = ["segment", *map(str, photos), "--out-dir", str(tmp_path), "--model", str(tiny_model)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'two' / 'look.png'}: {tmp_path / 'one' / 'look.jpg'} already wrote" in err
    assert f"{tmp_path / 'here.png'}: its label map would overwrite the photo itself" in err
    assert err.count("error:") == 2
    assert cv2.imread(str(tmp_path / "look.png"), cv2.IMREAD_UNCHANGED).shape == (30, 20)
    assert (tmp_path / "here.png").read_bytes() == photo  # untouched


def test_segment_with_a_broken_model_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_photo(tmp_path / "c.jpg", 20, 20)
    code = main(
        [
            "segment",
            str(tmp_path / "c.jpg"),
            "--out-dir",
            str(tmp_path),
            "--model",
            str(tmp_path / "none"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    # One prefix for every command's errors, as argparse's and the wardrobe commands' have.
    assert err.startswith("wardrobe-cli: error: model folder") and "does not exist" in err


def test_evaluate_reports_iou_and_confusion(
    tiny_ccp: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", "--data", str(tiny_ccp), "--model", str(tiny_model), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["iou"]) == {"background", "top", "bottom", "one-piece"}
    assert report["photos"] == 2  # val.txt
    assert np.array(report["confusion"]).sum() == 2 * 96 * 64
    assert 0.0 <= report["pixel_accuracy"] <= 1.0
    shown = sum(sum(counts.values()) for counts in report["garments"].values())
    assert shown >= 2  # each val photo shows at least one garment
    low, high = report["ci95"]["mean_garment_iou"]
    assert low <= report["mean_garment_iou"] <= high


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_segment_and_evaluate_draw_progress_bars_on_a_terminal_only(
    tmp_path: Path,
    tiny_ccp: Path,
    tiny_model: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In a log each state of a bar was a line of carriage returns.
    for name in ("a.jpg", "b.jpg"):
        write_photo(tmp_path / name, 40, 30)
    model = ["--model", str(tiny_model), "--device", "cpu"]
    segment = ["segment", str(tmp_path / "a.jpg"), str(tmp_path / "b.jpg"), *model]
    assert main([*segment, "--out-dir", str(tmp_path / "out")]) == 0
    assert main(["evaluate", "--data", str(tiny_ccp), *model]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "%|" not in err
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([*segment, "--out-dir", str(tmp_path / "out2")]) == 0
    assert "segment:" in terminal.getvalue() and "2/2" in terminal.getvalue()


def test_evaluate_a_split_missing_a_class_writes_valid_json(
    tiny_ccp: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Photo 0000 shows a dress only: top and bottom have no IoU. Python wrote NaN, which
    # is no JSON (jq and JavaScript refuse it); and a stray pixel made the figure 0
    # while its interval said NaN.
    (tiny_ccp / "dress.txt").write_text("0000\n")
    args = ["evaluate", "--data", str(tiny_ccp), "--model", str(tiny_model)]
    assert main([*args, "--split", "dress.txt", "--json"]) == 0
    text = capsys.readouterr().out
    report = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert report["iou"]["top"] is None and report["iou"]["bottom"] is None
    assert report["ci95"]["iou"]["top"] == [None, None]
    assert main([*args, "--split", "dress.txt"]) == 0
    out = capsys.readouterr().out
    assert "  top         n/a  (95% interval over photos n/a to n/a)" in out
    # one photo: figures, but no interval over photos (it said "0.5452 to 0.5452")
    assert f"  one-piece   {report['iou']['one-piece']:.4f}  (from one photo: no interval)" in out
    assert report["ci95"]["iou"]["one-piece"] == report["ci95"]["mean_garment_iou"] == [None] * 2


def test_evaluate_a_label_map_of_another_size_is_a_clear_error(
    tiny_ccp: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = tiny_ccp / "labels" / "0004.png"
    half = cv2.imread(str(labels), cv2.IMREAD_UNCHANGED)[::2, ::2]
    cv2.imwrite(str(labels), half)
    assert main(["evaluate", "--data", str(tiny_ccp), "--model", str(tiny_model)]) == 2
    err = capsys.readouterr().err
    assert "labels/0004.png is 32x48, not one channel at its photo's 64x96" in err


def test_evaluate_against_another_model_reports_the_paired_difference(
    tiny_ccp: Path, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import torch

    from wardrobe_app.vision.model_folder import load_model, save_model

    # A model that calls everything background: no garment found, IoU 0 where one is shown.
    blind, config = load_model(tiny_model)
    with torch.no_grad():
        for value in blind.state_dict().values():
            if value.is_floating_point():
                value.zero_()
        # Background by a clear margin, not by the tie-break of four equal probabilities.
        head = [m for m in blind.modules() if isinstance(m, torch.nn.Conv2d)][-1]
        assert head.bias is not None and head.out_channels == 4
        head.bias[0] = 5.0
    save_model(blind, config, tmp_path / "blind")

    args = ["evaluate", "--data", str(tiny_ccp), "--model", str(tiny_model), "--json"]
    assert main([*args, "--against", str(tmp_path / "blind")]) == 0
    report = json.loads(capsys.readouterr().out)
    against = report["against"]
    assert against["mean_garment_iou"] == 0.0
    gain = against["difference"]["mean_garment_iou"]["difference"]  # this model minus that
    assert gain == pytest.approx(report["mean_garment_iou"], abs=1e-3)

    assert main([*args[:-1], "--against", str(tiny_model)]) == 0  # itself, as text
    text = capsys.readouterr().out
    assert "paired bootstrap" in text and "the same in 100.0%" in text


def test_evaluate_an_empty_split_is_a_clear_error(
    tiny_ccp: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tiny_ccp / "none.txt").write_text("")
    args = ["evaluate", "--data", str(tiny_ccp), "--model", str(tiny_model), "--split", "none.txt"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("wardrobe-cli: error: ") and "lists no photos" in err


def test_evaluate_checks_its_inputs_before_the_work(
    tiny_ccp: Path, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stems = (tiny_ccp / "val.txt").read_text().split()
    (tiny_ccp / "typo.txt").write_text("\n".join([*stems, "9999"]))
    args = ["evaluate", "--data", str(tiny_ccp), "--model", str(tiny_model)]
    assert main([*args, "--split", "typo.txt"]) == 2
    err = capsys.readouterr().err
    assert "typo.txt names photos" in err and "9999" in err and "Traceback" not in err
    assert main([*args, "--per-photo", str(tmp_path)]) == 2
    assert "is a folder: name a CSV file" in capsys.readouterr().err
    # One that cannot be written was found after the work, and the figures were lost.
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    assert main([*args, "--per-photo", str(a_file / "rows.csv")]) == 2
    out, err = capsys.readouterr()
    assert not out and err == (
        f"wardrobe-cli: error: --per-photo {a_file / 'rows.csv'} cannot be written: "
        f"{a_file} is a file\n"
    )
    a_file = tmp_path / "model.jpg"
    a_file.write_bytes(b"x")
    assert main(["evaluate", "--data", str(tiny_ccp), "--model", str(a_file)]) == 2
    assert "is a file; a model folder holds config.json" in capsys.readouterr().err


def test_evaluate_says_in_words_what_is_wrong_with_its_data_and_split(
    tiny_ccp: Path, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A mistyped --data said "[Errno 2] No such file or directory: 'val.txt'"; a --data
    # without labels.json failed only after the model loaded; a folder or a photo given as
    # --split, "[Errno 21] Is a directory" or "'utf-8' codec can't decode byte 0xff".
    model, typo = ["--model", str(tiny_model)], tmp_path / "ccpp"
    (tiny_ccp / "labels.json").rename(tmp_path / "labels.json")
    photo = tiny_ccp / "images" / f"{(tiny_ccp / 'val.txt').read_text().split()[0]}.jpg"
    cases = [
        (
            ["--data", str(typo)],
            f"--data {typo} is not a CCP-style folder (images/, labels/, labels.json): "
            "it does not exist",
        ),
        (["--data", str(photo)], "labels.json): it is a file"),
        (["--data", str(tiny_ccp)], "labels.json): it has no labels.json"),
    ]
    for args, message in cases:
        assert main(["evaluate", *args, *model]) == 2, args
        out, err = capsys.readouterr()
        assert not out and err.startswith("wardrobe-cli: error: ") and message in err, err
    (tmp_path / "labels.json").rename(tiny_ccp / "labels.json")
    splits = [
        ("vall.txt", f"split vall.txt: no such file (looked in {tiny_ccp}, then from here)"),
        (str(tmp_path / "gone.txt"), f"split {tmp_path / 'gone.txt'}: no such file\n"),
        (str(tmp_path), f"split {tmp_path} is a folder: a split is a text file of photo stems"),
        # a folder of --data's, named as a split file there is: it was "no such file"
        ("images", f"split images is a folder ({tiny_ccp / 'images'}): a split is a text file"),
        (str(photo), f"split {photo} is not a text file of photo stems"),
    ]
    for split, message in splits:
        assert main(["evaluate", "--data", str(tiny_ccp), *model, "--split", split]) == 2
        out, err = capsys.readouterr()
        assert not out and err.startswith("wardrobe-cli: error: ") and message in err, err


def test_evaluate_reads_a_split_saved_with_a_byte_order_mark(
    tiny_ccp: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Notepad's UTF-8: "split.txt names photos ... lacks: \ufeff0004".
    stems = (tiny_ccp / "val.txt").read_text().split()
    (tiny_ccp / "bom.txt").write_bytes("\ufeff".encode() + "\r\n".join(stems).encode())
    args = ["evaluate", "--data", str(tiny_ccp), "--model", str(tiny_model), "--json"]
    assert main([*args, "--split", "bom.txt"]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["photos"] == len(stems)


def test_a_file_error_is_said_as_every_command_says_one(
    tiny_ccp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # train and evaluate wrote Python's "[Errno 20] Not a directory: '...'" where the
    # other commands write "FILE: Not a directory".
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    args = ["train", "--data", str(tiny_ccp), "--out", str(a_file / "run"), "--arch", "unet"]
    assert main([*args, "--width", "4", "--size", "96x64", "--crop", "64x64"]) == 2
    err = capsys.readouterr().err
    assert err == f"wardrobe-cli: error: {a_file / 'run'}: Not a directory\n"


def test_evaluate_writes_one_row_per_photo(
    tiny_ccp: Path, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv

    table = tmp_path / "photos.csv"
    args = ["evaluate", "--data", str(tiny_ccp), "--model", str(tiny_model)]
    assert main([*args, "--per-photo", str(table)]) == 0
    assert "wrong_class" in capsys.readouterr().out  # the garment table is printed
    with table.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    for row in rows:
        assert sum(int(row[f"{n}_true"]) for n in ("background", "top", "bottom", "one-piece")) == (
            96 * 64
        )
        assert int(row["top_both"]) <= min(int(row["top_true"]), int(row["top_predicted"]))


def test_train_options_reach_the_training_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import wardrobe_app.training.train as training

    seen = []
    monkeypatch.setattr(training, "train", lambda args, log: seen.append(args) or {})
    argv = ["train", "--data", str(tmp_path), "--out", str(tmp_path / "run")]
    extra = ["--encoder", "lite2", "--one-piece-boost", "2.5", "--reframe", "0.4", "--context"]
    extra += ["--layer-tops", "0.3", "--distill-weight", "0.5"]
    extra += ["--teacher", "t1", "--teacher", "t2"]
    assert main([*argv, *extra, "--pseudo", str(tmp_path / "p")]) == 0
    args = seen[0]
    assert (args.encoder, args.one_piece_boost, args.reframe) == ("lite2", 2.5, 0.4)
    assert args.context and not training.TrainArgs("d", "o").context
    assert args.layer_tops == 0.3
    assert (args.teachers, args.distill_weight) == (["t1", "t2"], 0.5)
    assert training.TrainArgs("d", "o").teachers == []
    assert args.pseudo == str(tmp_path / "p")
    # the seed UNet's options beyond the seed are off unless asked for
    assert not args.batch_norm and args.dropout == 0.0
    assert args.crop == (288, 192)  # the default, within the default --size
    assert main([*argv, "--size", "64x96"]) == 0
    assert seen[-1].crop == (64, 96)  # not a 288x192 crop padded around a 64x96 photo
    assert main([*argv, "--arch", "unet", "--batch-norm", "--dropout", "0.2"]) == 0
    assert seen[-1].batch_norm and seen[-1].dropout == 0.2
    config = training.model_config_for(seen[-1])
    assert config.batch_norm and config.dropout == 0.2
    bad_options = (["--reframe", "1.5"], ["--one-piece-boost", "0"], ["--layer-tops", "-1"])
    bad_options += (["--distill-weight", "-1"], ["--minutes", "-5"], ["--minutes", "nan"])
    for bad in (*bad_options, ["--encoder", "lite9"]):
        with pytest.raises(SystemExit):
            main([*argv, *bad])
    assert "must be" in capsys.readouterr().err


def test_train_help_says_the_defaults_and_the_seed_class_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "base width (default 16; 64 = the seed's network)" in text
    assert "one-piece (default); 3: the seed's background, top, bottom" in text
    assert "(a one-piece counts as a top)" in text  # as ccp.label_lookup maps it


def test_cli_encoder_choices_are_the_known_encoders() -> None:
    import argparse

    from wardrobe_app.cli import build_parser
    from wardrobe_app.vision.efficientnet_lite import ENCODERS

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    train_parser = sub.choices["train"]
    encoder = next(a for a in train_parser._actions if a.dest == "encoder")
    assert tuple(encoder.choices or ()) == ENCODERS


@pytest.mark.parametrize(
    ("flag", "owner", "step", "report_key", "off"),
    [
        # The zoomed second look at a small figure starts by framing it.
        ("--single-pass", segmenter_module, "framing_box", "zoom_passes", 0),
        ("--raw-edges", EdgeRefinement, "__call__", "edges_refined", False),
    ],
)
def test_a_flag_turns_an_inference_step_off(
    flag: str,
    owner: object,
    step: str,
    report_key: str,
    off: object,
    tmp_path: Path,
    tiny_model: Path,
    tiny_ccp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``segment`` and ``evaluate`` skip the step with the flag and run it without; the
    report says which."""
    real = getattr(owner, step)
    ran: list[int] = []

    def counting(*args: object, **kwargs: object) -> object:
        ran.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, step, counting)
    write_photo(tmp_path / "d.jpg", 60, 40)
    segment = ["segment", str(tmp_path / "d.jpg"), "--out-dir", str(tmp_path / "o")]
    assert main([*segment, "--model", str(tiny_model), flag]) == 0
    assert not ran
    assert main([*segment, "--model", str(tiny_model)]) == 0
    assert ran

    evaluate = ["evaluate", "--data", str(tiny_ccp), "--model", str(tiny_model)]
    capsys.readouterr()
    ran.clear()
    assert main([*evaluate, flag, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[report_key] == off
    assert main([*evaluate, flag]) == 0
    assert f"off ({flag})" in capsys.readouterr().out
    assert not ran
    assert main([*evaluate, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[report_key] not in (off, None)
    assert ran


def test_train_reports_a_missing_teacher_in_one_line(
    tiny_ccp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["train", "--data", str(tiny_ccp), "--out", str(tmp_path / "run"), "--arch", "unet"]
    argv += ["--width", "4", "--size", "96x64", "--crop", "64x64", "--epochs", "1", "--batch", "2"]
    assert main([*argv, "--teacher", str(tmp_path / "nowhere"), "--threads", "1"]) == 2
    err = capsys.readouterr().err
    assert f"error: model folder {tmp_path / 'nowhere'} does not exist" in err
    assert "Traceback" not in err
    assert not (tmp_path / "run" / "best").exists()


def test_train_checks_its_data_folder_before_making_the_run_folder(
    tiny_ccp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    argv = ["train", "--out", str(run), "--arch", "unet", "--width", "4", "--size", "96x64"]
    argv += ["--crop", "64x64", "--epochs", "1", "--threads", "1"]
    photos = tmp_path / "photos"  # a folder of photos, not of CCP's layout
    photos.mkdir()
    assert main([*argv, "--data", str(photos)]) == 2
    err = capsys.readouterr().err
    assert f"--data {photos} is not a CCP folder" in err
    assert "no images, labels, labels.json, train.txt, val.txt" in err
    (tiny_ccp / "train.txt").write_text("0000\n9999\n")  # a photo the folder lacks
    assert main([*argv, "--data", str(tiny_ccp)]) == 2
    err = capsys.readouterr().err
    assert "train.txt names photos" in err and "9999" in err and "Traceback" not in err
    assert not run.exists()


def test_train_reports_bad_encoder_weights_and_a_missing_gpu_in_one_line(
    tiny_ccp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import torch

    argv = ["train", "--data", str(tiny_ccp), "--out", str(tmp_path / "run"), "--batch", "2"]
    argv += ["--size", "96x64", "--crop", "64x64", "--epochs", "1", "--threads", "1"]
    not_weights = tmp_path / "photo.jpg"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(not_weights)
    assert main([*argv, "--encoder-weights", str(not_weights)]) == 2
    err = capsys.readouterr().err
    assert f"error: {not_weights}: not a weights file torch can read" in err
    assert "Traceback" not in err
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert main(["train", "--data", str(tiny_ccp), "--out", str(a_file)]) == 2
    assert "is a file; name a folder for the run" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert main([*argv, "--device", "cuda"]) == 2
        err = capsys.readouterr().err
        assert "error: CUDA was asked for" in err and "Traceback" not in err
    assert not (tmp_path / "run" / "best").exists()


def test_train_and_pseudo_label_refused_write_the_errors_document(
    tiny_ccp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Their stdout is always a JSON document (the run's figures, the manifest), but
    # refused (exit 2) they wrote nothing there: a script parsing it got a JSON error,
    # not the reason, where --json commands write {"errors": [...]}.
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for argv in (
        ["train", "--data", str(tiny_ccp), "--out", str(a_file)],
        ["pseudo-label", "--data", str(tiny_ccp), "--out", str(tmp_path / "labels")],
    ):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        said = [line.removeprefix("wardrobe-cli: error: ") for line in err.splitlines()]
        assert said and json.loads(out) == {"errors": said}, argv


def test_train_and_pseudo_label_usage_errors_write_the_errors_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Refused, they write {"errors": [...]} on stdout, their document, but a usage error
    # of their arguments without --json wrote usage text alone: a script parsing stdout
    # got a JSON error, not the reason. Other commands write one only with --json.
    data = ["--data", str(tmp_path / "ccp"), "--out", str(tmp_path / "out")]
    for argv, said in (
        (["train", *data, "--epochs", "0"], "argument --epochs: must be at least 1, not 0"),
        (["train"], "the following arguments are required: --data, --out"),
        (["pseudo-label", *data, "--nope"], "unrecognized arguments: --nope"),  # the top's
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        out, err = capsys.readouterr()
        assert stop.value.code == 2 and err.startswith("usage: ") and said in err, argv
        assert json.loads(out) == {"errors": [said]}, argv
    with pytest.raises(SystemExit):
        main(["evaluate", "--data", str(tmp_path), "--nope"])
    out, err = capsys.readouterr()
    assert out == "" and "unrecognized arguments: --nope" in err


def test_evaluate_record_keeps_the_figures_in_the_model_folder(
    tiny_ccp: Path, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from wardrobe_app.vision.model_folder import load_model, read_config

    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    args = ["evaluate", "--data", str(tiny_ccp), "--model", str(model), "--json"]
    assert main([*args, "--record"]) == 0
    report = json.loads(capsys.readouterr().out)
    metrics = read_config(model).metrics
    assert metrics["mean_garment_iou"] == report["mean_garment_iou"]
    assert metrics["confusion"] == report["confusion"]
    assert metrics["data"] == str(tiny_ccp.resolve())  # resolved, as training records it
    assert "against" not in metrics
    load_model(model)  # still a sound folder
    # recording again says what it replaces
    assert main([*args, "--record"]) == 0
    err = capsys.readouterr().err
    assert f"in place of the figures it held: mean {report['mean_garment_iou']} on val.txt" in err


def test_evaluate_json_names_its_data_folder_and_split_resolved(
    tiny_ccp: Path,
    tiny_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The document said --data as given ("ccp", relative to where it ran) while --record
    # kept it resolved: two names for one folder, the first wrong from elsewhere. And
    # --split as given: "val.txt" of --data, or "x.txt" of where it ran, alike.
    import shutil

    from wardrobe_app.vision.model_folder import read_config

    monkeypatch.chdir(tmp_path)
    relative = os.path.join("ccp", "..", tiny_ccp.name)
    assert main(["evaluate", "--data", relative, "--model", str(tiny_model), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["data"] == str(tiny_ccp.resolve())
    assert report["split"] == str(tiny_ccp.resolve() / "val.txt")
    (tmp_path / "mine.txt").write_text("0000\n")  # a split of the working folder
    model = shutil.copytree(tiny_model, tmp_path / "model")
    args = ["evaluate", "--data", relative, "--model", str(model), "--split", "mine.txt"]
    assert main([*args, "--json", "--record", "--force"]) == 0
    assert json.loads(capsys.readouterr().out)["split"] == str(tmp_path.resolve() / "mine.txt")
    # The model folder keeps it as the document names it: "mine.txt" named a file of
    # whichever folder it was read from.
    assert read_config(model).metrics["split"] == str(tmp_path.resolve() / "mine.txt")


def test_evaluate_record_on_another_split_keeps_the_figures_unless_forced(
    tiny_ccp: Path, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A two-photo check with --record replaced the model's val figures, unseen.
    import shutil

    from wardrobe_app.vision.model_folder import read_config

    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    other_data = tmp_path / "other"
    shutil.copytree(tiny_ccp, other_data)
    args = ["evaluate", "--model", str(model), "--json", "--record"]
    assert main([*args, "--data", str(tiny_ccp)]) == 0  # val.txt: its 2 photos
    capsys.readouterr()
    held = read_config(model).metrics
    for data, split in ((tiny_ccp, "train.txt"), (other_data, "val.txt")):
        assert main([*args, "--data", str(data), "--split", split]) == 2
        out, err = capsys.readouterr()
        assert list(json.loads(out)) == ["errors"]  # refused before any work: no figures
        assert "error: --record would replace the model's figures of another split" in err
        assert f"on val.txt (2 photos) from {tiny_ccp}" in err and "--force" in err
        assert read_config(model).metrics == held
    # The same split again is no question, and --force replaces another's.
    assert main([*args, "--data", str(tiny_ccp)]) == 0
    assert main([*args, "--data", str(tiny_ccp), "--split", "train.txt", "--force"]) == 0
    assert "in place of the figures it held: mean" in capsys.readouterr().err
    assert read_config(model).metrics["split"] == "train.txt"


def test_evaluate_record_tells_a_training_run_split_from_another_folder_s(
    tiny_ccp: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Training recorded "val.txt" without its data folder: --record of another folder's
    # val.txt (another split) replaced a fresh run's figures without --force.
    import shutil

    from fakes import tiny_train_args

    from wardrobe_app.training.train import train
    from wardrobe_app.vision.model_folder import read_config, write_config

    run = tmp_path / "run"
    train(tiny_train_args(tiny_ccp, run, 1), log=lambda _: None)
    best = run / "best"
    held = read_config(best).metrics
    assert held["data"] == str(tiny_ccp.resolve()) and held["split"] == "val.txt"
    other = shutil.copytree(tiny_ccp, tmp_path / "other")
    (other / "val.txt").write_text("0002\n0003\n")  # two of the run's train photos
    args = ["evaluate", "--model", str(best), "--record", "--json"]
    assert main([*args, "--data", str(other)]) == 2
    out, err = capsys.readouterr()
    assert list(json.loads(out)) == ["errors"]  # no figures
    assert "error: --record would replace the model's figures" in err
    assert f"on val.txt (2 photos) from {tiny_ccp.resolve()}" in err and "--force" in err
    assert read_config(best).metrics == held
    # Its own folder's val.txt, named another way (relative, through ..): no question.
    monkeypatch.chdir(tmp_path)
    assert main([*args, "--data", os.path.join("other", "..", "ccp")]) == 0
    capsys.readouterr()
    recorded = read_config(best).metrics
    assert recorded["data"] == str(tiny_ccp.resolve())  # resolved, as training's
    # A folder written before training kept its data folder: any folder's val.txt, so
    # refused as another split's until --force.
    config = read_config(best)
    del config.metrics["data"]
    write_config(config, best)
    assert main([*args, "--data", str(tiny_ccp)]) == 2
    err = capsys.readouterr().err
    assert "from a data folder not recorded, perhaps another" in err
    assert main([*args, "--data", str(tiny_ccp), "--force"]) == 0
    assert read_config(best).metrics["data"] == str(tiny_ccp.resolve())


def test_evaluate_record_without_model_leaves_the_shipped_model_alone_unless_forced(
    tiny_ccp: Path,
    tiny_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `--record` without --model wrote into the shipped model's config.json, under the
    # installed package: a run's figures over the model card Wardrobe ships.
    import shutil

    from wardrobe_app import paths
    from wardrobe_app.vision.model_folder import read_config

    shipped = tmp_path / "shipped"
    shutil.copytree(tiny_model, shipped)
    monkeypatch.setattr(paths, "DEFAULT_SEGMENTER", shipped)
    card = (shipped / "config.json").read_bytes()
    args = ["evaluate", "--data", str(tiny_ccp), "--json", "--record"]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert list(json.loads(out)) == ["errors"]  # refused before any work: no figures
    assert "error: --record without --model would write the figures into the shipped" in err
    assert f"--model {shipped} for the shipped one" in err and "--force" in err
    assert (shipped / "config.json").read_bytes() == card
    # Named, or forced: recorded there.
    assert main([*args, "--model", str(shipped)]) == 0
    assert read_config(shipped).metrics["split"] == "val.txt"
    (shipped / "config.json").write_bytes(card)
    assert main([*args, "--force"]) == 0
    assert read_config(shipped).metrics["split"] == "val.txt"


def test_evaluate_record_into_a_folder_it_cannot_write_is_one_error_line(
    tiny_ccp: Path,
    tiny_model: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import wardrobe_app.training.evaluate as evaluate

    def read_only(*_: object) -> None:
        raise PermissionError(13, "Permission denied", str(tiny_model / "config.json"))

    monkeypatch.setattr(evaluate, "write_config", read_only)
    args = ["evaluate", "--data", str(tiny_ccp), "--model", str(tiny_model), "--record"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "error: the figures could not be recorded" in err and "Permission denied" in err


def test_evaluate_an_ensemble_says_how_often_it_ran_its_other_members(
    tiny_ccp: Path, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wardrobe_app.vision.model_folder import ensemble_of, save_model

    pair, config = ensemble_of([tiny_model, tiny_model], "pair")
    save_model(pair, config, tmp_path / "pair")
    args = ["evaluate", "--data", str(tiny_ccp), "--model", str(tmp_path / "pair")]
    assert main([*args, "--single-pass", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ensemble"] == {
        "members": 2,
        "consult_above": 0.0,
        "network_passes": 2,  # the two val photos, one pass each
        "consulted": 2,
    }
    assert main([*args, "--single-pass"]) == 0
    assert "ensemble of 2: the members after the first ran on 2 of 2" in capsys.readouterr().out


def test_segment_replaces_its_own_outputs_but_no_other_file(
    tmp_path: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos, out = tmp_path / "photos", tmp_path / "out"
    photos.mkdir()
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        write_photo(photos / name, 30, 20)
    run = ["--out-dir", str(out), "--model", str(tiny_model), "--overlay"]
    assert main(["segment", str(photos / "a.jpg"), *run]) == 0
    assert main(["segment", str(photos / "a.jpg"), *run]) == 0  # again: its own outputs
    # someone else's files where b's and c's outputs would go
    write_photo(out / "b.png", 30, 20)
    write_photo(out / "c_overlay.jpg", 30, 20)
    kept = {name: (out / name).read_bytes() for name in ("b.png", "c_overlay.jpg")}
    capsys.readouterr()
    assert main(["segment", str(photos / "b.jpg"), str(photos / "c.jpg"), *run]) == 1
    err = capsys.readouterr().err
    assert f"{out / 'b.png'} exists and is not a label map" in err
    assert f"{out / 'c_overlay.jpg'} exists and is not an overlay of an earlier run" in err
    assert "2 of 2 photos were not segmented" in err
    assert {name: (out / name).read_bytes() for name in kept} == kept
    assert not (out / "c.png").exists()
    (out / "c.png").touch()  # an empty file there: a traceback from cv2.imdecode
    assert main(["segment", str(photos / "c.jpg"), *run[:-1]]) == 1
    err = capsys.readouterr().err
    assert f"{out / 'c.png'} exists and is not a label map" in err and "Traceback" not in err
    assert (out / "c.png").read_bytes() == b""


def test_segment_reports_outputs_it_could_not_write(
    tmp_path: Path,
    tiny_model: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_photo(tmp_path / "d.jpg", 30, 20)
    from wardrobe_app.vision import image_io

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(image_io, "write_image", full_disk)
    code = main(
        [
            "segment",
            str(tmp_path / "d.jpg"),
            "--out-dir",
            str(tmp_path / "o"),
            "--model",
            str(tiny_model),
        ]
    )
    assert code == 1
    assert "could not write its outputs (No space left on device)" in capsys.readouterr().err

    def cut_short(path: Path, *args: object) -> None:  # the disk fills up part-way
        Path(path).write_bytes(b"\x89PNG")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(image_io, "write_image", cut_short)
    run = ["segment", str(tmp_path / "d.jpg"), "--model", str(tiny_model), "--overlay"]
    assert main([*run, "--out-dir", str(tmp_path / "o")]) == 1
    assert not list((tmp_path / "o").iterdir())  # it left d.png of 5 bytes, refused next run
    capsys.readouterr()
    (tmp_path / "file").write_text("x")
    code = main(
        [
            "segment",
            str(tmp_path / "d.jpg"),
            "--out-dir",
            str(tmp_path / "file"),
            "--model",
            str(tiny_model),
        ]
    )
    assert code == 2 and "is a file, not a folder" in capsys.readouterr().err


def test_segment_into_a_folder_it_may_not_write_is_refused_before_any_photo(
    tmp_path: Path, tiny_model: Path
) -> None:
    # It segmented every photo, then said of each "could not write its outputs
    # (Permission denied)", exit 1, as if the photos were at fault.
    import subprocess

    from fakes import without_write_override

    photos = [tmp_path / f"{name}.jpg" for name in "ab"]
    for photo in photos:
        write_photo(photo, 30, 20)
    locked = tmp_path / "locked"
    locked.mkdir()
    said = {}
    try:
        locked.chmod(0o555)
        for out in (locked, locked / "new"):
            run = [sys.executable, "-m", "wardrobe_app.cli", "segment", *map(str, photos)]
            run += ["--out-dir", str(out), "--model", str(tiny_model)]
            proc = subprocess.run(
                [*without_write_override(), *run],
                timeout=300,
                capture_output=True,
                text=True,
            )
            assert proc.returncode == 2 and not proc.stdout, proc.stderr
            said[out] = proc.stderr
    finally:
        locked.chmod(0o755)
    for out, err in said.items():
        assert err == (
            f"wardrobe-cli: error: --out-dir {out}: cannot write in {locked} (Permission denied)\n"
        )
    assert not any(locked.iterdir())


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_stops_segment_and_says_what_is_left(
    tmp_path: Path,
    tiny_model: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    presses: int,
) -> None:
    # It said "interrupted" alone, whatever was written. Once: the photo in progress is
    # finished; twice: stopped at once, that photo's label map not written.
    import signal

    photos = [tmp_path / f"{name}.jpg" for name in "abc"]
    for photo in photos:
        write_photo(photo, 30, 20)
    segment = segmenter_module.Segmenter.segment
    calls: list[int] = []

    def ctrl_c_at_the_second(self: segmenter_module.Segmenter, rgb: np.ndarray) -> np.ndarray:
        calls.append(1)
        if len(calls) == 2:
            for _ in range(presses):
                signal.raise_signal(signal.SIGINT)
        return segment(self, rgb)

    monkeypatch.setattr(segmenter_module.Segmenter, "segment", ctrl_c_at_the_second)
    out = tmp_path / "out"
    run = ["segment", *map(str, photos), "--out-dir", str(out), "--model", str(tiny_model)]
    assert main(run) == 130
    err = capsys.readouterr().err
    done = 2 if presses == 1 else 1
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.png"][:done]
    said = "1 of 3 photos was" if done == 2 else "2 of 3 photos were"
    assert f"interrupted: {said} not segmented" in err
    assert f"(the first not done: {photos[done]})" in err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_segment_a_photo_whose_name_is_not_utf8(
    tmp_path: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # OpenCV's imwrite and imread crashed the whole process (a segmentation fault) on
    # such a name, a photo from an old camera or another system's disk.
    photo = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.jpg"))
    write_photo(photo, 30, 20)
    args = ["segment", str(photo), "--out-dir", str(tmp_path / "o"), "--model", str(tiny_model)]
    assert main([*args, "--overlay"]) == 0
    target = Path(os.fsdecode(os.fsencode(tmp_path) + b"/o/caf\xe9.png"))
    assert read_png(target).shape == (30, 20)
    assert target.with_name(target.stem + "_overlay.jpg").is_file()
    assert main(args) == 0  # its earlier label map is recognised, and replaced
