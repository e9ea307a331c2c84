"""read_image_zip: folder labels, sizes, colour modes, 16-bit and corrupt images."""

import io
import struct
import warnings
import zipfile
import zlib

import numpy as np
import pytest
from files import image_bytes, zip_bytes
from PIL import Image, ImageFile

from pumap_core.data import load_upload, read_image_zip
from pumap_core.data.images import MAX_IMAGE_PIXELS, MAX_TOTAL_PIXELS
from pumap_core.errors import InvalidDataError, one_line

# --------------------------------------------------------------------------- helpers


def png_size(png):
    return Image.open(io.BytesIO(png)).size


PETS = {f"pets/{cls}/{i}.png": image_bytes("RGB", (20, 16), (40 * i, 100, 0))
        for cls in ("cat", "dog") for i in range(3)}


# --------------------------------------------------------------------------- image zips


def test_image_zip_with_subfolder_labels():
    files = dict(PETS, **{"__MACOSX/pets/cat/._0.png": b"junk", "pets/.DS_Store": b"junk",
                          "pets/readme.txt": b"hello"})
    ds = load_upload(zip_bytes(files), "pets.zip")
    assert ds.kind == "images" and ds.X.shape == (6, 28 * 28) and ds.image_shape == (28, 28)
    assert ds.X.dtype == np.float32 and 0 <= ds.X.min() and ds.X.max() <= 1
    assert ds.labels.tolist() == ["cat"] * 3 + ["dog"] * 3 and ds.label_name == "label"
    assert ds.table["file"].tolist() == sorted(PETS) and ds.table["label"].tolist()[0] == "cat"
    assert (ds.table["width"].iloc[0], ds.table["height"].iloc[0]) == (20, 16)
    assert len(ds.thumbnails) == 6 and max(png_size(ds.thumbnails[0])) <= 64
    assert any("non-image" in n for n in ds.notes)
    assert ds.class_counts() == {"cat": 3, "dog": 3}


def test_top_level_images_have_no_labels_and_size_is_height_width():
    files = {f"{i}.png": image_bytes("L", (30, 30), 60 * i) for i in range(4)}
    ds = read_image_zip(zip_bytes(files), name="flat.zip", size=(10, 20))
    assert ds.labels is None and "label" not in ds.table and ds.image_shape == (10, 20)
    np.testing.assert_allclose(ds.X[1], 60 / 255, atol=1e-6)
    # 30 px enlarged ×2 with nearest neighbour, centred in the 64 px cell with a black margin
    assert ds.thumbnails.cell == 64 and png_size(ds.thumbnails[0]) == (64, 64)
    cell = ds.thumbnails.pixels[1]
    assert (cell[2:62, 2:62] == 60).all() and cell[:2].max() == cell[62:].max() == 0


def test_mixed_modes_are_converted_with_a_note():
    files = {"m/rgb.png": image_bytes("RGB"), "m/grey.png": image_bytes("L"),
             "m/pal.gif": image_bytes("P", fmt="GIF"), "m/alpha.png": image_bytes("RGBA"),
             "m/photo.jpg": image_bytes("RGB", fmt="JPEG"), "m/bw.bmp": image_bytes("1", fmt="BMP"),
             "m/w.webp": image_bytes("RGB", fmt="WEBP"), "m/t.tiff": image_bytes("L", fmt="TIFF")}
    grey = read_image_zip(zip_bytes(files), name="mixed.zip", mode="L")
    assert grey.X.shape == (8, 784)
    note = next(n for n in grey.notes if n.startswith("converted"))
    assert "to L" in note and "RGB: 3" in note and "RGBA: 1" in note
    colour = read_image_zip(zip_bytes(files), name="mixed.zip", mode="RGB", size=(8, 8))
    assert colour.X.shape == (8, 8 * 8 * 3) and colour.image_shape == (8, 8, 3)
    assert colour.feature_names[:3] == ["px_0_0_R", "px_0_0_G", "px_0_0_B"]
    alpha = colour.X[colour.table["file"].tolist().index("m/alpha.png")].reshape(8, 8, 3)
    assert alpha[0, 0, 0] > 0.45  # half-transparent blue over white, not over black


def test_sixteen_bit_images_are_rescaled_not_clipped():
    files = {}
    for i, value in enumerate((0, 32896, 65535)):
        buf = io.BytesIO()
        Image.fromarray(np.full((6, 6), value, np.uint16)).save(buf, format="PNG")
        files[f"{i}.png"] = buf.getvalue()
    ds = read_image_zip(zip_bytes(files), name="deep.zip", size=(4, 4))
    np.testing.assert_allclose(ds.X[:, 0], [0.0, 128 / 255, 1.0], atol=1e-6)


def test_corrupt_image_is_skipped_with_a_note():
    files = dict(PETS, **{"pets/dog/broken.png": image_bytes()[:40]})
    ds = load_upload(zip_bytes(files), "pets.zip")
    assert ds.X.shape[0] == 6
    assert "skipped 1 unreadable image: pets/dog/broken.png" in ds.notes



