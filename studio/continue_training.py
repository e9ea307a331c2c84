"""Continue training a run on new data, keeping its old points where they were.

The old run is never changed: its rows (``features.npy``) and the new upload are trained on
together, starting from the run's trained model, with the old points as landmarks at their old
positions (rows of NaN for the new items); the result is saved as a new run. The training runs
as a job of the server's training service, like the Train page's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from pumap_core.data import (UPLOAD_TYPES, Dataset, apply_recipe, combine_datasets,
                             max_upload_bytes)
from pumap_core.errors import PumapError
from pumap_core.jobs import JobOrder
from pumap_core.runs import Run, RunInfo, Workspace
from studio import state
from studio.errors import user_errors
from studio.job_view import job_panel
from studio.runs_view import label_for
from studio.service import job_store, session_owner, stored_dataset_id, training_service
from studio.shared_runs import shared_run
from studio.train_form import auto_epochs

JOB = "runs.continue_job"  # id of the continue-training job this session submitted
RUN = "runs.continue_run"  # the run to continue (follows the run selected on the page)


def continue_job(run: Run, data: bytes, filename: str,
                 epochs: int | None) -> tuple[Dataset, JobOrder, np.ndarray]:
    """What the training service needs to continue ``run`` on an uploaded file.

    Returns the combined dataset (old items first), the job's order (the run to continue,
    epochs, a name; its ``dataset_id`` still empty) and the landmark positions: the old points'
    coordinates, NaN rows for the new items.

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
    order = JobOrder(dataset_id="", params={"n_training_epochs": epochs},
                     run_name=f"{run.name} + {filename}"[:120], continue_from=run.id)
    return dataset, order, positions


def continue_section(ws: Workspace, infos: list[RunInfo], default: str | None) -> None:
    """The Runs page's "Continue training on new data" section; ``default`` is the run
    selected on the page, which the "Run to continue" picker follows."""
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
    state.follow(RUN, default, ids)  # the run selected on the page, until one is picked here
    target = st.selectbox("Run to continue", ids, key=RUN,
                          format_func=lambda r: label_for(by_id[r]),
                          help="The run selected above, unless you choose another here.")
    info = by_id[target]
    images = info.dataset_kind == "images"
    running = _running(st.session_state.get(JOB))
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
            dataset, order, positions = continue_job(shared_run(ws, target), upload.getvalue(),
                                                     upload.name, int(epochs))
            order = replace(order, dataset_id=stored_dataset_id(dataset))
            record = training_service().submit(order, owner=session_owner(),
                                               dataset_name=dataset.name,
                                               n_items=dataset.n_items, landmarks=positions)
            st.session_state[JOB] = record.id
            st.rerun()
    job_panel(JOB, "runs.continue")


def _running(job_id: str | None) -> bool:
    """Whether the job ``job_id`` is queued or running."""
    if not job_id:
        return False
    try:
        return not job_store().get(job_id).finished
    except PumapError:
        return False
