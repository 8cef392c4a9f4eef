"""Replicate-weight designs (R: ``as.svrepdesign`` / ``svrepdesign``).

Every estimate is recomputed with each column ``r`` of replicate weights; the variance is
``scale * sum_r rscale_r (theta_r - centre)^2`` with ``centre`` the replicates' mean (or the
full-sample estimate with ``mse=True``), as R's ``svrVar``:

- ``JK1`` (unstratified): replicate ``r`` drops PSU ``r`` and multiplies the others by
  ``n / (n - 1)``; ``scale = (1 - f) (n - 1) / n``.
- ``JKn``: per stratum ``h``, drop one PSU, multiply the stratum's others by
  ``n_h / (n_h - 1)``; ``rscale = (1 - f_h) (n_h - 1) / n_h``, ``scale = 1``.
- ``BRR``: strata of exactly two PSUs; replicate ``r`` keeps one PSU per stratum by the signs
  of a Sylvester Hadamard matrix (full orthogonal balance), weights ``2 - rho`` and ``rho``
  (Fay's method for ``rho > 0``); ``scale = 1 / (R (1 - rho)^2)``.
- ``bootstrap``: Rao-Wu rescaling bootstrap, ``n_h - 1`` PSUs drawn with replacement per
  stratum, multiplier ``1 - lambda + lambda * n_h / (n_h - 1) * draws`` with
  ``lambda = sqrt(1 - f_h)``; ``scale = 1 / (R - 1)``.

Lonely strata (one PSU) get no replicate. Calibration of a replicate design calibrates the
full-sample weights and every replicate to the same totals (R's ``calibrate.svyrep.design``).
Degrees of freedom are the rank of the replicate weights minus one (R's ``degf``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy.linalg import hadamard

from barometer.exceptions import EstimationError
from barometer.stats import calibration_targets as targets
from barometer.stats import survey_glm
from barometer.stats.calibration import CalFun, calibration_factors
from barometer.stats.design_base import DesignBase
from barometer.stats.estimands import Columns, as_list

if TYPE_CHECKING:
    from barometer.stats.design import SurveyDesign

ReplicateKind = Literal["JK1", "JKn", "bootstrap", "BRR"]
REPLICATE_KINDS = ("JK1", "JKn", "bootstrap", "BRR")


def _first_stage(design: SurveyDesign) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row the PSU code; per PSU its stratum; per stratum n_h and the fpc factor 1 - f."""
    stage = design.stages[0]
    f = np.zeros_like(stage.n_h) if stage.pop_h is None else stage.n_h / stage.pop_h
    return stage.cluster, stage.cluster_stratum, stage.n_h, 1.0 - f


def jackknife_weights(
    design: SurveyDesign, stratified: bool
) -> tuple[np.ndarray, float, np.ndarray]:
    """Multipliers (n x R), ``scale`` and ``rscales`` of JK1 (``stratified=False``) or JKn."""
    psu, psu_stratum, n_h, keep = _first_stage(design)
    if not stratified:
        if len(n_h) > 1:
            raise EstimationError("JK1 is for unstratified designs; use kind='JKn'")
        n = int(n_h[0])
        if n < 2:
            raise EstimationError(f"JK1 needs at least 2 PSUs; got {n}")
        mult = np.full((len(psu), n), n / (n - 1.0))
        mult[np.arange(len(psu)), psu] = 0.0
        return mult, float(keep[0] * (n - 1) / n), np.ones(n)
    columns, rscales = [], []
    stratum_of_row = psu_stratum[psu]
    for j in range(len(psu_stratum)):
        h = psu_stratum[j]
        n = n_h[h]
        if n < 2 or keep[h] < 1e-7:
            continue  # lonely or fully enumerated stratum: no replicate
        column = np.ones(len(psu))
        column[stratum_of_row == h] = n / (n - 1.0)
        column[psu == j] = 0.0
        columns.append(column)
        rscales.append(keep[h] * (n - 1.0) / n)
    if not columns:
        raise EstimationError("every stratum has one PSU or is fully enumerated: no replicates")
    return np.column_stack(columns), 1.0, np.asarray(rscales)


