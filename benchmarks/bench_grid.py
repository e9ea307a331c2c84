"""Is a 3 × 3 parameter grid on the digits demo ready in under a minute on 2 cores? (issue 15)

    python benchmarks/bench_grid.py [--skip-grid]

1. In process, side by side: the default fit (200 epochs, spectral start) against the grid's
   short settings (``pumap_core.jobs.grid.FAST``) for k = 15, min_dist 0.1: fit seconds,
   trustworthiness and 5-NN accuracy of the map, and how alike the two pictures are (the short
   map turned onto the default one by Procrustes: share of the default's spread it explains).
2. End to end: the 3 × 3 grid of the Parameter grid page (k 5 / 15 / 50 × min_dist 0 / 0.1 /
   0.5) submitted to a fresh TrainingService (its own LocalCluster) as the page does, timed
   from the first submit to the last saved run, with the cluster's start-up counted apart.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def likeness(a: np.ndarray, b: np.ndarray) -> float:
    """1 - Procrustes disparity: 1 when ``b`` is ``a`` turned, scaled and moved."""
    from scipy.spatial import procrustes

    return 1.0 - procrustes(a, b)[2]


def in_process() -> None:
    from pumap_core import ParametricUMAP
    from pumap_core.data import load_demo
    from pumap_core.jobs.grid import FAST
    from pumap_core.metrics import quality_report

    ds = load_demo("digits")
    maps = {}
    print(f"{'settings':<32} {'fit s':>7} {'trust':>7} {'5-NN':>7} {'like default':>13}")
    for name, params in (("default (200 epochs, spectral)", {}),
                         ("40 epochs, spectral", {"n_training_epochs": 40}),
                         ("grid (FAST: 40 epochs, PCA)", FAST)):
        t = time.perf_counter()
        emb = ParametricUMAP(random_state=0, verbose=False, **params).fit_transform(ds.X)
        seconds = time.perf_counter() - t
        maps[name] = emb
        q = quality_report(ds.X, emb, ds.labels)
        like = likeness(maps["default (200 epochs, spectral)"], emb)
        print(f"{name:<32} {seconds:>7.1f} {q['trustworthiness']:>7.3f} "
              f"{q['knn_accuracy']:>7.3f} {like:>13.3f}", flush=True)


def grid_end_to_end() -> None:
    from pumap_core.data import DatasetStore, load_demo
    from pumap_core.jobs import JobOrder, JobStore, TrainingService
    from pumap_core.jobs.grid import FAST, MIN_DISTS, NEIGHBOURS, grid_cells

    with tempfile.TemporaryDirectory() as root:
        ds = load_demo("digits")
        dataset_id = DatasetStore(root).save(ds).id
        t = time.perf_counter()
        service = TrainingService(root)
        started = time.perf_counter() - t
        t = time.perf_counter()
        ids = [service.submit(JobOrder.from_settings({**FAST, **cell}, dataset_id),
                              dataset_name=ds.name, n_items=ds.n_items).id
               for cell in grid_cells(NEIGHBOURS, MIN_DISTS)]
        store, first = JobStore(root), None
        while True:
            records = [store.get(i) for i in ids]
            if first is None and any(r.finished for r in records):
                first = time.perf_counter() - t
            if all(r.finished for r in records):
                break
            time.sleep(0.2)
        total = time.perf_counter() - t
        service.close()
        done = sum(r.status == "done" for r in records)
        print(f"grid 3 x 3 on digits: cluster start {started:.1f} s (once per server), first map "
              f"{first:.1f} s, all {done}/9 maps {total:.1f} s after the press")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-grid", action="store_true")
    args = ap.parse_args()
    in_process()
    if not args.skip_grid:
        grid_end_to_end()


if __name__ == "__main__":
    main()
