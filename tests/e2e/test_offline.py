"""Offline and quiet (issue 12): the app sends nothing off the machine, and its log stays clean.

The demo flow (Home → load the demo → Train a few epochs → Explore) runs in Chromium while
every request the browser makes is recorded; each must go to the app's own host. Before this
was fixed, the browser asked fonts.gstatic.com for the ``:material/map:`` favicon and
data.streamlit.io for usage statistics. The server's log (the training child process writes to
it too) must then hold no TensorFlow start-up line and no "missing ScriptRunContext" warning.
The static checks of ``.streamlit/config.toml`` need no browser.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import urlparse

from test_scatter_component import IFRAME

REPO = Path(__file__).resolve().parents[2]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# What TensorFlow, XLA and absl print on start-up (on a CPU-only machine, and with CUDA).
TF_NOISE = re.compile(
    r"oneDNN custom operations|cuInit|Unable to register cu(DNN|FFT|BLAS) factory|"
    r"computation placer already registered|absl::InitializeLog|TF-TRT Warning|"
    r"This TensorFlow binary is optimized|cpu_feature_guard|"
    r"^[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w./-]+:\d+\]", re.MULTILINE)


def test_config_disables_usage_stats_and_hides_deploy():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    # "viewer" and "minimal" both hide the developer options, the Deploy button among them.
    assert config["client"]["toolbarMode"] in {"viewer", "minimal"}


def test_demo_flow_stays_on_the_machine_and_the_log_is_quiet(streamlit_server, page, artifacts,
                                                             tmp_path, monkeypatch):
    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))  # frames too
    page.on("websocket", lambda socket: requests.append(socket.url))  # not a "request"
    url = streamlit_server("app.py")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.set_default_timeout(90_000)  # two shared cores: a page run can take a while
    page.goto(url)
    demo = page.get_by_role("button", name="Load the demo and go to Train")
    demo.wait_for(timeout=90_000)
    page.wait_for_timeout(1_000)  # the favicon and usage statistics follow the first run
    page.screenshot(path=str(artifacts / "offline_home.png"))
    assert page.get_by_role("button", name="Deploy").count() == 0
    icon = page.locator("link[rel='shortcut icon']").get_attribute("href")
    assert icon.startswith("data:image/svg+xml"), icon  # assets/favicon.svg, inlined
    demo.click()

    try:
        page.get_by_role("spinbutton", name="Epochs", exact=True).fill("3")  # sent with Train
        page.get_by_role("button", name="Train", exact=True).click()
        page.get_by_role("button", name="Explore the map").click(timeout=300_000)
        frame = page.wait_for_selector(IFRAME, timeout=120_000).content_frame()
        frame.wait_for_selector('body[data-ready="1"]', state="attached", timeout=60_000)
    finally:
        page.screenshot(path=str(artifacts / "offline_explore.png"))

    outside = sorted({u for u in requests if urlparse(u).scheme not in ("data", "blob")
                      and urlparse(u).hostname not in LOCAL_HOSTS})
    assert not outside, f"requests to other hosts: {outside}"

    log = (artifacts / f"streamlit_app_{urlparse(url).port}.log").read_text()
    assert "missing ScriptRunContext" not in log, log[-3000:]
    noise = [m.group(0) for m in TF_NOISE.finditer(log)]
    assert not noise, f"TensorFlow start-up lines in the server log: {noise}\n{log[-3000:]}"
