"""The Data page's list of datasets kept in the workspace: use one again, or delete one.

Uploads are kept as soon as they are loaded, and every dataset that was trained on (demos
included) is kept when its job is submitted, so a reload or a restart of the server loses no
data: the new session picks it here.
"""

from __future__ import annotations

import streamlit as st

from pumap_core.data import DatasetInfo, DatasetStore
from pumap_core.runs import workspace_root
from studio import state
from studio.errors import user_errors
from studio.service import job_store, remember_stored


def _label(info: DatasetInfo) -> str:
    if info.error:
        return f"{info.id} — cannot be read"
    return (f"{info.name} — {info.n_items:,} items × {info.n_features:,} features, "
            f"{info.kind}, kept {info.created[:16].replace('T', ' ')}")


def kept_datasets_section() -> None:
    """Pick a kept dataset to load it into this session, or delete it (after a confirmation);
    a dataset that a queued or running job still needs cannot be deleted."""
    store = DatasetStore(workspace_root())
    infos = store.list()
    st.subheader("Kept datasets")
    if not infos:
        st.caption("Uploads and trained-on datasets are kept here, so that a reload or a "
                   "restart loses nothing. None yet.")
        return
    by_id = {info.id: info for info in infos}
    chosen = st.selectbox("Dataset", list(by_id), format_func=lambda i: _label(by_id[i]),
                          key="data.kept")
    info = by_id[chosen]
    if info.error:
        st.warning(info.error)
    c1, c2 = st.columns([1, 3])
    if c1.button("Use this dataset", key="data.use_kept", disabled=info.error is not None):
        with user_errors():
            dataset = store.load(chosen)
            remember_stored(dataset, chosen)
            state.put(state.DATASET, dataset)
            state.flash("success", f"Loaded the kept dataset {info.name}.")
            st.rerun()
    with c2.popover("Delete…"):
        st.write(f"Delete **{info.name}** from the workspace? Runs trained on it keep their own "
                 "copy of its rows and stay usable.")
        if st.button("Delete it", type="primary", key="data.delete_kept"):
            with user_errors():
                in_use = {r.dataset_id for r in job_store().list(active_only=True)}
                store.delete(chosen, in_use=in_use)
                state.flash("success", f"Deleted the kept dataset {info.name}.")
                st.rerun()
