"""Parametric UMAP on data larger than memory, on Dask: fit on a sample, embed every row.

>>> from pumap_core.scale import fit_sample, embed
>>> est = fit_sample("big/*.parquet", sample=100_000, random_state=0)    # doctest: +SKIP
>>> points = embed(est, dd.read_parquet("big/"), keep=["id"])            # doctest: +SKIP
>>> points.to_parquet("points/")                                         # doctest: +SKIP

The command line (``python -m pumap_core fit|embed``) is :mod:`.cli`. Importing this package
imports neither TensorFlow nor Dask: they come with the first fit or the first embed.
"""

from .embed import embed
from .fit import fit_sample
from .inputs import InputTable, read_input
from .sample import sample_rows
from .write import EmbedReport, embed_to_parquet

__all__ = ["EmbedReport", "InputTable", "embed", "embed_to_parquet", "fit_sample",
           "read_input", "sample_rows"]
