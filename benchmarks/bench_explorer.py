"""Explore page speed, end to end in headless Chromium, next to plain st.plotly_chart.

    python benchmarks/bench_explorer.py [--out benchmarks/explorer.json] [--n 1000000]

Makes two synthetic image runs (--n points, and 100k) in a temporary workspace, starts the app
(`streamlit run app.py`, component files in a fresh TMPDIR), visits Home once, then measures:

1. first map frame of /explore?run=<big run> in 3 fresh browser contexts (the 1st is the
   server's first visit to that map), from navigation start and from the page's load event;
2. re-render after 5 mouse-wheel zooms and 2 drag-pans: from the wheel / mouseup event to the
   new datashader image painted (`data-raster` changed; the 100 ms debounce included);
3. hover preview: the cursor rests 30 px away for 300 ms, then jumps onto a point; from that
   mousemove to the tooltip painted with its thumbnail (`#tip[data-thumb]`), 100k and big run;
4. memory: VmRSS / VmHWM (peak) of the server process and its children.

Reference, same points, same browser: st.plotly_chart(go.Figure(go.Scattergl(...))) in a tiny
app (REFERENCE_APP). Its first frame = the frame painted after plotly's first WebGL draw call on
its main canvas (drawArrays / drawElements are wrapped); its zoom = a box drag, mouseup -> the
last redraw painted; its hover = plotly's own text label (`.hoverlayer .hovertext`) changing.

Times are browser clock (performance.timeOrigin + now); "painted" = the first task after the
next requestAnimationFrame after the change, i.e. once the frame showing it is painted.
Screenshots: test-artifacts/bench_explorer_*.png; server logs: test-artifacts/bench_explorer_*.log.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
ART = REPO / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]
LIMIT_S = 120  # the longest wait for any first frame, ours or the reference's
REFERENCE_APP = """import os, pandas as pd, plotly.graph_objects as go, streamlit as st
run = st.query_params["run"]
df = pd.read_parquet(os.path.join(os.environ["PUMAP_WORKSPACE"], "runs", run, "points.parquet"),
                     columns=["x", "y", "label"])
codes = df["label"].astype("category").cat.codes.to_numpy()
fig = go.Figure(go.Scattergl(x=df["x"].to_numpy(), y=df["y"].to_numpy(), mode="markers",
                             marker=dict(color=codes)))
