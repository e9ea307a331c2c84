"""``run.json``, the record of a run: ids, names, the dataset section, JSON cleaning, checks;
and the workspace root (:func:`workspace_root`), shared with the dataset store.

The record holds ``schema_version``, ``id``, ``name``, ``created``, ``dataset`` (facts and the
recipe to prepare new data), and for trained runs ``params``, ``network`` (the encoder's
hidden layers, in words), ``fit_seconds``, ``epochs_trained``, ``cancelled``, ``history`` and
``metrics``; a map made without training has ``"source": "generated"`` instead of a model.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ..errors import InvalidParameterError, ModelFileError, ModelNotFoundError
from .files import RUN_JSON

if TYPE_CHECKING:
    from ..data.dataset import Dataset
    from .run import RunInfo

#: Environment variable naming the workspace folder when none is given (see :func:`workspace_root`).
ENV_VAR = "PUMAP_WORKSPACE"
SCHEMA_VERSION = 1
MAX_NAME_CHARS = 120
#: ``run.json``'s ``source`` for a map made without training (synthetic demo maps): it has no
#: ``model/`` folder. Runs without ``source`` were trained.
GENERATED = "generated"


def workspace_root(root: str | os.PathLike | None = None) -> Path:
    """The workspace folder, absolute: ``root``, else ``$PUMAP_WORKSPACE``, else ``./workspace``.

    Runs (:class:`pumap_core.runs.Workspace`) live in ``<root>/runs/`` and datasets
    (:class:`pumap_core.data.DatasetStore`) in ``<root>/datasets/``.
    """
    root = root if root is not None else (os.environ.get(ENV_VAR) or "workspace")
    return Path(root).expanduser().resolve()


def is_trained(record: dict[str, Any]) -> bool:
    """Whether the run was trained (and so must have a model), from its ``run.json``."""
    return record.get("source") != GENERATED


def dataset_section(dataset: "Dataset") -> dict[str, Any]:
    """The ``dataset`` section of ``run.json``: facts and the recipe to prepare new data."""
    return {"name": dataset.name, "kind": dataset.kind, "n_items": dataset.n_items,
            "n_features": dataset.n_features, "label_name": dataset.label_name,
            "image_shape": dataset.image_shape, "feature_names": list(dataset.feature_names),
            "recipe": dataset.recipe, "notes": list(dataset.notes)}


def new_run_id(dataset_name: str, now: datetime | None = None) -> str:
    """A fresh id: time, dataset slug, 4 random hex digits (``20261122-130501-digits-3f2a``)."""
    now = now or datetime.now().astimezone()
    slug = re.sub(r"[^a-z0-9]+", "-", PurePosixPath(dataset_name).stem.lower()).strip("-")
    return f"{now:%Y%m%d-%H%M%S}-{slug[:24].strip('-') or 'run'}-{secrets.token_hex(2)}"


def check_run_name(name: Any) -> str:
    """The display name on one line, after checking it is non-empty and not too long."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidParameterError("A run name must be non-empty text.")
    name = " ".join(name.split())
    if len(name) > MAX_NAME_CHARS:
        raise InvalidParameterError(f"A run name can have at most {MAX_NAME_CHARS} characters; "
                                    f"this one has {len(name)}.")
    return name


