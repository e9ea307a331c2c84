"""load_upload: one clear PumapError (a line, no chained traceback) per malformed upload."""

import io

import pandas as pd
import pytest
from files import image_bytes, zip_bytes

from pumap_core.data import MAX_UPLOAD_BYTES, load_upload
from pumap_core.errors import DataTypeError, InvalidDataError, InvalidParameterError, PumapError

# --------------------------------------------------------------------------- helpers


CSV = "a,b,flag,species\n1.0,10,true,setosa\n2.0,20,false,setosa\n3.0,30,true,virginica\n" \
      "4.0,40,false,virginica\n"
FRAME = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [5, 3, 1, 2, 4],
                      "color": ["red", "blue", "red", "green", "blue"],
                      "label": ["a", "a", "b", "b", "b"]})
PETS = {f"pets/{cls}/{i}.png": image_bytes("RGB", (20, 16), (40 * i, 100, 0))
        for cls in ("cat", "dog") for i in range(3)}


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
     r"^t\.parquet is not a readable Parquet file \(it may be damaged or another format\); "
     r"export it again, or upload a CSV\.$"),
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
