"""The training service's own Dask cluster, in a process of its own.

``python -m pumap_core.jobs.cluster --workers N`` starts a ``LocalCluster`` of N worker
processes (one training at a time each, and light tasks beside it), prints the scheduler's address on its first line,
and runs until its standard input closes, which happens when the process that started it ends,
however it ends (a kill included): then the workers go too.

Why a process of its own: worker processes spawned from inside the Streamlit server would
re-import the page script Streamlit registered as ``__main__`` (and with it the app's device
probe and warm-up). Started from this importable entry point, they import only what training
needs, once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

#: One training at a time per GPU, or per this many CPU cores.
CORES_PER_TRAINING = 2
WORKERS_ENV = "PUMAP_TRAINING_WORKERS"
#: The Dask worker resource a training takes one of (workers of an existing cluster that
#: declare it, ``dask worker --resources training=1``, also train one job at a time).
TRAINING_RESOURCE = "training"


def gpu_count() -> int:
    """NVIDIA GPUs on this machine, found without importing TensorFlow (0 without a driver)."""
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in out.splitlines() if line.startswith("GPU "))


def default_workers() -> int:
    """``$PUMAP_TRAINING_WORKERS``, else one per GPU, else one per two CPU cores (at least 1)."""
    raw = os.environ.get(WORKERS_ENV, "")
    if raw.strip().isdigit() and int(raw) > 0:
        return int(raw)
    return gpu_count() or max(1, (os.cpu_count() or 1) // CORES_PER_TRAINING)


def worker_environment(n_workers: int) -> dict[str, str]:
    """Thread counts that share the cores between workers (TensorFlow's defaults would each
    take all of them: four times slower with two workers, measured), and quiet TensorFlow."""
    threads = str(max(1, (os.cpu_count() or 1) // n_workers))
    return {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_NUM_INTRAOP_THREADS": threads,
            "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": threads,
            "NUMBA_NUM_THREADS": threads}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The training service's Dask cluster.")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    n_workers = args.workers or default_workers()
    for name, value in worker_environment(n_workers).items():
        os.environ.setdefault(name, value)

    import dask
    from distributed import LocalCluster

    # A task whose worker dies is not given to another one: the job is reported interrupted
    # (a training is minutes of work; running it again is the user's choice).
    dask.config.set({"distributed.scheduler.allowed-failures": 0,
                     "logging.distributed": "warning"})
    # Two threads per worker, one "training" resource: a worker trains one job at a time and
    # still does light work (checking an uploaded run) beside it, with TensorFlow already in.
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=2, processes=True,
                           resources={TRAINING_RESOURCE: 1}, host="127.0.0.1",
                           dashboard_address=None)
    print(cluster.scheduler_address, flush=True)
    try:
        sys.stdin.read()  # returns when the parent's end of the pipe closes
    finally:
        cluster.close()


if __name__ == "__main__":
    main()
