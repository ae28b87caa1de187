"""packaging/screenshots.py, the README's screenshots, run end to end on synthetic photos
with the fake analyser: later GUI changes broke it unseen (nothing else runs it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SHOTS = {
    "main.png": (1360, 860),
    "review.png": (1180, 760),
    "garment.png": (1360, 860),
    "touch-up.png": (960, 800),
    "own-this.png": (1240, 780),
}


def test_screenshots_script_saves_every_screenshot(tmp_path, photos):
    folder = photos(7)[0].parent  # 4 for the wardrobe, one reviewed, one for own-this
    out = tmp_path / "shots"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="1")
    env.pop("WARDROBE_HOME", None)  # the script makes its own, in a temporary folder
    scratch = tmp_path / "tmp"  # the temporary folder it uses, left empty at its end
    scratch.mkdir()
    env["TMPDIR"] = str(scratch)
    script = ROOT / "packaging" / "screenshots.py"
    args = ["--analyser", "fake", "--photos", str(folder), "--count", "4", "--out", str(out)]
    run = subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert list(scratch.iterdir()) == []  # its scratch wardrobe removed
    for name, (width, height) in SHOTS.items():
        image = QImage(str(out / name))
        assert (image.width(), image.height()) == (width, height), name
    # The first import selected its first garment, out of sight by the end: the main
    # window's Delete was on with no card seen selected.
    assert "main.png: 0 selected" in run.stdout, run.stdout
