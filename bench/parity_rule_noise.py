"""The audit's parity rule against the old one: false fails under equal error rates, and power.

``barometer audit`` compares the false-negative (and false-positive) rates of the groups with at
least ``min_group_n`` items within each stratum (``[audit] parity_within``; hostility: target
groups within each language). The **old rule** failed a model when the point ratio highest /
lowest rate exceeded ``max_fnr_ratio`` (1.5); a group with no error made it infinite. The **new
rule** (:func:`barometer.audit.parity.rate_ratios`) fails it only when the lower Wilson 95 %
bound of the highest group's rate / the upper bound of the lowest group's exceeds 1.5.

This script simulates audits (binomial error counts per group) at the hostility audit's group
sizes and prints, side by side for both rules:

* the **false-fail rate**: the share of audits failing a model whose true rate is the same in
  every group, (a) pooled over MLMA's languages (n 113, 103, 398, 202, 32: the old audit) and
  (b) within languages (en 105, 60, 174, 64, 32; fr 172, 51; ar 42, 52, 87: the new audit);
* the **power**: the share of audits failing a model with a planted disparity, one group's
  true FNR raised (0.10 vs 0.20, 0.30, 0.40) in the English stratum, in its largest group
  (origin, 174) or its smallest (sexual orientation, 32).

With a model version (``--version V``, needs ``../shared/data``), it also prints that version's
rates per target group, pooled and within each language, with Wilson 95 % intervals, the point
ratio and the conservative ratio.

Usage: ``python bench/parity_rule_noise.py [--version V] [--models-dir DIR] [--draws N]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.audit.parity import wilson_interval

#: Hostile held-out MLMA tweets per target group with n >= 30, over all languages.
FNR_GROUP_N = (113, 103, 398, 202, 32)
#: Not-hostile (aimed at one person) held-out MLMA tweets per target group with n >= 30.
FPR_GROUP_N = (74, 91)
#: The same hostile tweets per target group with n >= 30 within each language.
FNR_STRATA_N = {"en": (105, 60, 174, 64, 32), "fr": (172, 51), "ar": (42, 52, 87)}
RULES = ("point", "wilson")


def stratum_fails(
    group_n: tuple[int, ...],
    rates: tuple[float, ...],
    limit: float,
    draws: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Per rule, whether each of ``draws`` simulated audits of one stratum (groups of sizes
    ``group_n`` with true rates ``rates``) finds a disparity: point ratio max / min > ``limit``
    (old), or lower Wilson bound of the highest / upper bound of the lowest > ``limit`` (new);
    highest and lowest by observed rate."""
    n = np.asarray(group_n)
    errors = rng.binomial(n, np.asarray(rates), size=(draws, len(n)))
    observed = errors / n
    top, bottom = observed.argmax(axis=1), observed.argmin(axis=1)
    rows = np.arange(draws)
    high, low = observed[rows, top], observed[rows, bottom]
    with np.errstate(divide="ignore", invalid="ignore"):
        point = np.where(high == 0, 1.0, np.where(low > 0, high / low, np.inf))
    high_lower, _ = wilson_interval(errors[rows, top], n[top])
    _, low_upper = wilson_interval(errors[rows, bottom], n[bottom])
    return {"point": point > limit, "wilson": high_lower / low_upper > limit}


def failure_rates(
    strata: dict[str, tuple[tuple[int, ...], tuple[float, ...]]],
    limit: float,
    draws: int,
    seed: int = 0,
) -> dict[str, float]:
    """Per rule, the share of simulated audits failing in at least one stratum
    (``strata``: name -> (group sizes, true rates))."""
    rng = np.random.default_rng(seed)
    fails = {rule: np.zeros(draws, dtype=bool) for rule in RULES}
    for group_n, rates in strata.values():
        for rule, fail in stratum_fails(group_n, rates, limit, draws, rng).items():
            fails[rule] |= fail
    return {rule: float(fail.mean()) for rule, fail in fails.items()}


def point_ratio_failure_rate(
    group_n: tuple[int, ...], rate: float, limit: float, draws: int, seed: int = 0
) -> tuple[float, float]:
    """Share of simulated audits of a model with the same true ``rate`` in every group whose
    point ratio max / min exceeds ``limit`` (the old rule), and the median simulated ratio."""
    rng = np.random.default_rng(seed)
    n = np.asarray(group_n)
    observed = rng.binomial(n, rate, size=(draws, len(n))) / n
    high, low = observed.max(axis=1), observed.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(high == 0, 1.0, np.where(low > 0, high / low, np.inf))
    return float(np.mean(ratio > limit)), float(np.median(ratio))


