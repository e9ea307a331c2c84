// pumap scatter map: a Streamlit v1 custom component written without npm or
// streamlit-component-lib. It speaks the iframe postMessage protocol directly:
//   out: streamlit:componentReady, streamlit:setFrameHeight, streamlit:setComponentValue
//   in:  streamlit:render {args, theme}
// figure.js builds the plotly figure, tooltip.js draws the hover tooltip.
"use strict";

(function () {
  const gd = document.getElementById("plot");
  const tooltip = PumapTooltip.create(document.getElementById("tip"));
  const ZOOM_DEBOUNCE_MS = 250;
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
    idx: [],          // idx[t][k]: row of point k of trace t
    selection: [],    // the selection we report; redraws restore it
    shapes: [],       // plotly's box/lasso outlines (layout.selections) belonging to it
    seq: 0,
    applying: false,  // true while our own Plotly.react runs: its events are not the user's
    listening: false,
    pending: null,    // events of one user gesture, coalesced (see queueEvent)
    zoomTimer: null,
    lastRangeKey: "",
  };

  function post(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
  }

  const setFrameHeight = (h) => post("streamlit:setFrameHeight", { height: h });

  // ---------------------------------------------------------------- drawing

  function render(args, theme) {
    const height = args.height || 600;
    const themeKey = theme ? theme.base + theme.backgroundColor + theme.textColor : "";
    if (args.signature === state.signature && height === state.height && themeKey === state.themeKey) {
      setFrameHeight(height);  // Streamlit re-sends args on every rerun: nothing changed, keep state
      return;
    }
    if (state.args && args.revision !== state.args.revision) {
      state.selection = [];  // new data: old row indices mean nothing
      state.shapes = [];
    }
    Object.assign(state, { args: args, theme: theme, signature: args.signature,
      height: height, themeKey: themeKey });
    gd.style.height = height + "px";
    tooltip.theme(theme);
    tooltip.preload(args.atlas);
    redraw().then(() => {
      if (!state.listening) listen();
      document.body.dataset.ready = "1";  // a stable hook for end-to-end tests
      document.body.dataset.traceType = PumapFigure.TRACE_TYPE;
      setFrameHeight(height);
    });
  }

  function redraw() {
    const fig = PumapFigure.buildTraces(state.args, state.selection);
    state.idx = fig.idx;
    const layout = PumapFigure.buildLayout(state.args, state.theme, state.shapes);
    state.applying = true;
    const done = () => { state.applying = false; };
    return Plotly.react(gd, fig.traces, layout, CONFIG).then(done, done);
  }

  // ---------------------------------------------------------------- hover

  function pointIndex(p) {
    const idx = state.idx[p.curveNumber];
    return idx ? idx[p.pointIndex] : undefined;
  }

  function onHover(e) {
    const p = e.points && e.points[0];
    const i = p ? pointIndex(p) : undefined;
    if (i === undefined) return;
    let cx, cy;
    if (e.event && typeof e.event.clientX === "number") {
      cx = e.event.clientX; cy = e.event.clientY;
    } else {  // hover triggered by code (Plotly.Fx.hover): place at the point itself
      const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
      cx = xa._offset + xa.l2p(p.x); cy = ya._offset + ya.l2p(p.y);
    }
    tooltip.show(i, state.args, cx, cy);
  }

  // ---------------------------------------------------------------- events to Python

  function currentRange() {
    const fl = gd._fullLayout;
    return { x: fl.xaxis.range.slice(), y: fl.yaxis.range.slice() };
  }

  function sendValue(event) {
    // seq starts from the clock so that it keeps increasing when the iframe is remounted.
    state.seq = Math.max(state.seq + 1, Date.now());
    const value = { selection: state.selection, event: event, range: currentRange(), seq: state.seq };
    post("streamlit:setComponentValue", { value: value, dataType: "json" });
  }

  function queueEvent(event, selection, shapes) {
    // One click in plotly emits plotly_selected and then plotly_click in the same task:
    // keep the strongest of them (click > select > clear) and send once.
    const rank = { clear: 0, select: 1, click: 2 };
    const p = state.pending;
    if (!p) {
      state.pending = { event: event, selection: selection, shapes: shapes || [] };
      setTimeout(flushEvent, 0);
      return;
    }
    if (rank[event] >= rank[p.event]) p.event = event;
    if (selection !== null) p.selection = selection;
    if (shapes) p.shapes = shapes;
  }

  function flushEvent() {
    const p = state.pending;
    state.pending = null;
    if (!p) return;
    // Clicking empty space with nothing selected "clears" nothing: no rerun for that.
    if (p.event === "clear" && !state.selection.length && !state.shapes.length) return;
    if (p.selection !== null) state.selection = p.selection;
    // A double click on a point selects it, then deselects everything: that is a clear.
    if (p.event === "click" && !state.selection.length) p.event = "clear";
    // A click selects a point but plotly leaves the previous box outline drawn (and would
    // re-select the box on the next redraw): keep outlines only for box/lasso selections.
    state.shapes = p.event === "select" ? p.shapes : [];
    if (!state.shapes.length && (gd.layout.selections || []).length) redraw();
    sendValue(p.event);
  }

  function collect(points) {
    const seen = new Set();
    for (const p of points || []) {
      const i = pointIndex(p);
      if (i !== undefined) seen.add(i);
    }
    return Array.from(seen).sort((a, b) => a - b);
  }

  function onRelayout(e) {
    if (state.applying || !e) return;
    // Only axis changes are zooms; selections/autosize/dragmode changes also come through here.
    if (!Object.keys(e).some((k) => /^[xy]axis\.(range|autorange)/.test(k))) return;
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
    gd.on("plotly_hover", onHover);
    gd.on("plotly_unhover", tooltip.hide);
    gd.addEventListener("mousemove", (ev) => {
      if (tooltip.visible()) tooltip.place(ev.clientX, ev.clientY);
    });
    gd.addEventListener("mouseleave", tooltip.hide);
    gd.addEventListener("mousedown", tooltip.hide);
    gd.on("plotly_selected", (e) => {
      // plotly emits plotly_selected(undefined) for a plain click: not a selection change.
      if (state.applying || !e) return;
      queueEvent("select", collect(e.points), e.selections || []);
    });
    gd.on("plotly_click", (e) => {
      if (state.applying || !e || !e.points || !e.points.length) return;
      // With clickmode "event+select" a plotly_selected with the clicked point(s) came first.
      queueEvent("click", state.pending ? null : collect(e.points));
    });
    gd.on("plotly_deselect", () => {
      if (!state.applying) queueEvent("clear", []);
    });
    gd.on("plotly_relayout", onRelayout);
    state.lastRangeKey = JSON.stringify(currentRange());
  }

  // ---------------------------------------------------------------- Streamlit protocol

  window.addEventListener("message", (ev) => {
    const d = ev.data;
    if (d && d.type === "streamlit:render") render(d.args || {}, d.theme);
  });

  window.pumapScatter = { gd: gd, state: state, pointIndex: pointIndex };  // test/debug hook
  post("streamlit:componentReady", { apiVersion: 1 });
})();
