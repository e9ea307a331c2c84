"""Demo of the scatter map component, driven by tests/e2e/test_scatter_component.py.

2,000 synthetic points in 5 labelled clusters, a 16×16 thumbnail per point, the last event
shown with st.json (and as one line of JSON in st.code, which the test reads).
Run: streamlit run tests/e2e/scatter_app.py   (add ?n=100000&mode=continuous to the URL to try
a large map or a colour scale)
"""

import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `studio` when run from anywhere

import numpy as np
import streamlit as st
from PIL import Image

from studio.scatter import make_atlas, publish_atlas, scatter_map

CLUSTERS, CELL = 5, 16
CENTRES = np.array([[0, 0], [8, 1], [4, 7], [-5, 6], [-4, -6]], dtype=float)


@st.cache_data
def demo_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % CLUSTERS
    xy = CENTRES[labels] + rng.normal(scale=1.0, size=(n, 2))
    return xy[:, 0], xy[:, 1], labels


def _thumbnail(label: int, i: int) -> bytes:
    # One shape per cluster (so a tooltip visibly matches its cluster), shade varying by row.
    yy, xx = np.mgrid[0:16, 0:16] - 7.5
    shapes = [
        np.hypot(xx, yy) < 6,                          # disc
        (abs(xx) < 5) & (abs(yy) < 5),                 # square
        abs(xx) < (yy + 7) / 2,                        # triangle
        (abs(xx) < 2) | (abs(yy) < 2),                 # cross
        (np.hypot(xx, yy) < 7) & (np.hypot(xx, yy) > 4),  # ring
    ]
    img = np.zeros((16, 16, 4), np.uint8)  # transparent background
    colour = np.array([[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189]])
    img[shapes[label], :3] = colour[label] * (0.5 + 0.5 * (i % 7) / 6)
    img[shapes[label], 3] = 255
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


@st.cache_data
def demo_atlas(n: int) -> tuple[bytes, int]:
    _, _, labels = demo_points(n)
    return make_atlas([_thumbnail(int(lab), i) for i, lab in enumerate(labels)], cell=CELL)


st.set_page_config(page_title="scatter map demo", layout="wide")
n = int(st.query_params.get("n", 2000))
continuous = st.query_params.get("mode") == "continuous"
x, y, labels = demo_points(n)
png, cols = demo_atlas(n)
atlas = {"url": publish_atlas(png), "cols": cols, "cell": CELL}
names = np.array([f"cluster {k}" for k in range(CLUSTERS)])[labels]
hover = [f"label: {lab}<br>row: {i}" for i, lab in enumerate(names)]

# Feeding the selection back as `highlight` exercises the no-rerun-loop guarantee: the redraw
# this causes must not send a new event. The component's value is in session state by its key
# before the call, so the highlight follows the latest event in the same run.
last = st.session_state.get("demo_map")
highlight = last["selection"] if last else None
color = np.hypot(x, y) if continuous else names
event = scatter_map(x, y, color=color, color_mode="continuous" if continuous else "categorical",
                    hover=hover, highlight=highlight, atlas=atlas,
                    height=520, key="demo_map")
if event is None:
    st.caption("No event yet: hover, click, box-select or zoom the map.")
else:
    st.json(event, expanded=False)
st.code(json.dumps(event), language="json")
