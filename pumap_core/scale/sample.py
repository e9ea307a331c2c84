"""A uniform random sample of exactly N rows of a Dask frame, one pass, a partition at a time.

Random-key sampling: every row gets a key drawn uniformly in [0, 1), and the N rows with the
smallest keys are a uniform sample without replacement (every set of N rows equally likely).
Each partition keeps only its rows whose key is below a threshold chosen, from the total row
count (Parquet footers, or Dask's ``len``), so that at least N rows pass with overwhelming
probability (N + 6·√N + 10 expected); the client then keeps the N smallest keys of those
~N rows. So a worker holds one partition at a time and the client about N rows, whatever the
input's size. In the (≈1e-9) case that fewer than N pass, the pass is repeated with a doubled
threshold and fresh keys, which keeps the sample uniform.

Keys come from one ``numpy`` generator per partition, spawned from ``random_state`` with
:class:`numpy.random.SeedSequence`: the same files, partition size and seed give the same
sample. The sampled rows come back in input order.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError

log = logging.getLogger("pumap_core")
KEY = "__pumap_key__"
_PART, _POS = "__pumap_part__", "__pumap_pos__"


def key_threshold(n: int, total: int) -> float:
    """The key below which a row is kept, for ``n`` of ``total`` rows (1.0: keep everything)."""
    return min(1.0, (n + 6.0 * math.sqrt(n) + 10.0) / max(total, 1))


def sample_partition(part: pd.DataFrame, threshold: float, seed: np.random.SeedSequence,
                     number: int) -> pd.DataFrame:
    """The rows of one partition whose random key is below ``threshold``, with their key,
    partition ``number`` and position (for the final order) as three extra columns."""
    keys = np.random.default_rng(seed).random(len(part))
    kept = np.flatnonzero(keys < threshold)
    out = part.iloc[kept].copy()
    out[KEY] = keys[kept]
    out[_PART] = number
    out[_POS] = kept
    return out


def sample_rows(frame: Any, n: int | None, random_state: Any = None, *,
                total: int | None = None) -> pd.DataFrame:
    """A uniform random sample of ``n`` rows of the Dask frame ``frame``, in input order.

    Parameters
    ----------
    frame : dask DataFrame (project it to the columns wanted first: only those are read).
    n : rows wanted; None, or at least the number of rows, gives every row.
    random_state : int, SeedSequence or None (fresh entropy).
    total : the number of rows when known (Parquet footers); else ``len(frame)`` (for
        Parquet, Dask reads it from the footers; for CSV it reads the files once).

    Returns
    -------
    pandas DataFrame of ``min(n, total)`` rows, the index of the input's partitions kept.
    """
    import dask

    if n is not None and (not isinstance(n, (int, np.integer)) or n < 1):
        raise InvalidParameterError(f"The sample size must be a positive number of rows, not "
                                    f"{n!r}.")
    total = len(frame) if total is None else int(total)
    if n is None or n >= total:
        if n is not None and n > total:
            log.warning("asked for %d rows but the input has %d: using them all", n, total)
        return frame.compute()
    seeds = np.random.SeedSequence(random_state)
    threshold = key_threshold(int(n), total)
    parts = frame.to_delayed()
    while True:
        children = seeds.spawn(len(parts))
        kept = dask.compute(*[dask.delayed(sample_partition)(part, threshold, child, i)
                              for i, (part, child) in enumerate(zip(parts, children))])
        rows = pd.concat(kept)
        log.info("sampling: %d rows below the key threshold %.3g, %d wanted", len(rows),
                 threshold, n)
        if len(rows) >= n or threshold >= 1.0:
            break
        threshold = min(1.0, 2 * threshold)  # fresh keys: the sample stays uniform
    smallest = np.argpartition(rows[KEY].to_numpy(), n - 1)[:n] if len(rows) > n else \
        np.arange(len(rows))
    chosen = rows.iloc[smallest].sort_values([_PART, _POS], kind="stable")
    return chosen.drop(columns=[KEY, _PART, _POS])

