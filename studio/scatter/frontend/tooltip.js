// The hover tooltip: thumbnail from the atlas sprite sheet + text, drawn without any round
// trip to Python so that it follows the cursor at once.
"use strict";

const PumapTooltip = (function () {
  const THUMB_PX = 96;  // tooltip thumbnail size, whatever the atlas cell size

  function safeHtml(s) {
    // Hover text may hold uploaded values: escape all, then allow a few formatting tags back.
    const esc = String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    return esc.replace(/&lt;(\/?)(br|b|i|em|strong|sub|sup)\s*\/?&gt;/gi, "<$1$2>");
  }

  function create(tip) {
    const thumb = tip.querySelector(".thumb");
    const text = tip.querySelector(".text");
    let atlasImg = null;

    function preload(atlas) {
      // Fetch the sprite sheet before the first hover, so the first tooltip is not blank.
      if (!atlas || !atlas.url || (atlasImg && atlasImg.dataset.url === atlas.url)) return;
      atlasImg = new Image();
      atlasImg.dataset.url = atlas.url;
      atlasImg.src = atlas.url;
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

    function show(i, args, cx, cy) {
      const atlas = args.atlas;
      if (atlas && atlas.url) {
        // Cell i of the sheet, scaled so one cell fills THUMB_PX (pixelated: see index.html).
        const scale = THUMB_PX / atlas.cell;
        const col = i % atlas.cols, row = Math.floor(i / atlas.cols);
        thumb.style.backgroundImage = 'url("' + atlas.url + '")';
        thumb.style.backgroundSize = atlas.cols * atlas.cell * scale + "px auto";
        thumb.style.backgroundPosition = -col * THUMB_PX + "px " + -row * THUMB_PX + "px";
        thumb.style.display = "block";
      } else {
        thumb.style.display = "none";
      }
      text.innerHTML = args.hover ? safeHtml(args.hover[i]) : "row: " + i;
      tip.dataset.index = String(i);
      tip.style.display = "block";
      place(cx, cy);
    }

    function hide() {
      tip.style.display = "none";
      delete tip.dataset.index;
    }

    const visible = () => tip.style.display === "block";
    return { preload: preload, theme: theme, place: place, show: show, hide: hide, visible: visible };
  }

  return { create: create };
})();
