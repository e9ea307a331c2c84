"""pumap studio: learn Parametric UMAP maps in the browser.  Run: streamlit run app.py"""

from pumap_core.quiet import quiet_tensorflow

quiet_tensorflow()  # before anything imports TensorFlow (pages that load a model do)

import logging
import threading
from pathlib import Path

import streamlit as st

from studio.device import start_probe
from studio.priority import foreground, give_way

#: The browser tab's icon, sent by the app itself (":material/...:" would be fetched from
#: fonts.gstatic.com; the pages' icons below come with Streamlit's bundled font).
ICON = Path(__file__).parent / "assets" / "favicon.svg"


@st.cache_resource(show_spinner=False)
def _warm_up_rendering() -> threading.Thread:
    """Once per server: compile datashader's kernels before the first large map is opened."""
    from pumap_core import large_map, render

    def warm_up(pause) -> None:
        render.warm_up(pause)
        large_map.warm_up(pause)  # the out-of-core maps' kernels (per-part aggregates)

    thread = threading.Thread(target=warm_up, kwargs={"pause": give_way}, name="pumap-warm-up",
                              daemon=True)
    thread.start()
    return thread


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    st.set_page_config(page_title="pumap studio", page_icon=ICON, layout="wide")
    pages = [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/explore.py", title="Explore", icon=":material/explore:"),
        st.Page("pages/reconstruct.py", title="Reconstruct", icon=":material/auto_fix_high:"),
        st.Page("pages/how_it_works.py", title="How it works", icon=":material/school:"),
        st.Page("pages/runs.py", title="Runs", icon=":material/folder_open:"),
        st.Page("pages/grid.py", title="Parameter grid", icon=":material/grid_view:"),
        st.Page("pages/present.py", title="Present", icon=":material/slideshow:"),
    ]
    _warm_up_rendering()
    start_probe()  # which device training will use, found by a child process (studio.device)
    with foreground():  # background work (map files, kernel compilation) waits for page runs
        st.navigation(pages).run()


# Streamlit runs this script as "__main__". A process spawned from the server with
# multiprocessing imports the parent's main script again, as "__mp_main__", and must not run the
# app: the old training processes drew the Home page there in bare mode ("missing
# ScriptRunContext" in the log) and started a second device probe and kernel warm-up. (The
# training service's cluster is started as a command of its own, pumap_core.jobs.cluster.)
if __name__ == "__main__":
    main()
