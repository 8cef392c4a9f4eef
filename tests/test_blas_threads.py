"""The aggregate and publish steps run with one BLAS thread, and give the limit back after."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from barometer.blas_threads import one_blas_thread
from barometer.pipeline.indicators import aggregate_indicators
from barometer.pipeline.manifest import publish


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_one_blas_thread_inside_and_the_limit_restored_after() -> None:
    seen: list[list[int]] = []

    @one_blas_thread
    def product(size: int) -> float:
        seen.append(_blas_threads())
        matrix = np.arange(size * size, dtype=float).reshape(size, size) / size
        return float((matrix @ matrix).sum())

    assert _blas_threads(), "numpy has loaded no BLAS library threadpoolctl can see"
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        total = product(64)
        after = _blas_threads()
    assert seen == [[1] * len(before)]
    assert after == before
    # the product is the one BLAS gives without the limit
    matrix = np.arange(64 * 64, dtype=float).reshape(64, 64) / 64
    assert total == float((matrix @ matrix).sum())


class _Seen(Exception):
    pass


def test_aggregate_and_publish_steps_run_on_one_blas_thread(monkeypatch) -> None:
    seen: list[list[int]] = []

    def record(*args: object) -> None:
        seen.append(_blas_threads())
        raise _Seen

    monkeypatch.setattr("barometer.pipeline.indicators._indicators", record)
    monkeypatch.setattr("barometer.pipeline.manifest._keep_stored_if_unchanged", record)
    run = SimpleNamespace(store=None, derived={"indicators": None})
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        for step in (aggregate_indicators, publish):
            with pytest.raises(_Seen):
                step(run)  # type: ignore[arg-type]
        assert _blas_threads() == before
    assert seen == [[1] * len(before)] * 2
