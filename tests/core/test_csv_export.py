"""to_safe_csv: CSV exports carry no live spreadsheet formulas (issue 12, CSV injection)."""

import io

import numpy as np
import pandas as pd
import pytest

from pumap_core.csv_export import neutralise_cell, safe_frame, to_safe_csv


def hostile_frame():
    return pd.DataFrame({
        "x": [-3.5, 1.25, np.nan, 0.0],
        "n": [-1, 2, -3, 4],
        "label": ['=HYPERLINK("http://x")', "+cmd", "-2+3", "plain"],
        "=col": ["@SUM(A1)", "\tindent", "\rcr", None],
        "cat": pd.Categorical(["=a", "b", "=a", "b"]),
        "str": pd.array(["-1", "- 1", pd.NA, "@"], dtype="string"),
        "mixed": [-7, "=1+1", np.nan, 3.5],
    })


def test_formula_text_cells_and_names_are_quoted_and_numbers_are_not():
    """Regression: labels such as ``=HYPERLINK(...)`` went verbatim into the CSV exports."""
    frame = hostile_frame()
    back = pd.read_csv(io.StringIO(to_safe_csv(frame)), keep_default_na=False)
    assert list(back.columns) == ["x", "n", "label", "'=col", "cat", "str", "mixed"]
    assert back["label"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+cmd", "'-2+3", "plain"]
    assert back["'=col"].tolist() == ["'@SUM(A1)", "'\tindent", "'\rcr", ""]
    assert back["cat"].tolist() == ["'=a", "b", "'=a", "b"]
    # A text cell that is a plain number is read by spreadsheets as that number: left alone.
    assert back["str"].tolist() == ["-1", "'- 1", "", "'@"]
    assert back["mixed"].astype(str).tolist() == ["-7", "'=1+1", "", "3.5"]
    # Numeric columns are written exactly as pandas writes them, negative ones and NaN too.
    plain = pd.read_csv(io.StringIO(frame[["x", "n"]].to_csv(index=False)))
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(to_safe_csv(frame)))[["x", "n"]],
                                  plain)
    lines = to_safe_csv(frame).splitlines()
    assert lines[1].startswith("-3.5,-1,") and lines[3].startswith(",-3,")


def test_a_carriage_return_inside_a_cell_cannot_start_a_row():
    """pandas' default LF terminator leaves a bare CR unquoted; spreadsheets break the row
    there, which would put ``=1+1`` at the start of a line."""
    text = to_safe_csv(pd.DataFrame({"a": ["x\r=1+1", "y\nz"]}))
    assert text == 'a\r\n"x\r=1+1"\r\n"y\nz"\r\n'


def test_the_frame_is_not_modified():
    frame = hostile_frame()
    before = frame.copy()
    safe_frame(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_repeated_column_names_and_an_empty_frame():
    frame = pd.DataFrame([["=a", "=b"]], columns=["t", "t"])
    assert to_safe_csv(frame).splitlines() == ["t,t", "'=a,'=b"]
    assert to_safe_csv(pd.DataFrame({"-x": pd.Series([], dtype=object)})).strip() == "'-x"


@pytest.mark.parametrize("value, expected", [
    ("=1", "'=1"), ("+1", "+1"), ("-0.5e3", "-0.5e3"), ("-inf", "'-inf"), ("@x", "'@x"),
    ("\t1", "'\t1"), ("a=b", "a=b"), ("", ""), (-3.5, -3.5), (None, None),
])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected
