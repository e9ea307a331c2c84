"""Deep links (``/explore?run=...``) on a freshly started server must open the app, not a bare page.

Streamlit treats a ``pages/`` folder next to the main script as a legacy multipage app until
``st.navigation`` is called once in the process. A shared link that is the server's first
request therefore runs ``pages/explore.py`` on its own: no titles, icons or wide layout, and the
same for every later visitor. Each page calls :func:`ensure_app_navigation` first: in that
legacy mode it switches the flag off and reruns, so ``app.py`` routes the link itself.

Only the first page run of a process is checked: once ``st.navigation`` has run, a server stays
out of the legacy mode. (Streamlit's AppTest resets the flag before every run, simulating a
fresh process each time; acting on it there would reroute every test to the Home page.)

Streamlit (1.67) has no supported switch for this short of renaming ``pages/``, which the
product's layout names: the flag ``PagesManager.uses_pages_directory`` is private, so
tests/app/test_routing.py pins what is relied on and fails when a release changes it.
"""

from __future__ import annotations

import streamlit as st


_checked = False


def ensure_app_navigation() -> None:
    global _checked
    if _checked:
        return
    _checked = True
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode: nothing to fix
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
