"""Estimation methods shared by :class:`~barometer.stats.design.SurveyDesign` (linearised) and
:class:`~barometer.stats.replicate_design.ReplicateDesign` (replicate weights).

Every method returns a tidy frame: the domain columns (for ``.by(...)``), then ``variable,
category, value, se, lower, upper, df, n, n_effective, method``. ``n`` counts the rows used;
``n_effective`` is Kish's ``(sum w)^2 / sum w^2`` over them (unequal weights, not clustering).
Intervals are ``value +/- c * se`` with ``c`` the Student t quantile on the design degrees of
freedom (``interval="t"``, as R's ``confint(..., df=degf(design))``) or the normal quantile
(``interval="normal"``, reported with ``df = inf``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from barometer.exceptions import EstimationError
from barometer.stats import estimands, quantiles, survey_glm
from barometer.stats._checks import RESULT_COLUMNS

Interval = Literal["t", "normal"]


class DesignBase(ABC):
    """Data, final weights and degrees of freedom, plus the estimators built on them."""

    data: pd.DataFrame
    weights: np.ndarray
    interval: str
    _degf: int

    @property
    def degf(self) -> int:
        """Design degrees of freedom (R's ``degf``)."""
        return self._degf

    @property
    def _df(self) -> float:
        return float("inf") if self.interval == "normal" else float(self._degf)

    @abstractmethod
    def _describe(self) -> str:
        """The variance method, for the ``method`` column."""

    @abstractmethod
    def _column_se(self, columns: estimands.Columns, values: np.ndarray) -> np.ndarray:
        """Standard errors of ratio/total columns."""

    @abstractmethod
    def _glm_se(
        self, model: survey_glm.ModelData, family: str, beta: np.ndarray, weights: np.ndarray
    ) -> np.ndarray:
        """Standard errors of GLM coefficients fitted with ``weights`` (0 outside a domain)."""

    # -- means, totals, ratios -------------------------------------------------------------

    def _estimate(
        self,
        kind: str,
        y: str | Sequence[str],
        level: float,
        domain: list[str],
        x: str | None = None,
    ) -> pd.DataFrame:
        estimands.critical_value(level, self._df)
        columns = estimands.build_columns(self.data, y, domain, kind, x)
        estimands.check_denominators(columns, self.weights, x)
        values = estimands.ratio_values(columns, self.weights)
        se = self._column_se(columns, values)
        method = f"design-based {kind}, {self._describe()}"
        return estimands.result_frame(
            columns.labels, values, se, self._df, level, columns.used, self.weights, method
        )

    def mean(self, y: str | Sequence[str], level: float = 0.95) -> pd.DataFrame:
        """Population mean of each ``y`` (R: ``svymean(~y, design, na.rm=TRUE)``).

        A non-numeric ``y`` is a factor: one row per level with its population share (0-1);
        booleans are 0/1. Missing values are left out as a domain (the full design is kept).
        """
        return self._estimate("mean", y, level, [])

    def total(self, y: str | Sequence[str], level: float = 0.95) -> pd.DataFrame:
        """Population total of each ``y`` (R: ``svytotal``); a factor gives level counts."""
        return self._estimate("total", y, level, [])

    def ratio(self, numerator: str, denominator: str, level: float = 0.95) -> pd.DataFrame:
        """Ratio of population totals ``Y / X`` (R: ``svyratio``); ``variable`` is ``"y/x"``.

        Rows where either is missing are left out as a domain.
        """
        return self._estimate("ratio", numerator, level, [], denominator)

    # -- quantiles -------------------------------------------------------------------------

    def _quantile(
        self,
        y: str | Sequence[str],
        probs: float | Sequence[float],
        level: float,
        qrule: str,
        domain: list[str],
    ) -> pd.DataFrame:
        crit = estimands.critical_value(level, self._df)
        wanted = quantiles.check_probabilities(probs)
        if qrule not in quantiles.QUANTILE_RULES:
            raise EstimationError(f"qrule must be one of {quantiles.QUANTILE_RULES}; got {qrule!r}")
        base = estimands.build_columns(self.data, y, domain, "mean")
        if base.labels["category"].notna().any():
            raise EstimationError("quantiles need numeric outcomes; got a factor")
        rows = []
        for j in range(base.num.shape[1]):
            used = base.used[:, j]
            x, w = base.num[used, j], self.weights[used]
            for p in wanted:
                q = quantiles.weighted_quantile(x, w, p, qrule)

                def share_se(
                    value: float, j: int = j, used: np.ndarray = used
                ) -> tuple[float, float]:
                    below = estimands.Columns(
                        labels=base.labels.iloc[[j]],
                        num=(used & (base.num[:, j] <= value)).astype(float)[:, None],
                        den=used.astype(float)[:, None],
                        used=used[:, None],
                    )
                    share = estimands.ratio_values(below, self.weights)
                    return float(share[0]), float(self._column_se(below, share)[0])

                lower, upper, se = (
                    quantiles.woodruff_interval(x, w, q, share_se, crit, qrule)
                    if used.any()
                    else (np.nan, np.nan, np.nan)
                )
                rows.append((j, p, q, se, lower, upper))
        table = pd.DataFrame(rows, columns=["column", "p", "value", "se", "lower", "upper"])
        out = base.labels.iloc[table["column"]].reset_index(drop=True)
        out["category"] = [f"q{p:g}" for p in table["p"]]
        used_cols = base.used[:, table["column"].to_numpy()]
        frame = estimands.result_frame(
            out,
            table["value"].to_numpy(),
            table["se"].to_numpy(),
            self._df,
            level,
            used_cols,
            self.weights,
            f"design-based quantile (qrule={qrule}), Woodruff interval, {self._describe()}",
        )
        frame["lower"], frame["upper"] = table["lower"].to_numpy(), table["upper"].to_numpy()
        return frame

    def quantile(
        self,
        y: str | Sequence[str],
        quantiles: float | Sequence[float],
        level: float = 0.95,
        qrule: str = "math",
    ) -> pd.DataFrame:
        """Population quantiles of numeric ``y`` (R: ``svyquantile``, ``interval.type="mean"``).

        ``category`` is ``"q<p>"`` (e.g. ``"q0.5"``). ``lower``/``upper`` are Woodruff limits
        (not symmetric; NaN where the share's interval leaves [0, 1]); ``se`` is their length
        over twice the critical value. See :mod:`barometer.stats.quantiles` for ``qrule``.
        """
        return self._quantile(y, quantiles, level, qrule, [])

    # -- regression ------------------------------------------------------------------------

    def _glm(self, formula: str, family: str, level: float, domain: list[str]) -> pd.DataFrame:
        model = survey_glm.model_data(self.data, formula)
        dom, labels = estimands.domain_codes(self.data, domain)
        p = model.x.shape[1]
        df = self._df if np.isinf(self._df) else self._df - p + 1
        frames = []
        for d in range(len(labels)):
            inside = (dom == d) & model.used
            w = np.where(inside, self.weights, 0.0)
            beta = survey_glm.fit_coefficients(model, w, family)
            se = self._glm_se(model, family, beta, w)
            part = pd.DataFrame({"variable": model.terms, "category": None})
            for column in domain:
                part.insert(0, column, labels.iloc[d][column])
            used = np.repeat(inside[:, None], p, axis=1)
            frames.append(
                estimands.result_frame(
                    part[[*domain, "variable", "category"]],
                    beta,
                    se,
                    df,
                    level,
                    used,
                    self.weights,
                    f"design-weighted GLM {formula} ({family}), {self._describe()}",
                )
            )
        return pd.concat(frames, ignore_index=True)

    def glm(self, formula: str, family: str = "gaussian", level: float = 0.95) -> pd.DataFrame:
        """Design-weighted GLM (R: ``svyglm``); one row per coefficient (``variable`` = term).

        ``formula`` uses patsy/R syntax (``"api00 ~ ell + meals"``; quote odd column names as
        ``Q("sch.wide")``); rows with a missing value in the formula are left out as a domain.
        ``family``: ``"gaussian"``, ``"binomial"``/``"quasibinomial"`` (logit) or
        ``"poisson"``/``"quasipoisson"`` (log). Intervals use ``degf - p + 1`` degrees of
        freedom (R's ``summary.svyglm``).
        """
        return self._glm(formula, family, level, [])

    # -- domains ---------------------------------------------------------------------------

    def by(self, domain: str | Sequence[str]) -> DomainEstimates:
        """The same estimators per domain (R: ``svyby``): influence values are zero outside a
        domain, so the whole design is kept. Rows with a missing domain value belong to none."""
        columns = estimands.as_list(domain)
        if not columns:
            raise EstimationError("expected at least one domain column; got none")
        return DomainEstimates(self, columns)


class DomainEstimates:
    """``design.by(domain)``: the estimators of a design, one row per domain (and level)."""

    def __init__(self, design: DesignBase, domain: list[str]) -> None:
        self.design = design
        self.domain = domain

    def mean(self, y: str | Sequence[str], level: float = 0.95) -> pd.DataFrame:
        """Domain means (see :meth:`DesignBase.mean`)."""
        return self.design._estimate("mean", y, level, self.domain)

    def total(self, y: str | Sequence[str], level: float = 0.95) -> pd.DataFrame:
        """Domain totals (see :meth:`DesignBase.total`)."""
        return self.design._estimate("total", y, level, self.domain)

    def ratio(self, numerator: str, denominator: str, level: float = 0.95) -> pd.DataFrame:
        """Domain ratios (see :meth:`DesignBase.ratio`)."""
        return self.design._estimate("ratio", numerator, level, self.domain, denominator)

    def quantile(
        self,
        y: str | Sequence[str],
        quantiles: float | Sequence[float],
        level: float = 0.95,
        qrule: str = "math",
    ) -> pd.DataFrame:
        """Domain quantiles (see :meth:`DesignBase.quantile`)."""
        return self.design._quantile(y, quantiles, level, qrule, self.domain)

    def glm(self, formula: str, family: str = "gaussian", level: float = 0.95) -> pd.DataFrame:
        """One model per domain (see :meth:`DesignBase.glm`)."""
        return self.design._glm(formula, family, level, self.domain)


__all__ = ["RESULT_COLUMNS", "DesignBase", "DomainEstimates", "Interval"]
