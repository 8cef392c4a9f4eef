"""Score step: canonical posts -> ``post_scores`` rows from the active text models.

Two kinds of model:

- rule-based ones that need no training data at run time: lexicon sentiment, trust-expression
  patterns, the rumour catalogue matcher and the theme taxonomy;
- the trained classifiers active in ``models/registry.toml`` (hostility and its target group,
  attitude toward immigration), loaded from skops files after their SHA-256 is verified.

Each model writes its own ``model_version``; the pipeline scores, per task, only the posts that
have no row of that task's active version yet, so adding or upgrading one model re-scores that
model alone. Gated models (``hostility_target`` scores hostile posts only) see only the posts
their gate lets through.

A trained model active in the registry under a rule-based task's name replaces the rule-based
scorer: ``barometer train sentiment --annotations FILE.csv`` followed by ``barometer activate``
makes sentiment supervised (the city's own labels) instead of lexicon-based. Where neither is
available (a broken install without the lexicon packages, and no trained sentiment model),
:func:`unavailable_tasks` names sentiment with the reason and the pipeline scores the other
tasks. Lexicon sentiment needs no data folder: its lexicons ship in pip packages; a city's own
word lists (``nlp.lexicon_dir``) are optional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
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
from barometer.schema import POST_SCORES, empty_frame

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


def gate(task: str, posts: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """The posts ``task``'s model should see, given the scores so far: all, unless the model is
    gated (``hostility_target`` sees hostile posts only) or covers some languages only."""
    if task not in RULE_BASED or task in registry.active_versions():
        posts = registry.gate_posts(task, posts, scores)
    languages = covered_languages(task)
    if languages is None or "lang" not in posts.columns:
        return posts
    return posts[posts["lang"].isin(languages)]


def score_task(task: str, posts: pd.DataFrame, *, lexicon_dir: Path | None = None) -> pd.DataFrame:
    """Score posts (``post_id``, ``text``, ``lang``) with the active model of ``task`` (a
    trained one in the registry, else the rule-based one)."""
    if task in registry.active_versions() or task not in RULE_BASED:
        scorer = registry.load_model(task)
    else:
        scorer = RULE_BASED[task][1](lexicon_dir)
    return scorer.score_posts(posts)[POST_SCORES.columns]


class BatchScorer:
    """Every task of :func:`model_versions` on one batch, sharing the work between tasks.

    Per batch: language ID only where ``lang`` is missing (platform hint trusted when it names
    a supported language and agrees with the script, see
    :func:`~barometer.nlp.language.detect_languages`), one normalisation
    (:func:`~barometer.nlp.batch.normalise_batch`) for every rule-based scorer, one hashing of
    word and character n-grams (:class:`~barometer.nlp.batch.HashedCounts`) for every trained
    model with the same hashing parameters (each applies its own TF-IDF and linear model),
    gates applied in registry order. Rows equal those of :func:`score_task` per task.

    Rule-based tasks replaced by a trained model, and those in ``skip`` (see
    :func:`unavailable_tasks`), are not built and get no rows.
    """

    def __init__(self, *, lexicon_dir: Path | None = None, skip: Iterable[str] = ()) -> None:
        from barometer.nlp.batch import HashedCounts

        active = registry.active_versions()
        self.skip = frozenset(skip)
        self.rule = {
            task: factory(lexicon_dir)
            for task, (_, factory) in RULE_BASED.items()
            if task not in active and task not in self.skip
        }
        self.models = {task: registry.load_model(task) for task in active}
        self.gates = {
            task: registry.read_manifest(task, version).get("gate") or {}
            for task, version in active.items()
        }
        self.hashers: dict[tuple[object, ...], HashedCounts] = {}
        self.maskers: dict[tuple[object, ...], Callable[[list[str]], list[str]]] = {}
        for model in self.models.values():
            key = model.hashing_key()  # a model with a vocabulary adds it: masked texts
            if key not in self.hashers:
                self.hashers[key] = HashedCounts(*key[:3])
                self.maskers[key] = model.mask_unseen

    def score(self, posts: pd.DataFrame) -> pd.DataFrame:
        """``post_scores`` rows of every task for ``posts`` (``post_id``, ``text`` and ``lang``
        or ``lang_hint``)."""
        from html import unescape

        from barometer.nlp.batch import normalise_batch
        from barometer.nlp.language import detect_languages

        texts = [t if isinstance(t, str) else "" for t in posts["text"].tolist()]
        if "lang" in posts.columns:
            langs = [lg if isinstance(lg, str) and lg else "und" for lg in posts["lang"]]
        else:
            hints = posts["lang_hint"].where(posts["lang_hint"].notna(), None).tolist()
            langs = detect_languages(texts, hints, trust_hints=True)
        frame = pd.DataFrame(
            {"post_id": posts["post_id"].astype(str).to_numpy(), "text": texts, "lang": langs}
        )
        normalised = normalise_batch(texts, langs)
        ids = frame["post_id"].to_numpy()
        codes = np.asarray(langs, dtype=object)
        out: list[pd.DataFrame] = []

        if "sentiment" in self.rule:
            sentiment = self.rule["sentiment"]
            compound = sentiment.compound_normalised(normalised, langs)
            keep = ~np.isnan(compound)
            kept_langs = [langs[i] for i in np.flatnonzero(keep).tolist()]
            out.append(_rows(ids[keep], "sentiment", SENTIMENT_VERSION,
                             sentiment.labels_of(compound[keep], kept_langs).astype(str),
                             np.nan))  # fmt: skip
        if "trust_expression" in self.rule:
            trust = self.rule["trust_expression"]
            out.append(_rows(ids, "trust_expression", TRUST_VERSION,
                             trust.labels_normalised(normalised, langs), np.nan))  # fmt: skip
        if "rumour" in self.rule:
            rumours = self.rule["rumour"]
            sims = rumours.similarity_normalised(normalised, codes)
            probability = sims.max(axis=1) if len(sims) else np.zeros(0)
            out.append(_rows(ids, "rumour", RUMOUR_VERSION, rumours._labels(sims), probability))
        if "theme" in self.rule:
            out.append(self._themes(ids, normalised, codes))

        # trained models: texts HTML-unescaped as TextClassifier does, hashed once per key
        clf_norm = list(normalised)
        for i, t in enumerate(texts):
            if "&" in t:
                plain = unescape(t)
                if plain != t:
                    clf_norm[i] = normalise_batch([plain], [langs[i]])[0]
        counts = {
            key: hasher.transform(self.maskers[key](clf_norm))
            for key, hasher in self.hashers.items()
        }
        labels: dict[str, np.ndarray] = {}
        for task in model_versions(self.skip):
            if task not in self.models:
                continue
            model, gate_spec = self.models[task], self.gates[task]
            rows = np.ones(len(ids), dtype=bool)
            if model.languages is not None:
                rows &= np.isin(codes, list(model.languages))
            if gate_spec.get("task"):
                parent = labels.get(gate_spec["task"])
                if parent is None:
                    continue
                scored_by_parent = np.array([label is not None for label in parent], dtype=bool)
                rows &= scored_by_parent & ~np.isin(parent, list(gate_spec.get("exclude", [])))
            idx = np.flatnonzero(rows)
            if len(idx) == 0:  # e.g. no Swedish post for the Swedish-only model
                labels[task] = np.full(len(ids), None, dtype=object)
                continue
            shared = {name: m[idx] for name, m in counts[model.hashing_key()].items()}
            proba = model.predict_proba_counts(shared, codes[idx].tolist())
            best = np.argmax(proba, axis=1) if len(proba) else np.empty(0, dtype=int)
            chosen = np.asarray(model.classes_, dtype=object)[best].astype(str)
            full = np.full(len(ids), None, dtype=object)
            full[idx] = chosen
            labels[task] = full
            out.append(_rows(ids[idx], task, model.model_version, chosen,
                             proba[np.arange(len(best)), best].astype(float)))  # fmt: skip
        return pd.concat(out, ignore_index=True)[POST_SCORES.columns]

    def _themes(self, ids: np.ndarray, normalised: list[str], codes: np.ndarray) -> pd.DataFrame:
        from barometer.nlp.themes import NONE_LABEL

        tagger = self.rule["theme"]
        indicator = tagger.indicator_normalised(normalised, codes)
        covered = np.isin(codes, list(tagger.patterns_))
        rows, cols = np.nonzero(indicator)
        none_rows = np.flatnonzero(covered & ~indicator.any(axis=1))
        labels = np.concatenate(
            [np.array(tagger.themes_, dtype=object)[cols], np.full(len(none_rows), NONE_LABEL)]
        )
        order = np.argsort(np.concatenate([rows, none_rows]), kind="stable")
        post_ids = np.concatenate([ids[rows], ids[none_rows]])[order]
        return _rows(post_ids, "theme", THEME_VERSION, labels[order].astype(str), 1.0)


def _rows(ids: Any, task: str, version: str, labels: Any, probability: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {"post_id": ids, "task": task, "model_version": version, "label": labels,
         "probability": probability},
        columns=POST_SCORES.columns,
    )  # fmt: skip


def score_all(
    posts: pd.DataFrame, *, lexicon_dir: Path | None = None, batch_size: int = 20_000,
    scorer: BatchScorer | None = None,
) -> pd.DataFrame:  # fmt: skip
    """``post_scores`` rows of every active task, scoring ``posts`` in batches (see
    :class:`BatchScorer`); pass ``scorer`` to reuse loaded models across calls."""
    scorer = scorer or BatchScorer(lexicon_dir=lexicon_dir)
    step = max(int(batch_size), 1)
    parts = [scorer.score(posts.iloc[lo : lo + step]) for lo in range(0, len(posts), step)]
    return pd.concat(parts, ignore_index=True) if parts else empty_frame(POST_SCORES)


_WORKER_SCORER: BatchScorer | None = None


def proportional_memory_kib() -> int:
    """This process's proportional set size (PSS, KiB): its private memory plus its share of
    pages shared with other processes, so the PSS of forked workers adds up to the memory
    really used. 0 where ``/proc/self/smaps_rollup`` is not available."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def _score_in_worker(posts: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """(rows, worker pid, worker PSS in KiB just after scoring) for one batch."""
    import os

    if _WORKER_SCORER is None:  # stream_scores starts every worker with a scorer
        raise RuntimeError("a scoring worker was started without a scorer")
    rows = _WORKER_SCORER.score(posts)
    return rows, os.getpid(), proportional_memory_kib()


def stream_scores(
    batches: Iterable[pd.DataFrame], *, scorer: BatchScorer, workers: int = 2
) -> Iterator[tuple[pd.DataFrame, int, int]]:
    """Score a stream of batches with ``workers`` forked processes sharing ``scorer``'s loaded
    models copy-on-write; yields ``(rows, worker pid, worker PSS KiB)`` in input order.

    With ``workers <= 1`` it scores in this process. Memory stays bounded: at most
    ``2 * workers`` batches are in flight.
    """
    global _WORKER_SCORER
    if workers <= 1:
        for batch in batches:
            yield _score_here(scorer, batch)
        return
    import multiprocessing as mp
    from itertools import islice

    _WORKER_SCORER = scorer
    iterator = iter(batches)
    with mp.get_context("fork").Pool(workers) as pool:
        pending = [pool.apply_async(_score_in_worker, (b,)) for b in islice(iterator, 2 * workers)]
        while pending:
            yield pending.pop(0).get()
            following = next(iterator, None)
            if following is not None:
                pending.append(pool.apply_async(_score_in_worker, (following,)))


def _score_here(scorer: BatchScorer, posts: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    import os

    rows = scorer.score(posts)
    return rows, os.getpid(), proportional_memory_kib()
