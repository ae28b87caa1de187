"""A photo's stored label map follows a change of a garment's category."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fakes import (
    one_piece_pixels_in_the_top,
    store_photo_labels,
    top_and_bottom,
    top_over_waist,
    top_reaching_bottom,
)

from wardrobe_app.service import Wardrobe
from wardrobe_app.store import Garment
from wardrobe_app.types import CATEGORIES, LABEL_OF_CATEGORY

Photos = Callable[..., list[Path]]


def _labels_rel(wardrobe: Wardrobe, garment_id: int) -> str:
    with wardrobe.store.session() as s:
        return str(s.get(Garment, garment_id).photo.labels_path)


def _mask_rel(wardrobe: Wardrobe, garment_id: int) -> str:
    with wardrobe.store.session() as s:
        return str(s.get(Garment, garment_id).mask_path)


def _other_category(wardrobe: Wardrobe, garment_id: int) -> str:
    return next(c for c in CATEGORIES if c != wardrobe.garment(garment_id).category)


def test_a_change_of_category_recolours_the_garment_in_the_photos_label_map(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The map kept the model's class: the photo's other garments' pages tinted this one
    in its old category."""
    wardrobe.import_paths(photos(1))
    before = wardrobe.photo_labels(1)
    _, mask = wardrobe.garment_picture(1)
    assert before is not None
    drawn = before == LABEL_OF_CATEGORY[wardrobe.garment(1).category]
    assert (drawn & ~mask).any()  # the model's pixels its mask was cleaned of: its corners
    other = _other_category(wardrobe, 1)
    wardrobe.update_garment(1, category=other)
    labels = wardrobe.photo_labels(2)  # as the photo's other garment's page reads it
    assert labels is not None and (labels[drawn] == LABEL_OF_CATEGORY[other]).all()
    assert np.array_equal(labels[~drawn], before[~drawn])  # the other garment's pixels stay
    assert wardrobe.verify().ok  # the old map went: nothing else used it


@pytest.mark.parametrize("deleted", [False, True])
def test_a_garment_of_the_same_class_keeps_its_pixels(
    wardrobe: Wardrobe, photos: Photos, deleted: bool
) -> None:
    """The top made a bottom beside the photo's bottom, then a one-piece: only the top's
    pixels turn, not the bottom's, drawn in the same class by then; also where the
    bottom is deleted meanwhile, and its delete undone."""
    wardrobe.import_paths(photos(1))
    top, bottom, reaching = top_reaching_bottom(wardrobe)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    wardrobe.update_garment(top, category="bottom")
    if deleted:
        wardrobe.delete_garments([bottom])
    wardrobe.update_garment(top, category="one-piece")
    wardrobe.undo_delete([bottom])
    labels = wardrobe.photo_labels(top)
    assert labels is not None and (labels[bottom_mask] == LABEL_OF_CATEGORY["bottom"]).all()
    assert (labels[reaching] == LABEL_OF_CATEGORY["one-piece"]).all()


