"""Every kind of bad input gets one clear PumapError, never a numba / TF / NumPy traceback."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from pumap_core import (DataTypeError, InvalidDataError, InvalidParameterError,
                        NotSupportedError, ParametricUMAP, PumapError)

rng = np.random.default_rng(0)
GOOD = rng.normal(size=(40, 5)).astype(np.float32)
with_nan = GOOD.copy()
with_nan[3, 2] = np.nan
with_inf = GOOD.copy()
with_inf[1, 0] = np.inf

FIT_CASES = [
    ("nan", with_nan, {}, InvalidDataError, "NaN values in 1 row"),
    ("inf", with_inf, {}, InvalidDataError, "infinite values in 1 row"),
    ("text", np.array([["a", "b"], ["c", "d"], ["e", "f"]]), {}, DataTypeError, "non-numeric"),
    ("object", np.array([[1, "x"], [2, None], [3, 4]], dtype=object), {}, DataTypeError,
     "non-numeric"),
    ("complex", GOOD.astype(np.complex64), {}, DataTypeError, "complex"),
    ("1-d", GOOD[:, 0], {}, InvalidDataError, r"must be 2-D.*reshape\(-1, 1\)"),
    ("3-d", GOOD.reshape(40, 5, 1), {}, InvalidDataError, "must be 2-D"),
    ("empty", np.empty((0, 5)), {}, InvalidDataError, "is empty"),
    ("no features", np.empty((5, 0)), {}, InvalidDataError, "is empty"),
    ("one row", GOOD[:1], {}, InvalidDataError, "1 row"),
    ("ragged", [[1, 2], [3]], {}, InvalidDataError, "rectangular"),
    ("sparse", scipy.sparse.csr_matrix(GOOD), {}, DataTypeError, "sparse"),
    ("too many neighbours", GOOD[:10], {}, InvalidParameterError,
     r"n_neighbors \(15\) must be smaller than the number of rows \(10\)"),
    ("identical rows", np.ones((30, 4)), {}, InvalidDataError, "All rows are identical"),
    ("text columns", pd.DataFrame({"x": range(30), "name": ["a"] * 30}), {}, DataTypeError,
     "non-numeric columns \\('name'\\)"),
    ("bad metric", GOOD, {"metric": "hamming"}, InvalidParameterError, "Unknown metric"),
    ("negative epochs", GOOD, {"n_training_epochs": 0}, InvalidParameterError,
     "n_training_epochs must be >= 1"),
    ("float neighbours", GOOD, {"n_neighbors": 5.5}, InvalidParameterError,
     "n_neighbors must be an integer"),
    ("min_dist > spread", GOOD, {"min_dist": 2.0}, InvalidParameterError, "min_dist must be"),
    ("autoencoder without decoder", GOOD, {"autoencoder_loss": True}, InvalidParameterError,
     r"autoencoder_loss is only used with parametric_reconstruction=True"),
    ("negative global weight", GOOD, {"global_correlation_loss_weight": -1},
     InvalidParameterError, "global_correlation_loss_weight must be >= 0"),
    ("unknown reconstruction loss", GOOD, {"parametric_reconstruction": True,
                                           "parametric_reconstruction_loss_fcn": "hinge"},
     InvalidParameterError, "parametric_reconstruction_loss_fcn must be 'mse'"),
]


@pytest.mark.parametrize("name,X,params,error,message", FIT_CASES, ids=[c[0] for c in FIT_CASES])
def test_fit_rejects_bad_input_clearly(name, X, params, error, message):
    with pytest.raises(error, match=message) as info:
        ParametricUMAP(n_training_epochs=params.pop("n_training_epochs", 1), **params).fit(X)
    assert isinstance(info.value, PumapError)
    assert "\n" not in info.value.user_message


def test_numeric_dataframe_is_accepted():
    df = pd.DataFrame(GOOD, columns=list("abcde"))
    df["flag"] = df["a"] > 0
    emb = ParametricUMAP(n_neighbors=5, n_training_epochs=1, random_state=0).fit_transform(df)
    assert emb.shape == (40, 2)


def test_transform_rejects_wrong_width_and_nan(fitted):
    with pytest.raises(InvalidDataError, match="trained on rows of 64 features but these rows have 3"):
        fitted.transform(np.zeros((2, 3)))
    with pytest.raises(InvalidDataError, match="NaN"):
        fitted.transform(np.full((2, 64), np.nan))


def test_transform_accepts_a_single_row(fitted):
    assert fitted.transform(np.zeros((1, 64))).shape == (1, 2)


def test_errors_are_also_builtin_exceptions():
    assert issubclass(InvalidDataError, ValueError) and issubclass(DataTypeError, TypeError)
    assert issubclass(NotSupportedError, NotImplementedError)


def test_n_epochs_is_accepted_with_a_warning():
    with pytest.warns(UserWarning, match="n_epochs has no effect"):
        ParametricUMAP(n_neighbors=5, n_epochs=200, n_training_epochs=1).fit(GOOD)
