"""Many browser sessions on one server: memory of the server's process tree, and four sessions
pressing Train at once (issue 12).

For each app folder given (this checkout, and with ``--ref DIR`` another checkout of the app,
e.g. the version before the training service), the script starts ``streamlit run app.py`` with
an empty workspace, opens ``--sessions`` Chromium tabs on the Train page (each its own browser
context: its own Streamlit session), and reports the memory of the server and every process it
started (RSS summed, and PSS, which counts shared library pages once). Then ``--trainers`` of
those tabs set different epoch counts and press Train within a second; it reports when each run
appeared and whether each run has the epochs its tab showed.

    python benchmarks/bench_sessions.py --ref /path/to/old/checkout

Prints one table row per app, side by side.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from memory import tree_memory  # benchmarks/memory.py, beside this script

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # pumap_core, when run as a script from anywhere
CHROMIUM = os.environ.get("PUMAP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-gpu"]


def in_gb(memory: tuple[float, float, int]) -> tuple[float, float, int]:
    rss, pss, n_procs = memory
    return rss / 1e9, pss / 1e9, n_procs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app_dir: Path, workspace: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PUMAP_WORKSPACE": str(workspace), "PYTHONPATH": str(app_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py",
                             "--server.headless", "true", "--server.port", str(port),
                             "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none"],
                            cwd=app_dir, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not start")


def measure(app_dir: Path, sessions: int, trainers: int, browser) -> dict:
    from pumap_core.runs import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "workspace"
        server, url = start_server(app_dir, workspace)
        pages = []
        try:
            for _ in range(sessions):
                page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                page.goto(f"{url}/train")
                page.get_by_role("button", name="Train", exact=True).wait_for(timeout=180_000)
                pages.append(page)
            time.sleep(20)  # let standby processes and workers finish starting
            idle = in_gb(tree_memory(server.pid))
            epochs = list(range(3, 3 + trainers))
            for page, n in zip(pages, epochs):
                field = page.get_by_role("spinbutton", name="Epochs")
                field.fill(str(n))
                field.press("Tab")
            start = time.monotonic()
            for page in pages[:trainers]:
                page.get_by_role("button", name="Train", exact=True).click()
            peak, appeared = idle, []
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline and len(appeared) < trainers:
                runs = Workspace(workspace).list_runs() if workspace.exists() else []
                appeared = sorted(runs, key=lambda r: r.created)
                peak = max(peak, in_gb(tree_memory(server.pid)), key=lambda m: m[0])
                time.sleep(1)
            elapsed = time.monotonic() - start
            got = sorted(r.epochs_trained or 0 for r in appeared)
            return {"idle_rss": idle[0], "idle_pss": idle[1], "procs": idle[2],
                    "peak_rss": peak[0], "peak_pss": peak[1], "runs": len(appeared),
                    "settings_kept": got == epochs, "train_s": elapsed}
        finally:
            for page in pages:
                page.context.close()
            os.killpg(server.pid, 15)
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--trainers", type=int, default=4)
    parser.add_argument("--ref", type=Path, help="another checkout of the app, measured too")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    apps = [("this checkout", REPO)] + ([("reference", args.ref)] if args.ref else [])
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for name, folder in apps:
            rows.append((name, measure(folder.resolve(), args.sessions, args.trainers, browser)))
        browser.close()
    print(f"{args.sessions} sessions on the Train page, then {args.trainers} press Train at once")
    print(f"{'app':<16}{'procs':>6}{'idle RSS GB':>12}{'idle PSS GB':>12}{'peak RSS GB':>12}"
          f"{'peak PSS GB':>12}{'runs':>6}{'settings kept':>15}{'4 runs in s':>12}")
    for name, m in rows:
        print(f"{name:<16}{m['procs']:>6}{m['idle_rss']:>12.2f}{m['idle_pss']:>12.2f}"
              f"{m['peak_rss']:>12.2f}{m['peak_pss']:>12.2f}{m['runs']:>6}"
              f"{str(m['settings_kept']):>15}{m['train_s']:>12.1f}")
    if len(rows) == 2:
        print(f"idle PSS ratio (reference / this): {rows[1][1]['idle_pss'] / rows[0][1]['idle_pss']:.1f}x")


if __name__ == "__main__":
    main()
