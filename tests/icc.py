"""A wide-gamut colour profile for tests, made here (ImageCms makes only sRGB, Lab and
XYZ ones, and system ICC files differ between machines), and the colour maths to check
a conversion from it against.

``DISPLAY_P3`` is an ICC v2 matrix/TRC profile with Display P3's primaries (those of
Apple's "Display P3" profile, adapted to D50) and a plain gamma of ``GAMMA``: what an
iPhone photo carries, near enough for tests.
"""

from __future__ import annotations

import struct

import numpy as np

D50 = (0.9642, 1.0, 0.8249)
# Columns: the red, green and blue colorants (XYZ, D50).
P3_D50 = np.array(
    [[0.51512, 0.29198, 0.15710], [0.24120, 0.69225, 0.06657], [-0.00105, 0.04189, 0.78407]]
)
SRGB_D50 = np.array(
    [[0.43607, 0.38515, 0.14307], [0.22249, 0.71687, 0.06061], [0.01392, 0.09708, 0.71410]]
)
GAMMA = 563 / 256  # 2.2 as the profile's u8Fixed8Number stores it


def _s15(*values: float) -> bytes:
    return b"".join(struct.pack(">i", round(v * 65536)) for v in values)


def _tag(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15(x, y, z)


def _desc(text: str) -> bytes:
    ascii_ = text.encode("ascii") + b"\0"
    # textDescriptionType: ASCII, then empty Unicode and ScriptCode parts.
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_)) + ascii_ + b"\0" * 8 + b"\0" * 70


def matrix_profile(colorants: np.ndarray, gamma: float, name: str) -> bytes:
    """An RGB display profile: ``colorants`` (3x3, columns R, G, B in XYZ D50) and one
    gamma for all three channels."""
    trc = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256))
    tags = [
        (b"desc", _tag(_desc(name))),
        (b"cprt", _tag(b"text\0\0\0\0made for tests\0")),
        (b"wtpt", _xyz(*D50)),
        (b"rXYZ", _xyz(*colorants[:, 0])),
        (b"gXYZ", _xyz(*colorants[:, 1])),
        (b"bXYZ", _xyz(*colorants[:, 2])),
        (b"rTRC", _tag(trc)),
        (b"gTRC", _tag(trc)),
        (b"bTRC", _tag(trc)),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"\0" * 4
        + bytes([2, 0x10, 0, 0])  # version 2.1
        + b"mntrRGB XYZ "
        + b"\0" * 12  # date
        + b"acsp"
        + b"\0" * 24  # platform, flags, manufacturer, model, attributes
        + b"\0" * 4  # rendering intent
        + _s15(*D50)
        + b"\0" * 48  # creator, profile id, reserved
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


DISPLAY_P3 = matrix_profile(P3_D50, GAMMA, "Display P3 (test)")


def p3_to_srgb(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) Display P3 (this module's profile) values 0-255 to sRGB 0-255, clipped
    to sRGB's gamut as a relative colorimetric conversion does."""
    linear = (np.asarray(rgb, np.float64) / 255.0) ** GAMMA
    srgb = np.clip(linear @ (np.linalg.inv(SRGB_D50) @ P3_D50).T, 0.0, 1.0)
    encoded = np.where(srgb <= 0.0031308, 12.92 * srgb, 1.055 * srgb ** (1 / 2.4) - 0.055)
    return encoded * 255.0