# --------------------------------------------------------------------------- size limits (issue 12)


def png_claiming(width, height):
    """A tiny PNG whose header claims ``width`` × ``height``: PIL reads the size, and would
    only find out the pixels are missing when decoding them."""
    raw = image_bytes("L", (4, 4))
    chunk = b"IHDR" + struct.pack(">II", width, height) + raw[24:29]
    return raw[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + raw[33:]


@pytest.fixture
def decoded(monkeypatch):
    """The sizes of the images whose pixels were decoded (Pillow's ``load``)."""
    sizes = []
    load = ImageFile.ImageFile.load

    def spy(self):
        if self.tile:  # pixels still to decode (later calls on a loaded image do nothing)
            sizes.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return sizes


def deflated_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, content in files.items():
            zf.writestr(path, content)
    return buf.getvalue()


def test_an_image_too_large_unpacked_is_named_as_too_large():
    """Regression: an image over the size limit was reported as "unreadable"."""
    huge = image_bytes() + b"\0" * (2 << 20)  # 2 MB unpacked, a few KB in the zip
    data = deflated_zip(dict(PETS, **{"pets/dog/huge.png": huge}))
    ds = read_image_zip(data, name="pets.zip", max_bytes=100_000)
    assert ds.X.shape[0] == 6
    assert ("skipped pets/dog/huge.png: 2.0 MB unpacked, more than the limit of 97.7 KB per image"
            in ds.notes)
    assert not any("unreadable" in n for n in ds.notes)
    with pytest.raises(InvalidDataError) as err:
        read_image_zip(deflated_zip({"a/huge.png": huge}), name="one.zip", max_bytes=100_000)
    assert one_line(err.value) == (
        "None of the 1 image(s) in one.zip can be used (1 too large): e.g. a/huge.png is 2.0 MB "
        "unpacked, more than the limit of 97.7 KB per image; make the images smaller and upload "
        "the zip again.")


def test_a_12000_pixel_square_png_is_refused_before_decoding(decoded):
    """Regression: a 12000×12000 PNG was fully decoded (about 270 MB) before anything objected;
    PIL's DecompressionBombWarning (it is over 89 megapixels) must not escape either."""
    files = dict(PETS, **{"pets/cat/big.png": png_claiming(12000, 12000)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = read_image_zip(zip_bytes(files), name="pets.zip")
    assert ds.X.shape[0] == 6 and "pets/cat/big.png" not in ds.table["file"].tolist()
    assert ("skipped pets/cat/big.png: 12000×12000 pixels (144.0 megapixels), more than the "
            "limit of 40.0 megapixels per image") in ds.notes
    assert (12000, 12000) not in decoded and len(decoded) == 6


def test_an_image_pil_refuses_as_a_bomb_is_reported_as_too_large(decoded):
    """Past twice its own limit, PIL raises DecompressionBombError while opening."""
    with pytest.raises(InvalidDataError) as err:
        read_image_zip(zip_bytes({"x/bomb.png": png_claiming(20000, 20000)}), name="b.zip")
    message = one_line(err.value)
    assert message.startswith("None of the 1 image(s) in b.zip can be used (1 too large): e.g. "
                              "x/bomb.png is more than 179.0 megapixels, far more than the "
                              "limit of 40.0 megapixels per image")
    assert "DecompressionBomb" not in message and not decoded


def test_the_pixel_limit_per_image_applies_to_real_images():
    files = dict(PETS, **{"pets/dog/wide.png": image_bytes("L", (40, 30))})
    ds = read_image_zip(zip_bytes(files), name="pets.zip", max_image_pixels=1000)
    assert ds.X.shape[0] == 6
    assert ("skipped pets/dog/wide.png: 40×30 pixels (1,200 pixels), more than the limit of "
            "1,000 pixels per image") in ds.notes


def test_many_skipped_images_are_counted_after_the_first_five():
    files = {f"big/{i}.png": png_claiming(9000, 9000) for i in range(8)}
    ds = read_image_zip(zip_bytes(dict(PETS, **files)), name="pets.zip")
    skipped = [n for n in ds.notes if n.startswith("skipped")]
    assert len(skipped) == 6 and skipped[-1] == "skipped 3 more image(s) over the size limits"


def test_the_pixels_of_the_whole_zip_are_capped_before_decoding(decoded):
    """Thousands of medium images must not keep the server decoding: the zip is refused as soon
    as its images add up to more than the limit, before the image that crosses it is decoded."""
    with pytest.raises(InvalidDataError) as err:
        read_image_zip(zip_bytes(PETS), name="pets.zip", max_total_pixels=1000)
    assert one_line(err.value) == (
        "The images in pets.zip add up to more than 1,000 pixels, the limit for one upload "
        "(reached at pets/dog/0.png, image 4 of 6); make the images smaller or upload fewer.")
    assert len(decoded) == 3


def test_the_default_limits_are_documented_constants():
    assert MAX_IMAGE_PIXELS == 40_000_000 and MAX_TOTAL_PIXELS == 4_000_000_000
