"""Runs page: bringing runs in (a run zip, a large Parquet map) and embedding a large Parquet
dataset with a run's model, as a job of the training service.

The rows are never read into the server: the input is checked here from its files' footers
and column types (no TensorFlow), then a job of the service embeds it on the cluster, part by
part, into the workspace, and keeps the result as a map that Explore reads out of core. A run
zip is checked, its model loaded, on a worker too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import streamlit as st

from pumap_core.jobs import EmbedOrder
from pumap_core.runs import RunInfo, Workspace
from studio import state
from pumap_core.runs.files import MODEL
from studio.errors import user_errors
from studio.job_view import job_panel
from studio.runs_view import label_for
from studio.service import session_owner, training_service

JOB = "runs.embed_job"


def add_runs_section(ws: Workspace, expanded: bool) -> None:
    """Upload a run zip; add a large map from a Parquet folder on the server."""
    with st.expander("Upload a run zip", expanded=expanded):
        archive = st.file_uploader(
            "A run zip downloaded from this page", type=["zip"], key="runs.import",
            help="Adds the run to this workspace; nothing already here changes.")
        if st.button("Add the run", disabled=archive is None, key="runs.import_button"):
            with user_errors():
                added = training_service().import_run_zip(archive.getvalue())  # on a worker
                state.flash("success", f"Added the run {added.name}.")
                st.rerun()

    with st.expander("Add a large map from a Parquet folder"):
        st.caption("An embedded dataset (`python -m pumap_core embed`: columns x, y and kept "
                   "columns) stays where it is; Explore reads it out of core.")
        path = st.text_input("Folder (or file) on the server", key="runs.parquet_path")
        title = st.text_input("Name (optional)", key="runs.parquet_name")
        if st.button("Add the map", disabled=not path.strip(), key="runs.parquet_add"):
            with user_errors():
                added = ws.add_parquet_map(path.strip(), name=title.strip() or None)
                state.flash("success", f"Added the map {added.name} ({added.n_items:,} points).")
                st.rerun()


def _names(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip())


def submit_embed(info: RunInfo, source: str, keep: Sequence[str], name: str | None) -> str:
    """Check ``source`` against the run's model and queue the embed; returns the job's id.

    Raises
    ------
    PumapError
        No files match, a file cannot be read, a kept or feature column is missing or not
        numeric: one line, before anything is queued.
    """
    from pumap_core.scale import embed, read_input

    table = read_input(source)
    embed(str(info.path / MODEL), table.frame, None, keep)  # lazy: checks the columns only
    order = EmbedOrder(run_id=info.id, source=source, keep=tuple(keep), name=name or None)
    record = training_service().submit(order, owner=session_owner(),
                                       dataset_name=Path(source.rstrip("/*")).name or source,
                                       n_items=table.n_rows or 0)
    return record.id


def large_embed_section(infos: Sequence[RunInfo], selected: str | None) -> None:
    """The expander that starts an embed job, and that job's live panel."""
    trained = [i for i in infos if i.has_model and i.error is None]
    with st.expander("Embed a large Parquet dataset as a new map (out of core)"):
        if not trained:
            st.caption("Train a map first: its model places the rows.")
            return
        ids = [i.id for i in trained]
        by_id = {i.id: i for i in trained}
        state.follow("runs.large.run", selected, ids)  # the run selected on the page
        target = st.selectbox("With the model of", ids, format_func=lambda r: label_for(by_id[r]),
                              key="runs.large.run")
        source = st.text_input(
            "Parquet folder, file or glob on the server", key="runs.large.source",
            placeholder="/data/big/  or  /data/big/*.parquet",
            help="The training service's workers read it: on a cluster, a path they all see. "
                 "It needs the columns the map was trained on.")
        c1, c2 = st.columns(2)
        keep = c1.text_input("Columns to keep", key="runs.large.keep", placeholder="id,label",
                             help="Copied beside the coordinates: ids, labels for colouring.")
        name = c2.text_input("Name of the new map", key="runs.large.name")
        if st.button("Embed on the training service", disabled=not source.strip(),
                     key="runs.large.go"):
            with user_errors():
                st.session_state[JOB] = submit_embed(by_id[target], source.strip(),
                                                     _names(keep), name.strip())
    job_panel(JOB, "runs.large")
