"""Present: one map large, big type, no controls, for a projector.

Opens the run in the URL (``?run=…``), else the one Explore shows, else the newest. The app's
sidebar and header are hidden; Escape-free: the link at the bottom goes back to Explore.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from pumap_core.runs import Workspace
from studio import state
from studio.colours import categories, colour_map
from studio.errors import user_errors
from studio.routing import ensure_app_navigation
from studio.shared_runs import shared_run

ensure_app_navigation()
#: Points drawn (a fixed random subset of bigger maps); WebGL keeps this smooth.
MAX_POINTS = 200_000
FONT = 22

st.markdown("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header,
[data-testid="stToolbar"] {display: none !important;}
.block-container, [data-testid="stMainBlockContainer"] {padding: 1rem 2rem 0 2rem !important;
  max-width: 100% !important;}
</style>""", unsafe_allow_html=True)

runs = [r for r in Workspace().list_runs()
        if r.error is None and not Workspace().is_out_of_core(r)]
ids = [r.id for r in runs]
wanted = st.query_params.get("run") or state.get(state.RUN_ID)
if not runs:
    st.title("No map to present yet")
    st.page_link("pages/train.py", label="Train one first", icon=":material/model_training:")
    st.stop()
run_id = wanted if wanted in ids else ids[0]
st.query_params["run"] = run_id
run = None
with user_errors():
    run = shared_run(Workspace(), run_id)
if run is None:
    st.stop()

xy = run.embedding[:, :2]
rows = np.arange(len(xy))
if len(rows) > MAX_POINTS:
    rows = np.sort(np.random.default_rng(0).choice(len(xy), MAX_POINTS, replace=False))
size = 7 if len(rows) < 2_000 else 4 if len(rows) < 20_000 else 2
fig = go.Figure()
if "label" in run.points:
    codes, names = categories(run.points["label"].iloc[rows])
    colours = colour_map(names)
    for k, name in enumerate(names[:40]):
        hit = rows[codes == k]
        fig.add_trace(go.Scattergl(x=xy[hit, 0], y=xy[hit, 1], mode="markers", name=name,
                                   marker=dict(size=size, color=colours[name], opacity=0.85),
                                   hoverinfo="name"))
else:
    fig.add_trace(go.Scattergl(x=xy[rows, 0], y=xy[rows, 1], mode="markers",
                               marker=dict(size=size, color="#1f77b4", opacity=0.8),
                               hoverinfo="skip", showlegend=False))
label = run.dataset.get("label_name") or "label"
fig.update_layout(
    height=820, margin=dict(l=10, r=10, t=70, b=10), font=dict(size=FONT),
    title=dict(text=f"{run.name}", font=dict(size=FONT + 10)),
    legend=dict(title=dict(text=label, font=dict(size=FONT)), font=dict(size=FONT),
                itemsizing="constant"), dragmode="pan")
fig.update_xaxes(visible=False)
fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
st.plotly_chart(fig, width="stretch", key="present.map",
                config={"displayModeBar": False, "scrollZoom": True})
st.caption(f"{run.dataset_name} · {run.n_items:,} items")
st.page_link("pages/explore.py", label="Back to Explore", icon=":material/arrow_back:")
