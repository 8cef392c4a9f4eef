"""Survey indicators: design-based neighbourhood means per wave, and Fay-Herriot small-area
estimates that borrow strength from the dense digital signal.

Both are published, labelled by indicator: ``survey_*_mean`` are direct estimates (each wave is
its own stratified, clustered :class:`~barometer.stats.design.SurveyDesign`, raked to the
population margins when they are known; neighbourhoods are domains), ``survey_ppltrst_fh`` the
model-based EBLUPs. A wave's cell is dated to the month of its median interview date. The
direct estimates' standard errors use the raking residuals (R's ``rake`` / ``calibrate``), so
their intervals, and the Fay-Herriot sampling variances built from them, reflect what the
margins already tell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barometer.aggregate.cells import empty_cells, month_start, to_cells
from barometer.exceptions import EstimationError
from barometer.stats.design import SurveyDesign
from barometer.stats.sae import fit_fay_herriot

DIRECT_ITEMS = {
    "ppltrst": "survey_ppltrst_mean",
    "trust_neighbours": "survey_trust_neighbours_mean",
}
SAE_COVARIATE = "digital_negative_share"


#: raking margins: (variable, within each neighbourhood?). About 35 respondents per
#: neighbourhood and wave cannot carry neighbourhood x age x sex cells, so age group and sex
#: are raked municipality-wide and only being born abroad (the strongest correlate of trust
#: in the sample and in the ESS) within each neighbourhood.
MARGINS: tuple[tuple[str, bool], ...] = (
    ("born_abroad", True),
    ("age_group", False),
    ("sex", False),
)
#: bounded raking: no weight moves below 0.1x or above 10x its scaled design weight, so a
#: handful of respondents in a thin cell cannot dominate a neighbourhood's estimate
RAKING_BOUNDS = (0.1, 10.0)


MISSING_CATEGORY = "(missing)"


def _margin_targets(
    wave: pd.DataFrame, margins: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """The wave with one ``margin_<variable>`` column per raking margin, and their totals.

    Respondents who did not answer a margin's question (no age group, say) form a category of
    their own, whose target is their design-weighted share of the population (of their
    neighbourhood, for a within-neighbourhood margin); the answered categories' targets shrink
    by that share. So a missing answer neither drops the respondent nor moves them into a
    category they may not belong to.
    """
    sample = wave.copy()
    population = margins[margins["neighbourhood_id"].isin(sample["neighbourhood_id"])]
    weight = sample["weight"].astype(float)
    targets = {}
    for variable, local in MARGINS:
        column = f"margin_{variable}"
        answered = sample[variable].notna()
        value = sample[variable].astype(str).where(answered, MISSING_CATEGORY)
        group = sample["neighbourhood_id"] if local else pd.Series("", index=sample.index)
        sample[column] = (group + "|" + value) if local else value
        keys = population[variable].astype(str)
        keys = (population["neighbourhood_id"] + "|" + keys) if local else keys
        pop_group = population["neighbourhood_id"] if local else pd.Series("", population.index)
        share = weight.where(~answered, 0).groupby(group).sum() / weight.groupby(group).sum()
        scale = 1 - pop_group.map(share).fillna(0.0)
        totals = (population["population"] * scale).groupby(keys.to_numpy()).sum()
        missing = share[share > 0]
        if not missing.empty:
            group_pop = population.groupby(pop_group.to_numpy())["population"].sum()
            labels = [
                f"{g}|{MISSING_CATEGORY}" if local else MISSING_CATEGORY for g in missing.index
            ]
            extra = pd.Series((missing * group_pop.reindex(missing.index)).to_numpy(), index=labels)
            totals = pd.concat([totals, extra])
        targets[column] = totals
    return sample, targets


def wave_design(wave: pd.DataFrame, margins: pd.DataFrame | None = None) -> SurveyDesign:
    """One wave's design: strata, PSUs (nested in strata) and weights, raked to the
    population margins in :data:`MARGINS` when ``margins`` (the ``population_margins`` table,
    residents 16+) is given (a missing answer is a category of its own: see
    :func:`_margin_targets`).

    Raking is bounded by :data:`RAKING_BOUNDS`, relative to the design weights scaled to the
    population total. Strata with a single PSU count as certainty units. Raises
    :class:`EstimationError` naming the margin when a category with residents has no
    respondent, or when the raking does not converge.
    """
    if margins is None or margins.empty:
        return SurveyDesign(wave, ids="psu", strata="stratum", weights="weight", nest=True,
                            lonely_psu="certainty")  # fmt: skip
    sample, targets = _margin_targets(wave, margins)
    total = float(next(iter(targets.values())).sum())
    sample["weight"] = sample["weight"] * total / sample["weight"].sum()
    design = SurveyDesign(sample, ids="psu", strata="stratum", weights="weight", nest=True,
                          lonely_psu="certainty")  # fmt: skip
    return design.rake(targets, bounds=RAKING_BOUNDS)


def aggregate_survey(
    responses: pd.DataFrame,
    digital: pd.DataFrame,
    *,
    level: float,
    margins: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Design-based neighbourhood means of survey items (0-10), one cell per wave, plus the
    Fay-Herriot estimates of ``ppltrst`` (see :func:`small_area_cells`).

    With ``margins`` (the ``population_margins`` table), each wave's design is raked to them
    (:func:`wave_design`) and the standard errors use the raking residuals.
    """
    frames = []
    direct_ppltrst = []
    for wave_id, wave in responses.groupby("wave", sort=True):
        try:
            design = wave_design(wave, margins)
        except EstimationError as exc:
            raise EstimationError(f"survey wave {wave_id!r}: {exc}") from exc
        month = month_start(pd.Series([wave["interview_date"].median()])).iloc[0]
        for item, indicator in DIRECT_ITEMS.items():
            try:
                estimate = design.by("neighbourhood_id").mean(item, level)
            except EstimationError as exc:
                raise EstimationError(f"survey wave {wave_id!r}, item {item}: {exc}") from exc
            estimate["period_start"] = month
            frames.append(to_cells(estimate, indicator))
            if item == "ppltrst":
                direct_ppltrst.append(estimate)
    if direct_ppltrst:
        frames.append(small_area_cells(pd.concat(direct_ppltrst), digital, level=level))
    return pd.concat(frames, ignore_index=True) if frames else empty_cells()


