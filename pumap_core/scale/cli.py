"""``python -m pumap_core fit`` and ``python -m pumap_core embed``: large inputs on Dask.

::

    python -m pumap_core fit INPUT --output MODEL_DIR [--columns a,b] [--sample N]
        [--random-state S] [--scheduler ADDRESS] [--param name=value ...]
    python -m pumap_core embed MODEL_DIR INPUT --output OUT_DIR [--columns a,b]
        [--keep id,label] [--scheduler ADDRESS] [--workspace DIR --name NAME]

Without ``--scheduler`` the work runs on a ``LocalCluster`` of this machine (see
:mod:`.cluster`); with it, on that Dask cluster, whose workers must read INPUT, MODEL_DIR and
OUT_DIR at the same paths or URLs. Progress goes to standard error, the result's summary to
standard output; an error is one line on standard error and exit status 2 (1 for an
unexpected one), never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ..errors import PumapError, user_message

EXIT_USER_ERROR, EXIT_UNEXPECTED, EXIT_INTERRUPTED = 2, 1, 130


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [c.strip() for c in text.split(",") if c.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pumap_core",
                                     description="Parametric UMAP on data larger than memory.")
    sub = parser.add_subparsers(dest="command", required=True)
    fit = sub.add_parser("fit", help="train on a uniform sample of the rows, save the model")
    fit.add_argument("input", help="Parquet file, folder, or glob of Parquet or CSV files")
    fit.add_argument("--output", required=True, help="model folder to write")
    fit.add_argument("--columns", help="feature columns, a,b,... (default: every numeric one)")
    fit.add_argument("--sample", type=int, help="rows to train on (default: all)")
    fit.add_argument("--random-state", type=int, help="seed of the sample and of training")
    fit.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="a ParametricUMAP parameter, e.g. n_neighbors=30 (repeatable)")
    embed = sub.add_parser("embed", help="place every row on the map, write a Parquet dataset")
    embed.add_argument("model", help="model folder written by fit")
    embed.add_argument("input", help="Parquet file, folder, or glob of Parquet or CSV files")
    embed.add_argument("--output", required=True, help="folder of Parquet parts to write")
    embed.add_argument("--columns", help="feature columns (default: those of the model)")
    embed.add_argument("--keep", default="", help="columns copied to the output, id,label,...")
    embed.add_argument("--workspace", help="also add the result to this studio workspace as a "
                                           "map (opened in Explore)")
    embed.add_argument("--name", help="the map's name in the workspace (with --workspace)")
    for command in (fit, embed):
        command.add_argument("--scheduler", help="address of an existing Dask scheduler")
        command.add_argument("--blocksize", help="bytes per partition, e.g. 64MiB "
                                                 "(default $PUMAP_BLOCKSIZE or 64MiB)")
        command.add_argument("--verbose", action="store_true", help="Dask's warnings too")
    return parser


def run_fit(args: argparse.Namespace) -> None:
    from .cluster import dask_client
    from .fit import estimator, fit_sample, parse_param
    from .inputs import feature_columns, read_input
    from .progress import epoch_printer

    params = dict(parse_param(p) for p in args.param)
    estimator(params)  # an unknown parameter is said before a cluster starts
    # Bad files or columns are said before a cluster starts.
    feature_columns(read_input(args.input, block=args.blocksize).frame, _names(args.columns))
    with dask_client(args.scheduler, quiet=not args.verbose):
        sys.stderr.write(f"fit: sampling {args.sample or 'all'} rows of {args.input}\n")
        est = fit_sample(args.input, columns=_names(args.columns), sample=args.sample,
                         random_state=args.random_state, params=params,
                         block=args.blocksize, listener=epoch_printer())
    path = est.save(args.output)
    print(f"saved a model of {len(est.feature_names_in_)} columns, trained on "
          f"{est.model_.info.n_samples:,} rows, to {path}")


def run_embed(args: argparse.Namespace) -> None:
    from .cluster import dask_client
    from .embed import embed
    from .inputs import read_input
    from .write import embed_to_parquet

    if args.name and not args.workspace:
        from ..errors import InvalidParameterError

        raise InvalidParameterError("--name names the map in a workspace: give --workspace DIR "
                                    "too, or leave --name out.")
    # A missing model, missing or unreadable files, wrong columns: said before a cluster starts.
    embed(args.model, read_input(args.input, block=args.blocksize).frame, _names(args.columns),
          _names(args.keep) or ())
    with dask_client(args.scheduler, quiet=not args.verbose) as client:
        report = embed_to_parquet(args.model, args.input, args.output, client=client,
                                  columns=_names(args.columns), keep=_names(args.keep) or (),
                                  block=args.blocksize, progress=lambda p, final: p.show(final))
    print(f"embedded {report.rows:,} rows into {report.parts} parts in {report.seconds:.1f} s "
          f"({report.rate:,.0f} rows/s; model loaded on the workers in "
          f"{report.load_seconds:.1f} s before): {report.output}")
    if args.workspace:
        from ..runs import Workspace

        info = Workspace(args.workspace).add_parquet_map(args.output, name=args.name,
                                                         model_dir=args.model)
        print(f"added to the workspace {args.workspace} as the map {info.name!r} ({info.id})")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    from ..quiet import quiet_tensorflow

    quiet_tensorflow()  # the fit imports TensorFlow in this process: keep its start-up quiet
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        (run_fit if args.command == "fit" else run_embed)(args)
    except PumapError as exc:
        sys.stderr.write(f"\nerror: {exc.user_message}\n")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        sys.stderr.write(f"\nerror: {user_message(exc)}\n")
        return EXIT_UNEXPECTED
    return 0
