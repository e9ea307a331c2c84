"""Snapshots of the map while it trains (issue 15): their cost on the digits demo, side by side.

Digits (1,797 rows × 64), 200 epochs, default parameters, fits with ``snapshots=True`` (the
default: the whole data set is the sample, embedded 41 + 1 times) and ``snapshots=False``,
alternated in one process (which goes first alternates too) after one warm-up fit (so that imports and XLA compilation are
not counted), for each seed.

    python benchmarks/bench_snapshots.py              # seeds 0, 1, 2
    python benchmarks/bench_snapshots.py --seeds 0

Figures: fit seconds with and without snapshots, their difference, the number of snapshots,
and the time of the snapshot calls themselves (measured inside the fit, around the callback's
transform: the fit-time difference is within the noise of a shared machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed_snapshots() -> list[float]:
    """Wrap the trainer's snapshot callback so that each transform it does is timed."""
    from pumap_core.training import trainer

    spent: list[float] = []
    take = trainer._Snapshots._take

    def timed(self, epoch):
        t0 = time.perf_counter()
        take(self, epoch)
        spent.append(time.perf_counter() - t0)

    trainer._Snapshots._take = timed
    return spent


def fit_seconds(X, seed: int, snapshots: bool) -> tuple[float, int]:
    from pumap_core import ParametricUMAP

    est = ParametricUMAP(random_state=seed, snapshots=snapshots)
    t0 = time.perf_counter()
    est.fit(X)
    taken = 0 if est.snapshots_ is None else len(est.snapshots_)
    return time.perf_counter() - t0, taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    from pumap_core.data import load_demo

    X = load_demo("digits").X
    spent = timed_snapshots()
    fit_seconds(X, 99, True)  # warm-up: imports, tracing, XLA
    spent.clear()
    rows = []
    for k, seed in enumerate(int(s) for s in args.seeds.split(",")):
        if k % 2:  # alternate which goes first, so that a slow spell of the machine is shared
            before = len(spent)
            on, taken = fit_seconds(X, seed, True)
            calls = sum(spent[before:])
            off, _ = fit_seconds(X, seed, False)
        else:
            off, _ = fit_seconds(X, seed, False)
            before = len(spent)
            on, taken = fit_seconds(X, seed, True)
            calls = sum(spent[before:])
        rows.append((seed, off, on, taken, calls))
        print(f"seed {seed}: off {off:6.2f} s   on {on:6.2f} s   diff {on - off:+6.2f} s   "
              f"{taken} snapshots, their calls {calls:5.3f} s ({100 * calls / on:.1f} % of "
              f"the fit)", flush=True)
    off = statistics.median(r[1] for r in rows)
    on = statistics.median(r[2] for r in rows)
    calls = statistics.median(r[4] for r in rows)
    print(f"median: off {off:.2f} s, on {on:.2f} s ({100 * (on - off) / off:+.1f} %); "
          f"snapshot calls {calls:.3f} s = {100 * calls / on:.1f} % of the fit")


if __name__ == "__main__":
    main()
