"""The thumbnail stack: list-of-PNG behaviour, fitting images into cells, atlas pages, .npy files."""

import io
import math

import numpy as np
import pytest
from PIL import Image

from pumap_core.errors import InvalidDataError, ModelFileError
from pumap_core.thumbnails import PAGE_SIDE, Thumbnails, cell_for, fit_image

from files import image_bytes


def decode(png):
    image = Image.open(io.BytesIO(png))
    return image.mode, np.asarray(image)


def numbered(n, cell, colour=False):
    """A stack whose item i is filled with a value derived from i (and a marked corner)."""
    rng = np.random.default_rng(n)
    shape = (n, cell, cell, 3) if colour else (n, cell, cell)
    pixels = rng.integers(0, 256, shape, dtype=np.uint8)
    pixels[:, 0, 0] = (np.arange(n) % 251)[:, None] if colour else np.arange(n) % 251
    return pixels


# --------------------------------------------------------------------------- the stack


@pytest.mark.parametrize("colour", [False, True])
def test_items_are_pngs_of_their_pixels(colour):
    pixels = numbered(7, 16, colour)
    thumbs = Thumbnails(pixels)
    assert len(thumbs) == 7 and thumbs.cell == 16 and thumbs.mode == ("RGB" if colour else "L")
    for i in (0, 3, 6):
        mode, array = decode(thumbs[i])
        assert mode == thumbs.mode
        np.testing.assert_array_equal(array, pixels[i])
    np.testing.assert_array_equal(decode(thumbs[-1])[1], pixels[6])
    np.testing.assert_array_equal(decode(thumbs[np.int64(2)])[1], pixels[2])
    with pytest.raises(IndexError):
        thumbs[7]
    with pytest.raises(IndexError):
        thumbs[-8]


def test_slices_iteration_and_truthiness_work_like_a_list_of_pngs():
    pixels = numbered(5, 8)
    thumbs = Thumbnails(pixels)
    part = thumbs[1:4]
    assert isinstance(part, list) and len(part) == 3 and all(isinstance(p, bytes) for p in part)
    np.testing.assert_array_equal(decode(part[0])[1], pixels[1])
    assert thumbs[10:] == [] and len(thumbs[::2]) == 3
    assert [decode(p)[1][0, 0] for p in thumbs] == list(range(5))
    assert bool(thumbs)


def test_take_equality_and_repr():
    thumbs = Thumbnails(numbered(6, 8))
    small = thumbs.take([4, 1])
    np.testing.assert_array_equal(small.pixels, thumbs.pixels[[4, 1]])
    assert thumbs.take(slice(0, 6)) == thumbs and small != thumbs
    assert thumbs != [thumbs[i] for i in range(6)]  # a list of PNGs is not a stack
    assert repr(thumbs) == "Thumbnails(n=6, cell=8, mode='L')"


@pytest.mark.parametrize("pixels, words", [
    ([[[0]]], "NumPy array"),
    (np.zeros((2, 8, 8), np.float32), "uint8"),
    (np.zeros((2, 8, 6), np.uint8), "shape"),
    (np.zeros((2, 8, 8, 4), np.uint8), "shape"),
    (np.zeros((8, 8), np.uint8), "shape"),
    (np.zeros((0, 8, 8), np.uint8), "at least one"),
])
def test_bad_pixels_are_refused_with_one_line(pixels, words):
    with pytest.raises(InvalidDataError) as err:
        Thumbnails(pixels)
    assert words in err.value.user_message and "\n" not in err.value.user_message


@pytest.mark.parametrize("n, cell", [(1, 64), (20_000, 64), (20_001, 32), (200_000, 32),
                                     (200_001, 16), (1_000_000, 16)])
def test_cell_for(n, cell):
    assert cell_for(n) == cell

# --------------------------------------------------------------------------- fitting images


