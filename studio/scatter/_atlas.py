"""Thumbnail sprite sheets: one PNG per dataset, so hover needs no request per point."""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Sequence

from studio.scatter._assets import served_dir, write_atomic


def make_atlas(thumbnails: Sequence[bytes], cell: int = 32) -> tuple[bytes, int]:
    """Pack thumbnails into one PNG sprite sheet.

    Parameters
    ----------
    thumbnails : sequence of bytes, length n
        Encoded images (PNG, JPEG, ...) of any size. Each is fitted into a ``cell``×``cell``
        square keeping its aspect ratio (centred, transparent margins).
    cell : int
        Side of one cell in pixels. The sheet is about ``sqrt(n)·cell`` pixels wide: keep
        ``cell`` small for large n (100k thumbnails at 32 px make a ~10,000 px square sheet).

    Returns
    -------
    png : bytes
        The sheet; thumbnail ``i`` is at column ``i % cols``, row ``i // cols``.
    cols : int
        Number of columns.
    """
    from PIL import Image, ImageOps

    n = len(thumbnails)
    if n == 0:
        raise ValueError("make_atlas needs at least one thumbnail")
    if cell < 1:
        raise ValueError(f"cell must be a positive number of pixels, got {cell}")
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    images = [Image.open(io.BytesIO(b)) for b in thumbnails]  # lazy: reads headers only
    # Grey thumbnails (MNIST-like) stay one channel: a quarter of the RGBA size, in bytes and
    # in the browser's decoded memory.
    mode = "L" if all(im.mode in ("L", "1") for im in images) else "RGBA"
    sheet = Image.new(mode, (cols * cell, rows * cell), 0)
    for i, im in enumerate(images):
        im = im.convert(mode)
        if im.size != (cell, cell):
            # Upscaling small glyphs must stay blocky; downscaling photos must not alias.
            up = im.width < cell and im.height < cell
            resample = Image.Resampling.NEAREST if up else Image.Resampling.BOX
            im = ImageOps.contain(im, (cell, cell), method=resample)
        x = (i % cols) * cell + (cell - im.width) // 2
        y = (i // cols) * cell + (cell - im.height) // 2
        sheet.paste(im, (x, y))
    buf = io.BytesIO()
    sheet.save(buf, format="PNG", compress_level=6)
    return buf.getvalue(), cols


def publish_atlas(png: bytes) -> str:
    """Make ``png`` reachable from the component's iframe; return its relative URL.

    The name is a content hash, so publishing the same sheet twice costs nothing and a browser
    never shows a stale cached sheet under a reused name.
    """
    name = f"atlas_{hashlib.sha256(png).hexdigest()[:20]}.png"
    path = served_dir() / name
    if not path.is_file() or path.stat().st_size != len(png):
        write_atomic(path, png)
    return name
