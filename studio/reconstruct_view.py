"""Reconstruct page helpers: decode points of a map into items, and the latent-space pictures.

A run trained with a decoder (``parametric_reconstruction``) maps any point of its map back to
an item: an image for image data, feature values for tables. Nothing here draws on the page.

Clicking empty space: ``st.plotly_chart(on_select=...)`` only reports points of a trace, so the
click map carries an invisible grid of points over the whole map (:func:`click_map`); plotly
selects the grid point nearest to the click, and :func:`clicked_point` reads its coordinates.
"""

from __future__ import annotations

import io
from typing import Any, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont

from pumap_core.data import TablePreparation
from pumap_core.runs import Run, RunInfo
from studio.colours import categories, colour_map

#: Points per side of the invisible click grid (plotly picks the nearest within 20 px).
CLICK_GRID = 90
#: Side in pixels of the decoded item shown for a click, and of the latent-space mosaic.
ITEM_PX, MOSAIC_PX = 192, 640
#: Pixels between two tiles of the mosaic.
GAP = 2
#: Share of the map's points left outside the mosaic's range at each end (outliers).
TAIL = 0.5
#: Points drawn on the click map; bigger runs show an even subset (Explore has them all).
MAP_POINTS = 20_000
#: Above this many labels the click map draws one colour and no legend.
MAX_LEGEND = 40
#: Said on the click map: the wheel scrolls the page until the map is clicked (wheel_guard).
WHEEL_HINT = "Click the map or hold Ctrl to zoom with the wheel"


def has_decoder(info: RunInfo) -> bool:
    """Whether a run was trained with a decoder (and so can reconstruct)."""
    return (info.error is None and info.has_model
            and bool(info.params.get("parametric_reconstruction")))


def decode(run: Run, points: Any) -> np.ndarray:
    """Decode map points (m, 2) into rows (m, n_features) with the run's decoder (one call)."""
    return run.estimator().inverse_transform(np.asarray(points, dtype=np.float32).reshape(-1, 2))


def image_shape(run: RunInfo) -> tuple[int, ...]:
    """(height, width) or (height, width, 3) of the run's images."""
    return tuple(int(v) for v in run.dataset["image_shape"])


