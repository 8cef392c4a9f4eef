"""The audit's parity rule: Wilson bounds (checked against the closed form), the conservative
ratio within strata, and verdicts end to end through ``audit_passes``."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from barometer.audit import AuditResults, AuditThresholds, audit_markdown, audit_passes
from barometer.audit.parity import error_rates, parity_disparities, rate_ratios, wilson_interval

Z95 = 1.959963984540054  # the 97.5 % quantile of the standard normal


def wilson_closed_form(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927): (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)."""
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def hostile_rows(lang: str, group: str, n: int, missed: int) -> pd.DataFrame:
    """``n`` hostile items of one group, ``missed`` of them not flagged (FNR = missed / n)."""
    return pd.DataFrame(
        {"y_true": True, "y_pred": [False] * missed + [True] * (n - missed), "lang": lang,
         "target_group": group}
    )  # fmt: skip


def test_wilson_bounds_match_the_closed_form() -> None:
    for k, n in ((0, 32), (3, 10), (20, 40), (4, 40), (40, 40), (17, 398)):
        assert wilson_interval(k, n) == pytest.approx(wilson_closed_form(k, n), abs=1e-12)
    # hand value: 0 errors of 32 -> upper z^2 / (n + z^2) = 3.8415 / 35.8415
    assert wilson_interval(0, 32)[1] == pytest.approx(0.107179, abs=1e-6)
    lower, upper = wilson_interval(np.array([1, 0]), np.array([4, 0]))
    assert lower[0] == pytest.approx(wilson_closed_form(1, 4)[0]) and np.isnan(upper[1])


def test_known_table_point_ratio_against_conservative_ratio() -> None:
    # within en: A misses 20 of 40 (0.50), B 4 of 40 (0.10), C 6 of 32 vs D 3 of 32 in fr
    frame = pd.concat(
        [hostile_rows("en", "A", 40, 20), hostile_rows("en", "B", 40, 4),
         hostile_rows("fr", "C", 32, 6), hostile_rows("fr", "D", 32, 3)]
    )  # fmt: skip
    rates = error_rates(
        frame, y_true="y_true", y_pred="y_pred", by=["target_group"], within=["lang"], n_boot=50
    )
    fnr = rates[rates["metric"] == "fnr"].set_index("group")
    assert fnr.loc["A", "stratum"] == "lang=en" and fnr.loc["C", "stratum"] == "lang=fr"
    assert list(fnr["errors"]) == [20, 4, 6, 3] and list(fnr["n_effective"]) == [40, 40, 32, 32]
    assert fnr.loc["A", "wilson_lower"] == pytest.approx(wilson_closed_form(20, 40)[0])
    ratios = rate_ratios(rates, min_n=30).set_index(["stratum", "metric"])
    en, fr = ratios.loc[("lang=en", "fnr")], ratios.loc[("lang=fr", "fnr")]
    assert (en["highest"], en["lowest"], en["ratio"]) == ("A", "B", pytest.approx(5.0))
    # lower(20/40) = 0.35199, upper(4/40) = 0.23052: 1.527 > 1.5, a disparity
    expected = wilson_closed_form(20, 40)[0] / wilson_closed_form(4, 40)[1]
    assert en["conservative_ratio"] == pytest.approx(expected) and expected > 1.5
    # fr: point ratio 2.0 fails the old rule; lower(6/32) 0.0896 / upper(3/32) 0.2423 = 0.37
    assert fr["ratio"] == pytest.approx(2.0)
    assert fr["conservative_ratio"] == pytest.approx(
        wilson_closed_form(6, 32)[0] / wilson_closed_form(3, 32)[1]
    )
    failing = parity_disparities(rate_ratios(rates, min_n=30), {"fpr": 1.5, "fnr": 1.5})
    assert list(failing["stratum"]) == ["lang=en"]


