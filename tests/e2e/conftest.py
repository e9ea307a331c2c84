"""Shared fixtures for end-to-end tests: a Streamlit server per script and Debian's Chromium.

    def test_x(streamlit_server, browser):
        url = streamlit_server("tests/e2e/some_app.py")
        page = browser.new_page()
        page.goto(url)

Servers are killed at teardown, whatever the test did. Logs and screenshots go to
test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = os.environ.get("PUMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    # With --disable-gpu, WebGL (plotly's scattergl) needs the software rasteriser, which
    # recent Chromium only enables on request.
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _wait_healthy(proc: subprocess.Popen, port: int, log: Path, timeout: float) -> None:
    url = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"streamlit not healthy after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    # The server runs in its own process group (start_new_session): signal that group only.
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture
def streamlit_server(artifacts):
    """Factory: ``streamlit_server("tests/e2e/app.py") -> "http://127.0.0.1:<port>"``;
    ``streamlit_server.kill(url)`` kills that server as a crash would (SIGKILL)."""
    procs: list[subprocess.Popen] = []
    by_url: dict[str, subprocess.Popen] = {}
    logs = []

    def start(script: str | Path, timeout: float = 90.0) -> str:
        port = free_port()
        log = artifacts / f"streamlit_{Path(script).stem}_{port}.log"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        # Usage statistics, the toolbar and other settings come from the repository's
        # .streamlit/config.toml (read from the working directory), as for `streamlit run`.
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(REPO / script),
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--server.fileWatcherType", "none",  # no reloads mid-test, no inotify cost
        ]
        fh = open(log, "w")
        logs.append(fh)
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
        procs.append(proc)
        _wait_healthy(proc, port, log, timeout)
        by_url[f"http://127.0.0.1:{port}"] = proc
        return f"http://127.0.0.1:{port}"

    def kill(url: str) -> None:
        proc = by_url[url]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    start.kill = kill
    yield start
    for proc in procs:
        _stop(proc)
    for fh in logs:
        fh.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright (scripts/test.sh installs both)."""
    try:
        from playwright import sync_api
    except ImportError:
        pytest.fail("playwright is not installed: run scripts/test.sh, which installs it")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/test.sh (apt-get install chromium) "
                    "or set PUMAP_CHROMIUM")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    """A fresh page (own context: no shared cookies or session) at a fixed desktop size."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    yield pg
    context.close()
