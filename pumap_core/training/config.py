"""Training configuration (plain data, importable without Keras)."""

from __future__ import annotations

from dataclasses import dataclass

# Up to this many points every training step embeds all of them (see training.sampler).
FULL_BATCH_MAX_POINTS = 20_000
# Default edges per step: in the full-batch layout a step costs about the same whatever its
# edge count, so steps are large, but never fewer than MIN_STEPS per epoch on small graphs.
BATCH_FULL = 16384
BATCH_EDGES = 4096
MIN_BATCH = 512
MIN_STEPS = 10
# Default length: AUTO_EPOCHS up to AUTO_POINTS points; beyond, fewer epochs (each holds more
# samples and the network generalises across them), never fewer than MIN_AUTO_EPOCHS.
AUTO_EPOCHS = 200
AUTO_POINTS = 10_000
MIN_AUTO_EPOCHS = 10


@dataclass(frozen=True)
class TrainingConfig:
    """How long and how the network is trained.

    One epoch draws as many edges as the graph holds (``n_edges``, both directions), in
    ``ceil(n_edges / batch_size)`` steps of ``batch_size`` edges, each edge with
    ``negative_sample_rate`` negative samples. ``batch_size=None`` and ``n_epochs=None`` are
    resolved from the data size (see the constants above).
    """

    n_epochs: int | None
    batch_size: int | None
    negative_sample_rate: int
    repulsion_strength: float
    learning_rate: float
    full_batch_max_points: int = FULL_BATCH_MAX_POINTS
    report_every: int = 1
    snapshots: int = 0  # about this many maps of a sample over the fit (0: none), .snapshots

    def resolved_batch_size(self, n_samples: int, n_edges: int) -> int:
        if self.batch_size is not None:
            return int(self.batch_size)
        if n_samples > self.full_batch_max_points:
            return BATCH_EDGES
        return int(min(BATCH_FULL, max(MIN_BATCH, n_edges // MIN_STEPS)))

    def resolved_epochs(self, n_samples: int) -> int:
        if self.n_epochs is not None:
            return int(self.n_epochs)
        if n_samples <= AUTO_POINTS:
            return AUTO_EPOCHS
        return max(MIN_AUTO_EPOCHS, round(AUTO_EPOCHS * AUTO_POINTS / n_samples))
