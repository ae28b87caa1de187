"""One yes-or-no question before something that loses work (a delete, a stopped import)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

# Also the first line of its text: a dialog attached to its window (GNOME, macOS) shows
# no title, and Yes / No then answered "4 photos ... will not be saved."
STOP_IMPORT = "Stop the import?"


def ask_yes(parent: QWidget, title: str, text: str, *, yes_by_default: bool) -> bool:
    """True when the user answers Yes. ``yes_by_default``: what Enter answers (a delete
    that Ctrl+Z undoes may default to Yes; losing photos may not)."""
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    default = QMessageBox.StandardButton.Yes if yes_by_default else QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, text, buttons, default) == (
        QMessageBox.StandardButton.Yes
    )
