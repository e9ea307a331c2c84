"""Embed scikit-learn's digits with pumap_core and write the map to a PNG (no network needed).

    python scripts/demo.py [out.png]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PIL import Image, ImageDraw
from sklearn.datasets import load_digits

from pumap_core import EpochEvent, ParametricUMAP

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def draw(embedding: np.ndarray, labels: np.ndarray, path: Path, size: int = 800) -> None:
    lo, hi = embedding.min(axis=0), embedding.max(axis=0)
    xy = (embedding - lo) / np.where(hi > lo, hi - lo, 1) * (size - 40) + 20
    img = Image.new("RGB", (size, size), "white")
    pen = ImageDraw.Draw(img)
    for (x, y), label in zip(xy, labels):
        pen.ellipse([x - 3, size - y - 3, x + 3, size - y + 3], fill=PALETTE[int(label) % 10])
    for i, colour in enumerate(PALETTE):
        pen.rectangle([10, 10 + 16 * i, 22, 22 + 16 * i], fill=colour)
        pen.text((28, 10 + 16 * i), str(i), fill="black")
    img.save(path)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "digits_map.png")
    X, y = load_digits(return_X_y=True)
    est = ParametricUMAP(random_state=0)
    est.add_listener(lambda e: isinstance(e, EpochEvent) and e.epoch % 20 == 0 and print(
        f"epoch {e.epoch}/{e.n_epochs}  loss {e.loss:.4f}  eta {e.eta:.0f}s", flush=True))
    embedding = est.fit_transform(X)
    draw(embedding, y, out)
    print(f"wrote {out} ({len(X)} digits, fit in {est.model_.info.fit_seconds:.1f}s)")


if __name__ == "__main__":
    main()
