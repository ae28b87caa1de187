"""Packaging: what the wheel and the sdist hold, an installed wheel finding its models and
icons, and the PyInstaller bundle's smoke test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from wardrobe_app import paths

REPO_DIR = Path(__file__).resolve().parents[2]
# pyproject.toml's build requirement (its SPDX licence); the builds here are not isolated.
OLD_SETUPTOOLS = int(version("setuptools").split(".")[0]) < 77
needs_setuptools = pytest.mark.skipif(OLD_SETUPTOOLS, reason="needs setuptools >= 77")


# setuptools' state from earlier builds (and what is too big to copy): its egg-info's
# SOURCES.txt puts every file it lists into the next sdist, and a wheel takes whatever is
# in build/lib, so that a build in the checkout passed with resources/ gone from the
# package data in pyproject.toml once an earlier build had held it.
NOT_COPIED = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*_cache")
TOO_BIG = ("runs", "cache", "shared", ".gl", "gpu")  # runs, data sets (see .gitignore)


def build_sdist(out: Path) -> Path:
    """The sdist of a clean copy of the checkout, made in ``out``; the copy holds a run
    folder, a cache and a virtual environment, which the sdist must leave out."""
    source = out / "checkout"
    not_copied = shutil.ignore_patterns(*NOT_COPIED, *TOO_BIG)
    shutil.copytree(REPO_DIR, source, symlinks=True, ignore=not_copied)
    for name in ("runs/a/weights.pt", "cache/ccp.npz", ".venv/pyvenv.cfg", "shared/data/a.jpg"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(b"")
    make = "import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))"
    build = subprocess.run(
        [sys.executable, "-c", make, str(out)],
        capture_output=True, text=True, cwd=source, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    return out / build.stdout.split()[-1]


def test_resources_are_looked_for_inside_the_package_then_beside_it(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "wardrobe_app"
    package.mkdir(parents=True)
    assert paths.resources_dir(package) == tmp_path / "site-packages" / "resources"
    (package / "resources").mkdir()  # installed from a wheel
    assert paths.resources_dir(package) == package / "resources"
    # The source tree (and an editable install) uses resources/ beside the package.
    assert paths.RESOURCES_DIR == REPO_DIR / "resources"


def test_pyproject_lists_every_package() -> None:
    config = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        ".".join(p.parent.relative_to(REPO_DIR).parts)
        for p in (REPO_DIR / "wardrobe_app").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert on_disk | {"wardrobe_app.resources"} == set(config["packages"])
    assert config["package-dir"]["wardrobe_app.resources"] == "resources"


@pytest.mark.slow
@needs_setuptools
def test_the_wheel_holds_the_models_icons_and_migrations_and_finds_them(tmp_path: Path) -> None:
    # From the sdist, as `python -m build` makes it (not in the checkout: NOT_COPIED).
    safe: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with tarfile.open(build_sdist(tmp_path / "sdist")) as sdist:
        sdist.extractall(tmp_path / "src", **safe)
    (source,) = (tmp_path / "src").iterdir()
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
         "--no-build-isolation", "-q", "-w", str(tmp_path / "dist")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if build.returncode != 0 and "No module named" in build.stderr:
        pytest.skip(f"cannot build a wheel here: {build.stderr.strip()[-200:]}")
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("wardrobe_app-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for model in ("segmenter", "embedder"):
        for name in ("config.json", "weights.pt", "MODEL.md"):
            assert f"wardrobe_app/resources/models/{model}/{name}" in names
    assert "wardrobe_app/resources/icons/io.github.wardrobe.Wardrobe.svg" in names
    assert "wardrobe_app/store/alembic.ini" in names
    assert "wardrobe_app/store/migrations/versions/0001_initial.py" in names
    assert not any(n.startswith(("resources/", "tests/", "runs/")) for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)  # Apache-2.0, 4(a)

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "from wardrobe_app import paths; "
        "print(paths.DEFAULT_SEGMENTER); print(paths.DEFAULT_EMBEDDER); "
        "print(paths.RESOURCES_DIR / 'icons')"
    )
    # -S: not the editable install of the venv (its .pth); the wheel's files and the
    # one library paths.py needs.
    search = [str(site), str(Path(platformdirs.__file__).parents[1])]
    out = subprocess.run(
        [sys.executable, "-S", "-c", f"import sys; sys.path[:0] = {search!r}; {probe}"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, check=True,
    ).stdout.split()  # fmt: skip
    segmenter, embedder, icons = map(Path, out)
    assert segmenter.is_relative_to(site) and (segmenter / "config.json").is_file()
    assert (embedder / "weights.pt").is_file()
    assert (icons / "io.github.wardrobe.Wardrobe.png").is_file()


FAKE_APP = """#!/usr/bin/env bash
# Stands in for the frozen app: stores GARMENTS garments in --data-dir, then waits.
mkdir -p "$2"
python3 -c "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); \\
db.execute('CREATE TABLE garments (id INTEGER)'); \\
db.executemany('INSERT INTO garments VALUES (?)', [(i,) for i in range(GARMENTS)]); \\
db.commit()" "$2/wardrobe.sqlite3"
exec sleep 30
"""


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
@pytest.mark.parametrize(("garments", "said"), [(1, "1 garment"), (2, "2 garments")])
def test_the_bundle_smoke_test_passes_and_leaves_nothing_behind(
    tmp_path: Path, garments: int, said: str
) -> None:
    app = tmp_path / "wardrobe"
    app.write_text(FAKE_APP.replace("GARMENTS", str(garments)))
    app.chmod(0o755)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"not read by the fake app")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "WAIT": "20", "DISPLAY_NUM": "151"}
    result = subprocess.run(
        ["bash", str(REPO_DIR / "packaging" / "smoke_test_bundle.sh"), str(app), str(photo)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # Counted as the CLI counts (cli/text.py): it said "stored 1 garment(s)".
    assert f"OK: the frozen app stored {said} from photo.jpg" in result.stdout
    assert list(scratch.iterdir()) == []  # its data folder, settings and logs removed


@pytest.mark.slow
@needs_setuptools
def test_the_sdist_holds_what_a_packager_needs_and_no_data(tmp_path: Path) -> None:
    with tarfile.open(build_sdist(tmp_path)) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    for needed in (
        "LICENSE",
        "README.md",
        "resources/models/segmenter/weights.pt",
        "resources/models/embedder/config.json",
        "resources/icons/io.github.wardrobe.Wardrobe.svg",
        "packaging/io.github.wardrobe.Wardrobe.desktop",
        "packaging/io.github.wardrobe.Wardrobe.metainfo.xml",
        "packaging/wardrobe.spec",
        "tests/conftest.py",
        "tests/integration/test_packaging.py",
        "wardrobe_app/store/migrations/versions/0001_initial.py",
    ):
        assert needed in names, needed
    unwanted = (".venv/", ".git/", "runs/", "cache/", "build/", "dist/", "shared/")
    assert not [n for n in names if n.startswith(unwanted) or n.endswith(".pyc")]
    assert not [n for n in names if "__pycache__" in n]
