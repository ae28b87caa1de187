"""Colour dots outside the grid (the filter chips, a garment page's colours, the review)
stand out 3:1 from what they are drawn on, by their colour or their ring, on both
schemes and after a live switch: the ring was picked by the colour's lightness, and
grey, brown, red, olive, green, blue and purple (dark), white, cream and yellow (light)
were under 3:1, ring and all."""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Iterator

import pytest
from conftest import start_review, wait_listed
from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from wardrobe_app.types import Colour
from wardrobe_app.ui import theme
from wardrobe_app.vision.colours import PALETTE_NAMES, palette_hex

ROLE = QPalette.ColorRole
ALL_COLOURS = [Colour(name, palette_hex(name), 0.25) for name in PALETTE_NAMES]
# (the scheme the widgets are made in, the scheme they are looked at in)
SCHEMES = [("light", "light"), ("dark", "dark"), ("light", "dark"), ("dark", "light")]


def _contrast_of_dot(image: QImage, ground: QColor) -> float:
    """How far a dot stands out from ``ground``: the best of its all but opaque pixels
    down its middle, edge to centre (its ring, where it has one, and its fill), each over
    ``ground`` as drawn there."""
    x, mid = image.width() // 2, image.height() // 2
    best = 0.0
    for y in range(mid + 1):
        pixel = image.pixelColor(x, y)
        if pixel.alphaF() < 0.9:
            continue
        a = pixel.alphaF()
        pairs = zip(pixel.getRgbF()[:3], ground.getRgbF()[:3], strict=True)
        over = QColor.fromRgbF(*(c * a + g * (1 - a) for c, g in pairs))
        best = max(best, theme.contrast_ratio(over, ground))
    return best


def _icon_image(
    widget: QWidget,
    icon: QIcon,
    size: int,
    state: QIcon.State = QIcon.State.Off,
    mode: QIcon.Mode = QIcon.Mode.Normal,
) -> QImage:
    """``icon`` as ``widget`` draws it, at its device pixel ratio."""
    ratio = widget.devicePixelRatioF()
    return icon.pixmap(QSize(size, size), ratio, mode, state).toImage()


def _ground(widget: QWidget, at: QPoint) -> QColor:
    """The colour actually drawn at ``at`` in ``widget``, read from its window (scrolled
    into sight first)."""
    from PySide6.QtWidgets import QScrollArea

    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget)
        parent = parent.parentWidget()
    window = widget.window()
    return window.grab().toImage().pixelColor(widget.mapTo(window, at))


def _html_dots(label: QLabel) -> list[QImage]:
    found = re.findall(r'src="data:image/png;base64,([^"]+)"', label.text())
    return [QImage.fromData(base64.b64decode(data), "PNG") for data in found]


@pytest.fixture
def scheme(qtbot) -> Iterator[object]:
    """``scheme(name)`` chooses "light" or "dark" as Settings does, live; the system's
    scheme again afterwards."""
    app = QApplication.instance()

    def choose(name: str) -> None:
        theme.choose_theme(app, name)
        qtbot.wait(20)

    yield choose
    theme.choose_theme(app, "light")
    theme.choose_theme(app, "system")


