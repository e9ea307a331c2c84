"""The one check of every upload (tables, image zips, run zips) and the one upload limit."""

import pytest

from pumap_core.data import MAX_UPLOAD_BYTES, UPLOAD_LIMIT_ENV, check_upload, max_upload_bytes
from pumap_core.errors import DataTypeError, InvalidDataError


def test_the_upload_limit_comes_from_one_environment_variable(monkeypatch):
    monkeypatch.delenv(UPLOAD_LIMIT_ENV, raising=False)
    assert max_upload_bytes() == MAX_UPLOAD_BYTES == 200 * 1024 * 1024
    monkeypatch.setenv(UPLOAD_LIMIT_ENV, "1.5")
    assert max_upload_bytes() == int(1.5 * 1024 * 1024)


@pytest.mark.parametrize("bad", ["lots", "-3", "0", "nan", "inf"])
def test_a_bad_upload_limit_falls_back_to_the_default(monkeypatch, bad):
    monkeypatch.setenv(UPLOAD_LIMIT_ENV, bad)
    assert max_upload_bytes() == MAX_UPLOAD_BYTES


def test_check_upload_says_what_to_choose_instead():
    assert check_upload(bytearray(b"abc"), "t.csv", 10) == b"abc"
    with pytest.raises(InvalidDataError, match="t.csv is empty .*choose a run zip"):
        check_upload(b"", "t.csv", 10, expected="a run zip")
    with pytest.raises(InvalidDataError, match="larger than the 10 bytes limit; split it"):
        check_upload(b"x" * 11, "t.csv", 10, smaller="split it")
    with pytest.raises(DataTypeError):
        check_upload("t.csv", "t.csv", 10)