def json_ready(value: Any) -> Any:
    """JSON-ready copy: numpy scalars and arrays to Python, tuples to lists, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def write_json(path: Path, record: dict[str, Any]) -> None:
    """Write ``record`` to ``path`` atomically (a temporary name, then a rename)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(3)}")
    tmp.write_text(json.dumps(record, indent=1, allow_nan=False), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a reader sees the old or the new file, never half of one


def parse_versioned(raw: bytes, file: str, where: str, *, kind: str,
                    newest: int) -> dict[str, Any]:
    """A record file's bytes (``run.json``, ``dataset.json``) as a dict, after checking its
    JSON and its ``schema_version`` (1 to ``newest``); one-line ModelFileError otherwise."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{file} in {where} is corrupt (not valid JSON).") from None
    version = record.get("schema_version") if isinstance(record, dict) else None
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{file} in {where} has no valid schema_version.")
    if version > newest:
        raise ModelFileError(f"{file} in {where} comes from a newer pumap_core ({kind} format "
                             f"{version}; this one reads up to {newest}); upgrade it.")
    return record


def parse_record(raw: bytes, where: str) -> dict[str, Any]:
    """``run.json``'s bytes as a dict, after checking its JSON and schema version."""
    record = parse_versioned(raw, RUN_JSON, where, kind="run", newest=SCHEMA_VERSION)
    if not isinstance(record.get("dataset", {}), dict):
        raise ModelFileError(f"{RUN_JSON} in {where} has an invalid dataset section.")
    return record


def read_record(path: Path, run_id: str) -> dict[str, Any]:
    """The checked record at ``path``; ModelNotFoundError when the file is missing."""
    if not path.is_file():
        raise ModelNotFoundError(f"Run {run_id} is incomplete: {RUN_JSON} is missing.")
    return parse_record(path.read_bytes(), f"run {run_id}")


def created_from_id(path: Path) -> str:
    """For a broken run: the time its id starts with, else the folder's modification time."""
    try:
        stamp = datetime.strptime(path.name[:15], "%Y%m%d-%H%M%S")
    except ValueError:
        stamp = datetime.fromtimestamp(path.stat().st_mtime)
    return stamp.astimezone().isoformat(timespec="milliseconds")


def age_key(info: RunInfo) -> tuple[float, str]:
    """Sort key of runs by creation time (then id); an unreadable time sorts oldest."""
    try:
        return datetime.fromisoformat(info.created).timestamp(), info.id
    except ValueError:
        return 0.0, info.id


def commit_folder(parent: Path, record: dict[str, Any], record_file: str,
                  write: Callable[[Path], None], *, slug: str, what: str,
                  root: Path | None = None) -> Path:
    """Write a folder whole, or not at all: the one way runs, datasets and jobs are written.

    ``write(tmp)`` fills a hidden temporary folder in ``parent``; then ``record`` is written
    as ``record_file`` and the folder renamed to ``record["id"]`` (a fresh id from ``slug``
    while that one is taken: ``record["id"]`` says which). On failure nothing is left, not even
    ``parent`` (or ``root`` above it) when this call created them. Returns the final folder.

    Raises
    ------
    ModelFileError
        No free id was found (``what`` names the kind of folder).
    """
    made = [p for p in (root, parent) if p is not None and not p.exists()]
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".writing-", dir=parent))
    try:
        write(tmp)
        for _ in range(20):
            final = parent / record["id"]
            if not final.exists():
                write_json(tmp / record_file, record)
                try:
                    tmp.rename(final)
                    return final
                except OSError:
                    if not final.exists():
                        raise
            record["id"] = new_run_id(slug)
        raise ModelFileError(f"Could not find a free {what} id; try again.")
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
            for folder in reversed(made):  # leave no trace of a failed first save
                try:
                    folder.rmdir()
                except OSError:
                    break


# -- folders of records (runs, datasets, jobs) ------------------------------------------------
#: The name of a record folder: no "/", no leading "." (hidden temporaries), at most 100 chars.
FOLDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def folder_path(parent: Path, folder_id: Any, what: str) -> Path:
    """``parent / folder_id`` after checking the id names a folder directly inside ``parent``.

    Raises
    ------
    InvalidParameterError
        Not an id (a path, a hidden name, too long), or a link leading elsewhere; ``what``
        ("run", "dataset", "job") names it in the message.
    """
    if not isinstance(folder_id, str) or not FOLDER_ID.fullmatch(folder_id):
        shown = repr(folder_id) if len(repr(folder_id)) <= 60 else repr(folder_id)[:57] + "..."
        raise InvalidParameterError(f"{shown} is not a {what} id (letters, digits, '-', '_' "
                                    "and '.', not starting with '.').")
    path = parent / folder_id
    if path.is_symlink() or path.resolve().parent != parent.resolve():
        raise InvalidParameterError(f"{what.capitalize()} {folder_id!r} is outside the "
                                    "workspace; refused.")
    return path


def record_folders(parent: Path) -> list[Path]:
    """The record folders in ``parent``: hidden temporaries and links (which could point
    anywhere) are left out."""
    if not parent.is_dir():
        return []
    return [path for path in parent.iterdir() if FOLDER_ID.fullmatch(path.name)
            and not path.is_symlink() and path.is_dir()]


def remove_folder(path: Path) -> None:
    """Delete a record folder: hidden first, so that a listing never sees half of it."""
    doomed = path.rename(path.with_name(f".deleting-{path.name}-{secrets.token_hex(3)}"))
    shutil.rmtree(doomed, ignore_errors=True)
