"""read_image_zip: folder labels, sizes, colour modes, 16-bit and corrupt images."""

import io

import numpy as np
from files import image_bytes, zip_bytes
from PIL import Image

from pumap_core.data import load_upload, read_image_zip

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

