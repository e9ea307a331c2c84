"""The ingest layer: demos, tables, image zips, and one clear PumapError per malformed upload."""

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from pumap_core.data import (DEMOS, MAX_UPLOAD_BYTES, Dataset, load_demo, load_upload,
                             prepare_table, read_image_zip, read_table)
from pumap_core.errors import DataTypeError, InvalidDataError, InvalidParameterError, PumapError

from files import image_bytes, zip_bytes

# --------------------------------------------------------------------------- helpers


def png_size(png):
    return Image.open(io.BytesIO(png)).size


CSV = "a,b,flag,species\n1.0,10,true,setosa\n2.0,20,false,setosa\n3.0,30,true,virginica\n" \
      "4.0,40,false,virginica\n"
FRAME = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [5, 3, 1, 2, 4],
                      "color": ["red", "blue", "red", "green", "blue"],
                      "label": ["a", "a", "b", "b", "b"]})
PETS = {f"pets/{cls}/{i}.png": image_bytes("RGB", (20, 16), (40 * i, 100, 0))
        for cls in ("cat", "dog") for i in range(3)}

# --------------------------------------------------------------------------- demos


@pytest.mark.parametrize("name,shape,kind,image_shape", [
    ("digits", (1797, 64), "images", (8, 8)),
    ("wine", (178, 13), "table", None),
    ("iris", (150, 4), "table", None),
])
def test_every_demo_loads_with_its_shape(name, shape, kind, image_shape):
    ds = load_demo(name)
    assert set(DEMOS) == {"digits", "wine", "iris"}
    assert isinstance(ds, Dataset) and ds.name == name and ds.kind == kind
    assert ds.X.shape == shape and ds.X.dtype == np.float32 and np.isfinite(ds.X).all()
    assert len(ds.table) == len(ds.labels) == shape[0] and len(ds.feature_names) == shape[1]
    assert ds.image_shape == image_shape
    counts = ds.class_counts()
    assert ds.n_items == shape[0] and ds.n_features == shape[1]
    assert sum(counts.values()) == shape[0]
    if kind == "images":
        assert ds.X.min() == 0.0 and ds.X.max() == 1.0
        assert len(ds.thumbnails) == shape[0] and png_size(ds.thumbnails[0]) == (64, 64)
        assert counts[0] == 178 and ds.labels.dtype == np.int64
    else:
        assert ds.labels.dtype.kind == "U" and len(counts) == 3
        np.testing.assert_allclose(ds.X.mean(axis=0), 0, atol=1e-5)


def test_default_demo_is_digits():
    assert load_demo().name == "digits"


def test_head_keeps_the_first_items_of_every_part():
    ds = load_demo("digits")
    head = ds.head(7)
    assert head.n_items == 7 and len(head.table) == 7 and len(head.thumbnails) == 7
    np.testing.assert_array_equal(head.labels, ds.labels[:7])
    np.testing.assert_array_equal(head.thumbnails.pixels, ds.thumbnails.take(slice(0, 7)).pixels)
    assert load_demo("wine").head(3).thumbnails is None

# --------------------------------------------------------------------------- reading tables


@pytest.mark.parametrize("filename,text", [
    ("comma.csv", CSV),
    ("tab.tsv", CSV.replace(",", "\t")),
    ("semicolon.csv", CSV.replace(",", ";")),
    ("pipe.txt", CSV.replace(",", "|")),
    ("tab_named.csv", CSV.replace(",", "\t")),
])
def test_delimiter_is_sniffed(filename, text):
    df = read_table(text.encode(), filename)
    assert list(df.columns) == ["a", "b", "flag", "species"] and len(df) == 4


def test_semicolon_csv_with_decimal_commas_reads_numbers():
    text = "x;y;name\n1,5;2,25;a\n2,5;3,0;b\n3,5;4,75;c\n"
    ds = load_upload(text.encode(), "eu.csv", scaling="none")
    np.testing.assert_allclose(ds.X, [[1.5, 2.25], [2.5, 3.0], [3.5, 4.75]])
    assert any("decimal commas" in n for n in ds.notes)


def test_quoted_fields_keep_their_commas():
    text = 'a,b,name\n1,2,"Smith, John"\n3,4,"Doe, Jane"\n5,6,"Roe, R"\n'
    df = read_table(text.encode(), "q.csv")
    assert df["name"].tolist() == ["Smith, John", "Doe, Jane", "Roe, R"]


