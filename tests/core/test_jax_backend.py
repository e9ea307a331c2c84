"""The extra loss terms are keras.ops code: the same fit runs under KERAS_BACKEND=jax."""

import json
import os
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, numpy as np, keras
from sklearn.datasets import load_digits
from pumap_core import ParametricUMAP
X = load_digits().data.astype(np.float32)[:300]
est = ParametricUMAP(random_state=0, n_training_epochs=2, parametric_reconstruction=True,
                     autoencoder_loss=True, reconstruction_validation=X[:50],
                     global_correlation_loss_weight=1.0).fit(X)
est.add_landmarks(X[:100])
est.fit(X[100:])
print(json.dumps({"backend": keras.backend.backend(), "history": est.history_,
                  "finite": bool(np.isfinite(est.embedding_).all()),
                  "decoded": list(est.inverse_transform(est.embedding_[:2]).shape)}))
"""


def test_every_term_trains_under_jax():
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["backend"] == "jax" and out["finite"] and out["decoded"] == [2, 64]
    assert {"reconstruction_loss", "global_correlation_loss", "landmark_loss",
            "val_reconstruction_loss"} <= set(out["history"])
    assert all(all(v == v for v in values) for values in out["history"].values())  # no NaN
