"""Ridge regression with its penalty chosen by leave-one-wave-out cross-validation.

The fitting engine of :func:`barometer.stats.nowcast.fit_nowcast`: rows are target cells
(``neighbourhood_id``, ``period_start`` = wave month, ``y``), folds hold out one wave at a time,
and every alpha of the grid is solved at once by SVD inside the CV loop
(:func:`grouped_cv_mse`) before the chosen one is refitted as a scikit-learn pipeline
(:func:`fit_ridge`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.model_selection import LeaveOneGroupOut
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def ridge_preprocessor(features: list[str], effects: bool) -> ColumnTransformer:
    """Mean-impute and standardise ``features``; one-hot ``neighbourhood_id`` with ``effects``."""
    parts = [("num", make_pipeline(SimpleImputer(), StandardScaler()), features)]
    if effects:
        parts.append(("nbh", OneHotEncoder(handle_unknown="ignore"), ["neighbourhood_id"]))
    return ColumnTransformer(parts)


def ridge_path(x: np.ndarray, y: np.ndarray, alphas: np.ndarray) -> tuple[np.ndarray, ...]:
    """Ridge fits for every alpha at once by SVD (intercept unpenalised, as ``Ridge``):
    ``(coef (n_alphas, p), intercept (n_alphas,))``."""
    x_mean, y_mean = x.mean(axis=0), y.mean()
    u, s, vt = np.linalg.svd(x - x_mean, full_matrices=False)
    shrink = s / (s**2 + alphas[:, None])  # (n_alphas, k)
    coef = (shrink * (u.T @ (y - y_mean))) @ vt
    return coef, y_mean - coef @ x_mean


def standardised_design(
    train: pd.DataFrame, test: pd.DataFrame, features: list[str], effects: bool
) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`ridge_preprocessor` does, in numpy (fast inside CV loops): impute the
    training mean, standardise by the training sd (ddof=0), one-hot neighbourhoods seen in
    training."""
    x_train = train[features].to_numpy(dtype=float, na_value=np.nan)
    x_test = test[features].to_numpy(dtype=float, na_value=np.nan)
    observed = ~np.isnan(x_train)
    counts = observed.sum(axis=0)
    # a feature no training row observes (a fold without that source) is imputed as 0: it is
    # constant in training, so it gets no weight (np.nanmean would give NaN and break the SVD)
    mean = np.where(observed, x_train, 0.0).sum(axis=0) / np.maximum(counts, 1)
    x_train = np.where(observed, x_train, mean)
    x_test = np.where(np.isnan(x_test), mean, x_test)
    sd = x_train.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    x_train, x_test = (x_train - mean) / sd, (x_test - mean) / sd
    if effects:
        levels = np.unique(train["neighbourhood_id"].to_numpy(dtype=str))
        x_train, x_test = (
            np.hstack([x, (f["neighbourhood_id"].to_numpy(dtype=str)[:, None] == levels)])
            for x, f in ((x_train, train), (x_test, test))
        )
    return x_train, x_test


def grouped_cv_mse(
    data: pd.DataFrame, features: list[str], alphas: np.ndarray, effects: bool
) -> np.ndarray:
    """Pooled leave-one-wave-out mean squared error of each alpha (preprocessing refitted per
    fold, so no information from the held-out wave leaks into imputation or scaling)."""
    sse = np.zeros(len(alphas))
    y = data["y"].to_numpy(dtype=float)
    for train, test in LeaveOneGroupOut().split(data, groups=data["period_start"].to_numpy()):
        x_train, x_test = standardised_design(data.iloc[train], data.iloc[test], features, effects)
        coef, intercept = ridge_path(x_train, y[train], alphas)
        pred = x_test @ coef.T + intercept  # (n_test, n_alphas)
        sse += ((y[test, None] - pred) ** 2).sum(axis=0)
    return sse / len(data)


def fit_ridge(
    data: pd.DataFrame, features: list[str], alphas: Sequence[float], effects: bool
) -> tuple[Pipeline, float]:
    """Choose alpha by leave-one-wave-out CV, refit on all of ``data``; return the pipeline
    and the CV mean squared error at the chosen alpha."""
    grid = np.asarray(alphas, dtype=float)
    mse = grouped_cv_mse(data, features, grid, effects)
    best = int(np.argmin(mse))
    prep = ridge_preprocessor(features, effects)
    pipe = Pipeline([("prep", prep), ("ridge", Ridge(alpha=grid[best]))])
    pipe.fit(data[[*features, "neighbourhood_id"]], data["y"].to_numpy())
    return pipe, float(mse[best])
