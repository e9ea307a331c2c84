"""Home: what the app does, the demo path, and the device training will use."""

import streamlit as st

from pumap_core.data import DEFAULT_DEMO, DEMOS, load_demo
from studio import state
from studio.device import describe_device
from studio.errors import user_errors
from studio.job_view import show_jobs
from studio.service import job_store
from studio.routing import ensure_app_navigation

ensure_app_navigation()


st.title("pumap studio")
st.markdown(
    "Turn a table or a folder of images into a **2-D map** where similar items sit together. "
    "pumap studio learns a small neural network (Parametric UMAP) that draws the map, so new "
    "data can be placed on a saved map in milliseconds. Upload data, tune the settings, watch "
    "the loss fall while it trains, then explore the map: hover to see items, select regions "
    "and export them.")

found = describe_device(timeout=0.5)
if found:
    st.info(f"Training will run on: **{found}**", icon="🖥️")
else:
    @st.fragment(run_every=1.0)
    def _device_box() -> None:  # the probe (a child process) is still starting
        if describe_device(timeout=0) is not None:
            st.rerun()
        st.info("Training will run on: **finding out…**", icon="🖥️")

    _device_box()

show_jobs(job_store().list(active_only=True), key="home.jobs")

st.subheader("Try the demo")
st.write(f"{DEFAULT_DEMO}: {DEMOS[DEFAULT_DEMO]}")
if st.button("Load the demo and go to Train", type="primary", key="home.demo"):
    with user_errors():
        state.put(state.DATASET, load_demo(DEFAULT_DEMO))
        st.switch_page("pages/train.py")

st.subheader("Steps")
st.markdown(
    "1. **Data**: pick a demo or upload a CSV / Excel / Parquet table or a zip of images.\n"
    "2. **Train**: choose the settings (every control explains itself) and press Train.\n"
    "3. **Explore**: colour, zoom, hover, select and export.\n"
    "4. **Runs**: every training is kept; compare, download, or embed new data on a saved map.")
