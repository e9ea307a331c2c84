"""The manifest of a saved model folder, read without Keras or TensorFlow.

:mod:`.persistence` writes model folders and loads their networks (it imports Keras); what
only needs the manifest (the feature names, the number of components, a digest that changes
whenever any file of the folder does) reads it here, so that a Dask client, or the command
line before it starts any worker, never imports TensorFlow.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .errors import ModelFileError, ModelNotFoundError

FORMAT = "pumap-studio/parametric-umap"
SCHEMA_VERSION = 2
MANIFEST = "manifest.json"


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file ``path``, as hex, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_digest(path: str | Path) -> str:
    """The SHA-256 of a model folder's manifest, which lists the SHA-256 of every other file:
    it identifies the folder's whole contents."""
    return file_sha256(Path(path) / MANIFEST)


def read_manifest(path: str | Path, *, check_files: bool = True) -> dict[str, Any]:
    """Read and check the manifest of a model folder.

    Parameters
    ----------
    path : the model folder.
    check_files : also check that every file the manifest lists is there with its checksum.

    Raises
    ------
    ModelNotFoundError
        No folder, no manifest, or a listed file missing.
    ModelFileError
        The manifest is corrupt, of a newer version, or a file does not match its checksum.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelNotFoundError(f"No saved model folder at {path}.")
    if not (path / MANIFEST).is_file():
        raise ModelNotFoundError(f"{path} has no {MANIFEST}; it is not a saved model folder.")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelFileError(f"{path / MANIFEST} is corrupt (not valid JSON).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a pumap model folder (unknown format).")
    version = manifest.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{path / MANIFEST} has no valid schema_version.")
    if version > SCHEMA_VERSION:
        raise ModelFileError(
            f"{path} was saved by a newer pumap_core (format version {version}; this one reads "
            f"up to {SCHEMA_VERSION}); upgrade pumap_core to load it.")
    for key in ("params", "model", "files"):
        if not isinstance(manifest.get(key), dict):
            raise ModelFileError(f"{path / MANIFEST} is missing its {key!r} section.")
    for name, digest in manifest["files"].items() if check_files else ():
        file = path / name
        if not file.is_file():
            raise ModelNotFoundError(f"{file} is missing from the saved model folder.")
        if file_sha256(file) != digest:
            raise ModelFileError(f"{file} is corrupt (its checksum does not match the manifest).")
    return manifest


def feature_names(manifest: dict[str, Any]) -> list[str] | None:
    """The names of the columns the model was trained on, None if they were not recorded
    (a model fitted on an array, or saved before names were kept)."""
    names = manifest.get("model", {}).get("feature_names")
    return [str(n) for n in names] if isinstance(names, list) else None
