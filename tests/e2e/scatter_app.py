"""Demo of the scatter map component, driven by tests/e2e/test_scatter_component.py.

2,000 synthetic points in 5 labelled clusters, a 16×16 thumbnail per point, the last event
shown with st.json (and as one line of JSON in st.code, which the test reads).
Run: streamlit run tests/e2e/scatter_app.py   (add ?n=100000&mode=continuous to the URL to try
a large map or a colour scale)
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `studio` when run from anywhere

import numpy as np
import streamlit as st
import pandas as pd

from pumap_core.thumbnails import Thumbnails
from studio.scatter import scatter_map

CLUSTERS, CELL = 5, 16
CENTRES = np.array([[0, 0], [8, 1], [4, 7], [-5, 6], [-4, -6]], dtype=float)


@st.cache_data
def demo_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % CLUSTERS
    xy = CENTRES[labels] + rng.normal(scale=1.0, size=(n, 2))
    return xy[:, 0], xy[:, 1], labels


@st.cache_data
def demo_thumbnails(n: int) -> np.ndarray:
    # One shape per cluster (so a tooltip visibly matches its cluster), shade varying by row.
    yy, xx = np.mgrid[0:CELL, 0:CELL] - (CELL - 1) / 2
    shapes = np.stack([
        np.hypot(xx, yy) < 6,                          # disc
        (abs(xx) < 5) & (abs(yy) < 5),                 # square
        abs(xx) < (yy + 7) / 2,                        # triangle
        (abs(xx) < 2) | (abs(yy) < 2),                 # cross
        (np.hypot(xx, yy) < 7) & (np.hypot(xx, yy) > 4),  # ring
    ])
    colour = np.array([[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40],
                       [148, 103, 189]], dtype=float)
    _, _, labels = demo_points(n)
    shade = 0.5 + 0.5 * (np.arange(n) % 7) / 6
    pixels = shapes[labels][..., None] * (colour[labels] * shade[:, None])[:, None, None, :]
    return pixels.astype(np.uint8)


st.set_page_config(page_title="scatter map demo", layout="wide")
n = int(st.query_params.get("n", 2000))
continuous = st.query_params.get("mode") == "continuous"
x, y, labels = demo_points(n)
names = np.array([f"cluster {k}" for k in range(CLUSTERS)])[labels]
hover = pd.DataFrame({"label": names})
view = st.query_params.get("view", "auto")

# A selection round-trips through Python (the spec is resolved to rows and sent back to be
# drawn): that redraw must not send a new event, or the app would rerun forever.
color = np.hypot(x, y) if continuous else names
event = scatter_map(x, y, color=color, color_mode="continuous" if continuous else "categorical",
                    hover=hover, thumbnails=Thumbnails(demo_thumbnails(n)),
                    height=520, key="demo_map", view=view)
shown = None if event is None else {**event, "selection": event["selection"].tolist()}
if event is None:
    st.caption("No event yet: hover, click, box-select or zoom the map.")
else:
    st.json(shown, expanded=False)
st.code(json.dumps(shown), language="json")
