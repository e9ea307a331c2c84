"""Train: settings, a job of the server's training service, live progress and loss, cancel.

The job belongs to the server: its id is in the URL (``?job=…``), so a reload, a second tab or
another user opening the link sees the same live job.
"""

import streamlit as st

from pumap_core.data import DEFAULT_DEMO, load_demo
from pumap_core.errors import PumapError
from pumap_core.jobs import JobOrder
from studio import state
from studio.errors import user_errors
from studio.job_view import job_panel, show_jobs
from studio.routing import ensure_app_navigation
from studio.service import (job_store, kept_dataset, session_owner, stored_dataset_id,
                            training_service)
from studio.train_form import settings_form

ensure_app_navigation()
LAST_SETTINGS = "train.last_settings"  # what this session last sent (widgets forget on leaving)

st.title("Train")
if st.query_params.get("job"):  # a shared link, or this tab reloaded
    state.put(state.JOB_ID, st.query_params["job"])
form_column, job_column = st.columns([3, 2], gap="large")
# The job's state goes beside the form, at the top: in view both from the Train button and for
# someone who opens the job's link. One slot, so that a press replaces the last job's panel at
# once instead of leaving it on screen while the new job is sent.
job_slot = job_column.empty()

try:
    current = job_store().get(state.get(state.JOB_ID)) if state.get(state.JOB_ID) else None
except PumapError:  # a link to a job that is gone
    current = None
if current is not None:  # the job on show is in the URL, so that a reload finds it again
    st.query_params["job"] = current.id

ds = state.get(state.DATASET)
if ds is None and current is not None:  # a reloaded tab: the job's data, kept in the workspace
    ds = kept_dataset(current.dataset_id)
if ds is None:
    ds = load_demo(DEFAULT_DEMO)
    st.caption(f"No dataset was loaded, so the {DEFAULT_DEMO} demo is used (change it on Data).")
state.put(state.DATASET, ds)
form_column.write(f"Dataset: **{ds.name}** — {ds.n_items:,} items × {ds.n_features:,} "
                  "features")
busy = current is not None and current.owner == session_owner() and not current.finished
if busy:
    form_column.caption("Locked on your job's settings while it runs: cancel it, or wait.")
# The form starts from the settings of the job on show while it runs (this browser's, or the
# one a shared link follows), else from the last ones this session sent, else from those of
# the job on show (a reloaded tab).
following = current is not None and not current.finished
shown = (current.settings if following else
         state.get(LAST_SETTINGS) or (current.settings if current is not None else None))
with form_column:
    settings = settings_form(ds, disabled=busy, shown=shown)
if settings is not None and busy:  # a press that raced the lock: said, not lost silently
    form_column.warning("Your training is still queued or running, so this press was not sent; cancel "
               "it, or wait for it to end, to train again.")
elif settings is not None:
    state.put(LAST_SETTINGS, settings)
    job_slot.info(f"Sending your training of {ds.name} to the server…")
    with form_column, user_errors():
        service = training_service()
        order = JobOrder.from_settings(settings, stored_dataset_id(ds))
        record = service.submit(order, owner=session_owner(), dataset_name=ds.name,
                                n_items=ds.n_items)
        state.put(state.JOB_ID, record.id)
        st.query_params["job"] = record.id
        st.rerun()

with job_slot.container():
    if not job_panel(state.JOB_ID, "train"):
        st.info("Press **Train**: the training's progress and its loss curve appear here, "
                "live. You may leave the page meanwhile; the job goes on on the server.")
show_jobs(job_store().list(active_only=True), key="train.jobs")
