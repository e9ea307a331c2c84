"""One exception hierarchy for everything a user can get wrong.

Every error carries a one-line ``user_message`` that a non-programmer can act on; the app shows
exactly that line. Each subclass also derives from the built-in exception it replaces, so code
written for umap-learn that catches ``ValueError`` or ``TypeError`` keeps working.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError


class PumapError(Exception):
    """Base class of every error raised on purpose by ``pumap_core``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.user_message = message


class InvalidDataError(PumapError, ValueError):
    """The data cannot be embedded as given (NaN, empty, too few rows, wrong width...)."""


class DataTypeError(PumapError, TypeError):
    """The data are not numbers (text columns, object arrays, complex values...)."""


class InvalidParameterError(PumapError, ValueError):
    """A parameter has a value that cannot work (unknown metric, n_neighbors too large...)."""


class NotFittedError(PumapError, _SklearnNotFittedError):
    """The model is used before ``fit`` (also a scikit-learn ``NotFittedError``)."""


class NotSupportedError(PumapError, NotImplementedError):
    """A umap-learn feature that this version does not provide yet."""


class TrainingDivergedError(PumapError, FloatingPointError):
    """The loss became NaN or infinite; the last good weights were kept."""


class ModelFileError(PumapError, ValueError):
    """A saved model folder is incomplete, corrupt or written by a newer version."""


class ModelNotFoundError(PumapError, FileNotFoundError):
    """A saved model folder, or a file it must contain, does not exist."""


class InputNotFoundError(PumapError, FileNotFoundError):
    """No data file matches the path, folder or pattern given."""


class UnreadableInputError(PumapError, OSError):
    """A data file exists but cannot be read as Parquet or CSV (corrupt, truncated, wrong type)."""


class ClusterError(PumapError, ConnectionError):
    """The Dask scheduler cannot be reached, or the cluster lost the work."""


class ExportError(PumapError, RuntimeError):
    """The encoder could not be exported, or the exported file does not match the model."""


def one_line(error: BaseException | str, limit: int = 200) -> str:
    """The first line of an error's text, spaces squeezed, for quoting inside our own message.

    Third-party errors (pyarrow, Keras, zipfile...) can run over many lines; a message of ours
    quotes only their first. A :class:`PumapError` gives its ``user_message``; an exception
    without text gives its class name. At most ``limit`` characters (cut with "…").
    """
    text = error.user_message if isinstance(error, PumapError) else str(error)
    first = next((line for line in text.splitlines() if line.strip()), "")
    flat = " ".join(first.split())
    if not flat and isinstance(error, BaseException):
        flat = type(error).__name__
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def user_message(error: BaseException) -> str:
    """The line a user sees for ``error``: ours as it is, any other in one generic sentence."""
    if isinstance(error, PumapError):
        return error.user_message
    detail = one_line(str(error))
    return (f"Something went wrong ({type(error).__name__}{': ' + detail if detail else ''}). "
            "Your data and runs are untouched; try again or change the settings.")
