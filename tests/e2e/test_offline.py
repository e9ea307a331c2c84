"""Offline and quiet (issue 12): the app sends nothing off the machine, and its log stays clean.

The browser check rides on the demo flow of :mod:`test_app_flow` (one cold start and training
for both): every request the browser makes must go to the app's own host (before this was
fixed, the browser asked fonts.gstatic.com for the ``:material/map:`` favicon and
data.streamlit.io for usage statistics), and the server's log must hold none of TF_NOISE and
no "missing ScriptRunContext" warning. The static checks of ``.streamlit/config.toml`` are here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path


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
