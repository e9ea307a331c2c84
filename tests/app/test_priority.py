"""Background work (a large map's files) gives way to page runs."""

import threading

from studio import priority
from studio.scatter import _publish


def test_background_writes_wait_while_a_page_runs(monkeypatch):
    monkeypatch.setattr(priority, "YIELD_S", 0.05)
    log, done = [], threading.Event()

    def job(pause):
        pause()
        log.append("written")
        done.set()

    with priority.foreground():
        _publish.in_background("test-give-way", job)
        assert not done.wait(0.5), "the job ran during a page run"
        log.append("page run")
    assert done.wait(10)
    assert log == ["page run", "written"]


def test_background_writes_do_not_wait_forever(monkeypatch):
    monkeypatch.setattr(priority, "MAX_WAIT_S", 0.2)
    done = threading.Event()
    with priority.foreground():  # a page run that never ends
        _publish.in_background("test-max-wait", lambda pause: (pause(), done.set()))
        assert done.wait(10)
