"""Encoded images and zips made in memory for the ingest tests."""

import io
import zipfile

from PIL import Image


def image_bytes(mode="RGB", size=(12, 10), color=None, fmt="PNG"):
    """An encoded image; ``size`` is PIL's (width, height)."""
    if color is None:
        color = {"L": 128, "RGB": (200, 30, 30), "RGBA": (0, 0, 255, 128), "P": 3, "1": 1,
                 "LA": (50, 200)}[mode]
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format=fmt)
    return buf.getvalue()


def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path, content in files.items():
            zf.writestr(path, content)
    return buf.getvalue()
