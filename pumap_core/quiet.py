"""TensorFlow's start-up lines, kept out of the app's log.

``TF_CPP_MIN_LOG_LEVEL=3`` silences what TensorFlow logs once it runs (cuInit failures, cuDNN
factories, CPU features), but not what its shared library prints while it loads ("oneDNN
custom operations are on", "Could not find cuda drivers", absl's "All log messages before
absl::InitializeLog()..."): since TensorFlow 2.19 those come from a copy of absl that never
reads the variable (tensorflow/tensorflow#100442), and no other variable reaches them.

So :func:`quiet_tensorflow` sets the variable and, in the calling process, runs TensorFlow's
first import with the process's stderr (file descriptor 2, where C++ writes) sent to a
temporary file; when the import is done, everything written meanwhile that is not a C++ log
line (Python warnings, other threads' output) is written back to stderr. Call it before
anything imports TensorFlow, once per process: app.py (the server: pages that load a model
import it) and the training workers (:func:`pumap_core.jobs.worker.run_job`). The device probe
discards its stderr.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

#: A C++ log line of TensorFlow / XLA / absl below FATAL (absl's format, then TensorFlow's
#: older one), and absl's notice that logging is not initialised yet.
START_UP_LINE = re.compile(
    r"^(?:[IWE]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w./-]+:\d+\] "
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] [\w./-]+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR)")


def quiet_tensorflow() -> None:
    """Set ``TF_CPP_MIN_LOG_LEVEL`` (unless set) and silence TensorFlow's first import here."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietImport) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietImport())


@contextmanager
def stderr_without(lines: re.Pattern[str] = START_UP_LINE) -> Iterator[None]:
    """Collect what is written to file descriptor 2 meanwhile; then write back every line that
    does not match ``lines``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            text = caught.read().decode(errors="replace")
            kept = "".join(line for line in text.splitlines(keepends=True)
                           if not lines.match(line))
            if kept:
                os.write(2, kept.encode())


class _QuietImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``tensorflow`` as Python would, and executes it inside :func:`stderr_without`."""

    def find_spec(self, name: str, path=None, target=None) -> importlib.machinery.ModuleSpec | None:
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once: the package's own imports go the usual way
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        self._loader = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module keeps its real loader (importlib.resources and friends ask it).
        module.__spec__.loader = module.__loader__ = self._loader
        with stderr_without():
            self._loader.exec_module(module)
