"""The window of a wardrobe opened read-only (its folder cannot be written: a backup on a
read-only disk, a folder without write permission): it says so, and every control that
would change the wardrobe is off, with the one sentence that says why as its tooltip.
Browsing, the filters, garment pages, similar items, export and backup stay as they are."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QToolBar, QWidget

from .. import paths
from ..store.read_only import opens_read_only
from .elided_label import ElidedLabel
from .not_compared_notice import NotComparedNotice

if TYPE_CHECKING:
    from .garment_view import GarmentView
    from .main_window import MainWindow

# The window's actions that change the wardrobe (a backup only reads it: it stays on).
CHANGING_ACTIONS = ("import_photos", "import_folder", "delete", "undo", "redo")
BANNER = "Read-only"
# Said in the status bar where photos are given all the same (a drop, named at start).
READ_ONLY_IMPORT = "Nothing was imported: this wardrobe is read-only"
# Said in the status bar while the pointer is on what is turned off.
STATUS_TIP = "Not available: this wardrobe is read-only"


def data_folder_problem(folder: Path) -> str | None:
    """``paths.data_folder_problem``, less "cannot be written" for a folder that holds a
    wardrobe: that one is opened read-only (a backup on a read-only disk)."""
    problem = paths.data_folder_problem(folder)
    folder = folder.expanduser()
    if problem is not None and folder.is_absolute() and opens_read_only(folder):
        return None
    return problem


def log_file_for(home: Path) -> Path:
    """The log: in the data folder, or in the user's log folder where that one cannot
    be written (the error dialogs name the file the details are in)."""
    if opens_read_only(home):
        return Path(platformdirs.user_log_dir(paths.APP_NAME)) / paths.log_path(home).name
    return paths.log_path(home)


def banner_words(sentence: str, home: Path) -> str:
    """The sentence less the folder, which the user chose and the tooltips name: with it,
    a long path cut the advice off ("copy its folder to one you can write to an…")."""
    return sentence.replace(f"The wardrobe in {home} is ", "This wardrobe is ", 1)


def _page_ground(widget: QWidget) -> None:
    """The page's own ground behind ``widget``, not an edit box's white. (A style sheet:
    with the application's one set, a palette's transparent Base was not drawn.)"""
    widget.setStyleSheet("background: transparent;")


def lock_garment_view(view: GarmentView, sentence: str) -> None:
    """The garment's fields shown, selectable, not editable; its buttons that change it
    off. (Read-only line edits keep the keyboard: their text can still be copied.)"""
    # Framed on a white ground, with "comma separated, e.g. summer, work" in them, they
    # read as fields to type in: shown as text on the page's ground, "No tags" if empty.
    for edit in (view.name_edit, view.type_edit, view.tags_edit):
        edit.setReadOnly(True)
        edit.setToolTip(sentence)
        edit.setFrame(False)
        _page_ground(edit)
    view.type_edit.setPlaceholderText("No type")
    view.tags_edit.setPlaceholderText("No tags")
    view.notes_edit.setReadOnly(True)
    view.notes_edit.setToolTip(sentence)
    view.notes_edit.setFrameShape(QFrame.Shape.NoFrame)
    view.notes_edit.setPlaceholderText("No notes")
    _page_ground(view.notes_edit)
    view.size_notes()
    for widget in (view.category_combo, view.favourite, view.touch_up_button, view.delete_button):
        widget.setEnabled(False)
        widget.setToolTip(sentence)


def lock_window(window: MainWindow, sentence: str) -> None:
    """Say that the wardrobe is read-only (title, a line under the toolbar, the status
    bar) and turn off what would change it."""
    window.setWindowTitle("Wardrobe (read-only)")
    for name in CHANGING_ACTIONS:
        action = window.actions_[name]
        action.setEnabled(False)
        action.setToolTip(sentence)
        # In the status bar beside the models' words: the sentence was cut mid-word.
        action.setStatusTip(STATUS_TIP)
    window.addToolBarBreak()
    bar = QToolBar(BANNER, window)
    bar.setObjectName("readOnlyBar")
    bar.setMovable(False)
    bar.toggleViewAction().setEnabled(False)  # not to be hidden by a right click
    # One line, shortened in a narrow window (the whole sentence in its tooltip): wrapped
    # in a tool bar, it took six lines of a 200 px column.
    banner = ElidedLabel(banner_words(sentence, window.session.wardrobe.home), bar)
    banner.setObjectName("readOnlyBanner")
    banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    banner.setContentsMargins(8, 4, 8, 4)
    bar.addWidget(banner)
    window.addToolBar(bar)
    window.read_only_banner = banner
    status = QLabel(BANNER, window.statusBar())
    status.setObjectName("readOnlyLabel")
    status.setToolTip(sentence)
    dot = QLabel("·", window.statusBar())  # as between the models and the count
    dot.setContentsMargins(4, 0, 4, 0)
    window.statusBar().addPermanentWidget(dot)
    window.statusBar().addPermanentWidget(status)
    # How many garments similar items leave out (another model's vectors), if any.
    notice = NotComparedNotice(window.session, window.statusBar())
    window.browse.listed.connect(notice.relisted)
    lock_garment_view(window.garment_view, sentence)
