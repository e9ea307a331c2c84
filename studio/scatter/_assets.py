"""The folder the component's iframe is served from.

``components.declare_component(path=DIR)`` serves only files inside DIR, and plotly.js must come
from the installed ``plotly`` package (no CDN, no copy committed here). So DIR is a cache folder
built at run time: our ``frontend/`` sources, ``plotly.min.js`` and the published atlases.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import tempfile
from pathlib import Path

# Bump when the layout of the served folder changes; the sources themselves are re-synced anyway.
_LAYOUT_VERSION = "2"
_FRONTEND = Path(__file__).with_name("frontend")
_SOURCES = ("index.html", "data.js", "figure.js", "tooltip.js", "main.js")


def _plotly_js() -> Path:
    res = importlib.resources.files("plotly") / "package_data" / "plotly.min.js"
    path = Path(str(res))
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js not found in the plotly package ({path})")
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename: another server process may be reading ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sync(folder: Path) -> None:
    for name in _SOURCES:
        src = (_FRONTEND / name).read_bytes()
        dst = folder / name
        # Compare contents, not times: edits to the sources must reach a folder built earlier.
        if not dst.is_file() or dst.read_bytes() != src:
            write_atomic(dst, src)
    js = _plotly_js()
    dst = folder / "plotly.min.js"
    # 4.8 MB: copy once; the folder name carries plotly's version, so size is enough to spot
    # a truncated copy.
    if not dst.is_file() or dst.stat().st_size != js.stat().st_size:
        write_atomic(dst, js.read_bytes())


@functools.cache
def _build() -> Path:
    import plotly

    base = Path(tempfile.gettempdir())
    folder = base / f"pumap_scatter_{_LAYOUT_VERSION}_plotly{plotly.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _sync(folder)
    except PermissionError:
        # Shared /tmp with a folder owned by another user: use a private one instead.
        folder = Path(tempfile.mkdtemp(prefix="pumap_scatter_"))
        _sync(folder)
    return folder


def served_dir() -> Path:
    """Build (once per process) and return the folder the component is served from."""
    folder = _build()
    if not (folder / "plotly.min.js").is_file():
        # A tmp cleaner removed it while the app was running: build it again.
        _build.cache_clear()
        folder = _build()
    return folder


def component():
    """The declared Streamlit component.

    Declared on each call rather than once at import: Streamlit registers a component only when
    it is declared inside a script run, and re-declaring with the same path is cheap.
    """
    import streamlit.components.v1 as components

    return components.declare_component("scatter_map", path=str(served_dir()))
