"""Runs: every training kept on disk; compare, rename, download, delete, import, export the
encoder, continue training on new data, embed new data."""

import functools

import streamlit as st

from pumap_core.data import UPLOAD_TYPES
from pumap_core.runs import RunInfo, Workspace
from studio import state
from studio.errors import user_errors
from studio.linked_maps import linked_maps
from studio.run_plots import embed_map, loss_overlay
from studio.continue_training import continue_section
from studio.runs_import import add_runs_section, large_embed_section
from studio.downloads import safe_file_name
from studio.runs_view import (EXPORTS, TABLE_COLUMNS, embed_upload, encoder_export, export_name,
                              highlight_differences, label_for, params_table, runs_table,
                              zip_name)
from studio.replay import replay_section
from studio.shared_runs import shared_run
from studio.routing import ensure_app_navigation

ensure_app_navigation()

MAX_COMPARE = 6
SELECTED, EMBED_RUN, EMBEDDED = "runs.selected", "runs.embed_run", "runs.embedded"

st.title("Runs")
state.show_flash()
ws = Workspace()
infos = ws.list_runs()

add_runs_section(ws, expanded=not infos)

if not infos:
    st.info("No runs yet: train a map on the Train page (every training is kept here), or "
            "upload a run zip above.")
    st.stop()

by_id = {info.id: info for info in infos}
healthy_ids = [info.id for info in infos if info.error is None]
st.dataframe(runs_table(infos), hide_index=True, column_config=TABLE_COLUMNS)
for info in infos:
    if info.error:
        st.warning(f"{info.name}: {info.error}")

# Runs deleted elsewhere must leave the selection before the widget is drawn.
if SELECTED not in st.session_state:
    st.session_state[SELECTED] = healthy_ids[:1]
st.session_state[SELECTED] = [r for r in st.session_state[SELECTED] if r in by_id]
selected = st.multiselect("Runs to compare and manage", list(by_id), key=SELECTED,
                          max_selections=MAX_COMPARE, format_func=lambda r: label_for(by_id[r]),
                          help=f"Up to {MAX_COMPARE} runs side by side.")

chosen = [by_id[r] for r in selected if by_id[r].error is None]
if chosen:
    st.subheader("Compare")
    st.caption("Shaded rows are the settings that differ between the runs.")
    st.dataframe(highlight_differences(params_table(chosen)))
    st.plotly_chart(loss_overlay(chosen, [label_for(i) for i in chosen]), key="runs.losses")
    for info in chosen:
        if info.is_parquet_map:
            st.caption(f"{label_for(info)}: a large map ({info.n_items:,} points in "
                       f"{info.parquet_path}); open it in Explore.")
    with user_errors():
        mapped = [info for info in chosen if not info.is_parquet_map]
        if mapped:
            linked_maps(mapped)
    replay_section(ws, chosen, key="runs")


def manage(info: RunInfo) -> None:
    """Rename, download, open and delete one run."""
    broken = info.error is not None
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    name = c1.text_input("Name", info.name, key=f"runs.name.{info.id}", max_chars=120)
    if c2.button("Rename", key=f"runs.rename.{info.id}", disabled=broken):
        with user_errors():
            renamed = ws.rename_run(info.id, name)
            state.flash("success", f"Renamed to {renamed.name}.")
            st.rerun()
    c1, c2, c3 = st.columns(3)
    c1.download_button("Download (.zip)", data=lambda: ws.export_zip(info.id),
                       file_name=zip_name(info), mime="application/zip", on_click="ignore",
                       key=f"runs.download.{info.id}", disabled=broken,
                       help="The model (if trained), the map's points (also as CSV) and the "
                            "thumbnails; upload it here again, on any machine.")
    if c2.button("Open in Explore", key=f"runs.open.{info.id}", disabled=broken):
        state.put(state.RUN_ID, info.id)
        st.switch_page("pages/explore.py")
    sure = c3.checkbox("Yes, delete this run for good", key=f"runs.confirm.{info.id}")
    if c3.button("Delete", key=f"runs.delete.{info.id}", disabled=not sure,
                 help="Tick the box first; a deleted run cannot be brought back."):
        with user_errors():
            ws.delete_run(info.id)
            state.flash("success", f"Deleted the run {info.name}.")
            st.rerun()
    for col, (fmt, (label, mime)) in zip(st.columns(3), EXPORTS.items()):  # made on click
        col.download_button(label, functools.partial(encoder_export, ws, info, fmt),
                            file_name=export_name(info, fmt), mime=mime, on_click="ignore",
                            key=f"runs.export.{fmt}.{info.id}", disabled=broken or not
                            info.has_model, help="The encoder alone, to embed data elsewhere; "
                            "checked against Keras on sample rows.")


if selected:
    st.subheader("Manage")
    for run_id in selected:
        with st.expander(label_for(by_id[run_id]), expanded=len(selected) == 1):
            manage(by_id[run_id])

continue_section(ws, infos, next((r for r in selected if r in healthy_ids), None))
large_embed_section(infos, next((r for r in selected if r in healthy_ids), None))

st.subheader("Embed new data on a saved map")
if not healthy_ids:
    st.info("No run can be loaded; train a new map first.")
    st.stop()
state.follow(EMBED_RUN, next((r for r in selected if r in healthy_ids), healthy_ids[0]),
             healthy_ids)  # the run selected above, until another is picked here
target = st.selectbox("Map", healthy_ids, key=EMBED_RUN,
                      format_func=lambda r: label_for(by_id[r]),
                      help="The new data are prepared like this map's training data and "
                           "placed with its network; the map itself does not change.")
if not by_id[target].has_model:
    st.info("This map was generated, not trained: it has no model to embed new data. Train one "
            "on the Train page.")
    st.stop()
images = by_id[target].dataset_kind == "images"
new_file = st.file_uploader(
    "New data: a zip of images" if images else "New data: a table with the training columns",
    type=list(UPLOAD_TYPES), key="runs.embed_upload",
    help="Images are resized like the training images. Tables need the columns the map was "
         "trained on; extra columns are kept for the export.")
if st.button("Embed", type="primary", disabled=new_file is None, key="runs.embed"):
    st.session_state.pop(EMBEDDED, None)
    with user_errors():
        run = shared_run(ws, target)
        st.session_state[EMBEDDED] = embed_upload(run, new_file.getvalue(), new_file.name)

result = st.session_state.get(EMBEDDED)
if result is not None and result.run_id == target:
    st.success(f"Embedded {result.n_items:,} items in {result.millis:.0f} ms.")
    for note in result.dataset.notes:
        st.caption(f"• {note}")
    with user_errors():
        by_label = st.toggle("Colour the map by label", True, key="runs.embed_by_label")
        frame = result.frame()
        st.plotly_chart(embed_map(shared_run(ws, target).points, frame,
                                  f"{result.dataset.name} on {by_id[target].name}", by_label),
                        key="runs.embed_map")
        st.download_button("Download the new coordinates (.csv)", result.csv(),
                           file_name=safe_file_name(f"{result.dataset.name.rsplit('.', 1)[0]}-embedded", ".csv"),
                           mime="text/csv", on_click="ignore", key="runs.embed_csv")