def test_small_images_are_enlarged_crisply_and_centred():
    digit = np.arange(64, dtype=np.uint8).reshape(8, 8) * 4
    cell = fit_image(Image.fromarray(digit), 64)
    assert cell.shape == (64, 64)
    np.testing.assert_array_equal(cell, digit.repeat(8, 0).repeat(8, 1))  # ×8, nearest
    wide = fit_image(Image.new("L", (10, 5), 200), 64)  # ×6 → 60×30, centred
    rows, cols = np.nonzero(wide)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (17, 46, 2, 61)


def test_large_images_are_shrunk_keeping_their_aspect_ratio():
    photo = Image.new("RGB", (200, 100), (255, 0, 0))
    cell = fit_image(photo, 32)
    assert cell.shape == (32, 32, 3)
    rows, cols = np.nonzero(cell[..., 0] > 128)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (8, 23, 0, 31)
    assert cell[0].max() == 0 and cell[..., 1].max() == 0


def test_middle_sized_images_keep_their_size():
    cell = fit_image(Image.new("L", (20, 20), 90), 32)  # more than half, less than the cell
    assert (cell == 90).sum() == 400 and cell[6:26, 6:26].min() == 90


def test_modes_alpha_and_16_bit_grey():
    assert fit_image(Image.new("1", (4, 4), 1), 16).max() == 255
    deep = Image.fromarray(np.full((4, 4), 65535, np.int32), mode="I")
    assert fit_image(deep, 8).max() == 255  # 16-bit white stays white, not clipped garbage
    clear = fit_image(Image.new("RGBA", (4, 4), (255, 255, 255, 0)), 8)
    assert clear.shape == (8, 8, 3) and clear.max() == 0  # transparent → black, like padding
    assert fit_image(Image.new("LA", (4, 4), (200, 255)), 8).shape == (8, 8)


def test_from_images_is_grey_unless_one_is_colour():
    grey = Thumbnails.from_images([Image.new("L", (8, 8), 10), Image.new("1", (8, 8), 1)], 16)
    assert grey.mode == "L" and grey.pixels.shape == (2, 16, 16)
    mixed = Thumbnails.from_images([Image.new("L", (8, 8), 10),
                                    Image.new("RGB", (8, 8), (1, 2, 3))], 16)
    assert mixed.mode == "RGB" and mixed.pixels.shape == (2, 16, 16, 3)
    assert mixed.pixels[0].max() == 10 and (mixed.pixels[0] == 10).all(axis=2).any()
    assert tuple(mixed.pixels[1, 8, 8]) == (1, 2, 3)


def test_concat_resizes_to_one_cell_and_turns_grey_into_colour():
    grey, colour = Thumbnails(numbered(3, 64)), Thumbnails(numbered(2, 32, colour=True))
    both = Thumbnails.concat([grey, colour])
    assert len(both) == 5 and both.cell == cell_for(5) == 64 and both.mode == "RGB"
    np.testing.assert_array_equal(both.pixels[:3], np.repeat(grey.pixels[..., None], 3, axis=3))
    assert Thumbnails.concat([grey, grey]) == Thumbnails(np.concatenate([grey.pixels] * 2))
    with pytest.raises(InvalidDataError):
        Thumbnails.concat([])


def test_from_pngs_and_its_errors():
    thumbs = Thumbnails.from_pngs([image_bytes("L", (30, 30), 60), image_bytes("L", (4, 4))], 64)
    assert thumbs.cell == 64 and thumbs.pixels[0, 2:62, 2:62].min() == 60
    with pytest.raises(InvalidDataError) as err:
        Thumbnails.from_pngs([image_bytes("L"), b"not an image"], 16)
    assert "Thumbnail 1" in err.value.user_message
    with pytest.raises(InvalidDataError):
        Thumbnails.from_pngs([], 16)
    with pytest.raises(InvalidDataError):
        Thumbnails.from_images([Image.new("L", (4, 4))], 0)


def test_a_huge_thumbnail_is_refused_before_it_is_decoded(monkeypatch):
    """A hostile run zip's 12000×12000 PNG (a few kB, 430 MB decoded) is refused by its header."""
    huge = image_bytes("L", (12000, 12000))
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or None)
    with pytest.raises(InvalidDataError, match="12000×12000 pixels") as err:
        Thumbnails.from_pngs([image_bytes("L", (30, 30)), huge], 64)
    assert "Thumbnail 1" in err.value.user_message
    assert decoded and all(image.size != (12000, 12000) for image in decoded)