@pytest.mark.parametrize(("made_in", "seen_in"), SCHEMES)
def test_the_filter_chips_dots_stand_out(qtbot, scheme, made_in, seen_in):
    from PySide6.QtWidgets import QVBoxLayout

    from wardrobe_app.ui.filter_bar import FilterBar

    scheme(made_in)
    host = QWidget()  # as in the window, wide enough for every chip
    qtbot.addWidget(host)
    QVBoxLayout(host).addWidget(bar := FilterBar(host))
    bar.set_colours([(c.name, c.hex) for c in ALL_COLOURS])
    host.resize(2400, 300)
    host.show()
    qtbot.waitExposed(host)
    scheme(seen_in)

    chips = list(bar.colour_chips.items()) + list(bar.category_chips.items())
    assert len(chips) == len(PALETTE_NAMES) + 3
    for name, chip in chips:
        base = chip.palette().color(ROLE.Base)
        assert chip.isVisible(), name
        assert _ground(chip, QPoint(5, chip.height() // 2)) == base, name  # what it is on
        image = _icon_image(chip, chip.icon(), chip.iconSize().width())
        assert _contrast_of_dot(image, base) >= 3, name
        # checked, the chip is the Highlight
        on = _icon_image(chip, chip.icon(), chip.iconSize().width(), QIcon.State.On)
        assert _contrast_of_dot(on, chip.palette().color(ROLE.Highlight)) >= 3, name
    chip = bar.colour_chips["green"]
    chip.setChecked(True)
    assert _ground(chip, QPoint(5, chip.height() // 2)) == chip.palette().color(ROLE.Highlight)

    # the drop-down of a narrow window lists them too, each entry on the menu's Base
    # (Fusion draws a checked one's icon in its On state), on the Highlight under the pointer
    for name in PALETTE_NAMES[::2]:
        bar.colour_chips[name].setChecked(True)
    menu = bar.colour_button.menu()
    menu.aboutToShow.emit()  # filled as it opens
    assert [a.text() for a in menu.actions()] == PALETTE_NAMES
    for action in menu.actions():
        state = QIcon.State.On if action.isChecked() else QIcon.State.Off
        for mode, role in ((QIcon.Mode.Normal, ROLE.Base), (QIcon.Mode.Active, ROLE.Highlight)):
            image = _icon_image(menu, action.icon(), 12, state, mode)
            assert _contrast_of_dot(image, menu.palette().color(role)) >= 3, (action.text(), mode)


@pytest.mark.parametrize(("made_in", "seen_in"), SCHEMES)
def test_a_garment_pages_colour_dots_stand_out(make_app, qtbot, photos, scheme, made_in, seen_in):
    scheme(made_in)
    parts = make_app()
    w = parts.window
    assert w.import_paths(photos(1))
    wait_listed(qtbot, w, 2)
    record = w.browse.model.record(0)
    w.open_garment(record)
    view = w.garment_view
    for start in range(0, len(ALL_COLOURS), 4):  # the page shows four
        colours = ALL_COLOURS[start : start + 4]
        scheme(made_in)
        view.show_garment(dataclasses.replace(record, colours=colours))
        scheme(seen_in)
        window = view.palette().color(ROLE.Window)
        assert _ground(view.colours_label, QPoint(0, 0)) == window  # what they are on
        dots = _html_dots(view.colours_label)
        assert len(dots) == len(colours)
        for colour, image in zip(colours, dots, strict=True):
            assert _contrast_of_dot(image, window) >= 3, colour.name


@pytest.mark.parametrize(("made_in", "seen_in"), SCHEMES)
def test_the_reviews_dots_stand_out(make_app, qtbot, photos, scheme, made_in, seen_in):
    from fakes import FakeAnalyser

    from wardrobe_app.ui.review_dialog import GarmentRow, ReviewItem

    scheme(made_in)
    dialog = start_review(qtbot, make_app(review=True).window, photos(1))
    analysis = FakeAnalyser().analyse(photos(1)[0])
    rows = []
    for start in range(0, len(ALL_COLOURS), 4):  # a row shows four
        colours = ALL_COLOURS[start : start + 4]
        garment = dataclasses.replace(analysis.garments[0], colours=colours)
        item = ReviewItem(dataclasses.replace(analysis, garments=[garment]), QImage(), QImage())
        row = GarmentRow(0, item, dialog)  # as the review's own rows are
        dialog.rows[0].parentWidget().layout().addWidget(row)
        rows.append((row, colours))
    qtbot.wait(20)
    scheme(seen_in)

    for row, colours in rows:
        window = row.palette().color(ROLE.Window)
        swatches = [label for label in row.findChildren(QLabel) if label.pixmap().width()]
        assert len(swatches) == len(colours)
        for colour, label in zip(colours, swatches, strict=True):
            assert _ground(label, QPoint(0, 0)) == window, colour.name  # what it is on
            assert _contrast_of_dot(label.pixmap().toImage(), window) >= 3, colour.name
        # the category box (its button and its list): category dots
        combo = row.category
        for i in range(combo.count()):
            image = _icon_image(combo, combo.itemIcon(i), 14)
            for role in (ROLE.Button, ROLE.Base):
                assert _contrast_of_dot(image, combo.palette().color(role)) >= 3, (i, role)
    # the categories' legend and the merge menu
    legend = dialog.findChild(QWidget, "legend")
    dots = [label for label in legend.findChildren(QLabel) if label.pixmap().width()]
    assert len(dots) == 3
    for label in dots:
        window = label.palette().color(ROLE.Window)
        assert _ground(label, QPoint(0, 0)) == window
        assert _contrast_of_dot(label.pixmap().toImage(), window) >= 3
    menu = dialog.merge_button.menu()
    for action in menu.actions():
        image = _icon_image(menu, action.icon(), 14)
        assert _contrast_of_dot(image, menu.palette().color(ROLE.Base)) >= 3, action.text()
    dialog.stop()


@pytest.mark.parametrize("seen_in", ["light", "dark"])
def test_a_chosen_colour_is_checked_beside_its_dot_in_the_drop_down(qtbot, scheme, seen_in):
    # A narrow window's "Colours ▾": Fusion draws an entry's icon in place of its check
    # box, so a chosen colour was marked only by a faint square behind its dot, then by
    # a check mark across the dot, hiding its colour. Drawn, a chosen entry differs from
    # the same one not chosen only left of its dot (its check box), by a mark that
    # stands out 3:1 from the menu; the dot is the same.
    from PySide6.QtWidgets import QVBoxLayout

    from wardrobe_app.ui.filter_bar import FilterBar

    scheme(seen_in)
    host = QWidget()
    qtbot.addWidget(host)
    QVBoxLayout(host).addWidget(bar := FilterBar(host))
    bar.set_colours([(c.name, c.hex) for c in ALL_COLOURS])
    menu = bar.colour_button.menu()
    menu.aboutToShow.emit()  # filled as it opens
    menu.ensurePolished()
    menu.adjustSize()
    base = menu.palette().color(QPalette.ColorRole.Base)
    for action in menu.actions():
        row = menu.actionGeometry(action)
        off = menu.grab(row).toImage()
        action.setChecked(True)
        assert bar.colour_chips[action.text()].isChecked()  # the chip it stands for
        on = menu.grab(row).toImage()
        action.setChecked(False)
        fill = QColor(palette_hex(action.text()))
        dot = [
            x
            for y in range(off.height())
            for x in range(off.width())
            if off.pixelColor(x, y) == fill
        ]
        assert dot, action.text()  # drawn, not chosen
        changed = [
            (x, y)
            for y in range(on.height())
            for x in range(on.width())
            if on.pixelColor(x, y) != off.pixelColor(x, y)
        ]
        assert changed, action.text()  # a mark
        assert max(x for x, _ in changed) < min(dot), action.text()  # beside the dot
        seen = [xy for xy in changed if theme.contrast_ratio(on.pixelColor(*xy), base) >= 3]
        assert len(seen) >= 6, action.text()  # a stroke, not a speck
