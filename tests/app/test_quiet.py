"""The app's processes log nothing at start-up that nobody asked for (issue 12, "quiet").

Each check runs in a fresh interpreter: TensorFlow prints its lines once per process, while
its library loads, and the main module is what a spawned training process imports again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=True,
                          env={**clean, "PYTHONPATH": str(REPO), **env})


def test_a_spawned_process_importing_app_py_does_not_run_the_app():
    """Regression: a training process (multiprocessing's spawn imports the parent's main
    script, which under Streamlit is app.py, as ``__mp_main__``) drew the Home page in bare
    mode, logging "missing ScriptRunContext" a dozen times, and started a second device probe
    and kernel warm-up beside the training."""
    out = _python("import runpy, threading\n"
                  "runpy.run_path('app.py', run_name='__mp_main__')\n"
                  "print(sorted(t.name for t in threading.enumerate()))")
    assert "ScriptRunContext" not in out.stderr, out.stderr
    assert out.stdout.strip() == "['MainThread']"  # no warm-up, no device probe


def test_tensorflow_imports_without_its_start_up_lines():
    """TensorFlow 2.19+ prints "oneDNN custom operations are on", "Could not find cuda
    drivers" and absl's notice while it loads, whatever TF_CPP_MIN_LOG_LEVEL says."""
    out = _python("from pumap_core.quiet import quiet_tensorflow\n"
                  "quiet_tensorflow()\n"
                  "import keras, tensorflow as tf\n"
                  "print(type(tf.__spec__.loader).__name__, tf.constant(2).numpy() + 1)")
    assert out.stdout.split() == ["SourceFileLoader", "3"]  # the module keeps its own loader
    assert out.stderr == "", out.stderr


def test_only_start_up_lines_are_dropped():
    out = _python("import os, sys\n"
                  "from pumap_core.quiet import stderr_without\n"
                  "with stderr_without():\n"
                  "    os.write(2, b'WARNING: All log messages before absl::InitializeLog() is '\n"
                  "                b'called are written to STDERR\\n')\n"
                  "    os.write(2, b'I0000 00:00:1796124592.131846    7150 port.cc:153] oneDNN'\n"
                  "                b' custom operations are on.\\nkept from C\\n')\n"
                  "    print('kept from Python', file=sys.stderr)\n"
                  "print('after', file=sys.stderr)")
    assert out.stderr == "kept from C\nkept from Python\nafter\n"
