"""The window on a wardrobe opened read-only (a backup on a read-only disk): it says so,
browsing, filters, garment pages and similar items work, and every control that would
change the wardrobe is off, with the sentence that says why. Such a wardrobe could not
be opened at all. (Tests may run as root, whom chmod does not stop: the folder is told
read-only by the detection's answer.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import wait_listed
from fakes import (
    BROKEN_WEIGHTS,
    FakeAnalyser,
    broken_models,
    made_by_release,
    stop_reindex_part_way,
)
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QLabel

from wardrobe_app import paths
from wardrobe_app.service import Wardrobe


@pytest.fixture
def read_only_home(home: Path, photos, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A wardrobe of 3 photos (6 garments) without its index, as a backup is, on what
    the store is told is a read-only disk."""
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.import_paths(photos(3))
    shutil.rmtree(paths.index_dir(home))
    monkeypatch.setattr(
        "wardrobe_app.store.store.read_only_reason", lambda home, db: "it is on a read-only disk"
    )
    return home


def test_a_read_only_wardrobe_is_browsed_and_says_why_nothing_changes(
    make_app, qtbot, read_only_home: Path, photos
):
    parts = make_app()
    w = parts.window
    wait_listed(qtbot, w, 6)
    sentence = parts.session.wardrobe.store.refusal
    assert sentence and "is read-only (it is on a read-only disk)" in sentence
    assert "read-only" in w.windowTitle()
    assert w.read_only_banner is not None and w.read_only_banner.isVisible()
    banner = w.read_only_banner.text()
    assert banner == sentence.replace(f"The wardrobe in {read_only_home} is", "This wardrobe is")
    assert w.findChild(QLabel, "readOnlyLabel").toolTip() == sentence  # with the folder
    # whole, not cut short, in an 800 px window
    w.resize(800, 600)
    qtbot.waitUntil(lambda: w.width() == 800, timeout=2000)
    assert QLabel.text(w.read_only_banner) == banner
    changing = ("import_photos", "import_folder", "delete", "undo")
    w.browse.grid.selectAll()
    for name in changing:
        assert not w.actions_[name].isEnabled(), name
        assert w.actions_[name].toolTip() == sentence, name
    assert w.actions_["export"].isEnabled() and w.actions_["own_this"].isEnabled()
    assert w.actions_["backup"].isEnabled()  # a backup only reads the wardrobe

    # An import asked all the same (a drop, photos named at start) is refused, in words.
    assert not w.import_paths(photos(1, start=7))
    assert w.statusBar().currentMessage() == "Nothing was imported: this wardrobe is read-only"
    assert parts.session.wardrobe.count() == 6

    # Filters and a garment's page with its similar items.
    w.browse.filter_bar.category_chips["top"].click()
    wait_listed(qtbot, w, 3)
    w.open_garment(w.browse.model.record(0))
    view = w.garment_view
    qtbot.waitUntil(lambda: view.similar.model.rowCount() > 0, timeout=5000)
    qtbot.waitUntil(lambda: view.images is not None, timeout=5000)
    assert view.name_edit.isReadOnly() and view.notes_edit.isReadOnly()
    for widget in (view.category_combo, view.favourite, view.touch_up_button, view.delete_button):
        assert not widget.isEnabled(), widget.objectName()
        assert widget.toolTip() == sentence
    assert not w.actions_["delete"].isEnabled()


def test_a_read_only_wardrobe_of_the_release_before_is_browsed(
    make_app, qtbot, read_only_home: Path
):
    """At 0003, without 0004's change counters (a backup the release before made): it
    was refused ("must be updated") until opened once where it could be written."""
    made_by_release(paths.database_path(read_only_home), "0003_outerwear")
    parts = make_app()
    w = parts.window
    wait_listed(qtbot, w, 6)
    assert "read-only" in w.windowTitle() and w.read_only_banner is not None
    assert w.read_only_banner.isVisible() and "read-only disk" in w.read_only_banner.text()
    w.catch_up()  # nothing changed elsewhere: still listed, no error
    w.open_garment(w.browse.model.record(0))
    view = w.garment_view
    qtbot.waitUntil(lambda: view.similar.model.rowCount() > 0, timeout=5000)
    assert parts.reporter.errors == []


