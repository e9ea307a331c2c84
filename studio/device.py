"""Which device training will use, in words."""

from __future__ import annotations

import os


def describe_device() -> str:
    """"GPU: <name>" when the Keras backend sees one, else "CPU (<n> cores)"."""
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                details = tf.config.experimental.get_device_details(gpus[0])
                return f"GPU: {details.get('device_name', gpus[0].name)}"
        elif backend == "jax":
            import jax

            gpus = [d for d in jax.devices() if d.platform == "gpu"]
            if gpus:
                return f"GPU: {gpus[0].device_kind}"
    except Exception:  # no driver, broken install: training falls back to the CPU anyway
        pass
    return f"CPU ({os.cpu_count()} cores)"
