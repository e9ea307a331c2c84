"""studio.device: the device is found by a child process, not by importing TensorFlow here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_device_is_described_without_loading_tensorflow_into_the_server():
    code = ("import sys; from studio.device import describe_device; d = describe_device(); "
            "print(d); print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert re.fullmatch(r"CPU \(\d+ cores\)|GPU: .+", out[0]), out
    assert out[1] == "False False", "the server process must not import TensorFlow or Keras"
