"""Fit a ParametricUMAP on a uniform sample of a table too large to load.

>>> from pumap_core.scale import fit_sample
>>> est = fit_sample("big/*.parquet", sample=100_000, random_state=0,
...                  params={"n_neighbors": 30})                    # doctest: +SKIP
>>> est.save("model_dir")                                           # doctest: +SKIP

The sample is drawn where the data are (the current Dask scheduler: a ``distributed.Client``
set as default, else Dask's threads), a partition at a time (:mod:`.sample`); the fit runs in
this process on the sampled rows, which fit in memory. The feature columns' names are kept in
the model (``feature_names_in_``, and the saved manifest) so that ``embed`` can check them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import InvalidParameterError
from .inputs import as_dask_frame, feature_columns, read_input
from .sample import sample_rows

log = logging.getLogger("pumap_core")


def parse_param(text: str) -> tuple[str, Any]:
    """``"name=value"`` as (name, value): the value read as JSON (numbers, true/false, null,
    lists), Python's True/False/None, or else kept as text.

    >>> parse_param("n_neighbors=30"), parse_param("metric=cosine")
    (('n_neighbors', 30), ('metric', 'cosine'))
    """
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise InvalidParameterError(f"--param {text!r} is not name=value (e.g. n_neighbors=30).")
    raw = raw.strip()
    python = {"True": True, "False": False, "None": None}
    if raw in python:
        return name, python[raw]
    try:
        return name, json.loads(raw)
    except json.JSONDecodeError:
        return name, raw


def estimator(params: Mapping[str, Any]) -> Any:
    """A ParametricUMAP with ``params``, an unknown name refused in one line."""
    from ..estimator import ParametricUMAP

    known = ParametricUMAP().get_params()
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise InvalidParameterError(
            f"ParametricUMAP has no parameter {unknown[0]!r}; its parameters are: "
            f"{', '.join(sorted(known))}.")
    return ParametricUMAP(**params)


def fit_sample(data: Any, *, columns: Sequence[str] | None = None, sample: int | None = None,
               random_state: int | None = None, params: Mapping[str, Any] | None = None,
               block: str | int | None = None,
               listener: Callable[[Any], None] | None = None) -> Any:
    """Fit a ParametricUMAP on ``sample`` rows of ``data``, drawn uniformly without replacement.

    Parameters
    ----------
    data : a path, folder, glob or URL of Parquet / CSV files, or a pandas / Dask DataFrame.
    columns : the feature columns; default every numeric column.
    sample : rows to train on (exactly); None: every row.
    random_state : seeds both the sample and the estimator (unless ``params`` has its own).
    params : ParametricUMAP parameters, e.g. ``{"n_neighbors": 30}``.
    block : partition size in bytes when ``data`` is a path (see :func:`.inputs.blocksize`).
    listener : gets the estimator's stage and epoch events (see ``add_listener``).

    Returns
    -------
    The fitted ParametricUMAP; ``feature_names_in_`` holds the columns.
    """
    est = estimator({"random_state": random_state, **(params or {})})
    if listener is not None:
        est.add_listener(listener)
    total = None
    if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__"):
        table = read_input(data, block=block)
        frame, total = table.frame, table.n_rows
    else:
        frame = as_dask_frame(data, block=block)
    chosen = feature_columns(frame, columns)
    rows = sample_rows(frame[chosen], sample, random_state, total=total)
    log.info("fitting on %d rows of %d columns", len(rows), len(chosen))
    return est.fit(rows.reset_index(drop=True))
