// Figure building for the scatter map: pure functions from the component's args to plotly
// traces and layout. No DOM, no Streamlit: main.js owns state and events.
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

  function highlightMask(highlight, n) {
    if (!highlight || !highlight.length) return null;
    const mask = new Uint8Array(n);
    for (const i of highlight) if (i >= 0 && i < n) mask[i] = 1;
    return mask;
  }

  function groupsOf(a, n) {
    // One trace per category so that legend clicks hide a category; idx maps back to rows.
    const all = () => Int32Array.from({ length: n }, (_, i) => i);
    if (a.color_mode === "continuous") return [{ name: "", idx: all(), values: a.color }];
    const cats = a.categories || [];
    const codes = a.color;
    const palette = a.palette && a.palette.length ? a.palette : ["#1f77b4"];
    if (!codes || cats.length <= 1) {
      return [{ name: cats[0] || "", idx: all(), color: palette[0] }];
    }
    if (cats.length > MAX_LEGEND) {
      return [{ name: "", idx: all(), color: Array.from(codes, (c) => palette[c % palette.length]) }];
    }
    const counts = new Int32Array(cats.length);
    for (let i = 0; i < n; i++) counts[codes[i]]++;
    const groups = cats.map((name, k) => ({
      name: String(name), idx: new Int32Array(counts[k]), color: palette[k % palette.length],
    }));
    const fill = new Int32Array(cats.length);
    for (let i = 0; i < n; i++) {
      const k = codes[i];
      groups[k].idx[fill[k]++] = i;
    }
    return groups.filter((g) => g.idx.length > 0);
  }

  function selectedPoints(idx, selection, n) {
    // Per trace, the trace-local positions of `selection`. Passing them explicitly makes a
    // redraw show our selection rather than whatever plotly would re-derive from its outlines.
    if (!selection.length) return null;
    const local = new Int32Array(n), trace = new Int32Array(n);
    idx.forEach((rows, t) => rows.forEach((i, k) => { local[i] = k; trace[i] = t; }));
    const out = idx.map(() => []);
    for (const i of selection) if (i < n) out[trace[i]].push(local[i]);
    return out;
  }

  // -> {traces, idx}: idx[t][k] is the row (global index) of point k of trace t.
  function buildTraces(a, selection) {
    const n = a.x.length;
    const size = a.point_size || 4;
    const mask = highlightMask(a.highlight, n);
    const groups = groupsOf(a, n);
    const legend = a.color_mode !== "continuous" && groups.length > 1;
    const idx = groups.map((g) => g.idx);
    const selected = selectedPoints(idx, selection, n);
    const traces = groups.map((g, t) => {
      const whole = g.idx.length === n;  // common single-trace case: no copies
      const pick = (arr) => (whole ? arr : Array.from(g.idx, (i) => arr[i]));
      const marker = { size: size, opacity: a.opacity || 0.8, color: g.color };
      if (g.values) {
        Object.assign(marker, {
          color: pick(g.values), colorscale: a.colorscale || "Viridis", showscale: true,
          colorbar: { thickness: 12, len: 0.9, outlinewidth: 0 },
        });
      }
      if (mask) {
        // Array.from, not Int32Array.map: the latter would truncate opacities to 0.
        marker.opacity = Array.from(g.idx, (i) => (mask[i] ? 1 : DIM_OPACITY));
        marker.size = Array.from(g.idx, (i) => (mask[i] ? size * 1.6 : size));
      }
      return {
        type: TRACE_TYPE, mode: "markers", name: g.name, x: pick(a.x), y: pick(a.y),
        marker: marker, hoverinfo: "none",  // "none" still emits plotly_hover; "skip" would not
        // plotly dims unselected points to 0.2 × their opacity, which on top of the highlight
        // dimming made them vanish: one fixed level instead.
        unselected: { marker: { opacity: DIM_OPACITY } },
        showlegend: legend,
        selectedpoints: selected ? selected[t] : null,  // null: no selection, nothing dimmed
      };
    });
    return { traces: traces, idx: idx };
  }

  function buildLayout(a, theme, shapes) {
    const text = (theme && theme.textColor) || "#31333F";
    const axis = { zeroline: false, gridcolor: "rgba(128, 128, 128, 0.15)", automargin: true };
    return {
      // Same data revision => plotly keeps the user's zoom, dragmode and legend toggles.
      uirevision: a.revision,
      height: a.height,
      dragmode: a.dragmode || "select",
      clickmode: "event+select",  // a click selects the point (shift adds), as plotly users expect
      hovermode: "closest",
      margin: { l: 10, r: 10, t: 32, b: 10 },  // t: room for the mode bar above the legend
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: text, family: (theme && theme.font) || undefined },
      xaxis: axis,
      yaxis: Object.assign({}, axis),
      legend: { itemsizing: "constant", bgcolor: "rgba(0,0,0,0)" },
      selections: shapes.map((sh) => Object.assign({}, sh)),
    };
  }

  return { TRACE_TYPE: TRACE_TYPE, buildTraces: buildTraces, buildLayout: buildLayout };
})();
