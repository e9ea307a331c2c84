"""Shared by the out-of-core tests: small Parquet data, one Dask cluster, one fitted model.

The data: 4 files of 1,500 rows (5 float32 features in two blobs, an int id, a text label),
written in row groups of 250 rows, so that a small partition size (BLOCK) splits every file
into several partitions. The cluster: 2 worker processes of 1 thread (as the brief asks),
set as Dask's default scheduler for the session. The model: trained on 2,000 sampled rows for
3 epochs and saved, reused by every test that only reads it.
"""

import pandas as pd
import pytest
from scale_data import BLOCK, FEATURES, FIT_PARAMS, N_FILES, ROWS_PER_FILE, make_table


@pytest.fixture(scope="session")
def parquet_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale-data")
    for i in range(N_FILES):
        make_table(i * ROWS_PER_FILE, ROWS_PER_FILE, seed=i).to_parquet(
            folder / f"part-{i:02d}.parquet", row_group_size=250, index=False)
    return folder


@pytest.fixture(scope="session")
def all_rows(parquet_dir):
    """Every input row, in file order, in memory (the reference)."""
    return pd.concat([pd.read_parquet(p) for p in sorted(parquet_dir.glob("*.parquet"))],
                     ignore_index=True)


@pytest.fixture(scope="session")
def client():
    from distributed import Client, LocalCluster

    from pumap_core.jobs.cluster import worker_environment

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", env=worker_environment(2)) as cluster, \
            Client(cluster, set_as_default=True) as c:
        yield c


@pytest.fixture(scope="session")
def model_dir(parquet_dir, client, tmp_path_factory):
    from pumap_core.scale import fit_sample

    est = fit_sample(str(parquet_dir), columns=FEATURES, sample=2000, random_state=0,
                     params=FIT_PARAMS, block=BLOCK)
    return est.save(tmp_path_factory.mktemp("scale-model") / "model")


@pytest.fixture(scope="session")
def estimator(model_dir):
    from pumap_core import load_ParametricUMAP

    return load_ParametricUMAP(model_dir)
