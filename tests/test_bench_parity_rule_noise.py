"""The parity-rule simulation: how often the point-ratio rule fails models whose true error rates
are equal in every group (known answers, then the audit's own group sizes)."""

from __future__ import annotations

import itertools
from types import ModuleType

import pytest
from conftest import load_bench


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_bench("parity_rule_noise")


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


def test_the_new_rule_rarely_fails_equal_rates_where_the_old_one_mostly_does(
    bench: ModuleType,
) -> None:
    # within languages, at the audit's group sizes, every group's true FNR 0.10
    strata = {k: (n, (0.1,) * len(n)) for k, n in bench.FNR_STRATA_N.items()}
    fails = bench.failure_rates(strata, 1.5, draws=20_000)
    assert fails["point"] > 0.9  # measured 0.990
    assert fails["wilson"] < 0.02  # measured 0.003
    # pooled sizes, the old audit: 0.867 of fair models failed by the point rule
    pooled = bench.failure_rates({"all": (bench.FNR_GROUP_N, (0.1,) * 5)}, 1.5, draws=20_000)
    assert pooled["point"] == pytest.approx(
        bench.point_ratio_failure_rate(bench.FNR_GROUP_N, 0.1, 1.5, draws=20_000)[0], abs=0.02
    )
    assert pooled["wilson"] < 0.02


def test_the_new_rule_still_detects_planted_disparities(bench: ModuleType) -> None:
    # known answers at large n: the intervals shrink to the true rates, 0.30 vs 0.10 -> ratio 3
    big = (5_000, 5_000)
    assert bench.failure_rates({"s": (big, (0.3, 0.1))}, 1.5, draws=2_000)["wilson"] == 1.0
    assert bench.failure_rates({"s": (big, (0.1, 0.1))}, 1.5, draws=2_000)["wilson"] == 0.0
    # at the English stratum's sizes, power rises with the planted gap
    table = bench.power_table(1.5, draws=20_000)
    largest = table[table["raised_in"].str.startswith("largest")]["new_wilson_rule"].to_numpy()
    assert all(a < b for a, b in itertools.pairwise(largest))
    assert largest[-1] > 0.85  # 0.10 vs 0.40 in origin (n 174): measured 0.92
    assert 0.3 < largest[1] < 0.75  # 0.10 vs 0.30: measured 0.52
    assert (table["old_point_rule"] >= table["new_wilson_rule"]).all()
