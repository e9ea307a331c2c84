"""Data: pick a built-in demo or upload a table / a zip of images, and preview what was understood.

A synthetic map (up to a million items) can also be made here; it goes straight to Explore.
"""

import streamlit as st

from pumap_core.data import (DEFAULT_DEMO, DEMOS, UPLOAD_TYPES, load_demo, max_upload_bytes,
                             read_image_zip, read_table)
from studio import state
from studio.errors import user_errors
from studio.datasets_view import kept_datasets_section
from studio.preview import show_dataset
from studio.table_options import table_options
from studio.service import stored_dataset_id
from studio.synthetic_view import synthetic_section
from studio.routing import ensure_app_navigation

ensure_app_navigation()

MAX_BYTES = max_upload_bytes()  # PUMAP_MAX_UPLOAD_MB, for big installations

st.title("Data")
state.show_flash()
source = st.radio("Source", ["Built-in demo", "Upload a file"], horizontal=True, key="data.source",
                  help="Demos need no file. Uploads: tables (CSV, TSV, Excel, Parquet) or a zip "
                       "of images whose sub-folder names become labels.")

if source == "Built-in demo":
    names = list(DEMOS)
    name = st.selectbox("Demo", names, index=names.index(DEFAULT_DEMO), key="data.demo",
                        format_func=lambda n: f"{n} — {DEMOS[n]}")
    if st.button("Load demo", type="primary", key="data.load_demo"):
        with user_errors():
            state.put(state.DATASET, load_demo(name))
            state.flash("success", f"Loaded the {name} demo.")
            st.rerun()
else:
    upload = st.file_uploader("Table or zip of images", type=list(UPLOAD_TYPES),
                              key="data.upload",
                              help="A zip of PNG/JPEG/BMP/GIF/WebP/TIFF files, one sub-folder "
                                   "per class, or a table with one row per item.")
    if upload is not None and upload.name.lower().endswith(".zip"):
        c1, c2 = st.columns(2)
        side = c1.number_input("Image size (pixels per side)", 8, 128, 28, step=4,
                               key="data.img_size",
                               help="Every image is resized to this square size. 28 keeps "
                                    "training fast; larger keeps more detail.")
        colour = c2.radio("Colour", ["Grayscale", "RGB"], horizontal=True, key="data.img_mode",
                          help="Grayscale is 3× smaller and enough for shapes; RGB keeps colour.")
        if st.button("Load images", type="primary", key="data.load_zip"):
            with user_errors():
                ds = read_image_zip(upload.getvalue(), name=upload.name, size=(side, side),
                                    max_bytes=MAX_BYTES,
                                    mode="L" if colour == "Grayscale" else "RGB")
                state.put(state.DATASET, ds)
                stored_dataset_id(ds)  # kept in the workspace: a reload loses nothing
                state.flash("success", f"Loaded {ds.n_items} images from {upload.name}.")
                st.rerun()
    elif upload is not None:
        df = None
        cached = st.session_state.get("data.table_cache")
        if cached and cached[0] == upload.file_id:
            df = cached[1]
        else:
            with user_errors():
                df = read_table(upload.getvalue(), upload.name, max_bytes=MAX_BYTES)
                st.session_state["data.table_cache"] = (upload.file_id, df)
        if df is not None:
            table_options(df, upload)

st.divider()
dataset = state.get(state.DATASET)
if dataset is None:
    st.info("No dataset loaded yet: load a demo or upload a file.")
else:
    show_dataset(dataset)

st.divider()
kept_datasets_section()

st.divider()
with st.expander("Synthetic map — try the explorer at scale"):
    synthetic_section()
