// The hover tooltip: the item's thumbnail (one cell of a sprite page) and its row values, drawn
// without any round trip to Python so that it follows the cursor at once.
"use strict";

const PumapTooltip = (function () {
  const THUMB_PX = 96;  // tooltip thumbnail size, whatever the atlas cell size

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function create(tip) {
    const thumb = tip.querySelector(".thumb");
    const text = tip.querySelector(".text");
    const pages = new Map();  // url -> Image (loaded or loading)

    function pageUrl(atlas, i) { return atlas.prefix + Math.floor(i / atlas.per_page) + ".png"; }

    function page(url, onload) {
      // Pages are written in the background for large maps: retry until one is there.
      let img = pages.get(url);
      if (!img) {
        img = new Image();
        img.tries = 0;
        img.onerror = () => {
          if (++img.tries < 30) setTimeout(() => { img.src = url + "?t=" + img.tries; }, 300);
        };
        img.src = url;
        pages.set(url, img);
      }
      if (!img.complete || !img.naturalWidth) img.addEventListener("load", onload, { once: true });
      return img;
    }

    function preload(atlas) {
      // Fetch the first sheet before the first hover, so the first tooltip is not blank.
      if (atlas && atlas.prefix) page(pageUrl(atlas, 0), () => {});
    }

    function theme(t) {
      if (!t || !t.backgroundColor) return;
      tip.style.background = t.backgroundColor;
      tip.style.color = t.textColor || "";
    }

    function place(cx, cy) {
      const pad = 14;
      const w = tip.offsetWidth, h = tip.offsetHeight;
      let left = cx + pad, top = cy + pad;
      if (left + w > window.innerWidth) left = cx - pad - w;  // flip to stay inside the iframe
      if (top + h > window.innerHeight) top = cy - pad - h;
      tip.style.transform = "translate(" + Math.max(0, left) + "px," + Math.max(0, top) + "px)";
    }

    function showThumb(i, atlas) {
      const url = pageUrl(atlas, i);
      const img = page(url, () => { if (tip.dataset.index === String(i)) showThumb(i, atlas); });
      if (!img.complete || !img.naturalWidth) {
        thumb.style.display = "none";
        delete tip.dataset.thumb;
        return;
      }
      const j = i % atlas.per_page, scale = THUMB_PX / atlas.cell;
      const col = j % atlas.cols, row = Math.floor(j / atlas.cols);
      thumb.style.backgroundImage = 'url("' + img.src + '")';
      thumb.style.backgroundSize = img.naturalWidth * scale + "px auto";
      thumb.style.backgroundPosition = -col * THUMB_PX + "px " + -row * THUMB_PX + "px";
      thumb.style.display = "block";
      tip.dataset.thumb = url;  // for tests: the thumbnail is really drawn
    }

    // row: array of strings (one per hover column), null (no hover data) or undefined (loading)
    function show(i, a, row, cx, cy) {
      tip.dataset.index = String(i);
      if (a.atlas && a.atlas.prefix) showThumb(i, a.atlas);
      else thumb.style.display = "none";
      let html = "<b>row</b>: " + i;
      const cols = (a.hover && a.hover.columns) || [];
      if (row) cols.forEach((c, k) => { html += "<br><b>" + esc(c) + "</b>: " + esc(row[k]); });
      else if (row === undefined && cols.length) html += "<br><i>loading…</i>";
      text.innerHTML = html;
      tip.style.display = "block";
      place(cx, cy);
    }

    function hide() {
      tip.style.display = "none";
      delete tip.dataset.index;
      delete tip.dataset.thumb;
    }

    const visible = () => tip.style.display === "block";
    const index = () => (visible() ? Number(tip.dataset.index) : -1);
    return { preload: preload, theme: theme, place: place, show: show, hide: hide,
      visible: visible, index: index };
  }

  return { create: create };
})();
