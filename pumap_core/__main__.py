"""``python -m pumap_core fit|embed ...``: see :mod:`pumap_core.scale.cli`.

The import is inside the guard: Dask's worker processes, started by spawning, import this
module again under another name and must not run the command (nor pay for its imports).
"""

if __name__ == "__main__":
    import sys

    from pumap_core.scale.cli import main

    sys.exit(main())
