"""pumap studio: learn Parametric UMAP maps in the browser.  Run: streamlit run app.py"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import logging

import streamlit as st

logging.basicConfig(level=logging.INFO)

st.set_page_config(page_title="pumap studio", page_icon=":material/map:", layout="wide")

pages = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("pages/explore.py", title="Explore", icon=":material/explore:"),
    st.Page("pages/runs.py", title="Runs", icon=":material/folder_open:"),
]
st.navigation(pages).run()
