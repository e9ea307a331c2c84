"""Thumbnails as one fixed-cell uint8 stack: cheap to make, to save, to load and to page.

One PNG per item used to cost 68 µs to encode and a zip member to read back, far too slow at a
million items. Here every thumbnail is fitted once into a ``cell``×``cell`` square and all of them
live in one array, saved as one ``.npy`` file and memory-mapped on load. PNG bytes are still
available item by item (``thumbs[i]``), encoded on demand, so code written for a list of PNGs
keeps working; the browser gets atlas pages of ``PAGE_SIDE`` pixels instead of one PNG per point.

>>> thumbs = Thumbnails(np.zeros((3, 16, 16), np.uint8))
>>> len(thumbs), thumbs.cell, thumbs.mode
(3, 16, 'L')
>>> thumbs[0][:4]
b'\\x89PNG'
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

import numpy as np

from .errors import InvalidDataError, ModelFileError, one_line

if TYPE_CHECKING:
    from PIL import Image

ThumbnailMode = Literal["L", "RGB"]

#: Side of one atlas page in pixels: small enough for every browser's texture limit (4096 on
#: older GPUs) with margin, big enough that few pages cover a million 16 px thumbnails.
PAGE_SIDE = 2048
#: Most pixels in one encoded thumbnail read back (a run zip's): 1024×1024, far above a cell.
MAX_THUMBNAIL_PIXELS = 1 << 20
#: PIL modes that hold one grey level per pixel (kept as mode "L").
_GREY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N", "F")


def cell_for(n: int) -> int:
    """The cell side for ``n`` thumbnails: 64 up to 20,000, 32 up to 200,000, else 16.

    Keeps the stack to a few hundred MB: 1M × 16 × 16 is 256 MB, 100k × 32 × 32 × 3 is 300 MB.
    """
    if n <= 20_000:
        return 64
    if n <= 200_000:
        return 32
    return 16


def fit_image(image: "Image.Image", cell: int) -> np.ndarray:
    """Fit one image into a ``cell``×``cell`` square, keeping its aspect ratio, centred.

    Images no more than half the cell are enlarged by a whole factor with nearest neighbour, so
    that each pixel stays a crisp square (an 8×8 digit becomes 64×64); larger than the cell, they
    are shrunk with LANCZOS; in between they keep their size. The margin is 0 (black).
    Transparent areas are composited onto black too, so a cell has a single background colour.
    16-bit grey levels (0–65535) are mapped onto 0–255, as :func:`pumap_core.data.read_image_zip`
    does.

    Parameters
    ----------
    image : PIL.Image.Image
    cell : int, the side of the square in pixels

    Returns
    -------
    ndarray of uint8, shape (cell, cell) for grey images, (cell, cell, 3) otherwise
    """
    from PIL import Image

    image = _plain(image)
    longest = max(image.size)
    if longest > cell:
        image = image.copy()
        image.thumbnail((cell, cell), Image.Resampling.LANCZOS)
    elif longest * 2 <= cell:
        factor = cell // longest
        image = image.resize((image.width * factor, image.height * factor),
                             Image.Resampling.NEAREST)
    pixels = np.asarray(image, dtype=np.uint8)
    out = np.zeros((cell, cell) + pixels.shape[2:], np.uint8)
    top, left = (cell - pixels.shape[0]) // 2, (cell - pixels.shape[1]) // 2
    out[top:top + pixels.shape[0], left:left + pixels.shape[1]] = pixels
    return out


def _plain(image: "Image.Image") -> "Image.Image":
    """The image as "L" (grey modes) or "RGB" (everything else), alpha composited on black."""
    from PIL import Image

    mode = image.mode
    if mode.startswith("I") or mode == "F":
        scale = 257.0 if mode.startswith("I") else 1.0  # 16-bit grey levels → 0..255
        pixels = np.asarray(image, dtype=np.float64) / scale
        return Image.fromarray(np.round(np.clip(pixels, 0, 255)).astype(np.uint8))
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode == "P" and "transparency" in image.info)
    target = "L" if mode in _GREY_MODES else "RGB"
    if has_alpha:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (0, 0, 0, 255)), rgba)
    return image if image.mode == target else image.convert(target)


class Thumbnails(Sequence[bytes]):
    """A stack of same-size thumbnails that reads like a list of PNG bytes.

    Parameters
    ----------
    pixels : ndarray of uint8, shape (n, cell, cell) or (n, cell, cell, 3)
        Grey (mode "L") or colour (mode "RGB") thumbnails, each fitted into its square cell.
        Kept as given (not copied), so a memory-mapped array stays on disk until read.

    Attributes
    ----------
    pixels : the array above
    cell : int, the side of a cell in pixels
    mode : {"L", "RGB"}

    Notes
    -----
    ``thumbs[i]`` is item ``i`` as PNG bytes (negative indices count from the end),
    ``thumbs[a:b]`` a list of them; both are encoded on demand. Use :meth:`take` for a smaller
    stack and :meth:`page_png` for atlas pages. Two stacks are equal when their pixels are.
    """

    def __init__(self, pixels: np.ndarray) -> None:
        if not isinstance(pixels, np.ndarray):
            raise InvalidDataError(f"Thumbnail pixels must be a NumPy array, not "
                                   f"{type(pixels).__name__}.")
        if pixels.dtype != np.uint8:
            raise InvalidDataError(f"Thumbnail pixels must be uint8 (0–255), not {pixels.dtype}.")
        colour = pixels.ndim == 4 and pixels.shape[3] == 3
        if not (pixels.ndim == 3 or colour) or pixels.shape[1] != pixels.shape[2]:
            raise InvalidDataError(f"Thumbnail pixels must have shape (n, cell, cell) or (n, cell, "
                                   f"cell, 3), not {pixels.shape}.")
        if pixels.shape[0] == 0 or pixels.shape[1] == 0:
            raise InvalidDataError(f"A thumbnail stack needs at least one non-empty image; got "
                                   f"shape {pixels.shape}.")
        self.pixels = pixels
        self.cell: int = int(pixels.shape[1])
        self.mode: ThumbnailMode = "RGB" if colour else "L"

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def from_images(cls, images: Iterable["Image.Image"], cell: int) -> "Thumbnails":
        """Fit every image into a ``cell``×``cell`` square (see :func:`fit_image`).

        The stack is grey ("L") when every image is grey ("1", "L", "I"...), else colour ("RGB",
        grey images repeated on the three channels).

        Raises
        ------
        InvalidDataError
            No images, or a cell side below 1.
        """
        if not isinstance(cell, (int, np.integer)) or cell < 1:
            raise InvalidDataError(f"The thumbnail cell must be a whole number of pixels ≥ 1, "
                                   f"not {cell!r}.")
        return cls.from_cells([fit_image(image, int(cell)) for image in images])

    @classmethod
    def from_pngs(cls, pngs: Sequence[bytes], cell: int) -> "Thumbnails":
        """Decode encoded images (PNG, JPEG...) and fit them as :meth:`from_images` does.

        Raises
        ------
        InvalidDataError
            An item cannot be decoded (its index is named), is larger than
            :data:`MAX_THUMBNAIL_PIXELS` (refused before decoding), or there is none.
        """
        from PIL import UnidentifiedImageError

        def decoded() -> Iterable["Image.Image"]:
            for i, png in enumerate(pngs):
                try:
                    image = open_header(png)
                    width, height = image.size
                    if width * height <= MAX_THUMBNAIL_PIXELS:
                        image.load()
                except (UnidentifiedImageError, OSError, ValueError, TypeError,
                        SyntaxError) as exc:  # PIL raises SyntaxError on some broken headers
                    raise InvalidDataError(f"Thumbnail {i} is not a readable image "
                                           f"({type(exc).__name__}).") from None
                if width * height > MAX_THUMBNAIL_PIXELS:
                    raise InvalidDataError(f"Thumbnail {i} is {width}×{height} pixels, far more "
                                           "than a thumbnail needs; it was not decoded.")
                yield image

        return cls.from_images(decoded(), cell)

    @classmethod
    def from_cells(cls, cells: Sequence[np.ndarray]) -> "Thumbnails":
        """Stack arrays made by :func:`fit_image` (all of one cell side); colour wins over grey.

        Raises
        ------
        InvalidDataError
            No cells, or cells of different sides.
        """
        if len(cells) == 0:
            raise InvalidDataError("There are no thumbnails to stack.")
        sides = {c.shape[:2] for c in cells}
        if len(sides) != 1:
            raise InvalidDataError(f"Thumbnails of different sizes cannot be stacked: "
                                   f"{sorted(sides)[:3]}.")
        if all(c.ndim == 2 for c in cells):
            return cls(np.stack(cells).astype(np.uint8, copy=False))
        stack = np.empty((len(cells), *sides.pop(), 3), np.uint8)
        for i, c in enumerate(cells):
            stack[i] = c[..., None] if c.ndim == 2 else c  # a grey image on all three channels
        return cls(stack)

    @classmethod
    def concat(cls, stacks: Sequence["Thumbnails"]) -> "Thumbnails":
        """The stacks one after the other, in the cell side :func:`cell_for` gives the total.

        A stack of another cell side is resized (LANCZOS) to the common cell; the result is
        colour when any stack is, grey thumbnails then repeated on the three channels.

        Raises
        ------
        InvalidDataError
            No stacks.
        """
        if len(stacks) == 0:
            raise InvalidDataError("There are no thumbnails to stack.")
        from PIL import Image

        cell = cell_for(sum(len(stack) for stack in stacks))
        colour = any(stack.mode == "RGB" for stack in stacks)

        def cells(stack: Thumbnails) -> np.ndarray:
            pixels = np.asarray(stack.pixels)
            if stack.cell != cell:
                pixels = np.stack([np.asarray(Image.fromarray(p).resize(
                    (cell, cell), Image.Resampling.LANCZOS)) for p in pixels])
            if colour and pixels.ndim == 3:
                pixels = np.repeat(pixels[..., None], 3, axis=3)
            return pixels

        return cls(np.concatenate([cells(stack) for stack in stacks]).astype(np.uint8,
                                                                              copy=False))

    def take(self, rows: Sequence[int] | np.ndarray | slice) -> "Thumbnails":
        """A new stack of the given items (a copy, in the order given)."""
        return Thumbnails(np.ascontiguousarray(self.pixels[rows]))

    # -- the Sequence[bytes] protocol -------------------------------------------------------
    def __len__(self) -> int:
        return int(self.pixels.shape[0])

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            return [self._png(i) for i in range(*index.indices(len(self)))]
        i = int(index)  # numpy integers too; TypeError for anything else, as a list does
        if not -len(self) <= i < len(self):
            raise IndexError(f"thumbnail index {i} out of range for {len(self)} items")
        return self._png(i % len(self))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Thumbnails):
            return NotImplemented
        return self.pixels.shape == other.pixels.shape and bool(
            np.array_equal(self.pixels, other.pixels))

    __hash__ = None  # type: ignore[assignment]  # equal by content, and the content can change

    def __repr__(self) -> str:
        return f"Thumbnails(n={len(self)}, cell={self.cell}, mode={self.mode!r})"

    def image(self, i: int) -> "Image.Image":
        """Item ``i`` as a PIL image of ``cell``×``cell`` pixels."""
        from PIL import Image

        return Image.fromarray(np.asarray(self.pixels[i]), self.mode)

    def _png(self, i: int) -> bytes:
        buf = io.BytesIO()
        self.image(i).save(buf, format="PNG", compress_level=6)
        return buf.getvalue()

    # -- atlas pages ------------------------------------------------------------------------
    @property
    def page_cols(self) -> int:
        """Cells per row (and at most rows) of one atlas page: ``PAGE_SIDE // cell``."""
        return max(1, PAGE_SIDE // self.cell)

    @property
    def per_page(self) -> int:
        """Items on a full page: ``page_cols ** 2``."""
        return self.page_cols ** 2

    @property
    def n_pages(self) -> int:
        """Number of atlas pages needed for every item."""
        return math.ceil(len(self) / self.per_page)

    def page_of(self, i: int) -> tuple[int, int, int]:
        """Where item ``i`` is drawn: ``(page, column, row)``, in cells."""
        i = int(i)
        if not 0 <= i < len(self):
            raise IndexError(f"thumbnail index {i} out of range for {len(self)} items")
        page, j = divmod(i, self.per_page)
        row, col = divmod(j, self.page_cols)
        return page, col, row

    def page_pixels(self, k: int) -> np.ndarray:
        """Page ``k`` as an array: uint8 of shape (rows·cell, page_cols·cell[, 3]).

        Items ``k·per_page`` to ``min(n, (k + 1)·per_page) - 1`` in row-major order; the last
        page has only the rows it needs, its unused cells are 0.
        """
        if not 0 <= k < self.n_pages:
            raise IndexError(f"atlas page {k} out of range for {self.n_pages} pages")
        cols, cell = self.page_cols, self.cell
        items = np.asarray(self.pixels[k * self.per_page:(k + 1) * self.per_page])
        rows = math.ceil(len(items) / cols)
        if len(items) < rows * cols:  # pad the last row with empty cells
            pad = np.zeros((rows * cols - len(items), *items.shape[1:]), np.uint8)
            items = np.concatenate([items, pad])
        grid = items.reshape(rows, cols, cell, cell, *items.shape[3:])
        # (row, col, y, x) → (row, y, col, x): one transpose lays out the whole page at once
        grid = grid.swapaxes(1, 2)
        return np.ascontiguousarray(grid).reshape(rows * cell, cols * cell, *items.shape[3:])

    def page_png(self, k: int, compress_level: int = 1) -> bytes:
        """Page ``k`` (see :meth:`page_pixels`) as PNG bytes, encoded for speed over size."""
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(self.page_pixels(k), self.mode).save(buf, format="PNG",
                                                             compress_level=compress_level)
        return buf.getvalue()

    # -- files ------------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the pixels to ``path`` as one ``.npy`` file (no pickle)."""
        with open(path, "wb") as f:  # a file object: np.save would add ".npy" to a bare name
            np.save(f, np.asarray(self.pixels), allow_pickle=False)

    @classmethod
    def load(cls, path: str | Path, mmap: bool = True, *, where: str | None = None
             ) -> "Thumbnails":
        """Read a stack written by :meth:`save`.

        Parameters
        ----------
        path : the ``.npy`` file
        mmap : bool
            Map the file instead of reading it: a million thumbnails then cost no memory
            until they are drawn.
        where : str, optional
            Names the file's place in messages (``"run 2026..."``); default its folder.

        Raises
        ------
        ModelFileError
            The file is missing, damaged or does not hold a thumbnail stack.
        """
        path = Path(path)
        place = where if where is not None else f"folder {path.parent.name or path.parent}"
        try:
            with open(path, "rb") as f:
                if f.read(6) != b"\x93NUMPY":  # else np.load would try (and refuse) a pickle
                    raise ValueError("not a .npy file")
            pixels = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
            if not isinstance(pixels, np.ndarray):
                raise ValueError("not a single array")
            return cls(pixels)
        except InvalidDataError as exc:
            raise ModelFileError(f"{path.name} in {place} is not a thumbnail stack "
                                 f"({exc.user_message.rstrip('.')}).") from None
        except (OSError, ValueError, EOFError) as exc:  # bad header, truncated data, pickles
            # numpy's first sentence says enough ("mmap length is greater than file size")
            reason = one_line(str(exc).replace(str(path), path.name)).split(". ")[0]
            raise ModelFileError(f"{path.name} in {place} is damaged "
                                 f"({reason.rstrip('.') or type(exc).__name__}).") from None


def open_header(raw: bytes) -> "Image.Image":
    """The image, opened lazily: PIL reads its size from the header and decodes nothing yet.

    PIL's DecompressionBombWarning (over 89 MP) is silenced: our own limits, lower, refuse those
    images just after (past twice PIL's limit, ``Image.open`` raises DecompressionBombError).
    """
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(raw))
