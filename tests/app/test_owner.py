"""Who owns a job: the browser, known by its XSRF cookie, whose mask changes on every response
while the token inside stays."""

import os

from studio.service import browser_token


def masked(token: bytes, mask: bytes, when: int = 1796130000) -> str:
    hidden = bytes(b ^ mask[i % 4] for i, b in enumerate(token))
    return f"2|{mask.hex()}|{hidden.hex()}|{when}"


def test_the_same_browser_is_known_through_a_new_mask():
    token = os.urandom(16)
    first, second = masked(token, os.urandom(4)), masked(token, os.urandom(4))
    assert first != second
    assert browser_token(first) == browser_token(second) == token
    assert browser_token(masked(os.urandom(16), os.urandom(4))) != token


def test_odd_cookies_give_no_owner_or_themselves():
    assert browser_token(None) is None and browser_token("") is None
    assert browser_token("2|zz|yy|1") is None and browser_token("2|only") is None
    assert browser_token("plain-old-token") == b"plain-old-token"
