"""What crosses into a job: one frozen, JSON-able order, and the estimator it builds.

The Train form (or any client) turns its settings into a :class:`JobOrder`; the order is
written to the job's folder and the worker builds the estimator from it, so nothing is
pickled into a job: the data come from the workspace by id. An :class:`EmbedOrder` places a
large Parquet dataset on a run's map, out of core (:mod:`pumap_core.scale`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from ..errors import InvalidParameterError
from .record import known_fields

if TYPE_CHECKING:
    from ..data import Dataset
    from ..estimator import ParametricUMAP

#: Settings that describe the network (built in the worker), not estimator parameters.
NETWORK_KEYS = ("network", "layers", "units")
NETWORKS = ("MLP", "CNN")


@dataclass(frozen=True)
class JobOrder:
    """One training to run.

    Attributes
    ----------
    dataset_id : str, a dataset of the workspace's :class:`~pumap_core.data.DatasetStore`
    params : dict, ParametricUMAP keyword arguments (JSON values only)
    network : "MLP" or "CNN"; layers, units : the MLP's depth and width
    use_labels : bool, the dataset's labels guide the map (``fit(X, y)``, supervised UMAP;
        ``params["target_weight"]`` says how strongly)
    run_name : str or None, the name of the run it is saved as
    continue_from : str or None, the id of a run whose model is trained further, with the
        job's landmark positions (``landmarks.npy`` in the job folder) holding its old points
    """

    dataset_id: str
    params: dict[str, Any] = field(default_factory=dict)
    network: str = "MLP"
    layers: int = 3
    units: int = 100
    use_labels: bool = False
    run_name: str | None = None
    continue_from: str | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], dataset_id: str) -> "JobOrder":
        """The order for the Train form's plain settings (network keys split off)."""
        settings = dict(settings)
        network = {k: settings.pop(k) for k in NETWORK_KEYS if k in settings}
        run_name = settings.pop("run_name", None)
        continue_from = settings.pop("continue_from", None)
        use_labels = bool(settings.pop("use_labels", False))
        order = cls(dataset_id=dataset_id, params=settings, run_name=run_name,
                    continue_from=continue_from, use_labels=use_labels, **network)
        if order.network not in NETWORKS:
            raise InvalidParameterError(f"network must be one of {', '.join(NETWORKS)}, got "
                                        f"{order.network!r}.")
        return order

    def settings(self) -> dict[str, Any]:
        """The form's view of the order: parameters and network keys in one dict."""
        return {**self.params, "network": self.network, "layers": self.layers,
                "units": self.units, **({"use_labels": True} if self.use_labels else {})}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "JobOrder":
        return cls(**known_fields(cls, raw))


@dataclass(frozen=True)
class EmbedOrder:
    """Embed every row of a large input with a run's model, and keep the result as a map.

    Attributes
    ----------
    run_id : str, the run whose model places the rows
    source : str, Parquet file, folder or glob (or CSV glob) that the workers can read
    keep : columns copied beside the coordinates (ids, labels...)
    columns : feature columns (None: those the model was trained on)
    name : the new map's name (None: from the source)
    """

    run_id: str
    source: str
    keep: tuple[str, ...] = ()
    columns: tuple[str, ...] | None = None
    name: str | None = None
    kind: str = "embed"

    @property
    def dataset_id(self) -> str:
        return ""  # the rows are read from ``source``, not from the dataset store

    def settings(self) -> dict[str, Any]:
        """What the job's page shows."""
        return {"run": self.run_id, "source": self.source, "keep": ", ".join(self.keep)}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "EmbedOrder":
        values = known_fields(cls, raw)
        values["keep"] = tuple(values.get("keep") or ())
        if values.get("columns") is not None:
            values["columns"] = tuple(values["columns"])
        return cls(**values)


def order_from_dict(raw: Mapping[str, Any]) -> "JobOrder | EmbedOrder":
    """Read an ``order.json`` of either kind (a training's has no ``kind``)."""
    return EmbedOrder.from_dict(raw) if raw.get("kind") == "embed" else JobOrder.from_dict(raw)


def build_estimator(order: JobOrder, dataset: "Dataset", *,
                    continue_model: str | None = None) -> "ParametricUMAP":
    """The estimator the order trains on ``dataset`` (its network built here).

    With ``continue_model`` (the model folder of ``order.continue_from``) the saved model is
    loaded to be trained further, for ``n_training_epochs`` of the order.
    """
    from .. import ParametricUMAP, load_ParametricUMAP

    if continue_model is not None:
        est = load_ParametricUMAP(continue_model)
        est.set_params(n_training_epochs=order.params.get("n_training_epochs"))
        return est
    params = dict(order.params)
    seed = params.get("random_state")
    if order.network == "CNN":
        from ..training.networks import conv_encoder

        if dataset.image_shape is None:
            raise InvalidParameterError("A CNN needs images; this dataset is a table, so "
                                        "choose the MLP network.")
        shape = (dataset.image_shape if len(dataset.image_shape) == 3
                 else (*dataset.image_shape, 1))
        params["encoder"] = conv_encoder(shape, params.get("n_components", 2), seed)
        params["dims"] = tuple(shape)
    elif (order.layers, order.units) != (3, 100):
        from ..training.networks import default_encoder

        params["encoder"] = default_encoder((dataset.n_features,), params.get("n_components", 2),
                                            seed, units=order.units, n_layers=order.layers)
    return ParametricUMAP(**params)
