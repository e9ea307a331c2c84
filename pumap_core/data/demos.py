"""Built-in demo datasets, shipped with scikit-learn, so the app works without network access."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from ..thumbnails import Thumbnails, cell_for
from .dataset import Dataset
from .images import image_recipe
from .table_prep import TablePreparation

#: Demo name → one-line description, in the order the app lists them.
DEMOS: dict[str, str] = {
    "digits": "1,797 handwritten digits, 8×8 grey images, 10 classes (scikit-learn)",
    "wine": "178 wines, 13 chemical measurements, 3 cultivars (scikit-learn)",
    "iris": "150 iris flowers, 4 measurements, 3 species (scikit-learn)",
}
DEFAULT_DEMO = "digits"


def load_demo(name: str = DEFAULT_DEMO) -> Dataset:
    """Load a demo dataset by name.

    Parameters
    ----------
    name : {"digits", "wine", "iris"}
        A key of :data:`DEMOS`.

    Returns
    -------
    Dataset
        ``digits``: ``kind="images"``, ``X`` of shape (1797, 64) in [0, 1], ``image_shape``
        (8, 8), integer labels and 64×64 thumbnails. ``wine`` and ``iris``: ``kind="table"``,
        standardized measurements, the class name as label.

    Raises
    ------
    InvalidParameterError
        Unknown demo name.
    """
    if name not in DEMOS:
        raise InvalidParameterError(f"Unknown demo {name!r}; choose one of: "
                                    f"{', '.join(DEMOS)}.")
    if name == "digits":
        return _digits()
    return _sklearn_table(name)


def _digits() -> Dataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = bunch.images / 16.0  # grey levels 0..16 → [0, 1], like pixels / 255 for uploads
    labels = bunch.target.astype(np.int64)
    # 8×8 is too small to see on hover: enlarged by a whole factor with nearest neighbour, as
    # fit_image would do one by one (×8 into a 64 px cell), here for all digits at once.
    cell = cell_for(len(images))
    factor = cell // 8
    grey = np.round(images * 255).astype(np.uint8)
    thumbnails = Thumbnails(grey.repeat(factor, axis=1).repeat(factor, axis=2))
    table = pd.DataFrame({"label": labels, "index": np.arange(len(labels))})
    return Dataset(name="digits", X=images.reshape(len(images), -1).astype(np.float32),
                   table=table, labels=labels, label_name="label", kind="images",
                   image_shape=(8, 8), thumbnails=thumbnails,
                   feature_names=[f"px_{r}_{c}" for r in range(8) for c in range(8)],
                   notes=["scikit-learn's digits: grey levels 0–16 divided by 16"],
                   # New images are read like an upload (grey, 8×8, pixels / 255), the same
                   # [0, 1] range; they must be light digits on a dark background, as here.
                   recipe=image_recipe((8, 8), "L"))


def _sklearn_table(name: str) -> Dataset:
    from sklearn.datasets import load_iris, load_wine

    bunch, label = (load_wine(as_frame=True), "cultivar") if name == "wine" else (
        load_iris(as_frame=True), "species")
    frame = bunch.frame.drop(columns="target")
    frame[label] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    return TablePreparation(label_column=label, scaling="standardize").fit_transform(frame,
                                                                                     name=name)
