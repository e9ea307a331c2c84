"""Synthetic maps of any size, with a known layout, to try the explorer at scale (up to 1M items).

Everything is drawn with NumPy in bulk (no Python loop per item) from one seeded generator, so
a million items take a few seconds and the same seed always gives the same map.

>>> ds, layout = make_synthetic(1000, seed=1)
>>> ds.X.shape, layout.shape, ds.thumbnails.cell
((1000, 16), (1000, 2), 64)
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InvalidParameterError
from ..thumbnails import Thumbnails, cell_for
from ._common import MIN_ITEMS
from .dataset import Dataset

SyntheticKind = Literal["images", "table"]

#: Class names, in order; each is also the glyph drawn in its thumbnails.
GLYPHS = ("circle", "square", "triangle", "cross", "ring", "bar", "diamond", "plus", "frame",
          "dot", "crescent", "hourglass")
#: Cluster shapes on the map, given to the classes in turn, so that density varies.
SHAPES = ("blob", "ring", "filament", "core and halo", "ellipse")
#: Words of the ``name`` column, from dim to vivid thumbnails (searchable).
BRIGHTNESS_WORDS = ("dim", "soft", "bright", "vivid")
GROUPS = ("alpha", "beta", "gamma")
N_FEATURES = 16
MAX_ITEMS = 5_000_000
_SHIFTS = (-1, 0, 1)      # a glyph moves by up to one step (cell // 16 px) each way
_NOISE_TILES = 1024       # per-item speckle is drawn from a bank of tiles: fast, still varied
_CHUNK_PIXELS = 1 << 24   # pixels per step when painting thumbnails (32 MB of temporaries)


def make_synthetic(n: int, *, kind: SyntheticKind = "images", n_classes: int = 10,
                   seed: int = 0) -> tuple[Dataset, np.ndarray]:
    """A dataset with a known 2-D layout: clusters of varied shapes, sizes and densities.

    Parameters
    ----------
    n : int
        Number of items, from 3 to 5,000,000.
    kind : {"images", "table"}
        "images" adds a grey glyph thumbnail per item (its class's shape, with varied
        brightness, position and speckle; cell side :func:`~pumap_core.thumbnails.cell_for`);
        "table" has none. Everything else is identical for the same seed.
    n_classes : int
        Number of clusters, 1 to 12; each is one class named after its glyph (:data:`GLYPHS`).
    seed : int
        Seed of the one random generator; the same seed gives the same data.

    Returns
    -------
    dataset : Dataset
        ``X`` float32 of shape (n, 16): a fixed random projection of the layout plus noise
        (small ones can be trained on); ``labels`` the class names; ``table`` with ``label``,
        ``id`` ("item-0000123"), ``name`` ("bright circle 123"), ``score`` (float) and
        ``group`` (alpha, beta or gamma). ``kind`` is "table" (the features are not pixels)
        and ``recipe`` is None.
    layout : ndarray of float32, shape (n, 2)
        The "true" map, to keep with :meth:`pumap_core.runs.Workspace.save_map`.

    Raises
    ------
    InvalidParameterError
        ``n``, ``kind`` or ``n_classes`` out of range.
    """
    _check(n, kind, n_classes)
    rng = np.random.default_rng(seed)
    # Every draw happens in the same order whatever ``kind``, so both kinds share their map.
    labels, layout = _layout(n, n_classes, rng)
    projection = rng.normal(0.0, 1.0, (2, N_FEATURES)).astype(np.float32)
    X = layout @ projection + rng.standard_normal((n, N_FEATURES), dtype=np.float32) * 0.25
    brightness = rng.integers(110, 256, n, dtype=np.uint16)
    shift = rng.integers(0, len(_SHIFTS) ** 2, n, dtype=np.int64)
    speckle = rng.integers(0, _NOISE_TILES, n, dtype=np.int64)
    table = _table(labels, layout, brightness, rng)
    thumbnails = None
    if kind == "images":
        thumbnails = _thumbnails(labels, brightness, shift, speckle, n_classes, cell_for(n), rng)
    names = np.asarray(GLYPHS[:n_classes])
    shapes = ", ".join(f"{g} {SHAPES[c % len(SHAPES)]}" for c, g in enumerate(GLYPHS[:n_classes]))
    notes = [f"synthetic data (seed {seed}): {n_classes} clusters ({shapes}); X is a random "
             "projection of the known layout plus noise"]
    if thumbnails is not None:
        notes.append(f"thumbnails are drawn glyphs, {thumbnails.cell}×{thumbnails.cell} px")
    dataset = Dataset(name=f"synthetic {kind} {_short(n)}", X=X, table=table,
                      labels=names[labels], label_name="label", kind="table",
                      thumbnails=thumbnails,
                      feature_names=[f"f{j}" for j in range(N_FEATURES)], notes=notes)
    return dataset, layout


def _check(n: object, kind: object, n_classes: object) -> None:
    if not isinstance(n, (int, np.integer)) or not MIN_ITEMS <= n <= MAX_ITEMS:
        raise InvalidParameterError(f"A synthetic map needs a whole number of items from "
                                    f"{MIN_ITEMS} to {MAX_ITEMS:,}; got {n!r}.")
    if kind not in ("images", "table"):
        raise InvalidParameterError(f"kind must be 'images' or 'table', not {kind!r}.")
    if not isinstance(n_classes, (int, np.integer)) or not 1 <= n_classes <= len(GLYPHS):
        raise InvalidParameterError(f"n_classes must be a whole number from 1 to {len(GLYPHS)}; "
                                    f"got {n_classes!r}.")


def _short(n: int) -> str:
    """1000 → "1k", 1000000 → "1M", 2500 → "2500"."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# -- the map ---------------------------------------------------------------------------------
