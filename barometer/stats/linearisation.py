"""Multistage sampling structure and Taylor-linearisation variance (R: ``svyrecvar``).

A design has one or more stages. Stage ``s`` has strata (nested in the clusters of stage
``s - 1``) and clusters (nested in its strata); each stratum records how many clusters were
sampled (``n_h``) and, with a finite population correction, how many exist (``N_h``).

The variance of an estimator with influence values ``z`` (one column per estimate) is, as in
R's ``survey`` package,

    V = sum_stages sum_h c_h * f_h * n_h / (n_h - 1) * sum_j (t_hj - mean_h t)^2

with ``t_hj`` the total of ``z`` over cluster ``j`` of stratum ``h``, ``f_h = (N_h - n_h) /
N_h`` (1 without a population count), and ``c_h`` the product of the sampling fractions
``n / N`` of the stratum's ancestors (1 at the first stage). Later stages enter only when the
stage above has a population count (without it, sampling is taken as with replacement and the
first-stage term is the whole variance: the ultimate-cluster approximation). A stratum whose
``f_h`` is 0 (every cluster sampled) contributes nothing.

Strata with one sampled cluster (``lonely_psu``): ``"fail"`` raises; ``"certainty"`` and
``"remove"`` contribute zero; ``"adjust"`` uses the cluster total's deviation from zero (the
population mean of an influence function) instead of the stratum mean; ``"average"`` leaves
them out and scales the other strata's sum up by ``#strata / #strata with >= 2 clusters``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse

from barometer.exceptions import EstimationError

LonelyPSU = Literal["fail", "certainty", "remove", "adjust", "average"]
LONELY_PSU: tuple[str, ...] = ("fail", "certainty", "remove", "adjust", "average")


@dataclass(frozen=True)
class Stage:
    """One sampling stage: codes per row and counts per stratum."""

    stratum: np.ndarray  # (n,) stratum code (nested in the previous stage's clusters)
    cluster: np.ndarray  # (n,) cluster code, unique across strata
    cluster_stratum: np.ndarray  # (n_clusters,) stratum of each cluster
    stratum_parent: np.ndarray  # (H,) previous-stage cluster of each stratum (0 at stage 1)
    n_h: np.ndarray  # (H,) clusters sampled per stratum
    pop_h: np.ndarray | None  # (H,) clusters in the population per stratum, or None
    coef_h: np.ndarray  # (H,) product of the ancestors' sampling fractions


def _codes(values: pd.Series, what: str) -> np.ndarray:
    codes, _ = pd.factorize(values, sort=True)
    if (codes < 0).any():
        row = values.index[int(np.flatnonzero(codes < 0)[0])]
        raise EstimationError(f"{what} column '{values.name}' is missing at row {row!r}")
    return codes.astype(np.int64)


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (for messages)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Codes of the pairs ``(a, b)``, in sorted order."""
    return np.unique(a * (int(b.max()) + 1) + b, return_inverse=True)[1].astype(np.int64)


def _population(
    data: pd.DataFrame, column: str, stratum: np.ndarray, n_h: np.ndarray, stage: int
) -> np.ndarray:
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values <= 0).any():
        raise EstimationError(
            f"fpc column '{column}' must hold finite positive numbers (stage {stage})"
        )
    first = np.zeros(len(n_h))
    first[stratum] = values
    if not np.allclose(values, first[stratum]):
        raise EstimationError(
            f"fpc column '{column}' must be constant within each stratum (stage {stage})"
        )
    # Like R's survey: values <= 1 are sampling fractions, otherwise population counts.
    pop = n_h / first if (values <= 1).all() else first
    if (pop < n_h - 1e-9).any():
        h = int(np.argmax(n_h - pop))
        raise EstimationError(
            f"fpc column '{column}' (stage {stage}): a stratum has {n_h[h]:g} sampled clusters "
            f"but a population of {pop[h]:g}; expected population counts >= sample counts"
        )
    return pop