def brr_weights(design: SurveyDesign, fay_rho: float) -> tuple[np.ndarray, float, np.ndarray]:
    """Multipliers, ``scale`` and ``rscales`` of balanced repeated replication."""
    psu, psu_stratum, n_h, _ = _first_stage(design)
    if not (n_h == 2).all():
        raise EstimationError(
            "BRR needs exactly 2 PSUs in every stratum; "
            f"found strata with {sorted(set(n_h.astype(int).tolist()) - {2})} PSUs"
        )
    if not 0.0 <= fay_rho < 1.0:
        raise EstimationError(f"fay_rho must be in [0, 1); got {fay_rho}")
    n_strata = len(n_h)
    size = 1 << int(np.ceil(np.log2(n_strata + 1)))
    signs = hadamard(size)[:, 1 : n_strata + 1]  # (R, H), columns orthogonal, balanced
    first = np.zeros(len(psu_stratum), dtype=bool)
    seen: set[int] = set()
    for j, h in enumerate(psu_stratum):  # the first PSU (in sorted order) of each stratum
        if int(h) not in seen:
            first[j] = True
            seen.add(int(h))
    chosen = np.where(first[None, :], signs[:, psu_stratum] > 0, signs[:, psu_stratum] < 0)
    mult_psu = np.where(chosen, 2.0 - fay_rho, fay_rho)  # (R, PSUs)
    return mult_psu[:, psu].T, 1.0 / (size * (1.0 - fay_rho) ** 2), np.ones(size)


def bootstrap_weights(
    design: SurveyDesign, n_replicates: int, seed: int | None
) -> tuple[np.ndarray, float, np.ndarray]:
    """Multipliers, ``scale`` and ``rscales`` of the Rao-Wu rescaling bootstrap."""
    if n_replicates < 2:
        raise EstimationError(f"n_replicates must be >= 2; got {n_replicates}")
    psu, psu_stratum, n_h, keep = _first_stage(design)
    rng = np.random.default_rng(seed)
    mult_psu = np.ones((n_replicates, len(psu_stratum)))
    for h in range(len(n_h)):
        members = np.flatnonzero(psu_stratum == h)
        n = len(members)
        if n < 2:
            continue
        draws = rng.integers(0, n, size=(n_replicates, n - 1))
        counts = np.zeros((n_replicates, n))
        np.add.at(counts, (np.arange(n_replicates)[:, None], draws), 1.0)
        lam = np.sqrt(keep[h])
        mult_psu[:, members] = 1.0 - lam + lam * n / (n - 1.0) * counts
    return mult_psu[:, psu].T, 1.0 / (n_replicates - 1.0), np.ones(n_replicates)


