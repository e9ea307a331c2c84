"""The explorer on a 20 M-row Parquet map, read out of core (issue 13).

Generates N rows of x, y, id, label in 20 Parquet files under /tmp, adds them to a scratch
workspace as a map (:meth:`Workspace.add_parquet_map`), then times, in this process, what the
Explore page does for them (:class:`pumap_core.large_map.LargeMap`):

- first frame: the label's categories (one pass, once per map) + the whole map's aggregate
  (``count_cat`` + ``max(row)``) + shading + PNG, at 1000 × 578 px (the page's plot area);
- zoom re-render: a quarter of the extent, new aggregate + shading + PNG;
- hover: the hover grid built from the aggregate, the tooltip values of the view's rows read
  from the parts (written in the background by the app), and one lookup;
- search (text in ``id``), a box selection's counts and first rows;
- server memory: RSS, PSS (psutil) and the peak RSS (VmHWM).

``--chromium`` also starts ``streamlit run app.py`` on the map and measures, in Debian's
Chromium, the first frame (from the page's load event) and a hover (mousemove → tooltip).

    python benchmarks/bench_large_map.py                 # 20,000,000 rows
    python benchmarks/bench_large_map.py --rows 2000000 --chromium

The generated files are deleted at the end (``--keep`` to keep them).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def memory() -> dict[str, float]:
    import psutil

    info = psutil.Process().memory_full_info()
    peak = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return {"rss_mb": round(info.rss / 2**20), "pss_mb": round(getattr(info, "pss", 0) / 2**20),
            "peak_rss_mb": round(peak)}


def generate(folder: Path, rows: int, files: int, seed: int = 0) -> None:
    """``files`` Parquet files of x, y (float32, 10 clusters), id (int64), label (text)."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    names = np.array([f"class {k}" for k in range(10)], dtype=object)
    centres = np.random.default_rng(seed).uniform(-20, 20, size=(10, 2))
    start = 0
    for k, n in enumerate(np.diff(np.linspace(0, rows, files + 1).astype(np.int64))):
        rng = np.random.default_rng(seed + 1 + k)
        lab = rng.integers(0, 10, n)
        xy = centres[lab] + rng.normal(scale=2.0, size=(n, 2))
        pd.DataFrame({"x": xy[:, 0].astype(np.float32), "y": xy[:, 1].astype(np.float32),
                      "id": np.arange(start, start + n, dtype=np.int64),
                      "label": names[lab]}).to_parquet(folder / f"part.{k}.parquet",
                                                       index=False, row_group_size=250_000)
        start += n


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t) * 1000


def in_process(root: Path, data: Path) -> dict:
    from pumap_core.hover_grid import hover_grid
    from pumap_core.large_map import LargeMap
    from pumap_core.row_filter import RowFilter
    from pumap_core.render import View, png_bytes
    from pumap_core.runs import Workspace

    from pumap_core.large_map import warm_up

    res: dict = {"memory_start": memory()}
    _, res["kernel_warm_up_ms"] = timed(warm_up)  # the app does this when the server starts
    ws = Workspace(root / "ws")
    info, res["add_map_ms"] = timed(lambda: ws.add_parquet_map(data, name="bench"))
    lmap = LargeMap(ws.map_index(info.id))
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#7f7f7f", "#bcbd22", "#17becf"]
    x0, x1, y0, y1 = lmap.extent()
    whole = View((x0, x1), (y0, y1), 1000, 578)
    colour, res["categories_ms"] = timed(lambda: lmap.colour("label"))

    def frame(view):
        r = lmap.render(view, colour, palette)
        return r, png_bytes(r.rgba)
    (first, png), res["first_frame_render_ms"] = timed(lambda: frame(whole))
    res["first_frame_ms"] = res["categories_ms"] + res["first_frame_render_ms"]
    res["png_kb"] = round(len(png) / 1024)
    res["memory_first_frame"] = memory()
    cx, cy, wx, wy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 8, (y1 - y0) / 8
    zooms = []
    for k in range(3):
        v = View((cx - wx + k * wx / 4, cx + wx + k * wx / 4), (cy - wy, cy + wy), 1000, 578)
        (zoomed, _), ms = timed(lambda: frame(v))
        zooms.append(ms)
    res["zoom_ms"] = zooms
    agg = lmap.aggregate(whole, colour, with_rows=True)
    grid, res["hover_grid_build_ms"] = timed(lambda: hover_grid(agg["row"].data, whole))
    res["hover_grid_rows"] = int(grid.rows.size)
    res["hover_grid_kb"] = round((grid.cells.nbytes + grid.rows.nbytes) / 1024)
    _, res["hover_values_ms"] = timed(lambda: lmap.take(grid.rows, ["id", "label"]))
    rng = np.random.default_rng(0)
    qs = rng.uniform([0, 0], [1000, 578], size=(1000, 2))
    _, ms = timed(lambda: [grid.lookup(a, b) for a, b in qs])
    res["hover_lookup_us"] = round(ms, 1)  # per lookup: 1000 lookups in ms = µs each
    res["hover_lookup_zoomed_rows"] = int(zoomed.grid.rows.size)
    search = RowFilter(query="777777", text_columns=("id", "label"))
    n, res["search_ms"] = timed(lambda: lmap.count(search))
    res["search_matches"] = n
    _, res["search_render_ms"] = timed(lambda: lmap.render(whole, colour, palette,
                                                           emphasis=search))
    box = RowFilter(box=(cx - wx, cx + wx, cy - wy, cy + wy))
    s, res["box_selection_ms"] = timed(lambda: lmap.summary(box, first=1000))
    res["box_selected"] = s.count
    res["memory_end"] = memory()
    res["run_id"] = info.id
    return res