def test_changing_the_category_back_finds_the_old_label_map_again(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    wardrobe.import_paths(photos(1))
    was, first = wardrobe.garment(1).category, _labels_rel(wardrobe, 1)
    wardrobe.update_garment(1, category=_other_category(wardrobe, 1))
    changed = _labels_rel(wardrobe, 1)
    assert changed != first and not wardrobe.store.files.abspath(first).exists()
    wardrobe.update_garment(1, category=was)
    assert _labels_rel(wardrobe, 1) == first  # the same bytes: the same file
    assert not wardrobe.store.files.abspath(changed).exists() and wardrobe.verify().ok


def test_a_label_map_another_photo_shares_is_kept_for_it(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    # The fake photos' maps are alike: stored once, by their hash, for both photos.
    wardrobe.import_paths(photos(2))
    shared = _labels_rel(wardrobe, 1)
    assert _labels_rel(wardrobe, 3) == shared
    wardrobe.update_garment(1, category=_other_category(wardrobe, 1))
    assert _labels_rel(wardrobe, 3) == shared and wardrobe.store.files.abspath(shared).exists()
    assert wardrobe.verify().ok


def test_a_change_of_category_that_fails_leaves_no_label_map_behind(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import event

    wardrobe.import_paths(photos(1))
    was, first = wardrobe.garment(1).category, _labels_rel(wardrobe, 1)
    stored = set(wardrobe.store.files.all_files())

    def full(*_args: object) -> None:  # the row's write refused, after the map was stored
        raise OSError(28, "No space left on device")

    event.listen(wardrobe.store.Session, "before_flush", full)
    try:
        with pytest.raises(OSError):
            wardrobe.update_garment(1, category=_other_category(wardrobe, 1))
    finally:
        event.remove(wardrobe.store.Session, "before_flush", full)
    assert wardrobe.garment(1).category == was and _labels_rel(wardrobe, 1) == first
    assert set(wardrobe.store.files.all_files()) == stored and wardrobe.verify().ok


def test_a_change_of_category_saved_is_not_reported_failed_for_an_old_map_kept_open(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old map, open in another program (Windows refuses to remove an open file),
    is left for the next start's clean-up: the change committed, and raising said it
    had failed."""
    wardrobe.import_paths(photos(1))
    first = _labels_rel(wardrobe, 1)
    open_elsewhere = wardrobe.store.files.abspath(first)
    unlink = Path.unlink

    def refused(path: Path, missing_ok: bool = False) -> None:
        if path == open_elsewhere:
            raise PermissionError(13, "The process cannot access the file", str(path))
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)
    other = _other_category(wardrobe, 1)
    assert wardrobe.update_garment(1, category=other).category == other
    assert _labels_rel(wardrobe, 1) != first and open_elsewhere.exists()
    monkeypatch.undo()
    wardrobe.store.cleanup()  # what the next start does
    assert not open_elsewhere.exists() and wardrobe.verify().ok


def test_a_lost_mask_is_redrawn_from_the_map_after_a_change_of_category(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The map drew it in the model's class, looked for in the new one: an empty mask."""
    wardrobe.import_paths(photos(1))
    before, record = wardrobe.photo_labels(1), wardrobe.garment(1)
    assert before is not None
    x0, y0, x1, y1 = record.box
    expected = np.zeros(before.shape, bool)  # what the map draws it as, in its box
    expected[y0:y1, x0:x1] = before[y0:y1, x0:x1] == LABEL_OF_CATEGORY[record.category]
    wardrobe.update_garment(1, category=_other_category(wardrobe, 1))
    wardrobe.garment(1).mask_path.unlink()
    assert expected.any() and np.array_equal(wardrobe.garment_picture(1)[1], expected)


def test_a_touch_up_of_another_garment_after_a_change_of_category_keeps_its_colour(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    wardrobe.import_paths(photos(1))
    _, mask = wardrobe.garment_picture(1)
    other = _other_category(wardrobe, 1)
    wardrobe.update_garment(1, category=other)
    _, second = wardrobe.garment_picture(2)
    drawn = second.copy()
    drawn[tuple(np.argwhere(second)[0])] = False
    wardrobe.set_garment_mask(2, drawn)
    labels = wardrobe.photo_labels(1)
    assert labels is not None and (labels[mask] == LABEL_OF_CATEGORY[other]).all()


def test_a_garment_whose_mask_cannot_be_read_changes_category_all_the_same(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    wardrobe.import_paths(photos(1))
    first = _labels_rel(wardrobe, 1)
    wardrobe.garment(1).mask_path.write_bytes(b"not a PNG")
    other = _other_category(wardrobe, 1)
    assert wardrobe.update_garment(1, category=other).category == other
    assert _labels_rel(wardrobe, 1) == first  # nothing to draw it from: kept as it was


def test_a_deleted_garment_leaves_the_photos_drawn_map_and_undo_brings_it_back(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The stored map keeps every pixel the model found: a deleted garment stayed tinted
    on the pages of the photo's other garments. What they draw is the map of the photo's
    live garments (``of_garments``), as the garment page makes it."""
    from wardrobe_app.vision.label_map import of_garments

    wardrobe.import_paths(photos(1))
    top = next(r for r in wardrobe.list_garments() if r.category == "top")
    bottom = next(r for r in wardrobe.list_garments() if r.category == "bottom")
    _, top_mask = wardrobe.garment_picture(top.id)

    def drawn() -> np.ndarray:  # the bottom's page: its photo's live garments
        live = [wardrobe.garment(bottom.id), *wardrobe.worn_with(bottom.id)]
        labels = wardrobe.photo_labels(bottom.id)
        assert labels is not None
        return of_garments(labels, [wardrobe.garment_picture(r.id)[1] for r in live])

    full = wardrobe.photo_labels(bottom.id)
    assert full is not None and np.array_equal(drawn(), full)  # the map draws only these two
    wardrobe.delete_garments([top.id])
    after = drawn()
    assert not (after == LABEL_OF_CATEGORY["top"]).any()
    assert (after == LABEL_OF_CATEGORY["bottom"]).any()  # the bottom stays drawn
    wardrobe.undo_delete([top.id])
    assert np.array_equal(drawn(), full)
    assert (full[top_mask] == LABEL_OF_CATEGORY["top"]).any()


def _top_beside_bottom() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 20x20 map: a top's mask (rows 2-8) right above a bottom's (rows 9-17), the
    model's pixels their masks were cleaned of around them: the top's spur over its
    shoulder, the bottom's corner at the waist beside the top and its hem below."""
    top, bottom = np.zeros((20, 20), bool), np.zeros((20, 20), bool)
    top[2:9, 4:16] = True
    bottom[9:18, 5:15] = True
    labels = np.where(top, 1, np.where(bottom, 2, 0)).astype(np.uint8)
    labels[1, 4:6] = 1  # the top's spur
    labels[9, 4] = 2  # the bottom's corner, touching the top's mask too
    labels[18, 6:9] = 2  # the bottom's hem
    return labels, top, bottom


def test_a_category_changed_and_back_beside_a_garment_of_that_class_gives_the_map_again() -> None:
    """The top made a bottom beside the photo's bottom and back: the region of the map
    around its mask spanned the bottom's too, and the bottom's corner and hem turned
    top with it."""
    from wardrobe_app.vision.label_map import recategorised

    labels, top, bottom = _top_beside_bottom()
    there = recategorised(labels, top, [bottom], "top", "bottom")
    assert there is not None
    assert (there[1, 4:6] == LABEL_OF_CATEGORY["bottom"]).all()  # its spur goes with it
    back = recategorised(there, top, [bottom], "bottom", "top")
    assert back is not None and np.array_equal(back, labels)


def test_a_category_changed_and_back_beside_a_garment_of_that_class_finds_the_old_map(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """As the wardrobe does it: the top touched up down to the bottom, made a bottom
    and a top again, finds the map it had (the same file): the bottom's edges the
    model found beyond its mask stay the bottom's."""
    wardrobe.import_paths(photos(1))
    top, bottom, _ = top_reaching_bottom(wardrobe)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    before, first = wardrobe.photo_labels(top), _labels_rel(wardrobe, top)
    assert before is not None
    edges = (before == LABEL_OF_CATEGORY["bottom"]) & ~bottom_mask
    assert edges.any()  # the bottom's corners, cleaned off its mask
    wardrobe.update_garment(top, category="bottom")
    wardrobe.update_garment(top, category="top")
    labels = wardrobe.photo_labels(top)
    assert labels is not None and (labels[edges] == LABEL_OF_CATEGORY["bottom"]).all()
    assert _labels_rel(wardrobe, top) == first and wardrobe.verify().ok


def test_a_deleted_garment_touching_a_live_one_of_its_class_is_not_drawn() -> None:
    """The top made a bottom beside the bottom, then deleted: the bottom's page drew the
    model's region around the bottom's mask, which spanned the top's pixels too."""
    from wardrobe_app.vision.label_map import of_garments

    labels, top, bottom = _top_beside_bottom()
    labels[top | (labels == 1)] = 2  # the top, made a bottom: its mask and its spur
    drawn = of_garments(labels, [bottom], gone=[top])
    assert not drawn[top].any() and not drawn[1, 4:6].any()  # its mask, its spur
    assert drawn[9, 4] == 0  # the corner both touch: which one's the map cannot tell
    assert (drawn[bottom] == 2).all() and (drawn[18, 6:9] == 2).all()  # the bottom's hem
    assert np.array_equal(of_garments(labels, [bottom, top]), labels)  # undone: all drawn


def test_a_speck_of_the_garments_class_beyond_every_region_goes_with_it_both_ways() -> None:
    """A speck of the top the model found beyond its region (too small or too far for
    its mask) kept the class "top" once the top was made a one-piece, and the map drew
    it red where it is drawn whole. It goes with it, and comes back with it."""
    from wardrobe_app.vision.label_map import recategorised

    labels, top, bottom = _top_beside_bottom()
    labels[0, 18] = labels[19, 0] = 1  # the top's specks, apart from it and each other
    there = recategorised(labels, top, [bottom], "top", "one-piece")
    assert there is not None and there[0, 18] == there[19, 0] == LABEL_OF_CATEGORY["one-piece"]
    assert not (there == LABEL_OF_CATEGORY["top"]).any()  # nothing of the top's old class
    back = recategorised(there, top, [bottom], "one-piece", "top")
    assert back is not None and np.array_equal(back, labels)


@pytest.mark.parametrize("specks", [65534, 65535, 70000])
def test_a_garment_with_more_specks_than_16_bit_part_numbers_takes_them_all(specks: int) -> None:
    """The parts of the map are numbered in 16 bits where they fit, for speed: OpenCV
    refuses a 65535th part, and a change of category failed on a map of that many."""
    from wardrobe_app.vision.label_map import recategorised

    labels = np.zeros((4, 2 * specks), np.uint8)
    labels[:2, :4] = LABEL_OF_CATEGORY["top"]
    labels[3, ::2] = LABEL_OF_CATEGORY["top"]  # a speck every other pixel: one part each
    top = np.zeros(labels.shape, bool)
    top[:2, :4] = True
    there = recategorised(labels, top, [], "top", "one-piece")
    assert there is not None
    assert (there[3, ::2] == LABEL_OF_CATEGORY["one-piece"]).all()
    assert not (there == LABEL_OF_CATEGORY["top"]).any()


def test_a_garment_whose_mask_cannot_be_read_is_not_taken_for_anothers_specks(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The bottom made a top, then its mask lost: the top made a one-piece took all of
    the bottom's pixels, beyond its region and no mask known there, for its specks."""
    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    wardrobe.update_garment(bottom, category="top")
    wardrobe.garment(bottom).mask_path.unlink()
    wardrobe.update_garment(top, category="one-piece")
    labels = wardrobe.photo_labels(top)
    assert labels is not None and (labels[bottom_mask] == LABEL_OF_CATEGORY["top"]).all()


def test_a_garment_drawn_over_anothers_mask_takes_those_pixels_with_it_both_ways(
    make_wardrobe: Callable[..., Wardrobe], photos: Photos
) -> None:
    """A touch-up drew the top over the bottom's waist (in the top's class): made a
    one-piece, the waist stayed a top's, with no top left in the photo."""
    wardrobe = make_wardrobe()
    wardrobe.import_paths(photos(1))
    top, _, bottom_mask, waist = top_over_waist(wardrobe)
    before = wardrobe.photo_labels(top)
    assert before is not None and (before[waist] == LABEL_OF_CATEGORY["top"]).all()
    wardrobe.update_garment(top, category="one-piece")
    labels = wardrobe.photo_labels(top)
    assert labels is not None and (labels[waist] == LABEL_OF_CATEGORY["one-piece"]).all()
    assert (labels[bottom_mask & ~waist] == LABEL_OF_CATEGORY["bottom"]).all()
    wardrobe.close()
    wardrobe = make_wardrobe()  # a new session: the map alone tells the way back
    wardrobe.update_garment(top, category="top")
    assert np.array_equal(wardrobe.photo_labels(top), before)


def test_a_speck_of_a_class_two_garments_are_drawn_in_stays_as_it_is() -> None:
    """A scarf found as a second top: whose the speck is the map cannot tell; it stays."""
    from wardrobe_app.vision.label_map import recategorised

    labels, top, bottom = _top_beside_bottom()
    scarf = np.zeros_like(top)
    scarf[12:15, 17:19] = True
    labels[scarf] = 1
    labels[0, 18] = 1
    there = recategorised(labels, top, [bottom, scarf], "top", "one-piece")
    assert there is not None and there[0, 18] == LABEL_OF_CATEGORY["top"]
    assert (there[scarf] == LABEL_OF_CATEGORY["top"]).all()
    back = recategorised(there, top, [bottom, scarf], "one-piece", "top")
    assert back is not None and np.array_equal(back, labels)


def test_a_speck_of_the_new_class_that_no_garment_has_is_taken_on_the_way_back() -> None:
    """The cost of moving a garment's specks, pinned: a one-piece speck the model found
    in a photo with no one-piece (too small to be a garment) stays as the top turns
    one-piece, and the map is then the same as had it been the top's: the top made a
    top again takes it (only a map of the model's kept aside could tell them apart).
    The wardrobe gives it back where the change back follows the change, the map not
    changed since (``MapEdits``)."""
    from wardrobe_app.vision.label_map import recategorised

    labels, top, bottom = _top_beside_bottom()
    labels[0, 18] = 3
    there = recategorised(labels, top, [bottom], "top", "one-piece")
    assert there is not None and there[0, 18] == 3
    back = recategorised(there, top, [bottom], "one-piece", "top")
    assert back is not None and back[0, 18] == LABEL_OF_CATEGORY["top"]
    assert np.array_equal(np.delete(back.ravel(), 18), np.delete(labels.ravel(), 18))


def _top_touching_one_piece() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 20x20 map: a top's mask (rows 2-8) touching a one-piece's (rows 9-17), with
    the model's pixels their masks were cleaned of: the top's spur over its shoulder
    and its rim pixel beside the one-piece's mask, the one-piece's corner touching both
    masks and its hem."""
    top, dress = np.zeros((20, 20), bool), np.zeros((20, 20), bool)
    top[2:9, 4:16] = True
    dress[9:18, 5:15] = True
    labels = np.where(top, 1, np.where(dress, 3, 0)).astype(np.uint8)
    labels[1, 4:6] = 1  # the top's spur
    labels[9, 4] = 1  # the top's rim pixel, touching the one-piece's mask too
    labels[9, 15] = 3  # the one-piece's corner, touching the top's mask too
    labels[18, 6:9] = 3  # the one-piece's hem
    return labels, top, dress


def test_a_top_touching_a_one_piece_made_one_takes_its_rim_pixel_with_it() -> None:
    """Made a one-piece, the top's rim pixel beside the one-piece's mask kept the top's
    class (changing it back could not tell it from the one-piece's corner): a top's
    pixel with no top in the photo, left in the map for good when the garment was
    purged. It turns one-piece; on the way back it stays one (the map cannot tell;
    an undo gives it back, ``MapEdits``), every other pixel as it was."""
    from wardrobe_app.vision.label_map import recategorised, without

    labels, top, dress = _top_touching_one_piece()
    there = recategorised(labels, top, [dress], "top", "one-piece")
    assert there is not None and (there[top] == 3).all() and (there[1, 4:6] == 3).all()
    assert there[9, 15] == 3 and (there[dress] == 3).all() and (there[18, 6:9] == 3).all()
    assert there[9, 4] == 3 and not (there == LABEL_OF_CATEGORY["top"]).any()
    purged = without(there, [top], [dress], [LABEL_OF_CATEGORY["one-piece"]])
    assert purged is not None and not (purged == LABEL_OF_CATEGORY["top"]).any()
    back = recategorised(there, top, [dress], "one-piece", "top")
    assert back is not None and back[9, 4] == 3 and back[9, 15] == 3
    labels[9, 4] = 3
    assert np.array_equal(back, labels)


def test_a_top_touching_a_one_piece_made_one_and_back_in_the_wardrobe_gives_its_map(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """As the wardrobe does it: the top drawn down to the bottom made a one-piece, a rim
    pixel of the top's beside both masks turns one-piece with it; changed back (an
    undo), the map not changed since, it is the map it had (``MapEdits``)."""
    import cv2

    wardrobe.import_paths(photos(1))
    top, bottom, reaching = top_reaching_bottom(wardrobe)
    wardrobe.update_garment(bottom, category="one-piece")
    _, dress = wardrobe.garment_picture(bottom)
    labels = wardrobe.photo_labels(top)
    assert labels is not None
    ring = np.ones((3, 3), np.uint8)
    near = [cv2.dilate(m.view(np.uint8), ring) > 0 for m in (reaching, dress)]
    rim = tuple(np.argwhere(near[0] & near[1] & ~reaching & ~dress & (labels == 0))[0])
    labels[rim] = LABEL_OF_CATEGORY["top"]  # the model's, its mask cleaned of it
    store_photo_labels(wardrobe, top, labels)
    wardrobe.update_garment(top, category="one-piece")
    there = wardrobe.photo_labels(top)
    assert there is not None and there[rim] == LABEL_OF_CATEGORY["one-piece"]
    assert not (there == LABEL_OF_CATEGORY["top"]).any()
    wardrobe.update_garment(top, category="top")
    assert np.array_equal(wardrobe.photo_labels(top), labels) and wardrobe.verify().ok


def test_a_category_changed_and_back_gives_back_what_the_map_alone_cannot_tell(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """A one-piece pixel the model found inside the top, and a one-piece speck of its
    beyond every region (no one-piece in the photo): the top made a one-piece, both are
    the same as its own; made a top again, worked out from the map, they turned top.
    Changed back (an undo), the map not changed since, it is the map it had."""
    from wardrobe_app.vision.label_map import recategorised

    wardrobe.import_paths(photos(1))
    top, model, inside = one_piece_pixels_in_the_top(wardrobe)
    _, mask = wardrobe.garment_picture(top)
    rel = _labels_rel(wardrobe, top)
    # Worked out from the map alone, neither comes back as it was:
    others = [wardrobe.garment_picture(g.id)[1] for g in wardrobe.worn_with(top)]
    there = recategorised(model, mask, others, "top", "one-piece")
    assert there is not None
    back = recategorised(there, mask, others, "one-piece", "top")
    assert back is not None and back[inside] == back[0, 0] == LABEL_OF_CATEGORY["top"]
    wardrobe.update_garment(top, category="one-piece")
    wardrobe.update_garment(top, category="top")
    assert np.array_equal(wardrobe.photo_labels(top), model) and _labels_rel(wardrobe, top) == rel
    assert wardrobe.verify().ok


@pytest.mark.parametrize("purged_by", ["cleanup", "the next start", "a deferred clean-up"])
def test_a_purged_garments_pixels_are_erased_from_its_photos_label_map(
    make_wardrobe: Callable[..., Wardrobe], photos: Photos, purged_by: str
) -> None:
    """The top made a bottom beside the bottom, then deleted and purged: its mask went
    with it and its pixels stayed in the map, drawn on the bottom's page again."""
    from wardrobe_app.vision.label_map import of_garments

    wardrobe = make_wardrobe()
    wardrobe.import_paths(photos(1))
    top, bottom, reaching = top_reaching_bottom(wardrobe)
    wardrobe.update_garment(top, category="bottom")
    _, bottom_mask = wardrobe.garment_picture(bottom)
    wardrobe.delete_garments([top])
    labels, old = wardrobe.photo_labels(bottom), _labels_rel(wardrobe, bottom)
    assert labels is not None and labels[reaching].any()
    page = of_garments(labels, [bottom_mask], [reaching])  # as the bottom's page draws it
    assert not page[reaching].any()
    if purged_by == "cleanup":
        assert wardrobe.store.cleanup().purged_garments == 1
    else:
        wardrobe.close()
        wardrobe = make_wardrobe(defer_cleanup=purged_by == "a deferred clean-up")
        wardrobe.store.start_cleanup()
        wardrobe.store.files.before_write()  # waits for it, as every write does
        assert wardrobe.store.cleanup_report.purged_garments == 1
    after = wardrobe.photo_labels(bottom)
    assert after is not None and not after[reaching].any()
    assert np.array_equal(of_garments(after, [bottom_mask]), page)  # the page as it was
    assert _labels_rel(wardrobe, bottom) != old and not wardrobe.store.files.abspath(old).exists()
    assert wardrobe.verify().ok


@pytest.mark.parametrize("top_made_a_bottom", [False, True])
def test_a_garment_purged_leaves_a_map_that_draws_the_others_as_its_delete_did(
    top_made_a_bottom: bool,
) -> None:
    """Its mask purged with it, nothing leaves its pixels out of the others' pages: they
    go from the map, its spur with them, and the others' pages draw what they drew."""
    from wardrobe_app.vision.label_map import of_garments, without

    labels, top, bottom = _top_beside_bottom()
    if top_made_a_bottom:
        labels[top | (labels == 1)] = 2  # its mask and its spur
    erased = without(labels, [top], [bottom])
    assert erased is not None and not erased[top].any() and not erased[1, 4:6].any()
    assert (erased[bottom] == 2).all() and (erased[18, 6:9] == 2).all()  # the bottom's
    assert erased[9, 4] == (0 if top_made_a_bottom else 2)  # the corner: both's if one class
    drawn = of_garments(labels, [bottom], gone=[top])
    assert np.array_equal(of_garments(erased, [bottom]), drawn)
    assert without(erased, [top], [bottom]) is None  # nothing left to erase


def test_a_garment_purged_takes_its_specks_beyond_every_region_with_it() -> None:
    """The top's speck stayed in the map after it was purged: the bottom made a top
    and a bottom again then took it as its own (the model finds one garment a class).
    A speck of a class a garment kept has stays: it may be that one's."""
    from wardrobe_app.vision.label_map import recategorised, without

    labels, top, bottom = _top_beside_bottom()
    labels[0, 18] = 1  # the top's speck
    labels[19, 0] = 2  # the bottom's
    erased = without(labels, [top], [bottom])
    assert erased is not None and erased[0, 18] == 0 and erased[19, 0] == 2
    there = recategorised(erased, bottom, [], "bottom", "top")
    assert there is not None
    back = recategorised(there, bottom, [], "top", "bottom")
    assert back is not None and np.array_equal(back, erased)


def test_a_garment_deleted_over_a_kept_ones_mask_leaves_the_kept_one_drawn_there() -> None:
    """A touch-up drew the top over the bottom's waist, in the top's class: deleted,
    the bottom's waist stayed a top's on the photo's pages, and purged, in its map."""
    from wardrobe_app.vision.label_map import of_garments, without

    labels, top, bottom = _top_beside_bottom()
    over = top.copy()
    over[9:12, 4:16] = True  # the top drawn down over the bottom's waist
    labels[over] = 1
    labels[10, 8] = 0  # background in both masks (a hole filled over): it stays
    hole = np.zeros_like(bottom)
    hole[10, 8] = True
    classes = [LABEL_OF_CATEGORY["bottom"]]
    drawn = of_garments(labels, [bottom], [over], classes)
    assert (drawn[bottom & ~hole] == 2).all() and not (drawn == 1).any() and drawn[10, 8] == 0
    erased = without(labels, [over], [bottom], classes)
    assert erased is not None and (erased[bottom & ~hole] == 2).all() and erased[10, 8] == 0
    assert not (erased == 1).any()
    assert np.array_equal(of_garments(erased, [bottom], (), classes), drawn)
    assert (without(labels, [over], [bottom])[bottom] == 1).any()  # not told the classes


def test_a_purged_garment_drawn_over_a_kept_ones_mask_leaves_the_kept_one_in_the_map(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    _, top_mask = wardrobe.garment_picture(top)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    wardrobe.set_garment_mask(top, top_mask | bottom_mask)  # drawn over the whole bottom
    wardrobe.delete_garments([top])
    assert wardrobe.store.cleanup().purged_garments == 1
    labels = wardrobe.photo_labels(bottom)
    assert labels is not None and (labels[bottom_mask] == LABEL_OF_CATEGORY["bottom"]).all()
    assert not (labels == LABEL_OF_CATEGORY["top"]).any() and wardrobe.verify().ok


def test_a_purge_whose_new_map_cannot_be_written_keeps_the_garment_for_the_next(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk at the start-up clean-up: purged without its map erased, the top's
    pixels would be drawn on the bottom's page for good; it waits, still deleted."""
    wardrobe.import_paths(photos(1))
    top, bottom, reaching = top_reaching_bottom(wardrobe)
    wardrobe.update_garment(top, category="bottom")
    wardrobe.delete_garments([top])
    old = _labels_rel(wardrobe, bottom)

    def full(image: np.ndarray) -> tuple[str, bool]:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(wardrobe.store.files, "put_png", full)
        assert wardrobe.store.cleanup().purged_garments == 0
    assert _labels_rel(wardrobe, bottom) == old and wardrobe.verify().ok
    assert [g.id for g in wardrobe.deleted_with(bottom)] == [top]
    assert wardrobe.store.cleanup().purged_garments == 1  # room again: purged, map erased
    labels = wardrobe.photo_labels(bottom)
    assert labels is not None and not labels[reaching].any() and wardrobe.verify().ok


def test_a_map_whose_garments_masks_cannot_be_read_is_kept_at_a_purge(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The bottom's mask lost: which pixels are the top's alone cannot be told (its
    region may hold the bottom's); the map stays, the top is purged."""
    wardrobe.import_paths(photos(1))
    top, bottom, _ = top_reaching_bottom(wardrobe)
    wardrobe.delete_garments([top])
    old = _labels_rel(wardrobe, bottom)
    wardrobe.garment(bottom).mask_path.unlink()
    assert wardrobe.store.cleanup().purged_garments == 1
    assert _labels_rel(wardrobe, bottom) == old


@pytest.mark.parametrize("lost", ["damaged", "missing"])
def test_a_purge_whose_deleted_garments_mask_cannot_be_read_redraws_the_map(
    wardrobe: Wardrobe, photos: Photos, caplog: pytest.LogCaptureFixture, lost: str
) -> None:
    """The top's mask lost: the map was kept as it was (only logged), the top's pixels
    in it for good with nothing left to leave them out. It is drawn again from the
    bottom's mask (``of_garments``), and the log says so."""
    import logging

    from wardrobe_app.vision.label_map import of_garments

    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    before = wardrobe.photo_labels(bottom)
    assert before is not None and (before == LABEL_OF_CATEGORY["top"]).any()
    wardrobe.delete_garments([top])
    mask_path = wardrobe.store.files.abspath(_mask_rel(wardrobe, top))
    if lost == "damaged":
        mask_path.write_bytes(b"not a PNG")
    else:
        mask_path.unlink()
    with caplog.at_level(logging.WARNING, logger="wardrobe_app.store.label_maps"):
        assert wardrobe.store.cleanup().purged_garments == 1
    after = wardrobe.photo_labels(bottom)
    assert after is not None and not (after == LABEL_OF_CATEGORY["top"]).any()
    assert np.array_equal(after, of_garments(before, [bottom_mask]))
    assert (after[bottom_mask] == LABEL_OF_CATEGORY["bottom"]).all()
    assert f"deleted garment {top} cannot be read; its map redrawn" in caplog.text
    assert wardrobe.verify().ok


def test_a_purge_that_redraws_the_map_keeps_the_kept_garments_specks(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The top's mask lost at its purge, the map drawn again from the bottom's mask:
    the bottom's speck beyond every region went with the top's pixels (a change of
    category then had none of its to move). It stays; one of the top's class, which
    may be a part of the top the mask read would have told, goes."""
    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    labels = wardrobe.photo_labels(bottom)
    assert labels is not None and not labels[:2, :2].any() and not labels[-2:, -2:].any()
    labels[0, 0] = LABEL_OF_CATEGORY["bottom"]  # the bottom's speck, far from every mask
    labels[-1, -1] = LABEL_OF_CATEGORY["top"]  # the top's, or its pixels: cannot be told
    store_photo_labels(wardrobe, bottom, labels)
    wardrobe.delete_garments([top])
    wardrobe.store.files.abspath(_mask_rel(wardrobe, top)).write_bytes(b"not a PNG")
    assert wardrobe.store.cleanup().purged_garments == 1
    after = wardrobe.photo_labels(bottom)
    assert after is not None and after[0, 0] == LABEL_OF_CATEGORY["bottom"]
    assert not (after == LABEL_OF_CATEGORY["top"]).any() and wardrobe.verify().ok


def test_a_purge_that_redraws_the_map_keeps_no_specks_of_the_lost_ones_class(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    """The bottom made a top, the top deleted and its mask lost: the top's pixels are
    parts of the map no mask read touches, in a class a kept garment has; taken for
    that one's specks, the purged top would stay in the map for good."""
    wardrobe.import_paths(photos(1))
    top, bottom = top_and_bottom(wardrobe)
    _, top_mask = wardrobe.garment_picture(top)
    _, bottom_mask = wardrobe.garment_picture(bottom)
    wardrobe.update_garment(bottom, category="top")
    wardrobe.delete_garments([top])
    wardrobe.store.files.abspath(_mask_rel(wardrobe, top)).write_bytes(b"not a PNG")
    assert wardrobe.store.cleanup().purged_garments == 1
    after = wardrobe.photo_labels(bottom)
    assert after is not None and not after[top_mask & ~bottom_mask].any()
    assert (after[bottom_mask] == LABEL_OF_CATEGORY["top"]).all() and wardrobe.verify().ok


def test_a_purge_cut_short_after_its_new_map_is_written_leaves_the_old_map_in_use(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between the new map's file and the commit: the row still names the old
    map, there to read, and the new one is an unused file the next clean-up sweeps."""
    from wardrobe_app.store import store as store_module

    wardrobe.import_paths(photos(1))
    top, bottom, reaching = top_reaching_bottom(wardrobe)
    wardrobe.update_garment(top, category="bottom")
    wardrobe.delete_garments([top])
    old = _labels_rel(wardrobe, bottom)

    class Killed(BaseException):
        pass

    def killed(*args: object) -> None:
        raise Killed

    with monkeypatch.context() as m:
        m.setattr(store_module, "delete", killed)  # the purge's first statement after it
        with pytest.raises(Killed):
            wardrobe.store.cleanup()
    assert _labels_rel(wardrobe, bottom) == old and wardrobe.store.files.abspath(old).is_file()
    report = wardrobe.verify()
    assert not report.missing_files and len(report.unreferenced_files) == 1  # the new map
    assert [g.id for g in wardrobe.deleted_with(bottom)] == [top]
    assert wardrobe.store.cleanup().purged_garments == 1 and wardrobe.verify().ok
    labels = wardrobe.photo_labels(bottom)
    assert labels is not None and not labels[reaching].any()


def test_a_box_too_big_for_the_float32_histogram_is_counted_alike_by_bincount(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A garment's box of 2**24 pixels or more (16.7 MP) is counted by np.bincount, not
    by cv2's float32 histogram: the same majority, here with the bound lowered."""
    from collections import Counter

    import cv2

    from wardrobe_app.vision import label_map

    rng = np.random.default_rng(7)
    labels = rng.choice(np.arange(4, dtype=np.uint8), size=(120, 90), p=[0.4, 0.15, 0.25, 0.2])
    labels[10:30, 10:30] = 3  # a block the one-piece wins in
    labels[60:62, 0:4] = [[1, 2, 1, 2], [2, 1, 2, 1]]  # a tie: the lower class, as argmax
    masks = [np.ones(labels.shape, bool), np.zeros(labels.shape, bool)]
    masks += [np.zeros(labels.shape, bool) for _ in range(3)]
    masks[2][5:55, 5:45] = True
    masks[3][60:62, 0:4] = True
    masks[4][labels == 0] = True  # background alone: no class
    masks.append(rng.random(labels.shape) < 0.3)

    def expected(mask: np.ndarray) -> int | None:
        counts = Counter(int(v) for v in labels[mask] if v != 0)
        return min(counts, key=lambda c: (-counts[c], c)) if counts else None

    def majorities() -> list[int | None]:
        return [label_map._majority(labels, mask, label_map._Boxes()) for mask in masks]

    wanted = [expected(mask) for mask in masks]
    assert wanted[:5] == [2, None, 3, 1, None]
    histogram = cv2.calcHist
    calls: list[int] = []
    monkeypatch.setattr(cv2, "calcHist", lambda *a: calls.append(1) or histogram(*a))
    assert majorities() == wanted and calls  # the histogram's path

    def no_histogram(*_: object) -> None:
        raise AssertionError("calcHist used for a box over the bound")

    monkeypatch.setattr(cv2, "calcHist", no_histogram)
    monkeypatch.setattr(label_map, "HISTOGRAM_EXACT_BELOW", 1)  # every box is over it
    assert majorities() == wanted