def equal_rate_table(limit: float, draws: int) -> pd.DataFrame:
    """False-fail rates of both rules under equal true rates, pooled and within languages."""
    rows = []
    for rate in (0.05, 0.1, 0.2, 0.3, 0.5):
        settings = {
            "FNR pooled": {"all": (FNR_GROUP_N, (rate,) * len(FNR_GROUP_N))},
            "FNR within languages": {k: (n, (rate,) * len(n)) for k, n in FNR_STRATA_N.items()},
            "FPR pooled": {"all": (FPR_GROUP_N, (rate,) * len(FPR_GROUP_N))},
        }
        for name, strata in settings.items():
            fails = failure_rates(strata, limit, draws)
            rows.append((name, rate, fails["point"], fails["wilson"]))
    return pd.DataFrame(rows, columns=["setting", "true_rate", "old_point_rule", "new_wilson_rule"])


def power_table(limit: float, draws: int) -> pd.DataFrame:
    """Power of both rules: one English group's true FNR raised above the others' 0.10."""
    rows = []
    en = FNR_STRATA_N["en"]
    for planted in (0.2, 0.3, 0.4):
        for where, index in (("largest group (174)", en.index(max(en))),
                             ("smallest group (32)", en.index(min(en)))):  # fmt: skip
            rates = tuple(planted if i == index else 0.1 for i in range(len(en)))
            fails = failure_rates({"en": (en, rates)}, limit, draws)
            rows.append((f"0.10 vs {planted:.2f}", where, fails["point"], fails["wilson"]))
    return pd.DataFrame(
        rows, columns=["true_fnr", "raised_in", "old_point_rule", "new_wilson_rule"]
    )


def version_table(version: str, models_dir: str | None) -> None:
    """A version's FNR/FPR per target group, pooled and per language, with Wilson intervals."""
    from statsmodels.stats.proportion import proportion_confint

    from barometer import registry
    from barometer.audit.model_audit import _parity_frame, version_config
    from barometer.audit.scorers import flag_view

    config = version_config("hostility", version, models_dir)
    view = flag_view(registry.load_model("hostility", version, models_dir=models_dir), config)
    frame = _parity_frame(view, config, Path("../shared/data"))
    frame = frame[frame["target_group"].notna()]
    rows = []
    for stratum, part in [("all", frame), *frame.groupby("lang")]:
        for group, g in part.groupby("target_group"):
            for metric, sub, errors in (
                ("fnr", g[g["y_true"]], lambda s: ~s["y_pred"]),
                ("fpr", g[~g["y_true"]], lambda s: s["y_pred"]),
            ):
                if len(sub) < 30:
                    continue
                k = int(errors(sub).sum())
                low, high = proportion_confint(k, len(sub), method="wilson")
                rows.append((stratum, metric, group, len(sub), k / len(sub), low, high))
    table = pd.DataFrame(rows, columns=["stratum", "metric", "group", "n", "rate", "lo", "hi"])
    print(table.round(3).to_string(index=False))
    for (stratum, metric), part in table.groupby(["stratum", "metric"]):
        if len(part) < 2:
            continue
        top, bottom = part.loc[part["rate"].idxmax()], part.loc[part["rate"].idxmin()]
        point = top["rate"] / bottom["rate"] if bottom["rate"] > 0 else np.inf
        print(f"{stratum} {metric}: {top['group']} / {bottom['group']} point ratio {point:.2f}, "
              f"lower/upper {top['lo'] / bottom['hi']:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", default=None)
    parser.add_argument("--models-dir", default=None)
    parser.add_argument("--draws", type=int, default=20_000)
    parser.add_argument("--limit", type=float, default=1.5)
    args = parser.parse_args()
    start = time.perf_counter()
    print(f"Share of simulated audits failed ({args.draws} draws, limit {args.limit}); equal true "
          "rates in every group (false fails):")  # fmt: skip
    print(equal_rate_table(args.limit, args.draws).round(3).to_string(index=False))
    print("\nPlanted disparity in the English stratum, other groups at FNR 0.10 (power):")
    print(power_table(args.limit, args.draws).round(3).to_string(index=False))
    print(f"\n({time.perf_counter() - start:.1f} s)")
    if args.version:
        version_table(args.version, args.models_dir)


if __name__ == "__main__":
    main()
