"""The filter bar in a narrow window: its one row needed about 1000 px, and below that
the search box was squeezed to nothing and the window could not be made narrower."""

from __future__ import annotations

from conftest import tab_chain, wait_listed
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

NARROW = 800  # a 1366 px screen at 150% is 911 px wide; two windows side by side less


def _app(make_app, qtbot, photos):
    """The window with 3 photos imported (two garments each), one of them a favourite
    and a dress, so that every filter shows."""
    parts = make_app()
    w = parts.window
    with qtbot.waitSignal(w.importer.finished, timeout=20_000):
        assert w.import_paths(photos(3), review=False)
    wait_listed(qtbot, w, 6)
    wardrobe = parts.session.wardrobe
    wardrobe.update_garment(w.browse.model.record(0).id, fine_type="Dress", favourite=True)
    parts.session.notify_changed()
    qtbot.waitUntil(lambda: w.browse.filter_bar.fine_type.count() == 2, timeout=5000)
    return parts


def _filters(bar) -> list[QWidget]:
    return [
        bar.search,
        *bar.category_chips.values(),
        bar.favourites,
        bar.fine_type,
        # Chips that do not fit on one row are one drop-down beside the type.
        *([bar.colour_button] if bar.colours_collapsed else []),
        bar.sort,
        *([] if bar.colours_collapsed else bar.colour_chips.values()),
    ]


def _tab_stops(bar) -> list[QWidget]:
    """What Tab reaches: each row of chips is one stop (the arrow keys move in it), its
    first chip until another is used."""
    return [
        bar.search,
        next(iter(bar.category_chips.values())),
        bar.favourites,
        bar.fine_type,
        *([bar.colour_button] if bar.colours_collapsed else []),
        bar.sort,
        *([] if bar.colours_collapsed else [next(iter(bar.colour_chips.values()))]),
    ]


def _rect_in(bar, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(bar, QPoint(0, 0)), widget.size())


def test_the_colours_title_is_level_with_the_first_row_of_colours(make_app, qtbot, photos):
    # Top-aligned beside the chips, "Colours:" sat about 6 px above their words.
    parts = _app(make_app, qtbot, photos)
    bar = parts.window.browse.filter_bar
    first = next(chip for chip in bar.colour_chips.values() if chip.isVisible())
    qtbot.waitUntil(lambda: first.height() > 0, timeout=2000)
    title, chip = _rect_in(bar, bar.colour_title), _rect_in(bar, first)
    assert abs(title.center().y() - chip.center().y()) <= 1


