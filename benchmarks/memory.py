"""Memory of a process tree, as the benchmarks report it: RSS summed over the processes, and
PSS, which counts shared library pages (TensorFlow's, numpy's) once."""

from __future__ import annotations

import psutil


def tree_memory(pid: int) -> tuple[float, float, int]:
    """(RSS bytes summed, PSS bytes summed, number of processes) of ``pid`` and its
    descendants; processes that end meanwhile are skipped.

    Raises
    ------
    psutil.NoSuchProcess
        ``pid`` itself is gone.
    """
    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    rss = pss = 0.0
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss, pss, len(procs)
