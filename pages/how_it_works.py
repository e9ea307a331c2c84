"""How it works: UMAP step by step on the user's own data (a run, or the loaded dataset)."""

import streamlit as st

from pumap_core.data import DEFAULT_DEMO, load_demo
from pumap_core.explain import blend, curve_fit, encoder_layers, loss_curves, nearest_rows
from pumap_core.runs import Workspace
from studio import state
from studio import how_it_works_view as view
from studio.errors import user_errors
from studio.reconstruct_view import (WHEEL_HINT, as_images, clicked_point, enlarged,
                                     image_shape, nearest_item)
from studio.routing import ensure_app_navigation
from studio.runs_view import label_for
from studio.shared_runs import shared_run
from studio.wheel_guard import wheel_guard

ensure_app_navigation()
SOURCE, MAP, ITEM, SEEN = "how.source", "how.map", "how.item", "how.seen"
PLOT = {"scrollZoom": True, "displaylogo": False}

st.title("How it works")
st.caption("UMAP in five steps, on your own data: who is whose neighbour, how strongly, and how "
           "the map is drawn from that.")
ws = Workspace()
runs = {i.id: i for i in ws.list_runs() if i.error is None and i.has_model
        and not i.is_parquet_map and i.params.get("n_components", 2) == 2}
dataset = state.get(state.DATASET)
choices = list(runs) + (["dataset"] if dataset is not None else [])
if not choices:
    st.info("Load data on the Data page, or start with the digits demo.")
    if st.button("Use the digits demo", type="primary", key="how.demo"):
        state.put(state.DATASET, load_demo(DEFAULT_DEMO))
        st.rerun()
    st.stop()
if st.session_state.get(SOURCE) not in choices:
    current = state.get(state.RUN_ID)
    st.session_state[SOURCE] = current if current in runs else choices[0]
key = st.selectbox("Data", choices, key=SOURCE, format_func=lambda c: (
    f"Loaded dataset: {dataset.name}" if c == "dataset" else "Run: " + label_for(runs[c])))
source = None
with user_errors():
    source = (view.dataset_source(dataset) if key == "dataset"
              else view.run_source(shared_run(ws, key)))
if source is None:
    st.stop()
st.caption(source.layout)
p, n = source.params, len(source.X)
if st.session_state.get(SEEN, (None,))[0] != source.key:  # a new source: its own settings
    for name, value in [("k", p["n_neighbors"]), ("mix", p["set_op_mix_ratio"]),
                        ("min_dist", p["min_dist"]), ("spread", p["spread"]),
                        ("nsr", p["negative_sample_rate"]), ("rs", p["repulsion_strength"])]:
        st.session_state[f"how.{name}"] = value
    st.session_state[ITEM] = 0
    st.session_state.pop("how.second", None)
    st.session_state[SEEN] = (source.key, None)
click = clicked_point(st.session_state.get(MAP))
if click is not None and click != st.session_state[SEEN][1]:  # a new click picks that item
    st.session_state[ITEM] = nearest_item(source.points[["x", "y"]].to_numpy(), *click)
    st.session_state[SEEN] = (source.key, click)

st.header("1. Neighbours")
st.markdown("Every item looks for its **k** most similar items in the data (k counts the item "
            "itself). **ρ** is the distance to the nearest one; **σ** is chosen so that the "
            "weights add up to log₂ k. Click an item on the map, or type its number.")
left, right = st.columns([3, 2])
with right:
    c1, c2 = st.columns(2)
    k = c1.slider("k (n_neighbors)", 3, 50, key="how.k",
                  help="Neighbours per item, itself included.")
    item = c2.number_input("Item", 0, n - 1, key=ITEM, step=1)
steps = view.graph_steps(source, k)
hood = steps.neighbourhood(item)
with left, wheel_guard("how"):
    st.plotly_chart(view.neighbour_map(source, hood, f"Item {item} and its {k - 1} nearest "
                                                     "neighbours"),
                    key=MAP, on_select="rerun", selection_mode="points", config=PLOT)
    st.caption(WHEEL_HINT + ". Lines: thicker = stronger weight.")
with right:
    a, b = st.columns([1, 2])
    if source.pictures is not None:
        a.image(source.picture(item), width=110, caption=source.caption(item))
    else:
        a.markdown(f"**{source.caption(item)}**")
    b.metric("ρ (distance to the nearest)", f"{hood.rho:.4g}")
    b.metric("σ (kernel width)", f"{hood.sigma:.4g}")
    st.markdown(f"Weights add up to **{hood.weights.sum():.2f}** = log₂ {k} = {hood.target:.2f}")
    st.plotly_chart(view.kernel_figure(hood), key="how.kernel", config=PLOT)
