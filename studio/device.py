"""Which device training will use, in words, found without loading TensorFlow into the server.

Importing TensorFlow costs the process that does it ~0.5 GB of memory and seconds of start-up.
Training runs in its own process anyway, so the server asks a short-lived child process instead,
once, in the background.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import Future

_PROBE = r"""
import os
os.nice(10)  # importing TensorFlow takes seconds of CPU: the app's first pages come first
backend = os.environ.get("KERAS_BACKEND", "tensorflow")
name = ""
try:
    if backend == "tensorflow":
        import tensorflow as tf
        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            details = tf.config.experimental.get_device_details(gpus[0])
            name = details.get("device_name", gpus[0].name)
    elif backend == "jax":
        import jax
        gpus = [d for d in jax.devices() if d.platform == "gpu"]
        if gpus:
            name = gpus[0].device_kind
except Exception:
    pass
print(name)
"""
_lock = threading.Lock()
_result: Future | None = None


def _cpu() -> str:
    return f"CPU ({os.cpu_count()} cores)"


def _probe() -> str:
    try:  # its stderr (TensorFlow's start-up lines) is dropped
        out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                             timeout=120, check=False).stdout.strip().splitlines()
    except (OSError, subprocess.SubprocessError):  # training falls back to the CPU anyway
        out = []
    return f"GPU: {out[-1]}" if out and out[-1] else _cpu()


def start_probe() -> Future:
    """Start finding the device (once per process) and return its future description."""
    global _result
    with _lock:
        if _result is None:
            _result = Future()
            future = _result

            def work() -> None:
                future.set_result(_probe())

            threading.Thread(target=work, name="pumap-device-probe", daemon=True).start()
        return _result


def describe_device(timeout: float | None = None) -> str | None:
    """"GPU: <name>" when the Keras backend sees one, else "CPU (<n> cores)"; None while the
    probe is still running after ``timeout`` seconds."""
    future = start_probe()
    try:
        return future.result(timeout=timeout)
    except TimeoutError:
        return None
