"""pumap studio: learn Parametric UMAP maps in the browser.  Run: streamlit run app.py"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import streamlit as st

st.set_page_config(page_title="pumap studio", page_icon="🗺️", layout="wide")

pages = [
    st.Page("pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("pages/data.py", title="Data", icon="📂"),
    st.Page("pages/train.py", title="Train", icon="🏋️"),
    st.Page("pages/explore.py", title="Explore", icon="🔭"),
    st.Page("pages/runs.py", title="Runs", icon="🗂️"),
]
st.navigation(pages).run()
