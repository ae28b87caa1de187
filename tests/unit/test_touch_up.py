"""Touching up a garment's mask: cut out, coloured and embedded again; nothing else lost."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fakes import store_mask_cropped, top_and_bottom, top_over_waist

from wardrobe_app.service import Wardrobe
from wardrobe_app.services.stored_files import stored_plane
from wardrobe_app.store.files import read_png

Photos = Callable[..., list[Path]]


def test_a_touched_up_mask_makes_a_new_cut_out_and_keeps_the_details(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    wardrobe.import_paths(photos(2))
    wardrobe.update_garment(1, name="Linen shirt", tags=["summer"], notes="iron")
    before = wardrobe.garment(1)
    rgb, mask = wardrobe.garment_picture(1)
    assert rgb.shape[:2] == mask.shape and rgb.dtype == np.uint8 and mask.dtype == bool
    assert mask.sum() == before.area

    drawn = mask.copy()
    ys = np.nonzero(mask)[0]
    drawn[ys.min() : (ys.min() + ys.max()) // 2, :] = False  # the upper half erased
    after = wardrobe.set_garment_mask(1, drawn)

    assert after.area == int(drawn.sum()) < before.area
    assert after.box[1] == (ys.min() + ys.max()) // 2 and after.box[3] == before.box[3]
    assert (after.name, after.tags, after.notes) == ("Linen shirt", ["summer"], "iron")
    assert after.category == before.category and after.created_at == before.created_at
    assert after.cutout_path != before.cutout_path and after.thumbnail_path != before.thumbnail_path
    cut = read_png(after.cutout_path)
    assert cut.shape[:2] == (after.box[3] - after.box[1], after.box[2] - after.box[0])
    assert np.array_equal(wardrobe.garment_picture(1)[1], drawn)
    # the photo's label map follows: the erased half is background now
    labels = wardrobe.photo_labels(1)
    assert labels is not None and not labels[mask & ~drawn].any() and labels[drawn].all()
    # the old files went, where nothing else uses them (the fake photos' garments share
    # masks: stored once by their hash): nothing unreferenced is left behind
    assert not before.cutout_path.exists() and wardrobe.verify().ok


def test_the_new_vector_is_what_similar_items_use(wardrobe: Wardrobe, photos: Photos) -> None:
    wardrobe.import_paths(photos(3))
    mask = wardrobe.garment_picture(1)[1]
    analyser = wardrobe.analyser
    after = wardrobe.set_garment_mask(1, mask & (np.arange(mask.shape[1]) % 2 == 0))
    expected = analyser.embed_cutouts([read_png(after.cutout_path)])[0]
    with wardrobe.store.session() as s:
        from wardrobe_app.store import Garment, vector_from_blob

        stored = vector_from_blob(s.get(Garment, 1).vector)
    assert stored is not None and np.allclose(stored, expected, atol=1e-5)
    hits = wardrobe.similar(2, k=10, same_category=False)
    assert 1 in [h.garment.id for h in hits]


@pytest.mark.parametrize("bad", ["empty", "other size"])
def test_a_mask_that_cannot_be_a_garment_is_refused_and_nothing_changes(
    wardrobe: Wardrobe, photos: Photos, bad: str
) -> None:
    wardrobe.import_paths(photos(1))
    before = wardrobe.garment(1)
    _, mask = wardrobe.garment_picture(1)
    drawn = np.zeros_like(mask) if bad == "empty" else np.ones((5, 5), bool)
    with pytest.raises(ValueError, match="empty" if bad == "empty" else "the mask is 5x5"):
        wardrobe.set_garment_mask(1, drawn)
    assert wardrobe.garment(1) == before and wardrobe.verify().ok


def test_a_deleted_garment_cannot_be_touched_up(wardrobe: Wardrobe, photos: Photos) -> None:
    wardrobe.import_paths(photos(1))
    _, mask = wardrobe.garment_picture(1)
    wardrobe.delete_garments([1])
    with pytest.raises(KeyError):
        wardrobe.set_garment_mask(1, mask)
    with pytest.raises(KeyError):
        wardrobe.garment_picture(1)


@pytest.mark.parametrize("how", ["lost", "damaged"])
def test_a_lost_mask_is_drawn_again_from_the_label_map_and_mended_by_a_touch_up(
    wardrobe: Wardrobe, photos: Photos, how: str
) -> None:
    """It said "the mask cannot be read", and the one way to mend it was closed."""
    wardrobe.import_paths(photos(1))
    _, mask = wardrobe.garment_picture(1)
    stored = wardrobe.garment(1).mask_path
    if how == "lost":
        stored.unlink()
    else:
        stored.write_bytes(stored.read_bytes()[:-20] + bytes(20))  # written over
    _, again = wardrobe.garment_picture(1)
    iou = (again & mask).sum() / (again | mask).sum()
    assert iou > 0.9, iou  # the label map holds what the mask held, near enough
    wardrobe.set_garment_mask(1, again)
    assert wardrobe.verify().ok


def test_a_lost_mask_drawn_again_leaves_out_another_garments_pixels_in_its_box(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The top drawn down into the bottom's box, then made a bottom: the bottom's mask
    lost and drawn again from the map took the top's pixels in its box for its own."""
    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    _, top_mask = wardrobe.garment_picture(top)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    y0 = wardrobe.garment(bottom).box[1]
    ys, xs = np.nonzero(top_mask)
    longer = top_mask.copy()
    longer[ys.max() : y0 + 20, xs.min() : xs.max()] = True  # down into the bottom's box
    longer &= ~bottom_mask
    wardrobe.set_garment_mask(top, longer)
    wardrobe.update_garment(top, category="bottom")
    wardrobe.garment(bottom).mask_path.unlink()
    _, again = wardrobe.garment_picture(bottom)
    assert not (again & longer).any() and (again & bottom_mask).sum() > 0.9 * bottom_mask.sum()


