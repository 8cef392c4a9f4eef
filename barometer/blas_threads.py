"""One BLAS thread for the steps whose linear algebra is many small problems.

The aggregate and publish steps fit hundreds of small models (survey ratios, the measurement
invariance CFA, the impact methods' regressions, synthetic controls and their calibration),
each a matrix of a few hundred rows. OpenBLAS splits every such product over its threads
(one per core by default) and its idle threads spin while they wait, so on a busy machine a
thread per core costs more than it gives: the impact tables of a 1M-post warehouse took 5 to
12 s with OpenBLAS's 2 threads on the 2-core development machine at load 5, and 1.8 to 1.9 s
with one (``docs/SCALE.md``, "One added week at 1M, profiled").

:func:`one_blas_thread` runs a function with BLAS limited to one thread (through
``threadpoolctl``) and restores the limit after; DuckDB's and the scorers' own threads are left
alone. The limit holds in the calling process only: with ``--engine dask`` the aggregate step's
per-partition summaries run in the Dask workers, whose BLAS keeps its own thread count (for the
same effect, start the workers with ``OPENBLAS_NUM_THREADS=1`` in their environment). Results
may differ from a multi-threaded BLAS's in the last bits only (one thread adds the partial
products in another order: at most 3e-14 on the sample's published tables).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from threadpoolctl import threadpool_limits

_P = ParamSpec("_P")
_T = TypeVar("_T")


def one_blas_thread(function: Callable[_P, _T]) -> Callable[_P, _T]:
    """``function``, run with the BLAS libraries loaded in this process on one thread."""

    @functools.wraps(function)
    def limited(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return limited