st.plotly_chart(fig.update_layout(height=620, dragmode="zoom"))
"""
# Runs in every frame before its scripts; listeners on window (an iframe's window outlives its
# first, blank document). GL: wrap WebGL draw calls (reference only).
INIT_JS = """(() => {
  const now = () => performance.timeOrigin + performance.now();
  const painted = (e) => requestAnimationFrame(() => setTimeout(() => { e.painted = now(); }));
  const B = window.__bench = {rasters: [], tips: [], wheels: [], ups: [], gl: 0, now, painted};
  addEventListener("load", () => { B.load = now(); });
  addEventListener("message", (e) => {
    if (!B.args && e.data && e.data.type === "streamlit:render") B.args = now(); });
  addEventListener("wheel", () => B.wheels.push(now()), {capture: true, passive: true});
  addEventListener("mouseup", () => B.ups.push(now()), {capture: true});
  addEventListener("mousemove", () => { B.move = now(); }, {capture: true});
  if (GL) for (const P of [WebGLRenderingContext.prototype, WebGL2RenderingContext.prototype])
    for (const f of ["drawArrays", "drawElements"]) {
      const orig = P[f];
      P[f] = function (...a) {
        const r = orig.apply(this, a);
        if (this.canvas.classList.contains("gl-canvas-context")) {
          B.gl++; B.glLast = {dom: now()}; painted(B.glLast); B.ready = B.ready || B.glLast; }
        return r; };
    }
  addEventListener("DOMContentLoaded", () => {
    const body = document.body, tip = document.getElementById("tip");
    new MutationObserver(() => {
      const d = body.dataset;
      if (d.drawn === "1" && !B.drawn) { B.drawn = {dom: now()}; painted(B.drawn); }
      if (d.ready === "1" && !B.ready) { B.ready = {dom: now()}; painted(B.ready); }
      if (d.raster && d.raster !== B.raster) {
        B.raster = d.raster; const e = {dom: now()}; B.rasters.push(e); painted(e); }
    }).observe(body, {attributes: true});
    if (tip) new MutationObserver(() => {  // a new entry each time the shown row changes
      const key = tip.style.display === "block" && tip.dataset.thumb ? tip.dataset.index : null;
      if (key === B.tipKey) return;
      B.tipKey = key;
      if (key !== null) { const e = {dom: now(), move: B.move}; B.tips.push(e); painted(e); }
    }).observe(tip, {attributes: true});
  });
})();"""
WATCH_LABEL_JS = """() => { const B = window.__bench, layer = document.querySelector(".hoverlayer");
  const text = () => { const h = layer.querySelector(".hovertext"); return h && h.textContent; };
  const prev = text(), obs = new MutationObserver(() => { const t = text();
    if (t && t !== prev) { const e = {dom: B.now(), move: B.move}; B.tips.push(e); B.painted(e);
                           obs.disconnect(); } });
  obs.observe(layer, {subtree: true, childList: true, characterData: true}); }"""
GD = "(window.pumapScatter ? window.pumapScatter.gd : document.querySelector('.js-plotly-plot'))"
AREA_JS = f"""() => {{ const gd = {GD}, s = gd._fullLayout._size, r = gd.getBoundingClientRect();
  return {{x: r.left + s.l, y: r.top + s.t, w: s.w, h: s.h}}; }}"""
SCREEN_JS = f"""([x, y]) => {{ const gd = {GD}, fl = gd._fullLayout, r = gd.getBoundingClientRect();
  return {{x: r.left + fl.xaxis._offset + fl.xaxis.l2p(x),
           y: r.top + fl.yaxis._offset + fl.yaxis.l2p(y)}}; }}"""
PICK_JS = "([x, y]) => window.pumapScatter.pick(x, y)"


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values) if values else None,
            "max": max(values) if values else None, "all": values}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Server:
    """`streamlit run SCRIPT` in its own process group; the whole group is killed on exit."""

    def __init__(self, script: Path, env: dict, name: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = str(s.getsockname()[1])
        self.url, self.log = f"http://127.0.0.1:{port}", open(ART / f"bench_explorer_{name}.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.port", port, "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def __enter__(self) -> "Server":
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"streamlit did not start, see {self.log.name}")

    def __exit__(self, *exc) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                break
        self.log.close()

    def memory_mb(self) -> dict:
        """VmRSS and VmHWM (peak) summed over the server and its descendants, in MB."""
        parent = {}
        for p in Path("/proc").glob("[0-9]*"):
            try:
                parent[int(p.name)] = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (ValueError, OSError):
                pass
        pids, todo, kb = [], [self.proc.pid], {"VmRSS": 0, "VmHWM": 0}
        while todo:
            pids.append(todo.pop())
            todo += [c for c, pp in parent.items() if pp == pids[-1]]
        for line in (ln for pid in pids for ln in Path(f"/proc/{pid}/status").open()):
            if line.split(":")[0] in kb:
                kb[line.split(":")[0]] += int(line.split()[1])
        return {"rss_mb": round(kb["VmRSS"] / 1024), "peak_mb": round(kb["VmHWM"] / 1024),
                "processes": len(pids)}


def open_page(browser, url: str, gl: bool = False):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1300})
    ctx.add_init_script(INIT_JS.replace("(GL)", f"({str(gl).lower()})"))
    page = ctx.new_page()
    page.set_default_timeout(LIMIT_S * 1000)
    page.goto(url, wait_until="load")
    return ctx, page


def first_frame(page, frame) -> dict:
    """Navigation start / the page's load event -> first map frame painted, and -> the map
    interactive (hover data loaded; the map's arguments reaching the iframe), ms."""
    frame.wait_for_function("() => window.__bench.ready && window.__bench.ready.painted")
    B = frame.evaluate("() => { const B = window.__bench; "
                       "return {drawn: B.drawn, ready: B.ready, args: B.args}; }")
    drawn = (B.get("drawn") or B["ready"])["painted"]  # the reference has no separate 'drawn'
    origin, load = page.evaluate("() => [performance.timeOrigin, window.__bench.load]")
    out = {"from_navigation_ms": round(drawn - origin), "from_load_ms": round(drawn - load),
           "interactive_from_load_ms": round(B["ready"]["painted"] - load)}
    return dict(out, args_ms=round(B["args"] - load)) if B.get("args") else out


def open_map(browser, url: str):
    ctx, page = open_page(browser, url)
    handle = page.wait_for_selector('iframe[title*="scatter_map"]')
    frame = handle.content_frame()
    timing = first_frame(page, frame)
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()  # frame px + box = page px
    return ctx, page, frame, timing, (box["x"], box["y"])


def zooms(page, frame, off) -> dict:
    """5 wheel zooms then 2 drag-pans, each from its wheel / mouseup to the new image painted."""
    a = frame.evaluate(AREA_JS)
    cx, cy = off[0] + a["x"] + a["w"] / 2, off[1] + a["y"] + a["h"] / 2
    out = {"wheel_ms": [], "pan_ms": []}
    for kind, dx, dy, delta in [("wheel", 0, 0, -300), ("wheel", a["w"] / 4, -a["h"] / 5, -300),
                                ("wheel", 0, 0, 300), ("wheel", -a["w"] / 5, a["h"] / 6, -300),
                                ("wheel", 0, 0, -300), ("pan", 0, 0, 0), ("pan", -150, -80, 0)]:
        if kind == "pan" and not out["pan_ms"]:
            page.mouse.move(cx, cy)  # the mode bar shows while the cursor is over the map
            frame.click('.modebar-btn[data-val="pan"]', force=True)
        n = frame.evaluate("() => window.__bench.rasters.length")
        page.mouse.move(cx + dx, cy + dy)
        if kind == "wheel":
            page.mouse.wheel(0, delta)
        else:
            page.mouse.down()
            page.mouse.move(cx + dx + 150, cy + dy + 80, steps=8)
            page.mouse.up()
        e = frame.wait_for_function(f"""() => {{ const l = window.__bench.rasters;
            return l.length > {n} && l.at(-1).painted && l.at(-1); }}""", timeout=30_000)
        e, starts = e.json_value(), frame.evaluate(
            f"() => window.__bench.{'wheels' if kind == 'wheel' else 'ups'}")
        out[f"{kind}_ms"].append(round(e["painted"] - max(t for t in starts if t < e["dom"])))
        page.wait_for_timeout(400)
    return {k: stats(v) for k, v in out.items()}


def hovers(page, frame, off, points, shot: Path) -> dict:
    """Per point: cursor 30 px away for 300 ms, then onto it in one move -> preview painted.

    Ours (`frame` = the map iframe, `points` = rows): a new row shown in the tooltip with its
    thumbnail (any row: a neighbour may win by pixel rounding). Reference (`frame` None,
    `points` = (x, y)): plotly's label text changes."""
    ours, frame = frame is not None, frame or page.main_frame
    a, times, skipped, missed = frame.evaluate(AREA_JS), [], 0, 0
    for pt in points:
        p = frame.evaluate("i => window.pumapScatter.screenOf(i)", pt) if ours else \
            frame.evaluate(SCREEN_JS, list(pt))
        want = frame.evaluate(PICK_JS, [p["x"], p["y"]]) if ours else 0
        away = next(((dx, dy) for dx, dy in ((30, 0), (-30, 0), (0, 30), (0, -30))
                     if not ours or frame.evaluate(PICK_JS, [p["x"] + dx, p["y"] + dy]) != want),
                    None)
        if want < 0 or away is None or not (a["x"] + 40 < p["x"] < a["x"] + a["w"] - 40
                                            and a["y"] + 40 < p["y"] < a["y"] + a["h"] - 40):
            skipped += 1  # out of the view, at its edge, or no other point to rest on
            continue
        page.mouse.move(off[0] + p["x"] + away[0], off[1] + p["y"] + away[1])
        page.wait_for_timeout(300)
        n = frame.evaluate("() => window.__bench.tips.length")
        if not ours:
            frame.evaluate(WATCH_LABEL_JS)
        page.mouse.move(off[0] + p["x"], off[1] + p["y"])
        try:
            e = frame.wait_for_function(f"() => window.__bench.tips.slice({n}).find("
                                        "e => e.painted) || null", timeout=5_000).json_value()
            times.append(round(e["painted"] - e["move"], 1))
        except Exception:  # noqa: BLE001 - no preview within 5 s: counted, not fatal
            missed += 1
    page.screenshot(path=str(shot))
    return dict(stats(times), skipped=skipped, missed=missed)


def reference(browser, url: str, srv: Server, shot: Path | None = None) -> dict:
    """st.plotly_chart(Scattergl): first frame; with `shot`, 3 box zooms and memory."""
    ctx, page = open_page(browser, url, gl=True)
    try:
        out = first_frame(page, page.main_frame)
    except Exception as exc:  # noqa: BLE001 - a timeout is a result here
        ctx.close()
        return {"error": f"no first frame within {LIMIT_S} s ({type(exc).__name__})"}
    page.wait_for_timeout(1500)
    out["draw_calls"], out["last_draw_after_first_ms"] = page.evaluate(
        "() => [window.__bench.gl, Math.round(window.__bench.glLast.dom - window.__bench.ready.dom)]")
    if shot:
        page.screenshot(path=str(shot))
        a, times = page.evaluate(AREA_JS), []
        for k in range(3):  # a box over the middle, then double-click back to the whole map
            x0, y0, n = a["x"] + a["w"] * (0.25 + 0.05 * k), a["y"] + a["h"] * 0.3, \
                page.evaluate("() => window.__bench.gl")
            page.mouse.move(x0, y0)
            page.mouse.down()
            page.mouse.move(x0 + a["w"] * 0.4, y0 + a["h"] * 0.4, steps=8)
            page.mouse.up()
            page.wait_for_function(f"""() => {{ const B = window.__bench;  // then 1 s quiet
                return B.gl > {n} && B.glLast.painted && B.now() - B.glLast.dom > 1000; }}""")
            times.append(round(page.evaluate(
                "() => window.__bench.glLast.painted - window.__bench.ups.at(-1)")))
            page.mouse.dblclick(a["x"] + a["w"] / 2, a["y"] + a["h"] / 2)
            page.wait_for_timeout(3000)
        out["zoom_ms"], out["memory_zoomed"] = stats(times), srv.memory_mb()
    ctx.close()
    return out


def measure(browser, srv: Server, ours: bool, big: str, small: str, n: int, ws: Path) -> dict:
    """Ours (app.py) or the reference: first frames, zoom, hover, memory."""
    rows = np.random.default_rng(1).choice(100_000, 12, replace=False)
    out: dict = {"first_frame": []}
    if not ours:
        out["first_frame"].append(reference(browser, f"{srv.url}/?run={big}", srv,
                                            ART / "bench_explorer_reference_big.png"))
        log(f"reference, first visit: {out['first_frame'][0]}")
        if "error" not in out["first_frame"][0]:
            out["first_frame"].append(reference(browser, f"{srv.url}/?run={big}", srv))
        out["memory_end"] = srv.memory_mb()
        pts = pd.read_parquet(ws / "runs" / small / "points.parquet").iloc[rows][["x", "y"]]
        ctx, page = open_page(browser, f"{srv.url}/?run={small}", gl=True)
        out["first_frame_100k"] = first_frame(page, page.main_frame)
        page.wait_for_timeout(1000)
        out["hover_100k"] = hovers(page, None, (0, 0), pts.to_numpy().tolist(),
                                   ART / "bench_explorer_reference_100k_hover.png")
        ctx.close()
        return out
    ctx, page = open_page(browser, srv.url + "/")  # warm-up: one visit to Home, to its end
    page.get_by_text("Training will run on").wait_for()
    ctx.close()
    for k in range(3):
        ctx, page, frame, timing, off = open_map(browser, f"{srv.url}/explore?run={big}")
        out["first_frame"].append(timing)
        log(f"ours, session {k + 1}: {timing}")
        if k == 0:
            page.screenshot(path=str(ART / "bench_explorer_big.png"))
            out["memory_shown"] = srv.memory_mb()
            out["zoom"] = zooms(page, frame, off)
            page.mouse.move(0, 0)
            page.wait_for_timeout(300)
            page.screenshot(path=str(ART / "bench_explorer_big_zoomed.png"))
            out["memory_zoomed"] = srv.memory_mb()
        if k == 2:
            out["hover_big"] = hovers(page, frame, off, np.random.default_rng(2).choice(
                n, 12, replace=False).tolist(), ART / "bench_explorer_big_hover.png")
        ctx.close()
    out["memory_end"] = srv.memory_mb()
    ctx, page, frame, out["first_frame_100k"], off = open_map(browser,
                                                             f"{srv.url}/explore?run={small}")
    out["hover_100k"] = hovers(page, frame, off, rows.tolist(), ART / "bench_explorer_100k_hover.png")
    ctx.close()
    return out


def report(res: dict) -> str:
    """A markdown table: ours, the reference, ours / reference, and the issue's bar."""
    def g(d, path):
        for p in path.split("."):
            try:
                d = d[int(p) if p.isdigit() else p]
            except (KeyError, IndexError, TypeError):
                return None
        return d

    o, r, n, rows = res["ours"], res["reference"], f"{res['n']:,}", []
    for k, when in enumerate(["1st visit after server start", "2nd session", "3rd session"]):
        f = f"first_frame.{k}."
        rows += [(f"first frame {n}, {when}, from navigation", f + "from_navigation_ms", None),
                 ("  the same, from the page load event", f + "from_load_ms", 3000),
                 ("  interactive (hover data loaded), from the load event",
                  f + "interactive_from_load_ms", None),
                 ("  of which load -> map arguments in the iframe", f + "args_ms", None)]
    rows += [(f"zoom re-render {n} (wheel), median", "zoom.wheel_ms.median", 1000),
             (f"zoom re-render {n} (wheel), max", "zoom.wheel_ms.max", 1000),
             (f"drag-pan re-render {n}, max of 2", "zoom.pan_ms.max", 1000),
             ("first frame 100k, from the page load event", "first_frame_100k.from_load_ms", None),
             ("hover preview 100k, median", "hover_100k.median", 200),
             ("hover preview 100k, max", "hover_100k.max", 200),
             (f"hover preview {n} (raster), median", "hover_big.median", 200),
             (f"hover preview {n} (raster), max", "hover_big.max", 200),
             (f"server RSS, {n} shown and zoomed, 1 session (MB)", "memory_zoomed.rss_mb", 2048),
             ("  its peak so far, VmHWM (MB)", "memory_zoomed.peak_mb", 2048),
             (f"server RSS after the sessions on {n} (MB)", "memory_end.rss_mb", None),
             ("  its peak so far, VmHWM (MB)", "memory_end.peak_mb", None)]
    ref_path = {"zoom.wheel_ms.median": "first_frame.0.zoom_ms.median",
                "zoom.wheel_ms.max": "first_frame.0.zoom_ms.max",
                "memory_zoomed.rss_mb": "first_frame.0.memory_zoomed.rss_mb",
                "memory_zoomed.peak_mb": "first_frame.0.memory_zoomed.peak_mb"}
    lines = ["| measure (ms unless said) | ours | st.plotly_chart | ours / ref | bar |",
             "| --- | ---: | ---: | ---: | --- |"]
    for label, path, bar in rows:
        a = g(o, path)
        b = None if "pan" in path or "big" in path else g(r, ref_path.get(path, path))
        if path.endswith("from_navigation_ms") and b is None:
            b = g(r, path.rsplit(".", 1)[0] + ".error")
        num = [isinstance(v, (int, float)) for v in (a, b)]
        ratio = f"{a / b:.2g}" if all(num) and b else ""
        ok = f"< {bar}: {'ok' if a < bar else '**missed**'}" if bar and num[0] else ""
        lines.append(f"| {label} | {'' if a is None else a} | {'' if b is None else b} | {ratio} "
                     f"| {ok} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="also write the figures as JSON to this file")
    parser.add_argument("--n", type=int, default=1_000_000, help="points in the big run")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    ART.mkdir(exist_ok=True)
    res: dict = {"n": args.n, "date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
                 "load_average_start": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench_explorer_") as tmp, sync_playwright() as pw:
        ws = Path(tmp)
        runs = [subprocess.run([sys.executable, "scripts/make_synthetic.py", "--n", str(m),
                                "--kind", "images", "--workspace", tmp], cwd=REPO, check=True,
                               capture_output=True, text=True).stdout.split()[0]
                for m in (args.n, 100_000)]
        (ws / "tmp").mkdir()  # the component's served files: a fresh folder, as on a new server
        (ws / "reference.py").write_text(REFERENCE_APP)
        env = dict(os.environ, PUMAP_WORKSPACE=tmp, TMPDIR=str(ws / "tmp"), PYTHONPATH=str(REPO))
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
        try:
            for name, script in (("ours", REPO / "app.py"), ("reference", ws / "reference.py")):
                log(f"{name}: starting the server")
                with Server(script, env, name) as srv:
                    res[name] = measure(browser, srv, name == "ours", *runs, args.n, ws)
        finally:
            browser.close()
    res["load_average_end"] = os.getloadavg()
    table = report(res)
    print(table)
    if args.out:
        Path(args.out).write_text(json.dumps(dict(res, table=table), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