def in_chromium(root: Path, run_id: str) -> dict:
    """First frame and hover in Chromium, on a fresh ``streamlit run app.py``."""
    import os
    import subprocess

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
    from conftest import CHROMIUM, CHROMIUM_ARGS, _stop, _wait_healthy, free_port
    from playwright.sync_api import sync_playwright
    import psutil

    repo = Path(__file__).resolve().parents[1]
    port = free_port()
    log = root / "streamlit.log"
    env = dict(os.environ, PUMAP_WORKSPACE=str(root / "ws"), PYTHONPATH=str(repo))
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(repo / "app.py"),
                             "--server.headless", "true", "--server.port", str(port),
                             "--server.fileWatcherType", "none"], cwd=repo, env=env,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    out: dict = {}
    try:
        _wait_healthy(proc, port, log, 120)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = b.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.goto(f"http://127.0.0.1:{port}/explore?run={run_id}", wait_until="load")
            t0 = time.perf_counter()
            handle = page.wait_for_selector('iframe[title*="scatter_map"]', timeout=600_000)
            frame = handle.content_frame()
            frame.wait_for_selector('body[data-drawn="1"]', state="attached", timeout=600_000)
            out["first_frame_from_load_ms"] = round((time.perf_counter() - t0) * 1000)
            frame.wait_for_selector('body[data-pick]', state="attached", timeout=600_000)
            out["hover_ready_from_load_ms"] = round((time.perf_counter() - t0) * 1000)
            handle.scroll_into_view_if_needed()
            box = handle.bounding_box()
            hovers = []
            for k in range(8):
                at = frame.evaluate("() => { const fl = window.pumapScatter.gd._fullLayout;"
                                    " const s = fl._size; return [s.l, s.t, s.w, s.h]; }")
                px = box["x"] + at[0] + at[2] * (0.3 + 0.05 * k)
                py = box["y"] + at[1] + at[3] * 0.5
                page.mouse.move(px - 30, py - 30)
                page.wait_for_timeout(200)
                t = time.perf_counter()
                page.mouse.move(px, py)
                try:
                    frame.wait_for_function("() => { const t = document.getElementById('tip');"
                                            " return t.style.display === 'block' && "
                                            "t.innerText.includes('id:'); }", timeout=60_000)
                    hovers.append(round((time.perf_counter() - t) * 1000))
                except Exception:
                    hovers.append(None)
            out["hover_ms"] = hovers
            page.screenshot(path=str(repo / "test-artifacts" / "bench_large_map_hover.png"))
            # a wheel zoom: from the wheel event to the new image on screen
            zooms = []
            for k in range(3):
                shown = frame.evaluate("document.body.dataset.raster")
                page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)
                t = time.perf_counter()
                page.mouse.wheel(0, -240)
                frame.wait_for_function(f"document.body.dataset.raster !== {json.dumps(shown)}",
                                        timeout=120_000)
                zooms.append(round((time.perf_counter() - t) * 1000))
                page.wait_for_timeout(500)
            out["zoom_ms"] = zooms
            page.screenshot(path=str(repo / "test-artifacts" / "bench_large_map_zoomed.png"))
            # a second session, kernels compiled and the map's facts known
            page2 = b.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page2.goto(f"http://127.0.0.1:{port}/explore?run={run_id}", wait_until="load")
            t0 = time.perf_counter()
            frame2 = page2.wait_for_selector('iframe[title*="scatter_map"]',
                                             timeout=600_000).content_frame()
            frame2.wait_for_selector('body[data-drawn="1"]', state="attached", timeout=600_000)
            out["second_session_first_frame_from_load_ms"] = round(
                (time.perf_counter() - t0) * 1000)
            srv = psutil.Process(proc.pid)
            out["server_rss_mb"] = round(srv.memory_full_info().rss / 2**20)
            out["server_pss_mb"] = round(srv.memory_full_info().pss / 2**20)
            b.close()
    finally:
        _stop(proc)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--chromium", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pumap_bench_large_", dir="/tmp"))
    try:
        data = root / "embedded"
        _, gen_ms = timed(lambda: generate(data, args.rows, args.files))
        size = sum(f.stat().st_size for f in data.glob("*.parquet"))
        res = {"rows": args.rows, "files": args.files, "generate_s": round(gen_ms / 1000, 1),
               "parquet_mb": round(size / 2**20)}
        res.update(in_process(root, data))
        if args.chromium:
            (Path(__file__).resolve().parents[1] / "test-artifacts").mkdir(exist_ok=True)
            res["chromium"] = in_chromium(root, res["run_id"])
        text = json.dumps(res, indent=1, default=lambda v: round(v, 1))
        print(text)
        if args.out:
            args.out.write_text(text)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
