"""The message at the end of a job that made a folder (an export, a backup), with a
button to open it: a status-bar line gone in ten seconds left people looking for it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget


def show_folder_box(
    parent: QWidget,
    title: str,
    text: str,
    folder: Path,
    name: str,
    icon: QMessageBox.Icon = QMessageBox.Icon.Information,
) -> QMessageBox:
    """Open (not exec) a box named ``name`` saying ``text``, with Open folder (the
    default) and Close; it deletes itself once closed."""
    box = QMessageBox(icon, title, text, parent=parent)
    box.setObjectName(name)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    open_folder = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(open_folder)
    # An action button closes the box too; the folder opens after.
    open_folder.clicked.connect(lambda: open_or_say(parent, folder))
    box.open()
    return box


def open_or_say(parent: QWidget, folder: Path) -> bool:
    """Open ``folder`` in the file manager; where none answers (none installed, no
    desktop portal), say so and where the folder is: Open folder did nothing at all, the
    box that named the folder gone with the click."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Cannot open the folder",
        f"No program to show folders was found. The folder is:\n\n{folder}",
        parent=parent,
    )
    box.setObjectName("openFolderFailed")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # to copy
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return False
