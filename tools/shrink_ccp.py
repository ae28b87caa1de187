"""Copy CCP at a smaller size, in CCP's own layout, to carry to a lent GPU machine.

    python tools/shrink_ccp.py ../shared/data/ccp gpu/ccp --size 480x320

Photos are resized with area averaging and stored as JPEG; label maps with nearest
neighbour as PNG (fine labels kept, so the class mapping still comes from labels.json).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import cv2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--size", default="480x320", help="HxW")
    parser.add_argument("--quality", type=int, default=92)
    args = parser.parse_args()
    h, w = (int(v) for v in args.size.lower().split("x"))
    (args.target / "images").mkdir(parents=True, exist_ok=True)
    (args.target / "labels").mkdir(parents=True, exist_ok=True)
    for name in ["labels.json", "train.txt", "val.txt", "LICENSE", "README.md"]:
        if (args.source / name).exists():
            shutil.copy(args.source / name, args.target / name)
    for label_path in sorted((args.source / "labels").glob("*.png")):
        stem = label_path.stem
        photo = cv2.imread(str(args.source / "images" / f"{stem}.jpg"), cv2.IMREAD_COLOR)
        labels = cv2.imread(str(label_path), cv2.IMREAD_UNCHANGED)
        if photo is None or labels is None:
            raise SystemExit(f"unreadable sample {stem}")
        photo = cv2.resize(photo, (w, h), interpolation=cv2.INTER_AREA)
        labels = cv2.resize(labels, (w, h), interpolation=cv2.INTER_NEAREST)
        cv2.imwrite(
            str(args.target / "images" / f"{stem}.jpg"),
            photo,
            [cv2.IMWRITE_JPEG_QUALITY, args.quality],
        )
        cv2.imwrite(
            str(args.target / "labels" / f"{stem}.png"), labels, [cv2.IMWRITE_PNG_COMPRESSION, 9]
        )


if __name__ == "__main__":
    main()
