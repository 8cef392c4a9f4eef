"""What a ``min_read_words`` rule of k costs a hostility version on its own held-out data.

For each k the rule is applied to the version's weights (``min_read_words = k``) and scored on
the held-out test split of the training corpora its config names (MLMA, Davidson, ...): per
corpus and language with at least ``--min-hostile`` gold-hostile texts, the recall of the
hostile class without and with the rule, and how many flagged texts the rule unflags (true
and false positives). The chosen k is the largest whose recall loss (absolute) stays within
``--budget`` in every such corpus and language: the functional suite and the audit sentences
are not read here (they are the test of the rule, not its training data).

    BAROMETER_DATA_DIR=../shared/data python bench/hostility_min_read_words.py \
        [--version 2026.4] [--models-dir D] [--max-k 5] [--budget 0.02] [--min-hostile 30]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from barometer import registry
from barometer.training.config import version_config
from barometer.training.data import load_training_rows


def recall_costs(
    version: str, models_dir: str | None, max_k: int, min_hostile: int
) -> pd.DataFrame:
    """One row per k x corpus x language: n hostile, recall without / with the rule, loss,
    and the flagged texts the rule unflags (hostile ones, not-hostile ones)."""
    model = registry.load_model("hostility", version, models_dir=models_dir)
    config = version_config("hostility", version, models_dir)
    df, _ = load_training_rows(config, None)
    test = df[df["split"] == "test"].reset_index(drop=True)
    negative = config.task.negative_label
    hostile = (test["label"] != negative).to_numpy()
    frame = test[["text", "lang"]]

    def flags(k: int) -> np.ndarray:
        model.set_params(min_read_words=k)
        proba = model.predict_proba(frame)
        return np.asarray(model.classes_)[proba.argmax(axis=1)] != negative

    base = flags(0)
    rows = []
    for k in range(1, max_k + 1):
        ruled = flags(k)
        for (source, lang), group in test.groupby(["source", "lang"]):
            idx = group.index.to_numpy()
            h = hostile[idx]
            if h.sum() < min_hostile:
                continue
            before, after = base[idx][h].mean(), ruled[idx][h].mean()
            unflagged = base[idx] & ~ruled[idx]
            rows.append({"k": k, "source": source, "lang": lang, "n_hostile": int(h.sum()),
                         "recall": before, "recall_rule": after, "loss": before - after,
                         "unflagged_hostile": int((unflagged & h).sum()),
                         "unflagged_not_hostile": int((unflagged & ~h).sum())})  # fmt: skip
    return pd.DataFrame(rows)


def chosen_k(costs: pd.DataFrame, budget: float) -> int:
    """The largest k such that k and every smaller k lose at most ``budget`` recall in every
    corpus and language (0 when even k = 1 costs more)."""
    best = 0
    for k, loss in costs.groupby("k")["loss"].max().sort_index().items():
        if loss > budget + 1e-12:
            break
        best = int(k)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="2026.4")
    parser.add_argument("--models-dir", default=None)
    parser.add_argument("--max-k", type=int, default=5)
    parser.add_argument("--budget", type=float, default=0.02)
    parser.add_argument("--min-hostile", type=int, default=30)
    args = parser.parse_args()
    costs = recall_costs(args.version, args.models_dir, args.max_k, args.min_hostile)
    table = Table(title=f"hostility {args.version}: recall cost of min_read_words = k")
    for name in costs.columns:
        table.add_column(name, justify="right")
    for row in costs.itertuples(index=False):
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    console = Console()
    console.print(table)
    k = chosen_k(costs, args.budget)
    console.print(f"largest k with recall loss <= {args.budget} everywhere: {k}")


if __name__ == "__main__":
    main()
