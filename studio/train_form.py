"""The Train page's settings form: widgets → ParametricUMAP keyword arguments."""

from __future__ import annotations

from typing import Any

import streamlit as st

from pumap_core.data import Dataset
from pumap_core.graph import METRICS
from pumap_core.training.config import TrainingConfig

BATCH_CHOICES = ["auto", 512, 1024, 2048, 4096, 8192, 16384]
LR_CHOICES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
UNIT_CHOICES = [16, 32, 64, 100, 128, 256]


def _index(options: list[Any], value: Any) -> int:
    """Where ``value`` is among ``options`` (the first option when it is not one)."""
    return options.index(value) if value in options else 0


def _choice(options: list[Any], value: Any, fallback: Any) -> Any:
    return value if value in options else fallback


def _keys(locked: bool):
    """Widget keys of the editable form (``train.x``) or of the locked one (``train.locked.x``)."""
    prefix = "train.locked." if locked else "train."
    return lambda name: prefix + name


#: The "local ↔ global" slider's stops: (n_neighbors, min_dist) pairs that go together, from
#: fine local detail to the big picture (``balanced`` is umap-learn's default).
FOCUS = {"very local": (5, 0.0), "local": (10, 0.05), "balanced": (15, 0.1),
         "global": (50, 0.3), "very global": (150, 0.5)}


def auto_epochs(n_items: int) -> int:
    """The library's default epoch count for this many items, shown as the form's default."""
    return TrainingConfig(None, None, 5, 1.0, 1e-2).resolved_epochs(n_items)


