"""The wheel scrolls the page, not a plotly chart, until the chart is clicked.

``st.plotly_chart(config={"scrollZoom": True})`` takes every wheel turn over the chart, so a
tall chart traps the reader: the page cannot be scrolled past it. As embedded web maps do, a
chart drawn inside :func:`wheel_guard` zooms with the wheel only once it has been clicked, or
while Ctrl / ⌘ / Shift is held; Escape or a click elsewhere gives the wheel back to the page.
(The Explore map's component does the same in its own frame: studio/scatter/frontend/main.js.)

A tiny script in a component frame (same origin as the app) listens on the page's document,
before plotly does: a wheel turn over an inactive guarded chart is kept from plotly, and the
browser scrolls the page as it would anywhere else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import streamlit as st
import streamlit.components.v1 as components

#: Class prefix Streamlit gives a container with key "wheelguard-…" (``st-key-…``).
PREFIX = "wheelguard-"

_SCRIPT = """<script>
(function () {
  const win = window.parent, doc = win.document;
  if (win.__pumapWheelGuard) return;  // once per page, whatever reruns and pages follow
  win.__pumapWheelGuard = true;
  let active = null;  // the guarded chart clicked last: the wheel zooms it
  const guarded = (el) => el && el.closest && el.closest('[class*="st-key-%(prefix)s"]');
  const mark = () => doc.querySelectorAll('[class*="st-key-%(prefix)s"]').forEach(
    (box) => { box.dataset.wheel = box === active ? "zoom" : "scroll"; });
  doc.addEventListener("wheel", (ev) => {
    const box = guarded(ev.target);
    if (!box || box === active || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    ev.stopPropagation();  // plotly never sees it; the page scrolls
  }, { capture: true, passive: true });
  doc.addEventListener("mousedown", (ev) => {
    const box = guarded(ev.target);
    active = box && ev.target.closest(".js-plotly-plot") ? box : null;
    mark();
  }, true);
  doc.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") { active = null; mark(); }
  }, true);
  mark();
})();
</script>""" % {"prefix": PREFIX}


@contextlib.contextmanager
def wheel_guard(key: str) -> Iterator[None]:
    """Charts drawn inside ``with wheel_guard(key):`` scroll the page until they are clicked
    (pass them ``config={"scrollZoom": True}``; say so on the chart)."""
    with st.container(key=PREFIX + key):
        yield
        components.html(_SCRIPT, height=0)