def test_a_type_edited_while_the_cut_out_is_embedded_is_kept(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The touch-up saves on the model's queue while the garment page stays editable:
    the type read before the embedding was written back over the one typed meanwhile."""
    wardrobe.import_paths(photos(1))
    wardrobe.update_garment(1, fine_type="Shirt")
    _, mask = wardrobe.garment_picture(1)
    analyser = wardrobe.analyser
    embed = analyser.fill_vectors

    def typed_meanwhile(garments: list) -> None:  # the page's save, on the GUI thread
        wardrobe.update_garment(1, fine_type="Blouse")
        embed(garments)

    monkeypatch.setattr(analyser, "fill_vectors", typed_meanwhile)
    drawn = mask.copy()
    drawn[tuple(np.argwhere(mask)[0])] = False
    assert wardrobe.set_garment_mask(1, drawn).fine_type == "Blouse"


def test_a_category_changed_while_the_cut_out_is_embedded_colours_the_label_map(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The category read before the embedding drew the garment in the label map (the
    photo's overlay) in the old one, after the page had saved a new one."""
    from wardrobe_app.store import Garment
    from wardrobe_app.types import CATEGORIES, LABEL_OF_CATEGORY

    wardrobe.import_paths(photos(1))
    _, mask = wardrobe.garment_picture(1)
    other = next(c for c in CATEGORIES if c != wardrobe.garment(1).category)
    analyser = wardrobe.analyser
    embed = analyser.fill_vectors

    def changed_meanwhile(garments: list) -> None:  # the page's save, on the GUI thread
        wardrobe.update_garment(1, category=other)
        embed(garments)

    monkeypatch.setattr(analyser, "fill_vectors", changed_meanwhile)
    drawn = mask.copy()
    drawn[tuple(np.argwhere(mask)[0])] = False
    assert wardrobe.set_garment_mask(1, drawn).category == other
    with wardrobe.store.session() as s:
        labels_rel = s.get(Garment, 1).photo.labels_path
    labels = stored_plane(wardrobe.store.files, labels_rel)
    assert labels is not None
    assert (labels[drawn] == LABEL_OF_CATEGORY[other]).all()


def test_erasures_after_a_category_change_leave_no_old_colour_in_the_label_map(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The map draws a garment in the model's class; after a change of category, erased
    pixels were cleared only where they had the new one, so they kept the old colour."""
    from wardrobe_app.types import CATEGORIES

    wardrobe.import_paths(photos(1))
    _, mask = wardrobe.garment_picture(1)
    other = next(c for c in CATEGORIES if c != wardrobe.garment(1).category)
    wardrobe.update_garment(1, category=other)
    drawn = mask.copy()
    ys = np.nonzero(mask)[0]
    drawn[ys.min() : (ys.min() + ys.max()) // 2, :] = False  # the upper half erased
    wardrobe.set_garment_mask(1, drawn)
    labels = wardrobe.photo_labels(1)
    assert labels is not None and not labels[mask & ~drawn].any() and labels[drawn].all()


def test_a_touch_up_takes_the_edges_the_old_mask_was_cleaned_of_off_the_label_map(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The model's region around the mask (its corners here) kept the garment's colour
    by the part erased: the overlay showed more than what was drawn."""
    from wardrobe_app.types import LABEL_OF_CATEGORY

    wardrobe.import_paths(photos(1))
    before = wardrobe.photo_labels(1)
    _, mask = wardrobe.garment_picture(1)
    assert before is not None
    region = before == LABEL_OF_CATEGORY[wardrobe.garment(1).category]
    assert (region & ~mask).any()
    drawn = mask.copy()
    ys = np.nonzero(mask)[0]
    drawn[ys.min() : (ys.min() + ys.max()) // 2, :] = False  # the upper half erased
    wardrobe.set_garment_mask(1, drawn)
    labels = wardrobe.photo_labels(1)
    assert labels is not None and not labels[region & ~drawn].any() and labels[drawn].all()
    assert np.array_equal(labels[~region], before[~region])  # the other garment's stay


def test_a_touch_up_taking_a_garment_off_anothers_mask_gives_those_pixels_back(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The top drawn over the bottom's waist, then drawn again without it: the waist,
    in the bottom's mask all along, stayed a top's in the map (erasing left it out as
    the bottom's pixels, but they were drawn in the top's class)."""
    from wardrobe_app.types import LABEL_OF_CATEGORY

    wardrobe.import_paths(photos(1))
    top, top_mask, bottom_mask, _ = top_over_waist(wardrobe)
    smaller = top_mask.copy()
    smaller[tuple(np.argwhere(top_mask)[0])] = False  # not the mask it had: no undo
    wardrobe.set_garment_mask(top, smaller)
    labels = wardrobe.photo_labels(top)
    assert labels is not None and (labels[bottom_mask] == LABEL_OF_CATEGORY["bottom"]).all()
    assert (labels[smaller] == LABEL_OF_CATEGORY["top"]).all()


def test_a_touch_up_leaves_another_garment_drawn_over_it_there_over_it(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The bottom drawn up over the top's hem (a tucked-in top), then the top touched
    up at its shoulder: the whole top was drawn over the bottom again, its hem a top's
    on every page but the bottom's (a third garment's; the whole map, a mask lost).
    Where the person draws it anew it is drawn over the other, as the bottom was."""
    from wardrobe_app.types import LABEL_OF_CATEGORY
    from wardrobe_app.vision.label_map import of_garments

    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    _, top_mask = wardrobe.garment_picture(top)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    hem = top_mask.copy()
    hem[: np.nonzero(top_mask)[0].max() - 9] = False  # its lowest ten rows
    wardrobe.set_garment_mask(bottom, bottom_mask | hem)
    labels = wardrobe.photo_labels(top)
    assert labels is not None and (labels[hem] == LABEL_OF_CATEGORY["bottom"]).all()
    drawn = top_mask.copy()
    drawn[tuple(np.argwhere(top_mask)[0])] = False  # a pixel off its shoulder
    wardrobe.set_garment_mask(top, drawn)
    labels = wardrobe.photo_labels(top)
    assert labels is not None and (labels[hem] == LABEL_OF_CATEGORY["bottom"]).all()
    assert (labels[drawn & ~hem] == LABEL_OF_CATEGORY["top"]).all()
    classes = [LABEL_OF_CATEGORY["top"], LABEL_OF_CATEGORY["bottom"]]
    page = of_garments(labels, [drawn, bottom_mask | hem], (), classes)  # another's page
    assert (page[hem] == LABEL_OF_CATEGORY["bottom"]).all()
    wardrobe.set_garment_mask(bottom, bottom_mask)  # taken off the hem: the top's again
    labels = wardrobe.photo_labels(top)
    assert labels is not None and (labels[hem] == LABEL_OF_CATEGORY["top"]).all()
    assert wardrobe.verify().ok


def test_a_very_large_photo_is_touched_up_on_the_pixels_its_import_analysed(
    wardrobe: Wardrobe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over WORK_MAX_PIXELS the import analyses a copy decoded smaller (a JPEG's draft);
    the touch-up decoded the whole photo (432 MB in Pillow at 108 MP) and shrank it
    another way, so that a mask drawn again cut other pixels than the import's. (The
    limits are lowered to keep the photo small.)"""
    import cv2

    from wardrobe_app.services import working_copy
    from wardrobe_app.vision.image_io import load_image

    monkeypatch.setattr(working_copy, "WORK_MAX_PIXELS", 1_000_000)
    monkeypatch.setattr(working_copy, "WORK_MAX_SIDE", 800)
    texture = np.random.default_rng(5).integers(0, 256, (60, 80, 3), np.uint8)
    big = cv2.resize(texture, (1600, 1200), interpolation=cv2.INTER_LINEAR)
    path = tmp_path / "big.jpg"
    assert cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 90])
    result = wardrobe.import_photo(path)
    assert result.status == "imported" and result.garments, result.error
    garment = result.garments[0]
    rgb, mask = wardrobe.garment_picture(garment.id)
    assert rgb.shape[:2] == (600, 800)
    assert np.array_equal(rgb, load_image(path, max_side=800))  # the working copy's pixels
    x0, y0, x1, y1 = garment.box
    cut = read_png(garment.cutout_path)
    inside = mask[y0:y1, x0:x1]
    assert np.array_equal(cut[..., :3][inside], rgb[y0:y1, x0:x1][inside])


def test_a_touch_up_undone_and_redone_gives_the_label_map_back_to_the_pixel(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """Undo puts the mask back as it was (the window's step saves it again): worked out
    again from the map, the model's edges about the garment the touch-up erased stayed
    erased, and the overlay lost them. Redo gives the touched-up map again."""
    from wardrobe_app.types import LABEL_OF_CATEGORY

    wardrobe.import_paths(photos(1))
    before = wardrobe.photo_labels(1)
    _, mask = wardrobe.garment_picture(1)
    assert before is not None
    edges = (before == LABEL_OF_CATEGORY[wardrobe.garment(1).category]) & ~mask
    drawn = mask.copy()
    ys = np.nonzero(mask)[0]
    drawn[ys.min() : (ys.min() + ys.max()) // 2, :] = False  # the upper half erased
    wardrobe.set_garment_mask(1, drawn)
    touched = wardrobe.photo_labels(1)
    assert touched is not None and not touched[edges].all()  # some of its edges erased
    wardrobe.set_garment_mask(1, mask)  # undone
    assert np.array_equal(wardrobe.photo_labels(1), before)
    wardrobe.set_garment_mask(1, drawn)  # redone
    assert np.array_equal(wardrobe.photo_labels(1), touched)
    wardrobe.set_garment_mask(1, mask)  # and undone again
    assert np.array_equal(wardrobe.photo_labels(1), before) and wardrobe.verify().ok


def test_the_mask_a_garment_has_saved_again_leaves_the_label_map_as_it_is(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """Saved again (the touch-up's strokes undone back to the mask it has), the mask was
    taken for an undo of its own last save: the second save gave back the map before
    the first (the model's rim about it), the third took it away again, and so on."""
    wardrobe.import_paths(photos(1))
    _, mask = wardrobe.garment_picture(1)
    wardrobe.set_garment_mask(1, mask)  # the rim the model drew beyond it erased
    first = wardrobe.photo_labels(1)
    for _ in range(2):
        wardrobe.set_garment_mask(1, mask)
        assert np.array_equal(wardrobe.photo_labels(1), first)
    assert wardrobe.verify().ok


def test_a_touch_up_undone_after_the_map_changed_is_worked_out_from_the_map(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The other garment's category changed since: the map before the touch-up would
    undo that change too; the garment's pixels are worked out from the map as it is."""
    from wardrobe_app.types import LABEL_OF_CATEGORY

    wardrobe.import_paths(photos(1))
    _, mask = wardrobe.garment_picture(1)
    _, second = wardrobe.garment_picture(2)
    drawn = mask.copy()
    ys = np.nonzero(mask)[0]
    drawn[ys.min() : (ys.min() + ys.max()) // 2, :] = False
    wardrobe.set_garment_mask(1, drawn)
    wardrobe.update_garment(2, category="one-piece")
    wardrobe.set_garment_mask(1, mask)  # undone
    labels = wardrobe.photo_labels(1)
    assert labels is not None and (labels[second] == LABEL_OF_CATEGORY["one-piece"]).all()
    assert (labels[mask] == LABEL_OF_CATEGORY[wardrobe.garment(1).category]).all()


def test_another_garments_mask_of_another_size_than_the_label_map_is_said(
    wardrobe: Wardrobe, photos: Photos, caplog: pytest.LogCaptureFixture
) -> None:
    """A touch-up of the top redraws its photo's map: the bottom's mask, not the map's
    size, is left out of it (its pixels not kept as its own) without a word."""
    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    labels = wardrobe.photo_labels(top)
    assert labels is not None
    width, height = store_mask_cropped(wardrobe, bottom)
    _, mask = wardrobe.garment_picture(top)
    drawn = mask.copy()
    drawn[np.nonzero(mask)[0].min()] = False  # its top row erased
    with caplog.at_level(logging.WARNING, logger="wardrobe_app.services"):
        assert wardrobe.set_garment_mask(top, drawn).area == int(drawn.sum())
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert said == [
        f"garment {bottom}: its mask is {width}x{height}, its photo's label map "
        f"{labels.shape[1]}x{labels.shape[0]}: left out of the map redrawn for garment {top}"
    ]
