"""Out-of-core fit and embed on Dask (issue 13): time, memory, completeness, exactness.

Generates ``--rows`` rows × ``--cols`` float32 features (10 Gaussian blobs) and an int ``id``
in ``--files`` Parquet files (row groups of 100,000 rows) in a temporary folder under /tmp,
then runs, each in its own process tree whose memory is sampled (RSS summed, and PSS, which
counts shared library pages once, with psutil every 0.25 s, workers included):

1. ``python -m pumap_core fit DATA --sample N`` (``--epochs`` training epochs);
2. ``python -m pumap_core embed`` with 1 worker × 2 threads (the default here) and with 2
   workers × 1 thread (``PUMAP_EMBED_WORKERS=2``);
3. the floor: one process that reads the same files with pyarrow and transforms them.

Checks: every id exactly once and in order, and the coordinates of a random subset of rows
equal to an in-memory ``transform`` of those rows to 1e-4 of the map's extent. Prints the
figures side by side. The data are deleted at the end (``--keep-data`` keeps them).

    python benchmarks/bench_scale.py                 # 20,000,000 rows, 20 files
    python benchmarks/bench_scale.py --rows 2000000  # a smaller run
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
from memory import tree_memory  # benchmarks/memory.py, beside this script

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ROW_GROUP = 100_000


def generate(folder: Path, rows: int, files: int, cols: int, seed: int = 0) -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(10, cols)).astype(np.float32)
    per_file = -(-rows // files)
    paths = []
    for i in range(files):
        start, stop = i * per_file, min(rows, (i + 1) * per_file)
        n = stop - start
        X = rng.standard_normal((n, cols), dtype=np.float32)
        X += centres[rng.integers(0, 10, n)]
        table = pa.table({**{f"f{j}": X[:, j] for j in range(cols)},
                          "id": np.arange(start, stop, dtype=np.int64)})
        paths.append(folder / f"data-{i:03d}.parquet")
        pq.write_table(table, paths[-1], row_group_size=ROW_GROUP)
    return paths


class TreeMemory:
    """Peak RSS (summed) and PSS (summed) of a process and all its descendants."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = 0.0
        self.peak_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                rss, pss, n_procs = tree_memory(self.pid)
            except psutil.NoSuchProcess:
                return
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.peak_procs = max(self.peak_procs, n_procs)
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def measured(command: list[str], env: dict[str, str] | None = None) -> dict:
    """Run ``command``; its wall time, output, and its process tree's peak memory (GB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})
    memory = TreeMemory(proc.pid)
    out, err = proc.communicate()
    memory.stop()
    if proc.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{err[-3000:]}")
    return {"wall_s": time.perf_counter() - start, "stdout": out, "stderr": err,
            "rss_gb": memory.peak_rss / 1e9, "pss_gb": memory.peak_pss / 1e9,
            "processes": memory.peak_procs}


FLOOR = r"""
import json, sys, time
import numpy as np, pyarrow.parquet as pq
from pumap_core import load_ParametricUMAP
est = load_ParametricUMAP(sys.argv[1])
cols = list(est.feature_names_in_)
t0 = time.perf_counter(); n = 0
for path in sys.argv[2:]:
    X = pq.read_table(path, columns=cols).to_pandas().to_numpy(np.float32)
    n += len(est.transform(X))