def test_a_read_only_garment_page_reads_as_text_not_as_fields(
    make_app, qtbot, read_only_home: Path
):
    # Framed, on white, with "comma separated, e.g. summer, work" in them, the fields
    # still read as places to type; and the status tip of a turned-off action, the
    # whole sentence with the folder, was cut mid-word beside the models' words.
    parts = make_app()
    w = parts.window
    wait_listed(qtbot, w, 6)
    assert str(read_only_home) not in w.actions_["import_photos"].statusTip()
    assert "read-only" in w.actions_["import_photos"].statusTip()
    w.open_garment(w.browse.model.record(0))
    view = w.garment_view
    qtbot.waitUntil(lambda: view.images is not None, timeout=5000)
    assert not any(e.hasFrame() for e in (view.name_edit, view.type_edit, view.tags_edit))
    assert view.notes_edit.frameShape() == QFrame.Shape.NoFrame
    assert view.tags_edit.text() == "" and view.tags_edit.placeholderText() == "No tags"
    assert view.notes_edit.placeholderText() == "No notes"
    # An empty note takes one line, not the three left to write in (40 px of blank).
    line = view.notes_edit.fontMetrics().lineSpacing()
    assert view.notes_edit.height() < 2 * line
    view.notes_edit.blockSignals(True)  # filled as a garment with notes is, not typed
    view.notes_edit.setPlainText("Bought in Lisbon")
    view.size_notes()
    assert view.notes_edit.height() >= 3 * line
    view.notes_edit.setPlainText("")
    view.notes_edit.blockSignals(False)
    # drawn on the page's ground: the empty end of the tags field is the window's colour
    edit = view.tags_edit
    spot = edit.mapTo(w, QPoint(edit.width() - 6, edit.height() // 2))
    ground = w.grab().toImage().pixelColor(spot * w.devicePixelRatioF())
    assert ground.name() == w.palette().color(QPalette.ColorRole.Window).name()


def test_a_read_only_garments_category_keeps_its_colour(make_app, qtbot, read_only_home: Path):
    # The box is off, and Qt drew its dot grey: the category's colour said nothing.
    from wardrobe_app.ui.theme import CATEGORY_COLOURS

    parts = make_app()
    w = parts.window
    wait_listed(qtbot, w, 6)
    w.open_garment(w.browse.model.record(0))
    combo = w.garment_view.category_combo
    qtbot.waitUntil(lambda: combo.isVisible() and not combo.isEnabled(), timeout=5000)
    wanted = QColor(CATEGORY_COLOURS[str(combo.currentData())])
    image = combo.grab().toImage()
    pixels = (
        image.pixelColor(x, y) for x in range(min(40, image.width())) for y in range(image.height())
    )
    assert any(_near(pixel, wanted) for pixel in pixels), wanted.name()


def _near(a: QColor, b: QColor) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= 12


def test_the_data_folder_of_a_read_only_wardrobe_may_be_chosen(
    tmp_path: Path, read_only_home: Path, monkeypatch: pytest.MonkeyPatch
):
    from wardrobe_app.store import read_only as store_read_only
    from wardrobe_app.ui.read_only import data_folder_problem, log_file_for

    not_writable = tmp_path / "other"
    not_writable.mkdir()

    def problem(folder: Path) -> str:
        return f"{folder} cannot be made or written: {folder} is not writable"

    monkeypatch.setattr(paths, "data_folder_problem", problem)
    monkeypatch.setattr(store_read_only, "read_only_reason", lambda home, db: "read-only disk")
    assert data_folder_problem(read_only_home) is None  # a wardrobe: opened read-only
    assert data_folder_problem(not_writable) == problem(not_writable)  # none to read
    assert not log_file_for(read_only_home).is_relative_to(read_only_home)
    monkeypatch.undo()
    assert log_file_for(read_only_home) == paths.log_path(read_only_home)


def test_do_i_own_this_says_why_another_models_vectors_are_not_compared(
    make_app, qtbot, read_only_home: Path, photos
):
    """Its garments' vectors came from another model, which the read-only wardrobe cannot
    replace: the photo's were compared with them as if one model had made both."""
    parts = make_app(analyser=FakeAnalyser(version="fake-2", permute=True))
    w = parts.window
    wait_listed(qtbot, w, 6)
    dialog = w.open_own_this()
    dialog.analyse_photo(photos(1, start=7)[0])
    qtbot.waitUntil(lambda: "similar-items model (fake-1)" in dialog.status.text(), timeout=10_000)
    assert dialog.rows == [] and parts.reporter.errors == []  # said, not a crash
    dialog.close()


def test_garments_of_another_model_are_said_not_compared(
    make_app, qtbot, read_only_home: Path, photos
):
    """A reindex stopped part-way left garments 1 and 2 with the installed model's
    vectors, the others with an older one's: "similar" and "do I own this" compared the
    two. The others are now left out, and the window says so."""
    from wardrobe_app.ui.garment_view import NOT_COMPARED

    stop_reindex_part_way(paths.database_path(read_only_home), (1, 2))
    parts = make_app(analyser=FakeAnalyser(version="fake-2", permute=True))
    w = parts.window
    wait_listed(qtbot, w, 6)
    record = next(r for r in parts.session.wardrobe.list_garments() if r.id == 3)
    w.open_garment(record)
    view = w.garment_view
    qtbot.waitUntil(lambda: view.similar.empty.text() == NOT_COMPARED, timeout=5000)
    dialog = w.open_own_this()
    dialog.analyse_photo(photos(1, start=7)[0])
    qtbot.waitUntil(lambda: "found." in dialog.status.text(), timeout=10_000)
    assert "4 garments of this wardrobe could not be compared" in dialog.status.text()
    assert parts.reporter.errors == []
    dialog.close()


def test_a_read_only_garment_page_says_the_models_could_not_load(
    make_app, qtbot, read_only_home: Path
):
    # A reindex stopped part-way: similar items need the models to describe the other
    # garments again first. With a broken weights file, each garment opened showed an
    # error box with the loader's words and "Could not find similar items: <them>".
    # The page says that the models could not load and why; one box, the start's.
    stop_reindex_part_way(paths.database_path(read_only_home), (1, 2))
    parts = make_app(analyser=broken_models())
    w = parts.window
    qtbot.waitUntil(lambda: parts.session.model_error is not None, timeout=5000)
    wait_listed(qtbot, w, 6)
    view = w.garment_view
    said = f"Could not look for similar items. The models could not load: {BROKEN_WEIGHTS}"
    for row in (0, 1):
        w.open_garment(w.browse.model.record(row))
        assert view.similar.empty.text() != said  # "Finding similar items…" first
        qtbot.waitUntil(lambda: view.similar.empty.text() == said, timeout=10_000)
    assert [e.title for e in parts.reporter.errors] == ["Loading the model"]


def test_a_read_only_window_fits_a_laptop_screen_at_200_percent(
    make_app, qtbot, read_only_home: Path
):
    # 1366x768 at 200% is 683x384: the read-only line under the tool bar made the
    # window's least height 356 px here, the grid's hidden "no garment matches" page
    # counting in it. Its least size is now the page shown's.
    from wardrobe_app.ui.screen_fit import FRAME_ALLOWANCE

    w = make_app().window
    wait_listed(qtbot, w, 6)
    free = (683 - FRAME_ALLOWANCE, 384 - FRAME_ALLOWANCE)
    w.resize(*free)
    qtbot.waitUntil(lambda: w.width() == free[0], timeout=5000)
    assert w.read_only_banner is not None and w.read_only_banner.isVisible()
    hint = w.minimumSizeHint()
    assert hint.width() <= free[0] and hint.height() <= free[1], hint


def test_the_window_says_how_many_garments_are_not_compared(make_app, qtbot, read_only_home: Path):
    """Each one's page said "not compared", but nothing in the window said how many of
    the wardrobe's garments similar items leave out."""
    stop_reindex_part_way(paths.database_path(read_only_home), (1, 2))
    parts = make_app(analyser=FakeAnalyser(version="fake-2", permute=True))
    w = parts.window
    wait_listed(qtbot, w, 6)
    notice = w.statusBar().findChild(QLabel, "notComparedNotice")
    assert notice is not None
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    assert notice.text() == "4 garments not compared: described by another model"
    assert "described by another version of the similar-items model" in notice.toolTip()
    # Another program gives 3 and 4 the installed model's vectors: counted again.
    stop_reindex_part_way(paths.database_path(read_only_home), (3, 4))
    w.catch_up()
    qtbot.waitUntil(lambda: notice.text().startswith("2 garments not compared"), timeout=5000)
    assert parts.reporter.errors == []


def test_the_not_compared_notice_speaks_where_the_models_could_not_load(
    make_app, qtbot, read_only_home: Path
):
    # It counted once the models loaded (they pick which model's vectors are compared):
    # with a broken weights file it never appeared. What the database alone says, is said.
    stop_reindex_part_way(paths.database_path(read_only_home), (1, 2))
    parts = make_app(analyser=broken_models())
    w = parts.window
    qtbot.waitUntil(lambda: parts.session.model_error is not None, timeout=5000)
    notice = w.statusBar().findChild(QLabel, "notComparedNotice")
    assert notice is not None
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    assert notice.text() == "Garments of 2 models: not all compared"
    tip = notice.toolTip()
    assert "described by 2 versions of the similar-items model (4 and 2 garments)" in tip
    assert "could not load, so which are left out is not known" in tip
    assert [e.title for e in parts.reporter.errors] == ["Loading the model"]


def test_the_not_compared_notice_keeps_quiet_where_all_are_compared(
    make_app, qtbot, read_only_home: Path
):
    parts = make_app()
    w = parts.window
    wait_listed(qtbot, w, 6)
    notice = w.statusBar().findChild(QLabel, "notComparedNotice")
    assert notice is not None
    qtbot.waitUntil(lambda: notice.counted == 0, timeout=5000)
    assert not notice.isVisible()
