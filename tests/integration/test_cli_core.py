"""``wardrobe-cli`` core commands in-process (fake analyser): output contracts, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fakes import FakeAnalyser, ScriptedEmbedder, make_photo, without_write_override

from wardrobe_app import paths, service
from wardrobe_app.cli import main
from wardrobe_app.services.importer import Importer
from wardrobe_app.services.naming import display_name
from wardrobe_app.services.vectors import Vectors
from wardrobe_app.store import sha256_file

TESTS_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = TESTS_DIR.parent

Run = Callable[..., tuple[int, str, str]]  # the ``cli`` fixture (tests/conftest.py)


@pytest.fixture
def batch(tmp_path: Path) -> dict[str, Path]:
    d = tmp_path / "batch"
    paths = {f"p{i}": make_photo(d / f"p{i}.jpg", i) for i in range(3)}
    paths["nested"] = make_photo(d / "sub" / "nested.png", 10, format="PNG")
    paths["copy"] = d / "sub" / "copy-of-p0.jpg"
    paths["copy"].write_bytes(paths["p0"].read_bytes())
    paths["bad"] = d / "broken.jpg"
    paths["bad"].write_bytes(b"\xff\xd8\xff\xe0 definitely not a jpeg")
    (d / "readme.txt").write_text("ignored: not an image suffix")
    return paths


def _check_garment(g: dict[str, object]) -> None:
    assert set(g) == {"id", "category", "area", "colours"}
    assert isinstance(g["id"], int) and isinstance(g["area"], int)
    assert g["category"] in ("top", "bottom", "one-piece")
    assert isinstance(g["colours"], list)
    for c in g["colours"]:
        assert isinstance(c, dict) and set(c) == {"name", "hex", "share"}


def test_import_json_contract(cli: Run, batch: dict[str, Path]) -> None:
    rc, out, err = cli("import", str(batch["p0"].parent), "--json")
    assert rc == 1  # the broken photo; the others were still imported
    doc = json.loads(out)  # stdout is exactly one JSON document
    assert set(doc) == {"imported", "duplicates", "failed", "cancelled", "left_out", "stopped"}
    assert doc["cancelled"] == []
    assert len(doc["imported"]) == 4
    for item in doc["imported"]:
        assert set(item) == {"photo_id", "path", "kind", "garments"}
        assert isinstance(item["photo_id"], int) and isinstance(item["path"], str)
        assert item["kind"] in ("outfit", "item")
        assert len(item["garments"]) == 2
        for g in item["garments"]:
            _check_garment(g)
    assert doc["duplicates"] == [
        {"path": str(batch["copy"]), "photo_id": doc["imported"][0]["photo_id"]}
    ]
    assert [set(f) for f in doc["failed"]] == [{"path", "error"}]
    assert doc["failed"][0]["path"] == str(batch["bad"])
    assert isinstance(doc["failed"][0]["error"], str) and doc["failed"][0]["error"]
    assert "\r" not in err and "%|" not in err  # no progress bar: stderr is no terminal

    # again: all duplicates (+ the broken file, still a failure)
    rc, out, _ = cli("import", str(batch["p0"].parent), "--json")
    doc = json.loads(out)
    assert rc == 1 and doc["imported"] == [] and len(doc["duplicates"]) == 5
    assert len(doc["failed"]) == 1
    # only duplicates: nothing went wrong
    rc, out, _ = cli("import", str(batch["p0"]), str(batch["copy"]), "--json")
    assert rc == 0 and len(json.loads(out)["duplicates"]) == 2


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_import_draws_its_progress_bar_on_a_terminal_only(
    cli: Run, home: Path, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Into a log or a pipe it wrote each state of the bar, carriage returns and all.
    rc, _, err = cli("import", str(batch["p0"]), str(batch["p1"]))
    assert rc == 0 and "\r" not in err and "%|" not in err
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["--data-dir", str(home), "import", str(batch["p2"])]) == 0
    assert "\r" in terminal.getvalue() and "1/1" in terminal.getvalue()


def test_export_draws_its_progress_bar_on_a_terminal_only(
    cli: Run, home: Path, batch: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It printed nothing until it was done: 15 s for 40,000 garments.
    cli("import", str(batch["p0"]), str(batch["p1"]))
    rc, out, err = cli("export", str(tmp_path / "piped"))
    assert rc == 0 and "exported 4 garments" in out
    assert "\r" not in err and "%|" not in err
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["--data-dir", str(home), "export", str(tmp_path / "shown")]) == 0
    assert "\r" in terminal.getvalue() and "0/4 [" in terminal.getvalue()  # of 4 garments


def test_import_all_failed_exits_1(cli: Run, batch: dict[str, Path], tmp_path: Path) -> None:
    rc, out, err = cli("import", str(batch["bad"]), str(tmp_path / "missing.jpg"), "--json")
    assert rc == 1
    doc = json.loads(out)
    assert doc["imported"] == [] and doc["duplicates"] == []
    assert [f["path"] for f in doc["failed"]] == [str(batch["bad"]), str(tmp_path / "missing.jpg")]
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    rc, out, err = cli("import", str(empty), "--json")
    empty_doc = {
        "imported": [],
        "duplicates": [],
        "failed": [],
        "cancelled": [],
        "left_out": [],
        "stopped": [],
    }
    assert rc == 1 and json.loads(out) == empty_doc  # the same keys as any import
    assert "no photos" in err


def test_a_bug_during_an_import_names_its_photo_and_reports_what_was_saved(
    cli: Run, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # It ended with the traceback alone: the photo it hit unnamed, the one saved before
    # it unsaid.
    # (An error that stops the import, not one photo's: the models failing part-way;
    # one photo's, even a bug, is its failed result, see test_import_faults.py.)
    real = Importer._analyse_for_import
    files = [batch["p0"], batch["p1"], batch["p2"]]

    def buggy(self: Importer, path: Path, kind: str) -> object:
        if path == batch["p1"]:
            raise RuntimeError("boom")
        return real(self, path, kind)  # type: ignore[arg-type]

    monkeypatch.setattr(Importer, "_analyse_for_import", buggy)
    rc, out, err = cli("import", *map(str, files))
    assert rc == 1
    assert "Imported 1 photo with 2 garments; 0 duplicates; 1 failed." in out
    assert f"FAILED {batch['p1']}: unexpected error: boom (see the log)" in out
    assert "RuntimeError: boom" in err and f"while importing {batch['p1']}" in err
    assert "stopped by that error: 1 photo not imported" in err
    # --json names the photos not reached (they were in no list of the document)
    monkeypatch.setattr(Importer, "_analyse_for_import", real)
    batch["p3"] = make_photo(batch["p0"].parent / "p3.jpg", 3)
    monkeypatch.setattr(Importer, "_analyse_for_import", buggy)
    rc, out, _ = cli("import", str(batch["p3"]), str(batch["p1"]), str(batch["p2"]), "--json")
    doc = json.loads(out)
    assert rc == 1 and doc["stopped"] == [str(batch["p2"])]
    assert [f["path"] for f in doc["failed"]] == [str(batch["p1"])]


def test_a_bug_at_one_photo_fails_it_and_the_import_goes_on(
    cli: Run,
    batch: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A bug in the duplicate check ended the whole import at that photo: the photos
    # after it were listed as stopped, not imported.
    real = Importer._photo_by_sha
    sha = sha256_file(batch["p1"])

    def buggy(self: Importer, digest: str) -> int | None:
        if digest == sha:
            raise RuntimeError("boom")
        return real(self, digest)

    monkeypatch.setattr(Importer, "_photo_by_sha", buggy)
    files = [str(batch[k]) for k in ("p0", "p1", "p2")]
    rc, out, err = cli("import", *files, "--json")
    doc = json.loads(out)
    assert rc == 1 and doc["stopped"] == [] and doc["cancelled"] == []
    assert [i["path"] for i in doc["imported"]] == [files[0], files[2]]
    said = f"{files[1]}: unexpected error: RuntimeError: boom (see the log)"
    assert doc["failed"] == [{"path": files[1], "error": said}]
    assert "stopped" not in err
    (logged,) = [r for r in caplog.records if r.exc_info]  # its traceback, for a bug report
    assert logged.getMessage() == f"import of {files[1]} failed"


def test_files_it_cannot_read_beside_photos_are_counted(cli: Run, tmp_path: Path) -> None:
    # A .dng or .psd beside photos was passed over without a word.
    folder = tmp_path / "mixed"
    make_photo(folder / "a.jpg", 1)
    for name in ("b.dng", "c.psd", "d.dng", "a.jpg.json", "a.xmp", "Thumbs.db"):
        (folder / name).write_bytes(b"not read")
    rc, out, err = cli("import", str(folder), "--json")
    doc = json.loads(out)
    assert rc == 0 and len(doc["imported"]) == 1
    assert doc["left_out"] == [str(folder / n) for n in ("b.dng", "c.psd", "d.dng")]
    assert "3 files left out: not photos Wardrobe reads (.dng, .psd)" in err
    rc, out, err = cli("import", str(folder))
    assert "3 files left out" in err and "3 files left out" not in out
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "x.cr2").write_bytes(b"not read")
    rc, out, err = cli("import", str(raw), "--json")
    assert rc == 1 and json.loads(out)["left_out"] == [str(raw / "x.cr2")]
    assert f"no photos found in {raw} (1 file left out: not a photo Wardrobe reads (.cr2))" in err


def test_import_no_garment_and_kind(cli: Run, tmp_path: Path) -> None:
    from PIL import Image

    blank = tmp_path / "blank.jpg"
    Image.new("RGB", (100, 100), (128, 128, 128)).save(blank)
    rc, out, err = cli("import", str(blank), "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["imported"][0]["garments"] == [] and doc["imported"][0]["kind"] == "outfit"
    assert "no garment" in err
    item = make_photo(tmp_path / "shirt.jpg", 5)
    rc, out, _ = cli("import", str(item), "--kind", "item", "--json")
    doc = json.loads(out)
    assert doc["imported"][0]["kind"] == "item"
    assert [g["category"] for g in doc["imported"][0]["garments"]] == ["one-piece"]


def test_import_human_summary_counts_the_photos_without_garments(cli: Run, tmp_path: Path) -> None:
    # Filed all the same (imported again, a duplicate): "Imported 2 photos with 1
    # garment" alone read as two photos of garments, one of them lost
    from PIL import Image

    folder = tmp_path / "in"
    folder.mkdir()
    Image.new("RGB", (100, 100), (128, 128, 128)).save(folder / "blank.jpg")
    make_photo(folder / "shirt.jpg", 5)
    rc, out, _ = cli("import", str(folder), "--kind", "item")
    assert rc == 0
    assert "Imported 2 photos with 1 garment (1 of them without garments); 0 duplicates" in out


def test_import_human_summary_of_photos_all_without_garments_says_so_once(
    cli: Run, tmp_path: Path
) -> None:
    # It read "Imported 1 photo with 0 garments (1 of them without garments)".
    from PIL import Image

    blank = tmp_path / "blank.jpg"
    Image.new("RGB", (100, 100), (128, 128, 128)).save(blank)
    rc, out, _ = cli("import", str(blank))
    assert rc == 0
    assert "Imported 1 photo without garments; 0 duplicates; 0 failed." in out


def test_import_human_summary(cli: Run, batch: dict[str, Path]) -> None:
    rc, out, _ = cli("import", str(batch["p0"]), str(batch["p1"]), str(batch["bad"]))
    assert rc == 1, "a failed photo shows in the exit status, after the others are done"
    assert "Imported 2 photos with 4 garments; 0 duplicates; 1 failed." in out
    assert "FAILED" in out and str(batch["bad"]) in out


def test_similar_json_contract(cli: Run, batch: dict[str, Path]) -> None:
    cli("import", str(batch["p0"].parent), "--json")
    rc, out, _ = cli("similar", "1", "2", "-k", "2", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert list(doc) == ["1", "2"]
    for key, hits in doc.items():
        assert len(hits) == 2
        for h in hits:
            assert set(h) == {"id", "score", "alike"}
            assert isinstance(h["id"], int) and isinstance(h["score"], float)
            assert h["alike"] is (h["score"] >= service.SIMILAR_FLOOR)
            assert h["id"] != int(key)
        assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    rc, out, _ = cli("similar", "1", "--json")
    same = json.loads(out)["1"]
    assert len(same) == 3  # the other tops
    rc, out, _ = cli("similar", "1", "--any-category", "--json")
    assert len(json.loads(out)["1"]) == 7
    rc, out, _ = cli("similar", "1")
    assert rc == 0 and "Similar to #1" in out


def test_similar_marks_the_less_alike_as_the_garment_page_does(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page shows the closest few under "less alike" where none passes the floor; the
    # CLI listed the k nearest with nothing to tell which ones the page calls similar.
    low = service.SIMILAR_FLOOR / 2  # with the first garment; low*low between the others
    monkeypatch.setattr(service, "ANALYSER_FACTORY", lambda: ScriptedEmbedder([low, low, 0.9]))
    for i in range(4):
        make_photo(tmp_path / "items" / f"item{i}.jpg", seed=i)
    assert cli("import", str(tmp_path / "items"), "--kind", "item")[0] == 0
    rc, out, _ = cli("similar", "1", "2", "3", "4", "--json")
    doc = json.loads(out)
    alike = {gid: [h["id"] for h in hits if h["alike"]] for gid, hits in doc.items()}
    assert rc == 0 and all(len(hits) == 3 for hits in doc.values())  # the k nearest, as before
    assert sorted(len(ids) for ids in alike.values()) == [0, 0, 1, 1]
    lonely = next(gid for gid, ids in alike.items() if not ids)
    paired = next(gid for gid, ids in alike.items() if ids)
    rc, out, _ = cli("similar", lonely)
    lines = out.splitlines()
    assert lines[1:3] == [
        "  (nothing similar yet)",
        f"  -- closest in your wardrobe, less alike (score under {service.SIMILAR_FLOOR}):",
    ]
    assert [int(line.split("#")[1].split()[0]) for line in lines[3:]] == [
        h["id"] for h in doc[lonely]
    ]
    rc, out, _ = cli("similar", paired)
    lines = out.splitlines()
    assert f"#{alike[paired][0]} " in lines[1]
    assert lines[2] == f"  -- less alike (score under {service.SIMILAR_FLOOR}):"
    assert len(lines) == 5


def test_similar_to_marks_the_less_alike_as_similar_does(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Do I already own this?" listed a match under the similar floor as it listed one
    # of 1.0 (the app shows only those at or above it), and --json did not tell them.
    low = service.SIMILAR_FLOOR / 2
    monkeypatch.setattr(service, "ANALYSER_FACTORY", lambda: ScriptedEmbedder([0.9, low]))
    for i in range(3):
        make_photo(tmp_path / "items" / f"item{i}.jpg", seed=i)
    assert cli("import", str(tmp_path / "items"), "--kind", "item")[0] == 0
    query = make_photo(tmp_path / "query.jpg", seed=7)  # the first's vector (a new script)
    rc, out, _ = cli("similar-to", str(query), "--kind", "item", "--json")
    hits = json.loads(out)["garments"][0]["similar"]
    assert rc == 0 and [(h["id"], h["alike"]) for h in hits] == [(1, True), (2, True), (3, False)]
    rc, out, _ = cli("similar-to", str(query), "--kind", "item")
    lines = out.splitlines()
    assert rc == 0 and len(lines) == 5 and "#3 " in lines[4]
    assert lines[3] == f"  -- less alike (score under {service.SIMILAR_FLOOR}):"


def test_similar_unknown_id(cli: Run, batch: dict[str, Path]) -> None:
    # An unknown id among others is said, exit 1, and the others are answered, as delete
    # does: `similar 1 999` printed "no garment 999" alone, and nothing of #1. With
    # --json, the document names it too ("errors" beside the hits), not stderr alone.
    cli("import", str(batch["p0"]), str(batch["p1"]), "--json")
    rc, out, err = cli("similar", "1", "999", "--json")
    alone = json.loads(cli("similar", "1", "--json")[1])
    assert rc == 1 and list(alone) == ["1"]
    assert json.loads(out) == alone | {"errors": ["no garment 999"]}
    assert err == "wardrobe-cli: error: no garment 999\n"
    rc, out, err = cli("similar", "999", "1", "998", "1")
    assert rc == 1 and out == cli("similar", "1")[1] and out.startswith("Similar to #1 ")
    assert err == "wardrobe-cli: error: no garment 999, 998\n"
    rc, out, err = cli("similar", "999", "--json")  # nothing done: the errors' document
    assert rc == 1 and json.loads(out) == {"errors": ["no garment 999"]}
    assert err == "wardrobe-cli: error: no garment 999\n"


def test_a_json_command_that_fails_still_writes_one_document(
    cli: Run, batch: dict[str, Path], home: Path, tmp_path: Path
) -> None:
    # `similar 99 --json`, `show 99 --json`... wrote nothing on stdout: a script parsing
    # it got a JSON error, not the reason. Now {"errors": [...]}, the lines said on
    # stderr, and the same exit status.
    cli("import", str(batch["p0"]), "--json")
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "something.txt").write_text("not a backup")
    failing = [
        (("show", "99"), 1),
        (("similar", "99", "98"), 1),
        (("similar-to", str(batch["bad"])), 1),
        (("import",), 2),
        (("backup", str(backup)), 2),
        (("evaluate", "--data", str(tmp_path / "no-data")), 2),
    ]
    for args, status in failing:
        rc, out, err = cli(*args, "--json")
        said = [line.removeprefix("wardrobe-cli: error: ") for line in err.splitlines()]
        assert rc == status and said, args
        assert json.loads(out) == {"errors": said}, args
        assert cli(*args)[:2] == (status, ""), args  # without --json: nothing on stdout
    # Refused by main() itself: a wardrobe's database that is no database.
    (home / "wardrobe.sqlite3").write_bytes(b"not a database" * 100)
    for command in ("list", "verify"):
        rc, out, err = cli(command, "--json")
        assert rc == 2 and err.startswith("wardrobe-cli: error: ")
        assert json.loads(out) == {"errors": [err.removeprefix("wardrobe-cli: error: ").strip()]}


def test_similar_to_json(cli: Run, batch: dict[str, Path], tmp_path: Path) -> None:
    cli("import", str(batch["p0"].parent), "--json")
    files_before = sorted((Path(os.environ["WARDROBE_HOME"]) / "files").rglob("*"))
    query = make_photo(tmp_path / "query.jpg", 77)
    rc, out, _ = cli("similar-to", str(query), "-k", "3", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["kind"] == "outfit" and len(doc["garments"]) == 2
    for g in doc["garments"]:
        assert len(g["similar"]) == 3 and {"id", "score", "alike"} == set(g["similar"][0])
    assert sorted((Path(os.environ["WARDROBE_HOME"]) / "files").rglob("*")) == files_before
    rc, _, err = cli("similar-to", str(batch["bad"]))
    assert rc == 1 and "broken.jpg" in err


def test_similar_to_a_photo_with_no_garment_found_exits_1_saying_why(
    cli: Run, batch: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing in it to compare: it exited 0, read by a script as "nothing like it in the
    # wardrobe", where a photo it cannot read and `similar 999` exit 1. (`import` files
    # such a photo, its work done: exit 0.) Why, on stderr and in the document's "errors".
    from PIL import Image

    from wardrobe_app.cli import build_parser

    cli("import", str(batch["p0"]), "--json")
    blank = tmp_path / "blank.jpg"
    Image.new("RGB", (100, 100), (128, 128, 128)).save(blank)
    said = f"{blank}: no garment found"
    rc, out, err = cli("similar-to", str(blank), "--json")
    assert rc == 1 and err == f"wardrobe-cli: error: {said}\n"
    doc = json.loads(out)
    assert doc["garments"] == [] and doc["in_wardrobe"] == [] and doc["errors"] == [said]
    assert cli("similar-to", str(blank)) == (1, "", err)  # stdout: data, none
    rc, out, _ = cli("similar-to", str(batch["p1"]), "--json")  # garments found: no errors
    assert rc == 0 and "errors" not in json.loads(out) and json.loads(out)["garments"]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["similar-to", "--help"])
    helped = " ".join(capsys.readouterr().out.split())
    assert '"errors" beside them where no garment is found (exit 1)' in helped


def test_similar_to_a_photo_already_filed_says_it_is_this_very_photo(
    cli: Run, batch: dict[str, Path], tmp_path: Path
) -> None:
    # Its own garments headed the matches at 1.0, said as of another photo of them.
    rc, out, _ = cli("import", str(batch["p0"]), "--json")
    ids = sorted(g["id"] for r in json.loads(out)["imported"] for g in r["garments"])
    assert rc == 0 and ids
    copy = tmp_path / "renamed copy.jpg"  # the same photo by content
    copy.write_bytes(batch["p0"].read_bytes())
    rc, out, err = cli("similar-to", str(copy), "--json")
    assert rc == 0 and sorted(json.loads(out)["in_wardrobe"]) == ids
    assert f"{copy}: this very photo is already in the wardrobe (garment" in err
    rc, out, err = cli("similar-to", str(batch["p1"]), "--json")  # not filed
    assert rc == 0 and json.loads(out)["in_wardrobe"] == [] and "very photo" not in err


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes, tty: bool = False) -> None:
    """``data`` on stdin (a pipe), or a terminal with ``tty``."""
    stream = io.TextIOWrapper(io.BytesIO(data))
    monkeypatch.setattr(stream, "isatty", lambda: tty)
    monkeypatch.setattr(sys, "stdin", stream)


def test_similar_to_reads_a_photo_piped_in_as_dash(
    cli: Run, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `curl URL | wardrobe-cli similar-to -` said "-: no such file".
    cli("import", str(batch["p0"]), str(batch["p1"]))
    _, by_path, _ = cli("similar-to", str(batch["p2"]), "--json")
    stdin_of(monkeypatch, batch["p2"].read_bytes())
    rc, out, _ = cli("similar-to", "-", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["path"] == "-"
    assert doc["garments"] == json.loads(by_path)["garments"] and doc["garments"]
    stdin_of(monkeypatch, b"no photo at all")
    rc, out, err = cli("similar-to", "-")
    assert rc == 1 and out == "" and err.startswith("wardrobe-cli: error: stdin: not an image")
    stdin_of(monkeypatch, b"", tty=True)  # nothing piped in: it would wait for typing
    rc, _, err = cli("similar-to", "-")
    assert rc == 2 and "pipe one in" in err


def test_import_reads_the_paths_listed_in_a_file_or_stdin(
    cli: Run, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # `find ... | wardrobe-cli import -` had no way in but xargs (and its split runs).
    stdin_of(monkeypatch, f"{batch['p0']}\n\n{batch['p1']}\n".encode())
    rc, out, _ = cli("import", "--from-file", "-", "--json")
    assert rc == 0 and len(json.loads(out)["imported"]) == 2
    odd = make_photo(tmp_path / "odd\nname.jpg", 40)  # -0: a name with a newline
    (tmp_path / "list").write_bytes(f"{odd}\0{batch['p2']}\0".encode())
    rc, out, _ = cli("import", "--from-file", str(tmp_path / "list"), "-0", "--json")
    assert rc == 0 and [i["path"] for i in json.loads(out)["imported"]] == [
        str(odd),
        str(batch["p2"]),
    ]
    stdin_of(monkeypatch, b"")
    rc, _, err = cli("import", "--from-file", "-")
    assert rc == 1 and "no photos found in the paths listed in stdin" in err
    rc, _, err = cli("import", "-")  # paths, or a photo's bytes? It says which to use.
    assert rc == 2 and "--from-file -" in err
    rc, _, err = cli("import")
    assert rc == 2 and "--from-file" in err


def test_a_list_that_starts_with_a_byte_order_mark_is_read(
    cli: Run, batch: dict[str, Path], tmp_path: Path
) -> None:
    # Notepad's UTF-8, Windows line ends: the first path was "\ufeff...: no such file".
    listed = tmp_path / "list.txt"
    listed.write_bytes(f"\ufeff{batch['p0']}\r\n{batch['p1']}\r\n".encode())
    rc, out, _ = cli("import", "--from-file", str(listed), "--json")
    doc = json.loads(out)
    assert rc == 0 and not doc["failed"]
    assert [i["path"] for i in doc["imported"]] == [str(batch["p0"]), str(batch["p1"])]


def test_a_list_with_nul_bytes_without_dash_0_is_one_error_line(
    cli: Run, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    # `find -print0 | import --from-file -` without -0, or a photo given as the list:
    # each entry was "unexpected error: ValueError: embedded null byte" and a traceback.
    stdin_of(monkeypatch, f"{batch['p0']}\0{batch['p1']}\0".encode())
    rc, out, err = cli("import", "--from-file", "-", "--json")
    assert rc == 2 and list(json.loads(out)) == ["errors"] and "Traceback" not in err
    assert err == (
        "wardrobe-cli: error: --from-file stdin holds NUL bytes: it is no list of paths, "
        "one a line (for paths ending with NUL, as find -print0 writes them, add -0)\n"
    )
    rc, out, err = cli("import", "--from-file", str(batch["p0"]))
    assert rc == 2 and not out and err.count("\n") == 1 and "holds NUL bytes" in err
    assert not paths.database_path(home).exists()  # refused before any work


def test_list_show_delete_export_reindex(cli: Run, batch: dict[str, Path], tmp_path: Path) -> None:
    cli("import", str(batch["p0"].parent), "--json")
    rc, out, _ = cli("list", "--json")
    items = json.loads(out)
    assert rc == 0 and len(items) == 8
    assert {"id", "category", "colours", "tags", "cutout_path", "photo_path"} <= set(items[0])
    rc, out, _ = cli("list", "--category", "bottom", "--json")
    assert {i["category"] for i in json.loads(out)} == {"bottom"}
    colour = items[0]["colours"][0]["name"]
    rc, out, _ = cli("list", "--colour", colour, "--json")
    assert all(colour in [c["name"] for c in i["colours"]] for i in json.loads(out))
    rc, out, _ = cli("list")
    assert rc == 0 and len(out.strip().splitlines()) == 8

    rc, out, _ = cli("show", "1")
    assert rc == 0 and "cut-out:" in out and "colours:" in out and "tags:" in out
    assert ".png" in out and "worn with:" in out
    rc, out, _ = cli("show", "1", "--json")
    assert json.loads(out)["worn_with"] == [2]
    rc, _, err = cli("show", "424242")
    assert rc == 1 and "424242" in err

    rc, out, err = cli("delete", "1", "2", "555")
    assert rc == 1 and "555" in err and "deleted 2" in out
    rc, out, _ = cli("list", "--json")
    assert {i["id"] for i in json.loads(out)}.isdisjoint({1, 2})
    rc, _, err = cli("similar", "1")
    assert rc == 1

    rc, out, _ = cli("export", str(tmp_path / "export"))
    assert rc == 0
    with open(tmp_path / "export" / "wardrobe.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6
    assert all((tmp_path / "export" / r["cutout"]).is_file() for r in rows)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "wardrobe.csv").write_text("rent,1000\n")
    rc, _, err = cli("export", str(tmp_path / "mine"))  # the user's own CSV: not overwritten
    assert rc == 2 and "is not a Wardrobe export" in err and "mine/wardrobe.csv" in err
    assert (tmp_path / "mine" / "wardrobe.csv").read_text() == "rent,1000\n"

    rc, out, _ = cli("reindex")
    assert rc == 0 and "re-embedded 6" in out
    first = json.loads(cli("list", "--json")[1])[0]
    Path(first["cutout_path"]).unlink()
    rc, out, err = cli("reindex")  # a garment it cannot embed again is named, not passed over
    assert rc == 1 and "re-embedded 5" in out
    assert f"1 garment skipped, its cut-out is missing or damaged: #{first['id']}" in err


def _fake_analyser_env() -> dict[str, str]:
    """The environment of a ``wardrobe-cli`` process that analyses with the fake."""
    env = dict(os.environ)
    env["WARDROBE_ANALYSER"] = "fakes:make_fake"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_DIR), str(TESTS_DIR)])
    return env


def test_cli_subprocess_uses_env_analyser_without_torch(
    batch: dict[str, Path], tmp_path: Path
) -> None:
    """A separate process: WARDROBE_ANALYSER swaps the pipeline; torch is never imported."""
    env = _fake_analyser_env()
    code = (
        "import sys, json; from wardrobe_app.cli import main; "
        "rc = main(sys.argv[1:]); "
        "sys.stderr.write('TORCH=%s' % ('torch' in sys.modules)); sys.exit(rc)"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "--data-dir",
            str(tmp_path / "h"),
            "import",
            str(batch["p0"]),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["imported"]) == 1
    assert "TORCH=False" in proc.stderr


def test_a_photo_whose_name_is_not_utf8_is_imported(cli: Run, tmp_path: Path) -> None:
    # Its path, stored as the photo's source, failed the save: "surrogates not allowed".
    folder = tmp_path / "old-camera"
    photo = make_photo(Path(os.fsdecode(os.fsencode(folder) + b"/caf\xe9.jpg")), 3)
    rc, out, err = cli("import", str(folder))
    assert rc == 0, out + err
    assert "Imported 1 photo with 2 garments" in out and "caf\\udce9.jpg" in out
    rc, out, _ = cli("import", str(photo), "--json")
    assert rc == 0 and len(json.loads(out)["duplicates"]) == 1


def test_a_file_name_with_a_newline_stays_on_one_line(cli: Run, tmp_path: Path) -> None:
    # "  <folder>/two\n<lines>.jpg (outfit): #1 top, #2 bottom" was printed over two
    # lines, as was the FAILED line of a bad file so named: one entry read as two.
    folder = tmp_path / "in"
    photo = make_photo(folder / "two\nlines.jpg", 1)
    (folder / "bad\tname\n.jpg").write_bytes(b"not a photo")
    rc, out, err = cli("import", str(folder))
    assert rc == 1
    lines = out.splitlines()
    assert f"  {folder}/two\\nlines.jpg (outfit): #1 top, #2 bottom" in lines
    assert any(line.startswith(f"  FAILED {folder}/bad\\tname\\n.jpg: ") for line in lines)
    assert len(lines) == 3  # the summary and one line each
    rc, out, _ = cli("import", str(folder), "--json")
    doc = json.loads(out)  # names exact in JSON
    assert [d["path"] for d in doc["duplicates"]] == [str(photo)]
    assert doc["failed"][0]["path"] == str(folder / "bad\tname\n.jpg")
    rc, _, err = cli("similar-to", str(folder / "gone\n.jpg"))
    assert rc == 1 and err.count("\n") == 1 and "gone\\n.jpg" in err


def test_json_is_written_in_one_piece(
    cli: Run, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # json.dump wrote each token on its own: 3.8 million writes, 8 s, for `list --json`
    # of 40,000 garments.
    cli("import", str(batch["p0"].parent))
    written: list[str] = []

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            written.append(text)
            return super().write(text)

    out = Out()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["list", "--json"]) == 0
    items = json.loads(out.getvalue())
    assert len(items) == 8 and {i["id"] for i in items} == set(range(1, 9))
    assert len(written) == 1


def test_a_reader_that_stops_early_is_no_error(batch: dict[str, Path], tmp_path: Path) -> None:
    # `wardrobe-cli list | head -1`: "error: Broken pipe", or Python's own report at exit.
    env = _fake_analyser_env()
    base = [sys.executable, "-m", "wardrobe_app.cli", "--data-dir", str(tmp_path / "h")]
    subprocess.run([*base, "import", str(batch["p0"])], env=env, timeout=120, check=True)
    proc = subprocess.Popen(
        [*base, "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes: its first line meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(120) == 1
    assert "Broken pipe" not in err and "Exception ignored" not in err, err


def test_a_closed_stderr_pipe_fails_no_command(batch: dict[str, Path], tmp_path: Path) -> None:
    # stderr a pipe whose reader has gone: `list` wrote the whole list on stdout, then
    # its count on stderr met the closed pipe, and the command exited 1.
    env = _fake_analyser_env()
    base = [sys.executable, "-m", "wardrobe_app.cli", "--data-dir", str(tmp_path / "h")]
    subprocess.run([*base, "import", str(batch["p0"])], env=env, timeout=120, check=True)
    for command in (["list"], ["verify", "--repair", "--json"]):  # (its note: on stderr)
        proc = subprocess.Popen(
            [*base, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stderr.close()  # before the command writes there
        out = proc.stdout.read().decode()
        assert proc.wait(120) == 0, command
        if command == ["list"]:
            assert out.count("\n") == 2 and out.startswith("#")  # p0's two garments
        else:
            assert json.loads(out)["ok"] is True


def _usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    return capsys.readouterr().err


def test_a_file_whose_name_starts_with_a_dash_is_said_after_the_usage_error(
    cli: Run,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `import -dash.jpg` said "unrecognized arguments: -dash.jpg" alone, and `similar-to
    # -dash.jpg` that PHOTO was missing, of a file that was there.
    monkeypatch.chdir(tmp_path)
    make_photo(tmp_path / "-dash.jpg", seed=1)
    (tmp_path / "-out").mkdir()
    hint = (
        "wardrobe-cli: error: -dash.jpg was taken for an option: for the file, write ./-dash.jpg\n"
    )
    data = ["--data-dir", str(home)]
    assert _usage_error([*data, "import", "-dash.jpg"], capsys).endswith(hint)
    assert _usage_error([*data, "similar-to", "-dash.jpg", "--json"], capsys).endswith(hint)
    err = _usage_error(["segment", "a.jpg", "--out-dir", "-out"], capsys)
    assert err.endswith("-out was taken for an option: for the folder, write ./-out\n")
    err = _usage_error([*data, "similar-to", "-k", "2"], capsys)  # an option, and no such file
    assert "taken for an option" not in err
    rc, out, _ = cli("import", "./-dash.jpg")
    assert rc == 0 and "Imported 1 photo " in out


def test_an_id_is_taken_as_list_writes_it(cli: Run, batch: dict[str, Path]) -> None:
    # `list` writes "#3 top ...": `show '#3'` said "not a garment id: '#3'".
    cli("import", str(batch["p0"]))
    rc, out, _ = cli("show", "#2", "--json")
    assert rc == 0 and json.loads(out)["id"] == 2
    rc, out, _ = cli("similar", "#1", "2", "--json")
    assert rc == 0 and set(json.loads(out)) == {"1", "2"}


def test_bad_ids_counts_and_colours_are_usage_errors(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(home)]
    assert "ids start at 1" in _usage_error([*data, "similar", "0"], capsys)
    err = _usage_error([*data, "show", "99999999999999999999"], capsys)
    assert "no garment has an id as large as" in err  # not an OverflowError from SQLite
    assert "not a garment id: 'x'" in _usage_error([*data, "delete", "x"], capsys)
    assert "not a garment id: '##1'" in _usage_error([*data, "show", "##1"], capsys)
    assert "must be at least 1" in _usage_error([*data, "similar", "3", "-k", "0"], capsys)
    err = _usage_error([*data, "list", "--colour", "purpleish"], capsys)
    assert "no colour 'purpleish'" in err and "light blue" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        # an unset "$DIR": "" would be the current folder, imported whole
        (["import", ""], "empty path"),
        (["similar-to", " "], "empty path"),
        (["export", ""], "empty path"),
        (["segment", "", "--out-dir", "out"], "empty path"),
        (["train", "--data", "d", "--out", "o", "--epochs", "0"], "must be at least 1, not 0"),
        (["train", "--data", "d", "--out", "o", "--width", "0"], "must be at least 1, not 0"),
        (["train", "--data", "d", "--out", "o", "--batch", "x"], "not a whole number: 'x'"),
        (["train", "--data", "d", "--out", "o", "--lr", "-1"], "must be above 0"),
        (["pseudo-label", "--data", "d", "--out", "o", "--threshold", "2"], "at most 1"),
        (["evaluate", "--data", ""], "empty path"),
        (["evaluate", "--data", "d", "--split", ""], "empty path"),  # was "Is a directory: '.'"
    ],
)
def test_bad_paths_and_numbers_are_usage_errors_before_any_work(
    home: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert message in _usage_error(["--data-dir", str(home), *argv], capsys)


def test_a_usage_error_with_json_writes_the_errors_document(
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # With --json on the command line, a usage error (argparse's, --data-dir a file)
    # printed usage text alone: a script parsing stdout got "" and a JSON error, where
    # the command's own failures write {"errors": [...]}. The exit status stays 2.
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    make_photo(tmp_path / "-dash.jpg", seed=1)
    monkeypatch.chdir(tmp_path)
    dash = "-dash.jpg was taken for an option: for the file, write ./-dash.jpg"
    for argv, said in (
        (["list", "--json", "--nope"], ["unrecognized arguments: --nope"]),
        (["similar", "1", "-k", "0", "--json"], ["argument -k: must be at least 1, not 0"]),
        (
            ["--data-dir", str(a_file), "list", "--json"],
            [f"--data-dir {a_file} is a file, not a folder"],
        ),
        # and what main() said after argparse
        (["import", "--json", "-dash.jpg"], ["unrecognized arguments: -dash.jpg", dash]),
    ):
        argv = argv if "--data-dir" in argv else ["--data-dir", str(home), *argv]
        with pytest.raises(SystemExit) as stop:
            main(argv)
        out, err = capsys.readouterr()
        assert stop.value.code == 2 and err.startswith("usage: ") and said[0] in err, argv
        assert json.loads(out) == {"errors": said}, argv
        with pytest.raises(SystemExit):  # without --json: the usage text alone
            main([arg for arg in argv if arg != "--json"])
        out, err = capsys.readouterr()
        assert out == "" and said[0] in err, argv


def test_json_given_a_value_is_a_usage_error_with_the_errors_document(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `list --json=1` is refused by argparse ("ignored explicit argument"), but the
    # document was begun by --json written alone: usage text only, stdout empty.
    for value in ("1", ""):
        with pytest.raises(SystemExit) as stop:
            main(["--data-dir", str(home), "list", f"--json={value}"])
        out, err = capsys.readouterr()
        said = f"argument --json: ignored explicit argument '{value}'"
        assert stop.value.code == 2 and said in err, value
        assert json.loads(out) == {"errors": [said]}, value
    with pytest.raises(SystemExit):  # past "--": an argument, not the option
        main(["--data-dir", str(home), "list", "--nope", "--", "--json=1"])
    out, err = capsys.readouterr()
    assert out == "" and "unrecognized arguments: --nope" in err


def test_an_abbreviated_option_is_a_usage_error(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--js` was taken for --json, but a usage error's document is begun by --json as
    # written: `similar 1 --any --js` wrote none. Options are taken as written only.
    data = ["--data-dir", str(home)]
    assert "unrecognized arguments: --js" in _usage_error([*data, "list", "--js"], capsys)
    err = _usage_error(["list", "--data", str(home)], capsys)  # not --data-dir
    assert "unrecognized arguments: --data " in err
    with pytest.raises(SystemExit) as stop:
        main([*data, "similar", "1", "--any", "--json"])
    out, err = capsys.readouterr()
    said = "unrecognized arguments: --any (did you mean --any-category?)"
    assert stop.value.code == 2 and said in err
    assert json.loads(out) == {"errors": [said]}


def test_an_unknown_option_is_said_with_its_commands_usage_and_the_options_it_begins(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Said by the top parser: "usage: wardrobe-cli [-h] [--version] [--data-dir DATA_DIR]
    # COMMAND ..." over it, not the command's options; and `--js`, once read as --json,
    # refused without naming the one meant.
    data = ["--data-dir", str(home)]
    err = _usage_error([*data, "similar", "1", "--js"], capsys)
    assert err.startswith("usage: wardrobe-cli similar [-h] [-k K] [--any-category] [--json]")
    assert err.endswith(
        "wardrobe-cli similar: error: unrecognized arguments: --js (did you mean --json?)\n"
    )
    err = _usage_error([*data, "list", "--co", "navy", "--nope"], capsys)
    assert err.startswith("usage: wardrobe-cli list ")
    assert err.endswith(
        "unrecognized arguments: --co navy --nope (did you mean --colour or --color?)\n"
    )
    err = _usage_error([*data, "list", "--nope"], capsys)  # begins none: argparse's words
    assert err.endswith("wardrobe-cli list: error: unrecognized arguments: --nope\n")


def test_data_dir_may_follow_the_command(
    batch: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `wardrobe-cli import DIR --data-dir D` was "unrecognized arguments: --data-dir D".
    monkeypatch.setattr(service, "ANALYSER_FACTORY", FakeAnalyser)
    home, other = tmp_path / "home", tmp_path / "other"
    assert main(["import", str(batch["p0"]), "--data-dir", str(home)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(other), "list", "--json", "--data-dir", str(home)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2  # p0's garments, from home
    assert not other.exists()
    assert main(["--data-dir", str(home), "list", "--json"]) == 0  # before it, as ever
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert "empty path" in _usage_error(["list", "--data-dir", ""], capsys)


def test_an_empty_data_dir_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # not a silent fall-back to the default wardrobe
    assert "empty path" in _usage_error(["--data-dir", "", "list"], capsys)


def test_american_colour_spelling_finds_the_garments(cli: Run, batch: dict[str, Path]) -> None:
    from wardrobe_app.cli.core_commands import colour_name

    assert colour_name("Light  Blue") == "light blue" and colour_name("GRAY") == "grey"
    cli("import", *(str(batch[f"p{i}"]) for i in range(3)))
    _, listed, _ = cli("list", "--json")
    name = json.loads(listed)[0]["colours"][0]["name"]  # a colour the wardrobe has
    _, british, _ = cli("list", "--colour", name, "--json")
    _, american, _ = cli("list", "--color", name.upper().replace("GREY", "GRAY"), "--json")
    assert json.loads(british) and json.loads(american) == json.loads(british)


def test_a_category_is_taken_in_any_case_as_colours_are(
    cli: Run, batch: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # --colour White was taken, --category Top refused ("invalid choice").
    cli("import", *(str(batch[f"p{i}"]) for i in range(3)))
    listed = json.loads(cli("list", "--json")[1])
    category = listed[0]["category"]
    rc, out, _ = cli("list", "--category", category.upper().replace("-", " "), "--json")
    assert rc == 0 and json.loads(out) == [g for g in listed if g["category"] == category]
    err = _usage_error(["list", "--category", "shoes"], capsys)
    assert "no category 'shoes'; the categories are: top, bottom, one-piece" in err


def test_file_system_and_database_trouble_is_one_error_line(
    cli: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    rc, _, err = cli("export", str(a_file))
    assert rc == 2 and err == f"wardrobe-cli: error: {a_file} is a file, not a folder\n"
    assert "is a file, not a folder" in _usage_error(["--data-dir", str(a_file), "list"], capsys)
    # a folder inside another wardrobe's stored files (its clean-up would sweep them)
    cli("import", str(make_photo(tmp_path / "in.jpg", seed=1)))
    inside = paths.files_dir() / "mine"
    err = _usage_error(["--data-dir", str(inside), "list"], capsys)
    assert f"is inside the stored files of the wardrobe in {paths.chosen_home()}" in err
    assert not inside.exists()
    # or anywhere else in its data folder (a wardrobe was made in its index/)
    inside = paths.index_dir() / "x"
    err = _usage_error(["--data-dir", str(inside), "list"], capsys)
    assert f"is inside the data folder of the wardrobe in {paths.chosen_home()}" in err
    assert not inside.exists()
    # a data folder that cannot be made: one line (the message's hint must not retry it)
    assert main(["--data-dir", str(a_file / "sub"), "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"wardrobe-cli: error: {a_file / 'sub'}: ") and "Traceback" not in err
    junk = tmp_path / "junk-home"
    junk.mkdir()
    (junk / "wardrobe.sqlite3").write_bytes(b"this is no database" * 100)
    assert main(["--data-dir", str(junk), "list"]) == 2
    err = capsys.readouterr().err
    assert "is not a Wardrobe database it can open" in err
    assert (junk / "wardrobe.sqlite3").read_bytes() == b"this is no database" * 100  # untouched
    # a folder where the database file should be: "unable to open" in words, no traceback
    odd = tmp_path / "odd-home"
    (odd / "wardrobe.sqlite3").mkdir(parents=True)
    assert main(["--data-dir", str(odd), "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wardrobe-cli: error: cannot use the database") and "Traceback" not in err


def test_a_wardrobe_home_inside_another_wardrobe_is_refused_naming_the_variable(
    cli: Run,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # --data-dir W/index/x was refused; $WARDROBE_HOME=W/index/x made a wardrobe there.
    cli("import", str(make_photo(tmp_path / "in.jpg", seed=1)))
    before = sorted(home.rglob("*"))
    for inside, words in (
        (home / "index" / "x", f"is inside the data folder of the wardrobe in {home}"),
        (home / "files" / "mine", f"is inside the stored files of the wardrobe in {home}"),
    ):
        for command in (["list"], ["import", str(tmp_path / "in.jpg")]):
            monkeypatch.setenv(paths.ENV_HOME, str(inside))
            assert main(command) == 2
            err = capsys.readouterr().err
            assert err.startswith(f"wardrobe-cli: error: ${paths.ENV_HOME} {inside} {words}")
            assert not inside.exists() and sorted(home.rglob("*")) == before
    # --data-dir, given, is the folder used: the variable is not looked at
    rc, out, _ = cli("list", "--json")
    assert rc == 0 and len(json.loads(out)) == 2


def test_an_export_into_the_data_folder_is_refused_in_words(
    cli: Run, home: Path, batch: dict[str, Path]
) -> None:
    # `wardrobe-cli --data-dir D export D` wrote wardrobe.csv and cutouts/ into D.
    cli("import", str(batch["p0"]))
    before = sorted(home.rglob("*"))
    for target, where in ((home, "is the"), (home / "exports", "is inside the")):
        rc, out, err = cli("export", str(target))
        assert rc == 2 and not out
        assert err == (
            f"wardrobe-cli: error: {target}: {where} data folder of the wardrobe in {home}: "
            "choose a folder outside it (an export is for other programs)\n"
        )
        assert sorted(home.rglob("*")) == before
    rc, _, _ = cli("verify")
    assert rc == 0


def test_a_full_disk_during_an_export_names_the_export_not_the_wardrobe(
    cli: Run, batch: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # shutil's copy names its source first, also for a full disk at the target: the
    # error named a file of the wardrobe ("HOME/files/ab/...png: No space left on device").
    import errno
    import shutil

    cli("import", str(batch["p0"]))

    def full_disk(source: Path, target: Path) -> None:  # as shutil raises it (sendfile)
        raise OSError(errno.ENOSPC, "No space left on device", str(source), None, str(target))

    monkeypatch.setattr(shutil, "copyfile", full_disk)
    out = tmp_path / "export"
    rc, stdout, err = cli("export", str(out))
    assert rc == 2 and not stdout
    assert err.startswith(f"wardrobe-cli: error: {out / 'cutouts'}")
    assert err.endswith(": No space left on device\n") and "files" not in err


def test_an_export_refused_names_the_file_asked_for_not_its_temporary_name(
    cli: Run, batch: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (Root may write anywhere: the refusal is raised as the copy's open() raises it.)
    # It said "OUT/cutouts/00001-top-olive-top.png.part: Permission denied", a name never
    # seen (the cut-out is named as the window names the garment, "Olive top").
    import shutil

    cli("import", str(batch["p0"]))

    def refused(source: Path, target: Path) -> None:
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(shutil, "copyfile", refused)
    out = tmp_path / "export"
    rc, stdout, err = cli("export", str(out))
    assert rc == 2 and not stdout
    cutout = out / "cutouts" / "00001-top-olive-top.png"
    assert err == f"wardrobe-cli: error: {cutout}: Permission denied\n"
    assert sorted(p.name for p in out.rglob("*")) == ["cutouts"]  # nothing half-written


def test_export_and_backup_into_a_folder_not_writable_name_it(
    batch: dict[str, Path], tmp_path: Path
) -> None:
    # They said "D/wardrobe.csv.part: Permission denied" and "D/.x.696d1346.partial:
    # Permission denied": temporary names never seen, and not the folder at fault.
    env = _fake_analyser_env()
    base = [sys.executable, "-m", "wardrobe_app.cli", "--data-dir", str(tmp_path / "h")]
    subprocess.run([*base, "import", str(batch["p0"])], env=env, timeout=120, check=True)
    locked, earlier = tmp_path / "locked", tmp_path / "earlier"
    (earlier / "cutouts").mkdir(parents=True)  # as an export left it: the CSV is next
    locked.mkdir()
    said = {}
    try:
        for folder in (locked, earlier):
            folder.chmod(0o555)
        prefix = without_write_override()
        for command in (["export", str(earlier)], ["backup", str(locked / "x")]):
            proc = subprocess.run(
                [*prefix, *base, *command], env=env, timeout=120, capture_output=True, text=True
            )
            assert proc.returncode == 2 and not proc.stdout, command
            said[command[0]] = proc.stderr
    finally:
        for folder in (locked, earlier):
            folder.chmod(0o755)
    assert said["export"] == (
        f"wardrobe-cli: error: {earlier / 'wardrobe.csv'}: Permission denied "
        f"(cannot write in {earlier})\n"
    )
    assert said["backup"] == (
        f"wardrobe-cli: error: {locked / 'x'}: Permission denied (cannot write in {locked})\n"
    )
    assert not any(locked.iterdir()) and [p.name for p in earlier.iterdir()] == ["cutouts"]


def test_a_wardrobe_home_that_is_a_file_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # $WARDROBE_HOME naming a file said "FILE: File exists" (as --data-dir FILE does not).
    monkeypatch.setattr(service, "ANALYSER_FACTORY", FakeAnalyser)
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    monkeypatch.setenv(paths.ENV_HOME, str(a_file))
    for command in (["list"], ["import", str(make_photo(tmp_path / "p.jpg", seed=1))]):
        assert main(command) == 2, command
        out, err = capsys.readouterr()
        assert not out and err == (
            f"wardrobe-cli: error: {a_file}: is a file, not a folder (check $WARDROBE_HOME)\n"
        )
    assert a_file.read_text() == "not a folder"


def test_list_and_show_keep_odd_names_on_their_lines(
    cli: Run, batch: dict[str, Path], home: Path
) -> None:
    # A name with a newline broke the list and `show` in two, and ESC drove the terminal.
    cli("import", str(batch["p0"]))
    with service.Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.update_garment(1, name="red\nshirt \x1b[2J", notes="line one\n\nline two")
    _, out, _ = cli("list")
    assert "red\\nshirt \\x1b[2J" in out and "\x1b" not in out
    assert len(out.splitlines()) == 2
    _, out, _ = cli("show", "1")
    assert "name:       red\\nshirt \\x1b[2J\n" in out
    # notes keep their lines, each under the first at the values' column
    assert "notes:      line one\n\n            line two\n" in out
    _, out, _ = cli("show", "1", "--json")
    assert json.loads(out)["name"] == "red\nshirt \x1b[2J"  # --json keeps it exact


def test_list_and_show_name_garments_as_the_window_does(
    cli: Run, batch: dict[str, Path], home: Path
) -> None:
    # `list` showed the fine type or nothing where the window said "Light blue dress".
    cli("import", str(batch["p0"]))
    with service.Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        shown = display_name(w.garment(1))
    _, out, _ = cli("list")
    first = next(line for line in out.splitlines() if line.startswith("#1 "))
    assert first.endswith(f" {shown}")
    _, out, _ = cli("show", "1")
    assert f"name:       {shown} (made up from its colour and type)\n" in out
    _, out, _ = cli("show", "1", "--json")
    assert json.loads(out)["name"] == shown and json.loads(out)["named_by_user"] is False


def test_an_error_naming_a_path_with_a_newline_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The OSError line of main() printed the folder's name as it is, over two lines.
    assert main(["--data-dir", str(tmp_path / "no\nsuch"), "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"wardrobe-cli: error: {tmp_path}/no\\nsuch: no wardrobe here")
    assert len(err.splitlines()) == 1


def test_verify_and_export_when_a_cut_out_file_is_lost(
    cli: Run, batch: dict[str, Path], home: Path, tmp_path: Path
) -> None:
    cli("import", str(batch["p0"]), str(batch["p1"]))
    rc, out, _ = cli("verify")
    assert rc == 0 and "the wardrobe is consistent" in out
    assert "database integrity: ok" in out  # it said "none"
    _, shown, _ = cli("show", "2", "--json")
    Path(json.loads(shown)["cutout_path"]).unlink()
    rc, out, _ = cli("verify", "--json")
    doc = json.loads(out)
    assert rc == 1 and doc["ok"] is False and len(doc["missing_files"]) == 1
    rc, out, err = cli("export", str(tmp_path / "export"))
    assert rc == 1 and "exported 4 garments" in out and "#2 is missing" in err
    with open(tmp_path / "export" / "wardrobe.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 4
    thumbnail = Path(json.loads(shown)["thumbnail_path"])
    thumbnail.write_bytes(b"not the thumbnail any more")
    rc, out, _ = cli("verify")
    assert rc == 1 and "damaged files: 1" in out
    # which garment each file belonged to, and what to do: it listed bare file names
    assert f"{thumbnail.name} (thumbnail of garment #2)" in out
    assert "cut-out of garment #2)" in out and "from a backup of the data folder" in out
    rc, out, _ = cli("verify", "--json")
    assert json.loads(out)["damaged_files"] == [thumbnail.relative_to(home).as_posix()]


def test_a_busy_database_is_said_so_and_a_bug_keeps_its_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import sqlite3

    from sqlalchemy import exc as sa_exc

    from wardrobe_app.cli import _database_trouble

    locked = sa_exc.OperationalError("DELETE", {}, sqlite3.OperationalError("database is locked"))
    assert _database_trouble(locked) == 2
    assert "the wardrobe is busy" in capsys.readouterr().err
    bug = sa_exc.ProgrammingError("SELECT nonsense", {}, sqlite3.ProgrammingError("no such column"))
    with pytest.raises(sa_exc.ProgrammingError):
        _database_trouble(bug)
    with pytest.raises(ZeroDivisionError):
        _database_trouble(ZeroDivisionError("a bug"))


def test_a_data_folder_it_may_not_write_is_said_so(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # (Root, as in CI, may write anywhere: the refusal is what a user's account meets.)
    from wardrobe_app.cli import core_commands

    def refuse() -> None:
        raise PermissionError(13, "Permission denied", str(home / "files"))

    monkeypatch.setattr(core_commands, "open_wardrobe", refuse)
    assert main(["--data-dir", str(home), "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"wardrobe-cli: error: {home / 'files'}: Permission denied")
    assert f"must be able to write in its data folder {home}" in err


def test_a_data_folder_on_a_read_only_disk_is_said_so(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """(Root meets it too: a backup on a read-only mount.) It said only "Read-only file
    system", for a lock file the user never heard of."""
    import errno

    from wardrobe_app.cli import core_commands

    def refuse() -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(home / ".wardrobe.lock"))

    monkeypatch.setattr(core_commands, "open_wardrobe", refuse)
    assert main(["--data-dir", str(home), "list"]) == 2
    err = capsys.readouterr().err
    assert f"must be able to write in its data folder {home}: copy the folder" in err


