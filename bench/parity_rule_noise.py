"""How often the audit's point-ratio parity rule fails a model whose error rates are equal.

``barometer audit`` fails a model when the highest / lowest false-negative (or false-positive)
rate across the groups with at least ``min_group_n`` items exceeds ``max_fnr_ratio`` (1.5),
comparing point estimates (:func:`barometer.audit.parity.rate_ratios`). This script simulates
models whose *true* rate is the same in every group, at the group sizes of the hostility audit
(MLMA's held-out hostile tweets per target group: disability 113, gender 103, origin 398, other
202, sexual orientation 32; religion has 24 and is not compared), and prints the share of
simulated audits that fail by sampling noise alone. A rate of 0 in one group makes the ratio
infinite, so a model that misses none of the 32 sexual-orientation tweets fails whatever it does
elsewhere.

With a model version (``--version V``, needs ``../shared/data``), it also prints that version's
rates per target group, pooled and within each language (MLMA's en, fr and ar tweets come with
different label distributions, and the target groups are spread unevenly across them), with
Wilson 95 % intervals, the point ratio and the conservative ratio lower(highest) / upper(lowest).

Usage: ``python bench/parity_rule_noise.py [--version V] [--models-dir DIR] [--draws N]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

#: Hostile held-out MLMA tweets per target group with n >= 30 (``barometer audit hostility``).
FNR_GROUP_N = (113, 103, 398, 202, 32)
#: Not-hostile (aimed at one person) held-out MLMA tweets per target group with n >= 30.
FPR_GROUP_N = (74, 91)


def point_ratio_failure_rate(
    group_n: tuple[int, ...], rate: float, limit: float, draws: int, seed: int = 0
) -> tuple[float, float]:
    """Share of simulated audits of a model with the same true ``rate`` in every group whose
    point ratio max / min exceeds ``limit``, and the median simulated ratio."""
    rng = np.random.default_rng(seed)
    n = np.asarray(group_n)
    observed = rng.binomial(n, rate, size=(draws, len(n))) / n
    high, low = observed.max(axis=1), observed.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(high == 0, 1.0, np.where(low > 0, high / low, np.inf))
    return float(np.mean(ratio > limit)), float(np.median(ratio))


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
    for name, group_n in (("FNR", FNR_GROUP_N), ("FPR", FPR_GROUP_N)):
        for rate in (0.05, 0.1, 0.2, 0.3, 0.5):
            fails, median = point_ratio_failure_rate(group_n, rate, args.limit, args.draws)
            print(f"{name} equal true rate {rate:.2f}, n {group_n}: point-ratio rule fails "
                  f"{fails:.3f} of audits (median ratio {median:.2f})")  # fmt: skip
    if args.version:
        version_table(args.version, args.models_dir)


if __name__ == "__main__":
    main()
