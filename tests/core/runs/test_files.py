"""The files of a run folder (pumap_core.runs.files): damaged ones give plain sentences."""

import numpy as np
import pandas as pd
import pytest

from pumap_core.errors import ModelFileError, one_line
from pumap_core.runs.files import POINTS, read_points, write_points
from pumap_core.runs.points import points_frame


def _points(tmp_path):
    path = tmp_path / POINTS
    write_points(points_frame(np.zeros((4, 2), np.float32), pd.DataFrame({"a": range(4)})), path)
    return path


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_points_file_is_one_plain_sentence(tmp_path, damage):
    """Issue 12: pyarrow's "Could not open Parquet input source..." reached the user."""
    path = _points(tmp_path)
    data = path.read_bytes()
    path.write_bytes(b"junk" * 10 if damage == "garbage" else data[: len(data) // 2])
    with pytest.raises(ModelFileError) as err:
        read_points(path, "the zip")
    assert one_line(err.value) == ("points.parquet in the zip is damaged: it is not a readable "
                                   "Parquet file.")
    assert str(tmp_path) not in str(err.value)


def test_a_missing_points_file_says_so(tmp_path):
    with pytest.raises(ModelFileError, match="points.parquet is missing from run r1"):
        read_points(tmp_path / POINTS, "run r1")


def test_points_read_back(tmp_path):
    assert read_points(_points(tmp_path), "the zip")["a"].tolist() == [0, 1, 2, 3]