print(json.dumps({"rows": n, "seconds": time.perf_counter() - t0}))
"""


def check_output(out: Path, data: list[Path], model: Path, rows: int, cols: int,
                 n_check: int, seed: int = 1) -> dict:
    """Ids complete and in order; a random subset's coordinates vs an in-memory transform."""
    import pyarrow.parquet as pq

    from pumap_core import load_ParametricUMAP
    from pumap_core.quiet import quiet_tensorflow

    quiet_tensorflow()
    parts = sorted(out.glob("part.*.parquet"), key=lambda p: int(p.name.split(".")[1]))
    ids = np.concatenate([pq.read_table(p, columns=["id"])["id"].to_numpy() for p in parts])
    coords = np.concatenate([np.column_stack([t["x"].to_numpy(), t["y"].to_numpy()])
                             for t in (pq.read_table(p, columns=["x", "y"]) for p in parts)])
    complete = bool(len(ids) == rows and np.array_equal(ids, np.arange(rows)))
    rng = np.random.default_rng(seed)
    per_file = -(-rows // len(data))
    chosen = np.sort(rng.choice(rows, size=min(n_check, rows), replace=False))
    X = []
    for i, path in enumerate(data):
        local = chosen[(chosen >= i * per_file) & (chosen < (i + 1) * per_file)] - i * per_file
        if len(local):
            table = pq.read_table(path, columns=[f"f{j}" for j in range(cols)])
            X.append(table.take(local).to_pandas().to_numpy(np.float32))
    expected = load_ParametricUMAP(model).transform(np.concatenate(X))
    extent = float(np.ptp(coords, axis=0).max())
    error = float(np.abs(coords[chosen] - expected).max())
    return {"ids_complete_in_order": complete, "parts": len(parts), "checked_rows": len(chosen),
            "max_error": error, "extent": extent, "error_ratio": error / extent}


def embed_seconds(stdout: str) -> float:
    """The compute time the embed command reports ("... in 12.3 s")."""
    return float(re.search(r" in ([\d.]+) s ", stdout).group(1))


def load_seconds(stdout: str) -> float:
    """The seconds the workers took to load the model before the embed started."""
    return float(re.search(r"workers in ([\d.]+) s", stdout).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--sample", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--check", type=int, default=20_000, help="rows checked vs transform")
    parser.add_argument("--keep-data", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pumap-bench-scale-", dir="/tmp"))
    data_dir, model, results = root / "data", root / "model", {}
    data_dir.mkdir()
    py = [sys.executable, "-m", "pumap_core"]
    try:
        t0 = time.perf_counter()
        data = generate(data_dir, args.rows, args.files, args.cols)
        gb = sum(p.stat().st_size for p in data) / 1e9
        print(f"data: {args.rows:,} rows x {args.cols} float32 + id in {args.files} files, "
              f"{gb:.2f} GB on disk, written in {time.perf_counter() - t0:.0f} s", flush=True)
        columns = ",".join(f"f{j}" for j in range(args.cols))
        fit = measured([*py, "fit", str(data_dir), "--output", str(model), "--columns", columns,
                        "--sample", str(args.sample), "--random-state", "0",
                        "--param", f"n_training_epochs={args.epochs}"])
        results["fit"] = {k: fit[k] for k in ("wall_s", "rss_gb", "pss_gb", "processes")}
        print(f"fit: {fit['wall_s']:.0f} s, peak {fit['rss_gb']:.2f} GB RSS / "
              f"{fit['pss_gb']:.2f} GB PSS", flush=True)
        for workers in (1, 2):
            out = root / f"points-{workers}"
            run = measured([*py, "embed", str(model), str(data_dir), "--output", str(out),
                            "--keep", "id"],
                           env={"PUMAP_EMBED_WORKERS": str(workers),
                                "PUMAP_EMBED_THREADS": str(max(1, 2 // workers))})
            run["embed_s"] = embed_seconds(run["stdout"])
            run["load_s"] = load_seconds(run["stdout"])
            run["check"] = check_output(out, data, model, args.rows, args.cols, args.check)
            run["progress_lines"] = run["stderr"].count("rows/s")
            results[f"embed_{workers}w"] = {k: v for k, v in run.items()
                                            if k not in ("stdout", "stderr")}
            print(f"embed, {workers} worker(s): {run['stdout'].strip()}", flush=True)
            shutil.rmtree(out)
        floor = measured([sys.executable, "-c", FLOOR, str(model), *map(str, data)])
        results["floor"] = {**json.loads(floor["stdout"]),
                            **{k: floor[k] for k in ("wall_s", "rss_gb", "pss_gb")}}
    finally:
        if not args.keep_data:
            shutil.rmtree(root, ignore_errors=True)
    report(results, args.rows)


def report(results: dict, rows: int) -> None:
    floor = results["floor"]["seconds"]
    print(f"\n{'':28}{'embed 1w x 2t':>16}{'embed 2w x 1t':>16}{'floor (1 proc)':>16}")
    one, two = results["embed_1w"], results["embed_2w"]
    lines = [
        ("compute s (model loaded)", one["embed_s"], two["embed_s"], floor),
        ("model load s (workers)", one["load_s"], two["load_s"], 0.0),
        ("wall s (with start-up)", one["wall_s"], two["wall_s"], results["floor"]["wall_s"]),
        ("rows/s (compute)", rows / one["embed_s"], rows / two["embed_s"], rows / floor),
        ("vs floor (compute)", one["embed_s"] / floor, two["embed_s"] / floor, 1.0),
        ("peak RSS GB (tree)", one["rss_gb"], two["rss_gb"], results["floor"]["rss_gb"]),
        ("peak PSS GB (tree)", one["pss_gb"], two["pss_gb"], results["floor"]["pss_gb"]),
        ("error / extent", one["check"]["error_ratio"], two["check"]["error_ratio"], 0.0),
    ]
    for name, *values in lines:
        print(f"{name:28}" + "".join(f"{v:>16,.6g}" for v in values))
    for key in ("embed_1w", "embed_2w"):
        check = results[key]["check"]
        print(f"{key}: ids complete and in order: {check['ids_complete_in_order']}, "
              f"{check['parts']} parts, {check['checked_rows']:,} rows checked, "
              f"progress lines: {results[key]['progress_lines']}")
    print(json.dumps(results, indent=1, default=float))


if __name__ == "__main__":
    main()
