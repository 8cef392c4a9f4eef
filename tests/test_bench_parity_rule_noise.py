"""The parity-rule simulation: how often the point-ratio rule fails models whose true error rates
are equal in every group (known answers, then the audit's own group sizes)."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "parity_rule_noise.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("parity_rule_noise_under_test", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_two_single_item_groups_fail_half_the_time(bench: ModuleType) -> None:
    # each group's rate is 0 or 1 with probability 1/2: the ratio is infinite exactly when the
    # two differ (probability 1/2); 0/0 and 1/1 are ratio 1
    fails, _median = bench.point_ratio_failure_rate((1, 1), 0.5, 1.5, draws=40_000)
    assert fails == pytest.approx(0.5, abs=0.01)
    assert bench.point_ratio_failure_rate((50, 50), 0.0, 1.5, draws=100)[0] == 0.0
    assert bench.point_ratio_failure_rate((50, 50), 1.0, 1.5, draws=100) == (0.0, 1.0)


def test_the_audit_group_sizes_fail_most_equal_rate_models_at_low_error(bench: ModuleType) -> None:
    # MLMA's held-out hostile tweets per target group: sampling noise alone fails fair models
    rates = (0.05, 0.1, 0.2, 0.3, 0.5)
    fails = [bench.point_ratio_failure_rate(bench.FNR_GROUP_N, r, 1.5, draws=20_000)[0]
             for r in rates]  # fmt: skip
    assert fails[1] > 0.8  # a fair model missing 10 % of hostile tweets fails 87 % of audits
    assert all(a > b for a, b in itertools.pairwise(fails))  # worse the better it is
    assert fails[-1] < 0.15
