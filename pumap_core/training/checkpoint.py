"""Resumable training: the state of a fit in one file, written as it trains.

``fit(X, checkpoint=path)`` writes, at the end of an epoch once :data:`EVERY_SECONDS` have
passed since the last write (and at the last epoch), everything needed to go on: the weights
of the trained networks (encoder as trained, decoder), the optimizer's variables (its step
count too, so the learning-rate schedule goes on where it was), the epochs done with their
loss history, and the input projection of the default encoder. A later ``fit`` of the same
data and parameters with the same ``checkpoint`` skips the warm start and trains only the
epochs that are left; a finished fit removes the file.

The file is an ``.npz`` of plain arrays (no pickles) written beside its target and renamed
over it, so a process killed mid-write leaves the previous checkpoint whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

from ..errors import InvalidParameterError, ModelFileError, one_line

FORMAT = "pumap-checkpoint"
SCHEMA_VERSION = 1
#: A checkpoint is written at the end of the first epoch this long after the last one
#: (``$PUMAP_CHECKPOINT_SECONDS`` sets it for a server's workers).
EVERY_ENV = "PUMAP_CHECKPOINT_SECONDS"
EVERY_SECONDS = 10.0
_STATE = "state"


def fingerprint(X: np.ndarray, params: dict[str, Any]) -> str:
    """What a checkpoint must match: the rows' shape, a sample of their bytes, the parameters.

    About a thousand evenly spaced rows are hashed, not all of them: a fit of other data of the
    same shape is told apart in microseconds, whatever the size of ``X``.
    """
    step = max(1, len(X) // 1000)
    digest = hashlib.sha256(repr(X.shape).encode())
    digest.update(np.ascontiguousarray(X[::step]).tobytes())
    digest.update(json.dumps(params, sort_keys=True, default=repr).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class SavedState:
    """A checkpoint as read back.

    Attributes
    ----------
    epoch : epochs finished when it was written.
    history : the loss history of those epochs (``{"loss": [...], ...}``).
    weights : the trained networks' weights, in ``get_weights`` order.
    optimizer : the optimizer's variables, in ``optimizer.variables`` order.
    fixed : named arrays the fit fixed before training (the input projection), to reuse.
    """

    epoch: int
    history: dict[str, list[float]]
    weights: list[np.ndarray]
    optimizer: list[np.ndarray]
    fixed: dict[str, np.ndarray] = field(default_factory=dict)


class Checkpoint:
    """The checkpoint file of one resumable fit.

    Parameters
    ----------
    path : str or Path, the file (``.npz``) to write and resume from.
    key : the fit's :func:`fingerprint`; a file written by another fit is refused.
    every : seconds between writes (None: ``$PUMAP_CHECKPOINT_SECONDS``, else
        :data:`EVERY_SECONDS`).
    """

    def __init__(self, path: str | os.PathLike, key: str, every: float | None = None) -> None:
        self.path, self.key = Path(path), key
        self.every = float(_default_every() if every is None else every)

    def load(self) -> SavedState | None:
        """The saved state, or None when there is none yet.

        Raises
        ------
        InvalidParameterError
            The file was written by a fit of other data or parameters.
        ModelFileError
            The file is not a readable checkpoint.
        """
        if not self.path.is_file():
            return None
        try:
            with np.load(self.path, allow_pickle=False) as saved:
                state = json.loads(str(saved[_STATE]))
                arrays = {name: saved[name] for name in saved.files if name != _STATE}
        except (OSError, ValueError, KeyError) as exc:
            raise ModelFileError(f"The checkpoint {self.path} cannot be read ({one_line(exc)}); "
                                 "delete it to train from the start.") from None
        if state.get("format") != FORMAT or state.get("schema_version") != SCHEMA_VERSION:
            raise ModelFileError(f"{self.path} is not a checkpoint of this version of pumap; "
                                 "delete it to train from the start.")
        if state.get("key") != self.key:
            raise InvalidParameterError(
                f"The checkpoint {self.path} was written by a fit of other data or parameters; "
                "pass another checkpoint path, or delete it to train from the start.")

        def listed(prefix: str) -> list[np.ndarray]:
            return [arrays[f"{prefix}{i}"] for i in range(state[f"n_{prefix}"])]

        return SavedState(epoch=int(state["epoch"]), history=state["history"],
                          weights=listed("w"), optimizer=listed("o"),
                          fixed={k[2:]: v for k, v in arrays.items() if k.startswith("f_")})

    def progress(self) -> tuple[int, list[float]] | None:
        """Epochs done in the saved state and their losses (None: no readable checkpoint);
        cheap (the weights are not read) and without the key check."""
        try:
            with np.load(self.path, allow_pickle=False) as saved:
                state = json.loads(str(saved[_STATE]))
            return int(state["epoch"]), list(state["history"].get("loss", []))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write(self, epoch: int, history: dict[str, list[float]], weights: list[np.ndarray],
              optimizer: list[np.ndarray], fixed: dict[str, np.ndarray]) -> None:
        """Replace the file with this state (written beside it, then renamed over it)."""
        state = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "key": self.key,
                 "epoch": int(epoch), "history": history,
                 "n_w": len(weights), "n_o": len(optimizer)}
        arrays = {**{f"w{i}": w for i, w in enumerate(weights)},
                  **{f"o{i}": o for i, o in enumerate(optimizer)},
                  **{f"f_{k}": v for k, v in fixed.items()}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as out:
                np.savez(out, **{_STATE: np.array(json.dumps(state))}, **arrays)
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _default_every() -> float:
    try:
        return max(0.0, float(os.environ.get(EVERY_ENV, EVERY_SECONDS)))
    except ValueError:
        return EVERY_SECONDS


def optimizer_values(optimizer: keras.optimizers.Optimizer) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(v) for v in optimizer.variables]


def restore_optimizer(optimizer: keras.optimizers.Optimizer, trainable: list,
                      values: list[np.ndarray]) -> None:
    """Build ``optimizer`` for ``trainable`` and give it the saved ``values``."""
    if not optimizer.built:
        optimizer.build(trainable)
    variables = optimizer.variables
    if len(variables) != len(values):
        raise ModelFileError("The checkpoint's optimizer does not match this fit's; delete the "
                             "checkpoint to train from the start.")
    for variable, value in zip(variables, values):
        variable.assign(value)


class CheckpointCallback(keras.callbacks.Callback):
    """Writes the checkpoint at the end of an epoch every ``checkpoint.every`` seconds.

    ``networks`` has ``get_weights`` (the encoder, or encoder and decoder together); ``history``
    is the fit's loss history, kept up to date by a callback that runs before this one;
    ``skip()`` says when the weights must not be kept (the loss diverged).
    """

    def __init__(self, checkpoint: Checkpoint, networks: Any, history: dict[str, list[float]],
                 fixed: dict[str, np.ndarray], n_epochs: int, skip: Any) -> None:
        super().__init__()
        self.checkpoint, self.networks, self.history = checkpoint, networks, history
        self.fixed, self.n_epochs, self.skip = fixed, n_epochs, skip
        self.last = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        now = time.monotonic()
        if self.skip() or (now - self.last < self.checkpoint.every and done < self.n_epochs):
            return
        self.checkpoint.write(done, {k: list(v) for k, v in self.history.items()},
                              self.networks.get_weights(), optimizer_values(self.model.optimizer),
                              self.fixed)
        self.last = time.monotonic()
