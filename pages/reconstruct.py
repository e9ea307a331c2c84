"""Reconstruct: what a run's decoder makes of any point of its map, and the latent-space picture."""

import numpy as np
import streamlit as st

from pumap_core.runs import Workspace
from studio import state
from studio.downloads import safe_file_name
from studio.errors import user_errors
from studio.reconstruct_view import (as_images, click_map, clicked_point, compare_frame,
                                     decode, decoded_table, enlarged, feature_heatmap,
                                     grid_points, has_decoder, image_shape, mosaic,
                                     nearest_item, png_bytes)
from studio.routing import ensure_app_navigation
from studio.runs_view import label_for
from studio.shared_runs import shared_run
from studio.wheel_guard import wheel_guard

ensure_app_navigation()

RUN, MAP, X, Y = "reconstruct.run", "reconstruct.map", "reconstruct.x", "reconstruct.y"
SEEN = "reconstruct.seen"  # (run id, last click handled): a click moves the point only once
POINT = "reconstruct.point"  # (run id, x, y) decoded last, kept while on other pages

st.title("Reconstruct")
st.caption("A run trained with a decoder maps any point of its map back to an item. Click the "
           "map (empty space too) to see what that spot decodes to.")
infos = [i for i in Workspace().list_runs() if i.error is None and i.has_model]
if not infos:
    st.info("No trained run yet: train one on the Train page with \"Train a decoder "
            "(reconstruction)\" under \"Beyond the encoder\".")
    st.stop()
by_id = {i.id: i for i in infos}
if st.session_state.get(RUN) not in by_id:  # first visit, or its run was deleted
    current = state.get(state.RUN_ID)
    decoders = [i.id for i in infos if has_decoder(i)]
    st.session_state[RUN] = (current if current in decoders else
                             (decoders or list(by_id))[0])
run_id = st.selectbox("Run", list(by_id), key=RUN,
                      format_func=lambda r: label_for(by_id[r]) + (
                          "" if has_decoder(by_id[r]) else " (no decoder)"),
                      help="Runs trained with a decoder can be reconstructed.")
info = by_id[run_id]
if not has_decoder(info):
    st.info("This run has no decoder: train it again on the Train page with \"Train a decoder "
            "(reconstruction)\" under \"Beyond the encoder\".")
    st.stop()
if info.params.get("n_components", 2) != 2:
    st.info(f"This map has {info.params['n_components']} dimensions; the Reconstruct page "
            "shows 2-D maps (use inverse_transform from Python for this one).")
    st.stop()

run = None
with user_errors():
    run = shared_run(Workspace(), run_id)
if run is None:
    st.stop()
embedding = run.embedding
images = info.dataset_kind == "images"

# A new click (or a new run) moves the point before the inputs are drawn; typed values stay.
# Streamlit drops widget values when the user visits another page: POINT brings them back.
click = clicked_point(st.session_state.get(MAP))
if st.session_state.get(SEEN, (None,))[0] != run_id or not (X in st.session_state
                                                             and Y in st.session_state):
    kept = st.session_state.get(POINT)
    if kept is not None and kept[0] == run_id:
        st.session_state[X], st.session_state[Y] = kept[1:]
    else:  # the item nearest the map's median: a spot the decoder has seen
        centre = embedding[nearest_item(embedding, *np.median(embedding[:, :2], axis=0))]
        st.session_state[X], st.session_state[Y] = float(centre[0]), float(centre[1])
    st.session_state[SEEN] = (run_id, click)
elif click is not None and click != st.session_state[SEEN][1]:
    st.session_state[X], st.session_state[Y] = click
    st.session_state[SEEN] = (run_id, click)

left, right = st.columns([3, 2])
with left, wheel_guard("reconstruct"):  # the wheel scrolls the page until the map is clicked
    st.plotly_chart(click_map(run, (st.session_state[X], st.session_state[Y]), info.name),
                    key=MAP, on_select="rerun", selection_mode="points",
                    config={"scrollZoom": True, "displaylogo": False})
with right:
    c1, c2 = st.columns(2)
    x = c1.number_input("x", key=X, step=0.1, format="%.3f",
                        help="Where to decode: click the map, or type coordinates.")
    y = c2.number_input("y", key=Y, step=0.1, format="%.3f")
    st.session_state[POINT] = (run_id, x, y)
    row = nearest_item(embedding, x, y)
    with user_errors():
        decoded = decode(run, [[x, y]])
        if images:
            a, b = st.columns(2)
            a.image(enlarged(as_images(decoded, image_shape(info))[0]),
                    caption=f"Decoded at ({x:.2f}, {y:.2f})")
            if run.thumbnails is not None:
                label = f", label {run.points['label'].iloc[row]}" if "label" in run.points else ""
                b.image(run.thumbnails[row], caption=f"Nearest item: row {row}{label}",
                        width=160)
        else:
            frame, original = decoded_table(run, decoded)
            st.dataframe(compare_frame(frame, run, row), hide_index=True, width="stretch")
            st.caption("Values in the data's own units." if original else
                       "This run has no data recipe: values are in the model's (scaled) space.")

st.subheader("The latent space")
n = st.slider("Grid size (n × n)", 6, 20, 10, key="reconstruct.grid",
              help="How many decoded items per side, spread evenly over the map.")
xs, ys, grid = grid_points(embedding, n)
with user_errors():
    rows = decode(run, grid)  # one decoder call for the whole grid
    if images:
        picture = mosaic(as_images(rows, image_shape(info)), xs, ys)
        st.image(picture, caption=f"{n} × {n} decoded images spanning the map (top row: "
                                  "largest y).")
        st.download_button("Download the picture (PNG)", png_bytes(picture),
                           file_name=safe_file_name(f"{run.name}-latent-{n}x{n}", ".png"),
                           mime="image/png",
                           on_click="ignore", key="reconstruct.download")
    else:
        frame, original = decoded_table(run, rows)
        numeric = [c for c in frame.columns if frame[c].dtype.kind == "f"]
        column = st.selectbox("Feature", numeric, key="reconstruct.feature",
                              help="The decoded value of this column at every point of the "
                                   "grid: where on the map it is high or low.")
        if column is not None:
            st.plotly_chart(feature_heatmap(frame[column].to_numpy(), xs, ys, run.points, column),
                            key="reconstruct.heatmap")
        st.caption(("In the data's own units. " if original else "") +
                   "Categorical columns decode to their most likely category (in the table "
                   "above).")
