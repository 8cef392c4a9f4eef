"""Score step: canonical posts -> ``post_scores`` rows from the active text models.

Two kinds of model:

- rule-based ones that need no training data at run time: lexicon sentiment, trust-expression
  patterns, the rumour catalogue matcher and the theme taxonomy;
- the trained classifiers active in ``models/registry.toml`` (hostility and its target group,
  attitude toward immigration), loaded from skops files after their SHA-256 is verified.

Each model writes its own ``model_version``; the pipeline scores, per task, only the posts that
have no row of that task's active version yet (:func:`missing_tasks`, :func:`due_tasks`), so
adding or upgrading one model re-scores that model alone. Gated models (``hostility_target``
scores hostile posts only) see only the posts their gate lets through. The scoring itself is
:mod:`barometer.batch_scoring`, the one path for new posts and missing tasks alike.

A trained model active in the registry under a rule-based task's name replaces the rule-based
scorer: ``barometer train sentiment --annotations FILE.csv`` followed by ``barometer activate``
makes sentiment supervised (the city's own labels) instead of lexicon-based. Where neither is
available (a broken install without the lexicon packages, and no trained sentiment model),
:func:`unavailable_tasks` names sentiment with the reason and the pipeline scores the other
tasks. Lexicon sentiment needs no data folder: its lexicons ship in pip packages; a city's own
word lists (``nlp.lexicon_dir``) are optional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from barometer import registry
from barometer.nlp.lexicons import LEXICON_LANGUAGES, LexiconSentimentScorer
from barometer.nlp.lexicons import MODEL_VERSION as SENTIMENT_VERSION
from barometer.nlp.rumours import MODEL_VERSION as RUMOUR_VERSION
from barometer.nlp.rumours import RumourMatcher
from barometer.nlp.themes import MODEL_VERSION as THEME_VERSION
from barometer.nlp.themes import ThemeTagger
from barometer.nlp.trust import MODEL_VERSION as TRUST_VERSION
from barometer.nlp.trust import TrustExpressionMatcher

#: task -> (model version, factory of a fitted scorer with ``score_posts``)
RULE_BASED: dict[str, tuple[str, Callable[[Path | None], Any]]] = {
    "sentiment": (
        SENTIMENT_VERSION,
        lambda lexicon_dir: LexiconSentimentScorer(lexicon_dir=lexicon_dir).fit(),
    ),
    "trust_expression": (TRUST_VERSION, lambda _: TrustExpressionMatcher().fit()),
    "rumour": (RUMOUR_VERSION, lambda _: RumourMatcher().fit()),
    "theme": (THEME_VERSION, lambda _: ThemeTagger().fit()),
}


def unavailable_tasks() -> dict[str, str]:
    """Tasks that cannot be scored here -> why, in plain words.

    Only lexicon sentiment can be missing: when no trained ``sentiment`` model is active and a
    packaged lexicon cannot be found (a broken install: the lexicon packages are dependencies).
    """
    if "sentiment" in registry.active_versions():
        return {}
    from barometer.exceptions import InputError
    from barometer.nlp.lexicon_sources import (
        EMOJI_SOURCE,
        EMOTICON_SOURCE,
        PACKAGED_SOURCES,
        package_file,
    )

    try:
        for source in (EMOJI_SOURCE, EMOTICON_SOURCE, *sum(PACKAGED_SOURCES.values(), ())):
            package_file(source)
    except InputError as exc:
        return {
            "sentiment": (
                f"{exc}; no trained sentiment model is active either, so posts get no "
                "sentiment and the negative-post share is not published"
            )
        }
    return {}


def city_lexicon_dir(lexicon_dir: Path | None) -> tuple[Path | None, str | None]:
    """The city lexicon folder to score with (None: packaged lexicons only) and, when the
    configured folder does not exist, a warning saying the packaged lexicons are used alone."""
    if lexicon_dir is None or Path(lexicon_dir).is_dir():
        return lexicon_dir, None
    return None, (
        f"the city lexicon folder {lexicon_dir} (nlp.lexicon_dir) does not exist; sentiment is "
        "scored with the packaged lexicons only"
    )


def model_versions(skip: Iterable[str] = ()) -> dict[str, str]:
    """Task -> active model version: rule-based models first, then the registry's, in the
    registry's order (a gate task comes before the tasks it gates). A registry model of a
    rule-based task's name takes that task's place; tasks in ``skip`` are left out."""
    versions = {task: version for task, (version, _) in RULE_BASED.items()}
    versions.update(registry.active_model_versions())
    return {task: version for task, version in versions.items() if task not in set(skip)}


def covered_languages(task: str) -> frozenset[str] | None:
    """Languages the active scorer of ``task`` gives a row to (None: every post gets one).

    Lexicon sentiment scores the languages it has lexicons for, the theme taxonomy those it has
    keyword lists for, a trained model its ``scoring.languages``; posts in other languages get
    no row, so the pipeline need not send them again on the next run.
    """
    if task in registry.active_versions():
        return registry.model_languages(task)
    if task == "sentiment":
        return frozenset(LEXICON_LANGUAGES)
    if task == "theme":
        return frozenset(ThemeTagger().fit().patterns_)
    return None


def current_scores(
    scores: pd.DataFrame,
    versions: dict[str, str],
    gates: dict[str, dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """The ``post_scores`` rows written by the model versions in ``versions`` (task -> version,
    as :func:`model_versions` returns), one model per task, and for a gated task only the posts
    its gate lets through now.

    A warehouse keeps the rows of every version that ever scored its posts (an upgraded model
    adds its own rows), so indicators must be computed from the current versions only: mixing
    them would count a post as flagged when either version flagged it. Likewise, after the gate
    task's model changes (a new hostility version), a post it no longer flags keeps its old
    ``hostility_target`` row, which must not count. ``gates``: task -> ``{"task": gate task,
    "exclude": [labels]}``; default: the active registry models' gates.
    """
    if scores.empty:
        return scores
    wanted = pd.Series(versions, dtype=object)
    current = scores["task"].map(wanted)
    kept = scores[(scores["model_version"] == current).to_numpy(dtype=bool)]
    gates = active_gates() if gates is None else gates
    for task, spec in gates.items():
        if task not in versions or not spec.get("task"):
            continue
        parent = kept[kept["task"] == spec["task"]]
        allowed = parent.loc[~parent["label"].isin(spec.get("exclude", [])), "post_id"]
        stale = (kept["task"] == task) & ~kept["post_id"].isin(allowed)
        kept = kept[~stale.to_numpy(dtype=bool)]
    return kept


def active_gates() -> dict[str, dict[str, Any]]:
    """Task -> gate (``{"task": ..., "exclude": [...]}``) of each gated active registry model."""
    gates = {}
    for task, version in registry.active_versions().items():
        spec = registry.read_manifest(task, version).get("gate") or {}
        if spec.get("task"):
            gates[task] = spec
    return gates


def missing_tasks(
    posts: pd.DataFrame, scored: pd.DataFrame, versions: dict[str, str]
) -> pd.DataFrame:
    """Booleans indexed like ``posts``, one column per task of ``versions`` (task -> active
    model version, in registry order): True where the post has no ``scored`` row of that
    task's version."""
    ids = posts["post_id"].astype(str)
    current = scored[scored["model_version"].eq(scored["task"].map(versions)).to_numpy(bool)]
    return pd.DataFrame(
        {
            task: ~ids.isin(set(current.loc[current["task"] == task, "post_id"].astype(str)))
            for task in versions
        },
        index=posts.index,
        dtype=bool,
    )


