"""The main window's actions (text, shortcut, icon, tip and the slot each runs), its
menus, and the line icons drawn in the palette's colour."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenuBar

from .icons import line_icon
from .toolbar_fit import plain_text

if TYPE_CHECKING:
    from .main_window import MainWindow


def add_action(
    window: QMainWindow,
    actions: dict[str, QAction],
    name: str,
    text: str,
    slot: Callable[[], object],
    shortcut: str | QKeySequence.StandardKey | list[QKeySequence] | None = None,
    icon: str | None = None,
    tip: str = "",
) -> QAction:
    """A window action (its shortcuts work wherever the focus is in the window), listed
    in ``actions`` under ``name``; ``icon`` names a line icon ``paint_icons`` draws."""
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut is not None:
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        else:
            action.setShortcut(QKeySequence(shortcut))
    if icon is not None:
        action.setProperty("lineIcon", icon)
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    window.addAction(action)
    actions[name] = action
    return action


def make_actions(window: MainWindow, actions: dict[str, QAction]) -> None:
    """The main window's actions, into ``actions``: the menus and the toolbar show them."""
    w, a = window, actions
    add = partial(add_action, w, a)
    add(
        "import_photos",
        "&Import photos…",
        w.choose_photos,
        "Ctrl+I",
        "photos",
        "Add photos to the wardrobe (Ctrl+I)",
    )
    add(
        "import_folder",
        "Import &folder…",
        w.choose_folder,
        "Ctrl+Shift+I",
        "folder",
        "Add every photo in a folder (Ctrl+Shift+I)",
    )
    add(
        "own_this",
        "Do I already &own this?…",
        w.open_own_this,
        "Ctrl+O",
        "search",
        "Check a photo against your wardrobe without saving it (Ctrl+O)",
    )
    add(
        "export",
        "&Export…",
        w.export,
        "Ctrl+E",
        None,
        "Export the cut-outs and a CSV list (Ctrl+E)",
    )
    add(
        "backup",
        "&Back up…",
        w.back_up,
        None,
        None,
        "A complete copy of the wardrobe, to keep or to move it to another computer",
    )
    keys = settings_keys()
    add(
        "settings",
        "&Settings…",
        w.open_settings,
        keys,
        "settings",
        f"The model's device, the data folder, the colours and the review ({_native(keys[0])})",
    )
    add("quit", "&Quit", w.close, QKeySequence.StandardKey.Quit)
    undo = w.undo_stack.createUndoAction(w, "&Undo")
    undo.triggered.disconnect()  # the stack's undo(), through undo_last: it may wait
    undo.triggered.connect(w.undo_last)
    undo.setObjectName("undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    undo.setProperty("lineIcon", "undo")
    w.addAction(undo)
    a["undo"] = undo
    UndoTip(undo)
    redo = w.undo_stack.createRedoAction(w, "&Redo")
    redo.triggered.disconnect()
    redo.triggered.connect(w.redo_last)
    redo.setObjectName("redo")
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    w.addAction(redo)
    a["redo"] = redo
    add(
        "delete",
        "&Delete",
        w.delete_selected,
        QKeySequence.StandardKey.Delete,
        "delete",
        "Delete the selected garments (Del)",
    )
    add("find", "&Find", w.focus_search, QKeySequence.StandardKey.Find)
    add("select_all", "Select &all", w.select_all, QKeySequence.StandardKey.SelectAll)
    add("open", "&Open garment", w.open_current, None)
    add(
        "back",
        "&Back to all garments",
        w.show_browse,
        [QKeySequence(QKeySequence.StandardKey.Back)],
        "back",
    )
    add("reload", "&Reload", w.refresh, [QKeySequence(QKeySequence.StandardKey.Refresh)])
    add("about", "&About Wardrobe", w.open_about, None)
    a["delete"].setEnabled(False)


def _native(keys: QKeySequence) -> str:
    return keys.toString(QKeySequence.SequenceFormat.NativeText)


class UndoTip(QObject):
    """The Undo action's tip, named with its key as every other tool bar button's (it
    said "Undo" alone). It follows the action's own text and state, not the stack's:
    the window turns Undo on for a step on its way (a touch-up being saved, a delete
    waiting for one), where the stack's empty text said "Nothing to undo"."""

    def __init__(self, undo: QAction) -> None:
        super().__init__(undo)
        self._undo = undo
        self._shown: tuple[str, bool, str] | None = None  # the text, state and keys told
        undo.changed.connect(self.show_step)
        self.show_step()

    @Slot()
    def show_step(self) -> None:
        undo = self._undo
        if not shiboken6.isValid(undo):  # the stack cleared as the window goes
            return
        keys = _native(undo.shortcut())
        state = (undo.text(), undo.isEnabled(), keys)
        # Only where they changed: a tip set since (a read-only wardrobe's, saying why
        # Undo is off) stays, and the tip's own change() comes back here.
        if state == self._shown:
            return
        self._shown = state
        text = plain_text(undo.text())  # "&Undo deletion of 1 garment": its "&" dropped
        undo.setToolTip(f"{text} ({keys})" if undo.isEnabled() else f"Nothing to undo ({keys})")


def paint_icons(actions: dict[str, QAction], colour: QColor) -> None:
    """(Re)draw the line icons of ``actions`` in ``colour`` (the palette's text colour)."""
    for action in actions.values():
        name = action.property("lineIcon")
        if name:
            action.setIcon(line_icon(str(name), colour))


def make_menus(bar: QMenuBar, a: dict[str, QAction]) -> None:
    """File, Edit, View and Help, of the actions ``make_actions`` made."""
    file_menu = bar.addMenu("&File")
    for name in ("import_photos", "import_folder", "own_this"):
        file_menu.addAction(a[name])
    file_menu.addSeparator()
    file_menu.addAction(a["export"])
    file_menu.addAction(a["backup"])
    file_menu.addSeparator()
    file_menu.addAction(a["settings"])
    file_menu.addSeparator()
    file_menu.addAction(a["quit"])
    edit = bar.addMenu("&Edit")
    edit.addAction(a["undo"])
    edit.addAction(a["redo"])
    edit.addSeparator()
    edit.addAction(a["select_all"])
    edit.addAction(a["delete"])
    edit.addSeparator()
    edit.addAction(a["find"])
    view = bar.addMenu("&View")
    view.addAction(a["back"])
    view.addAction(a["reload"])
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a["about"])


def settings_keys() -> list[QKeySequence]:
    """The platform's Preferences keys, and Ctrl+, where it has none (Linux desktops), as
    many apps do; never the same key twice (macOS's is Ctrl+,: twice is ambiguous)."""
    keys = list(QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences))
    if QKeySequence("Ctrl+,") not in keys:
        keys.append(QKeySequence("Ctrl+,"))
    return keys
