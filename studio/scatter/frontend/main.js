// pumap scatter map: a Streamlit v1 custom component written without npm or
// streamlit-component-lib. It speaks the iframe postMessage protocol directly:
//   out: streamlit:componentReady, streamlit:setFrameHeight, streamlit:setComponentValue
//   in:  streamlit:render {args, theme}
// data.js fetches the published arrays, figure.js builds the plotly figure, tooltip.js draws
// the hover tooltip. Python is the source of truth for the selection: every event carries the
// selection spec (a box, a lasso or rows) and Python sends back what to draw.
"use strict";

(function () {
  const gd = document.getElementById("plot");
  const preview = document.getElementById("preview");
  const tooltip = PumapTooltip.create(document.getElementById("tip"));
  const ZOOM_DEBOUNCE_MS = 100;
  const CLICK_SLOP_PX = 4;
  // plotly.js 4 adds a "Share chart" button that uploads the data to Plotly Cloud: embedding
  // data must not leave the machine, so it goes.
  const CONFIG = { responsive: true, scrollZoom: true, displaylogo: false,
    modeBarButtonsToRemove: ["sendChartToCloud"] };

  const state = {
    args: null,
    theme: null,
    signature: null,  // Python's hash of everything drawn: equal means nothing to redraw
    height: 0,
    themeKey: "",
    data: null,       // {revision, xy, codesUrl, codes, grid}; null until loaded
    revision: null,   // the map being shown
    drawn: false,     // drawn at least once with this data (then the user owns the zoom)
    groups: [],       // points view: one group per trace
    hidden: null,     // category codes hidden from the legend (not hoverable)
    pick: null,       // large maps: the hover grid of the image shown {cellsUrl, spec, ...}
    spec: null,       // the selection as Python knows it; carried by every event
    seq: 0,
    applying: false,  // true while our own Plotly.react runs: its events are not the user's
    listening: false,
    token: 0,         // latest render; older async renders give way
    zoomTimer: null,
    lastRangeKey: "",
    wheelZooms: false,  // the map was clicked: the wheel zooms it (else it scrolls the page)
    down: null,       // where the mouse button went down (click vs drag)
    mouse: null,      // last cursor position (client px)
  };

  function post(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
  }

  const setFrameHeight = (h) => post("streamlit:setFrameHeight", { height: h });

  // ---------------------------------------------------------------- drawing

  async function loadData(a) {
    let d = state.data;
    if (!a.coords) {  // a large map: no coordinates, a hover grid per view (loadPick)
      return { revision: a.revision, xy: null, codesUrl: null, codes: null, grid: null };
    }
    if (!d || d.revision !== a.revision) {
      const xy = await PumapData.typed(a.coords, "f32");
      d = { revision: a.revision, xy: xy, codesUrl: null, codes: null,
        grid: PumapData.buildGrid(xy, a.n, a.extent) };
    }
    const c = a.color || {};
    const url = a.view === "points" ? c.codes || null : null;  // raster colours are in the image
    if (url !== d.codesUrl) {
      d = Object.assign({}, d, { codesUrl: url,
        codes: url ? await PumapData.typed(url, c.mode === "continuous" ? "f32" : "u16") : null });
    }
    return d;
  }

  function preloadImage(url) {
    if (!url) return Promise.resolve();
    const img = new Image();
    img.src = url;
    return img.decode().catch(() => {});  // draw anyway; plotly shows what it can
  }

  const nextPaint = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r)));

  let plotlyReady = null;
  function loadPlotly() {
    // index.html fetches plotly.js at once but it runs only from here: its start-up takes
    // seconds on a slow machine, and a datashader image can be on screen before that.
    if (!plotlyReady) {
      plotlyReady = new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = "plotly.min.js";
        s.onload = resolve;
        s.onerror = () => { plotlyReady = null; reject(new Error("plotly.min.js did not load")); };
        document.body.appendChild(s);
      });
    }
    return plotlyReady;
  }

  function showPreview(a) {
    // The datashader image alone, where plotly's plot area will be, until plotly runs.
    const box = PumapFigure.plotArea(a, gd.clientWidth || window.innerWidth);
    Object.assign(preview.style, { left: box.l + "px", top: box.t + "px", width: box.w + "px",
      height: box.h + "px", display: "block" });
    preview.src = a.raster.url;
  }

  async function render(args, theme) {
    const height = args.height || 600;
    const themeKey = theme ? theme.base + theme.backgroundColor + theme.textColor : "";
    if (args.signature === state.signature && height === state.height && themeKey === state.themeKey) {
      setFrameHeight(height);  // Streamlit re-sends args on every rerun: nothing changed, keep state
      return;
    }
    const token = ++state.token;
    // A datashader image needs neither coordinates nor plotly: draw it first, and let the 8 MB
    // of a million points' coordinates (for hover and picking) and plotly arrive behind it.
    const imageFirst = args.view === "raster" && args.raster;
    const dataReady = loadData(args);
    let data = null;
    try {
      if (imageFirst) {
        await preloadImage(args.raster.url);
        if (state.data && state.data.revision === args.revision) data = state.data;
      } else {
        [data] = await Promise.all([dataReady, loadPlotly()]);
      }
    } catch (e) {
      document.body.dataset.error = String(e);
      return;
    }
    if (token !== state.token) return;  // a newer render arrived meanwhile
    if (args.revision !== state.revision) state.drawn = false;
    Object.assign(state, { args: args, theme: theme, signature: args.signature, height: height,
      themeKey: themeKey, data: data, revision: args.revision, spec: args.spec || null });
    gd.style.height = height + "px";
    tooltip.theme(theme);
    tooltip.preload(args.atlas);
    if (!window.Plotly) {
      showPreview(args);
      document.body.dataset.drawn = "1";  // the map is on screen (axes and hover to come)
      setFrameHeight(height);
      await nextPaint();
      try {
        await loadPlotly();
      } catch (e) {
        document.body.dataset.error = String(e);
        return;
      }
      if (token !== state.token) return;
    }
    await redraw();
    preview.style.display = "none";
    document.body.dataset.drawn = "1";  // the map is on screen (hover may still be loading)
    setFrameHeight(height);
    if (!data) {
      try {
        data = await dataReady;
      } catch (e) {
        document.body.dataset.error = String(e);
        return;
      }
      if (state.revision === args.revision) state.data = data;
    }
    if (!state.listening) listen();
    try {
      await loadPick(args);
    } catch (e) {
      document.body.dataset.error = String(e);
    }
    document.body.dataset.ready = "1";  // stable hooks for end-to-end tests and benchmarks
    document.body.dataset.view = args.view;
    document.body.dataset.traceType = PumapFigure.TRACE_TYPE;
    document.body.dataset.raster = args.raster ? args.raster.url : "";
    document.body.dataset.signature = args.signature;
  }

  function redraw() {
    const a = state.args;
    const fig = PumapFigure.build(a, state.data);
    state.groups = fig.groups;
    state.hidden = null;
    const range = state.drawn ? currentRange() : a.range;
    const layout = PumapFigure.buildLayout(a, state.theme, range);
    // plotly keeps the outline the user just drew (layout.selections); removing it with
    // Plotly.react can leave its promise pending forever with the old selection on screen, and
    // while it is there scroll zoom stops (plotly.js 4.1). Draw afresh instead: our own outline
    // is a plain shape (figure.js).
    const dropsOutline = gd.layout && (gd.layout.selections || []).length;
    state.applying = true;
    const done = () => {
      state.applying = false;
      state.drawn = true;
      state.lastRangeKey = JSON.stringify(currentRange());
    };
    if (dropsOutline) {
      return Plotly.newPlot(gd, fig.traces, layout, CONFIG).then(() => { listenPlot(); done(); },
        done);
    }
    return Plotly.react(gd, fig.traces, layout, CONFIG).then(done, done);
  }

  // ---------------------------------------------------------------- hover and click

  function plotPoint(cx, cy) {
    // Client px -> {px, py} inside the plot area, or null outside it.
    const fl = gd._fullLayout;
    if (!fl || !fl._size) return null;
    const r = gd.getBoundingClientRect(), s = fl._size;
    const px = cx - r.left - s.l, py = cy - r.top - s.t;
    if (px < 0 || py < 0 || px > s.w || py > s.h) return null;
    return { px: px, py: py };
  }

  function hiddenCodes() {
    // Categories switched off in the legend are not hovered or clicked either.
    if (state.hidden === null) {
      state.hidden = new Set();
      (gd._fullData || []).forEach((t, k) => {
        const g = state.groups[k];
        if (g && g.code !== undefined && t.visible === "legendonly") state.hidden.add(g.code);
      });
    }
    return state.hidden;
  }

  async function loadPick(a) {
    // A large map's hover grid for the view just drawn (a few hundred kB).
    const p = a.pick;
    if (!p || (state.pick && state.pick.cellsUrl === p.cells)) return;
    const [cells, rows] = await Promise.all([PumapData.typed(p.cells, "i32"),
      PumapData.typed(p.rows, "f64")]);
    if (state.args && state.args.pick && state.args.pick.cells === p.cells) {
      state.pick = { cellsUrl: p.cells, spec: p, cells: cells, rows: rows };
      document.body.dataset.pick = p.cells;  // for tests: hover can find points
    }
  }

  function pickLarge(cx, cy) {
    // {row, local} of the point shown under the cursor on a large map, or null.
    const p = state.pick && plotPoint(cx, cy);
    if (!p) return null;
    const fl = gd._fullLayout;
    return PumapData.pickOnGrid(state.pick, fl.xaxis.p2l(p.px), fl.yaxis.p2l(p.py));
  }

  function pick(cx, cy) {
    // The row under the cursor (within a few px), or -1.
    const d = state.data, a = state.args;
    if (a && a.pick) { const hit = pickLarge(cx, cy); return hit ? hit.row : -1; }
    const p = d && plotPoint(cx, cy);
    if (!p) return -1;
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, s = gd._fullLayout._size;
    const kx = s.w / (xa.range[1] - xa.range[0]), ky = s.h / (ya.range[1] - ya.range[0]);
    const hidden = hiddenCodes(), codes = d.codes;
    const visible = hidden.size && codes ? (i) => !hidden.has(codes[i]) : null;
    const radius = Math.max(6, (a.point_size || 4) + 3);
    return d.grid.nearest(xa.p2l(p.px), ya.p2l(p.py), kx, Math.abs(ky), radius, visible);
  }

  function hover(cx, cy) {
    const a = state.args;
    const hit = a && a.pick ? pickLarge(cx, cy) : null;
    const i = a && a.pick ? (hit ? hit.row : -1) : pick(cx, cy);
    const at = hit ? hit.local : i;  // large maps: hover rows are published per view
    if (i < 0) { tooltip.hide(); return; }
    if (tooltip.index() === i) { tooltip.place(cx, cy); return; }
    const row = PumapData.hoverRowNow(a.hover, at);
    tooltip.show(i, a, row, cx, cy);
    if (row === undefined) {
      PumapData.hoverRow(a.hover, at).then((r) => {
        if (tooltip.index() === i && state.mouse) tooltip.show(i, state.args, r, state.mouse.x, state.mouse.y);
      });
    }
  }

  let hoverFrame = 0;
  function onMouseMove(ev) {
    state.mouse = { x: ev.clientX, y: ev.clientY };
    if (ev.buttons) { tooltip.hide(); return; }  // dragging a box, a lasso or the map
    if (hoverFrame) return;
    hoverFrame = requestAnimationFrame(() => {
      hoverFrame = 0;
      if (state.mouse) hover(state.mouse.x, state.mouse.y);
    });
  }

  function onMouseUp(ev) {
    const down = state.down;
    state.down = null;
    if (!down || ev.button !== 0) return;
    if (Math.hypot(ev.clientX - down.x, ev.clientY - down.y) > CLICK_SLOP_PX) return;  // a drag
    if (!plotPoint(ev.clientX, ev.clientY)) return;
    const i = pick(ev.clientX, ev.clientY);
    if (i >= 0) {
      state.spec = { type: "rows", rows: [i] };
      sendValue("click");
    } else if (state.spec) {
      state.spec = null;
      sendValue("clear");
    }
  }

  // ---------------------------------------------------------------- events to Python

  function currentRange() {
    const fl = gd._fullLayout;
    return { x: fl.xaxis.range.slice(), y: fl.yaxis.range.slice() };
  }

  function sendValue(event) {
    // seq starts from the clock so that it keeps increasing when the iframe is remounted.
    state.seq = Math.max(state.seq + 1, Date.now());
    const s = gd._fullLayout._size;
    const value = { event: event, spec: state.spec, range: currentRange(),
      size: { w: Math.round(s.w), h: Math.round(s.h) }, seq: state.seq };
    post("streamlit:setComponentValue", { value: value, dataType: "json" });
  }

  function onSelected(e) {
    // plotly emits plotly_selected(undefined) for a plain click: our click handler has it.
    if (state.applying || !e) return;
    if (e.lassoPoints && e.lassoPoints.x && e.lassoPoints.x.length > 2) {
      state.spec = { type: "lasso", x: e.lassoPoints.x.slice(), y: e.lassoPoints.y.slice() };
    } else if (e.range && e.range.x && e.range.y) {
      state.spec = { type: "box", x: e.range.x.slice(), y: e.range.y.slice() };
    } else {
      return;
    }
    sendValue("select");
  }

  function onRelayout(e) {
    if (state.applying || !e) return;
    // Only axis changes are zooms; selections/autosize/dragmode changes also come through here.
    if (!Object.keys(e).some((k) => /^[xy]axis\.(range|autorange)/.test(k))) return;
    tooltip.hide();
    clearTimeout(state.zoomTimer);
    state.zoomTimer = setTimeout(() => {
      const key = JSON.stringify(currentRange());
      if (key === state.lastRangeKey) return;
      state.lastRangeKey = key;
      sendValue("zoom");
    }, ZOOM_DEBOUNCE_MS);
  }

  function listen() {
    state.listening = true;
    // Document-level: during a drag plotly puts a cover over the page, outside `gd`.
    document.addEventListener("mousemove", onMouseMove);
    document.addEventListener("mousedown", (ev) => {
      tooltip.hide();
      state.down = ev.button === 0 ? { x: ev.clientX, y: ev.clientY } : null;
    });
    document.addEventListener("mouseup", onMouseUp);
    document.addEventListener("mouseleave", tooltip.hide);
    listenPlot();
  }

  function listenPlot() {
    // plotly's own events; newPlot drops them, so this runs again after one.
    gd.removeAllListeners && gd.removeAllListeners("plotly_selected");
    gd.removeAllListeners && gd.removeAllListeners("plotly_relayout");
    gd.removeAllListeners && gd.removeAllListeners("plotly_restyle");
    gd.on("plotly_selected", onSelected);
    gd.on("plotly_relayout", onRelayout);
    gd.on("plotly_restyle", () => { state.hidden = null; });  // legend clicks
  }

  // ---------------------------------------------------------------- the wheel
  // As embedded web maps do: the wheel scrolls the page until the map is clicked, or while
  // Ctrl / ⌘ / Shift is held; Escape or a click outside the map gives the wheel back to the
  // page. Otherwise a map taller than half the window traps the reader's wheel.
  const hint = document.getElementById("wheelhint");
  const HINT = { scroll: "Click the map or hold Ctrl to zoom with the wheel",
    zoom: "The wheel zooms the map · Esc or a click outside: it scrolls the page" };
  let flashTimer = null;

  function setWheelZooms(on) {
    state.wheelZooms = on;
    document.body.dataset.wheel = on ? "zoom" : "scroll";
    hint.textContent = on ? HINT.zoom : HINT.scroll;
    if (on) hint.classList.remove("flash");
  }

  function onWheel(ev) {
    if (state.wheelZooms || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;  // plotly zooms
    // Not ours to take: plotly never sees it, and the browser scrolls the page (the frame
    // itself cannot scroll, so the scroll goes on to the page around it).
    ev.stopPropagation();
    hint.classList.add("flash");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => hint.classList.remove("flash"), 1500);
  }

  setWheelZooms(false);
  window.addEventListener("wheel", onWheel, { capture: true, passive: true });
  window.addEventListener("mousedown", () => setWheelZooms(true), { capture: true });
  window.addEventListener("blur", () => setWheelZooms(false));  // focus went elsewhere
  const onEscape = (ev) => { if (ev.key === "Escape") setWheelZooms(false); };
  window.addEventListener("keydown", onEscape);
  // A click on the page around the frame need not blur it (a click on text takes no focus):
  // the page (same origin as the app) is listened to as well, until this frame goes away.
  try {
    const doc = window.parent.document;
    const outside = (ev) => { if (ev.target !== window.frameElement) setWheelZooms(false); };
    doc.addEventListener("mousedown", outside, { capture: true });
    doc.addEventListener("keydown", onEscape, { capture: true });
    window.addEventListener("pagehide", () => {
      doc.removeEventListener("mousedown", outside, { capture: true });
      doc.removeEventListener("keydown", onEscape, { capture: true });
    });
  } catch (err) { /* another origin: blur and the frame's own Escape only */ }

  // ---------------------------------------------------------------- Streamlit protocol

  window.addEventListener("message", (ev) => {
    const d = ev.data;
    if (d && d.type === "streamlit:render") render(d.args || {}, d.theme);
  });

  // Test and benchmark hooks: page-relative pixel position of every point, and picking.
  function positions() {
    const xy = state.data.xy, n = state.args.n, fl = gd._fullLayout;
    const r = gd.getBoundingClientRect(), xs = new Array(n), ys = new Array(n);
    for (let i = 0; i < n; i++) {
      xs[i] = r.left + fl.xaxis._offset + fl.xaxis.l2p(xy[2 * i]);
      ys[i] = r.top + fl.yaxis._offset + fl.yaxis.l2p(xy[2 * i + 1]);
    }
    return { x: xs, y: ys, type: PumapFigure.TRACE_TYPE };
  }

  function screenOf(i) {  // client px of point i inside this frame
    const xy = state.data.xy, fl = gd._fullLayout, r = gd.getBoundingClientRect();
    return { x: r.left + fl.xaxis._offset + fl.xaxis.l2p(xy[2 * i]),
      y: r.top + fl.yaxis._offset + fl.yaxis.l2p(xy[2 * i + 1]) };
  }

  function screenOfXY(x, y) {  // client px of data point (x, y) inside this frame
    const fl = gd._fullLayout, r = gd.getBoundingClientRect();
    return { x: r.left + fl.xaxis._offset + fl.xaxis.l2p(x),
      y: r.top + fl.yaxis._offset + fl.yaxis.l2p(y) };
  }

  window.pumapScatter = { gd: gd, state: state, positions: positions, screenOf: screenOf,
    screenOfXY: screenOfXY, pick: pick };
  post("streamlit:componentReady", { apiVersion: 1 });
})();
