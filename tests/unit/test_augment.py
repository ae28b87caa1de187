"""Training augmentation: the mask follows the photo, reframing leaves padding unlabelled."""

from __future__ import annotations

import torch
from torchvision import tv_tensors

from wardrobe_app.training.augment import Reframe, train_transform
from wardrobe_app.training.losses import IGNORE_INDEX


def sample(height: int = 96, width: int = 64) -> tuple[tv_tensors.Image, tv_tensors.Mask]:
    """Upper 3/4 'top' (class 1, grey 100), the rest 'bottom' (class 2, grey 200)."""
    image = torch.full((3, height, width), 100, dtype=torch.uint8)
    image[:, height * 3 // 4 :] = 200
    mask = torch.ones((height, width), dtype=torch.uint8)
    mask[height * 3 // 4 :] = 2
    return tv_tensors.Image(image), tv_tensors.Mask(mask)


def test_reframe_off_is_the_identity() -> None:
    image, mask = sample()
    out_image, out_mask = Reframe(0.0)(image, mask)
    assert out_image is image and out_mask is mask


def test_zoom_in_fills_the_frame_and_keeps_photo_and_labels_together() -> None:
    torch.manual_seed(0)
    reframe = Reframe(1.0)
    seen_one_class = False
    for _ in range(40):
        image, mask = reframe._zoom_in(*sample())
        assert image.shape == (3, 96, 64) and mask.shape == (96, 64)
        labelled = mask != IGNORE_INDEX
        # The window fills the frame's full height or full width, from the top left.
        assert labelled[0, 0] and (labelled[:, 0].all() or labelled[0, :].all())
        assert_photo_matches_labels(image, mask, labelled)
        assert (image[:, ~labelled] == 0).all()  # padding is black and unlabelled
        seen_one_class |= len(mask[labelled].unique()) == 1  # a waist-up framing
    assert seen_one_class


def test_zoom_out_puts_a_smaller_photo_on_a_plain_backdrop() -> None:
    torch.manual_seed(0)
    for _ in range(20):
        image, mask = Reframe(1.0)._zoom_out(*sample())
        garment = mask != 0
        assert 0.45**2 * 0.9 < garment.float().mean() < 0.9**2 * 1.05  # shrunk, not cut
        assert_photo_matches_labels(image, mask, garment)
        backdrop = image[:, ~garment]
        assert (backdrop == backdrop[:, :1]).all()  # one plain colour, labelled background


def test_reframe_does_both() -> None:
    torch.manual_seed(0)
    kinds = set()
    for _ in range(20):
        _, mask = Reframe(1.0)(*sample())
        kinds.add("in" if (mask == IGNORE_INDEX).any() else "out")
    assert kinds == {"in", "out"}


def assert_photo_matches_labels(
    image: torch.Tensor, mask: torch.Tensor, where: torch.Tensor
) -> None:
    """Each labelled pixel shows its class's grey (nearest labels, smooth photo: only the
    seam between the two may blend)."""
    grey = image[0][where].int()
    classes = mask[where].int()
    agree = ((classes == 1) & (grey <= 150)) | ((classes == 2) & (grey >= 150))
    assert agree.float().mean() > 0.93


def test_train_transform_keeps_ignored_pixels_out_of_the_classes() -> None:
    torch.manual_seed(1)
    transform = train_transform((64, 48), [0.5] * 3, [0.5] * 3, reframe=1.0)
    image, mask = transform(*sample())
    assert image.shape == (3, 64, 48) and image.dtype == torch.float32
    assert set(mask.unique().tolist()) <= {0, 1, 2, IGNORE_INDEX}
