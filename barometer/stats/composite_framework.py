"""The tree of a composite index: indicators, the aggregates they feed, and their weights.

Level 1 holds the indicators; every node above aggregates its children (its ``parent`` is the
node one level up); the single node of the highest level is the index. Each indicator has a
``direction`` (+1 if higher raw values are better, -1 if worse) and optionally a
``denominator`` (a column to divide it by, e.g. population). Weights are relative within a
parent. Any depth works (COINr's ASEM example has indicator -> pillar -> sub-index -> index).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from barometer.exceptions import EstimationError

NODE_COLUMNS = ["code", "parent", "level", "weight", "direction", "denominator"]


@dataclass(frozen=True)
class IndexFramework:
    """A validated index tree, one row per node with :data:`NODE_COLUMNS`."""

    nodes: pd.DataFrame

    def __post_init__(self) -> None:
        nodes = self.nodes
        missing = [c for c in NODE_COLUMNS if c not in nodes.columns]
        if missing:
            raise EstimationError(
                f"an index framework needs columns {NODE_COLUMNS}; missing {missing}"
            )
        if nodes["code"].duplicated().any():
            dup = nodes.loc[nodes["code"].duplicated(), "code"].iloc[0]
            raise EstimationError(f"index framework: node {dup!r} is listed more than once")
        top = int(nodes["level"].max())
        roots = nodes[nodes["level"] == top]
        if len(roots) != 1 or top < 2:
            raise EstimationError(
                f"index framework: expected one node at the top level (>= 2); found "
                f"{roots['code'].tolist()} at level {top}"
            )
        codes = set(nodes["code"])
        level_of = nodes.set_index("code")["level"]
        for _, node in nodes[nodes["level"] < top].iterrows():
            parent = node["parent"]
            if parent not in codes or level_of[parent] != node["level"] + 1:
                raise EstimationError(
                    f"index framework: node {node['code']!r} (level {node['level']}) needs a "
                    f"parent one level up; got {parent!r}"
                )
        childless = [
            c for c in nodes.loc[nodes["level"] > 1, "code"] if c not in set(nodes["parent"])
        ]
        if childless:
            raise EstimationError(f"index framework: aggregates {childless} have no children")
        w = nodes["weight"].to_numpy(dtype=float)
        if not np.isfinite(w).all() or (w < 0).any():
            raise EstimationError("index framework: weights must be finite and >= 0")
        ind = nodes[nodes["level"] == 1]
        if not ind["direction"].isin([1, -1]).all():
            raise EstimationError("index framework: indicator directions must be +1 or -1")

    @classmethod
    def from_table(
        cls,
        table: pd.DataFrame,
        code: str = "iCode",
        parent: str = "Parent",
        level: str = "Level",
        weight: str = "Weight",
        direction: str = "Direction",
        denominator: str | None = "Denominator",
    ) -> IndexFramework:
        """From a metadata table such as COINr's ``iMeta`` (rows without a level, e.g.
        groups and denominators, are ignored)."""
        rows = table[table[level].notna()]
        nodes = pd.DataFrame(
            {
                "code": rows[code].astype(str).to_numpy(),
                "parent": rows[parent].where(rows[parent].notna(), None).to_numpy(),
                "level": rows[level].astype(int).to_numpy(),
                "weight": rows[weight].astype(float).to_numpy(),
                "direction": rows[direction].fillna(1).astype(int).to_numpy(),
                "denominator": (
                    rows[denominator].where(rows[denominator].notna(), None).to_numpy()
                    if denominator is not None and denominator in rows
                    else None
                ),
            }
        )
        return cls(nodes)

    @classmethod
    def two_level(
        cls,
        spec: Mapping[str, tuple[str, int]],
        weights: Mapping[str, float],
        root: str,
    ) -> IndexFramework:
        """Indicators -> dimensions (equal weights within a dimension) -> ``root``.

        ``spec``: indicator -> ``(dimension, direction)``; ``weights``: dimension -> weight.
        """
        dims = sorted({d for d, _ in spec.values()})
        missing = [d for d in dims if d not in weights]
        if missing:
            raise EstimationError(f"weights must name the dimensions {dims}; missing {missing}")
        rows: list[tuple[str, str | None, int, float, int, None]] = [
            (name, dim, 1, 1.0, direction, None) for name, (dim, direction) in spec.items()
        ]
        rows += [(d, root, 2, float(weights[d]), 1, None) for d in dims]
        rows.append((root, None, 3, 1.0, 1, None))
        return cls(pd.DataFrame(rows, columns=NODE_COLUMNS))

    @property
    def indicators(self) -> list[str]:
        """Indicator codes (level 1), in table order."""
        return self.nodes.loc[self.nodes["level"] == 1, "code"].tolist()

    @property
    def levels(self) -> list[int]:
        """Levels from indicators (1) to the index."""
        return sorted(self.nodes["level"].unique().tolist())

    @property
    def root(self) -> str:
        """The index's code."""
        top = self.nodes["level"].to_numpy().argmax()
        return str(self.nodes["code"].iloc[int(top)])

    def children(self, code: str) -> pd.DataFrame:
        """The rows of the nodes whose parent is ``code``."""
        return self.nodes[self.nodes["parent"] == code]

    def at_level(self, level: int) -> list[str]:
        """Codes of the nodes of one level, in table order."""
        return self.nodes.loc[self.nodes["level"] == level, "code"].tolist()

    def direction(self) -> pd.Series:
        """Indicator -> direction."""
        ind = self.nodes[self.nodes["level"] == 1]
        return pd.Series(ind["direction"].to_numpy(), index=ind["code"])

    def denominators(self) -> pd.Series:
        """Indicator -> denominator column (only indicators that have one)."""
        ind = self.nodes[(self.nodes["level"] == 1) & self.nodes["denominator"].notna()]
        return pd.Series(ind["denominator"].to_numpy(), index=ind["code"])

    def with_weights(self, weights: Mapping[str, float]) -> IndexFramework:
        """A copy with some nodes' weights replaced (``code -> weight``)."""
        unknown = [c for c in weights if c not in set(self.nodes["code"])]
        if unknown:
            raise EstimationError(f"weights name nodes {unknown} that are not in the framework")
        nodes = self.nodes.copy()
        nodes["weight"] = [
            float(weights.get(c, w)) for c, w in zip(nodes["code"], nodes["weight"], strict=True)
        ]
        return IndexFramework(nodes)
