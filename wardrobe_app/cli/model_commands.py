"""Model commands: ``segment``, ``train``, ``pseudo-label``, ``evaluate``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from .. import paths
from . import json_document
from .arguments import minutes, path_arg, probability, whole
from .interrupts import INTERRUPTED, stop_on_first_interrupt
from .text import error, one_line, some_of


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {text}")
    return value


def _dropout(text: str) -> float:
    value = _share(text)
    if value >= 1.0:
        raise argparse.ArgumentTypeError(f"must be under 1 (1 drops every channel), not {text}")
    return value


def _size(text: str) -> tuple[int, int]:
    """``384x256`` (height x width) or ``256`` (square)."""
    parts = text.lower().split("x")
    try:
        values = [int(p) for p in parts]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"size must look like 384x256 or 256, not {text!r}"
        ) from exc
    if len(values) == 1:
        values *= 2
    if len(values) != 2 or min(values) < 32 or any(v % 32 for v in values):
        raise argparse.ArgumentTypeError("sizes must be multiples of 32 (height x width)")
    return values[0], values[1]


DEVICE_HELP = "where the model runs (default auto: CUDA when present, else the CPU)"
SINGLE_PASS_HELP = (
    "segment each photo once at the working size (by default a small figure is found, "
    "then segmented again zoomed to fill the frame)"
)
RAW_EDGES_HELP = (
    "keep the network's edges as upsampled from its working size (by default they are "
    "snapped to the photo's own with a colour-guided filter)"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("segment", help="write a garment label map for each photo")
    p.add_argument("images", nargs="+", type=path_arg, metavar="IMAGE", help="photo files")
    p.add_argument(
        "--out-dir",
        type=path_arg,
        required=True,
        help="folder for <stem>.png, the label map: 0 background, 1 top, 2 bottom, 3 one-piece",
    )
    p.add_argument(
        "--model", type=path_arg, default=None, help="model folder (default: the shipped one)"
    )
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help=DEVICE_HELP)
    p.add_argument(
        "--overlay", action="store_true", help="also write <stem>_overlay.jpg to look at"
    )
    p.add_argument("--single-pass", action="store_true", help=SINGLE_PASS_HELP)
    p.add_argument("--raw-edges", action="store_true", help=RAW_EDGES_HELP)
    p.set_defaults(func=cmd_segment)

    t = sub.add_parser("train", help="train a segmenter on CCP")
    t.add_argument(
        "--data",
        type=path_arg,
        required=True,
        help="the CCP folder (images/, labels/, train.txt, val.txt)",
    )
    t.add_argument(
        "--out",
        type=path_arg,
        required=True,
        help="run folder: checkpoint, log.csv, curves.png, best/ (the photos resized to "
        "--size are cached beside it, in OUT/../cache, for the next run)",
    )
    t.add_argument(
        "--arch",
        choices=["lite-unet", "unet"],
        default="lite-unet",
        help="lite-unet: UNet on an EfficientNet-Lite encoder (default); unet: the seed UNet",
    )
    t.add_argument(
        "--width",
        type=whole(1),
        default=16,
        help="seed UNet base width (default 16; 64 = the seed's network)",
    )
    t.add_argument(
        "--encoder",
        choices=["lite0", "lite1", "lite2"],  # efficientnet_lite.ENCODERS (keeps torch out)
        default="lite0",
        help="lite-unet: EfficientNet-Lite encoder (lite1/lite2 need their weights package)",
    )
    t.add_argument(
        "--batch-norm",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="seed UNet: batch norm after each convolution (off, as in the seed, by default)",
    )
    t.add_argument(
        "--dropout",
        type=_dropout,
        default=0.0,
        metavar="P",
        help="seed UNet: dropout at the bottleneck (default 0, as in the seed)",
    )
    t.add_argument(
        "--size", type=_size, default=(384, 256), help="working size HxW (default 384x256)"
    )
    t.add_argument(
        "--crop",
        type=_size,
        default=None,
        help="training crop HxW, at most --size (default 288x192, or --size where smaller)",
    )
    t.add_argument("--epochs", type=whole(1), default=24, help="passes over train.txt (default 24)")
    t.add_argument("--batch", type=whole(1), default=8, help="photos per step (default 8)")
    t.add_argument("--lr", type=_positive, default=2e-3, help="learning rate (default 2e-3)")
    t.add_argument(
        "--classes",
        type=int,
        choices=[3, 4],
        default=4,
        help="4: background, top, bottom, one-piece (default); 3: the seed's background, "
        "top, bottom (a one-piece counts as a top)",
    )
    t.add_argument(
        "--resume",
        action="store_true",
        help="continue from OUT/checkpoint.pt, with its settings: only --epochs, --minutes "
        "and where it runs (--device, --threads, --workers, --amp) may change",
    )
    t.add_argument("--init", type=path_arg, default=None, help="warm-start from a model folder")
    t.add_argument("--no-pretrained", action="store_true", help="lite-unet: random encoder init")
    t.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help=DEVICE_HELP)
    t.add_argument("--threads", type=whole(0), default=0, help="CPU threads (0: torch's default)")
    t.add_argument(
        "--seed",
        type=whole(0),
        default=0,
        help="random seed (default 0): the same seed and settings give the same run",
    )
    t.add_argument(
        "--workers", type=whole(0), default=0, help="data-loading processes (0: in the main one)"
    )
    t.add_argument("--amp", action="store_true", help="bfloat16 autocast (fast on recent GPUs)")
    t.add_argument(
        "--minutes",
        type=minutes,
        default=0.0,
        help="wall-clock budget: the schedule follows it and training stops when it is spent",
    )
    t.add_argument(
        "--encoder-weights",
        type=path_arg,
        default=None,
        help="lite-unet: ImageNet weights file of --encoder (default: from its package)",
    )
    t.add_argument(
        "--pseudo",
        type=path_arg,
        default=None,
        help="also train on a pseudo-label folder (wardrobe-cli pseudo-label)",
    )
    t.add_argument(
        "--one-piece-boost",
        type=_positive,
        default=1.0,
        help="draw photos that show a one-piece this many times as often (default 1)",
    )
    t.add_argument(
        "--reframe",
        type=_share,
        default=0.0,
        metavar="P",
        help="share of photos cut to a waist-up, legs-only or close framing (default 0)",
    )
    t.add_argument(
        "--layer-tops",
        type=_share,
        default=0.0,
        metavar="P",
        help="share of one-piece photos given another photo's top over the dress "
        "(synthetic 'dress under a cardigan'; default 0)",
    )
    t.add_argument(
        "--context",
        action="store_true",
        help="lite-unet: image-level context module with a garment-presence loss "
        "(--init from a folder without one adds it)",
    )
    t.add_argument(
        "--teacher",
        type=path_arg,
        action="append",
        default=[],
        metavar="MODEL",
        help="distil from this model folder (repeat for an ensemble: their probabilities "
        "are averaged)",
    )
    t.add_argument(
        "--distill-weight",
        type=_positive,
        default=1.0,
        help="weight of the distillation loss beside the label loss (default 1)",
    )
    # Its stdout is always its JSON document (the run's figures): a refusal writes
    # {"errors": [...]} there, as a --json command's does (json_document).
    t.set_defaults(func=cmd_train, json=True)

    s = sub.add_parser(
        "pseudo-label", help="label CCP's unlabeled photos with a model's confident pixels"
    )
    s.add_argument("--data", type=path_arg, required=True, help="the CCP folder (reads unlabeled/)")
    s.add_argument("--out", type=path_arg, required=True, help="folder to write (CCP's layout)")
    s.add_argument(
        "--model", type=path_arg, default=None, help="teacher (default: the shipped one)"
    )
    s.add_argument(
        "--threshold",
        type=probability,
        default=0.9,
        help="least class probability kept (default 0.9)",
    )
    s.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help=DEVICE_HELP)
    s.set_defaults(func=cmd_pseudo_label, json=True)  # its manifest, or the errors: as train

    e = sub.add_parser("evaluate", help="IoU per class, mean IoU, pixel accuracy, confusion matrix")
    e.add_argument("--data", type=path_arg, required=True, help="a CCP-style folder")
    e.add_argument(
        "--split",
        type=path_arg,
        default="val.txt",
        help="file of stems: --data's file of that name, else a path (default val.txt)",
    )
    e.add_argument(
        "--model", type=path_arg, default=None, help="model folder (default: the shipped one)"
    )
    e.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help=DEVICE_HELP)
    e.add_argument("--json", action="store_true", help="the figures as JSON on stdout")
    e.add_argument("--single-pass", action="store_true", help=SINGLE_PASS_HELP)
    e.add_argument("--raw-edges", action="store_true", help=RAW_EDGES_HELP)
    e.add_argument(
        "--against",
        type=path_arg,
        default=None,
        metavar="MODEL",
        help="also score this model folder on the same photos and report the paired "
        "difference with a bootstrap interval (is a new model really better?)",
    )
    e.add_argument(
        "--record",
        action="store_true",
        help="write these figures into the --model folder's config.json (its metrics); "
        "refused without --model (the shipped model's) or where it holds figures of "
        "another split, unless --force",
    )
    e.add_argument(
        "--force",
        action="store_true",
        help="with --record: replace figures recorded on another split, or record into "
        "the shipped model without --model",
    )
    e.add_argument(
        "--per-photo",
        type=path_arg,
        default=None,
        metavar="CSV",
        help="also write one row per photo: pixel counts per class and each garment's outcome",
    )
    e.set_defaults(func=cmd_evaluate)


def _is_label_map(path: Path) -> bool:
    """A file ``segment`` wrote: one channel, uint8, values 0-3 (so it may be replaced)."""
    from ..store import read_png  # not cv2.imread: it crashes on a name not in UTF-8

    try:
        labels = read_png(path)
    except OSError:
        return False
    return labels.ndim == 2 and labels.dtype == "uint8" and labels.max() <= 3


def _segment_refusal(path: Path, target: Path, shown: Path | None, written: dict[str, Path]) -> str:
    """Why ``path`` must not be segmented into its label map ``target`` and overlay
    ``shown`` ("" if it may): they would overwrite the photo itself, another photo's
    outputs from this run, or a file that ``segment`` did not write."""
    if target.exists() and path.exists() and target.samefile(path):  # links and case too
        return "its label map would overwrite the photo itself; choose another --out-dir"
    first = written.get(path.stem)
    if first is not None:
        return f"{first} already wrote {target.name}; rename one of them"
    if target.exists() and not _is_label_map(target):
        return f"{target} exists and is not a label map; choose another --out-dir"
    if shown is not None and shown.exists() and not target.exists():
        # an overlay is only replaced beside the label map of the same earlier run
        return f"{shown} exists and is not an overlay of an earlier run; choose another --out-dir"
    return ""


def _write_outputs(target: Path, shown: Path | None, rgb: Any, labels: Any) -> None:
    """The label map (and overlay), or none: one cut short (a full disk, Ctrl+C twice) is
    removed, not left as a file of its first bytes that looks like a result and that the
    next run refuses as "not a label map"."""
    import cv2

    from ..vision.garments import overlay
    from ..vision.image_io import write_image

    try:
        write_image(target, labels)
        if shown is not None:
            bgr = cv2.cvtColor(overlay(rgb, labels), cv2.COLOR_RGB2BGR)
            write_image(shown, bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    except BaseException:
        for output in (target, shown):
            if output is not None:
                with contextlib.suppress(OSError):
                    output.unlink(missing_ok=True)
        raise


def _segment_one(
    path: Path, args: argparse.Namespace, segmenter: Any, written: dict[str, Path]
) -> bool:
    """Segment ``path`` into ``args.out_dir`` (``written``: output stem -> the photo that
    wrote it); False, its error said, where it could not be."""
    from tqdm import tqdm

    from ..vision.image_io import ImageLoadError, load_image

    first = written.get(path.stem)
    if first is not None and first.resolve() == path.resolve():
        return True  # the same file given twice: done once
    target = args.out_dir / f"{path.stem}.png"
    shown = args.out_dir / f"{path.stem}_overlay.jpg" if args.overlay else None
    refusal = _segment_refusal(path, target, shown, written)
    if refusal:
        tqdm.write(f"wardrobe-cli: error: {one_line(f'{path}: {refusal}')}", file=sys.stderr)
        return False
    try:
        rgb = load_image(path)
    except ImageLoadError as exc:
        tqdm.write(f"wardrobe-cli: error: {one_line(exc)}", file=sys.stderr)
        return False
    labels = segmenter.segment(rgb)
    try:
        _write_outputs(target, shown, rgb, labels)
    except OSError as exc:  # a full disk, a folder not ours to write
        reason = exc.strerror or str(exc)
        tqdm.write(
            f"wardrobe-cli: error: {one_line(path)}: could not write its outputs ({reason})",
            file=sys.stderr,
        )
        return False
    written[path.stem] = path
    return True


def _not_reached(images: list[Path], reached: int) -> str:
    """What a Ctrl+C left undone: it said "interrupted" alone, whatever was written."""
    left = len(images) - reached
    if len(images) == 1:
        return f"{one_line(images[0])} was not segmented"
    return (
        f"{some_of(left, len(images), 'photo')} not segmented; the label maps written are "
        f"whole (the first not done: {one_line(images[reached])})"
    )


def _in_a_wardrobe(option: str, path: Path) -> str:
    """Why ``path``, which a model command writes, is refused for being a wardrobe's
    data folder or inside one ("" if it is not): label maps, a training run or
    pseudo-labels there were left out of its backups or mixed into a backup's copy,
    as an export was (see ``paths.wardrobe_problem``)."""
    problem = paths.wardrobe_problem(path.expanduser().resolve())
    return f"{option} {path} {problem}" if problem is not None else ""


def _out_dir_problem(out_dir: Path) -> str:
    """Why ``segment`` cannot write its label maps in ``out_dir`` ("" if it can): a
    folder it may not write in segmented every photo, each then "could not write its
    outputs" (exit 1, as if the photos were at fault)."""
    if out_dir.exists() and not out_dir.is_dir():
        return f"--out-dir {out_dir} is a file, not a folder"
    if in_wardrobe := _in_a_wardrobe("--out-dir", out_dir):
        return in_wardrobe
    # The folder, or the nearest one above it that exists (it is made there).
    existing = next(p for p in (out_dir, *out_dir.absolute().parents) if p.exists())
    if not existing.is_dir():
        return f"--out-dir {out_dir} cannot be made: {existing} is a file"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"--out-dir {out_dir}: cannot write in {existing} (Permission denied)"
    return ""


