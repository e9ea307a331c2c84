"""Grid: small multiples of n_neighbors × min_dist on the same data, for a lecture.

Each cell is a short training queued as a job of the server's training service; the maps fill
in as the jobs finish, with shared colours and axes, and each opens in Explore. The grid is kept
in the workspace; its id is in the URL (``?grid=…``).
"""

import streamlit as st

from pumap_core.data import DEFAULT_DEMO, load_demo
from pumap_core.errors import PumapError
from pumap_core.jobs import JobOrder
from pumap_core.jobs.grid import FAST, MIN_DISTS, NEIGHBOURS, GridStore, grid_cells
from studio import state
from studio.errors import user_errors
from studio.grid_view import grid_panel
from studio.routing import ensure_app_navigation
from studio.service import session_owner, stored_dataset_id, training_service

ensure_app_navigation()
GRID = "grid.id"
NEIGHBOUR_CHOICES = [2, 5, 10, 15, 30, 50, 100, 200]
MIN_DIST_CHOICES = [0.0, 0.05, 0.1, 0.25, 0.5, 0.8, 0.99]

st.title("Parameter grid")
st.write("The same data mapped with a few numbers of **neighbours** (rows: few look at fine "
         "local detail, many at the big picture) and **minimum distances** (columns: small "
         "packs points into tight clumps, large spreads them evenly). Short trainings, one job "
         "each: the maps fill in as they finish.")
state.show_flash()
if st.query_params.get("grid"):
    state.put(GRID, st.query_params["grid"])

ds = state.get(state.DATASET)
if ds is None:
    ds = load_demo(DEFAULT_DEMO)
    state.put(state.DATASET, ds)
c1, c2, c3 = st.columns([2, 2, 1])
neighbours = c1.multiselect("Neighbours (rows)", NEIGHBOUR_CHOICES, default=list(NEIGHBOURS),
                            key="grid.neighbours")
min_dists = c2.multiselect("Minimum distance (columns)", MIN_DIST_CHOICES,
                           default=list(MIN_DISTS), key="grid.min_dists")
epochs = c3.number_input("Epochs", 1, 500, FAST["n_training_epochs"], key="grid.epochs",
                         help="Short trainings keep the picture: benchmarks/RESULTS.md "
                              "measures it on digits.")
st.caption(f"Data: **{ds.name}** — {ds.n_items:,} items · {len(neighbours) * len(min_dists)} "
           "maps")
if st.button("Train the grid", type="primary", key="grid.train"):
    with user_errors():
        cells = grid_cells([k for k in neighbours if k < ds.n_items], min_dists)
        service, dataset_id = training_service(), stored_dataset_id(ds)
        shared = {**FAST, "n_training_epochs": int(epochs)}
        for cell in cells:
            settings = {**shared, **cell, "run_name":
                        f"{ds.name} grid · k={cell['n_neighbors']} · min_dist {cell['min_dist']:g}"}
            record = service.submit(JobOrder.from_settings(settings, dataset_id),
                                    owner=session_owner(), dataset_name=ds.name,
                                    n_items=ds.n_items)
            cell["job_id"] = record.id
        grid = GridStore().add(dataset_id, ds.name, shared, cells)
        state.put(GRID, grid.id)
        st.query_params["grid"] = grid.id
        st.rerun()

grid = None
try:
    grid = GridStore().get(state.get(GRID)) if state.get(GRID) else GridStore().latest()
except PumapError as exc:
    st.warning(exc.user_message)
if grid is not None:
    st.subheader(f"{grid.dataset_name}: {len(grid.neighbours)} × {len(grid.min_dists)} maps")
    grid_panel(grid)