def test_a_group_without_errors_is_not_an_infinite_ratio() -> None:
    frame = pd.concat([hostile_rows("en", "A", 100, 11), hostile_rows("en", "B", 32, 0)])
    rates = error_rates(frame, y_true="y_true", y_pred="y_pred", by=["target_group"], n_boot=50)
    ratio = rate_ratios(rates, min_n=30).query("metric == 'fnr'").iloc[0]
    assert ratio["stratum"] == "all" and ratio["ratio"] == np.inf
    # lower(11/100) 0.0626 / upper(0/32) 0.1072: 0.58, no disparity
    assert ratio["conservative_ratio"] == pytest.approx(
        wilson_closed_form(11, 100)[0] / wilson_closed_form(0, 32)[1]
    )
    passed, reasons = audit_passes(
        AuditResults("t", "t-1", error_rates=rates), AuditThresholds(parity_by=["target_group"])
    )
    assert passed and reasons == []


def test_strata_compare_groups_within_a_language_not_the_language_mix() -> None:
    # every group has FNR 0.10 in en and 0.60 in fr; group X is mostly en, Y mostly fr: the
    # pooled rates differ (0.15 vs 0.55), the within-language ones do not
    frame = pd.concat(
        [hostile_rows("en", "X", 200, 20), hostile_rows("fr", "X", 20, 12),
         hostile_rows("en", "Y", 20, 2), hostile_rows("fr", "Y", 200, 120)]
    )  # fmt: skip
    limits = AuditThresholds(parity_by=["target_group"], min_group_n=30)
    pooled = error_rates(frame, y_true="y_true", y_pred="y_pred", by=["target_group"], n_boot=50)
    assert not audit_passes(AuditResults("t", "t-1", error_rates=pooled), limits)[0]
    within = error_rates(
        frame, y_true="y_true", y_pred="y_pred", by=["target_group"], within=["lang"], n_boot=50
    )
    assert set(within["stratum"]) == {"lang=en", "lang=fr"}
    assert rate_ratios(within, min_n=30).empty  # 20 items per minority cell: nothing compared
    assert audit_passes(AuditResults("t", "t-1", error_rates=within), limits)[0]
    # a by column that is itself a stratum column is measured over all rows
    by_lang = error_rates(frame, y_true="y_true", y_pred="y_pred", by=["lang"], within=["lang"])
    assert set(by_lang["stratum"]) == {"all"}


def test_a_planted_biased_model_fails_end_to_end() -> None:
    # English: origin missed 45 of 150 (0.30), disability 10 of 150 (0.07); French fair
    rng = np.random.default_rng(3)
    frame = pd.concat(
        [hostile_rows("en", "origin", 150, 45), hostile_rows("en", "disability", 150, 10),
         hostile_rows("fr", "origin", 80, 16), hostile_rows("fr", "other", 80, 17)]
    ).sample(frac=1.0, random_state=1)  # fmt: skip
    frame.index = rng.permutation(len(frame))  # row labels must not matter
    limits = AuditThresholds(parity_by=["target_group"], parity_within=["lang"])
    results = AuditResults(
        "hostility", "hostility-test", error_rates=error_rates(
            frame, y_true="y_true", y_pred="y_pred", by=limits.parity_by,
            within=limits.parity_within, n_boot=50,
        ),
    )  # fmt: skip
    passed, reasons = audit_passes(results, limits)
    assert not passed and len(reasons) == 1
    assert reasons[0].startswith("FNR ratio by target_group within lang=en: Wilson 95 %")
    assert "origin" in reasons[0] and "disability" in reasons[0]
    card = audit_markdown(results, limits)
    assert "**Verdict: FAIL**" in card and "conservative ratio" in card
    assert "| target_group | lang=fr | fnr | other | origin |" in card  # fr compared, fair
    assert "no disparity" in card and "| disparity |" in card


def test_older_rate_tables_without_wilson_columns_still_compare() -> None:
    old = pd.DataFrame(
        {"by": "lang", "group": ["en", "sv"], "metric": "fnr", "value": [0.5, 0.1],
         "lower": np.nan, "upper": np.nan, "n_effective": [40.0, 40.0]}
    )  # fmt: skip
    ratio = rate_ratios(old, min_n=30).iloc[0]
    assert ratio["conservative_ratio"] == pytest.approx(
        wilson_closed_form(20, 40)[0] / wilson_closed_form(4, 40)[1]
    )