def _layout(n: int, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class of each item (int64, shape (n,)) and its place (float32, shape (n, 2)), shuffled.

    Class sizes are uneven (a Dirichlet draw mixed with equal shares); centres lie on a
    sunflower spiral so that clusters rarely overlap.
    """
    weights = 0.7 * rng.dirichlet(np.full(k, 1.5)) + 0.3 / k
    counts = rng.multinomial(n, weights)
    golden = np.pi * (3 - np.sqrt(5))
    angles = np.arange(k) * golden + rng.uniform(-0.3, 0.3, k)
    radii = 7.0 * np.sqrt(np.arange(k) + 0.5)
    centres = np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)
    parts = [_cluster(SHAPES[c % len(SHAPES)], int(counts[c]), rng) + centres[c]
             for c in range(k)]
    labels = np.repeat(np.arange(k), counts)
    order = rng.permutation(n)  # items come in no particular order, as in real data
    return labels[order], np.concatenate(parts)[order].astype(np.float32)


def _cluster(shape: str, m: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` points of one cluster around (0, 0), float64 of shape (m, 2)."""
    spread = rng.uniform(0.6, 1.4)
    turn = rng.uniform(0, np.pi)
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    if shape == "ring":
        theta = rng.uniform(0, 2 * np.pi, m)
        r = 2.2 * spread + rng.normal(0, 0.12, m)
        return np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    if shape == "filament":
        t = rng.uniform(-1, 1, m)
        points = np.stack([3.5 * spread * t, 0.9 * np.sin(2.5 * t) + rng.normal(0, 0.08, m)], 1)
        return points @ rotation.T
    if shape == "core and halo":
        wide = rng.random(m) < 0.25
        return rng.normal(0, 1, (m, 2)) * np.where(wide, 1.8, 0.25)[:, None] * spread
    if shape == "ellipse":
        return (rng.normal(0, 1, (m, 2)) * np.array([1.7, 0.35]) * spread) @ rotation.T
    return rng.normal(0, 0.7 * spread, (m, 2))  # blob


# -- the table -------------------------------------------------------------------------------
def _table(labels: np.ndarray, layout: np.ndarray, brightness: np.ndarray,
           rng: np.random.Generator) -> pd.DataFrame:
    """label, id, name, score, group; text built with Arrow kernels (1M strings in ~0.1 s)."""
    n = len(labels)
    label = pa.array(GLYPHS).take(pa.array(labels))
    # The brightness word says how light the thumbnail is, so a search finds the dim ones.
    word = np.minimum((brightness.astype(np.int64) - 110) * len(BRIGHTNESS_WORDS) // 146,
                      len(BRIGHTNESS_WORDS) - 1)
    number = pc.cast(pa.array(rng.integers(1, 1000, n)), pa.string())
    name = pc.binary_join_element_wise(pa.array(BRIGHTNESS_WORDS).take(pa.array(word)), label,
                                       number, " ")
    x, y = layout[:, 0].astype(np.float64), layout[:, 1].astype(np.float64)
    score = 50 + 15 * np.sin(x / 6) + 10 * np.cos(y / 8) + rng.normal(0, 3, n)
    group = pa.array(GROUPS).take(pa.array(rng.choice(len(GROUPS), n, p=[0.5, 0.3, 0.2])))
    return pd.DataFrame({"label": pd.Series(label, dtype="str"),
                         "id": pd.Series(_ids(n), dtype="str"),
                         "name": pd.Series(name, dtype="str"),
                         "score": np.round(score, 2),
                         "group": pd.Series(group, dtype="str")})


def _ids(n: int) -> pa.Array:
    """"item-0000000", "item-0000001"...: fixed-width text written straight into one buffer."""
    digits = max(7, len(str(n - 1)))
    width = 5 + digits
    chars = np.empty((n, width), np.uint8)
    chars[:, :5] = np.frombuffer(b"item-", np.uint8)
    index = np.arange(n, dtype=np.int64)
    for d in range(digits):  # one pass per digit, not per item
        chars[:, width - 1 - d] = ord("0") + (index // 10 ** d) % 10
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * width).tobytes())
    return pa.Array.from_buffers(pa.string(), n, [None, offsets, pa.py_buffer(chars.tobytes())])


