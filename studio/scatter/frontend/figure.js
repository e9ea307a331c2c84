// Figure building for the scatter map: pure functions from the component's args (and the
// fetched arrays) to plotly traces and layout. No DOM, no Streamlit: main.js owns state/events.
//   points view: WebGL markers, one trace per category (legend clicks hide a category).
//   raster view: a datashader image from Python placed on the axes, plus an invisible trace at
//                the map's corners so that autoscale, box and lasso work as on points.
"use strict";

const PumapFigure = (function () {
  const DIM_OPACITY = 0.2;  // points outside `highlight`, and unselected points
  const MAX_LEGEND = 40;    // more categories than this: one trace, no legend

  function hasWebGL() {
    try {
      const c = document.createElement("canvas");
      return !!(c.getContext("webgl2") || c.getContext("webgl"));
    } catch (e) {
      return false;
    }
  }
  // Without WebGL (some VMs, remote desktops) fall back to SVG: slow for 100k points, but visible.
  const TRACE_TYPE = hasWebGL() ? "scattergl" : "scatter";

  function palette(a) {
    const p = a.color && a.color.palette;
    return p && p.length ? p : ["#1f77b4"];
  }

  function colorbar(a) {
    // The colour bar, titled with the colour column's name (what do the colours mean?).
    const title = (a.color && a.color.title) || "";
    return { thickness: 12, len: 0.9, outlinewidth: 0,
      title: { text: title, side: "right", font: { size: 12 } } };
  }

  function groupsOf(a, data) {
    // -> [{name, idx (rows), color | values}]
    const n = a.n, codes = data.codes, c = a.color || {};
    const all = () => Int32Array.from({ length: n }, (_, i) => i);
    if (c.mode === "continuous") return [{ name: "", idx: all(), values: codes }];
    const cats = c.categories || [], pal = palette(a);
    if (!codes || cats.length <= 1) return [{ name: cats[0] || "", idx: all(), color: pal[0] }];
    if (cats.length > MAX_LEGEND) {
      return [{ name: "", idx: all(), color: Array.from(codes, (k) => pal[k % pal.length]) }];
    }
    const counts = new Int32Array(cats.length);
    for (let i = 0; i < n; i++) counts[codes[i]]++;
    const groups = cats.map((name, k) => ({
      name: String(name), code: k, idx: new Int32Array(counts[k]), color: pal[k % pal.length],
    }));
    const fill = new Int32Array(cats.length);
    for (let i = 0; i < n; i++) {
      const k = codes[i];
      groups[k].idx[fill[k]++] = i;
    }
    return groups.filter((g) => g.idx.length > 0);
  }

  function selectedPoints(idx, selection, n) {
    // Per trace, the trace-local positions of `selection`: plotly then shows our selection,
    // not whatever it would re-derive from its outlines.
    if (!selection || !selection.length) return null;
    const local = new Int32Array(n), trace = new Int32Array(n);
    idx.forEach((rows, t) => rows.forEach((i, k) => { local[i] = k; trace[i] = t; }));
    const out = idx.map(() => []);
    for (const i of selection) if (i < n) out[trace[i]].push(local[i]);
    return out;
  }

  function pointTraces(a, data) {
    const n = a.n, xy = data.xy, size = a.point_size || 4;
    let mask = null;
    if (a.highlight && a.highlight.length) {
      mask = new Uint8Array(n);
      for (const i of a.highlight) if (i >= 0 && i < n) mask[i] = 1;
    }
    const groups = groupsOf(a, data);
    const legend = (a.color || {}).mode !== "continuous" && groups.length > 1;
    const idx = groups.map((g) => g.idx);
    const selected = selectedPoints(idx, a.selection, n);
    const traces = groups.map((g, t) => {
      const x = new Float32Array(g.idx.length), y = new Float32Array(g.idx.length);
      g.idx.forEach((i, k) => { x[k] = xy[2 * i]; y[k] = xy[2 * i + 1]; });
      const marker = { size: size, opacity: a.opacity || 0.8, color: g.color };
      if (g.values) {
        Object.assign(marker, {
          color: Array.from(g.idx, (i) => g.values[i]), colorscale: a.color.colorscale || "Viridis",
          showscale: true, colorbar: colorbar(a),
        });
      }
      if (mask) {
        marker.opacity = Array.from(g.idx, (i) => (mask[i] ? 1 : DIM_OPACITY));
        marker.size = Array.from(g.idx, (i) => (mask[i] ? size * 1.6 : size));
      }
      return {
        type: TRACE_TYPE, mode: "markers", name: g.name, x: x, y: y, marker: marker,
        hoverinfo: "skip",  // our own grid finds the hovered point, in both views
        // plotly dims unselected points to 0.2 × their opacity, which on top of the highlight
        // dimming made them vanish: one fixed level instead.
        unselected: { marker: { opacity: DIM_OPACITY } },
        showlegend: legend,
        selectedpoints: selected ? selected[t] : null,
      };
    });
    return { traces: traces, idx: idx, groups: groups };
  }

  function rasterTraces(a) {
    const [x0, x1, y0, y1] = a.extent;
    const c = a.color || {};
    // Invisible corners: autoscale (double click) returns to the whole map, select tools work.
    const corners = {
      type: "scatter", mode: "markers", x: [x0, x1], y: [y0, y1], hoverinfo: "skip",
      marker: { opacity: 0, size: 1 }, showlegend: false, name: "",
    };
    const traces = [corners];
    if (c.mode === "continuous" && c.range) {
      Object.assign(corners.marker, {
        color: c.range, colorscale: c.colorscale || "Viridis", showscale: true,
        colorbar: colorbar(a),
      });
    } else if (c.mode === "categorical" && (c.categories || []).length > 1 &&
               c.categories.length <= MAX_LEGEND) {
      // Legend entries only (the colours are in the image).
      const pal = palette(a);
      c.categories.forEach((name, k) => traces.push({
        type: "scatter", mode: "markers", x: [null], y: [null], name: String(name),
        marker: { color: pal[k % pal.length], size: 8 }, hoverinfo: "skip", showlegend: true,
      }));
    }
    return { traces: traces, idx: [], groups: [] };
  }

  function shapesOf(shape) {
    // The selection outline as a plain layout shape. Not as layout.selections: with those
    // present plotly.js 4.1 stops scroll-zooming and can hang Plotly.react when they go.
    if (!shape) return [];
    const line = { color: "rgba(49, 51, 63, 0.8)", width: 1.5, dash: "dot" };
    const base = { xref: "x", yref: "y", line: line, fillcolor: "rgba(0,0,0,0)", layer: "above",
      editable: false };
    if (shape.type === "box") {
      return [Object.assign({ type: "rect", x0: shape.x[0], x1: shape.x[1], y0: shape.y[0],
        y1: shape.y[1] }, base)];
    }
    if (shape.type === "lasso" && shape.x.length > 2) {
      const path = shape.x.map((v, k) => (k ? "L" : "M") + v + "," + shape.y[k]).join("") + "Z";
      return [Object.assign({ type: "path", path: path }, base)];
    }
    return [];
  }

  // t: room for the mode bar above the legend. Tick labels and the legend widen these
  // (automargin), by about what plotArea estimates.
  const MARGIN = { l: 10, r: 10, t: 32, b: 10 };
  const TICKS_PX = { l: 21, b: 16 };

  function legendWidth(a) {
    // plotly's legend: a 40 px symbol column, the longest name, padding.
    const c = a.color || {};
    if (c.mode === "continuous") return c.range ? 80 : 0;  // the colour bar, labels, title
    const cats = c.categories || [];
    if (c.mode !== "categorical" || cats.length <= 1 || cats.length > MAX_LEGEND) return 0;
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = "12px sans-serif";
    const names = cats.concat([(c.title || "") + "   "]);  // the legend's title too
    return 62 + Math.max(...names.map((n) => ctx.measureText(String(n)).width));
  }

  function plotArea(a, width) {
    // Where plotly will draw the axes' area (px in the frame), before plotly has run.
    const l = MARGIN.l + TICKS_PX.l, t = MARGIN.t, b = MARGIN.b + TICKS_PX.b;
    const r = MARGIN.r + legendWidth(a);
    return { l: l, t: t, w: Math.max(width - l - r, 10), h: Math.max(a.height - t - b, 10) };
  }

  function buildLayout(a, theme, range) {
    const text = (theme && theme.textColor) || "#31333F";
    const axis = { zeroline: false, gridcolor: "rgba(128, 128, 128, 0.15)", automargin: true };
    const xaxis = Object.assign({}, axis), yaxis = Object.assign({}, axis);
    if (range) {
      xaxis.range = range.x.slice();
      yaxis.range = range.y.slice();
    }
    const layout = {
      // Same data revision => plotly keeps the user's zoom, dragmode and legend toggles.
      uirevision: a.revision,
      height: a.height,
      dragmode: a.dragmode || "select",
      hovermode: false,
      margin: Object.assign({}, MARGIN),
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: text, family: (theme && theme.font) || undefined },
      xaxis: xaxis,
      yaxis: yaxis,
      legend: { itemsizing: "constant", bgcolor: "rgba(0,0,0,0)",
        title: { text: (a.color && a.color.title) || "" } },
      selections: [],
      shapes: shapesOf(a.shape),
      images: [],
    };
    if (a.view === "raster" && a.raster) {
      const r = a.raster;
      layout.images = [{
        source: r.url, xref: "x", yref: "y", x: r.x[0], y: r.y[1], sizex: r.x[1] - r.x[0],
        sizey: r.y[1] - r.y[0], sizing: "stretch", layer: "below", xanchor: "left",
        yanchor: "top",
      }];
      layout.legend.itemclick = false;  // the image cannot hide a category
      layout.legend.itemdoubleclick = false;
    }
    return layout;
  }

  function build(a, data) {
    return a.view === "raster" ? rasterTraces(a) : pointTraces(a, data);
  }

  return { TRACE_TYPE: TRACE_TYPE, build: build, buildLayout: buildLayout, plotArea: plotArea };
})();
