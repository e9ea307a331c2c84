import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest
from sklearn.datasets import load_digits


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's 8×8 digits: (1797, 64) float32 in [0, 16] and labels."""
    X, y = load_digits(return_X_y=True)
    return X.astype(np.float32), y


@pytest.fixture(scope="session")
def small(digits):
    """400 digits: enough structure for contract tests, fast to fit."""
    X, y = digits
    return X[:400], y[:400]


@pytest.fixture(scope="session")
def fitted(small):
    """One quick fit shared by the tests that only read a fitted model."""
    from pumap_core import ParametricUMAP

    X, _ = small
    return ParametricUMAP(random_state=1, n_training_epochs=5).fit(X)