# -- the thumbnails --------------------------------------------------------------------------
def _thumbnails(labels: np.ndarray, brightness: np.ndarray, shift: np.ndarray,
                speckle: np.ndarray, k: int, cell: int, rng: np.random.Generator) -> Thumbnails:
    """Each item's class glyph, moved by ``shift``, scaled by ``brightness``/255, speckled."""
    templates = _templates(k, cell)                  # (k · 9, cell, cell) uint8
    # Sparse speckle: a few grey pixels per tile, so that items differ yet pages still compress.
    noise = rng.integers(0, 48, (_NOISE_TILES, cell, cell), dtype=np.uint8)
    noise[rng.random(noise.shape) >= 0.1] = 0
    pixels = np.empty((len(labels), cell, cell), np.uint8)
    variants = len(_SHIFTS) ** 2
    chunk = max(1, _CHUNK_PIXELS // (cell * cell))
    for start in range(0, len(labels), chunk):
        part = slice(start, start + chunk)
        glyph = templates[labels[part] * variants + shift[part]].astype(np.uint16)
        glyph *= brightness[part, None, None]
        glyph >>= 8
        glyph += noise[speckle[part]]
        np.minimum(glyph, 255, out=glyph)
        pixels[part] = glyph
    return Thumbnails(pixels)


def _templates(k: int, cell: int, supersample: int = 4) -> np.ndarray:
    """The first ``k`` glyphs, each at 9 positions, anti-aliased: uint8 (k · 9, cell, cell)."""
    side = cell * supersample
    step = 2.0 * max(1, cell // 16) / cell          # one shift step, in glyph units
    centre = (np.arange(side) + 0.5) / side * 2 - 1  # pixel centres in [-1, 1]
    out = np.empty((k, len(_SHIFTS) ** 2, cell, cell), np.uint8)
    for c in range(k):
        for s, (dy, dx) in enumerate((dy, dx) for dy in _SHIFTS for dx in _SHIFTS):
            v, u = np.meshgrid(centre - dy * step, centre - dx * step, indexing="ij")
            mask = _glyph(GLYPHS[c], u, v).astype(np.float32)
            cover = mask.reshape(cell, supersample, cell, supersample).mean(axis=(1, 3))
            out[c, s] = np.round(cover * 255).astype(np.uint8)
    return out.reshape(k * len(_SHIFTS) ** 2, cell, cell)


def _glyph(name: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Boolean mask of a glyph; ``u`` goes right, ``v`` down, both in [-1, 1]."""
    r = np.hypot(u, v)
    box = np.maximum(np.abs(u), np.abs(v))
    if name == "circle":
        return r <= 0.6
    if name == "square":
        return box <= 0.5
    if name == "triangle":
        return (v <= 0.5) & (np.abs(u) <= (v + 0.65) / 1.15 * 0.65)
    if name == "cross":
        return (box <= 0.6) & ((np.abs(u - v) <= 0.22) | (np.abs(u + v) <= 0.22))
    if name == "ring":
        return (r >= 0.38) & (r <= 0.62)
    if name == "bar":
        return (np.abs(u) <= 0.7) & (np.abs(v) <= 0.16)
    if name == "diamond":
        return np.abs(u) + np.abs(v) <= 0.68
    if name == "plus":
        return (box <= 0.6) & ((np.abs(u) <= 0.15) | (np.abs(v) <= 0.15))
    if name == "frame":
        return (box <= 0.6) & (box >= 0.4)
    if name == "dot":
        return r <= 0.28
    if name == "crescent":
        return (r <= 0.6) & (np.hypot(u - 0.28, v) > 0.48)
    if name == "hourglass":
        return (np.abs(u) <= np.abs(v)) & (np.abs(v) <= 0.6)
    raise AssertionError(f"no glyph {name!r}")
