"""The end of an import: what was filed, and each file that failed with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..vision.image_io import READABLE_FORMATS, left_out_note
from .icons import standard
from .model_loader import not_loaded
from .odd_names import shown_name
from .screen_fit import resize_within_screen
from .wrapped_cells import WrappedColumn

FILE_COLUMN_MAX = 280  # px, of the dialog's 720


@dataclass
class ImportSummary:
    photos: int = 0  # photos saved
    garments: int = 0  # garments saved
    duplicates: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    discarded: int = 0  # photos the user discarded in the review
    cancelled: int = 0  # photos never analysed or never reviewed
    no_garment: list[tuple[Path, str]] = field(default_factory=list)
    not_loaded: list[Path] = field(default_factory=list)  # not imported: models unusable
    model_error: str = ""  # why the models could not load
    reviewed: bool = False  # through the review, which promises the skipped files a list
    left_out: list[Path] = field(default_factory=list)  # RAW, .psd, videos... in the folders
    stopped: list[Path] = field(default_factory=list)  # not reached: a bug stopped the import
    wardrobes: list[Path] = field(default_factory=list)  # data folders skipped (a backup)
    home: Path | None = None  # the wardrobe's own data folder, named as such among those

    def headline(self) -> str:
        # Counted, not listed: a folder of RAW files would fill the report.
        note = [left_out_note(self.left_out)] if self.left_out else []
        if not (
            self.photos
            or self.duplicates
            or self.failed
            or self.no_garment
            or self.discarded
            or self.cancelled
            or self.not_loaded
            or self.stopped
        ):
            if self.wardrobes:  # no format trouble: said as the CLI says it
                return ": ".join(["No photos found there", *self._wardrobes_said(), *note])
            return ": ".join(["No photos found there", *note]) + (f" ({READABLE_FORMATS})")
        parts: list[str] = []
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already in the wardrobe")
        if self.no_garment:
            parts.append(f"{len(self.no_garment)} without garments")
        if self.discarded:
            parts.append(f"{self.discarded} discarded")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.cancelled:
            parts.append(f"{self.cancelled} cancelled")
        if self.not_loaded:
            n = len(self.not_loaded)
            parts.append(f"the models could not load ({n} photo{'s' if n != 1 else ''})")
        if self.stopped:
            parts.append(f"{len(self.stopped)} not imported")
        if self.wardrobes:  # beside photos imported: a backup in the folder, said too
            n = len(self.wardrobes)
            parts.append(f"{n} wardrobe data folder{'s' if n != 1 else ''} skipped (a backup?)")
        parts += note
        if not self.photos:  # not "Imported 0 photos (0 garments)"
            return "Nothing imported: " + ", ".join(parts)
        imported = (
            f"Imported {self.photos} photo{'s' if self.photos != 1 else ''} "
            f"({self.garments} garment{'s' if self.garments != 1 else ''})"
        )
        return ", ".join([imported, *parts])

    def _wardrobes_said(self) -> list[str]:
        """Each wardrobe's data folder skipped, and how to open it: a backup given to
        import was "no photos found (Wardrobe reads JPEG, PNG...)", a format trouble."""
        home = self.home.resolve() if self.home is not None else None
        return [
            f"{folder} is this wardrobe's data folder, what it holds is filed already"
            if folder == home
            else f"{folder} holds a wardrobe (a backup?), its files are that wardrobe's "
            "photos, cut-outs and masks; open it with Settings > Data folder"
            for folder in self.wardrobes
        ]

    def needs_report(self) -> bool:
        # Duplicates after a review, which promises them "at the end". Without one, a
        # folder imported again for its new photos would open a list of all the old
        # ones: the status bar's headline counts them.
        return bool(
            self.failed
            or self.no_garment
            or self.not_loaded
            or self.stopped
            or (self.duplicates and self.reviewed)
        )


class ImportReportDialog(QDialog):
    def __init__(self, summary: ImportSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import finished")
        headline = QLabel(f"<b>{summary.headline()}.</b>", self)
        headline.setWordWrap(True)
        self.explain = QLabel(_explanation(summary), self)
        self.explain.setObjectName("explain")
        self.explain.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("failedFiles")
        self.tree.setHeaderLabels(["File", "Reason"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # long names keep both ends
        # A reason is read whole: elided, "no garment found as one item" lost its middle.
        WrappedColumn(self.tree, 1)
        warn = standard(QStyle.StandardPixmap.SP_MessageBoxWarning)
        info = standard(QStyle.StandardPixmap.SP_MessageBoxInformation)
        for path, reason in summary.failed:
            self._add_row(path, _short_reason(path, reason), warn, reason)
        for path in summary.not_loaded:
            self._add_row(
                path, "not imported: the models could not load", warn, summary.model_error
            )
        for path in summary.stopped:
            self._add_row(path, "not imported: the error above stopped the import", warn)
        for path, reason in summary.no_garment:
            self._add_row(path, reason or "no garment found", info, reason or "no garment found")
        for path in summary.duplicates:
            self._add_row(path, "already in the wardrobe", info)
        # The file column as wide as its names but at most ~40%: the reason is the news.
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), FILE_COLUMN_MAX))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(headline)
        layout.addWidget(self.explain)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons, 0, Qt.AlignmentFlag.AlignRight)
        # Within the screen: 720x380 was taller than 1366x768 at 200% (683x384).
        resize_within_screen(self, 720, 380)

    def _add_row(self, path: Path, reason: str, icon: QIcon, reason_tip: str = "") -> None:
        """A file of the report: its name (the whole path as its tooltip) and why."""
        item = QTreeWidgetItem([shown_name(path.name), shown_name(reason)])
        item.setIcon(0, icon)
        item.setToolTip(0, shown_name(str(path)))
        if reason_tip:
            item.setToolTip(1, shown_name(reason_tip))
        self.tree.addTopLevelItem(item)

    def reasons(self) -> list[tuple[str, str]]:
        items = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        return [(item.text(0), item.text(1)) for item in items if item is not None]


def _explanation(summary: ImportSummary) -> str:
    if not summary.not_loaded:
        return "These files were not added to the wardrobe:"
    return (
        f"{not_loaded(summary.model_error)}\n\n"
        "These files were not added to the wardrobe; import them again once the model "
        "folder is fixed:"
    )


def _short_reason(path: Path, reason: str) -> str:
    """Error messages start with the path; the table already shows the file."""
    for prefix in (f"{path}: ", f"{path.name}: "):
        if reason.startswith(prefix):
            return reason[len(prefix) :]
    return reason
