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


# -- imports between our own modules --------------------------------------------------------
import ast  # noqa: E402


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path):
    """(imported module, imported names, at module level) for each import in ``path``; imports
    for type checking count as module level."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body} | {
        id(n) for node in tree.body if isinstance(node, (ast.Try, ast.If)) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            yield target, [a.name for a in node.names], id(node) in top
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], id(node) in top


def _our_sources(*packages: str):
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_no_import_circle_in_the_library():
    """Module-level imports between pumap_core's modules (those for type checking included)
    form no circle; lazy imports inside functions, made to keep TensorFlow out until needed,
    are not edges."""
    graph: dict[str, set[str]] = {}
    for path in _our_sources("pumap_core"):
        edges = graph.setdefault(_module_name(path), set())
        for target, names, at_top in _imports(path):
            if not at_top or not target.startswith("pumap_core"):
                continue
            subs = [f"{target}.{n}" for n in names if _is_module(f"{target}.{n}")]
            edges.update(subs or [target])
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            raise AssertionError("import circle: " + " -> ".join(trail[trail.index(module):]
                                                                 + [module]))
        if module in done:
            return
        for nxt in sorted(graph.get(module, ())):
            visit(nxt, trail + [module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_no_underscore_name_crosses_a_file():
    """An underscore means private to its file: no module imports another's ``_name``, and no
    module outside a package imports that package's ``_private`` modules."""
    crossings = []
    for path in _our_sources("pumap_core", "studio", "pages"):
        package = _module_name(path) if path.name == "__init__.py" else \
            _module_name(path).rpartition(".")[0]
        for target, names, _ in _imports(path):
            if not target or not target.split(".")[0] in ("pumap_core", "studio"):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            parts = target.split(".")
            for i, part in enumerate(parts):
                if part.startswith("_") and ".".join(parts[:i]) != package:
                    private.append(target)
            crossings += [f"{path.relative_to(ROOT)}: {n}" for n in private]
    assert not crossings, crossings
