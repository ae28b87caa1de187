"""File names that are not UTF-8, as Qt's file dialogs give them (U+FFFD for each odd
byte): found again on the disk, and shown with their bytes escaped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wardrobe_app.ui.odd_names import real_path, shown_name

pytestmark = pytest.mark.skipif(os.name != "posix", reason="names are bytes on POSIX only")


def _odd(folder: Path, name: bytes) -> Path:
    """``folder``/``name``, a file whose name is these bytes."""
    path = Path(os.fsdecode(os.fsencode(folder) + b"/" + name))
    path.write_bytes(b"x")
    return path


def test_a_name_from_a_file_dialog_is_found_by_its_bytes(tmp_path: Path) -> None:
    # Imported from "Import photos…", caf\xe9.jpg failed: "no such file".
    real = _odd(tmp_path, b"caf\xe9.jpg")
    assert real_path(f"{tmp_path}/caf\ufffd.jpg") == real
    (tmp_path / "plain.jpg").write_bytes(b"x")  # a name Qt gives right stays as given
    assert real_path(f"{tmp_path}/plain.jpg") == tmp_path / "plain.jpg"


def test_a_folder_whose_name_is_not_utf8_is_found_too(tmp_path: Path) -> None:
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/f\xf6tos"))
    folder.mkdir()
    real = _odd(folder, b"\xe9t\xe9.jpg")
    assert real_path(f"{tmp_path}/f\ufffdtos/\ufffdt\ufffd.jpg") == real
    assert real_path(f"{tmp_path}/f\ufffdtos") == folder  # "Import folder…"


def test_two_names_that_could_be_meant_are_not_guessed_between(tmp_path: Path) -> None:
    _odd(tmp_path, b"caf\xe9.jpg")
    _odd(tmp_path, b"caf\xe8.jpg")
    given = f"{tmp_path}/caf\ufffd.jpg"
    assert real_path(given) == Path(given)  # the import says it is not there
    assert real_path(f"{tmp_path}/gone/caf\ufffd.jpg") == Path(f"{tmp_path}/gone/caf\ufffd.jpg")


def test_a_name_is_shown_with_its_odd_byte_escaped() -> None:
    assert shown_name(os.fsdecode(b"caf\xe9.jpg")) == "caf\\xe9.jpg"
    assert shown_name("café.jpg") == "café.jpg"
