"""Continue training a run on new data, keeping its old points where they were.

The old run is never changed: its rows (``features.npy``) and the new upload are trained on
together, starting from the run's trained model, with the old points as landmarks at their old
positions (rows of NaN for the new items); the result is saved as a new run. The training runs
in the same background job as the Train page (:mod:`studio.jobs`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from pumap_core.data import (UPLOAD_TYPES, Dataset, apply_recipe, combine_datasets,
                             max_upload_bytes)
from pumap_core.runs import Run, RunInfo, Workspace
from studio.errors import user_errors
from studio.job_view import job_panel
from studio.jobs import TrainingJob
from studio.runs_view import label_for
from studio.shared_runs import shared_run
from studio.train_form import auto_epochs

JOB = "runs.continue_job"  # the continue-training job of this session


def continue_order(run: Run, data: bytes, filename: str,
                   epochs: int | None) -> tuple[Dataset, dict[str, Any]]:
    """What :meth:`TrainingJob.start` needs to continue ``run`` on an uploaded file.

    Returns the combined dataset and the job's settings: the run's model folder, landmark
    positions (the old points' coordinates, NaN rows for the new items), epochs and a name.

    Raises
    ------
    PumapError
        The upload cannot be prepared like the run's data, or the run does not keep its
        training rows (saved by an older version).
    """
    old = run.training_data()
    new = apply_recipe(data, filename, run.recipe, max_bytes=max_upload_bytes())
    dataset = combine_datasets(old, new, run.name)
    positions = np.full((dataset.n_items, run.embedding.shape[1]), np.nan, dtype=np.float32)
    positions[:old.n_items] = run.embedding
    settings = {"continue_from": str(run.path / "model"), "landmark_positions": positions,
                "n_training_epochs": epochs, "run_name": f"{run.name} + {filename}"[:120]}
    return dataset, settings


def continue_section(ws: Workspace, infos: list[RunInfo], default: str | None) -> None:
    """The Runs page's "Continue training on new data" section."""
    st.subheader("Continue training on new data")
    st.caption("The run's model keeps learning on its old items plus an upload. The old items "
               "are landmarks held at their places, so the map stays where it was and the new "
               "items find their places in it. The result is a new run; this one is kept as it "
               "is.")
    trained = [i for i in infos if i.error is None and i.has_model]
    if not trained:
        st.info("No trained run to continue; train a map on the Train page first.")
        return
    by_id = {i.id: i for i in trained}
    ids = list(by_id)
    target = st.selectbox("Run to continue", ids, key="runs.continue_run",
                          index=ids.index(default) if default in by_id else 0,
                          format_func=lambda r: label_for(by_id[r]))
    info = by_id[target]
    images = info.dataset_kind == "images"
    job = st.session_state.get(JOB)
    running = job is not None and not job.snapshot().finished
    upload = st.file_uploader(
        "New data: a zip of images" if images else "New data: a table with the training columns",
        type=list(UPLOAD_TYPES), key="runs.continue_upload",
        help="Prepared exactly like this run's training data (same columns or image size).")
    epochs = st.number_input(
        "Epochs", 1, 2000, auto_epochs(info.n_items or 1), key="runs.continue_epochs",
        help="Epochs of the continued training, over old and new items together.")
    if st.button("Continue training", type="primary", key="runs.continue",
                 disabled=upload is None or running):
        with user_errors():
            order = continue_order(shared_run(ws, target), upload.getvalue(), upload.name,
                                   int(epochs))
            st.session_state[JOB] = TrainingJob(str(ws.root)).start(*order)
            running = True
    job_panel(JOB, "runs.continue", running)