pictures = {"picture": st.column_config.ImageColumn("picture", width="small")}
st.dataframe(view.neighbour_table(source, hood), hide_index=True, column_config=pictures,
             key="how.neighbours", row_height=48 if source.pictures is not None else None)

st.header("2. Fuzzy weights")
st.markdown("Each item only trusts its own view. UMAP joins the two views of every edge: with "
            "the union (`set_op_mix_ratio` = 1) an edge is strong if **either** end sees the "
            "other; with the intersection (0), only if **both** do.")
mix = st.slider("set_op_mix_ratio", 0.0, 1.0, step=0.05, key="how.mix")
edges = steps.edges(item, mix)
l2, r2 = st.columns(2)
l2.plotly_chart(view.edges_map(source, item, edges, "own", f"Its own view: {k - 1} edges"),
                key="how.before", config=PLOT)
r2.plotly_chart(view.edges_map(source, item, edges, "combined",
                               f"After the union: {int((edges.combined > 0).sum())} edges"),
                key="how.after", config=PLOT)
with st.expander("The weights of every edge"):
    st.dataframe(view.edge_table(source, edges), hide_index=True, key="how.edges")

st.header("3. The curve")
st.markdown("On the map, two points at distance d look this close: **1 / (1 + a·d^(2b))**. "
            "a and b are fitted to a target set by `min_dist` (how tightly points may pack) "
            "and `spread` (the scale).")
l3, r3 = st.columns([1, 3])
min_dist = l3.slider("min_dist", 0.0, 1.0, step=0.01, key="how.min_dist")
spread = l3.slider("spread", 0.5, 3.0, step=0.1, key="how.spread")
fit = None
with user_errors():
    fit = curve_fit(min_dist, spread)
if fit is not None:
    l3.metric("a", f"{fit.a:.4f}")
    l3.metric("b", f"{fit.b:.4f}")
    r3.plotly_chart(view.curve_figure(fit), key="how.curve", config=PLOT)

st.header("4. The loss")
st.markdown("Training pulls the two ends of every edge together and pushes apart random pairs "
            "(negative samples): `negative_sample_rate` of them per edge, each weighted by "
            "`repulsion_strength`. More push spreads clusters apart.")
l4, r4 = st.columns([1, 3])
nsr = l4.slider("negative_sample_rate", 1, 20, key="how.nsr")
rs = l4.slider("repulsion_strength", 0.1, 3.0, step=0.1, key="how.rs")
if fit is not None:
    curves = loss_curves(fit.a, fit.b, negative_sample_rate=nsr, repulsion_strength=rs)
    l4.metric("push against each pull", f"{curves.push_per_edge:g} ×")
    r4.plotly_chart(view.loss_figure(curves), key="how.loss", config=PLOT)

st.header("5. The network")
if source.run is None:
    st.info("This map is not made by a network. Train a run on the Train page, then pick it "
            "above to see its encoder place new items.")
    st.stop()
with user_errors():
    est = source.run.estimator()
    layers = encoder_layers(est.encoder_)
    st.markdown(f"The encoder is a small neural network: each item's {source.X.shape[1]} values "
                f"go in, 2 map coordinates come out, through {len(layers)} layers and "
                f"{sum(layer.parameters for layer in layers):,} learnt weights. Because it "
                "is a function, it can place items it never saw: close to the training items "
                "they resemble.")
    l5, r5 = st.columns([2, 3])
    l5.dataframe(view.layers_table(layers), hide_index=True, key="how.layers")
    second = l5.number_input("Blend item", 0, n - 1, value=view.partner(source, item),
                             key="how.second",
                             help=f"A new item: item {item} blended with this one.")
    share = l5.slider("Share of the second item", 0.0, 1.0, 0.5, 0.05, key="how.share")
    new = blend(source.X, item, second, share)
    where = est.transform(new[None])[0]
    near, _ = nearest_rows(source.X, new, k - 1, str(p["metric"]))
    if source.pictures is not None and source.run.dataset.get("image_shape"):
        l5.image(enlarged(as_images(new[None], image_shape(source.run))[0], 96),
                 caption="the new item")
    r5.plotly_chart(view.new_item_map(source, where, near, (item, second),
                                      f"The new item lands at ({where[0]:.2f}, {where[1]:.2f})"),
                    key="how.new", config=PLOT)