def settings_form(ds: Dataset, disabled: bool,
                  shown: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Draw the form; return the chosen settings when "Train" is pressed, else None.

    ``shown``: the settings the form starts from (those of the session's running job, or the
    last it submitted), else the defaults: Streamlit forgets widget values when the page is
    left, so the form is rebuilt from them rather than from its defaults. ``disabled``: the
    session's job is queued or running: every widget is greyed out, showing ``shown``.

    The locked form's widgets have keys of their own (``train.locked.…``): a keyed widget
    that turns disabled gets its first default back in Streamlit 1.67, not the value it
    showed, and once the job ends the editable widgets are rebuilt from ``shown``
    (tests/app/test_train_page.py pins the values).
    """
    shown = shown or {}
    key = _keys(disabled)
    pair = (int(shown.get("n_neighbors", 15)), float(shown.get("min_dist", 0.1)))
    on_scale = pair in [(min(k, ds.n_items - 1), d) for k, d in FOCUS.values()]
    # New settings shown, or the page was left (Streamlit forgets widgets): off the slider's
    # scale, the two numbers; else the user's choice stays.
    if st.session_state.get(key("advanced.pair")) != pair or \
            key("advanced") not in st.session_state:
        st.session_state[key("advanced.pair")] = pair
        st.session_state[key("advanced")] = (not on_scale) or bool(
            st.session_state.get(key("advanced")))
    advanced = st.toggle("Set neighbours and minimum distance myself", key=key("advanced"),
                         disabled=disabled,
                         help="Off: one slider from local detail to the big picture picks "
                              "both for you. On: the two numbers.")
    with st.form(key("form"), border=True):
        st.markdown("**The map**")
        if advanced:
            c1, c2 = st.columns(2)
            n_neighbors = c1.slider(
                "Neighbours", 2, min(200, ds.n_items - 1),
                min(pair[0], ds.n_items - 1, 200),
                key=key("n_neighbors"), disabled=disabled,
                help="How many nearby items each item looks at. Small values show fine local "
                     "detail; large values show the big picture.")
            min_dist = c2.slider(
                "Minimum distance", 0.0, 0.99, pair[1], 0.01,
                key=key("min_dist"), disabled=disabled,
                help="How tightly points may pack together. Small values make tight clumps; "
                     "large values spread points evenly.")
        else:
            stops = list(FOCUS)
            at = next((name for name, (k, d) in FOCUS.items()
                       if (min(k, ds.n_items - 1), d) == pair), "balanced")
            focus = st.select_slider(
                "Local detail ↔ global picture", stops, value=at, key=key("focus"),
                disabled=disabled,
                format_func=lambda name: f"{name} (k = {min(FOCUS[name][0], ds.n_items - 1)}, "
                                         f"min_dist {FOCUS[name][1]:g})",
                help="Local: each item looks at few neighbours and points clump tightly, so "
                     "small groups stand out. Global: many neighbours and even spacing, so the "
                     "layout of the big groups is truer.")
            n_neighbors = min(FOCUS[focus][0], ds.n_items - 1)
            min_dist = FOCUS[focus][1]
        c3, c4 = st.columns(2)
        spread = c3.slider("Spread", 0.5, 3.0, float(shown.get("spread", 1.0)), 0.1,
                           key=key("spread"), disabled=disabled,
                           help="The overall scale of the map; must be at least the minimum "
                                "distance.")
        metric = c4.selectbox("Distance", METRICS, _index(METRICS, shown.get("metric")),
                              key=key("metric"), disabled=disabled,
                              help="How the difference between two items is measured. "
                                   "Euclidean suits pixels and scaled numbers; cosine suits "
                                   "text-like counts where only proportions matter.")
        st.markdown("**Training**")
        c1, c2 = st.columns(2)
        c3, c4 = st.columns(2)
        epochs = c1.number_input(
            "Epochs", 1, 2000, int(shown.get("n_training_epochs") or auto_epochs(ds.n_items)),
            key=key("epochs"), disabled=disabled,
            help="One epoch shows the network every connection of the graph once. More "
                 "epochs: a better map, longer training. The loss curve shows when it levels.")
        batch = c2.selectbox("Batch size", BATCH_CHOICES,
                             _index(BATCH_CHOICES, shown.get("batch_size") or "auto"),
                             key=key("batch"), disabled=disabled,
                             help="Connections per training step. 'auto' picks a size that "
                                  "suits the data; larger batches are smoother but fewer.")
        lr = c3.select_slider("Learning rate", LR_CHOICES,
                              value=_choice(LR_CHOICES, shown.get("learning_rate"), 1e-2),
                              key=key("lr"), disabled=disabled,
                              help="Step size of the optimiser. Too high and the loss jumps "
                                   "around; too low and it falls slowly.")
        seed = c4.number_input("Random seed", 0, 2**31 - 1, int(shown.get("random_state") or 0),
                               key=key("seed"), disabled=disabled,
                               help="The same seed and settings give the same map again.")
        network_box = st.expander("The network", expanded=False)
        c1 = network_box.container()
        c2, c3 = network_box.columns(2)
        kinds = ["MLP"] + (["CNN"] if ds.kind == "images" else [])
        network = c1.radio("Network", kinds, _index(kinds, shown.get("network")),
                           horizontal=True, key=key("network"), disabled=disabled,
                           help="MLP: layers of neurons, for any data. CNN: convolutions that "
                                "look at image patches; slower, sometimes better on images.")
        layers = c2.slider("Layers (MLP)", 1, 6, int(shown.get("layers", 3)),
                           key=key("layers"), disabled=disabled,
                           help="Hidden layers of the MLP. 3 is a good default.")
        units = c3.select_slider("Units per layer (MLP)", UNIT_CHOICES,
                                 _choice(UNIT_CHOICES, shown.get("units"), 100),
                                 key=key("units"), disabled=disabled,
                                 help="Neurons per hidden layer: more can fit more detail.")
        beyond = beyond_the_encoder(shown, disabled, ds)
        pressed = st.form_submit_button("Train", type="primary", disabled=disabled)
    if not pressed:
        return None
    return {"n_neighbors": n_neighbors, "min_dist": min_dist, "spread": spread,
            "metric": metric, "n_training_epochs": int(epochs),
            "batch_size": None if batch == "auto" else int(batch), "learning_rate": lr,
            "random_state": int(seed), "network": network, "layers": layers, "units": units,
            **beyond}


def label_guide(ds: Dataset, shown: dict[str, Any], disabled: bool) -> dict[str, Any]:
    """How strongly the dataset's label guides the map (supervised UMAP), inside the form:
    nothing when the data have no label, ``{"use_labels": False}`` at 0."""
    if ds.labels is None:
        return {}
    key = _keys(disabled)
    weight = st.slider(
        "Let the label guide the map", 0.0, 1.0,
        float(shown.get("target_weight", 0.5)) if shown.get("use_labels") else 0.0, 0.05,
        key=key("guide"), disabled=disabled,
        help="0: the label only colours the map. Above 0: items with different labels are "
             "pulled apart, more the higher (1: as far as they can), so known classes "
             "separate; rows without a label keep their place by their values alone. New "
             "data are still placed from their values (no label needed).")
    if weight <= 0:
        return {"use_labels": False}
    return {"use_labels": True, "target_weight": float(weight)}


def beyond_the_encoder(shown: dict[str, Any] | None = None, disabled: bool = False,
                       ds: Dataset | None = None) -> dict[str, Any]:
    """The decoder, autoencoder, global-structure and initialisation settings, and with ``ds``
    the label guide (:func:`label_guide`), inside the form.

    Widgets in a form cannot react to each other before it is submitted, so instead of greying
    out "Autoencoder loss" without a decoder, ticking it trains the decoder as well (it needs
    one) and its help says so.
    """
    shown = shown or {}
    key = _keys(disabled)
    with st.expander("Beyond the encoder", expanded=False):
        c1, c2 = st.columns(2)
        decoder = c1.toggle(
            "Train a decoder (reconstruction)", bool(shown.get("parametric_reconstruction")),
            key=key("decoder"), disabled=disabled,
            help="Also learn the way back, from a point of the map to an item. The Reconstruct "
                 "page then shows what any spot of the map decodes to (an image or feature "
                 "values). The map itself is learned as without it.")
        autoencoder = c2.toggle(
            "Autoencoder loss", bool(shown.get("autoencoder_loss")), key=key("autoencoder"),
            disabled=disabled,
            help="Train the encoder on reconstruction too, so that the map keeps what is needed "
                 "to rebuild the items, at some cost to the neighbourhoods. Needs the decoder: "
                 "ticking it trains one.")
        c1, c2 = st.columns(2)
        global_weight = c1.slider(
            "Global structure weight", 0.0, 2.0,
            float(shown.get("global_correlation_loss_weight") or 0.0), 0.1,
            key=key("global_weight"), disabled=disabled,
            help="0: UMAP alone. Above 0, the map is also pushed to keep the ordering of "
                 "distances between far-apart items (how clusters sit relative to each other); "
                 "1 is a strong setting.")
        options = list(INITS)
        init = c2.selectbox(
            "Initialisation", options,
            index=options.index(shown.get("init") if shown.get("init") in options
                                else default_init()), key=key("init"), disabled=disabled,
            format_func=INITS.get,
            help="Where the network starts: it first learns to reproduce a spectral layout of "
                 "the neighbour graph (global shape right from the start), the first two "
                 "principal components (fast, linear), or nothing (random weights).")
        guide = {} if ds is None else label_guide(ds, shown, disabled)
    return {**guide, "parametric_reconstruction": bool(decoder or autoencoder),
            "autoencoder_loss": bool(autoencoder),
            "global_correlation_loss_weight": float(global_weight), "init": init}


#: The library's ``init`` values and how the form names them.
INITS = {"spectral": "spectral layout", "pca": "principal components", "random": "random"}


def default_init() -> str:
    """The library's default ``init``, one of :data:`INITS`."""
    from pumap_core import ParametricUMAP

    return ParametricUMAP().init
