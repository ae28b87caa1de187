"""Train a segmenter on CCP: ``wardrobe-cli train``.

torchvision references style: plain ``train_one_epoch`` / ``evaluate`` functions, a
confusion-matrix IoU, resumable checkpoints (model, optimiser, scheduler, epoch, args),
a CSV log and a PNG of the curves. The best epoch is written as a model folder.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler
from torchvision import tv_tensors

from ..vision.ensemble import ProbabilityAverage
from ..vision.model_folder import (
    ModelConfig,
    ModelFolderError,
    atomic_write,
    build_model,
    load_model,
    read_config,
    save_model,
)
from ..vision.segmenter import resolve_device
from .augment import eval_transform, train_transform
from .ccp import check_samples, class_names_for, load_resized, read_split
from .distill import TeacherEnsemble, distillation_loss
from .layering import LayeredTops
from .losses import CrossEntropyDice, PresenceLoss, class_weights
from .metrics import ConfusionMatrix
from .pseudo import MANIFEST as PSEUDO_MANIFEST
from .pseudo import load_pseudo, pseudo_stems


@dataclass
class TrainArgs:
    data: str
    out: str
    architecture: str = "lite-unet"
    width: int = 16
    batch_norm: bool = False  # seed UNet only: off, as in the seed
    dropout: float = 0.0  # seed UNet only: at the bottleneck
    size: tuple[int, int] = (384, 256)
    crop: tuple[int, int] = (288, 192)  # at most size (fitted_crop)
    epochs: int = 30
    batch: int = 8
    lr: float = 2e-3
    encoder_lr_scale: float = 0.3
    weight_decay: float = 1e-4
    classes: int = 4
    resume: bool = False
    init: str | None = None
    device: str = "auto"
    pretrained: bool = True
    threads: int = 0
    seed: int = 0
    workers: int = 0
    amp: bool = False
    minutes: float = 0.0
    encoder_weights: str | None = None
    pseudo: str | None = None
    one_piece_boost: float = 1.0
    encoder: str = "lite0"
    reframe: float = 0.0
    context: bool = False
    layer_tops: float = 0.0
    teachers: list[str] = field(default_factory=list)
    distill_weight: float = 1.0


def fitted_crop(size: tuple[int, int], crop: tuple[int, int] = (288, 192)) -> tuple[int, int]:
    """The default training crop, cut down to a smaller working ``size`` (h, w)."""
    return min(crop[0], size[0]), min(crop[1], size[1])


def photo_sampling_weights(labels: np.ndarray, rare_class: int, boost: float) -> np.ndarray:
    """One weight per photo: ``boost`` for photos that show ``rare_class``, 1 for the rest.

    One-piece garments are in about a quarter of CCP's photos, and the hard part about them
    is a whole-garment decision (a dress under a top looks like a skirt), which pixel
    weights in the loss do not add examples of.
    """
    shows = (labels.reshape(len(labels), -1) == rare_class).any(axis=1)
    return np.where(shows, boost, 1.0)


class ArrayDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        transform: Any,
        layering: LayeredTops | None = None,
    ) -> None:
        self.images, self.labels, self.transform = images, labels, transform
        self.layering = layering

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        rgb, labels = self.layering(i) if self.layering else (self.images[i], self.labels[i])
        image = tv_tensors.Image(torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1))
        mask = tv_tensors.Mask(torch.from_numpy(np.ascontiguousarray(labels)))
        image, mask = self.transform(image, mask)
        return image.as_subclass(torch.Tensor), mask.as_subclass(torch.Tensor)


def train_one_epoch(
    model: nn.Module,
    loader: DataLoader[Any],
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    device: torch.device,
    amp: bool = False,
    teacher: TeacherEnsemble | None = None,
    distill_weight: float = 1.0,
) -> float:
    model.train()
    total, count = 0.0, 0
    for images, masks in loader:
        images, masks = images.to(device, non_blocking=True), masks.to(device, non_blocking=True)
        # bf16 autocast needs no loss scaling; the loss itself is computed in float32.
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            logits, presence = _forward(model, images)
            target_probs = teacher(images) if teacher is not None else None
        logits = logits.float()
        loss = criterion(logits, presence, masks)
        if target_probs is not None:
            loss = loss + distill_weight * distillation_loss(logits, target_probs)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(images)
        count += len(images)
    return total / max(count, 1)


def _forward(model: nn.Module, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    with_presence = getattr(model, "forward_with_presence", None)
    if with_presence is None:  # the seed UNet
        return model(images), None
    return with_presence(images)


@torch.inference_mode()
def evaluate(
    model: nn.Module, loader: DataLoader[Any], num_classes: int, device: torch.device
) -> ConfusionMatrix:
    model.eval()
    cm = ConfusionMatrix(num_classes)
    for images, masks in loader:
        pred = model(images.to(device)).argmax(1).cpu().numpy()
        cm.update(masks.numpy(), pred)
    return cm


class TrainingClock:
    """A wall-clock budget: the schedule follows it and training stops when it is spent.

    With a budget the cosine schedule runs on whichever is further along, steps or time,
    so a run sized by minutes (a lent GPU) still ends at a low learning rate.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started: float | None = None

    def start(self, already: float = 0.0) -> None:
        """Start, counting ``already`` seconds as spent (a resumed run's earlier sittings)."""
        self.started = time.monotonic() - already

    def elapsed(self) -> float:
        return 0.0 if self.started is None else time.monotonic() - self.started

    def fraction(self) -> float:
        if self.seconds <= 0 or self.started is None:
            return 0.0
        return (time.monotonic() - self.started) / self.seconds

    def spent(self) -> bool:
        return self.fraction() >= 1.0


