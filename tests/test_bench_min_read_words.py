"""The min_read_words benchmark measures the rule's recall cost on the version's own held-out
data and picks the largest k within the budget."""

from __future__ import annotations

import pandas as pd
from conftest import load_bench, shared_data


def _costs(losses: dict[int, list[float]]) -> pd.DataFrame:
    return pd.DataFrame([{"k": k, "loss": loss} for k, values in losses.items() for loss in values])


def test_chosen_k_is_the_largest_run_of_k_within_the_budget() -> None:
    bench = load_bench("hostility_min_read_words")
    assert bench.chosen_k(_costs({1: [0.0, 0.0], 2: [0.01, 0.02], 3: [0.05, 0.0]}), 0.02) == 2
    assert bench.chosen_k(_costs({1: [0.03], 2: [0.0]}), 0.02) == 0  # a later k never skips
    assert bench.chosen_k(_costs({1: [0.0], 2: [0.049]}), 0.05) == 2


def test_recall_costs_on_the_active_versions_held_out_data(monkeypatch) -> None:
    monkeypatch.setenv("BAROMETER_DATA_DIR", str(shared_data()))
    bench = load_bench("hostility_min_read_words")
    costs = bench.recall_costs("2026.4", None, 2, 30)
    assert set(costs["k"]) == {1, 2}
    mlma_ar = costs[(costs["source"] == "mlma") & (costs["lang"] == "ar")].set_index("k")
    # 191 gold-hostile held-out MLMA Arabic tweets; the rule never raises recall
    assert (mlma_ar["n_hostile"] == 191).all()
    assert (costs["recall_rule"] <= costs["recall"] + 1e-12).all()
    assert (costs["loss"] >= -1e-12).all()
    assert mlma_ar.loc[2, "unflagged_hostile"] >= mlma_ar.loc[1, "unflagged_hostile"]