def as_images(rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Decoded rows (m, h*w[*3]) in [0, 1] as uint8 images (m, *shape), out-of-range clipped."""
    return np.round(np.clip(rows, 0.0, 1.0) * 255).astype(np.uint8).reshape(len(rows), *shape)


def enlarged(image: np.ndarray, side: int = ITEM_PX) -> Image.Image:
    """One image scaled to about ``side`` px: whole-factor nearest neighbour for small images
    (crisp pixels), a smooth resize for large ones."""
    picture = Image.fromarray(image)
    factor = side / max(picture.size)
    if factor >= 1:
        k = max(1, int(factor))
        return picture.resize((picture.width * k, picture.height * k), Image.NEAREST)
    return picture.resize((max(1, round(picture.width * factor)),
                           max(1, round(picture.height * factor))), Image.LANCZOS)


def map_range(embedding: np.ndarray, tail: float = TAIL) -> tuple[np.ndarray, np.ndarray]:
    """[[x0, x1], [y0, y1]] spanned by the map, leaving ``tail`` % of points out at each end."""
    low, high = np.percentile(embedding[:, :2], [tail, 100 - tail], axis=0)
    return np.array([low[0], high[0]]), np.array([low[1], high[1]])


def grid_points(embedding: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An n×n grid over the map, row by row from the top: (xs (n,), ys (n,), points (n², 2)).

    ``ys`` decreases so that the first row of a picture is the top of the map.
    """
    (x0, x1), (y0, y1) = map_range(embedding)
    xs, ys = np.linspace(x0, x1, n), np.linspace(y1, y0, n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # a Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def mosaic(images: np.ndarray, xs: np.ndarray, ys: np.ndarray,
           width: int = MOSAIC_PX) -> Image.Image:
    """Decoded images of an n×n grid as one picture, with the map's x and y on its axes.

    Parameters
    ----------
    images : uint8 array (n*n, h, w) or (n*n, h, w, 3), row by row from the top of the map
    xs, ys : the grid's coordinates along x (n,) and y (n,), top row first
    width : about how wide the image grid is, in pixels
    """
    n = len(xs)
    cell = enlarged(images[0], max(8, width // n)).size
    # A thin light gap between tiles: digits touch their top and bottom edges, and without it
    # neighbouring tiles merge into stripes.
    step = (cell[0] + GAP, cell[1] + GAP)
    grid = Image.new("RGB", (step[0] * n - GAP, step[1] * n - GAP), "#d0d0d0")
    for k, image in enumerate(images):
        tile = enlarged(image, max(8, width // n)).resize(cell, Image.NEAREST)
        grid.paste(tile.convert("RGB"), ((k % n) * step[0], (k // n) * step[1]))
    left, bottom, top, right = 64, 48, 10, 16
    canvas = Image.new("RGB", (left + grid.width + right, top + grid.height + bottom), "white")
    canvas.paste(grid, (left, top))
    draw, font = ImageDraw.Draw(canvas), _font(12)
    every = max(1, int(np.ceil(n / 8)))  # at most ~8 labels per axis, so they never overlap
    for k in range(0, n, every):
        cx = left + k * step[0] + cell[0] // 2
        draw.line([(cx, top + grid.height), (cx, top + grid.height + 4)], fill="black")
        draw.text((cx, top + grid.height + 6), f"{xs[k]:.2f}", fill="black", font=font,
                  anchor="ma")
        cy = top + k * step[1] + cell[1] // 2
        draw.line([(left - 4, cy), (left, cy)], fill="black")
        draw.text((left - 6, cy), f"{ys[k]:.2f}", fill="black", font=font, anchor="rm")
    draw.text((left + grid.width // 2, canvas.height - 4), "x", fill="black", font=_font(14),
              anchor="md")
    draw.text((6, top + grid.height // 2), "y", fill="black", font=_font(14), anchor="lm")
    return canvas


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def decoded_table(run: Run, rows: np.ndarray) -> tuple[pd.DataFrame, bool]:
    """Decoded table rows as the training columns, and whether they are in original units.

    With the run's recipe the values are unscaled (``TablePreparation.inverse_transform``);
    without one they stay in the model's space, named by the run's feature names.
    """
    recipe = run.recipe
    if recipe is not None and recipe.get("kind") == "table":
        return TablePreparation.from_dict(recipe).inverse_transform(rows), True
    names = list(run.dataset.get("feature_names") or []) or [
        f"feature {j}" for j in range(rows.shape[1])]
    return pd.DataFrame(rows, columns=names), False


def nearest_item(embedding: np.ndarray, x: float, y: float) -> int:
    """The row of the map's point closest to (x, y)."""
    return int(np.argmin((embedding[:, 0] - x) ** 2 + (embedding[:, 1] - y) ** 2))


def compare_frame(decoded: pd.DataFrame, run: Run, row: int) -> pd.DataFrame:
    """One line per column: the decoded value, and the nearest training item's own value."""
    points = run.points
    own = [points[c].iloc[row] if c in points.columns else None for c in decoded.columns]
    return pd.DataFrame({"column": list(decoded.columns),
                         "decoded here": [_cell(v) for v in decoded.iloc[0]],
                         f"nearest item (row {row})": [_cell(v) for v in own]})


def _cell(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def feature_heatmap(values: np.ndarray, xs: np.ndarray, ys: np.ndarray, points: pd.DataFrame,
                    column: str) -> go.Figure:
    """A decoded feature over the grid (n*n values, top row first), the map's points on top."""
    n = len(xs)
    fig = go.Figure(go.Heatmap(x=xs, y=ys, z=np.asarray(values, dtype=float).reshape(n, n),
                               colorscale="Viridis", colorbar=dict(title=column),
                               hovertemplate="x %{x:.2f}, y %{y:.2f}<br>%{z:.4g}<extra></extra>"))
    shown = points.iloc[:: max(1, len(points) // 5000)]
    fig.add_trace(go.Scattergl(x=shown["x"], y=shown["y"], mode="markers", hoverinfo="skip",
                               marker=dict(size=3, color="white", opacity=0.5), showlegend=False))
    fig.update_layout(height=520, margin=dict(l=10, r=10, t=36, b=10),
                      title=dict(text=f"Decoded {column} across the map", font_size=13))
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def label_traces(points: pd.DataFrame, size: float = 4.0) -> list[go.Scattergl]:
    """The map's points, one trace per label in Explore's colours (:mod:`studio.colours`:
    the same label gets the same colour on every page), or one grey trace without labels."""
    common = dict(mode="markers", hoverinfo="text")
    if "label" not in points.columns:
        return [go.Scattergl(x=points["x"], y=points["y"], name="items", showlegend=False,
                             marker=dict(size=size, color="#1f77b4", opacity=0.8), **common)]
    codes, names = categories(points["label"])
    colours = colour_map(names)
    if len(names) > MAX_LEGEND:  # row ids, free text: colours cannot be told apart anyway
        return [go.Scattergl(x=points["x"], y=points["y"], name="label", showlegend=False,
                             text=points["label"].astype(str),
                             marker=dict(size=size, opacity=0.8, color=[
                                 colours[names[k]] for k in codes]), **common)]
    return [go.Scattergl(x=points["x"][codes == k], y=points["y"][codes == k], name=name,
                         text=[name] * int((codes == k).sum()),
                         marker=dict(size=size, opacity=0.8, color=colours[name]), **common)
            for k, name in enumerate(names) if (codes == k).any()]


def click_map(run: Run, at: tuple[float, float], title: str) -> go.Figure:
    """The run's map (Explore's colours, axes, a legend) with a star at ``at`` and an
    invisible grid that makes every spot clickable.

    The grid spans the map's bounding box plus 5 %; its points show no hover label and stay
    invisible when selected, and the map's own points stay opaque when the grid is selected.
    """
    points = run.points
    shown = points.iloc[:: max(1, -(-len(points) // MAP_POINTS))]
    fig = go.Figure(label_traces(shown, 4 if len(shown) < 2000 else 2))
    fig.update_traces(unselected=dict(marker=dict(opacity=0.8)), selected=dict(
        marker=dict(opacity=0.8)))
    (x0, x1), (y0, y1) = [np.array([v.min(), v.max()]) for v in (points["x"], points["y"])]
    pad_x, pad_y = 0.05 * (x1 - x0 or 1.0), 0.05 * (y1 - y0 or 1.0)
    gx, gy = np.meshgrid(np.linspace(x0 - pad_x, x1 + pad_x, CLICK_GRID),
                         np.linspace(y0 - pad_y, y1 + pad_y, CLICK_GRID))
    fig.add_trace(go.Scattergl(x=gx.ravel(), y=gy.ravel(), mode="markers", name="grid",
                               hoverinfo="none", showlegend=False,
                               marker=dict(size=6, opacity=0),
                               selected=dict(marker=dict(opacity=0)),
                               unselected=dict(marker=dict(opacity=0))))
    fig.add_trace(go.Scatter(x=[at[0]], y=[at[1]], mode="markers", name="decoded here",
                             hoverinfo="skip", showlegend=False,
                             marker=dict(symbol="star", size=18, color="#d62728",
                                         line=dict(width=1.5, color="black"))))
    fig.update_layout(height=500, clickmode="event+select", dragmode="pan", hovermode="closest",
                      margin=dict(l=10, r=10, t=36, b=10), title=dict(text=title, font_size=13),
                      legend=dict(title=dict(text="label"), itemsizing="constant"),
                      annotations=[dict(text=WHEEL_HINT, xref="paper", yref="paper", x=0.01,
                                        y=0.01, xanchor="left", yanchor="bottom",
                                        showarrow=False,
                                        font=dict(size=11, color="#555"),
                                        bgcolor="rgba(240, 242, 246, 0.85)")])
    fig.update_xaxes(title=dict(text="x", standoff=4), zeroline=False)
    fig.update_yaxes(title=dict(text="y", standoff=4), zeroline=False, scaleanchor="x",
                     scaleratio=1)
    return fig


def clicked_point(event: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """(x, y) of the point plotly selected on a click (a map point or a grid point), or None."""
    try:
        points = (event or {}).get("selection", {}).get("points") or []
    except AttributeError:
        return None
    for point in points:
        x, y = point.get("x"), point.get("y")
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            return float(x), float(y)
    return None