def _covariate_at_waves(digital: pd.DataFrame, months: pd.Series) -> pd.DataFrame:
    """Mean of the covariate over each wave month and the two months before it."""
    covariate = digital[digital["indicator"] == SAE_COVARIATE]
    if covariate.empty:
        return pd.DataFrame()
    rows = []
    for month in months.unique():
        window = pd.date_range(end=pd.Timestamp(month), periods=3, freq="MS").date
        recent = covariate[covariate["period_start"].isin(window)]
        means = recent.groupby("neighbourhood_id")["value"].mean()
        rows.append(pd.DataFrame({"period_start": month, "neighbourhood_id": means.index,
                                  "covariate": means.to_numpy()}))  # fmt: skip
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def small_area_cells(direct: pd.DataFrame, digital: pd.DataFrame, *, level: float) -> pd.DataFrame:
    """Fay-Herriot EBLUPs of ``ppltrst`` per neighbourhood and wave.

    Per wave: direct domain means (``value``, ``se``, ``n_effective`` per neighbourhood and
    ``period_start``) with sampling variance ``se**2``; covariate = the neighbourhood's
    digital negative share over the wave month and the two before (intercept-only when it is
    missing anywhere). REML, Prasad-Rao MSE, normal
    interval. ``n_effective`` is the direct cell's, so suppression follows the survey.
    """
    source = direct.dropna(subset=["value", "se"])
    if source.empty:
        return empty_cells()
    source = source[["neighbourhood_id", "period_start", "value", "se", "n_effective"]]
    source = source.assign(vardir=source["se"] ** 2)
    covariates = _covariate_at_waves(digital, source["period_start"])
    if not covariates.empty:
        source = source.merge(covariates, on=["period_start", "neighbourhood_id"], how="left")
    frames = []
    for month, wave in source.groupby("period_start", sort=True):
        wave = wave[wave["vardir"] > 0].reset_index(drop=True)
        if len(wave) < 4:
            continue
        use_covariate = "covariate" in wave and bool(wave["covariate"].notna().all())
        fit = fit_fay_herriot(
            wave,
            y="value",
            vardir="vardir",
            covariates=["covariate"] if use_covariate else [],
            area="neighbourhood_id",
            level=level,
        )
        areas = fit.areas.rename(columns={"area": "neighbourhood_id"}).drop(columns="n_effective")
        areas = areas.merge(wave[["neighbourhood_id", "n_effective"]], on="neighbourhood_id")
        areas["period_start"] = month
        frames.append(to_cells(areas, "survey_ppltrst_fh"))
    out = pd.concat(frames, ignore_index=True) if frames else empty_cells()
    out["value"] = out["value"].astype(float)
    return out[np.isfinite(out["value"])]