def _param_groups(model: nn.Module, lr: float, encoder_scale: float) -> list[dict[str, Any]]:
    encoder = getattr(model, "encoder", None)
    if encoder is None:
        return [{"params": list(model.parameters()), "lr": lr}]
    enc_ids = {id(p) for p in encoder.parameters()}
    rest = [p for p in model.parameters() if id(p) not in enc_ids]
    return [
        {"params": list(encoder.parameters()), "lr": lr * encoder_scale},
        {"params": rest, "lr": lr},
    ]


def _plot(log_path: Path, png_path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # plotting is a convenience; the CSV has everything
        return
    with log_path.open() as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return
    from matplotlib.ticker import MaxNLocator

    epochs = [int(r["epoch"]) for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    # Markers: a line needs two epochs, and after the first the plot was blank.
    ax1.plot(epochs, [float(r["train_loss"]) for r in rows], marker="o")
    ax1.set_title("train loss")
    for key in [k for k in rows[0] if k.startswith("iou_") or k == "mean_garment_iou"]:
        ax2.plot(epochs, [float(r[key]) for r in rows], label=key, marker="o")
    ax2.set_title("val IoU")
    ax2.legend()
    for ax in (ax1, ax2):
        ax.set_xlabel("epoch")
        ax.set_xlim(epochs[0] - 0.5, epochs[-1] + 0.5)  # one epoch: not -0.04 to 0.04
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # not 0.2, 0.4 ...
    fig.tight_layout()
    fig.savefig(png_path, dpi=80)
    plt.close(fig)


def warm_start(folder: str, config: ModelConfig) -> nn.Module:
    """The network ``config`` describes, with the weights of the model folder ``folder``.

    The folder must hold the same network, except that a context module may be added:
    it starts as the identity (see ``GlobalContext``), so the warm start is exact. From
    an ensemble (the shipped cascade), its first member of that network is taken.
    """
    init_model, init_config = load_model(folder)
    candidates = [(init_model, init_config)]
    if isinstance(init_model, ProbabilityAverage):
        candidates = list(zip(init_model.members, init_config.member_configs(), strict=True))

    def same_network(other: ModelConfig) -> bool:
        return (
            other.class_names == config.class_names
            and other.architecture == config.architecture
            and (
                other.encoder == config.encoder
                and other.decoder_channels == config.decoder_channels
                if config.architecture == "lite-unet"
                else other.width == config.width and other.batch_norm == config.batch_norm
            )
            and (config.context or not other.context)
        )

    matching = [model for model, member in candidates if same_network(member)]
    if not matching:
        held = " + ".join(member.describe_network() for _, member in candidates)
        raise ModelFolderError(
            f"--init {folder} is a different network from the one asked for "
            f"({config.describe_network()}, {config.num_classes} classes): it holds {held}"
        )
    init_model = matching[0]
    model = build_model(config)
    result = model.load_state_dict(init_model.state_dict(), strict=False)
    missing = [k for k in result.missing_keys if not k.startswith("context.")]
    if missing or result.unexpected_keys:  # cannot happen for folders that load
        raise RuntimeError(f"--init {folder} does not fit: {missing or result.unexpected_keys}")
    return model


def model_config_for(args: TrainArgs) -> ModelConfig:
    return ModelConfig(
        architecture=args.architecture,
        class_names=class_names_for(args.classes),
        width=args.width,
        batch_norm=args.batch_norm if args.architecture == "unet" else False,
        dropout=args.dropout if args.architecture == "unet" else 0.0,
        encoder=args.encoder if args.architecture == "lite-unet" else "lite0",
        context=args.context and args.architecture == "lite-unet",
        input_size=list(args.size),
        mean=[0.5, 0.5, 0.5],
        std=[0.5, 0.5, 0.5],
    )


# What a resumed run may change: how long and where it runs, not what it trains. The
# rest (architecture, data, sizes, learning rate, ...) would mix two runs in one model
# and one log; --init starts a new run from another's weights instead.
# The data, the pseudo-labels and the teachers are compared by what they hold
# (data_fingerprint), not by how their paths are spelt: a run copied to a lent GPU
# resumes from other paths.
RESUMABLE_CHANGES = frozenset(
    {"epochs", "minutes", "resume", "device", "threads", "workers", "amp", "out", "init"}
    | {"pretrained", "encoder_weights", "data", "pseudo", "teachers"}
)
# What a checkpoint holds besides the model.
_CHECKPOINT_KEYS = frozenset({"model", "optimizer", "scheduler", "epoch", "best"})


def _settings(args: TrainArgs) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(args).items()}


def read_checkpoint(path: Path) -> dict[str, Any]:
    """A training checkpoint, or ValueError saying what is wrong with the file."""
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a damaged file (KeyError too)
        raise ValueError(
            f"{path} cannot be read (cut short or damaged?): {exc}. Start another --out, or "
            "delete it to train this one from the start"
        ) from exc
    if not isinstance(ckpt, dict) or not set(ckpt) >= _CHECKPOINT_KEYS:
        raise ValueError(f"{path} is not a checkpoint of wardrobe-cli train")
    return ckpt


def data_fingerprint(args: TrainArgs) -> str:
    """What the run trains on, by content: the split files and label mapping of --data,
    the --pseudo folder's manifest and each --teacher's config."""
    digest = hashlib.sha1()
    files = [Path(args.data) / name for name in ("train.txt", "val.txt", "labels.json")]
    if args.pseudo:
        files.append(Path(args.pseudo) / PSEUDO_MANIFEST)
    files += [Path(folder) / "config.json" for folder in args.teachers]
    for path in files:
        digest.update(path.name.encode())
        with contextlib.suppress(OSError):  # missing: reported where it is read
            digest.update(path.read_bytes())
    return digest.hexdigest()


def changed_settings(ckpt: dict[str, Any], args: TrainArgs) -> list[str]:
    """Settings of ``args`` other than the checkpoint's, as "name: then -> now"."""
    now = _settings(args)
    changed = []
    for key, then in (ckpt.get("args") or {}).items():  # an older checkpoint: those it has
        if key not in RESUMABLE_CHANGES and key in now and then != now[key]:
            changed.append(f"{key}: {then!r} -> {now[key]!r}")
    stored = ckpt.get("data_fingerprint")  # an older checkpoint: none
    if stored is not None and stored != data_fingerprint(args):
        changed.append("the data (train.txt, val.txt, labels.json, pseudo-labels or teachers)")
    return changed


def _seed_epoch(seed: int, epoch: int, layering: LayeredTops | None) -> None:
    """Every random stream of ``epoch`` from (seed, epoch) alone: the shuffle, the crops,
    the pasted tops and, through the main stream, the data-loader workers' seeds (they
    are made anew each epoch). A resumed run then draws what the uninterrupted one did,
    with no random state to keep in the checkpoint."""
    epoch_seed = (seed * 1_000_003 + epoch) % 2**32
    torch.manual_seed(epoch_seed)
    np.random.seed(epoch_seed)
    if layering is not None:
        layering.reseed(epoch)


def _keep_rows_through(log_path: Path, done: int) -> None:
    """Keep the log rows of epochs 1 to ``done`` (the checkpoint's): a run stopped after
    writing an epoch's row but before its checkpoint trains that epoch again."""
    with log_path.open(newline="") as f:
        rows = list(csv.reader(f))
    kept = rows[:1] + [r for r in rows[1:] if r and r[0].isdigit() and int(r[0]) <= done]
    if len(kept) != len(rows):

        def write(tmp: str) -> None:
            with open(tmp, "w", newline="") as f:
                csv.writer(f).writerows(kept)

        atomic_write(log_path, write)


def _best_of_a_lost_epoch(folder: Path, saved_epoch: int, size: list[int]) -> float:
    """The val figure of the model in ``folder`` (a run's best/) where an epoch after the
    checkpoint's (``saved_epoch``) saved it before the run stopped; -1 otherwise. Figures
    recorded there since by ``evaluate --record`` (another split, full size) don't count."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        metrics, epoch = config["metrics"], int(config["training"]["epoch"])  # 1-based
        ours = metrics.get("split") == "val.txt" and metrics.get("resolution") == size
        if epoch > saved_epoch + 1 and ours:
            return float(metrics["mean_garment_iou"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return -1.0


def _refuse_foreign_folder(out: Path) -> None:
    """ValueError where ``out`` holds files a training run does not write (a run is
    written over epoch by epoch: its log, its best model)."""
    if not out.is_dir():
        if out.exists():
            raise ValueError(f"--out {out} is a file, not a folder")
        return
    ours = {"log.csv", "curves.png", "best", "checkpoint.tmp"}  # (temporaries: dot-files)
    names = {p.name for p in out.iterdir() if not p.name.startswith(".")}  # .DS_Store
    log_path = out / "log.csv"
    head = log_path.read_text(encoding="utf-8", errors="replace") if log_path.is_file() else ""
    looks_like_a_log = head == "" or head.startswith("epoch,train_loss")  # "": killed early
    if not names <= ours or not looks_like_a_log:
        raise ValueError(
            f"--out {out} already holds files that are not a training run's; choose a new "
            "or empty folder"
        )


def _read_data_folder(data: Path) -> tuple[list[str], list[str]]:
    """The train and val stems of a CCP-style folder, each with its photo and label map,
    or FileNotFoundError saying what it lacks (not a bare "No such file" for one file,
    nor a missing photo found only after all the others were read), or ValueError for
    a split that lists none."""
    lacking = [
        name
        for name in ("images", "labels", "labels.json", "train.txt", "val.txt")
        if not (data / name).exists()
    ]
    if lacking:
        raise FileNotFoundError(
            f"--data {data} is not a CCP folder (images/, labels/, labels.json, train.txt, "
            f"val.txt): it has no {', '.join(lacking)}"
        )
    stems = {split: read_split(data, split) for split in ("train.txt", "val.txt")}
    for split, names in stems.items():
        if not names:  # an empty val.txt kept the first epoch as best/ for good (0 > -1)
            raise ValueError(f"{split} of --data {data} lists no photos")
        check_samples(data, names, split)
    return stems["train.txt"], stems["val.txt"]


def _check_model_inputs(args: TrainArgs) -> None:
    """ModelFolderError or FileNotFoundError for a mistyped --init, --teacher or
    --encoder-weights, before the data is read and --out is made: they were found
    missing after both (an empty run folder left), the weights file as "[Errno 2]"."""
    for folder in [*([args.init] if args.init else []), *args.teachers]:
        read_config(folder)
    weights = args.encoder_weights
    if weights and args.pretrained and args.architecture == "lite-unet":
        if Path(weights).is_dir():
            raise IsADirectoryError(f"--encoder-weights {weights} is a folder: name the file")
        if not Path(weights).is_file():
            raise FileNotFoundError(f"--encoder-weights {weights}: no such file")


def train(args: TrainArgs, log: Any = print) -> dict[str, Any]:
    if args.context and args.architecture != "lite-unet":
        raise ValueError("--context needs the lite-unet architecture")
    if args.crop[0] > args.size[0] or args.crop[1] > args.size[1]:
        # The photos are stored at --size: a larger crop pads each with black labelled
        # background (a 64x64 photo filled 7% of a 288x192 crop).
        raise ValueError(
            f"--crop {args.crop[0]}x{args.crop[1]} is larger than --size "
            f"{args.size[0]}x{args.size[1]}: choose a crop within it"
        )
    _check_model_inputs(args)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed crop and val sizes: tuned kernels pay off
    data_dir, out = Path(args.data), Path(args.out)
    checkpoint_path = out / "checkpoint.pt"
    if checkpoint_path.exists() and not args.resume:
        # Starting over would overwrite its log and, epoch by epoch, its best model.
        raise ValueError(
            f"{out} already holds a training run ({checkpoint_path.name}); pass --resume to "
            "go on with it, or choose another --out"
        )
    ckpt: dict[str, Any] | None = None
    if args.resume and checkpoint_path.exists():
        ckpt = read_checkpoint(checkpoint_path)  # before hours of work would be lost to it
        changed = changed_settings(ckpt, args)
        if changed:
            raise ValueError(
                f"{out} was trained with other settings ({'; '.join(changed)}). Resume it "
                "with the same ones (only --epochs, --minutes and where it runs may change), "
                f"or start a new --out from its best model with --init {out / 'best'}"
            )
    else:
        if args.resume:
            log(f"no {checkpoint_path.name} in {out}: nothing to resume, starting from epoch 0")
        _refuse_foreign_folder(out)
    train_stems, val_stems = _read_data_folder(data_dir)  # before --out is made
    if args.pseudo:
        pseudo_stems(Path(args.pseudo), args.classes)  # before --out is made too
    out.mkdir(parents=True, exist_ok=True)
    cache_dir = out.parent / "cache"
    config = model_config_for(args)

    size = tuple(args.size)
    tr_images, tr_labels = load_resized(data_dir, train_stems, size, args.classes, cache_dir)  # type: ignore[arg-type]
    va_images, va_labels = load_resized(data_dir, val_stems, size, args.classes, cache_dir)  # type: ignore[arg-type]
    weights = class_weights(tr_labels, args.classes)  # from the true labels alone
    if args.pseudo:
        ps_images, ps_labels = load_pseudo(Path(args.pseudo), size, args.classes)  # type: ignore[arg-type]
        tr_images = np.concatenate([tr_images, ps_images])
        tr_labels = np.concatenate([tr_labels, ps_labels])
        n = len(ps_images)
        log(f"+ {n} pseudo-labelled photo{'' if n == 1 else 's'} from {args.pseudo}")
    if len(tr_images) < args.batch:
        # Whole batches only (drop_last): not one step would be taken, and the untrained
        # network would be logged with a loss of 0 and saved as the best model.
        raise ValueError(
            f"--batch {args.batch} is more than the {len(tr_images)} training "
            f"photo{'' if len(tr_images) == 1 else 's'}: "
            f"use --batch {len(tr_images)} or fewer"
        )
    log(f"train {len(tr_images)} / val {len(va_images)} photos at {size[0]}x{size[1]} on {device}")

    sampler: WeightedRandomSampler | None = None
    if args.one_piece_boost != 1.0 and "one-piece" not in config.class_names:
        log("--one-piece-boost ignored: this class set has no one-piece")
    elif args.one_piece_boost != 1.0:
        weights_per_photo = photo_sampling_weights(
            tr_labels, config.class_names.index("one-piece"), args.one_piece_boost
        )
        # As many draws per epoch as photos, so epochs stay comparable in length.
        sampler = WeightedRandomSampler(
            weights_per_photo.tolist(), num_samples=len(tr_images), replacement=True
        )
        log(f"photos with a one-piece drawn {args.one_piece_boost:g}x as often")
    layering = None
    if args.layer_tops and "one-piece" not in config.class_names:
        log("--layer-tops ignored: this class set has no one-piece")
    elif args.layer_tops:
        layering = LayeredTops(tr_images, tr_labels, args.layer_tops, args.seed)
        log(f"a top laid over the one-piece in {args.layer_tops:.0%} of the photos that show one")
    train_loader = DataLoader(
        ArrayDataset(
            tr_images,
            tr_labels,
            train_transform((args.crop[0], args.crop[1]), config.mean, config.std, args.reframe),
            layering,
        ),
        batch_size=args.batch,
        shuffle=sampler is None,
        sampler=sampler,
        drop_last=True,
        num_workers=args.workers,
        # Not persistent: workers made anew each epoch take their seeds from that epoch's
        # stream (_seed_epoch), so a resumed run's workers draw what they would have.
        pin_memory=device.type == "cuda",
    )
    val_loader = DataLoader(
        ArrayDataset(va_images, va_labels, eval_transform(config.mean, config.std)),
        batch_size=8,
        num_workers=0,
    )

    if args.init:
        model = warm_start(args.init, config)
        log(f"warm start from {args.init}")
    else:
        model = build_model(config)
        if args.pretrained and args.architecture == "lite-unet":
            model.encoder.load_imagenet(args.encoder_weights)  # type: ignore[union-attr,operator]
    model.to(device)

    criterion = PresenceLoss(CrossEntropyDice(weights)).to(device)
    teacher: TeacherEnsemble | None = None
    if args.teachers:
        teacher = TeacherEnsemble(args.teachers, config).to(device)
        teachers = len(args.teachers)
        log(
            f"distilling the average of {teachers} teacher folder{'s' if teachers > 1 else ''} "
            f"(x{args.distill_weight:g})"
        )
    optimizer = torch.optim.AdamW(
        _param_groups(model, args.lr, args.encoder_lr_scale), weight_decay=args.weight_decay
    )
    steps = args.epochs * len(train_loader)
    warmup = min(len(train_loader), steps // 10)
    clock = TrainingClock(args.minutes * 60.0)

    def lr_lambda(step: int) -> float:  # linear warm-up, then cosine to 2% of the peak
        if step < warmup:
            return (step + 1) / warmup
        progress = max((step - warmup) / max(1, steps - warmup), clock.fraction())
        return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    start_epoch, best = 0, -1.0
    spent = 0.0
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        scheduler.load_state_dict(ckpt["scheduler"])
        start_epoch, best = int(ckpt["epoch"]) + 1, float(ckpt["best"])
        # A best model saved by an epoch whose checkpoint was lost still counts: a worse
        # one must not replace it.
        best = max(best, _best_of_a_lost_epoch(out / "best", start_epoch - 1, list(size)))
        spent = float(ckpt.get("seconds", 0.0))  # a --minutes budget goes on, not anew
        # Counted as the epoch lines count them (1-based): "epoch 5/6" follows "after 4".
        log(f"resumed after epoch {start_epoch} of {args.epochs} (best mean IoU {best:.4f})")
        if start_epoch >= args.epochs:
            log(f"nothing to train: the run is past --epochs {args.epochs}; raise it to go on")

    log_path = out / "log.csv"
    names = config.class_names
    fields = [
        "epoch",
        "train_loss",
        *[f"iou_{n}" for n in names],
        "mean_garment_iou",
        "pixel_accuracy",
        "seconds",
    ]
    if start_epoch == 0 or not log_path.exists():
        with log_path.open("w", newline="") as f:
            csv.writer(f).writerow(fields)
    else:
        _keep_rows_through(log_path, start_epoch)

    summary: dict[str, Any] = {}
    fingerprint = data_fingerprint(args)
    clock.start(already=spent)
    for epoch in range(start_epoch, args.epochs):
        if clock.spent():
            done = f"{epoch} epoch{'' if epoch == 1 else 's'}"  # "after 1 epochs" read badly
            log(f"time budget of {args.minutes} min spent after {done}")
            break
        _seed_epoch(args.seed, epoch, layering)
        t0 = time.time()
        loss = train_one_epoch(
            model,
            train_loader,
            criterion,
            optimizer,
            scheduler,
            device,
            args.amp,
            teacher,
            args.distill_weight,
        )
        summary = evaluate(model, val_loader, args.classes, device).summary(names)
        seconds = time.time() - t0
        ious: dict[str, float] = summary["iou"]  # type: ignore[assignment]
        mean_iou = float(summary["mean_garment_iou"] or 0.0)  # type: ignore[arg-type]
        with log_path.open("a", newline="") as f:
            csv.writer(f).writerow(
                [
                    epoch + 1,  # counted from 1, as the lines printed and config.json do
                    f"{loss:.4f}",
                    *[ious[n] for n in names],
                    mean_iou,
                    summary["pixel_accuracy"],
                    f"{seconds:.0f}",
                ]
            )
        log(
            f"epoch {epoch + 1}/{args.epochs} loss {loss:.4f} val IoU {ious} "
            f"mean {mean_iou:.4f} ({seconds:.0f}s)"
        )
        if mean_iou > best:
            best = mean_iou
            config.training = {
                "data": "CCP (Clothing Co-Parsing, Apache-2.0), train.txt",
                "args": _settings(args),
                "epoch": epoch + 1,
            }
            # The data folder with the split: "val.txt" alone matched any folder's, and
            # `evaluate --record` of another folder replaced these figures unasked.
            config.metrics = {
                "data": str(data_dir.resolve()),
                "split": "val.txt",
                "photos": len(val_stems),  # as evaluate records it, and says it back
                "resolution": list(args.size),
                **summary,
            }
            save_model(model, config, out / "best")
        torch.save(
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "epoch": epoch,
                "best": best,
                "args": _settings(args),
                "data_fingerprint": fingerprint,
                "seconds": clock.elapsed(),
            },
            checkpoint_path.with_suffix(".tmp"),
        )
        checkpoint_path.with_suffix(".tmp").replace(checkpoint_path)
        _plot(log_path, out / "curves.png")
    # "last": None where no epoch ran this time (resumed past --epochs, the budget spent):
    # it was {}, an object without the keys a script reads in "last" of a run that trained.
    last = summary or None
    return {"best_mean_garment_iou": best, "last": last, "model": str(out / "best")}
