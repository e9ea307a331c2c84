"""Train: settings, a background training job, live progress and loss curve, cancel."""

import plotly.graph_objects as go
import streamlit as st

from pumap_core.data import DEFAULT_DEMO, load_demo
from studio import state
from studio.errors import message_for
from studio.jobs import STAGE_LABELS, TrainingJob
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


def loss_figure(losses):
    fig = go.Figure(go.Scatter(x=list(range(1, len(losses) + 1)), y=list(losses),
                               mode="lines+markers" if len(losses) < 40 else "lines"))
    fig.update_layout(height=280, margin=dict(l=10, r=10, t=30, b=10), title="Loss",
                      xaxis_title="epoch", yaxis_title="UMAP loss")
    return fig


@st.fragment(run_every=0.5 if running else None)
def progress_panel():
    job = state.get(state.JOB)
    if job is None:
        return
    snap = job.snapshot()
    label = STAGE_LABELS.get(snap.stage, snap.stage)
    if snap.n_epochs and not snap.finished:
        eta = f", about {snap.eta:.0f} s left" if snap.eta is not None else ""
        label += f" — epoch {snap.epoch}/{snap.n_epochs}{eta}"
    st.progress(snap.progress, text=label)
    if not snap.finished and st.button("Cancel", key="train.cancel",
                                       help="Stop after the current step; the partly trained "
                                            "model is kept as a run."):
        job.cancel()
    if snap.losses:
        st.plotly_chart(loss_figure(snap.losses), width="stretch", key="train.loss")
    if snap.status == "failed":
        st.error(snap.error)
    elif snap.finished:
        verb = "Cancelled after" if snap.status == "cancelled" else "Finished"
        st.success(f"{verb} {len(snap.losses)} epochs in {snap.elapsed:.1f} s; saved as run "
                   f"{snap.run_id}.")
        if st.button("Explore the map", type="primary", key="train.explore"):
            state.put(state.RUN_ID, snap.run_id)
            st.switch_page("pages/explore.py")
    if running and snap.finished:
        st.rerun()  # re-enable the form now that the job is over


progress_panel()
