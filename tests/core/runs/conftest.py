"""Shared fixtures of the runs tests: 200 digits (quick fits, real images and labels)."""

import pytest

from pumap_core.data import load_demo

N = 200


@pytest.fixture(scope="module")
def digits200():
    return load_demo("digits").head(N)
