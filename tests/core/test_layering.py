"""The core is a library: no Streamlit anywhere, and the graph layer works without TensorFlow."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


def test_graph_layer_imports_without_tensorflow_or_keras():
    mods = _imported_after("import pumap_core.graph")
    assert not {"tensorflow", "keras", "streamlit"} & mods


def test_core_never_imports_streamlit():
    mods = _imported_after("import pumap_core, pumap_core.training.fit, pumap_core.persistence")
    assert "streamlit" not in mods
    sources = "\n".join(p.read_text() for p in (ROOT / "pumap_core").rglob("*.py"))
    assert "import streamlit" not in sources


def test_export_imports_its_onnx_packages_only_when_asked():
    mods = _imported_after("import pumap_core.export")
    assert not {"tf2onnx", "onnx", "onnxruntime"} & mods
