"""Train: settings, a background training job, live progress and loss curve, cancel."""

import streamlit as st

from pumap_core.data import DEFAULT_DEMO, load_demo
from studio import state
from studio.errors import message_for
from studio.job_view import job_panel
from studio.jobs import TrainingJob
from studio.train_form import settings_form
from studio.routing import ensure_app_navigation

ensure_app_navigation()

st.title("Train")
ds = state.get(state.DATASET)
if ds is None:
    ds = load_demo(DEFAULT_DEMO)
    state.put(state.DATASET, ds)
    st.caption(f"No dataset was loaded, so the {DEFAULT_DEMO} demo is used (change it on Data).")
st.write(f"Dataset: **{ds.name}** — {ds.n_items:,} items × {ds.n_features:,} features")


job = state.get(state.JOB)
running = job is not None and not job.snapshot().finished
settings = settings_form(ds, disabled=running)
if settings is not None and not running:
    try:
        standby = state.get(state.STANDBY) or TrainingJob()
        state.put(state.STANDBY, None)
        job = standby.start(ds, settings)
        state.put(state.JOB, job)
        running = True
    except Exception as exc:  # noqa: BLE001
        st.error(message_for(exc))

if state.get(state.STANDBY) is None and not running:  # start the next process now
    state.put(state.STANDBY, TrainingJob())


job_panel(state.JOB, "train", running)
