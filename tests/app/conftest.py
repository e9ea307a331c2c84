"""AppTest fixtures: a fresh workspace per test, one small fitted iris model per session.

Pages are driven through ``app.py`` (``AppTest.from_file`` + ``switch_page``), the way a user
reaches them: ``st.navigation`` is active, so ``st.switch_page`` between pages works as in the
browser. Running a page file on its own would resolve ``pages/...`` paths against ``pages/``.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
#: TensorFlow's first import and Keras' first trace are slow on 2 shared cores.
TIMEOUT = 120


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch):
    """Every test gets its own empty workspace (the app reads $PUMAP_WORKSPACE each time)."""
    from pumap_core.runs import Workspace

    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    return Workspace()


@pytest.fixture(scope="session")
def iris():
    from pumap_core.data import load_demo

    return load_demo("iris")


@pytest.fixture(scope="session")
def iris_model(iris):
    """A quick fit, shared: saving it is what the Runs tests need, not a good map."""
    from pumap_core import ParametricUMAP

    return ParametricUMAP(n_training_epochs=2, random_state=0).fit(iris.X)


@pytest.fixture
def saved_run(workspace, iris, iris_model):
    """The iris model kept as a run of this test's workspace; returns its RunInfo."""
    return workspace.save_run(iris_model, iris, name="iris quick")


@pytest.fixture
def iris_csv(iris) -> bytes:
    """Ten iris rows (the original columns, species included) as an uploaded CSV."""
    buf = io.StringIO()
    iris.table.iloc[::15].to_csv(buf, index=False)
    return buf.getvalue().encode()


@pytest.fixture
def open_page(workspace):
    """``open_page(page, session)``: run app.py (Home) with ``session`` values in the state,
    then switch to ``page`` (e.g. ``"pages/runs.py"``) and run it; returns the AppTest."""
    from streamlit.testing.v1 import AppTest

    def run(page: str | None = None, session: dict | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        for key, value in (session or {}).items():
            at.session_state[key] = value
        at.run()
        if page is not None:
            at.switch_page(page).run()
        return at

    return run


def texts(elements) -> list[str]:
    """The text of st.error / st.info / st.success elements (``.value`` of each)."""
    return [str(e.value) for e in elements]


@pytest.fixture
def text_of():
    """``text_of(at.error)``: the messages of a list of st.error / st.info / ... elements."""
    return texts