def test_cp1252_text_loads_with_a_note():
    text = "h\u00f6he,gewicht,stadt\n1,2,M\u00fcnchen\n3,4,K\u00f6ln\n5,6,Z\u00fcrich \u20ac\n"
    df = read_table(text.encode("cp1252"), "de.csv")
    assert list(df.columns) == ["h\u00f6he", "gewicht", "stadt"]
    assert df["stadt"].iloc[0] == "M\u00fcnchen" and df["stadt"].iloc[2].endswith("\u20ac")
    assert "Windows-1252" in df.attrs["pumap_notes"][0]
    ds = prepare_table(df, name="de.csv", label_column="stadt")
    assert "Windows-1252" in ds.notes[0] and ds.labels[1] == "K\u00f6ln"


def test_utf8_bom_and_utf16_are_decoded():
    assert list(read_table(b"\xef\xbb\xbf" + CSV.encode(), "bom.csv").columns)[0] == "a"
    assert len(read_table(CSV.encode("utf-16"), "wide.csv")) == 4


def test_headerless_numbers_and_whitespace_txt():
    buf = io.BytesIO()
    np.savetxt(buf, np.arange(12.0).reshape(4, 3))
    df = read_table(buf.getvalue(), "saved.txt")
    assert df.shape == (4, 3) and list(df.columns) == ["col_1", "col_2", "col_3"]
    assert any("looks like data" in n for n in df.attrs["pumap_notes"])


def test_parquet_round_trip():
    buf = io.BytesIO()
    FRAME.to_parquet(buf)
    df = read_table(buf.getvalue(), "f.parquet")
    pd.testing.assert_frame_equal(df, FRAME)
    ds = load_upload(buf.getvalue(), "f.parquet", label_column="label")
    assert ds.X.shape == (5, 2) and ds.feature_names == ["x", "y"]


def test_excel_round_trip_reads_first_sheet_with_note():
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        FRAME.to_excel(writer, sheet_name="data", index=False)
        FRAME.head(2).to_excel(writer, sheet_name="other", index=False)
    df = read_table(buf.getvalue(), "book.xlsx")
    pd.testing.assert_frame_equal(df, FRAME, check_dtype=False)  # Excel stores 1.0 as 1
    assert "first sheet 'data' of 2" in df.attrs["pumap_notes"][0]

# --------------------------------------------------------------------------- preparing tables


def test_default_features_are_numeric_and_bool_columns_except_label():
    ds = load_upload(CSV.encode(), "c.csv", label_column="species")
    assert ds.feature_names == ["a", "b", "flag"] and ds.label_name == "species"
    assert ds.labels.tolist() == ["setosa", "setosa", "virginica", "virginica"]
    assert ds.table.shape == (4, 4) and ds.kind == "table" and ds.thumbnails is None


@pytest.mark.parametrize("scaling", ["standardize", "minmax", "none"])
def test_scaling_modes(scaling):
    df = FRAME.assign(const=7.0)
    ds = prepare_table(df, name="f", scaling=scaling)
    assert ds.feature_names == ["x", "y", "const"] and np.isfinite(ds.X).all()
    assert np.all(ds.X[:, 2] == (7.0 if scaling == "none" else 0.0))  # no 0/0 on constants
    assert any("'const'" in n and "constant" in n for n in ds.notes)
    if scaling == "standardize":
        np.testing.assert_allclose(ds.X[:, :2].mean(axis=0), 0, atol=1e-6)
        np.testing.assert_allclose(ds.X[:, :2].std(axis=0), 1, atol=1e-6)
    elif scaling == "minmax":
        assert ds.X[:, :2].min() == 0 and ds.X[:, :2].max() == 1
    else:
        np.testing.assert_array_equal(ds.X[:, :2], FRAME[["x", "y"]].to_numpy(np.float32))


def test_onehot_versus_exclude():
    onehot = prepare_table(FRAME, name="f", feature_columns=["x", "color"], scaling="none")
    assert onehot.feature_names == ["x", "color=blue", "color=green", "color=red"]
    np.testing.assert_array_equal(onehot.X[0], [1, 0, 0, 1])
    assert "one-hot encoded 'color' (3 columns)" in onehot.notes
    excluded = prepare_table(FRAME, name="f", feature_columns=["x", "color"],
                             categorical="exclude")
    assert excluded.feature_names == ["x"] and any("excluded" in n for n in excluded.notes)


