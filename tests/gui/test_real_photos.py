"""Real photos (the CCP dataset in ../shared/data) through the real workers."""

from __future__ import annotations

import pytest

from wardrobe_app import paths


@pytest.mark.data
def test_import_real_photos_review_and_browse(make_app, qtbot, ccp_photos):
    files = ccp_photos(4)
    parts = make_app(review=True)
    w = parts.window
    with qtbot.waitSignal(w.importer.reviewOpened, timeout=5000) as opened:
        w.import_paths(files)
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: dialog.current is not None, timeout=20_000)
    assert dialog.photo.has_image() and dialog.rows
    with qtbot.waitSignal(w.importer.finished, timeout=60_000) as done:
        dialog.accept_all_button.click()
    summary = done.args[0]
    assert summary.photos == 4 and not summary.failed
    qtbot.waitUntil(
        lambda: w.browse.is_current() and w.browse.model.rowCount() == summary.garments,
        timeout=5000,
    )
    # open one: pictures, similar items
    w.open_garment(w.browse.model.record(0))
    view = w.garment_view
    qtbot.waitUntil(
        lambda: view.images is not None and view.images.photo is not None, timeout=10_000
    )
    qtbot.waitUntil(lambda: view.similar.model.rowCount() > 0, timeout=10_000)


@pytest.mark.data
@pytest.mark.slow
def test_real_analyser_imports_a_real_photo(make_app, qtbot, ccp_photos):
    if not (paths.DEFAULT_SEGMENTER / "config.json").exists():
        pytest.skip("no segmenter in resources/models/segmenter yet")
    from wardrobe_app.ui.model_loader import LazyAnalyser

    files = ccp_photos(2)
    parts = make_app(analyser=LazyAnalyser("cpu"))
    w = parts.window
    qtbot.waitUntil(lambda: parts.session.model_loaded, timeout=120_000)
    assert "CPU" in w.model_label.text() or "cpu" in w.model_label.text()
    with qtbot.waitSignal(w.importer.finished, timeout=300_000) as done:
        w.import_paths(files, review=False)
    assert done.args[0].photos >= 1
