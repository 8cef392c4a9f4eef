"""A survey design object mirroring R's ``svydesign``, with Taylor-linearisation variances.

    design = SurveyDesign(apiclus2, ids=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    design.mean("api00")                         # svymean(~api00, dclus2)
    design.by("stype").mean("api00")             # svyby(~api00, ~stype, dclus2, svymean)
    ps = design.poststratify("stype", pop_types)  # postStratify(dclus2, ~stype, pop.types)
    ps.total("enroll")                           # the variance uses the calibration residuals
    design.replicates("JK1").mean("api00")       # as.svrepdesign(dclus1, type="JK1")

Stages, strata, clusters, finite population corrections and lonely PSUs are described in
:mod:`barometer.stats.linearisation`; the estimators and result frames in
:mod:`barometer.stats.design_base`. Calibration (:meth:`SurveyDesign.calibrate`,
:meth:`~SurveyDesign.poststratify`, :meth:`~SurveyDesign.rake`) returns a new design whose
weights meet the population totals and whose variances use the residuals of each influence
value's regression on the calibration variables (R's ``calibrate`` / ``svyrecvar``), so the
intervals reflect what the calibration knows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from barometer.exceptions import EstimationError
from barometer.stats import calibration_targets as targets
from barometer.stats import survey_glm
from barometer.stats._checks import positive_weights, require_columns
from barometer.stats.calibration import (
    CalFun,
    Calibration,
    calibration_factors,
    calibration_residuals,
)
from barometer.stats.design_base import DesignBase, Interval
from barometer.stats.estimands import Columns, as_list, influence_values
from barometer.stats.linearisation import (
    LonelyPSU,
    Stage,
    build_stages,
    check_lonely,
    degrees_of_freedom,
    linearised_variance,
)

if TYPE_CHECKING:
    from barometer.stats.replicate_design import ReplicateDesign, ReplicateKind


class SurveyDesign(DesignBase):
    """A (multistage, stratified, clustered, weighted) sample (R: ``svydesign``).

    Parameters
    ----------
    data
        One row per respondent (the index is kept as given).
    ids
        Cluster column per stage, first stage first (``None`` or ``[]``: every row is its own
        PSU, R's ``id=~1``). Later-stage clusters are taken as nested in earlier ones.
    strata
        Stratum column of the first stage (or one per stage); ``None``: unstratified.
    weights
        Sampling (inverse-probability) weight column, finite and > 0. ``None``: the product
        over stages of ``N / n`` from ``fpc`` (population counts), or 1 without ``fpc``.
    fpc
        Per stage, a column with the population number of clusters of the stratum (constant
        within a stratum) or, if every value is <= 1, the sampling fraction. ``None``:
        sampling with replacement. The variance includes stage ``s + 1`` only when stage
        ``s`` has a population count (R's multistage variance).
    nest
        ``True`` when cluster ids are only unique within strata (R's ``nest=TRUE``); otherwise
        a cluster id found in two strata raises.
    lonely_psu
        A stratum with one sampled cluster: ``"fail"`` (raise), ``"certainty"``, ``"remove"``,
        ``"adjust"`` or ``"average"`` (R's ``survey.lonely.psu``).
    interval
        ``"t"`` (Student t on :attr:`degf`) or ``"normal"`` intervals.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        ids: str | Sequence[str | None] | None = None,
        strata: str | Sequence[str | None] | None = None,
        weights: str | None = None,
        fpc: str | Sequence[str | None] | None = None,
        nest: bool = False,
        lonely_psu: LonelyPSU = "fail",
        interval: Interval = "t",
    ) -> None:
        id_cols: list[str | None] = [None] if ids is None else list(as_list(ids)) or [None]  # type: ignore[arg-type]
        strata_cols: list[str | None] = [] if strata is None else list(as_list(strata))  # type: ignore[arg-type]
        fpc_cols: list[str | None] = [] if fpc is None else list(as_list(fpc))  # type: ignore[arg-type]
        if interval not in ("t", "normal"):
            raise EstimationError(f"interval must be 't' or 'normal'; got {interval!r}")
        if len(data) < 2:
            raise EstimationError(
                f"expected at least 2 rows to estimate a variance; got {len(data)}"
            )
        require_columns(data, [*id_cols, *strata_cols, *fpc_cols, weights])
        self.data = data
        self.interval = interval
        self.lonely_psu = lonely_psu
        self._stages: list[Stage] = build_stages(data, id_cols, strata_cols, fpc_cols, nest)
        labels = data[strata_cols[0]] if strata_cols and strata_cols[0] is not None else None
        check_lonely(self._stages, lonely_psu, labels)
        if weights is not None:
            self.weights = positive_weights(data, weights)
        elif (
            fpc_cols
            and all(s.pop_h is not None for s in self._stages)
            and len(self._stages) == len(id_cols)
        ):
            w = np.ones(len(data))
            for stage in self._stages:
                w *= (stage.pop_h / stage.n_h)[stage.stratum]
            self.weights = w
        else:
            self.weights = np.ones(len(data))
        self._calibrations: tuple[Calibration, ...] = ()
        self._degf = degrees_of_freedom(self._stages)
        self._stage_count = len(id_cols)

    # -- variance ----------------------------------------------------------------------------

    def _variance(self, z: np.ndarray) -> np.ndarray:
        z = calibration_residuals(z, list(self._calibrations))
        return linearised_variance(self._stages, z, self.lonely_psu)

    def _column_se(self, columns: Columns, values: np.ndarray) -> np.ndarray:
        return np.sqrt(self._variance(influence_values(columns, self.weights, values)))

    def _glm_se(
        self, model: survey_glm.ModelData, family: str, beta: np.ndarray, weights: np.ndarray
    ) -> np.ndarray:
        z = survey_glm.coefficient_influence(model, weights, family, beta)
        return np.sqrt(self._variance(z))

    def _describe(self) -> str:
        stages = f"{self._stage_count}-stage" if self._stage_count > 1 else "1-stage"
        text = f"Taylor linearisation ({stages}"
        if self._calibrations:
            text += ", " + " then ".join(c.calfun for c in self._calibrations) + " calibrated"
        return text + ")"

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
    ) -> SurveyDesign:
        g, iterations = calibration_factors(
            matrix,
            self.weights,
            totals,
            calfun,
            bounds,
            maxit,
            epsilon,
            variance,
            names,
        )
        if (g <= 0).any():
            raise EstimationError(
                f"{calfun} calibration gives {int((g <= 0).sum())} weights <= 0; use "
                "bounds=(low, high) or calfun='raking' to keep weights positive"
            )
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new.weights = self.weights * g
        step = Calibration(matrix, self.weights, new.weights, calfun, iterations, bounds, variance)
        new._calibrations = (*self._calibrations, step)
        return new

    def calibrate(
        self,
        formula: str,
        population: Mapping[str, float] | Sequence[float],
        calfun: CalFun = "linear",
        bounds: tuple[float, float] | None = None,
        variance: str | None = None,
        maxit: int = 50,
        epsilon: float = 1e-7,
    ) -> SurveyDesign:
        """A design calibrated to population totals (R: ``calibrate``).

        ``formula`` is one-sided (``"~ api99"``; an intercept is included unless ``- 1``);
        ``population`` gives the total of every model-matrix column (see
        :func:`barometer.stats.calibration_targets.formula_targets`). ``calfun`` and
        ``bounds`` (on the factor ``g = new / old weight``) as in
        :mod:`barometer.stats.calibration`; ``variance`` names a column of working-model
        variances (linear calibration only; e.g. the auxiliary itself for a ratio estimator).
        """
        matrix, totals, _ = targets.formula_targets(self.data, formula, population)
        sigma = None
        if variance is not None:
            require_columns(self.data, [variance])
            sigma = self.data[variance].to_numpy(dtype=float)
        return self._calibrated(matrix, totals, calfun, bounds, maxit, epsilon, sigma)

    def poststratify(
        self,
        variables: str | Sequence[str],
        population: pd.DataFrame | pd.Series | Mapping[object, float],
    ) -> SurveyDesign:
        """A design post-stratified to population cell counts (R: ``postStratify``).

        Weights in cell ``c`` become ``w N_c / sum_c w``; ``population`` is a frame with the
        cell columns and ``"population"`` (or ``"Freq"``), or for one column a Series /
        mapping category -> count.
        """
        matrix, totals, _ = targets.poststrat_targets(self.data, as_list(variables), population)
        return self._calibrated(matrix, totals, "linear", None, 2, 1e-9)

    def rake(
        self,
        margins: Mapping[str, targets.MarginSpec],
        bounds: tuple[float, float] | None = None,
        maxit: int = 100,
        epsilon: float = 1e-10,
    ) -> SurveyDesign:
        """A design raked to one-way population margins (R: ``rake``).

        ``margins`` maps a column to its category totals (Series, mapping, or a frame with the
        column and ``"population"``). The weights are the raking calibration
        (``calfun="raking"``), which is where iterative proportional fitting converges;
        ``bounds`` limits each factor ``new / old weight``.
        """
        matrix, totals, names, _ = targets.margin_targets(self.data, margins)
        return self._calibrated(matrix, totals, "raking", bounds, maxit, epsilon, names=names)

    # -- replicate weights -------------------------------------------------------------------

    def replicates(
        self,
        kind: ReplicateKind = "JK1",
        mse: bool = False,
        n_replicates: int = 200,
        fay_rho: float = 0.0,
        seed: int | None = None,
    ) -> ReplicateDesign:
        """The replicate-weight version of this design (R: ``as.svrepdesign``).

        ``kind``: ``"JK1"`` (delete one PSU; unstratified), ``"JKn"`` (delete one PSU per
        stratum), ``"bootstrap"`` (Rao-Wu rescaling bootstrap, ``n_replicates`` with
        ``seed``) or ``"BRR"`` (balanced half-samples; 2 PSUs per stratum; Fay's method with
        ``fay_rho`` > 0). ``mse=True`` centres the variance on the full-sample estimate
        instead of the replicates' mean. The replicate weights are this design's base
        weights; its calibrations are repeated on every replicate.
        """
        from barometer.stats.replicate_design import ReplicateDesign

        return ReplicateDesign.from_design(self, kind, mse, n_replicates, fay_rho, seed)

    @property
    def stages(self) -> list[Stage]:
        """The sampling stages (see :mod:`barometer.stats.linearisation`)."""
        return list(self._stages)

    @property
    def calibrations(self) -> tuple[Calibration, ...]:
        """The calibration steps applied so far, in order."""
        return self._calibrations

    def with_interval(self, interval: Interval) -> SurveyDesign:
        """The same design with ``"t"`` or ``"normal"`` intervals."""
        if interval not in ("t", "normal"):
            raise EstimationError(f"interval must be 't' or 'normal'; got {interval!r}")
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new.interval = interval
        return new


__all__ = ["SurveyDesign"]
