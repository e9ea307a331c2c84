"""Runs kept on disk: every finished (or cancelled) training is one folder of a workspace.

>>> from pumap_core.runs import Workspace
>>> ws = Workspace("workspace")                      # doctest: +SKIP
>>> info = ws.save_run(estimator, dataset)           # doctest: +SKIP
>>> ws.load_run(info.id).estimator().transform(X)    # doctest: +SKIP
"""

from .record import ENV_VAR, workspace_root
from .run import Run, RunInfo
from .workspace import Workspace

__all__ = ["ENV_VAR", "Run", "RunInfo", "Workspace", "workspace_root"]
