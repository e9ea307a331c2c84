"""A workspace: a folder of runs, each written once, then listed, loaded, renamed, deleted,
exported as a zip or imported from one.

A run is written under a hidden temporary name and renamed into place, so that a crash never
leaves half a run and another run is never overwritten. Ids start with the time
(``20261122-130501-digits-3f2a``), so they sort by age. The files of a run folder are described
in :mod:`pumap_core.runs.files`.

>>> ws = Workspace(tmp_path)                         # doctest: +SKIP
>>> info = ws.save_run(estimator, dataset)           # doctest: +SKIP
>>> ws.load_run(info.id).estimator().transform(X)    # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ..errors import (ModelNotFoundError, NotFittedError, NotSupportedError,
                      PumapError, one_line)
from .archive import (MAX_IMPORT_BYTES, check_unpacked, needed_members, open_run_zip, pack,
                      run_members, unzip)
from .files import (MODEL, POINTS, RUN_JSON, check_embedding, read_points, read_thumbnails,
                    write_data, write_features, write_snapshots)
from .record import (FOLDER_ID, GENERATED, SCHEMA_VERSION, age_key, check_run_name,
                     commit_folder, created_from_id, dataset_section, folder_path, is_trained,
                     json_ready, new_run_id, parse_record, read_record, record_folders,
                     remove_folder, workspace_root, write_json)
from .parquet_map import (INDEX, PARQUET, ParquetIndex, check_files,
                          index_parquet, read_index, write_index)
from .naming import DEFAULT_NETWORK, network_label, run_name, unique_name
from .run import Run, RunInfo

if TYPE_CHECKING:
    from ..data.dataset import Dataset
    from ..estimator import ParametricUMAP

class Workspace:
    """A folder of runs.

    Parameters
    ----------
    root : str, Path or None
        The workspace folder; None means ``$PUMAP_WORKSPACE``, else ``./workspace``. Created on
        the first save.
    """

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.root = workspace_root(root)
        self.runs_dir = self.root / "runs"
        #: Embedded datasets the workspace itself wrote (embed jobs): deleted with their map.
        self.maps_dir = self.root / "maps"

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    # -- writing ----------------------------------------------------------------------------
    def save_run(self, estimator: "ParametricUMAP", dataset: "Dataset", *,
                 name: str | None = None, metrics: dict[str, Any] | None = None) -> RunInfo:
        """Keep a fitted (or cancelled) estimator with the data it was trained on, and the
        snapshots of its training when it took some (``snapshots.npz``).

        ``name`` defaults to what the run is (:func:`.naming.run_name`: data, k, min_dist,
        epochs, extra terms); either way it is made unique among the workspace's runs
        (`` (2)``, `` (3)``...).
        ``metrics`` defaults to :func:`pumap_core.metrics.quality_report` (about a second).

        Raises
        ------
        NotFittedError
            The estimator was never trained.
        InvalidDataError
            Its embedding does not have one row per item of ``dataset``.
        """
        from ..metrics import quality_report
        from ..persistence import to_manifest

        model = estimator.__dict__.get("model_")
        if model is None:
            raise NotFittedError("Train the model before keeping it as a run.")
        embedding = check_embedding(estimator.embedding_, dataset, "keep the run with the data "
                                    "it was trained on")
        if metrics is None:
            metrics = quality_report(dataset.X, embedding, dataset.labels)
        now = datetime.now().astimezone()
        history = list(estimator.history_.get("loss", []))
        params = to_manifest(estimator)
        epochs = len(history) if model.info.epochs_trained is None else model.info.epochs_trained
        network = network_label(estimator.encoder_)
        name = self._free_name(check_run_name(name) if name is not None else run_name(
            dataset.name, params, epochs=epochs, network=network,
            landmarks="landmark_loss" in estimator.history_))
        record = {
            "schema_version": SCHEMA_VERSION, "id": new_run_id(dataset.name, now),
            "name": name, "created": now.isoformat(timespec="milliseconds"),
            "dataset": dataset_section(dataset), "params": params, "network": network,
            "fit_seconds": model.info.fit_seconds, "epochs_trained": epochs,
            "cancelled": bool(getattr(estimator, "cancelled_", False)),
            "history": history, "metrics": metrics,
        }

        def write(tmp: Path) -> None:
            estimator.save(tmp / MODEL)
            write_data(tmp, embedding, dataset)
            write_features(tmp, dataset)  # to continue training with the old points later
            write_snapshots(tmp, getattr(estimator, "snapshots_", None), dataset.n_items)

        return self._commit(json_ready(record), write)

    def save_map(self, dataset: "Dataset", embedding: np.ndarray, *, name: str | None = None,
                 metrics: dict[str, Any] | None = None) -> RunInfo:
        """Keep a map that no model made (a synthetic layout), to explore it like a run.

        The run has points and thumbnails but no ``model/``: it cannot embed new data
        (:meth:`Run.estimator` says so) and ``RunInfo.has_model`` is False.

        Parameters
        ----------
        dataset : Dataset, the items (table, labels, thumbnails)
        embedding : array of shape (n_items, n_components), n_components ≥ 2
        name : str, optional, the display name (default: the dataset's name, made unique)
        metrics : dict, optional, stored as given; default ``{}`` (a quality report on a
            million points would take minutes)

        Raises
        ------
        InvalidDataError
            ``embedding`` is not finite, not 2-D with at least two columns, or not one row per
            item of ``dataset``.
        """
        embedding = check_embedding(embedding, dataset, "give one point per item")
        now = datetime.now().astimezone()
        record = {
            "schema_version": SCHEMA_VERSION, "id": new_run_id(dataset.name, now),
            "name": check_run_name(name) if name is not None
            else self._free_name(run_name(dataset.name, {})),
            "created": now.isoformat(timespec="milliseconds"), "source": GENERATED,
            "dataset": dataset_section(dataset), "metrics": metrics or {},
        }
        return self._commit(json_ready(record), lambda tmp: write_data(tmp, embedding, dataset))

    def add_parquet_map(self, path: str | os.PathLike, *, name: str | None = None,
                        model_dir: str | os.PathLike | None = None) -> RunInfo:
        """Add an embedded Parquet dataset (``x``, ``y``, kept columns) as a map, in place.

        Nothing is copied: ``run.json`` keeps the dataset's absolute path and
        ``parquet_index.json`` its files, row counts and row offsets, read from the Parquet
        footers (no data are read, so a 20 M-row dataset is added in well under a second).
        Deleting the run leaves the Parquet files alone, unless they are in the workspace's
        ``maps/`` (an embed job's output). ``python -m pumap_core embed ...
        --workspace DIR --name NAME`` calls this with the model it embedded with.

        Parameters
        ----------
        path : a folder of ``*.parquet`` files (read in natural name order) or one file
        name : the display name (default: the folder's name, made unique)
        model_dir : a saved model folder (``ParametricUMAP.save``), copied in as the run's
            ``model/`` so that new data can be embedded on the map; optional

        Raises
        ------
        ModelNotFoundError
            ``path`` does not exist or holds no Parquet files, or ``model_dir`` has no model.
        ModelFileError
            A file cannot be read or is not Parquet.
        InvalidDataError
            The files have no ``x`` / ``y`` columns, or no rows.
        """
        import shutil

        index = index_parquet(path)
        model = None
        if model_dir is not None:
            model = Path(model_dir).expanduser()
            if not (model / "manifest.json").is_file():
                raise ModelNotFoundError(f"{model} is not a saved model folder (no "
                                         "manifest.json).")
        stem = Path(index.path).name if Path(index.path).is_dir() else Path(index.path).stem
        now = datetime.now().astimezone()
        record = {
            "schema_version": SCHEMA_VERSION, "id": new_run_id(stem, now),
            "name": check_run_name(name) if name is not None
            else self._free_name(run_name(stem, {})),
            "created": now.isoformat(timespec="milliseconds"),
            "source": PARQUET, "parquet": {"path": index.path, "n_rows": index.n_rows,
                                           "columns": list(index.columns)},
            "dataset": {"name": stem, "kind": "table", "n_items": index.n_rows,
                        "label_name": "label" if "label" in index.columns else None},
            "metrics": {}, "has_model": model is not None,
        }

        def write(tmp: Path) -> None:
            write_index(tmp, index)
            if model is not None:
                shutil.copytree(model, tmp / MODEL)

        return self._commit(json_ready(record), write)

    def map_index(self, run_id: str) -> ParquetIndex:
        """Where the run's points are, for reading them out of core (:mod:`.parquet_map`).

        A Parquet map's own index, after checking its files are still there; an ordinary run's
        ``points.parquet`` indexed on the fly.

        Raises
        ------
        ModelNotFoundError
            The dataset's files were moved or deleted (one line naming the path).
        ModelFileError
            A file cannot be read, or the index is damaged.
        """
        path = self._existing(run_id)
        info = self._info(path)
        if info.source == PARQUET:
            index = read_index(path, f"run {run_id}")
            check_files(index)
            return index
        return index_parquet(path / POINTS)

    def is_out_of_core(self, info: RunInfo) -> bool:
        """Whether Explore reads this run out of core: a Parquet map, or more points than
        :data:`~.parquet_map.OUT_OF_CORE_ROWS` (looked up at call time: tests lower it)."""
        from . import parquet_map

        return info.source == PARQUET or (info.n_items or 0) > parquet_map.OUT_OF_CORE_ROWS

    def rename_run(self, run_id: str, name: str) -> RunInfo:
        """Change a run's display name (one line, at most 120 characters)."""
        path = self._existing(run_id)
        record = read_record(path / RUN_JSON, run_id)
        record["name"] = check_run_name(name)
        write_json(path / RUN_JSON, record)
        return self._info(path)

    def delete_run(self, run_id: str) -> None:
        """Delete a run folder (only ever a folder directly inside ``runs/``), and a Parquet
        map's dataset when the workspace wrote it (a folder directly inside ``maps/``); a
        dataset added from elsewhere is never touched."""
        import shutil

        path = self._existing(run_id)
        try:  # a broken run is deleted all the same
            dataset = Path(read_record(path / RUN_JSON, run_id)["parquet"]["path"])
        except (PumapError, OSError, KeyError, TypeError):
            dataset = None
        remove_folder(path)
        if dataset is not None and dataset.parent.resolve() == self.maps_dir.resolve():
            shutil.rmtree(dataset, ignore_errors=True)

    # -- reading ----------------------------------------------------------------------------
    def list_runs(self) -> list[RunInfo]:
        """Every run, newest first; a broken folder appears with its ``error`` set."""
        infos = []
        for path in record_folders(self.runs_dir):
            try:
                infos.append(self._info(path))
            except (PumapError, OSError) as exc:
                infos.append(RunInfo(id=path.name, name=path.name, path=path,
                                     created=created_from_id(path),
                                     error=getattr(exc, "user_message", None) or
                                     f"Run {path.name} cannot be read ({one_line(exc)})."))
        return sorted(infos, key=age_key, reverse=True)

    def run_info(self, run_id: str) -> RunInfo:
        """What ``run.json`` says about one run (nothing else is read).

        Raises
        ------
        ModelNotFoundError
            There is no such run.
        """
        return self._info(self._existing(run_id))

    def load_run(self, run_id: str) -> Run:
        """The run with its points and thumbnails; the model loads on ``estimator()``.

        Raises
        ------
        NotSupportedError
            The run is a Parquet map (tens of millions of rows): read it out of core with
            :meth:`map_index` instead.
        """
        path = self._existing(run_id)
        info = self._info(path)
        if info.source == PARQUET:
            raise NotSupportedError(f"{info.name!r} is a large map kept as Parquet files "
                                    f"({info.n_items:,} rows); open it in Explore, which reads "
                                    "it out of core.")
        points = read_points(path / POINTS, f"run {run_id}")
        thumbnails = read_thumbnails(path, len(points), f"run {run_id}")
        values = {f.name: getattr(info, f.name) for f in fields(RunInfo)}
        return Run(**values, points=points, thumbnails=thumbnails)

    # -- zip export / import ----------------------------------------------------------------
    def export_zip(self, run_id: str) -> bytes:
        """The run folder as a zip (plus ``points.csv`` for spreadsheets), for download."""
        path = self._existing(run_id)
        if self._info(path).source == PARQUET:
            raise NotSupportedError("A large map references its Parquet files where they are; "
                                    "copy that folder instead of downloading a zip.")
        return pack(path, f"run {run_id}")

    def import_zip(self, data: bytes, *, max_bytes: int = MAX_IMPORT_BYTES) -> RunInfo:
        """Add a run from a zip made by :meth:`export_zip`; a fresh id if its id is taken.

        Everything is checked (zip, paths, sizes, run.json, model checksums and loading,
        points) before the run appears; on failure nothing is left in the workspace.

        Raises
        ------
        InvalidDataError
            Not a zip, too large, unsafe paths, or files of a run missing.
        ModelFileError
            A file of the run is corrupt or written by a newer version.
        """
        with open_run_zip(data, max_bytes) as archive:
            members = run_members(archive)
            record = json_ready(parse_record(unzip(archive, members[RUN_JSON]), "the zip"))
            has_model = is_trained(record)
            members = needed_members(members, has_model)
            if not (isinstance(record.get("id"), str) and FOLDER_ID.fullmatch(record["id"])):
                record["id"] = new_run_id(str((record.get("dataset") or {}).get("name") or "run"))

            def write(tmp: Path) -> None:
                for rel, info in members.items():
                    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                    (tmp / rel).write_bytes(unzip(archive, info))
                check_unpacked(tmp, record, has_model)

            return self._commit(record, write)

    def stamp(self, run_id: str) -> tuple[int, int]:
        """A version stamp of the run: changes when it is renamed or replaced, for caches.

        Raises
        ------
        ModelNotFoundError
            There is no such run (or it has no ``run.json``).
        """
        try:
            stat = (self._existing(run_id) / RUN_JSON).stat()
        except FileNotFoundError:
            raise ModelNotFoundError(f"Run {run_id} is incomplete: {RUN_JSON} is missing.") \
                from None
        return stat.st_mtime_ns, stat.st_size

    # -- internals --------------------------------------------------------------------------
    def _path(self, run_id: str) -> Path:
        return folder_path(self.runs_dir, run_id, "run")

    def _existing(self, run_id: str) -> Path:
        path = self._path(run_id)
        if not path.is_dir():
            raise ModelNotFoundError(f"There is no run {run_id!r} in the workspace {self.root}.")
        return path

    def _info(self, path: Path) -> RunInfo:
        record = read_record(path / RUN_JSON, path.name)
        large = record.get("source") == PARQUET
        has_model = bool(record.get("has_model")) if large else is_trained(record)
        for part in ([f"{MODEL}/manifest.json"] if has_model else []) + [
                INDEX if large else POINTS]:
            if not (path / part).is_file():
                raise ModelNotFoundError(f"Run {path.name} is incomplete: {part} is missing.")
        ds = record.get("dataset") if isinstance(record.get("dataset"), dict) else {}
        return RunInfo(
            id=path.name, name=str(record.get("name") or path.name),
            created=str(record.get("created") or ""), path=path,
            dataset_name=ds.get("name"), dataset_kind=ds.get("kind"), n_items=ds.get("n_items"),
            params=record.get("params") or {}, metrics=record.get("metrics") or {},
            fit_seconds=record.get("fit_seconds"), epochs_trained=record.get("epochs_trained"),
            cancelled=bool(record.get("cancelled", False)), history=record.get("history") or [],
            dataset=ds, has_model=has_model, source=record.get("source"),
            network=record.get("network") or (DEFAULT_NETWORK if is_trained(record) and not large
                                              and not (record.get("params") or {}).get("encoder")
                                              else None),
            parquet_path=(record.get("parquet") or {}).get("path") if large else None)

    def _free_name(self, name: str) -> str:
        """``name``, or ``name (2)``... : not the name of any run of the workspace."""
        return unique_name(name, (info.name for info in self.list_runs()))

    def _commit(self, record: dict[str, Any], write: Callable[[Path], None]) -> RunInfo:
        """Write a run whole under a free id (:func:`.record.commit_folder`)."""
        slug = str((record.get("dataset") or {}).get("name") or "run")
        return self._info(commit_folder(self.runs_dir, record, RUN_JSON, write, slug=slug,
                                        what="run", root=self.root))
