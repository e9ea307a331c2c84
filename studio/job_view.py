"""The live view of a training job (Train page, and continued training on the Runs page).

A fragment polls the job's snapshot twice a second while it runs: progress bar with stage,
epoch and ETA, Cancel, the loss curve, then the outcome and a button to the new map.
"""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go
import streamlit as st

from studio import state
from studio.jobs import STAGE_LABELS


def loss_figure(losses: Sequence[float]) -> go.Figure:
    """The loss per epoch so far."""
    fig = go.Figure(go.Scatter(x=list(range(1, len(losses) + 1)), y=list(losses),
                               mode="lines+markers" if len(losses) < 40 else "lines"))
    fig.update_layout(height=280, margin=dict(l=10, r=10, t=30, b=10), title="Loss",
                      xaxis_title="epoch", yaxis_title="UMAP loss")
    return fig


def job_panel(job_key: str, prefix: str, running: bool) -> None:
    """Draw the job kept under ``st.session_state[job_key]``; widget keys start with ``prefix``.

    While ``running`` the panel refreshes itself; when the job ends it reruns the whole page
    once, so that forms disabled during training come back.
    """

    @st.fragment(run_every=0.5 if running else None)
    def panel() -> None:
        job = st.session_state.get(job_key)
        if job is None:
            return
        snap = job.snapshot()
        label = STAGE_LABELS.get(snap.stage, snap.stage)
        if snap.n_epochs and not snap.finished:
            eta = f", about {snap.eta:.0f} s left" if snap.eta is not None else ""
            label += f" — epoch {snap.epoch}/{snap.n_epochs}{eta}"
        st.progress(snap.progress, text=label)
        if not snap.finished and st.button("Cancel", key=f"{prefix}.cancel",
                                           help="Stop after the current step; the partly "
                                                "trained model is kept as a run."):
            job.cancel()
        if snap.losses:
            st.plotly_chart(loss_figure(snap.losses), width="stretch", key=f"{prefix}.loss")
        if snap.status == "failed":
            st.error(snap.error)
        elif snap.finished:
            verb = "Cancelled after" if snap.status == "cancelled" else "Finished"
            st.success(f"{verb} {len(snap.losses)} epochs in {snap.elapsed:.1f} s; saved as run "
                       f"{snap.run_id}.")
            if st.button("Explore the map", type="primary", key=f"{prefix}.explore"):
                state.put(state.RUN_ID, snap.run_id)
                st.switch_page("pages/explore.py")
        if running and snap.finished:
            st.rerun()  # re-enable the forms now that the job is over

    panel()
