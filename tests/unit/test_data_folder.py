"""Which folders can be a wardrobe's data folder (Settings and start-up ask this)."""

from __future__ import annotations

from pathlib import Path

from wardrobe_app.paths import data_folder_problem


def test_a_new_or_existing_folder_is_fine_and_nothing_is_made_by_asking(tmp_path: Path) -> None:
    assert data_folder_problem(tmp_path) is None
    new = tmp_path / "not" / "yet"
    assert data_folder_problem(new) is None
    assert not (tmp_path / "not").exists()  # a typo corrected later leaves no folders


def test_folders_that_cannot_be_a_data_folder_are_named(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert "is a file, not a folder" in (data_folder_problem(a_file) or "")
    assert "cannot be made or written" in (data_folder_problem(a_file / "sub") or "")
    assert "is not a full path" in (data_folder_problem(Path("relative/wardrobe")) or "")
    wardrobe = tmp_path / "home"
    (wardrobe / "files" / "ab").mkdir(parents=True)
    (wardrobe / "wardrobe.sqlite3").write_bytes(b"")
    for inside in (wardrobe / "files", wardrobe / "files" / "ab" / "new"):
        assert "inside the stored files of the wardrobe" in (data_folder_problem(inside) or "")
    # anywhere else inside it too: its index/ was taken for a new wardrobe's folder
    (wardrobe / "index").mkdir()
    for inside in (wardrobe / "index", wardrobe / "index" / "x", wardrobe / "new" / "deeper"):
        assert f"inside the data folder of the wardrobe in {wardrobe}" in (
            data_folder_problem(inside) or ""
        )
    assert data_folder_problem(wardrobe) is None  # the wardrobe's own folder is fine
