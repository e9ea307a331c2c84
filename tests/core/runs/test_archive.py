"""Run zips (pumap_core.runs.archive): what ``pack`` writes for spreadsheets."""

import io
import zipfile

import numpy as np
import pandas as pd

from pumap_core.runs.archive import pack
from pumap_core.runs.files import POINTS, write_points
from pumap_core.runs.points import points_frame


def test_points_csv_in_a_run_zip_carries_no_live_formula(tmp_path):
    """Issue 12: a label ``=HYPERLINK(...)`` went verbatim into the run zip's points.csv."""
    table = pd.DataFrame({"-name": ["+cmd", "ok", None], "v": [-1.5, 0.0, np.nan]})
    labels = np.array(['=HYPERLINK("http://x")', "cat", "@x"])
    write_points(points_frame(np.array([[-1, 2], [3, -4], [5, 6]], np.float32), table,
                              labels, "label"), tmp_path / POINTS)
    with zipfile.ZipFile(io.BytesIO(pack(tmp_path, "the run"))) as zf:
        assert POINTS in zf.namelist()
        csv = pd.read_csv(io.BytesIO(zf.read("points.csv")))
    assert csv.columns.tolist() == ["x", "y", "label", "'-name", "v"]
    assert csv["label"].tolist() == ["'=HYPERLINK(\"http://x\")", "cat", "'@x"]
    assert csv["'-name"].tolist()[:2] == ["'+cmd", "ok"] and pd.isna(csv["'-name"].iloc[2])
    assert csv["x"].tolist() == [-1, 3, 5] and csv["y"].tolist() == [2, -4, 6]
    assert csv["v"].tolist()[:2] == [-1.5, 0.0] and pd.isna(csv["v"].iloc[2])
