"""Shared test setup: one BLAS/OpenMP thread (a busy 2-core machine makes threaded BLAS
dozens of times slower on small fits) and a non-interactive matplotlib backend."""

import os
import sys
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/estimators.py, for every folder

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield
