"""The server's training service, its jobs, and who this browser session is.

One :class:`~pumap_core.jobs.TrainingService` per server and workspace (``st.cache_resource``):
its Dask workers are started once and reused by every session; pages read the jobs' records
from the workspace, so a reload, a second tab or a second user sees the same live job.
"""

from __future__ import annotations

import hashlib

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pumap_core.data import Dataset, DatasetStore
from pumap_core.errors import PumapError
from pumap_core.jobs import JobStore, TrainingService
from pumap_core.runs import workspace_root

BROWSER_COOKIE = "_streamlit_xsrf"
_STORED = "service.stored_dataset"  # (Dataset, its id in the store): this session's last one


@st.cache_resource(show_spinner="Starting the training service…")
def _service(root: str) -> TrainingService:
    return TrainingService(root)


def training_service() -> TrainingService:
    """The service of this server's workspace (started on first use, in seconds)."""
    return _service(str(workspace_root()))


def job_store() -> JobStore:
    """The workspace's job records, for pages that only read them (no cluster is started)."""
    return JobStore(workspace_root())


def session_owner() -> str:
    """Who submits a job: this browser (so that a reload, or another tab of it, still owns its
    jobs), else this session.

    The browser is known by the cookie Streamlit's XSRF protection sets once per browser (on
    by default); only a hash of it is recorded, never the token. Without it (protection off,
    or a test) the session's id stands in.
    """
    token = browser_token(st.context.cookies.get(BROWSER_COOKIE) if st.context.cookies else None)
    if token:
        return "browser-" + hashlib.sha256(token).hexdigest()[:16]
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


def browser_token(cookie: str | None) -> bytes | None:
    """The browser's secret in an XSRF cookie, which the server re-masks on every response.

    The cookie is ``2|mask|masked token|time`` in hex (the format of Tornado, which Streamlit
    keeps): the token is the masked bytes XOR the 4-byte mask, repeated. An older unmasked
    cookie is its own token.
    """
    value = (cookie or "").strip("\"'")
    if not value.startswith("2|"):
        return value.encode() or None
    try:
        _, mask, masked, _ = value.split("|")
        mask_bytes, masked_bytes = bytes.fromhex(mask), bytes.fromhex(masked)
    except ValueError:
        return None
    if not mask_bytes:
        return None
    return bytes(b ^ mask_bytes[i % len(mask_bytes)] for i, b in enumerate(masked_bytes))


def kept_dataset(dataset_id: str) -> Dataset | None:
    """The dataset kept as ``dataset_id`` (remembered as stored), or None when it is gone."""
    try:
        dataset = DatasetStore(workspace_root()).load(dataset_id)
    except PumapError:
        return None
    remember_stored(dataset, dataset_id)
    return dataset


def remember_stored(dataset: Dataset, dataset_id: str) -> None:
    """Note that ``dataset`` is kept in the store as ``dataset_id`` (loaded from there)."""
    st.session_state[_STORED] = (dataset, dataset_id)


def stored_dataset_id(dataset: Dataset) -> str:
    """The id of ``dataset`` in the workspace's dataset store, saving it the first time."""
    last = st.session_state.get(_STORED)
    if last is None or last[0] is not dataset:
        remember_stored(dataset, DatasetStore(workspace_root()).save(dataset).id)
    return st.session_state[_STORED][1]
