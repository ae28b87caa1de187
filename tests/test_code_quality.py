"""ruff and mypy stay clean; only the ui package imports Qt."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "wardrobe_app"


def test_only_the_ui_package_imports_qt() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "ui" in path.relative_to(PACKAGE).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"Qt imported outside wardrobe_app/ui: {offenders}"


def test_core_imports_without_qt() -> None:
    code = (
        "import sys, wardrobe_app.service, wardrobe_app.cli, wardrobe_app.vision.pipeline; "
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.slow
def test_ruff_is_clean() -> None:
    if shutil.which("ruff") is None:
        pytest.skip("ruff not installed (pip install -e '.[dev]')")
    result = subprocess.run(["ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    if shutil.which("mypy") is None:
        pytest.skip("mypy not installed (pip install -e '.[dev]')")
    result = subprocess.run(["mypy"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_no_block_is_left_empty_by_a_move() -> None:
    # Moving code out of a module (the main window's split) left ``if TYPE_CHECKING:
    # pass`` behind: an import block with nothing in it, which no linter flags.
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.If) and all(isinstance(n, ast.Pass) for n in node.body):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"an if with only pass: {offenders}"
