"""The st.session_state keys shared between pages, in one place, with typed accessors.

A key that one page (or one helper of it) uses alone is named where it is used, prefixed by
that page (``explore.color``, ``runs.continue_job``), as Streamlit's widget keys are.

Per-user objects (the dataset, the training job, the chosen run) live in the session, never in
a global cache, so two browser sessions never see each other's work.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

DATASET = "dataset"            # pumap_core.data.Dataset currently loaded
JOB_ID = "train.job_id"        # id of the training job the Train page shows (also ?job=)
RUN_ID = "explore.run_id"      # run shown on the Explore page
MESSAGE = "flash"              # one-shot message shown after a rerun


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def flash(kind: str, text: str) -> None:
    """Show ``text`` once on the next run (e.g. after a button that triggers st.rerun)."""
    st.session_state[MESSAGE] = (kind, text)


def show_flash() -> None:
    kind, text = st.session_state.pop(MESSAGE, (None, None))
    if text:
        getattr(st, kind)(text)


def follow(key: str, value: Any, options: list) -> None:
    """Before the widget ``key`` is drawn: make it show ``value`` each time ``value`` changes
    (the run selected on the page, say); a choice made in the widget itself stays until then.
    A value the widget holds that is no longer among ``options`` is dropped."""
    followed = f"{key}.follows"
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    if value in options and st.session_state.get(followed) != value:
        st.session_state[key] = value
    st.session_state[followed] = value
