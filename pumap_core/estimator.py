"""ParametricUMAP: a scikit-learn estimator and drop-in for umap-learn's class of that name."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from . import params as P
from .errors import InvalidDataError, TrainingDivergedError
from .graph import FuzzyGraph, KNNResult, find_ab_params, fuzzy_simplicial_set, nearest_neighbors
from .fitted import FittedModelMixin
from .landmarks import LandmarksMixin, TrainingRows, training_rows
from .training.events import ListenersMixin
from .validation import as_float_matrix, feature_names_of

if TYPE_CHECKING:  # these import Keras, which ``import pumap_core`` leaves for the first fit
    import keras
    import scipy.sparse

    from .model import EmbeddingModel, FitInfo
    from .training.checkpoint import Checkpoint
    from .training.objectives import Objectives
    from .training.snapshots import TrainingSnapshots
    from .training.trainer import TrainResult

log = logging.getLogger("pumap_core")


class ParametricUMAP(ListenersMixin, LandmarksMixin, FittedModelMixin, TransformerMixin,
                     BaseEstimator):
    """Learn a neural network that maps data to a UMAP embedding.

    Parameters keep umap-learn's names and defaults. Training is measured in epochs that mean
    what the history shows: an epoch draws as many edges (by weight, with
    ``negative_sample_rate`` negative samples each) as the fuzzy graph holds, i.e. about
    ``n_samples * n_neighbors * 1.3`` edge samples; ``history_["loss"]`` has one entry per epoch,
    the progress events tick once per epoch, and ``keras.callbacks.EarlyStopping(patience=p)``
    passed in ``keras_fit_kwargs`` counts the same epochs.

    Parameters
    ----------
    n_neighbors : int, default 15
        Size of the local neighbourhood (the point itself included).
    n_components : int, default 2
        Dimension of the embedding.
    metric : {"euclidean", "cosine", "manhattan", "correlation"}, default "euclidean"
    min_dist, spread : float, default 0.1, 1.0
        How tightly points may pack, and the scale of the embedding.
    negative_sample_rate : int, default 5
        Negative samples per edge sample.
    set_op_mix_ratio : float, default 1.0
        1 = fuzzy union of the local sets, 0 = fuzzy intersection.
    local_connectivity : float, default 1.0
        Number of neighbours assumed to be fully connected.
    repulsion_strength : float, default 1.0
        Weight of negative samples in the loss.
    random_state : int, numpy Generator or None
        Seed; with an int, two fits on one machine give the same embedding.
    verbose : bool, default False
        Log stages and epochs to the ``pumap_core`` logger.
    encoder : keras.Model or None
        Network from items to ``n_components`` values; default Flatten → 3 × Dense(100, relu)
        → Dense(n_components). A copy is trained; the trained network is ``encoder_``.
    dims : tuple of int or None
        Shape of one item (e.g. (28, 28, 1)); flat rows are reshaped to it in ``fit`` and
        ``transform``.
    batch_size : int or None
        Edges per training step. None: up to 20,000 points every step embeds all points and
        scores min(16384, n_edges / 10) edges (at least 10 steps per epoch); beyond, a step
        embeds the endpoints of 4096 edges.
    n_training_epochs : int or None
        Number of epochs (see above). None: 200 up to 10,000 points, then 200 * 10,000 / n
        (at least 10), since larger data give more samples per epoch.
    learning_rate : float, default 1e-2
        Start of the cosine-decayed Adam learning rate (ignored when ``optimizer`` is given).
    loss_report_frequency : int, default 10
        With ``verbose``, log the loss every this many epochs (the history keeps every epoch).
    optimizer : keras.optimizers.Optimizer or None
        Copied from its config for each fit.
    keras_fit_kwargs : dict or None
        Extra arguments to ``keras.Model.fit`` (e.g. ``{"callbacks": [EarlyStopping(...)]}``).
    n_epochs : None
        umap-learn's non-parametric epoch count; accepted for compatibility, has no effect here
        (a warning says so): use ``n_training_epochs``.
    n_jobs : int, default -1
        Threads for the neighbour search (1 when ``random_state`` is set, for reproducibility).
    low_memory : bool, default True
        NN-descent's low-memory mode for large data.
    init : {"spectral", "pca", "random"} or array of shape (n_samples, n_components)
        Warm start before UMAP training (umap-learn accepts ``init`` and ignores it here): the
        network first regresses for 200 steps onto the spectral layout of the graph, the first
        principal components of ``X``, or the given positions (centred and rescaled, aspect
        kept); "random" skips it. Default "spectral" (see benchmarks/RESULTS.md).
    snapshots : bool or int, default True
        Picture the map as it trains: a fixed random sample of at most 2,000 rows (drawn with
        ``random_state``) is embedded before UMAP training (after the warm start), about 40
        times over the fit (an int: about that many) and at the end, into ``snapshots_``;
        listeners get each as a :class:`~pumap_core.training.events.SnapshotEvent`. A few %
        of the fit time (benchmarks/RESULTS.md); False (or 0) takes none.
    target_metric : "categorical" or a metric name, default "categorical"
        How the labels ``y`` given to :meth:`fit` are read (supervised UMAP, as umap-learn):
        class labels (-1, None or NaN: unknown, so a partly labelled ``y`` is
        semi-supervised), or numbers compared with that metric ("euclidean", ...).
    target_weight : float in [0, 1], default 0.5
        How strongly the labels shape the map: 0 barely, 1 as much as they can (for class
        labels: edges between different classes are cut).
    target_n_neighbors : int, default -1
        Neighbours per point in the graph of a numeric target; -1: ``n_neighbors``.
    parametric_reconstruction : bool, default False
        Also train a decoder, for :meth:`inverse_transform`. Its loss leaves the map unchanged
        (the decoder sees a gradient-free embedding) unless ``autoencoder_loss`` is set.
    decoder : keras.Model or None
        Network from ``n_components`` values to one item (shape ``dims`` or (n_features,));
        default: the encoder mirrored, 3 × Dense(100, relu) → Dense(n_features). A copy is
        trained; the trained decoder, returning data in the input range, is ``decoder_``.
    parametric_reconstruction_loss_fcn : None, "mse", "binary_crossentropy" or callable
        None / "mse": mean squared error (learned on standardised rows, returned in the data's
        range). "binary_crossentropy" (data in [0, 1]): the decoder then ends in a sigmoid, so
        ``inverse_transform`` returns values in [0, 1]. A callable ``loss(y_true, y_pred)``
        compares raw rows (m, n_features); it is not saved with the model.
    parametric_reconstruction_loss_weight : float, default 1.0
    autoencoder_loss : bool, default False
        Train the encoder on the reconstruction loss too, jointly with the UMAP loss.
    reconstruction_validation : array of shape (m, n_features) or None
        Rows whose reconstruction loss is logged each epoch (``history_["val_reconstruction_loss"]``).
    global_correlation_loss_weight : float, default 0
        Weight of umap-learn's global-structure term: minus the Pearson correlation between
        data-space and embedding-space distances of random pairs of points.
    landmark_loss_fn : callable or None
        ``loss(y_true, y_pred)`` between landmark positions and embedded landmarks, per point or
        a mean; default the Euclidean distance.
    landmark_loss_weight : float, default 1.0
        Weight of the landmark term (see :meth:`fit` and :meth:`add_landmarks`).

    Attributes
    ----------
    embedding_ : float32 array of shape (n_samples, n_components)
    encoder_ : keras.Model, the trained network
    n_features_in_ : int
    feature_names_in_ : array of str, the column names when fitted on a DataFrame of named columns
    history_ : dict with "loss", one entry per epoch (also readable as ``_history``)
    graph_ : scipy.sparse.csr_matrix, the fuzzy graph
    model_ : EmbeddingModel, owns ``transform``, ``inverse_transform``, ``export`` and ``save``
    cancelled_ : bool, True when training was stopped by :meth:`cancel`
    decoder_ : keras.Model or None, embedding → item in the input range (with reconstruction)
    snapshots_ : TrainingSnapshots or None, the sample's map at several epochs (``epochs``
        (n_snapshots,), ``positions`` (n_snapshots, n_sample, n_components), ``rows``
        (n_sample,) of ``X``); None with ``snapshots=False`` or for a loaded model
    """

    def __init__(self, *, n_neighbors: int = 15, n_components: int = 2,
                 metric: str = "euclidean", min_dist: float = 0.1, spread: float = 1.0,
                 negative_sample_rate: int = 5, set_op_mix_ratio: float = 1.0,
                 local_connectivity: float = 1.0, repulsion_strength: float = 1.0,
                 random_state: Any = None, verbose: bool = False, encoder: Any = None,
                 dims: Sequence[int] | None = None, batch_size: int | None = None,
                 n_training_epochs: int | None = None,
                 learning_rate: float = P.DEFAULT_LEARNING_RATE,
                 loss_report_frequency: int = 10, optimizer: Any = None,
                 keras_fit_kwargs: dict | None = None, n_epochs: int | None = None,
                 n_jobs: int = -1, low_memory: bool = True, decoder: Any = None,
                 parametric_reconstruction: bool = False,
                 parametric_reconstruction_loss_fcn: Any = None,
                 parametric_reconstruction_loss_weight: float = 1.0,
                 autoencoder_loss: bool = False,
                 reconstruction_validation: Any = None,
                 global_correlation_loss_weight: float = 0.0,
                 landmark_loss_fn: Any = None, landmark_loss_weight: float = 1.0,
                 init: Any = "spectral", snapshots: bool | int = True,
                 target_metric: str = "categorical", target_weight: float = 0.5,
                 target_n_neighbors: int = -1) -> None:
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.metric = metric
        self.min_dist = min_dist
        self.spread = spread
        self.negative_sample_rate = negative_sample_rate
        self.set_op_mix_ratio = set_op_mix_ratio
        self.local_connectivity = local_connectivity
        self.repulsion_strength = repulsion_strength
        self.random_state = random_state
        self.verbose = verbose
        self.encoder = encoder
        self.dims = dims
        self.batch_size = batch_size
        self.n_training_epochs = n_training_epochs
        self.learning_rate = learning_rate
        self.loss_report_frequency = loss_report_frequency
        self.optimizer = optimizer
        self.keras_fit_kwargs = keras_fit_kwargs
        self.n_epochs = n_epochs
        self.n_jobs = n_jobs
        self.low_memory = low_memory
        self.decoder = decoder
        self.parametric_reconstruction = parametric_reconstruction
        self.parametric_reconstruction_loss_fcn = parametric_reconstruction_loss_fcn
        self.parametric_reconstruction_loss_weight = parametric_reconstruction_loss_weight
        self.autoencoder_loss = autoencoder_loss
        self.reconstruction_validation = reconstruction_validation
        self.global_correlation_loss_weight = global_correlation_loss_weight
        self.landmark_loss_fn = landmark_loss_fn
        self.landmark_loss_weight = landmark_loss_weight
        self.init = init
        self.snapshots = snapshots
        self.target_metric = target_metric
        self.target_weight = target_weight
        self.target_n_neighbors = target_n_neighbors

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None, landmark_positions: Any = None,
            checkpoint: str | Path | None = None) -> "ParametricUMAP":
        """Build the fuzzy graph of ``X`` (n_samples, n_features) and train the encoder.

        Parameters
        ----------
        y : array of shape (n_samples,) or None
            Labels that guide the map (see ``target_metric``); None: the map of ``X`` alone.
        landmark_positions : array of shape (n_samples, n_components) or None
            Where rows of ``X`` must stay in the map: a position per landmark, a row of NaN for
            every other point. Landmarks set with :meth:`add_landmarks` are used when this is
            None (their rows are appended to ``X``, as in umap-learn). With landmarks, a fitted
            estimator continues training its encoder (and decoder) instead of starting afresh.
        checkpoint : str or Path or None
            A file to make the fit resumable: its state is written there every few seconds
            while it trains, and a fit of the same data and parameters given the same file
            goes on from where that one stopped (a killed process loses a few seconds of
            training, not the fit). Removed when the fit completes. See
            :mod:`pumap_core.training.checkpoint`.

        Raises
        ------
        pumap_core.PumapError
            (a ValueError / TypeError subclass) with a one-line message for bad data or
            parameters; TrainingDivergedError if the loss becomes NaN (the fitted attributes
            then hold the last good weights).
        """
        from .model import EmbeddingModel

        self._t0 = time.perf_counter()
        if self.verbose:
            P.enable_verbose_logging()
        config = P.validate(self, y=y)
        rows, item_shape = self._check_inputs(X, landmark_positions)
        rng = np.random.default_rng(self.random_state)  # every draw below, in this order
        cancel = self._reset_cancel()
        objectives = self._objectives(rows, item_shape, rng)
        knn, graph = self._build_graph(rows.X, config.metric, rng)
        if y is not None:
            graph = self._with_target(graph, y, rows, rng)
        a, b = find_ab_params(self.spread, self.min_dist)
        saving = self._checkpoint(checkpoint, rows.X, y)
        encoder, decoder, result = self._train(rows, item_shape, graph, a, b, config, objectives,
                                               rng, cancel, saving)
        model = EmbeddingModel(encoder=encoder, a=a, b=b, n_features_in=rows.X.shape[1],
                               item_shape=item_shape, history=result.history,
                               info=self._fit_info(rows, knn, graph, objectives, result),
                               decoder=decoder, landmarks=rows.kept,
                               feature_names=feature_names_of(X))
        self._set_fitted(model, graph=graph.graph, embedding=model.transform(rows.X),
                         snapshots=result.snapshots)
        if saving is not None and not (result.cancelled or result.diverged):
            saving.remove()
        self._finish(result)
        return self

    def _checkpoint(self, path: str | Path | None, X: np.ndarray,
                    y: Any = None) -> Checkpoint | None:
        """The checkpoint of this fit (keyed by its rows, labels and parameters), or None."""
        from .training.checkpoint import Checkpoint, fingerprint

        if path is None:
            return None
        params = {k: v for k, v in self.get_params().items()
                  if v is None or isinstance(v, (bool, int, float, str))}
        if y is not None:  # a digest, not the labels: y may hold millions
            from .graph.target import target_values

            params["y"] = hashlib.sha256(target_values(y).astype(str).tobytes()).hexdigest()
        return Checkpoint(path, fingerprint(X, params))

    def _check_inputs(self, X: Any,
                      landmark_positions: Any) -> tuple[TrainingRows, tuple[int, ...]]:
        """The rows to train on (see :func:`.landmarks.training_rows`) and the item shape."""
        from .training.networks import input_shape_for

        rows = training_rows(as_float_matrix(X, min_rows=2), landmark_positions,
                             self.__dict__.get("model_"), self.n_components)
        P.check_against_data(self, len(rows.X))
        if np.ptp(rows.X, axis=0).max() == 0:
            raise InvalidDataError("All rows are identical, so there is no structure to map; "
                                   "check that the right columns were selected.")
        return rows, input_shape_for(rows.X.shape[1], self.dims)

    def _objectives(self, rows: TrainingRows, item_shape: tuple[int, ...],
                    rng: np.random.Generator) -> Objectives:
        """The extra loss terms of this fit (reconstruction, global structure, landmarks)."""
        from .training.decoding import Reconstruction
        from .training.objectives import Objectives

        X = rows.X
        recon, validation = None, None
        if self.parametric_reconstruction:
            recon = Reconstruction.build(
                X, decoder=self.decoder, loss_fcn=self.parametric_reconstruction_loss_fcn,
                n_components=self.n_components, item_shape=item_shape,
                seed=int(rng.integers(2**31 - 1)),
                previous=None if rows.resume is None else rows.resume.decoder)
            if self.reconstruction_validation is not None:
                validation = as_float_matrix(self.reconstruction_validation,
                                             what="reconstruction_validation")
                if validation.shape[1] != X.shape[1]:
                    raise InvalidDataError(
                        f"reconstruction_validation has {validation.shape[1]} features but X "
                        f"has {X.shape[1]}; pass rows with the same columns.")
        return Objectives(
            reconstruction=recon,
            reconstruction_weight=float(self.parametric_reconstruction_loss_weight),
            autoencoder=bool(self.autoencoder_loss),
            global_correlation_weight=float(self.global_correlation_loss_weight),
            landmark_positions=rows.positions, landmark_weight=float(self.landmark_loss_weight),
            landmark_loss_fn=self.landmark_loss_fn, validation=validation)

    def _build_graph(self, X: np.ndarray, metric: str,
                     rng: np.random.Generator) -> tuple[KNNResult, FuzzyGraph]:
        """The neighbours of the rows ``X`` and their fuzzy graph."""
        self._stage("knn", f"finding {self.n_neighbors} neighbours of {len(X)} points")
        knn = nearest_neighbors(X, self.n_neighbors, metric, seed=int(rng.integers(2**31 - 1)),
                                n_jobs=1 if self.random_state is not None else self.n_jobs,
                                low_memory=self.low_memory)
        self._stage("graph", "building the fuzzy graph")
        return knn, fuzzy_simplicial_set(knn, set_op_mix_ratio=self.set_op_mix_ratio,
                                         local_connectivity=self.local_connectivity)

    def _with_target(self, graph: FuzzyGraph, y: Any, rows: TrainingRows,
                     rng: np.random.Generator) -> FuzzyGraph:
        """The graph with the labels ``y`` taken in (supervised UMAP, :mod:`.graph.target`)."""
        from .graph.target import fit_target

        self._stage("graph", "taking the labels into the graph")
        appended = 0 if rows.kept is None or rows.positions is None else len(rows.kept.X)
        k = self.n_neighbors if self.target_n_neighbors == -1 else self.target_n_neighbors
        return fit_target(graph, y, landmark_rows=appended, target_metric=self.target_metric,
                          target_weight=float(self.target_weight), n_neighbors=int(k), rng=rng)

    def _train(self, rows: TrainingRows, item_shape: tuple[int, ...], graph: FuzzyGraph,
               a: float, b: float, config: P.FitConfig, objectives: Objectives,
               rng: np.random.Generator, cancel: threading.Event,
               checkpoint: Checkpoint | None = None,
               ) -> tuple[keras.Model, keras.Model | None, TrainResult]:
        """Train the encoder (a new one, or the one of the map it continues) and any decoder.

        Returns the encoder, the data-space decoder (None without reconstruction) and the
        training result.
        """
        from .training.fit import fit_network

        self._stage("training", f"training for {config.training.resolved_epochs(len(rows.X))} "
                                f"epochs of {graph.n_edges} edge samples")
        encoder, result = fit_network(
            rows.X, graph, encoder=self.encoder, item_shape=item_shape,
            n_components=self.n_components, a=a, b=b, config=config.training, rng=rng,
            emit=self._emit, cancel=cancel, optimizer=self.optimizer,
            keras_fit_kwargs=self.keras_fit_kwargs, init=config.init, objectives=objectives,
            start=None if rows.resume is None else rows.resume.encoder, checkpoint=checkpoint)
        recon = objectives.reconstruction
        return encoder, None if recon is None else recon.exposed(self.n_components), result

    def _fit_info(self, rows: TrainingRows, knn: KNNResult, graph: FuzzyGraph,
                  objectives: Objectives, result: TrainResult) -> FitInfo:
        """How this fit went, for ``model_.info`` and the manifest."""
        from .model import FitInfo
        from .training.objectives import describe

        return FitInfo(n_samples=len(rows.X), n_edges=graph.n_edges, knn_exact=knn.exact,
                       steps_per_epoch=result.steps_per_epoch,
                       edges_per_epoch=result.edges_per_epoch, cancelled=result.cancelled,
                       epochs_trained=len(result.history["loss"]),
                       fit_seconds=round(time.perf_counter() - self._t0, 3),
                       continued=rows.resume is not None, terms=describe(objectives))

    def _set_fitted(self, model: EmbeddingModel, *, graph: scipy.sparse.csr_matrix | None = None,
                    embedding: np.ndarray | None = None,
                    snapshots: TrainingSnapshots | None = None) -> None:
        """Expose ``model`` (fitted or loaded) as the estimator's fitted attributes."""
        self.model_ = model
        self.snapshots_ = snapshots
        self.encoder_ = model.encoder
        self.decoder_ = model.decoder
        self.n_features_in_ = model.n_features_in
        self.history_ = model.history
        self._a, self._b = model.a, model.b
        self.cancelled_ = bool(model.info.cancelled)
        self.__dict__.pop("feature_names_in_", None)  # scikit-learn's: only for named columns
        if model.feature_names is not None:
            self.feature_names_in_ = np.asarray(model.feature_names, dtype=object)
        if graph is not None:
            self.graph_ = graph
        if embedding is not None:
            self.embedding_ = embedding

    def _finish(self, result: TrainResult) -> None:
        """The last stage event: "done", "cancelled", or "failed" with TrainingDivergedError."""
        if result.diverged:
            self._stage("failed", "the loss became NaN")
            raise TrainingDivergedError(
                "Training diverged (the loss became NaN); the last good weights were kept. "
                "Lower the learning rate or standardise the data.")
        info = self.model_.info
        self._stage("cancelled" if result.cancelled else "done",
                    f"{info.epochs_trained} epochs in {info.fit_seconds:.1f}s")

    def fit_transform(self, X: Any, y: Any = None, **fit_params) -> np.ndarray:
        """Fit and return the embedding of ``X``, shape (n_samples, n_components)."""
        return self.fit(X, y, **fit_params).embedding_


def load_ParametricUMAP(save_location: str | Path, verbose: bool = False) -> ParametricUMAP:
    """Load a folder written by :meth:`ParametricUMAP.save` (umap-learn's function name)."""
    from .persistence import from_manifest, load_model

    model, manifest, embedding = load_model(save_location)
    inner = None if model.decoder is None else model.decoder.layers[0]
    est = from_manifest(ParametricUMAP, manifest, model.encoder, inner)
    est._set_fitted(model, embedding=embedding)
    if verbose:
        log.info("loaded %s", save_location)
    return est