def test_text_columns_are_not_default_features_and_say_so():
    ds = prepare_table(FRAME, name="f", label_column="label")
    assert ds.feature_names == ["x", "y"]
    assert any("not used as features" in n and "'color'" in n for n in ds.notes)


def test_missing_values_drop_versus_impute():
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0, 4.0, 5.0, np.inf, 6.0],
                       "c": ["u", "v", None, "u", "u", "v", "v"],
                       "label": [1, 2, 3, None, 5, 6, 7]})
    dropped = prepare_table(df, name="m", feature_columns=["x", "c"], label_column="label",
                            missing="drop", scaling="none")
    assert dropped.X.shape == (3, 3) and dropped.labels.tolist() == [1, 5, 7]
    assert dropped.table["x"].tolist() == [1.0, 5.0, 6.0]
    assert any(n.startswith("dropped 4 row(s) with missing values") for n in dropped.notes)
    imputed = prepare_table(df, name="m", feature_columns=["x", "c"], label_column="label",
                            missing="impute", scaling="none")
    assert imputed.X.shape == (7, 3)
    assert imputed.X[1, 0] == imputed.X[5, 0] == 4.0  # median of 1, 3, 4, 5, 6
    assert imputed.feature_names == ["x", "c=u", "c=v"] and imputed.X[2, 1] == 1  # mode "u"
    assert any(n.startswith("imputed 3 missing value(s)") for n in imputed.notes)
    assert imputed.labels.tolist() == ["1", "2", "3", "(missing)", "5", "6", "7"]


def test_question_marks_in_numbers_and_saved_index():
    text = "Unnamed: 0,a,b\n0,1,?\n1,2,5\n2,3,6\n3,4,7\n4,5,8\n"
    df = read_table(text.encode(), "uci.csv")
    ds = prepare_table(df, name="uci.csv", missing="impute")
    assert ds.feature_names == ["a", "b"]
    assert any("saved row index" in n for n in ds.notes)
    assert any("'b' as numbers; 1 non-numeric" in n for n in ds.notes)


def test_bool_columns_are_numeric_even_with_gaps():
    ds = load_upload(b"a,flag\n1,true\n2,\n3,false\n4,True\n", "b.csv", missing="impute",
                     scaling="none")
    assert ds.feature_names == ["a", "flag"] and ds.X[:, 1].tolist() == [1, 1, 0, 1]


def test_integral_float_labels_become_int():
    ds = prepare_table(FRAME.assign(k=[1.0, 2.0, 1.0, 2.0, 1.0]), name="f", label_column="k")
    assert ds.labels.dtype == np.int64 and ds.class_counts() == {1: 3, 2: 2}

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

# --------------------------------------------------------------------------- malformed uploads