def cmd_segment(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..vision.model_folder import ModelFolderError
    from ..vision.segmenter import Segmenter

    if Path("-") in args.images:  # before the model loads; a file named - is ./-
        error("segment -: each label map is named after its photo file: give files, not stdin")
        return 2
    out_dir: Path = args.out_dir
    problem = _out_dir_problem(out_dir)
    if problem:  # before the model loads and any photo is segmented for nothing
        error(problem)
        return 2
    try:
        segmenter = Segmenter(
            args.model,
            device=args.device,
            reframe=not args.single_pass,
            refine_edges=not args.raw_edges,
        )
    except (ModelFolderError, RuntimeError, ValueError) as exc:
        error(exc)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    failures = 0
    written: dict[str, Path] = {}  # output stem -> the photo that wrote it
    # A bar for many photos, on a terminal only (None): a log gets the errors and the count.
    quiet = True if len(args.images) < 2 else None
    reached = 0  # photos taken up, the one in progress too
    try:
        # The first Ctrl+C stops after the photo in progress, as import's does.
        with stop_on_first_interrupt() as stop:
            for path in tqdm(
                args.images, desc="segment", unit="photo", disable=quiet, file=sys.stderr
            ):
                if stop.is_set():
                    break
                reached += 1
                failures += not _segment_one(path, args, segmenter, written)
    except KeyboardInterrupt:  # twice: at once, the photo in progress not written
        reached -= 1
        print(f"interrupted: {_not_reached(args.images, reached)}", file=sys.stderr)
        return INTERRUPTED
    if reached < len(args.images):
        print(f"interrupted: {_not_reached(args.images, reached)}", file=sys.stderr)
        return INTERRUPTED
    if failures:
        print(f"{some_of(failures, len(args.images), 'photo')} not segmented", file=sys.stderr)
    return 1 if failures else 0


def cmd_train(args: argparse.Namespace) -> int:
    from ..training.train import TrainArgs, fitted_crop, train
    from ..vision.model_folder import ModelFolderError
    from ..vision.segmenter import resolve_device

    if args.out.is_file():
        error(f"--out {args.out} is a file; name a folder for the run")
        return 2
    if in_wardrobe := _in_a_wardrobe("--out", args.out):
        error(in_wardrobe)
        return 2
    try:
        resolve_device(args.device)  # before any data is read: CUDA asked for, none here
    except RuntimeError as exc:
        error(exc)
        return 2
    try:
        result = train(
            TrainArgs(
                data=str(args.data),
                out=str(args.out),
                architecture=args.arch,
                width=args.width,
                batch_norm=args.batch_norm,
                dropout=args.dropout,
                size=args.size,
                crop=args.crop or fitted_crop(args.size),
                epochs=args.epochs,
                batch=args.batch,
                lr=args.lr,
                classes=args.classes,
                resume=args.resume,
                init=str(args.init) if args.init else None,
                device=args.device,
                pretrained=not args.no_pretrained,
                threads=args.threads,
                seed=args.seed,
                workers=args.workers,
                amp=args.amp,
                minutes=args.minutes,
                encoder_weights=str(args.encoder_weights) if args.encoder_weights else None,
                pseudo=str(args.pseudo) if args.pseudo else None,
                one_piece_boost=args.one_piece_boost,
                encoder=args.encoder,
                reframe=args.reframe,
                context=args.context,
                layer_tops=args.layer_tops,
                teachers=[str(folder) for folder in args.teacher],
                distill_weight=args.distill_weight,
            ),
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except (ModelFolderError, OSError, ValueError) as exc:  # --init, --teacher, --data
        error(exc)
        return 2
    json_document.emit(result, indent=2, ensure_ascii=True, default=str)
    return 0


def cmd_pseudo_label(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..training.pseudo import write_pseudo_labels
    from ..vision.model_folder import ModelFolderError

    if in_wardrobe := _in_a_wardrobe("--out", args.out):
        error(in_wardrobe)
        return 2
    folder = args.data / "unlabeled"
    photos, same_name = unlabeled_photos(folder)
    if not photos:
        # "no photos in D/unlabeled" also where there is no such folder (--data mistyped,
        # or the photos put in --data itself), with nothing to say where they go; a file
        # of that name was "no such folder" too.
        if folder.is_dir():
            missing = "it holds no photo"
        elif folder.exists():
            missing = "it is a file, not a folder"
        else:
            missing = "there is no such folder"
        error(
            f"no photos to label in {folder}: {missing} (pseudo-label reads the photos in "
            "the unlabeled/ folder of --data)"
        )
        return 2
    for path, kept in same_name:
        error(f"{path}: skipped, its pseudo-label would replace that of {kept.name}")
    try:  # around the bar: closed first, it ends its line, and the error gets its own
        with tqdm(
            total=len(photos), desc="pseudo-label", unit="photo", file=sys.stderr, disable=None
        ) as bar:  # on a terminal only: the manifest is the summary
            manifest = write_pseudo_labels(
                photos,
                args.out,
                args.model,
                args.threshold,
                args.device,
                progress=lambda done, _total: bar.update(done - bar.n),
            )
    except (ModelFolderError, RuntimeError, ValueError) as exc:
        error(exc)
        return 2
    for line in manifest["skipped"]:  # type: ignore[attr-defined]
        error(line)
    if not manifest["photos"]:
        error(f"no photo could be labelled: nothing was written in {args.out}")
    json_document.emit(manifest, indent=2, ensure_ascii=True)
    return 1 if manifest["skipped"] or same_name else 0


def unlabeled_photos(folder: Path) -> tuple[list[Path], list[tuple[Path, Path]]]:
    """The photos in ``folder`` as import finds them (any photo suffix, in any case:
    only lowercase *.jpg was read, and .JPG, .jpeg and .png were passed over in
    silence), and (photo, the one kept) for each whose stem another took first: the
    pseudo-labels are named by stem, and a.png would overwrite a.jpg's."""
    from ..vision.image_io import is_image_path

    found = sorted(
        p
        for p in folder.glob("*")
        if not p.name.startswith(".") and is_image_path(p) and p.is_file()
    )
    photos: list[Path] = []
    by_stem: dict[str, Path] = {}
    same_name: list[tuple[Path, Path]] = []
    for path in found:
        kept = by_stem.setdefault(path.stem, path)
        if kept is path:
            photos.append(path)
        else:
            same_name.append((path, kept))
    return photos, same_name


def cmd_evaluate(args: argparse.Namespace) -> int:
    from ..training.evaluate import (
        evaluate_folder,
        format_report,
        json_safe,
        record_metrics,
        recorded_elsewhere,
    )
    from ..vision.model_folder import ModelFolderError

    in_wardrobe = _in_a_wardrobe("--per-photo", args.per_photo) if args.per_photo else ""
    if in_wardrobe:
        error(in_wardrobe)
        return 2
    if args.record and args.model is None and not args.force:
        # The shipped model's card, under the installed package: a --record meant for a
        # run's model and typed without its --model rewrote the figures Wardrobe ships.
        shipped = paths.DEFAULT_SEGMENTER
        error(
            f"--record without --model would write the figures into the shipped model's "
            f"config.json ({shipped}); name the model folder to record in with --model "
            f"(--model {shipped} for the shipped one), or add --force"
        )
        return 2
    elsewhere = recorded_elsewhere(args.model, args.data, args.split) if args.record else ""
    if elsewhere and not args.force:  # before any work: nothing evaluated, nothing written
        error(
            f"--record would replace the model's figures of another split ({elsewhere}) "
            f"with ones of {args.split} from {args.data}; evaluate on that split, leave "
            "out --record, or add --force to replace them"
        )
        return 2
    try:
        report = evaluate_folder(
            args.data,
            args.split,
            args.model,
            args.device,
            args.per_photo,
            args.against,
            reframe=not args.single_pass,
            refine_edges=not args.raw_edges,
        )
    except (ModelFolderError, OSError, RuntimeError, ValueError) as exc:
        error(exc)
        return 2
    if args.json:
        json_document.emit(json_safe(report), indent=2, ensure_ascii=True)
    else:
        print(format_report(report))
    if args.record:
        try:
            replaced = record_metrics(report)
        except (ModelFolderError, OSError) as exc:  # e.g. an installed, read-only folder
            error(f"the figures could not be recorded: {exc}")
            return 2
        print(f"figures recorded in {report['model']}/config.json", file=sys.stderr)
        if replaced:
            print(f"  in place of the figures it held: {replaced}", file=sys.stderr)
    return 0
