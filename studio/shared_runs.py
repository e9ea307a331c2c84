"""Runs shared by every session of the server: one read-only copy of each run in memory.

A run's data are read-only once written, so one copy serves all users (a million-point run is
hundreds of MB), and its model, once loaded, too. The cache key holds the run's version stamp
(:meth:`pumap_core.runs.Workspace.stamp`): a rename or a re-import reloads it.
"""

from __future__ import annotations

import streamlit as st

from pumap_core.large_map import LargeMap
from pumap_core.runs import Run, Workspace
from pumap_core.runs.parquet_map import check_files


@st.cache_resource(max_entries=3, show_spinner=False)
def _shared_run(root: str, run_id: str, stamp: tuple[int, int]) -> Run:
    return Workspace(root).load_run(run_id)


def shared_run(ws: Workspace, run_id: str) -> Run:
    """The run with its points (and, once asked, its model), shared by every session.

    Raises
    ------
    PumapError
        The workspace's own one-line error for a deleted, incomplete or damaged run.
    """
    return _shared_run(str(ws.root), run_id, ws.stamp(run_id))


@st.cache_resource(max_entries=4, show_spinner=False)
def _shared_large_map(root: str, run_id: str, stamp: tuple[int, int]) -> LargeMap:
    return LargeMap(Workspace(root).map_index(run_id))


def shared_large_map(ws: Workspace, run_id: str) -> LargeMap:
    """The run's map read out of core (its facts and aggregates shared by every session).

    Raises
    ------
    PumapError
        A one-line error: no such run, or its Parquet files were moved, deleted or made
        unreadable (checked on every call, so a map open in a tab fails cleanly too).
    """
    lmap = _shared_large_map(str(ws.root), run_id, ws.stamp(run_id))
    check_files(lmap.index)
    return lmap