XLSX = io.BytesIO()
FRAME.to_excel(XLSX, index=False)
BAD_UPLOADS = [
    ("empty csv", b"", "data.csv", {}, InvalidDataError, r"data.csv is empty \(0 bytes\)"),
    ("empty zip", b"", "imgs.zip", {}, InvalidDataError, "imgs.zip is empty"),
    ("unsupported", image_bytes(), "photo.png", {}, InvalidDataError,
     r"\.png file, which is not supported.*\.csv, \.tsv.*\.zip"),
    ("no extension", CSV.encode(), "data", {}, InvalidDataError, "without extension"),
    ("not a zip", b"this is text", "imgs.zip", {}, InvalidDataError, "not a valid zip archive"),
    ("zip without images", zip_bytes({"a/readme.txt": b"hi", "__MACOSX/a/x.png": b"x"}),
     "imgs.zip", {}, InvalidDataError, "contains no images"),
    ("only corrupt images", zip_bytes({"a/x.png": b"nope", "a/y.jpg": b"nope"}), "imgs.zip", {},
     InvalidDataError, r"None of the 2 image\(s\) in imgs.zip could be read"),
    ("two images", zip_bytes({"a.png": image_bytes(), "b.png": image_bytes()}), "imgs.zip", {},
     InvalidDataError, "at least 3"),
    ("too many images", zip_bytes(PETS), "imgs.zip", {"max_images": 5}, InvalidDataError,
     "holds 6 images, more than the limit of 5"),
    ("bad image mode", zip_bytes(PETS), "imgs.zip", {"mode": "CMYK"}, InvalidParameterError,
     "mode must be"),
    ("no numeric column", b"name,city\nann,paris\nbob,rome\ncid,oslo\n", "t.csv", {},
     DataTypeError, r"no numeric column.*'name', 'city'"),
    ("one row", b"a,b\n1,2\n", "t.csv", {}, InvalidDataError, r"1 row\(s\); at least 3 rows"),
    ("header only", b"a,b\n", "t.csv", {}, InvalidDataError, "no rows of data"),
    ("blank lines", b"\n  \n\n", "t.csv", {}, InvalidDataError, "only blank lines"),
    ("too large", CSV.encode(), "big.csv", {"max_bytes": 100}, InvalidDataError,
     r"big.csv is 1\d\d bytes, larger than the 100 bytes limit"),
    ("too large zip", zip_bytes(PETS), "big.zip", {"max_bytes": 2 * 1024 * 1024 // 4096},
     InvalidDataError, "KB, larger than the 512 bytes limit"),
    ("missing label column", CSV.encode(), "t.csv", {"label_column": "nope"},
     InvalidParameterError, r"Label column 'nope' is not in t.csv; choose one of: 'a'"),
    ("missing feature column", CSV.encode(), "t.csv", {"feature_columns": ["a", "zz"]},
     InvalidParameterError, r"Feature column\(s\) 'zz' not in t.csv"),
    ("bad scaling", CSV.encode(), "t.csv", {"scaling": "log"}, InvalidParameterError,
     "scaling must be one of standardize, minmax, none"),
    ("all rows missing", b"a,b\n1,\n,2\n3,\n4,5\n", "t.csv", {}, InvalidDataError,
     "1 row\\(s\\) left after dropping rows with missing values; at least 3 rows are needed "
     "to make a map; use missing='impute'"),
    ("too many categories", ("id,x\n" + "".join(f"u{i},{i}\n" for i in range(150))).encode(),
     "t.csv", {"feature_columns": ["id", "x"]}, InvalidParameterError, "too many to one-hot"),
    ("ragged csv", b"a,b\n1,2\n3,4,5,6\n7,8\n", "t.csv", {}, InvalidDataError,
     "could not be parsed as a table with ','"),
    ("binary as csv", XLSX.getvalue(), "t.csv", {}, InvalidDataError, "not a text file"),
    ("bad parquet", CSV.encode(), "t.parquet", {}, InvalidDataError,
     "could not be read as Parquet"),
    ("bad xlsx", CSV.encode(), "t.xlsx", {}, InvalidDataError,
     "could not be read as an Excel workbook"),
    ("bad xls", b"\xd0\xcf\x11\xe0 not really ole2", "t.xls", {}, InvalidDataError,
     "could not be read as an Excel workbook"),
    ("not bytes", "a,b\n1,2\n", "t.csv", {}, DataTypeError, "as bytes, got str"),
]


@pytest.mark.parametrize("name,data,filename,options,error,message", BAD_UPLOADS,
                         ids=[c[0] for c in BAD_UPLOADS])
def test_every_malformed_upload_gets_one_clear_line(name, data, filename, options, error,
                                                    message):
    with pytest.raises(error, match=message) as info:
        load_upload(data, filename, **options)
    assert isinstance(info.value, PumapError)
    assert "\n" not in info.value.user_message and info.value.user_message == str(info.value)
    assert info.value.__cause__ is None  # no chained pandas / PIL / zipfile traceback


def test_non_utf8_only_fails_when_binary():
    latin = "x,y,z\n1,2,caf\u00e9\n3,4,na\u00efve\n5,6,\u00e0\n".encode("latin-1")
    assert load_upload(latin, "l.csv").X.shape == (3, 2)


def test_default_limit_is_200_mb():
    assert MAX_UPLOAD_BYTES == 200 * 1024 * 1024


def test_data_layer_never_imports_streamlit():
    import subprocess
    import sys

    code = "import sys, pumap_core.data; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
