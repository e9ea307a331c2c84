"""One way to show an error: the library's one-line message, never a traceback."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

import streamlit as st

from pumap_core import PumapError
from pumap_core.errors import user_message

log = logging.getLogger("pumap_studio")


def show_error(exc: BaseException) -> None:
    if not isinstance(exc, PumapError):
        log.exception("unexpected error", exc_info=exc)
    st.error(user_message(exc), icon="⚠️")


@contextmanager
def user_errors() -> Iterator[None]:
    """``with user_errors(): ...`` shows any error as one line and lets the page go on."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the page must never show a traceback
        show_error(exc)
