"""The live view of a training job (Train page, and continued training on the Runs page), and
the list of every job of the server.

A fragment reads the job's record from the workspace twice a second while it is queued or
running: its state (place in line, stage, epoch, ETA), Cancel, the loss curve and the map as it
is now (the fit's latest snapshot of a sample, coloured by label), then the outcome and a
button to the new map. Any session can open any job: the record is the truth.
"""

from __future__ import annotations

import time
from typing import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pumap_core.errors import PumapError
from pumap_core.jobs import (CANCELLED, DONE, EMBED, FAILED, INTERRUPTED, QUEUED,
                             STAGE_LABELS, JobRecord)
from pumap_core.jobs.store import JobSnapshot
from studio import state
from studio.colours import PALETTE_20
from studio.errors import user_errors
from studio.replay import dataset_labels, live_map, start_label
from studio.service import job_store, session_owner, training_service


#: The parts of the loss in the record (:attr:`JobRecord.terms`), in words.
TERM_NAMES = {"umap_loss": "UMAP", "reconstruction_loss": "reconstruction",
              "global_correlation_loss": "global structure", "landmark_loss": "landmarks",
              "val_reconstruction_loss": "reconstruction, held-out rows"}


def loss_figure(losses: Sequence[float | None],
                terms: dict[str, Sequence[float | None]] | None = None,
                height: int = 280) -> go.Figure:
    """The loss per epoch so far: with several terms, the total that is minimised and each
    term (unweighted) as its own curve; else the UMAP loss alone."""
    epochs = list(range(1, len(losses) + 1))
    mode = "lines+markers" if len(losses) < 40 else "lines"
    fig = go.Figure(go.Scatter(x=epochs, y=list(losses), mode=mode,
                               name="total" if terms else "UMAP loss",
                               line=dict(color="#222222" if terms else PALETTE_20[0],
                                         width=3 if terms else 2)))
    for k, (key, values) in enumerate((terms or {}).items()):
        fig.add_trace(go.Scatter(x=epochs[-len(values):], y=list(values), mode=mode,
                                 name=TERM_NAMES.get(key, key),
                                 line=dict(color=PALETTE_20[k % 10], width=1.5)))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10),
                      title="Loss: total and its terms" if terms else "Loss",
                      xaxis_title="epoch", yaxis_title="loss" if terms else "UMAP loss",
                      showlegend=bool(terms), legend=dict(orientation="h", y=-0.3))
    return fig


def settings_summary(settings: dict) -> str:
    """The settings people compare, in a line: ``k = 15 · min_dist 0.1 · 200 epochs · MLP
    3×100``, and the extra terms when they are on."""
    parts = [f"k = {settings['n_neighbors']}" if "n_neighbors" in settings else "",
             f"min_dist {settings['min_dist']}" if "min_dist" in settings else "",
             f"{settings['n_training_epochs']} epochs"
             if settings.get("n_training_epochs") else ""]
    if settings.get("network") == "MLP":
        parts.append(f"MLP {settings.get('layers', 3)}×{settings.get('units', 100)}")
    elif settings.get("network"):
        parts.append(str(settings["network"]))
    if settings.get("parametric_reconstruction"):
        parts.append("+ autoencoder" if settings.get("autoencoder_loss") else "+ decoder")
    if settings.get("use_labels"):
        parts.append(f"+ label guide {settings.get('target_weight', 0.5):g}")
    if settings.get("global_correlation_loss_weight"):
        parts.append(f"+ global {settings['global_correlation_loss_weight']}")
    return " · ".join(p for p in parts if p)


def place_in_line(record: JobRecord, records: Sequence[JobRecord]) -> int | None:
    """1 for the next queued job to start, 2 for the one after...; None unless queued."""
    if record.status != QUEUED:
        return None
    queued = [r.id for r in records if r.status == QUEUED]
    return queued.index(record.id) + 1 if record.id in queued else None


def status_line(record: JobRecord, records: Sequence[JobRecord] = ()) -> str:
    """The job's state in words, for its progress bar."""
    label = STAGE_LABELS.get(record.stage, record.stage)
    place = place_in_line(record, records)
    if place is not None:
        ahead = place - 1
        label = ("Queued — next to start" if ahead == 0 else
                 f"Queued — {ahead} job{'s' if ahead > 1 else ''} ahead")
    elif record.n_epochs and not record.finished:
        eta = f", about {record.eta:.0f} s left" if record.eta is not None else ""
        unit = "part" if record.kind == EMBED else "epoch"
        label += f" — {unit} {record.epoch}/{record.n_epochs}{eta}"
    return label


def job_panel(job_key: str, prefix: str) -> bool:
    """Draw the job whose id is ``st.session_state[job_key]``; widget keys start with
    ``prefix``. While it is queued or running the panel refreshes itself; when it ends the
    whole page reruns once, so that forms disabled meanwhile come back. False when there is
    no job to show."""
    job_id = st.session_state.get(job_key)
    if not job_id:
        return False
    try:
        record = job_store().get(job_id)
    except PumapError as exc:
        st.warning(exc.user_message)
        return True

    @st.fragment(run_every=None if record.finished else 0.5)
    def panel() -> None:
        current = job_store().get(job_id)
        records = job_store().list(active_only=True) if current.status == QUEUED else ()
        st.progress(current.progress, text=status_line(current, records))
        st.caption(f"{current.dataset_name} ({current.n_items:,} items) — "
                   + settings_summary(current.settings))
        if not current.finished and st.button(
                "Cancel", key=f"{prefix}.cancel",
                help="A queued job never starts; a running one stops after the current step "
                     "and keeps the partly trained model as a run."):
            training_service().cancel(job_id)
        snap = job_store().snapshot(job_id)
        if current.losses:  # shorter above a live map, so that both are in view at 1400×900
            st.plotly_chart(loss_figure(current.losses, current.terms,
                                        height=280 if snap is None else 210),
                            width="stretch", key=f"{prefix}.loss")
        if snap is not None:
            _live_map(current, snap, prefix)
        _outcome(current, job_key, prefix)
        if current.finished and not record.finished:
            st.rerun()  # re-enable the forms now that the job is over

    panel()
    return True


