"""Write a synthetic map (no model) into a workspace, for the explorer and its benchmarks.

    python scripts/make_synthetic.py --n 1000000 --kind images --workspace DIR [--name NAME]

Prints the new run's id, then the seconds spent generating and saving.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pumap_core import PumapError
from pumap_core.data import make_synthetic
from pumap_core.runs import Workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of items (3 to 5M)")
    parser.add_argument("--kind", choices=["images", "table"], default="images",
                        help="images: one glyph thumbnail per item; table: none")
    parser.add_argument("--classes", type=int, default=10, help="number of clusters (1 to 12)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workspace", default=None,
                        help="workspace folder (default: $PUMAP_WORKSPACE, else ./workspace)")
    parser.add_argument("--name", default=None, help="the run's display name")
    args = parser.parse_args(argv)
    try:
        start = time.perf_counter()
        dataset, layout = make_synthetic(args.n, kind=args.kind, n_classes=args.classes,
                                         seed=args.seed)
        made = time.perf_counter()
        info = Workspace(args.workspace).save_map(dataset, layout, name=args.name)
        saved = time.perf_counter()
    except PumapError as exc:
        print(f"error: {exc.user_message}", file=sys.stderr)
        return 2
    print(info.id)
    print(f"generated {args.n:,} items in {made - start:.2f} s, saved in {saved - made:.2f} s "
          f"(total {saved - start:.2f} s) to {info.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
