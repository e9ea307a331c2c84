// Data for the scatter map, fetched from files Python published next to this page: point
// coordinates and colour codes as raw little-endian arrays, hover rows as JSON chunks. The
// websocket then only carries small arguments, and a rerun never re-sends a million points.
// Also the spatial grid that finds the point under the cursor, in both views.
"use strict";

const PumapData = (function () {
  const buffers = new Map();  // url -> Promise<ArrayBuffer>
  const chunks = new Map();   // url -> Promise<rows>
  const loaded = new Map();   // url -> rows, once fetched

  function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

  // Files written in the background (hover chunks, thumbnail pages) may not exist yet: retry.
  async function fetchRetry(url, kind, tries) {
    for (let k = 0; ; k++) {
      try {
        const res = await fetch(url);
        if (res.ok) return kind === "json" ? res.json() : res.arrayBuffer();
        if (k >= tries) throw new Error(url + ": HTTP " + res.status);
      } catch (e) {
        if (k >= tries) throw e;
      }
      await sleep(Math.min(150 * (k + 1), 1000));
    }
  }

  function buffer(url) {
    if (!buffers.has(url)) {
      const p = fetchRetry(url, "buffer", 8);
      p.catch(() => buffers.delete(url));  // a later render may try again
      buffers.set(url, p);
    }
    return buffers.get(url);
  }

  async function typed(url, type) {
    if (!url) return null;
    const buf = await buffer(url);
    if (type === "u16") return new Uint16Array(buf);
    if (type === "i32") return new Int32Array(buf);
    if (type === "f64") return new Float64Array(buf);
    return new Float32Array(buf);
  }

  // Hover rows: chunk k of `spec` holds rows [k*size, (k+1)*size) as arrays of strings.
  function chunkUrl(spec, i) { return spec.prefix + Math.floor(i / spec.chunk) + ".json"; }

  function hoverRow(spec, i) {
    if (!spec) return Promise.resolve(null);
    const url = chunkUrl(spec, i);
    if (!chunks.has(url)) {
      const p = fetchRetry(url, "json", 20);
      p.then((rows) => loaded.set(url, rows), () => chunks.delete(url));
      chunks.set(url, p);
    }
    return chunks.get(url).then((rows) => rows[i % spec.chunk], () => null);
  }

  // The row at once if its chunk is here (no flicker while moving), else undefined.
  function hoverRowNow(spec, i) {
    if (!spec) return null;
    const rows = loaded.get(chunkUrl(spec, i));
    return rows ? rows[i % spec.chunk] : undefined;
  }

  // ---------------------------------------------------------------- spatial grid
  // Points sorted into a uniform grid of about 4 points per cell (counting sort, O(n)).
  // Nearest-point queries scan the cells within the pick radius: microseconds at 1M points.
  function buildGrid(xy, n, extent) {
    const [x0, x1, y0, y1] = extent;
    const side = Math.max(1, Math.min(2048, Math.round(Math.sqrt(n / 4))));
    const sx = side / (x1 - x0 || 1), sy = side / (y1 - y0 || 1);
    const cellOf = new Int32Array(n);
    const start = new Int32Array(side * side + 1);
    for (let i = 0; i < n; i++) {
      const x = xy[2 * i], y = xy[2 * i + 1];
      if (!(isFinite(x) && isFinite(y))) { cellOf[i] = -1; continue; }
      const cx = Math.min(side - 1, Math.max(0, Math.floor((x - x0) * sx)));
      const cy = Math.min(side - 1, Math.max(0, Math.floor((y - y0) * sy)));
      const c = cy * side + cx;
      cellOf[i] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < side * side; c++) start[c + 1] += start[c];
    const fill = start.slice(0, side * side);
    const order = new Int32Array(start[side * side]);
    for (let i = 0; i < n; i++) if (cellOf[i] >= 0) order[fill[cellOf[i]]++] = i;

    // Nearest point to (qx, qy) within `radius` px, where px = data × (kx, ky); -1 if none.
    // `visible(i)` may exclude points (legend-hidden categories).
    function nearest(qx, qy, kx, ky, radius, visible) {
      const rx = radius / kx, ry = radius / ky;
      const cx0 = Math.max(0, Math.floor((qx - rx - x0) * sx));
      const cx1 = Math.min(side - 1, Math.floor((qx + rx - x0) * sx));
      const cy0 = Math.max(0, Math.floor((qy - ry - y0) * sy));
      const cy1 = Math.min(side - 1, Math.floor((qy + ry - y0) * sy));
      let best = -1, bestD = radius * radius;
      for (let cy = cy0; cy <= cy1; cy++) {
        for (let cx = cx0; cx <= cx1; cx++) {
          const c = cy * side + cx;
          for (let k = start[c]; k < start[c + 1]; k++) {
            const i = order[k];
            const dx = (xy[2 * i] - qx) * kx, dy = (xy[2 * i + 1] - qy) * ky;
            const d = dx * dx + dy * dy;
            if (d <= bestD && (!visible || visible(i))) { best = i; bestD = d; }
          }
        }
      }
      return best;
    }
    return { nearest: nearest };
  }

  // ---------------------------------------------------------------- large maps
  // A view's hover grid from Python (studio/scatter/large.py): per cell of `cell` image px,
  // top row first, an index into `rows` (global row numbers) or -1. Same rule as Python's
  // HoverGrid.lookup: the cell under (px, py), else the nearest non-empty within `radius`.
  function gridLookup(g, cells, rows, px, py) {
    const cx = Math.floor(px / g.cell), cy = Math.floor(py / g.cell), r = g.radius;
    let best = -1, bestD = Infinity;
    for (let y = Math.max(0, cy - r); y < Math.min(g.h, cy + r + 1); y++) {
      for (let x = Math.max(0, cx - r); x < Math.min(g.w, cx + r + 1); x++) {
        const k = cells[y * g.w + x];
        const d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        if (k >= 0 && d <= r * r && d < bestD) { best = k; bestD = d; }
      }
    }
    return best < 0 ? null : { local: best, row: rows[best] };
  }

  // The grid's point at data coordinates (x, y). The grid belongs to the last image, whose
  // range may differ from the axes' while a zoom renders: map through the image's range.
  function pickOnGrid(k, x, y) {
    const g = k.spec;
    const ix = (x - g.x[0]) / (g.x[1] - g.x[0]) * g.width;
    const iy = (g.y[1] - y) / (g.y[1] - g.y[0]) * g.height;
    if (!(ix >= 0 && iy >= 0 && ix < g.width && iy < g.height)) return null;
    return gridLookup(g, k.cells, k.rows, ix, iy);
  }

  return { typed: typed, hoverRow: hoverRow, hoverRowNow: hoverRowNow, buildGrid: buildGrid,
    pickOnGrid: pickOnGrid };
})();
