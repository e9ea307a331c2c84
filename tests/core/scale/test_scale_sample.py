"""Sampling for the out-of-core fit: exactly N distinct rows, uniform, a partition at a time."""

import gc
import itertools
import weakref

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from scipy.stats import chisquare

from pumap_core.errors import InvalidParameterError
from pumap_core.scale import sample as sample_module
from pumap_core.scale.sample import sample_rows

LENGTHS = (100, 400, 50, 300, 150)  # unequal partitions: a per-partition quota would show


def frame_of(lengths=LENGTHS) -> dd.DataFrame:
    starts = np.concatenate([[0], np.cumsum(lengths)])
    parts = [pd.DataFrame({"row": np.arange(a, b), "v": np.arange(a, b) * 0.5},
                          index=np.arange(a, b)) for a, b in itertools.pairwise(starts)]
    return dd.concat([dd.from_pandas(p, npartitions=1) for p in parts])


def test_sample_has_exactly_n_distinct_rows_in_input_order_and_is_seeded():
    frame = frame_of()
    with dask.config.set(scheduler="sync"):
        first = sample_rows(frame, 123, random_state=7)
        again = sample_rows(frame, 123, random_state=7)
        other = sample_rows(frame, 123, random_state=8)
    assert len(first) == 123 and first["row"].is_unique
    assert first["row"].is_monotonic_increasing
    assert (first["v"] == first["row"] * 0.5).all()  # whole rows, not mixed columns
    pd.testing.assert_frame_equal(first, again)
    assert not first["row"].equals(other["row"])


def test_sample_of_at_least_every_row_gives_every_row_and_bad_sizes_are_refused():
    frame = frame_of()
    with dask.config.set(scheduler="sync"):
        assert len(sample_rows(frame, 10_000, random_state=0)) == sum(LENGTHS)
        assert len(sample_rows(frame, None)) == sum(LENGTHS)
        with pytest.raises(InvalidParameterError):
            sample_rows(frame, 0)


def test_every_row_is_equally_likely_whatever_its_partition():
    """Per-row inclusion counts over 200 seeded samples of 50 of 1,000 rows: a quota per
    partition, or a bias to early rows, would fail the chi-square tests."""
    frame = frame_of()
    counts = np.zeros(sum(LENGTHS))
    with dask.config.set(scheduler="sync"):
        for seed in range(200):
            counts[sample_rows(frame, 50, random_state=seed)["row"].to_numpy()] += 1
    assert counts.sum() == 200 * 50
    per_part = np.add.reduceat(counts, np.concatenate([[0], np.cumsum(LENGTHS)[:-1]]))
    assert chisquare(per_part, 200 * 50 * np.array(LENGTHS) / sum(LENGTHS)).pvalue > 1e-3
    deciles = counts.reshape(10, -1).sum(axis=1)
    assert chisquare(deciles).pvalue > 1e-3


def test_every_subset_is_equally_likely():
    """6 rows in 3 partitions, samples of 2: all 15 pairs come up equally often (300 draws)."""
    frame = frame_of((1, 3, 2))
    pairs = {pair: 0 for pair in itertools.combinations(range(6), 2)}
    with dask.config.set(scheduler="sync"):
        for seed in range(300):
            pairs[tuple(sample_rows(frame, 2, random_state=seed)["row"])] += 1
    assert min(pairs.values()) > 0
    assert chisquare(list(pairs.values())).pvalue > 1e-3


def test_a_threshold_too_low_is_raised_until_enough_rows_pass(monkeypatch):
    monkeypatch.setattr(sample_module, "key_threshold", lambda n, total: 1e-3)
    with dask.config.set(scheduler="sync"):
        rows = sample_rows(frame_of(), 200, random_state=3)
    assert len(rows) == 200 and rows["row"].is_unique


_ALIVE: list = []


def _load(i: int) -> pd.DataFrame:
    """A partition of 1,000 rows, each tracked until it is freed."""
    gc.collect()
    part = pd.DataFrame({"row": np.arange(i * 1000, (i + 1) * 1000)})
    _ALIVE.append(weakref.ref(part))
    _ALIVE.append(max(1, sum(r() is not None for r in _ALIVE if isinstance(r, weakref.ref))))
    return part


def test_sampling_holds_one_partition_at_a_time_not_the_whole_frame():
    """Partitions are sampled where they are read: with 8 partitions read one after the
    other, no more than 2 are ever alive at once, and only ~n rows are gathered."""
    _ALIVE.clear()
    frame = dd.from_map(_load, range(8))
    with dask.config.set(scheduler="sync"):
        rows = sample_rows(frame, 100, random_state=0, total=8000)
    peak = max(v for v in _ALIVE if isinstance(v, int))
    assert len(rows) == 100
    assert peak <= 2, f"{peak} of 8 partitions were in memory at once"
    kept = sample_module.sample_partition(pd.DataFrame({"a": range(10_000)}),
                                          sample_module.key_threshold(100, 80_000),
                                          np.random.SeedSequence(0), 0)
    assert len(kept) < 10_000 * 0.03  # each partition sends about its share of n, not itself
