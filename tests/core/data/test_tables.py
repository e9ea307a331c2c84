"""read_table: CSV / TSV (delimiter and encoding sniffed), Parquet, Excel."""

import io

import numpy as np
import pandas as pd
import pytest

from pumap_core.data import load_upload, prepare_table, read_table
from pumap_core.errors import InvalidDataError, one_line

# --------------------------------------------------------------------------- helpers


CSV = "a,b,flag,species\n1.0,10,true,setosa\n2.0,20,false,setosa\n3.0,30,true,virginica\n" \
      "4.0,40,false,virginica\n"
FRAME = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [5, 3, 1, 2, 4],
                      "color": ["red", "blue", "red", "green", "blue"],
                      "label": ["a", "a", "b", "b", "b"]})


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



def _truncated_parquet():
    buf = io.BytesIO()
    FRAME.to_parquet(buf)
    return buf.getvalue()[:-20]


@pytest.mark.parametrize("content", [b"a,b\n1,2\n", b"PAR1" + b"\0" * 40, _truncated_parquet()],
                         ids=["csv", "header only", "truncated"])
def test_a_broken_parquet_file_is_one_plain_sentence(content):
    """Issue 12: pyarrow's "Could not open Parquet input source '<Buffer>'..." reached the user."""
    with pytest.raises(InvalidDataError) as err:
        read_table(content, "t.parquet")
    assert one_line(err.value) == ("t.parquet is not a readable Parquet file (it may be damaged "
                                   "or another format); export it again, or upload a CSV.")