def _live_map(record: JobRecord, snap: JobSnapshot, prefix: str) -> None:
    """The job's latest snapshot of its map, under the loss curve."""
    labels = dataset_labels(str(job_store().root), record.dataset_id)
    st.plotly_chart(live_map(snap.positions, snap.rows, labels, epoch=snap.epoch,
                             n_epochs=snap.n_epochs,
                             start=start_label(record.settings)),
                    width="stretch", key=f"{prefix}.live_map")


def _outcome(record: JobRecord, job_key: str, prefix: str) -> None:
    if record.status == INTERRUPTED:
        _interrupted(record, job_key, prefix)
    elif record.status == FAILED:
        st.error(record.error or STAGE_LABELS[record.status])
    elif record.status == CANCELLED and record.run_id is None:
        st.info("Cancelled before it started; nothing was trained.")
    elif record.kind == EMBED and record.status == DONE:
        st.success(f"Embedded {record.n_items:,} rows in {record.elapsed:.1f} s; kept as the "
                   f"map {record.run_id}.")
        _explore_button(record.run_id, prefix)
    elif record.status in (DONE, CANCELLED):
        verb = "Cancelled after" if record.status == CANCELLED else "Finished"
        resumed = (f" (resumed from epoch {record.resumed_from})" if record.resumed_from
                   else "")
        st.success(f"{verb} {len(record.losses)} epochs{resumed} in {record.elapsed:.1f} s; "
                   f"saved as run {record.run_id}.")
        _explore_button(record.run_id, prefix)


def _explore_button(run_id: str | None, prefix: str) -> None:
    if st.button("Explore the map", type="primary", key=f"{prefix}.explore"):
        state.put(state.RUN_ID, run_id)
        st.switch_page("pages/explore.py")


def _interrupted(record: JobRecord, job_key: str, prefix: str) -> None:
    """An interrupted job: resume it from its checkpoint (or start it over), or discard it."""
    saved = job_store().checkpoint_epoch(record.id)
    if saved:
        st.warning(f"{record.error or 'Training was interrupted.'} Its checkpoint holds "
                   f"{saved} of {record.n_epochs} epochs: resume it from there, or discard it.")
        label, help_ = f"Resume from epoch {saved}", "Go on training from the last checkpoint."
    else:
        st.warning(f"{record.error or 'Training was interrupted.'} It stopped before its first "
                   "checkpoint: start it over, or discard it.")
        label, help_ = "Start over", "The same data and settings, from the beginning."
    left, right = st.columns([1, 1])
    if left.button(label, type="primary", key=f"{prefix}.resume", help=help_):
        with user_errors():
            training_service().resume(record.id, owner=session_owner())
            st.rerun()
    with right.popover("Discard"):
        st.write("Forget this job and its checkpoint? Runs already saved are kept.")
        if st.button("Discard the job", key=f"{prefix}.discard"):
            with user_errors():
                training_service().discard(record.id)
                st.session_state.pop(job_key, None)
                if job_key == state.JOB_ID:
                    st.query_params.pop("job", None)
                st.rerun()


def jobs_table(records: Sequence[JobRecord]) -> pd.DataFrame:
    """One row per job, oldest first: whose, what data, which settings, how far."""
    me = session_owner()
    rows = []
    for record in records:
        settings = ", ".join(f"{k}={v}" for k, v in record.settings.items()
                             if k in ("n_neighbors", "min_dist", "n_training_epochs", "network"))
        rows.append({"state": status_line(record, records), "progress": record.progress,
                     "whose": "you" if record.owner == me else "another user",
                     "data": f"{record.dataset_name} ({record.n_items:,} items)",
                     "settings": settings,
                     "sent": time.strftime("%H:%M:%S", time.localtime(record.created)),
                     "job": record.id})
    return pd.DataFrame(rows)


def show_jobs(records: Sequence[JobRecord], key: str) -> None:
    """The server's queued and running jobs as a table (nothing when there are none); picking
    a row opens that job on the Train page."""
    active = [r for r in records if not r.finished]
    if not active:
        return
    st.markdown(f"**Trainings on this server** ({len(active)} queued or running; pick one to "
                "follow it)")
    event = st.dataframe(jobs_table(active), hide_index=True, width="stretch", key=key,
                         on_select="rerun", selection_mode="single-row",
                         column_config={"progress": st.column_config.ProgressColumn(
                             "progress", min_value=0.0, max_value=1.0)})
    picked = event.selection.rows if event is not None else []
    if picked and active[picked[0]].id != state.get(state.JOB_ID):
        state.put(state.JOB_ID, active[picked[0]].id)
        st.switch_page("pages/train.py", query_params={"job": active[picked[0]].id})
