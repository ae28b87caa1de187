"""The user's preferences (QSettings), typed."""

from __future__ import annotations

from pathlib import Path
from typing import Generic, Literal, TypeVar

from PySide6.QtCore import QByteArray, QSettings, QSize

DeviceChoice = Literal["auto", "cpu", "cuda"]
DEVICE_CHOICES: tuple[DeviceChoice, ...] = ("auto", "cpu", "cuda")
ThemeChoice = Literal["system", "light", "dark"]
THEME_CHOICES: tuple[ThemeChoice, ...] = ("system", "light", "dark")
C = TypeVar("C", bound=str)
ORGANIZATION = "Wardrobe"
APPLICATION = "Wardrobe"


class _Text:
    """A text preference of ``AppSettings``: one key, and its value where none is set."""

    def __init__(self, key: str, default: str = "") -> None:
        self.key, self.default = key, default

    def __get__(self, settings: AppSettings, owner: type | None = None) -> str:
        return str(settings.qsettings.value(self.key, self.default))

    def __set__(self, settings: AppSettings, value: str) -> None:
        settings.qsettings.setValue(self.key, value)


class _Choice(Generic[C]):
    """A preference that is one of ``choices``; the first where none (or another) is set."""

    def __init__(self, key: str, choices: tuple[C, ...]) -> None:
        self.key, self.choices = key, choices

    def __get__(self, settings: AppSettings, owner: type | None = None) -> C:
        value = str(settings.qsettings.value(self.key, self.choices[0]))
        return next((c for c in self.choices if c == value), self.choices[0])

    def __set__(self, settings: AppSettings, value: C) -> None:
        settings.qsettings.setValue(self.key, value)


class AppSettings:
    """Reads and writes the preferences; each property is one key."""

    device = _Choice("model/device", DEVICE_CHOICES)  # where the models run
    theme = _Choice("look/theme", THEME_CHOICES)  # light, dark, or as the system

    # The folder the last photos were imported from.
    last_folder = _Text("import/lastFolder")
    # Where "Do I already own this?" last found a photo (shop photos, not imports).
    own_this_folder = _Text("ownThis/lastFolder")
    # The folder the wardrobe was last exported to (exports are usually made again to
    # the same place, which an export updates).
    export_folder = _Text("export/lastFolder")
    # The folder the last backup was made in (each backup is a new dated folder in it).
    backup_folder = _Text("backup/lastFolder")
    # The grid's order, a key of ``filter_bar.SORTS`` ("date", "colour", ...).
    sort = _Text("browse/sort", "date")

    def __init__(self, settings: QSettings | None = None) -> None:
        if settings is None:
            # the default format (tests and screenshots point it at a temporary folder)
            settings = QSettings(
                QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
            )
        self._s = settings

    @property
    def qsettings(self) -> QSettings:
        return self._s

    def _bool(self, key: str, default: bool) -> bool:
        value = self._s.value(key, default)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)

    @property
    def review_before_saving(self) -> bool:
        return self._bool("import/review", True)

    @review_before_saving.setter
    def review_before_saving(self, on: bool) -> None:
        self._s.setValue("import/review", bool(on))

    @property
    def data_dir(self) -> Path | None:
        value = self._s.value("data/dir", "")
        return Path(str(value)) if value else None

    @data_dir.setter
    def data_dir(self, path: Path | None) -> None:
        self._s.setValue("data/dir", str(path) if path else "")

    @property
    def similar_any_category(self) -> bool:
        return self._bool("browse/similarAnyCategory", False)

    @similar_any_category.setter
    def similar_any_category(self, on: bool) -> None:
        self._s.setValue("browse/similarAnyCategory", bool(on))

    @property
    def review_size(self) -> QSize | None:
        """The review's size when last closed (None: its first size)."""
        value = self._s.value("review/size")
        return value if isinstance(value, QSize) and value.isValid() else None

    @review_size.setter
    def review_size(self, size: QSize) -> None:
        self._s.setValue("review/size", size)

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self._s.value("window/geometry")
        state = self._s.value("window/state")
        return (
            geometry if isinstance(geometry, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self._s.setValue("window/geometry", geometry)
        self._s.setValue("window/state", state)

    def sync(self) -> None:
        self._s.sync()