def test_a_data_folder_without_its_database_is_one_error_line_and_kept(
    cli: Run, batch: dict[str, Path], home: Path
) -> None:
    cli("import", str(batch["p0"]), str(batch["p1"]))
    stored = sorted(p for p in (home / "files").rglob("*") if p.is_file())
    for db in home.glob("wardrobe.sqlite3*"):
        db.unlink()
    rc, out, err = cli("list")
    assert rc == 2 and not out and "Traceback" not in err
    assert err.startswith("wardrobe-cli: error: ") and "not its database" in err
    assert sorted(p for p in (home / "files").rglob("*") if p.is_file()) == stored


def test_a_damaged_model_is_one_error_line(
    cli: Run, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wardrobe_app.vision.model_folder import ModelFolderError

    cli("import", str(batch["p0"]))

    def damaged() -> FakeAnalyser:
        raise ModelFolderError("/models/embedder/weights.pt does not match config.json")

    monkeypatch.setattr(service, "ANALYSER_FACTORY", damaged)
    rc, out, _ = cli("import", str(batch["p0"]))  # a duplicate: no model needed
    assert rc == 0 and "1 duplicate;" in out
    importing = ["import", str(batch["p0"]), str(batch["p1"]), str(batch["p2"]), "--json"]
    for command in (importing, ["similar-to", str(batch["p1"])], ["reindex"]):
        rc, _, err = cli(*command)
        assert rc == 2 and "Traceback" not in err, command
        last = err.splitlines()[-1]  # (import: after its progress bar)
        assert last.startswith("wardrobe-cli: error: /models/embedder/weights.pt does not")
        assert "reinstall Wardrobe" in last and err.count("wardrobe-cli: error:") == 1
    assert cli("list")[1].count("\n") == 2  # p0's two garments, no more


def test_importing_an_export_says_why_nothing_was_found(
    cli: Run, batch: dict[str, Path], tmp_path: Path
) -> None:
    # "no photos found in export/" beside five PNGs, and nothing else.
    cli("import", str(batch["p0"]))
    cli("export", str(tmp_path / "export"))
    rc, _, err = cli("import", str(tmp_path / "export"))
    assert rc == 1 and "no photos found in" in err
    assert f"{tmp_path / 'export' / 'cutouts'} holds the cut-outs of a Wardrobe export" in err


def test_importing_a_backup_says_why_nothing_was_found(
    cli: Run, batch: dict[str, Path], tmp_path: Path, home: Path
) -> None:
    # Each of its stored files (photos, cut-outs, masks, label maps) became a new photo.
    cli("import", str(batch["p0"]))
    backup = tmp_path / "backup"
    cli("backup", str(backup))
    other = tmp_path / "other"
    rc, out, err = cli("--data-dir", str(other), "import", str(backup), "--json")
    assert rc == 1 and json.loads(out)["imported"] == [] and not other.exists()
    assert err == (
        f"wardrobe-cli: error: no photos found in {backup}\n"
        f"wardrobe-cli: error: {backup} holds a wardrobe (a backup?), skipped: its files are "
        f"that wardrobe's photos, cut-outs and masks; open it with --data-dir {backup}\n"
    )
    rc, _, err = cli("import", str(home))
    assert rc == 1 and f"{home} is this wardrobe's data folder" in err


def test_a_backup_skipped_beside_photos_imported_is_said_as_a_note(
    cli: Run, batch: dict[str, Path], tmp_path: Path
) -> None:
    # A folder of photos holding a backup too: the photos were imported and the backup
    # passed over in silence (it was said only when nothing else was found).
    cli("import", str(batch["p0"]))
    mixed = tmp_path / "mixed"
    cli("backup", str(mixed / "backup"))
    shutil.copy(batch["p1"], mixed / batch["p1"].name)
    rc, out, err = cli("--data-dir", str(tmp_path / "other"), "import", str(mixed), "--json")
    assert rc == 0 and [i["path"] for i in json.loads(out)["imported"]] == [
        str(mixed / batch["p1"].name)
    ]
    assert f"wardrobe-cli: {mixed / 'backup'} holds a wardrobe (a backup?), skipped" in err
    assert "error" not in err


def test_importing_a_backups_files_listed_one_by_one_skips_them(
    cli: Run, batch: dict[str, Path], tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `find BACKUP -type f | wardrobe-cli import --from-file -` filed its masks and
    # cut-outs as photos, where the backup's folder given itself was skipped.
    cli("import", str(batch["p0"]))
    backup = tmp_path / "backup"
    cli("backup", str(backup))
    stored = sorted(p for p in (backup / "files").rglob("*") if p.is_file())
    assert len(stored) > 1
    other = tmp_path / "other"
    stdin_of(monkeypatch, "".join(f"{p}\n" for p in stored).encode())
    rc, out, err = cli("--data-dir", str(other), "import", "--from-file", "-", "--json")
    assert rc == 1 and json.loads(out)["imported"] == [] and not other.exists()
    assert f"{backup} holds a wardrobe (a backup?), skipped" in err
    # this wardrobe's own stored files too, beside a photo that is imported
    own = sorted(p for p in (home / "files").rglob("*") if p.is_file())
    stdin_of(monkeypatch, "".join(f"{p}\n" for p in [*own, batch["p1"]]).encode())
    rc, out, _ = cli("import", "--from-file", "-", "--json")
    assert rc == 0 and [i["path"] for i in json.loads(out)["imported"]] == [str(batch["p1"])]
    assert json.loads(out)["failed"] == [] and json.loads(out)["duplicates"] == []


def test_verify_repair_puts_back_what_can_be_made_again(
    cli: Run, batch: dict[str, Path], home: Path
) -> None:
    # verify found lost files, and no command could do anything about any of them.
    cli("import", str(batch["p0"]), str(batch["p1"]))
    shown = {gid: json.loads(cli("show", str(gid), "--json")[1]) for gid in (1, 3)}
    photo = Path(shown[1]["photo_path"])
    photo_bytes = photo.read_bytes()
    photo.unlink()  # its original is still where it was imported from
    thumbnail = Path(shown[1]["thumbnail_path"])
    thumbnail.write_bytes(b"cut short")
    Path(shown[3]["cutout_path"]).unlink()  # cannot be made again
    rc, out, err = cli("verify", "--repair", "--json")
    doc = json.loads(out)  # the repair's lines go to stderr, and into the document
    assert rc == 1 and "put back photo #1 from the file it was imported from" in err
    assert "made the thumbnail of garment #1 again" in err
    assert doc["repaired"] == {"photos": [1], "thumbnails": [1]}
    assert photo.read_bytes() == photo_bytes
    assert not doc["damaged_files"] and len(doc["missing_files"]) == 1
    record = json.loads(cli("show", "1", "--json")[1])
    assert Path(record["thumbnail_path"]).is_file()
    rc, out, _ = cli("verify", "--repair")
    assert rc == 1 and out.startswith("nothing could be repaired")
    assert "cut-out of garment #3" in out
    rc, out, err = cli("verify", "--repair", "--json")
    assert json.loads(out)["repaired"] == {"photos": [], "thumbnails": []}
    assert err.startswith("nothing could be repaired")
    assert "repaired" not in json.loads(cli("verify", "--json")[1])  # none was asked for


def test_verify_while_the_app_saves_is_no_false_alarm(
    cli: Run, batch: dict[str, Path], make_wardrobe: Callable[..., service.Wardrobe]
) -> None:
    # With the app importing, verify said "the wardrobe has problems" (exit 1): the
    # files it was writing, their rows not committed yet, as leftovers.
    cli("import", str(batch["p0"]))
    app = make_wardrobe()
    unsaved, _ = app.store.files.put_bytes(b"a photo being imported", ".jpg")
    (app.store.files.incoming / f"{'c' * 32}.part").write_bytes(b"half a cut-out")
    rc, out, _ = cli("verify", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["ok"] and doc["in_use"]
    assert doc["files_no_garment_uses"] == [unsaved] and len(doc["unfinished_writes"]) == 1
    rc, out, _ = cli("verify")
    assert rc == 0 and "the wardrobe is consistent\nAnother program was using" in out
    app.close()
    assert json.loads(cli("verify", "--json")[1])["in_use"] is False


def test_a_data_folder_that_does_not_exist_is_no_empty_wardrobe(
    tmp_path: Path,
    batch: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A mistyped --data-dir (or a disk not mounted) listed "0 garment(s)", and made an
    # empty wardrobe there on the spot.
    monkeypatch.setattr(service, "ANALYSER_FACTORY", FakeAnalyser)
    typo = tmp_path / "Wardorbe"
    for command in (["list"], ["verify"], ["show", "1"], ["export", str(tmp_path / "out")]):
        assert main(["--data-dir", str(typo), *command]) == 2, command
        err = capsys.readouterr().err
        assert err.startswith(f"wardrobe-cli: error: {typo}: no wardrobe here")
        assert not typo.exists()
    assert main(["--data-dir", str(typo), "import", str(batch["p0"])]) == 0  # starts one
    assert main(["--data-dir", str(typo), "list"]) == 0


def test_a_command_that_reads_makes_no_wardrobe_in_a_folder_without_one(
    tmp_path: Path,
    batch: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `--data-dir ~/Pictures list` (meant: import) listed "0 garment(s)", and left
    # wardrobe.sqlite3, files/ and index/ among the photos.
    monkeypatch.setattr(service, "ANALYSER_FACTORY", FakeAnalyser)
    pictures = batch["p0"].parent
    before = sorted(pictures.rglob("*"))
    reading = [["list"], ["show", "1"], ["similar", "1"], ["similar-to", str(batch["p1"])]]
    reading += [["verify"], ["reindex"], ["delete", "1"], ["export", str(tmp_path / "out")]]
    for command in [*reading, ["backup", str(tmp_path / "bk")]]:
        assert main(["--data-dir", str(pictures), *command]) == 2, command
        out, err = capsys.readouterr()
        assert not out and err == (
            f"wardrobe-cli: error: {pictures}: no wardrobe here: the folder holds none "
            "(check --data-dir or $WARDROBE_HOME; `import` starts a wardrobe in it)\n"
        ), command
        assert sorted(pictures.rglob("*")) == before, command
    assert not (tmp_path / "out").exists() and not (tmp_path / "bk").exists()
    assert main(["--data-dir", str(pictures), "import", str(batch["p0"])]) == 0  # starts one
    assert paths.database_path(pictures).is_file()
    assert main(["--data-dir", str(pictures), "list"]) == 0


@pytest.mark.parametrize("left", ["files", "files/ab", "wardrobe.sqlite3"])
def test_an_empty_files_folder_or_database_is_no_wardrobe_to_a_command_that_reads(
    tmp_path: Path,
    batch: dict[str, Path],
    left: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A folder holding only an empty files/ (a wardrobe moved away, a half-made copy)
    # became a wardrobe on `list`: database, lock and index made there, "0 garment(s)".
    monkeypatch.setattr(service, "ANALYSER_FACTORY", FakeAnalyser)
    folder = tmp_path / "moved"
    if left.startswith("files"):
        (folder / left).mkdir(parents=True)
    else:
        folder.mkdir()
        (folder / left).touch()  # 0 bytes: no database yet
    before = sorted(folder.rglob("*"))
    for command in (["list"], ["list", "--json"], ["verify"], ["backup", str(tmp_path / "bk")]):
        assert main(["--data-dir", str(folder), *command]) == 2, command
        out, err = capsys.readouterr()
        assert err.startswith(
            f"wardrobe-cli: error: {folder}: no wardrobe here: the folder holds none"
        ), command
        said = err.removeprefix("wardrobe-cli: error: ").strip()
        assert (json.loads(out) == {"errors": [said]}) if "--json" in command else not out
        assert sorted(folder.rglob("*")) == before, command
    assert not (tmp_path / "bk").exists()
    assert main(["--data-dir", str(folder), "import", str(batch["p0"])]) == 0  # starts one
    assert main(["--data-dir", str(folder), "list"]) == 0


def test_an_import_that_finds_no_photo_starts_no_wardrobe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--data-dir TYPO import EMPTY-FOLDER` made an empty wardrobe in TYPO, which `list`
    # then showed ("0 garment(s)") in place of "no wardrobe here".
    monkeypatch.setattr(service, "ANALYSER_FACTORY", FakeAnalyser)
    typo, empty = tmp_path / "Wardorbe", tmp_path / "empty"
    empty.mkdir()
    assert main(["--data-dir", str(typo), "import", str(empty), "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["imported"] == [] and f"no photos found in {empty}" in err
    assert not typo.exists()
    assert main(["--data-dir", str(typo), "list"]) == 2
    assert "no wardrobe here" in capsys.readouterr().err


def test_an_empty_wardrobe_home_is_the_default_folder_made_on_first_use(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # WARDROBE_HOME= (set, but empty) means the default folder, as it does to the app:
    # on a new machine `list` said "no wardrobe here" about that default folder.
    monkeypatch.setattr(service, "ANALYSER_FACTORY", FakeAnalyser)
    default = tmp_path / "user-data" / "Wardrobe"
    monkeypatch.setattr(paths.platformdirs, "user_data_dir", lambda _name: str(default))
    monkeypatch.setenv(paths.ENV_HOME, "")
    assert main(["list"]) == 0, capsys.readouterr().err
    assert paths.database_path(default).is_file()


def test_every_command_and_argument_says_what_it_is() -> None:
    import argparse

    from wardrobe_app.cli import build_parser

    (sub,) = (a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        assert command.description, f"`wardrobe-cli {name} --help` says nothing of what it does"
        for action in command._actions:
            assert action.help and action.help != argparse.SUPPRESS, (
                f"{name} {action.option_strings or action.dest} has no help"
            )


def test_the_help_ends_with_examples_that_parse_and_the_exit_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `wardrobe-cli --help` listed the commands, and no example of any nor the exit status.
    import shlex

    from wardrobe_app.cli import EXAMPLES, build_parser

    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "\nexamples:\n" in text and "130 interrupted" in " ".join(text.split())
    assert all(len(line) < 80 for line in text.splitlines())
    for command, _ in EXAMPLES:
        assert f"wardrobe-cli {command}" in text
        args = build_parser().parse_args(shlex.split(command))  # none stale
        assert callable(args.func), command


def test_ctrl_c_stops_an_import_after_the_photo_in_progress_and_reports_it(
    cli: Run, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    interrupts: list[Path] = []

    class InterruptedOnce(FakeAnalyser):
        def analyse(self, path: Path, kind: service.KindChoice = "auto") -> service.PhotoAnalysis:
            if not interrupts:
                interrupts.append(path)
                signal.raise_signal(signal.SIGINT)  # Ctrl+C while the first photo is analysed
            return super().analyse(path, kind)

    monkeypatch.setattr(service, "ANALYSER_FACTORY", InterruptedOnce)
    photos = [str(batch[k]) for k in ("p0", "p1", "p2")]
    rc, out, err = cli("import", *photos, "--json")
    assert rc == 130 and "interrupted: 2 photos not imported" in err
    assert err.startswith("stopping after")  # no blank line left of a bar not drawn
    doc = json.loads(out)  # what was done is still reported
    assert [i["path"] for i in doc["imported"]] == photos[:1]
    assert doc["cancelled"] == [{"path": p} for p in photos[1:]]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    rc, out, _ = cli("import", *photos)  # the same command goes on
    assert rc == 0 and "Imported 2 photos" in out and "1 duplicate;" in out


def test_an_import_started_with_ctrl_c_ignored_keeps_it_ignored(
    cli: Run, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A script's background job (`wardrobe-cli import DIR &`) starts with SIGINT ignored;
    # the import took it back, and a Ctrl+C meant for the foreground stopped it.
    import signal

    class CtrlCAtEachPhoto(FakeAnalyser):
        def analyse(self, path: Path, kind: service.KindChoice = "auto") -> service.PhotoAnalysis:
            signal.raise_signal(signal.SIGINT)
            return super().analyse(path, kind)

    monkeypatch.setattr(service, "ANALYSER_FACTORY", CtrlCAtEachPhoto)
    photos = [str(batch[k]) for k in ("p0", "p1", "p2")]
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        rc, out, err = cli("import", *photos, "--json")
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    assert rc == 0 and "stopping" not in err and "interrupted" not in err
    assert [i["path"] for i in json.loads(out)["imported"]] == photos


def test_ctrl_c_twice_stops_an_import_at_once_and_lists_the_photos_not_reached(
    cli: Run, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second Ctrl+C ended the command with "interrupted" alone: the photo saved
    # before it unsaid, --json writing nothing.
    import signal

    photos = [str(batch[k]) for k in ("p0", "p1", "p2")]

    class InterruptedTwice(FakeAnalyser):
        def analyse(self, path: Path, kind: service.KindChoice = "auto") -> service.PhotoAnalysis:
            if str(path) == photos[1]:
                signal.raise_signal(signal.SIGINT)
                signal.raise_signal(signal.SIGINT)  # raises KeyboardInterrupt here
            return super().analyse(path, kind)

    monkeypatch.setattr(service, "ANALYSER_FACTORY", InterruptedTwice)
    rc, out, err = cli("import", *photos, "--json")
    assert rc == 130 and "interrupted: 2 photos not imported" in err
    doc = json.loads(out)
    assert [i["path"] for i in doc["imported"]] == photos[:1]
    assert doc["stopped"] == photos[1:] and doc["failed"] == [] and doc["cancelled"] == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    monkeypatch.setattr(service, "ANALYSER_FACTORY", FakeAnalyser)
    rc, out, _ = cli("import", *photos)  # the same command goes on, nothing half-saved
    assert rc == 0 and "Imported 2 photos" in out and "1 duplicate;" in out


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
def test_a_closed_stdout_or_stderr_is_no_crash(
    closed: str, cli: Run, batch: dict[str, Path], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `wardrobe-cli import ... >&-` or `2>&-` (a launcher, a cron line): Python's stream
    # is None. stdout: the photos were imported, then the final flush raised (exit 1);
    # stderr: the progress bar raised before the first photo, and nothing was imported.
    cli("import", str(batch["p0"]))
    stream = getattr(sys, closed)
    monkeypatch.setattr(sys, closed, None)
    for args in (["import", str(batch["p1"])], ["list"], ["list", "--json"], ["show", "1"]):
        assert main(["--data-dir", str(home), *args]) == 0, args
    getattr(sys, closed).close()  # the stand-in main() put there
    monkeypatch.setattr(sys, closed, stream)
    assert cli("list")[1].count("\n") == 4  # p1 was imported


def test_closed_standard_descriptors_are_not_handed_to_the_next_file(tmp_path: Path) -> None:
    # With 0-2 all closed, the stand-ins for stdout and stderr took fds 0 and 1, and the
    # next file opened (a label map written by `segment`) became fd 2: native libraries'
    # warnings went into it.
    out = tmp_path / "fd.txt"
    code = (
        "import os; from wardrobe_app.cli import fill_closed_std_fds; fill_closed_std_fds(); "
        f"fd = os.open({str(out)!r}, os.O_WRONLY | os.O_CREAT); os.write(fd, str(fd).encode())"
    )
    subprocess.run(
        ["bash", "-c", '"$0" -c "$1" <&- >&- 2>&-', sys.executable, code], check=True, timeout=60
    )
    assert int(out.read_text()) > 2


def test_ctrl_c_during_the_final_index_build_still_reports_the_import(
    cli: Run, batch: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index is built in the foreground when the wardrobe closes (CLI: no background
    # build), after the last photo: a first Ctrl+C there lets the build finish, and the
    # photos imported are still reported, as a Ctrl+C during a photo does.
    import signal

    persist = Vectors.persist_index

    def interrupted_build(w: Vectors) -> None:
        signal.raise_signal(signal.SIGINT)
        persist(w)

    monkeypatch.setattr(Vectors, "persist_index", interrupted_build)
    photos = [str(batch[k]) for k in ("p0", "p1")]
    rc, out, err = cli("import", *photos, "--json")
    assert rc == 0, err  # every photo was imported: nothing is left to do
    doc = json.loads(out)
    assert [i["path"] for i in doc["imported"]] == photos and doc["cancelled"] == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back

    # A second Ctrl+C stops the build at once; the photos stay imported.
    def twice_interrupted_build(w: Vectors) -> None:
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)
        persist(w)

    monkeypatch.setattr(Vectors, "persist_index", twice_interrupted_build)
    rc, out, err = cli("import", str(batch["p2"]))
    assert rc == 130 and err.endswith("interrupted\n") and out == ""
    monkeypatch.setattr(Vectors, "persist_index", persist)
    assert "3 duplicates" in cli("import", *photos, str(batch["p2"]))[1]


def test_importing_again_a_photo_with_nothing_found_loads_no_model(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # import keeps a photo in which nothing was found and skips it the next time as a
    # duplicate (unless asked for as the other kind): no model is needed for that, so
    # damaged models are no error there, as for any other duplicate.
    from PIL import Image

    from wardrobe_app.vision.model_folder import ModelFolderError

    blank = tmp_path / "blank.jpg"
    Image.new("RGB", (100, 100), (128, 128, 128)).save(blank)
    rc, out, err = cli("import", str(blank))
    assert rc == 0 and "no garment found" in err

    def damaged() -> FakeAnalyser:
        raise ModelFolderError("/models/embedder/weights.pt does not match config.json")

    monkeypatch.setattr(service, "ANALYSER_FACTORY", damaged)
    rc, out, err = cli("import", str(blank))
    assert rc == 0 and "1 duplicate;" in out, err
    # As the kind it was read as: a duplicate; as the other kind: read again, with models.
    assert sorted(cli("import", str(blank), "--kind", k)[0] for k in ("outfit", "item")) == [0, 2]


def test_backup_makes_a_wardrobe_of_its_own(
    cli: Run, batch: dict[str, Path], home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli("import", str(batch["p0"]), str(batch["p1"]))
    cli("delete", "4")
    _, listed, _ = cli("list", "--json")
    rc, out, err = cli("backup", str(tmp_path / "b1"))
    assert rc == 0 and "backed up 3 garments from 2 photos" in out and "--data-dir" in out
    assert err.strip() == ""  # the bar goes when done (leave=False): nothing else said
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path / "b1"), "list", "--json"]) == 0
    copy = capsys.readouterr().out
    assert copy == listed.replace(str(home), str(tmp_path / "b1"))
    assert main(["--data-dir", str(tmp_path / "b1"), "verify"]) == 0

    rc, out, _ = cli("backup", str(tmp_path / "two\nlines"))  # its folder on one line
    assert rc == 0 and len(out.splitlines()) == 1 and f"{tmp_path}/two\\nlines (" in out

    rc, _, err = cli("backup", str(tmp_path / "b1"))  # never over an earlier backup
    assert rc == 2 and "is not empty" in err and err.startswith("wardrobe-cli: error:")

    _, shown, _ = cli("show", "2", "--json")
    Path(json.loads(shown)["cutout_path"]).unlink()
    rc, out, err = cli("backup", str(tmp_path / "b2"), "--json")
    doc = json.loads(out)
    assert rc == 1 and doc["garments"] == 3 and doc["bytes"] > 0
    assert [d["of"] for d in doc["left_out"]] == ["cut-out of garment #2"]
    assert "cut-out of garment #2) is missing or damaged: left out" in err


def test_stdout_and_stderr_in_one_pipe_keep_whole_lines_in_order(
    batch: dict[str, Path], tmp_path: Path
) -> None:
    # `wardrobe-cli list 2>&1 | less`: stdout was block-buffered, so the count said on
    # stderr came first or cut a record ("Dress30 garment(s)").
    env = _fake_analyser_env()
    env.pop("PYTHONUNBUFFERED", None)  # as a user's shell has it
    base = [sys.executable, "-m", "wardrobe_app.cli", "--data-dir", str(tmp_path / "h")]
    subprocess.run([*base, "import", str(batch["p0"]), str(batch["p1"])], env=env, check=True)
    proc = subprocess.run(
        [*base, "list"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0 and len(lines) >= 3
    assert lines[-1] == f"{len(lines) - 1} garments"
