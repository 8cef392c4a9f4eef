"""Functional tests of the hostility model: hand-written cases, one functionality each.

After HateCheck (Röttger et al. 2021) and Multilingual HateCheck (Röttger et al. 2022), a model
is tested on short cases that each exercise one functionality: explicit derogation,
dehumanisation, threats, statements of hate, calls for exclusion, slurs and spelling variants of
them (all hostile toward a group), and negated hate, counter-speech quoting hate, neutral and
positive mentions of groups, profanity without a target and insults of non-protected targets
(all not hostile). The cases of ``tests/functional/hostility_cases.csv`` were written for this
project from these definitions (sv, en; fewer in ar, tr, so); none is taken from a published
suite.

A case in a language the model does not score (``scoring.languages``) is *abstained*: it counts
neither as passed nor as failed, and the summary says so. Pass rates carry Wilson intervals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from barometer.exceptions import InputError

#: Default suite (committed with the tests; the model cards report it).
SUITE_FILE = Path(__file__).resolve().parents[2] / "tests" / "functional" / "hostility_cases.csv"
SUITE_COLUMNS = ("case_id", "lang", "functionality", "label", "target", "text")

#: functionality -> the label every case of it must have
FUNCTIONALITIES: dict[str, str] = {
    "derogation": "hostile",
    "dehumanisation": "hostile",
    "threat": "hostile",
    "hate_statement": "hostile",
    "exclusion": "hostile",
    "slur": "hostile",
    "spelling_variant": "hostile",
    "negated_hate": "not_hostile",
    "counter_speech": "not_hostile",
    "neutral_mention": "not_hostile",
    "positive_mention": "not_hostile",
    "profanity_untargeted": "not_hostile",
    "insult_non_protected": "not_hostile",
}
#: functionalities whose cases are neutral or positive text naming a group
NEUTRAL_FUNCTIONALITIES = ("neutral_mention", "positive_mention")


def load_suite(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check a functional suite (CSV with :data:`SUITE_COLUMNS`).

    Raises
    ------
    InputError
        Naming the file, row and field of the first problem: a missing column, an unknown
        functionality, a label that disagrees with its functionality, an empty text or a
        repeated case id.
    """
    path = Path(path) if path is not None else SUITE_FILE
    if not path.is_file():
        raise InputError(f"functional suite {path} not found")
    suite = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in SUITE_COLUMNS if c not in suite.columns]
    if missing:
        raise InputError(f"functional suite {path}: missing columns {missing}")
    records = suite[["functionality", "label", "text"]].astype(str).to_dict("records")
    for row, case in enumerate(records, start=2):
        where = f"functional suite {path}, line {row}"
        func, label = case["functionality"], case["label"]
        if func not in FUNCTIONALITIES:
            raise InputError(
                f"{where}, field functionality: unknown {func!r}; expected one of "
                f"{sorted(FUNCTIONALITIES)}"
            )
        if label != FUNCTIONALITIES[func]:
            raise InputError(
                f"{where}, field label: {label!r}, but {func} cases are {FUNCTIONALITIES[func]!r}"
            )
        if not case["text"].strip():
            raise InputError(f"{where}, field text: empty")
    repeated = suite["case_id"][suite["case_id"].duplicated()].tolist()
    if repeated:
        raise InputError(f"functional suite {path}, field case_id: repeated ids {repeated[:5]}")
    return suite[list(SUITE_COLUMNS)]


def run_suite(model: Any, suite: pd.DataFrame, *, positive: str = "hostile") -> pd.DataFrame:
    """Each case with ``predicted`` (``positive`` or ``not_<positive>``), ``p_positive``,
    ``scored`` (False where the model abstains on the language) and ``passed`` (None when not
    scored). ``model`` is a fitted :class:`~barometer.nlp.classifiers.TextClassifier`."""
    languages = getattr(model, "languages", None)
    scored = (
        suite["lang"].isin(list(languages)).to_numpy() if languages else np.ones(len(suite), bool)
    )
    out = suite.assign(predicted=None, p_positive=np.nan, scored=scored, passed=None)
    if scored.any():
        part = suite[scored]
        proba = model.predict_proba(part["text"].tolist(), part["lang"].tolist())
        classes = [str(c) for c in model.classes_]
        p = proba[:, classes.index(positive)]
        best = np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)]
        flagged = best == positive
        out.loc[scored, "p_positive"] = p
        out.loc[scored, "predicted"] = np.where(flagged, positive, f"not_{positive}")
        out.loc[scored, "passed"] = flagged == (part["label"] == positive).to_numpy()
    return out


def _wilson(passed: int, n: int, level: float) -> tuple[float, float]:
    if n == 0:
        return np.nan, np.nan
    lo, hi = proportion_confint(passed, n, alpha=1 - level, method="wilson")
    return float(lo), float(hi)


def summarise(results: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Pass rates per language x functionality and per language (``functionality = "all"``):
    ``lang, functionality, label, n, n_scored, passed, pass_rate, lower, upper`` (Wilson
    interval at ``level``; NaN where the model abstained on every case)."""
    rows = []
    for (lang, func), part in results.groupby(["lang", "functionality"], sort=True):
        rows.append((lang, func, FUNCTIONALITIES[str(func)], part))
    for lang, part in results.groupby("lang", sort=True):
        rows.append((lang, "all", "", part))
    out = []
    for lang, func, label, part in rows:
        scored = part[part["scored"].astype(bool)]
        passed = int(scored["passed"].astype(bool).sum())
        n = len(scored)
        lo, hi = _wilson(passed, n, level)
        out.append(
            {"lang": lang, "functionality": func, "label": label, "n": len(part), "n_scored": n,
             "passed": passed, "pass_rate": passed / n if n else np.nan, "lower": lo,
             "upper": hi}
        )  # fmt: skip
    return pd.DataFrame(out)


def neutral_flag_rate(results: pd.DataFrame, lang: str) -> tuple[float, int]:
    """(share flagged, n) of the scored neutral and positive group mentions of ``lang``."""
    part = results[
        (results["lang"] == lang)
        & results["functionality"].isin(NEUTRAL_FUNCTIONALITIES)
        & results["scored"].astype(bool)
    ]
    if part.empty:
        return np.nan, 0
    return float((~part["passed"].astype(bool)).mean()), len(part)


def functional_markdown(summary: pd.DataFrame) -> str:
    """The card's table: one row per functionality, one column per language (pass rate and
    cases; "abstains" where the model does not score the language)."""
    langs = sorted(summary["lang"].unique(), key=lambda lg: (lg not in ("sv", "en"), lg))
    order = [*FUNCTIONALITIES, "all"]
    head = "| functionality | label | " + " | ".join(langs) + " |"
    lines = [head, "|---|---|" + "---|" * len(langs)]
    for func in order:
        part = summary[summary["functionality"] == func]
        if part.empty:
            continue
        cells = []
        for lang in langs:
            row = part[part["lang"] == lang]
            if row.empty:
                cells.append("–")
            elif int(row["n_scored"].iloc[0]) == 0:
                cells.append(f"abstains ({int(row['n'].iloc[0])})")
            else:
                r = row.iloc[0]
                cells.append(f"{r['pass_rate']:.2f} ({int(r['passed'])}/{int(r['n_scored'])})")
        label = FUNCTIONALITIES.get(func, "")
        lines.append(f"| {func} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