class ReplicateDesign(DesignBase):
    """A design whose variances come from replicate weights (see the module docstring).

    Build one with :meth:`barometer.stats.design.SurveyDesign.replicates`, or from published
    replicate weights with :meth:`from_weights`.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        weights: np.ndarray,
        replicate_weights: np.ndarray,
        scale: float,
        rscales: np.ndarray,
        kind: str,
        mse: bool = False,
        interval: str = "t",
    ) -> None:
        w = np.asarray(weights, dtype=float)
        reps = np.asarray(replicate_weights, dtype=float)
        if reps.ndim != 2 or reps.shape[0] != len(data) or w.shape != (len(data),):
            raise EstimationError(
                f"expected {len(data)} weights and a ({len(data)} x R) replicate matrix; got "
                f"{w.shape} and {reps.shape}"
            )
        if not (np.isfinite(reps).all() and (reps >= 0).all()):
            raise EstimationError("replicate weights must be finite and >= 0")
        if interval not in ("t", "normal"):
            raise EstimationError(f"interval must be 't' or 'normal'; got {interval!r}")
        self.data = data
        self.weights = w
        self.replicate_weights = reps
        self.scale = float(scale)
        self.rscales = np.asarray(rscales, dtype=float)
        self.kind = kind
        self.mse = bool(mse)
        self.interval = interval
        self._degf = int(np.linalg.matrix_rank(reps, tol=1e-5 * np.abs(reps).max())) - 1

    @classmethod
    def from_design(
        cls,
        design: SurveyDesign,
        kind: str,
        mse: bool,
        n_replicates: int,
        fay_rho: float,
        seed: int | None,
    ) -> ReplicateDesign:
        """Replicates of a linearised design, its calibrations repeated on each replicate."""
        if kind not in REPLICATE_KINDS:
            raise EstimationError(f"kind must be one of {REPLICATE_KINDS}; got {kind!r}")
        if kind in ("JK1", "JKn"):
            mult, scale, rscales = jackknife_weights(design, stratified=kind == "JKn")
        elif kind == "BRR":
            mult, scale, rscales = brr_weights(design, fay_rho)
        else:
            mult, scale, rscales = bootstrap_weights(design, n_replicates, seed)
        calibrations = design.calibrations
        base = calibrations[0].base if calibrations else design.weights
        rep = cls(design.data, base, base[:, None] * mult, scale, rscales, kind, mse,
                  design.interval)  # fmt: skip
        for step in calibrations:
            totals = step.weights @ step.matrix
            rep = rep._calibrated(
                step.matrix, totals, step.calfun, step.bounds, 100, 1e-9, step.variance
            )
        return rep

    @classmethod
    def from_weights(
        cls,
        data: pd.DataFrame,
        weights: str,
        replicate_weights: Sequence[str],
        kind: str,
        scale: float,
        rscales: Sequence[float] | None = None,
        mse: bool = False,
    ) -> ReplicateDesign:
        """A design from published replicate-weight columns (R: ``svrepdesign``), weights
        given as full analysis weights (``combined.weights=TRUE``)."""
        cols = as_list(replicate_weights)
        reps = data[cols].to_numpy(dtype=float)
        rs = np.ones(len(cols)) if rscales is None else np.asarray(rscales, dtype=float)
        return cls(data, data[weights].to_numpy(dtype=float), reps, scale, rs, kind, mse)

    # -- variance ----------------------------------------------------------------------------

    def _replicate_variance(self, theta: np.ndarray, full: np.ndarray) -> np.ndarray:
        """``theta`` (R x k) replicate estimates, ``full`` (k,) the full-sample estimates."""
        centre = full if self.mse else theta.mean(axis=0)
        dev = theta - centre
        return self.scale * (self.rscales[:, None] * dev**2).sum(axis=0)

    def _column_se(self, columns: Columns, values: np.ndarray) -> np.ndarray:
        num = self.replicate_weights.T @ columns.num
        if columns.den is None:
            theta = num
        else:
            den = self.replicate_weights.T @ columns.den
            theta = np.divide(num, den, out=np.full(num.shape, np.nan), where=den != 0)
            theta = np.where(np.isnan(theta), values[None, :], theta)
        return np.sqrt(self._replicate_variance(theta, values))

    def _glm_se(
        self, model: survey_glm.ModelData, family: str, beta: np.ndarray, weights: np.ndarray
    ) -> np.ndarray:
        inside = weights > 0
        theta = np.vstack(
            [
                survey_glm.fit_coefficients(model, np.where(inside, r, 0.0), family)
                for r in self.replicate_weights.T
            ]
        )
        return np.sqrt(self._replicate_variance(theta, beta))

    def _describe(self) -> str:
        return f"{self.kind} replicate weights ({self.replicate_weights.shape[1]} replicates" + (
            ", mse)" if self.mse else ")"
        )

    # -- calibration -------------------------------------------------------------------------

    def _calibrated(
        self,
        matrix: np.ndarray,
        totals: np.ndarray,
        calfun: str,
        bounds: tuple[float, float] | None,
        maxit: int,
        epsilon: float,
        variance: np.ndarray | None = None,
        names: list[str] | None = None,
    ) -> ReplicateDesign:
        args = (calfun, bounds, maxit, epsilon, variance, names)
        g, _ = calibration_factors(matrix, self.weights, totals, *args)
        reps = np.empty_like(self.replicate_weights)
        for r in range(reps.shape[1]):
            column = self.replicate_weights[:, r]
            g_r, _ = calibration_factors(matrix, column, totals, *args)
            reps[:, r] = column * g_r
        return ReplicateDesign(self.data, self.weights * g, reps, self.scale, self.rscales,
                               self.kind, self.mse, self.interval)  # fmt: skip

    def calibrate(
        self,
        formula: str,
        population: Mapping[str, float] | Sequence[float],
        calfun: CalFun = "linear",
        bounds: tuple[float, float] | None = None,
        maxit: int = 50,
        epsilon: float = 1e-7,
    ) -> ReplicateDesign:
        """Calibrate the weights and every replicate (see ``SurveyDesign.calibrate``)."""
        matrix, totals, _ = targets.formula_targets(self.data, formula, population)
        return self._calibrated(matrix, totals, calfun, bounds, maxit, epsilon)

    def poststratify(
        self,
        variables: str | Sequence[str],
        population: pd.DataFrame | pd.Series | Mapping[object, float],
    ) -> ReplicateDesign:
        """Post-stratify the weights and every replicate (see ``SurveyDesign.poststratify``)."""
        matrix, totals, _ = targets.poststrat_targets(self.data, as_list(variables), population)
        return self._calibrated(matrix, totals, "linear", None, 2, 1e-9)

    def rake(
        self,
        margins: Mapping[str, targets.MarginSpec],
        bounds: tuple[float, float] | None = None,
        maxit: int = 100,
        epsilon: float = 1e-10,
    ) -> ReplicateDesign:
        """Rake the weights and every replicate (see ``SurveyDesign.rake``)."""
        matrix, totals, names, _ = targets.margin_targets(self.data, margins)
        return self._calibrated(matrix, totals, "raking", bounds, maxit, epsilon, names=names)