def build_stages(
    data: pd.DataFrame,
    ids: Sequence[str | None],
    strata: Sequence[str | None],
    fpc: Sequence[str | None],
    nest: bool,
) -> list[Stage]:
    """The stages of a design (see :class:`barometer.stats.design.SurveyDesign`)."""
    n = len(data)
    stages: list[Stage] = []
    parent_cluster = np.zeros(n, dtype=np.int64)
    for s, id_col in enumerate(ids, start=1):
        s_col = strata[s - 1] if s - 1 < len(strata) else None
        own_strata = np.zeros(n, dtype=np.int64) if s_col is None else _codes(data[s_col], "strata")
        stratum = _combine(parent_cluster, own_strata) if s > 1 else own_strata
        what = "psu" if s == 1 else f"stage-{s} cluster"
        own_ids = np.arange(n, dtype=np.int64) if id_col is None else _codes(data[id_col], what)
        if s == 1 and not nest and s_col is not None and id_col is not None:
            per_cluster = pd.Series(stratum).groupby(own_ids).nunique()
            if (per_cluster > 1).any():
                label = _plain(
                    data[id_col].iloc[int(np.flatnonzero(own_ids == per_cluster.idxmax())[0])]
                )
                raise EstimationError(
                    f"cluster {label!r} of '{id_col}' appears in more than one stratum of "
                    f"'{s_col}'; pass nest=True if cluster ids are only unique within strata"
                )
        cluster = _combine(stratum, own_ids) if (s > 1 or nest) else own_ids
        if s == 1 and not nest:
            cluster = np.unique(cluster, return_inverse=True)[1].astype(np.int64)
        n_clusters = int(cluster.max()) + 1
        cluster_stratum = np.zeros(n_clusters, dtype=np.int64)
        cluster_stratum[cluster] = stratum
        n_strata = int(stratum.max()) + 1
        n_h = np.bincount(cluster_stratum, minlength=n_strata).astype(float)
        stratum_parent = np.zeros(n_strata, dtype=np.int64)
        stratum_parent[stratum] = parent_cluster
        if s == 1:
            coef = np.ones(n_strata)
        else:
            prev = stages[-1]
            above = prev.cluster_stratum[stratum_parent]  # previous-stage stratum of each
            coef = prev.coef_h[above] * prev.n_h[above] / prev.pop_h[above]  # type: ignore[index]
        f_col = fpc[s - 1] if s - 1 < len(fpc) else None
        pop = None if f_col is None else _population(data, f_col, stratum, n_h, s)
        stages.append(Stage(stratum, cluster, cluster_stratum, stratum_parent, n_h, pop, coef))
        if pop is None:
            break  # with replacement at this stage: later stages do not enter the variance
        parent_cluster = cluster
    return stages


def check_lonely(stages: list[Stage], lonely_psu: str, labels: pd.Series | None) -> None:
    """Raise for a stratum with one sampled cluster under ``lonely_psu="fail"``."""
    if lonely_psu not in LONELY_PSU:
        raise EstimationError(f"lonely_psu must be one of {LONELY_PSU}; got {lonely_psu!r}")
    if lonely_psu != "fail":
        return
    for s, stage in enumerate(stages, start=1):
        f = np.ones_like(stage.n_h) if stage.pop_h is None else 1 - stage.n_h / stage.pop_h
        lonely = np.flatnonzero((stage.n_h == 1) & (f >= 1e-7))
        if lonely.size:
            row = int(np.flatnonzero(stage.stratum == lonely[0])[0])
            value = labels.iloc[row] if labels is not None and s == 1 else None
            name = "" if value is None else f" {_plain(value)!r}"
            raise EstimationError(
                f"stratum{name} has only one PSU at stage {s}, so its variance is undefined; "
                "merge strata or pass lonely_psu='certainty', 'remove', 'adjust' or 'average'"
            )


def _stage_variance(stage: Stage, z: np.ndarray, lonely_psu: str) -> np.ndarray:
    n_clusters = len(stage.cluster_stratum)
    members = sparse.csr_matrix(
        (np.ones(len(stage.cluster)), (stage.cluster, np.arange(len(stage.cluster)))),
        shape=(n_clusters, len(stage.cluster)),
    )
    totals = np.asarray(members @ z)  # (clusters, k)
    n_strata = len(stage.n_h)
    by_stratum = sparse.csr_matrix(
        (np.ones(n_clusters), (stage.cluster_stratum, np.arange(n_clusters))),
        shape=(n_strata, n_clusters),
    )
    means = np.asarray(by_stratum @ totals) / stage.n_h[:, None]
    lonely = stage.n_h == 1
    centre = np.where(lonely[:, None] & (lonely_psu == "adjust"), 0.0, means)
    dev = totals - centre[stage.cluster_stratum]
    ss = np.asarray(by_stratum @ (dev * dev))  # (H, k)
    f = np.ones(n_strata) if stage.pop_h is None else (stage.pop_h - stage.n_h) / stage.pop_h
    scale = np.where(lonely, f, f * stage.n_h / np.maximum(stage.n_h - 1.0, 1.0))
    scale = np.where(f < 1e-7, 0.0, scale)
    if lonely_psu in ("certainty", "remove", "fail", "average"):
        scale = np.where(lonely, 0.0, scale)
    contribution = (stage.coef_h * scale)[:, None] * ss
    if lonely_psu == "average" and lonely.any():
        groups = stage.stratum_parent
        n_groups = int(groups.max()) + 1
        counted = (f >= 1e-7).astype(float)
        total = np.bincount(groups, weights=counted, minlength=n_groups)
        ok = np.bincount(groups, weights=counted * ~lonely, minlength=n_groups)
        factor = np.divide(total, ok, out=np.zeros(n_groups), where=ok > 0)
        contribution = contribution * factor[groups][:, None]
    return contribution.sum(axis=0)


def linearised_variance(stages: list[Stage], z: np.ndarray, lonely_psu: str) -> np.ndarray:
    """Variance of each column of the influence values ``z`` (n x k) over all stages."""
    z = np.asarray(z, dtype=float)
    if z.ndim == 1:
        z = z[:, None]
    var = np.zeros(z.shape[1])
    for stage in stages:
        var += _stage_variance(stage, z, lonely_psu)
    return np.maximum(var, 0.0)


def degrees_of_freedom(stages: list[Stage]) -> int:
    """Design degrees of freedom: first-stage clusters minus first-stage strata."""
    first = stages[0]
    return len(first.cluster_stratum) - len(first.n_h)
