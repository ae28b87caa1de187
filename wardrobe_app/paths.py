"""Every path the app uses, resolved in one place.

One override: ``WARDROBE_HOME`` (or ``--data-dir``, which sets it) replaces the
platform's user data folder. Tests use it for a temporary home.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Wardrobe"
ENV_HOME = "WARDROBE_HOME"

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
RESOURCES_DIR = REPO_DIR / "resources"
MODELS_DIR = RESOURCES_DIR / "models"
DEFAULT_SEGMENTER = MODELS_DIR / "segmenter"
DEFAULT_EMBEDDER = MODELS_DIR / "embedder"
SHARED_DATA_DIR = REPO_DIR.parent / "shared" / "data"


def chosen_home() -> Path:
    """The wardrobe's data folder as configured, without creating it."""
    override = os.environ.get(ENV_HOME)
    return Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME))


def data_home() -> Path:
    """The wardrobe's data folder (created on first use)."""
    home = chosen_home()
    home.mkdir(parents=True, exist_ok=True)
    return home


def set_data_home(path: str | os.PathLike[str]) -> Path:
    """Point the app at another data folder (``--data-dir``)."""
    os.environ[ENV_HOME] = str(Path(path).expanduser().resolve())
    return data_home()


def database_path(home: Path | None = None) -> Path:
    return (home or data_home()) / "wardrobe.sqlite3"


def files_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "files"


def index_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "index"


def log_path(home: Path | None = None) -> Path:
    return (home or data_home()) / "wardrobe.log"
