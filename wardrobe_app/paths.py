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


def resources_dir(package_dir: Path = PACKAGE_DIR) -> Path:
    """The models and icons: inside the package where it was installed from a wheel
    (``wardrobe_app/resources``, see pyproject.toml), else beside it, as in the source
    tree, an editable install and the PyInstaller bundle."""
    inside = package_dir / "resources"
    return inside if inside.is_dir() else package_dir.parent / "resources"


RESOURCES_DIR = resources_dir()
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


def wardrobe_holding(path: Path) -> Path | None:
    """The wardrobe whose stored files (``files/``) hold ``path``, if any: a wardrobe
    there would have its files swept as unused by the other one."""
    for folder in (path, *path.parents):
        if folder.name == "files" and database_path(folder.parent).is_file():
            return folder.parent
    return None


def wardrobe_around(path: Path) -> Path | None:
    """The data folder of the wardrobe that ``path`` is strictly inside, if any (its
    ``index/``, say): a wardrobe there is the other one's to sweep, back up or replace."""
    for folder in path.parents:
        if database_path(folder).is_file():
            return folder
    return None


def nested_problem(path: Path) -> str | None:
    """Why the resolved ``path`` cannot be a data folder for lying inside another
    wardrobe's, in words to follow its name; or None."""
    holder = wardrobe_holding(path)
    if holder is not None:
        return (
            f"is inside the stored files of the wardrobe in {holder}: choose a folder outside them"
        )
    holder = wardrobe_around(path)
    if holder is not None:
        return f"is inside the data folder of the wardrobe in {holder}: choose a folder outside it"
    return None


def wardrobe_problem(path: Path) -> str | None:
    """Why the resolved ``path`` is no place for files of other programs (an export,
    label maps, a training run): it is a wardrobe's data folder or inside one, in words
    to follow its name; or None. Written there, they would be left out of its backups,
    swept with its stored files, or mixed into a backup's copy."""
    if database_path(path).is_file():
        return f"is the data folder of the wardrobe in {path}: choose a folder outside it"
    return nested_problem(path)


def env_home_problem() -> str | None:
    """Why the folder ``$WARDROBE_HOME`` names cannot be a data folder for lying inside
    another wardrobe's, in a sentence that names the variable; or None. ``--data-dir``
    and Settings refuse such a folder; the variable, set in a shell's profile, is the
    one a user forgets."""
    value = os.environ.get(ENV_HOME)
    if not value:  # empty: no name (chosen_home() takes the default)
        return None
    nested = nested_problem(Path(value).expanduser().resolve())
    return f"${ENV_HOME} {value} {nested}" if nested is not None else None


def data_folder_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a wardrobe's data folder, or None: it must be a full path
    (a relative one would follow the folder the app was started from), a folder or
    nothing yet, not inside another wardrobe's data folder, and writable (or creatable:
    its nearest existing parent writable). Nothing is created by asking."""
    if not path.expanduser().is_absolute():
        return f"{path} is not a full path: give the whole path, starting at the root or ~"
    try:
        path = path.expanduser().resolve()
        if path.exists() and not path.is_dir():
            return f"{path} is a file, not a folder"
        nested = nested_problem(path)
        if nested is not None:
            return f"{path} {nested}"
        existing = next(p for p in (path, *path.parents) if p.exists())
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            return f"{path} cannot be made or written: {existing} is not writable"
    except OSError as exc:  # a parent that cannot be searched
        return f"{path} cannot be used: {exc.strerror or exc}"
    return None


def set_data_home(path: str | os.PathLike[str]) -> Path:
    """Point the app at another data folder (``--data-dir``), without creating it: a
    mistyped or unmounted path must not become an empty wardrobe (``data_home()``
    creates it where that is meant)."""
    os.environ[ENV_HOME] = str(Path(path).expanduser().resolve())
    return chosen_home()


def database_path(home: Path | None = None) -> Path:
    return (home or data_home()) / "wardrobe.sqlite3"


def files_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "files"


def index_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / "index"


def log_path(home: Path | None = None) -> Path:
    return (home or data_home()) / "wardrobe.log"
