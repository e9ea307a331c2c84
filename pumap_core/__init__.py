"""pumap_core: Parametric UMAP in Keras 3, a drop-in for umap-learn's ParametricUMAP.

>>> from pumap_core import ParametricUMAP, load_ParametricUMAP
"""

__version__ = "0.1.0"

from .errors import (DataTypeError, ExportError, InvalidDataError, InvalidParameterError,
                     ModelFileError, ModelNotFoundError, NotFittedError, NotSupportedError,
                     PumapError, TrainingDivergedError)
from .estimator import ParametricUMAP, load_ParametricUMAP
from .training.events import EpochEvent, StageEvent

__all__ = [
    "DataTypeError", "EpochEvent", "ExportError", "InvalidDataError", "InvalidParameterError",
    "ModelFileError", "ModelNotFoundError", "NotFittedError", "NotSupportedError",
    "ParametricUMAP", "PumapError", "StageEvent", "TrainingDivergedError", "load_ParametricUMAP",
]
