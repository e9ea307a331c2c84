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


class ExportError(PumapError, RuntimeError):
    """The encoder could not be exported, or the exported file does not match the model."""