def due_tasks(
    posts: pd.DataFrame,
    scored: pd.DataFrame,
    versions: dict[str, str],
    lacking: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Of the tasks each post lacks (:func:`missing_tasks`, or ``lacking``), those that can
    give it a row now: its language is covered by the task's model
    (:func:`covered_languages`) and, for a gated model (``hostility_target`` sees hostile
    posts only), the gate task is due for the post too (decided in the same batch) or its
    stored label of the active version lets the post through.

    A post with nothing due needs no scoring: an incremental run sends no post again that a
    model does not cover (Somali for sentiment) or whose gate stays closed.
    """
    due = missing_tasks(posts, scored, versions) if lacking is None else lacking.copy()
    ids = posts["post_id"].astype(str)
    gates = active_gates()
    for task in versions:
        languages = covered_languages(task)
        if languages is not None and "lang" in posts.columns:
            due[task] &= posts["lang"].isin(languages).to_numpy(bool)
        spec = gates.get(task, {})
        if not spec.get("task"):
            continue
        parent = spec["task"]
        if parent not in versions:
            due[task] = False
            continue
        rows = scored[(scored["task"] == parent) & (scored["model_version"] == versions[parent])]
        open_gate = rows.loc[~rows["label"].isin(spec.get("exclude", [])), "post_id"]
        due[task] &= due[parent] | ids.isin(set(open_gate.astype(str))).to_numpy(bool)
    return due
