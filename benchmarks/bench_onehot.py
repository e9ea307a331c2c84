"""Do encoded text columns split a table's map? (issue 14) Palmer penguins, species as the
label, the four measurements as features, then ``sex`` added: one-hot columns of 0/1 (as before)
against our weighting (a category change = half a standard deviation, ``TablePreparation``).

    python benchmarks/bench_onehot.py [--seeds 3]

Reads ../shared/data/palmer-penguins/penguins.csv. Prints, per setting, the species' silhouette
in the map (how well species stay one compact group each) and the 5-NN accuracy of species in
the map (5-fold), averaged over seeds. The bar: with ``sex`` included, species separate at least
as well as without.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "palmer-penguins" / "penguins.csv"
NUMBERS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def scores(X: np.ndarray, y: np.ndarray, seeds: int) -> tuple[float, float]:
    from sklearn.metrics import silhouette_score
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    from pumap_core import ParametricUMAP

    got = []
    for seed in range(seeds):
        emb = ParametricUMAP(random_state=seed, verbose=False).fit_transform(X)
        got.append((silhouette_score(emb, y),
                    cross_val_score(KNeighborsClassifier(5), emb, y, cv=5).mean()))
    return tuple(np.mean(got, axis=0))


def main() -> None:
    from pumap_core.data import TablePreparation

    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    df = pd.read_csv(DATA).dropna(subset=NUMBERS + ["sex"]).reset_index(drop=True)
    without = TablePreparation(NUMBERS, label_column="species").fit_transform(df)
    with_sex = TablePreparation(NUMBERS + ["sex"], label_column="species").fit_transform(df)
    weight = with_sex.recipe["onehot_weight"]
    as_before = with_sex.X.copy()
    as_before[:, len(NUMBERS):] /= weight  # the one-hot columns back to 0/1
    y = without.labels
    print(f"penguins: {len(df)} rows; one-hot weight {weight:.3f} "
          f"(category change = {weight * np.sqrt(2):.2f} standard deviation)")
    print(f"{'features':<34} {'silhouette':>10} {'5-NN':>7}")
    for name, X in (("4 numbers", without.X), ("4 numbers + sex, 0/1 (before)", as_before),
                    ("4 numbers + sex, weighted (ours)", with_sex.X)):
        sil, knn = scores(X, y, args.seeds)
        print(f"{name:<34} {sil:>10.3f} {knn:>7.3f}", flush=True)


if __name__ == "__main__":
    main()