# --------------------------------------------------------------------------- atlas pages


@pytest.mark.parametrize("cell, colour", [(16, False), (64, True)])
def test_page_layout_puts_each_item_at_its_place(cell, colour):
    cols = PAGE_SIDE // cell
    n = cols * cols + 2 * cols + 3  # one full page, then 2 full rows and 3 items
    thumbs = Thumbnails(numbered(n, cell, colour))
    assert (thumbs.page_cols, thumbs.per_page, thumbs.n_pages) == (cols, cols * cols, 2)
    first = decode(thumbs.page_png(0))
    assert first[0] == thumbs.mode and first[1].shape[:2] == (PAGE_SIDE, PAGE_SIDE)
    last = decode(thumbs.page_png(1))[1]
    assert last.shape[:2] == (3 * cell, cols * cell)  # only the rows it needs
    for i in (0, 1, cols - 1, cols, cols * cols - 1, cols * cols, n - 1):
        k, col, row = thumbs.page_of(i)
        assert k == i // (cols * cols)
        page = first[1] if k == 0 else last
        found = page[row * cell:(row + 1) * cell, col * cell:(col + 1) * cell]
        np.testing.assert_array_equal(found, thumbs.pixels[i])
    assert last[2 * cell:, 3 * cell:].max() == 0  # unused cells are empty
    with pytest.raises(IndexError):
        thumbs.page_png(2)
    with pytest.raises(IndexError):
        thumbs.page_of(n)


def test_page_of_row_major():
    thumbs = Thumbnails(np.zeros((300_000, 16, 16), np.uint8))
    assert thumbs.n_pages == math.ceil(300_000 / 128 ** 2) == 19
    assert thumbs.page_of(0) == (0, 0, 0)
    assert thumbs.page_of(130) == (0, 2, 1)
    assert thumbs.page_of(128 ** 2 + 5) == (1, 5, 0)
    assert thumbs.page_pixels(18).shape == ((300_000 - 18 * 128 ** 2 + 127) // 128 * 16, 2048)

# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("mmap", [True, False])
def test_save_and_load_round_trip(tmp_path, mmap):
    thumbs = Thumbnails(numbered(50, 16, colour=True))
    thumbs.save(tmp_path / "thumbnails.npy")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thumbnails.npy"]
    again = Thumbnails.load(tmp_path / "thumbnails.npy", mmap=mmap)
    assert again == thumbs and again.mode == "RGB"
    assert isinstance(again.pixels, np.memmap) is mmap
    np.testing.assert_array_equal(decode(again[49])[1], thumbs.pixels[49])


def _npy(array, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


GOOD = _npy(np.zeros((100, 16, 16), np.uint8))
BAD_FILES = {
    "garbage": (b"garbage", "not a .npy file"),
    "empty": (b"", "not a .npy file"),
    "truncated": (GOOD[:1000], "damaged"),
    "header only": (GOOD[:60], "damaged"),
    "wrong shape": (_npy(np.zeros((3, 4, 5), np.uint8)), "not a thumbnail stack"),
    "floats": (_npy(np.zeros((3, 4, 4))), "uint8"),
    "pickled objects": (_npy(np.array([{"a": 1}], dtype=object), allow_pickle=True), "damaged"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
@pytest.mark.parametrize("mmap", [True, False])
def test_bad_files_raise_one_line_model_file_errors(tmp_path, case, mmap):
    content, words = BAD_FILES[case]
    path = tmp_path / "thumbnails.npy"
    path.write_bytes(content)
    with pytest.raises(ModelFileError) as err:
        Thumbnails.load(path, mmap=mmap, where="run r1")
    message = err.value.user_message
    assert message.startswith("thumbnails.npy in run r1") and words in message, message
    assert "\n" not in message and str(tmp_path) not in message and len(message) < 250
    with pytest.raises(ModelFileError):
        Thumbnails.load(tmp_path / "missing.npy")