def test_every_filter_is_whole_and_reachable_in_a_narrow_window(make_app, qtbot, photos):
    parts = _app(make_app, qtbot, photos)
    w = parts.window
    bar = w.browse.filter_bar
    w.resize(NARROW, 640)
    qtbot.waitUntil(lambda: w.width() == NARROW and bar.width() <= NARROW, timeout=5000)
    bar.layout().activate()
    filters = _filters(bar)
    rects = [_rect_in(bar, widget) for widget in filters]
    for widget, rect in zip(filters, rects, strict=True):
        assert widget.isVisible(), widget.objectName()
        assert bar.rect().contains(rect), (widget.objectName(), rect, bar.rect())
        least = widget.minimumWidth() if widget is bar.search else widget.sizeHint().width()
        assert rect.width() >= least, (widget.objectName(), rect.width(), least)
    for i, a in enumerate(rects):  # none drawn over another
        assert not any(a.intersects(b) for b in rects[i + 1 :]), filters[i].objectName()
    assert bar.search.width() >= bar.search.sizeHint().width()  # not squeezed either
    # Tab goes through them as they are read: row by row, left to right (a row of chips
    # is one stop: a stop on every chip took about 17 presses to reach the grid).
    drawn = sorted(filters, key=lambda widget: (_rect_in(bar, widget).y() // 20, widget.x()))
    assert drawn == filters
    stops = _tab_stops(bar)
    assert tab_chain(bar.search, len(stops)) == stops == [w for w in drawn if w in stops]

    # And each works there.
    bar.favourites.click()
    wait_listed(qtbot, w, 1)
    bar.favourites.click()
    wait_listed(qtbot, w, 6)
    bar.fine_type.setFocus()
    qtbot.keyClick(bar.fine_type, Qt.Key.Key_Down)  # "All types" to "Dress"
    assert bar.fine_type.currentData() == "Dress"
    wait_listed(qtbot, w, 1)
    bar.fine_type.setCurrentIndex(0)
    wait_listed(qtbot, w, 6)
    bar.category_chips["bottom"].click()
    wait_listed(qtbot, w, 3)
    bar.sort.setCurrentIndex(bar.sort.findData("date-asc"))
    assert bar.current_filter().descending is False
    assert w.settings.sort == "date-asc"


def test_the_filters_share_one_row_where_there_is_room(make_app, qtbot, photos):
    parts = _app(make_app, qtbot, photos)
    w = parts.window
    bar = w.browse.filter_bar
    w.resize(1360, 800)
    qtbot.waitUntil(lambda: bar.width() == w.width(), timeout=5000)
    bar.layout().activate()
    row = [bar.search, *bar.category_chips.values(), bar.favourites, bar.fine_type, bar.sort]
    tops = {_rect_in(bar, widget).center().y() for widget in row}
    assert max(tops) - min(tops) <= 2, tops  # one row
    for widget in row:
        assert widget.width() >= widget.sizeHint().width(), widget.objectName()
    # Back to narrow and wide again: the rows follow the width.
    w.resize(NARROW, 800)
    qtbot.waitUntil(lambda: bar.two_rows, timeout=5000)
    w.resize(1360, 800)
    qtbot.waitUntil(lambda: not bar.two_rows, timeout=5000)


def test_a_type_box_shown_that_does_not_fit_moves_to_the_second_row(qtbot):
    from wardrobe_app.ui.filter_bar import FilterBar

    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_count(6, 6)
    bar.set_fine_types([])  # no types yet: no type box
    width = bar.one_row_width() + 20
    bar.resize(width, bar.sizeHint().height())
    bar.show()
    qtbot.waitExposed(bar)
    assert not bar.two_rows
    bar.set_fine_types(["A long type the user typed"])
    assert bar.one_row_width() > width  # the box made the row too wide
    assert bar.two_rows
    bar.layout().activate()
    assert bar.fine_type.width() >= bar.fine_type.sizeHint().width()


# The README's wardrobe (docs/screenshots/main.png): 17 colours, two rows at 1360 px.
COLOURS = [
    (name, "#777777")
    for name in [
        "black",
        "grey",
        "white",
        "beige",
        "khaki",
        "brown",
        "red",
        "burgundy",
        "pink",
        "orange",
        "olive",
        "green",
        "teal",
        "light blue",
        "blue",
        "navy",
        "lilac",
    ]
]


def _bar_with_colours(qtbot, width: int):
    from PySide6.QtWidgets import QVBoxLayout

    from wardrobe_app.ui.filter_bar import FilterBar

    host = QWidget()  # as in the window: a top-level bar would keep its row's minimum
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    layout.setContentsMargins(0, 0, 0, 0)
    bar = FilterBar(host)
    layout.addWidget(bar)
    layout.addStretch(1)
    bar.set_count(16, 16)
    bar.set_fine_types(["Shirt"])
    bar.set_colours(COLOURS)
    host.resize(width, 400)
    host.show()
    qtbot.waitExposed(host)
    return host, bar


def _resize(qtbot, bar, width: int) -> None:
    bar.window().resize(width, 400)
    qtbot.waitUntil(lambda: bar.width() == width, timeout=2000)
    bar.window().layout().activate()
    bar.layout().activate()


def test_colours_collapse_into_a_drop_down_in_a_narrow_window(qtbot):
    # At 800 px the chips wrapped onto two rows: with the two of the other filters the
    # bar took about 190 of a 600 px window.
    _host, bar = _bar_with_colours(qtbot, NARROW)
    bar.layout().activate()
    assert bar.colours_collapsed
    assert bar.colour_button.isVisible() and not bar.colour_box.isVisible()
    # Two rows of filters and the bar's margins: 76 px here, 140 to 190 before.
    m = bar.outer.contentsMargins()
    rows = 2 * bar.favourites.height() + bar.outer.spacing() + m.top() + m.bottom()
    qtbot.waitUntil(lambda: bar.height() <= rows + 4, timeout=2000)  # laid out again
    # Full width: the other filters on one row, the chips again, even on two rows of
    # their own (clickable at once; a window this wide has the room).
    _resize(qtbot, bar, 1360)
    assert not bar.two_rows and not bar.colours_collapsed
    assert bar.colour_box.isVisible() and not bar.colour_button.isVisible()
    chip = bar.colour_chips["black"]
    qtbot.waitUntil(lambda: bar.colour_box.height() > 2 * chip.height(), timeout=2000)
    # Wider still: one row of them.
    _resize(qtbot, bar, bar.colours_one_row_width() + 40)
    assert not bar.colours_collapsed
    qtbot.waitUntil(lambda: bar.colour_box.height() < 2 * chip.height(), timeout=2000)


def test_the_colour_choice_survives_the_drop_down_both_ways(qtbot):
    _host, bar = _bar_with_colours(qtbot, 1600)
    assert not bar.colours_collapsed
    bar.colour_chips["navy"].click()
    _resize(qtbot, bar, NARROW)
    assert bar.colours_collapsed
    assert bar.colour_button.text() == "Colours (1) ▾"
    menu = bar.colour_button.menu()
    menu.aboutToShow.emit()  # filled as it opens
    actions = {a.text(): a for a in menu.actions()}
    assert actions["navy"].isChecked() and not actions["pink"].isChecked()
    with qtbot.waitSignal(bar.filterChanged) as changed:
        actions["pink"].trigger()
    assert changed.args[0].colours == {"navy", "pink"}
    assert bar.colour_button.text() == "Colours (2) ▾"
    _resize(qtbot, bar, 1600)
    assert not bar.colours_collapsed
    assert bar.current_filter().colours == {"navy", "pink"}
    assert bar.colour_chips["pink"].isChecked()


def test_the_colour_drop_down_is_in_the_tab_order_and_keeps_the_focus(qtbot):
    _host, bar = _bar_with_colours(qtbot, 1600)
    bar.activateWindow()
    chip = bar.colour_chips["beige"]
    chip.setFocus()
    qtbot.waitUntil(chip.hasFocus, timeout=2000)
    _resize(qtbot, bar, NARROW)
    assert bar.colour_button.hasFocus()  # not lost with the chip it was on
    assert tab_chain(bar.fine_type, 3)[1:] == [bar.colour_button, bar.sort]
    _resize(qtbot, bar, 1600)
    assert chip.hasFocus()  # back on the chip it was on: the colours' Tab stop
    assert tab_chain(bar.sort, 2)[1] is chip


def test_a_drop_down_open_while_the_colours_change_toggles_the_new_chips(qtbot):
    """An import in progress adds a colour while the drop-down is open: its entries
    toggled the chips just replaced, and the choice was lost (the grid unfiltered)."""
    _host, bar = _bar_with_colours(qtbot, NARROW)
    assert bar.colours_collapsed
    menu = bar.colour_button.menu()
    menu.popup(bar.colour_button.mapToGlobal(bar.colour_button.rect().bottomLeft()))
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    bar.set_colours([*COLOURS, ("rust", "#b7410e")])
    actions = {a.text(): a for a in menu.actions()}
    assert "rust" in actions
    with qtbot.waitSignal(bar.filterChanged) as changed:
        actions["pink"].trigger()
    assert changed.args[0].colours == {"pink"}
    assert bar.colour_button.text() == "Colours (1) ▾"
    menu.hide()


def test_the_drop_down_is_drawn_as_a_chosen_chip_while_colours_are_chosen(qtbot):
    # Folded into "Colours (1) ▾" the chosen colour was drawn as an idle chip, beside
    # the highlighted category chips: "0 of 16 garments" with nothing lit to say why.
    _host, bar = _bar_with_colours(qtbot, NARROW)
    assert bar.colours_collapsed
    button, chip = bar.colour_button, bar.category_chips["top"]
    chip.click()  # a chosen chip, drawn beside it

    def ground(widget: QWidget) -> QColor:  # inside its border, left of its words
        return widget.grab().toImage().pixelColor(6, widget.height() // 2)

    idle = ground(button)
    assert idle != ground(chip)
    menu = button.menu()
    menu.aboutToShow.emit()  # filled as it opens
    {a.text(): a for a in menu.actions()}["navy"].trigger()
    assert button.text() == "Colours (1) ▾"
    assert ground(button) == ground(chip)
    bar.clear()
    assert ground(button) == idle


def test_the_drop_downs_count_follows_every_change_of_the_chips(qtbot):
    _host, bar = _bar_with_colours(qtbot, 1600)
    button = bar.colour_button
    bar.colour_chips["navy"].click()
    bar.colour_chips["pink"].click()
    assert button.text() == "Colours (2) ▾"  # changed while the chips are shown
    _resize(qtbot, bar, NARROW)
    assert bar.colours_collapsed and button.text() == "Colours (2) ▾"
    bar.clear()  # "Clear filters" while collapsed
    assert button.text() == "Colours ▾" and bar.current_filter().colours == set()
    menu = button.menu()
    menu.aboutToShow.emit()
    {a.text(): a for a in menu.actions()}["navy"].trigger()
    assert button.text() == "Colours (1) ▾"
    # A chosen colour no garment has any more stays chosen, and counted.
    bar.set_colours([c for c in COLOURS if c[0] != "navy"])
    assert bar.current_filter().colours == {"navy"} and button.text() == "Colours (1) ▾"
    _resize(qtbot, bar, 1600)
    bar.colour_chips["navy"].click()
    assert button.text() == "Colours ▾" and bar.current_filter().colours == set()


def _press(qtbot, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> QWidget:
    """``key`` pressed where the focus is; the widget the focus is on after it."""
    from PySide6.QtWidgets import QApplication

    qtbot.keyClick(QApplication.focusWidget(), key, modifier)
    return QApplication.focusWidget()


def test_tab_reaches_the_grid_in_a_few_presses(make_app, qtbot, photos):
    # A Tab stop on every chip: from the search box to the grid took about 17 presses.
    parts = _app(make_app, qtbot, photos)
    w = parts.window
    w.resize(1600, 800)
    w.activateWindow()
    bar = w.browse.filter_bar
    bar.focus_search()
    qtbot.waitUntil(bar.search.hasFocus, timeout=2000)
    presses = 0
    while not w.browse.grid.hasFocus() and presses < 30:
        _press(qtbot, Qt.Key.Key_Tab)
        presses += 1
    chips = len(bar.category_chips) + len(bar.colour_chips)
    assert chips >= 7
    # a stop each: the categories, Favourites, the type, the sort, the colours
    assert presses == 6


def test_the_arrow_keys_move_along_a_row_of_chips_and_space_toggles_one(qtbot):
    _host, bar = _bar_with_colours(qtbot, 1600)
    bar.activateWindow()
    bar.search.setFocus()
    qtbot.waitUntil(bar.search.hasFocus, timeout=2000)
    categories = list(bar.category_chips.values())
    assert _press(qtbot, Qt.Key.Key_Tab) is categories[0]
    assert _press(qtbot, Qt.Key.Key_Right) is categories[1]
    assert _press(qtbot, Qt.Key.Key_Left) is categories[0]
    assert _press(qtbot, Qt.Key.Key_Left) is categories[0]  # the end: no wrapping
    assert _press(qtbot, Qt.Key.Key_End) is categories[-1]
    assert _press(qtbot, Qt.Key.Key_Up) is categories[-2]
    with qtbot.waitSignal(bar.filterChanged) as changed:
        _press(qtbot, Qt.Key.Key_Space)
    chosen = next(c for c, chip in bar.category_chips.items() if chip is categories[-2])
    assert changed.args[0].categories == {chosen}
    # Tab leaves the row; Shift+Tab comes back to the chip last used, not the first
    assert _press(qtbot, Qt.Key.Key_Tab) is bar.favourites
    back = _press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert back is categories[-2]
    # the colours likewise, after the sort
    bar.sort.setFocus()
    qtbot.waitUntil(bar.sort.hasFocus, timeout=2000)
    colours = list(bar.colour_chips.values())
    assert _press(qtbot, Qt.Key.Key_Tab) is colours[0]
    assert _press(qtbot, Qt.Key.Key_Down) is colours[1]
    with qtbot.waitSignal(bar.filterChanged) as changed:
        _press(qtbot, Qt.Key.Key_Space)
    assert changed.args[0].colours == {COLOURS[1][0]}
    # the colours made again (an import adds one): the stop stays on the same colour
    bar.set_colours([*COLOURS, ("rust", "#b7410e")])
    assert bar.colour_group.stop() is bar.colour_chips[COLOURS[1][0]]


def test_the_colours_stop_is_the_first_chip_until_one_is_used(qtbot):
    # Made again in another order (an import's listing in between), the chips kept the
    # stop on the colour first in the earlier set though nobody had reached it: Tab
    # skipped past the first chip drawn (a busy CI machine listed the grid in between).
    _host, bar = _bar_with_colours(qtbot, 1600)
    bar.set_colours(list(reversed(COLOURS)))
    assert bar.colour_group.stop() is bar.colour_chips[COLOURS[-1][0]]
    bar.set_colours(COLOURS)
    assert bar.colour_group.stop() is bar.colour_chips[COLOURS[0][0]]


def _room_before_and_after(chip) -> tuple[int, int]:
    """The blank pixels inside a chip's frame before its dot and after its words, along
    its middle line."""
    from PySide6.QtGui import QColor

    image = chip.grab().toImage()
    y = image.height() // 2
    background = QColor(image.pixel(image.width() // 2, 2))  # inside, above the words

    def drawn(x: int) -> bool:
        c = QColor(image.pixel(x, y))
        diff = abs(c.red() - background.red()) + abs(c.green() - background.green())
        return diff + abs(c.blue() - background.blue()) > 90

    border = 2  # the 1 px frame and its smoothing
    first = next(x for x in range(border, image.width()) if drawn(x))
    last = next(x for x in range(image.width() - 1 - border, 0, -1) if drawn(x))
    return first - border, image.width() - 1 - border - last


def test_a_chip_leaves_as_much_room_after_its_words_as_before_its_dot(qtbot):
    # A tool button asks two spaces beyond its text, which the chips' style sheet draws
    # from the left: a chip had 21 px after its words, 10 before its dot (now 13 and 10).
    _host, bar = _bar_with_colours(qtbot, 1600)
    for chip in (bar.category_chips["top"], bar.colour_chips["olive"], bar.favourites):
        before, after = _room_before_and_after(chip)
        assert abs(after - before) <= 6, (chip.text(), before, after)  # glyphs differ


def test_on_one_row_the_search_box_keeps_its_width(qtbot):
    # On one row the search box shares the room left with the gap before the sort box
    # (3 to 1): the bar took one row as soon as the box fitted at its 180 px, which then
    # got 3/4 of that (148 px in a 1024 px window, "Search names, t…").
    _host, bar = _bar_with_colours(qtbot, 1600)
    width = bar.one_row_width()
    _resize(qtbot, bar, width)
    qtbot.waitUntil(lambda: not bar.two_rows, timeout=2000)
    bar.layout().activate()
    assert bar.search.width() >= bar.search.sizeHint().width()
    _resize(qtbot, bar, width - 1)
    qtbot.waitUntil(lambda: bar.two_rows, timeout=2000)


def _types(bar) -> list[str]:
    box = bar.fine_type
    return [box.itemData(i) for i in range(box.count())]


def test_the_type_box_offers_the_types_of_the_ticked_categories(make_app, qtbot, photos):
    # It offered every category's types: Hoodie chosen, then Bottom ticked, listed 0 of
    # 6 garments, with nothing to say why.
    parts = _app(make_app, qtbot, photos)
    w = parts.window
    bar = w.browse.filter_bar
    wardrobe = parts.session.wardrobe
    records = [r for r in wardrobe.list_garments() if r.fine_type != "Dress"]
    top = next(r.id for r in records if r.category == "top")
    bottom = next(r.id for r in records if r.category == "bottom")
    dress = next(r for r in wardrobe.list_garments() if r.fine_type == "Dress")
    bottoms = sorted(["Jeans", *(["Dress"] if dress.category == "bottom" else [])])
    wardrobe.update_garment(top, fine_type="Hoodie")
    wardrobe.update_garment(bottom, fine_type="Jeans")
    parts.session.notify_changed()
    qtbot.waitUntil(lambda: "Jeans" in _types(bar) and "Hoodie" in _types(bar), timeout=5000)
    assert _types(bar) == ["", "Dress", "Hoodie", "Jeans"]  # nothing ticked: every type

    bar.fine_type.setCurrentIndex(bar.fine_type.findData("Hoodie"))
    wait_listed(qtbot, w, 1)
    chip = bar.category_chips["bottom"]
    chip.setFocus()
    with qtbot.waitSignal(bar.filterChanged) as changed:
        qtbot.keyClick(chip, Qt.Key.Key_Space)  # ticked from the keyboard
    assert chip.isChecked() and chip.hasFocus()
    assert _types(bar) == ["", *bottoms]
    flt = changed.args[0]
    assert flt.categories == {"bottom"} and flt.fine_types == set()  # Hoodie cleared
    wait_listed(qtbot, w, 3)  # every bottom, not none
    assert bar.fine_type.currentData() == ""

    bar.fine_type.setCurrentIndex(bar.fine_type.findData("Jeans"))
    wait_listed(qtbot, w, 1)
    qtbot.keyClick(chip, Qt.Key.Key_Space)  # unticked: every type again, Jeans kept
    assert _types(bar) == ["", "Dress", "Hoodie", "Jeans"]
    assert bar.fine_type.currentData() == "Jeans"
    wait_listed(qtbot, w, 1)


def test_the_search_placeholder_is_whole_where_the_box_is_short(qtbot):
    """On one row with the colours (this bar from 1080 to 1240 px; a 1024x600 window)
    the box was squeezed until its placeholder was cut ("Search names, types, tags and
    no…"), its "(Ctrl+F)" lost: a shorter one is shown whole; with room, the whole one."""
    from PySide6.QtWidgets import QLineEdit

    _host, bar = _bar_with_colours(qtbot, 1024)
    search = bar.search

    def room() -> int:  # Qt's hint is 17 x's wide plus the frame, margins and icons
        x = search.fontMetrics().horizontalAdvance("x")
        return search.width() - QLineEdit.sizeHint(search).width() + 17 * x

    def width(text: str) -> int:
        return search.fontMetrics().horizontalAdvance(text)

    full = "Search names, types, tags and notes   (Ctrl+F)"
    for wide in range(1024, 1400, 8):  # where the box is short, then long enough
        _resize(qtbot, bar, wide)
        shown = search.placeholderText()
        assert width(shown) <= room() and "(Ctrl+F)" in shown, (wide, shown)
        assert shown == full or width(full) > room()
    assert shown == full  # at 1392 px


def test_the_search_placeholder_is_fitted_again_once_the_box_is_emptied(qtbot):
    # Resized while it held text, the box chose its placeholder for the room its clear
    # button leaves; emptied, that button gone, the shorter placeholder stayed until the
    # next resize ("Search   (Ctrl+F)" where "Search names, types, tags   (Ctrl+F)" fit).
    _host, bar = _bar_with_colours(qtbot, 1024)
    search = bar.search
    fitted_empty: dict[int, str] = {}
    for wide in range(1024, 1400, 8):
        _resize(qtbot, bar, wide)
        fitted_empty[wide] = search.placeholderText()
    differed = 0
    for wide, wanted in fitted_empty.items():
        search.setText("navy")
        _resize(qtbot, bar, wide + 4)  # resized with text in it...
        _resize(qtbot, bar, wide)
        differed += search.placeholderText() != wanted
        search.clear()  # ...then emptied: the placeholder as for an empty box that wide
        assert search.placeholderText() == wanted, wide
    assert differed  # some widths chose a shorter one while the text was there
