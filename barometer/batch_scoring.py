"""The one scoring path: the (post, task) pairs a warehouse still lacks, scored in batches.

:class:`BatchScorer` runs every active task (or a chosen subset) on one batch and shares the
work between them; :func:`score_missing` decides, for a set of posts and their stored scores,
which post still lacks a row of which task's active model version, and sends each post to the
batch scorer with exactly those tasks. The local and the Dask engine both call it
(:func:`barometer.engine.tasks.score_partition`), for a cold run (every post lacks every task)
and an incremental one (a new model version activated: that task alone) alike.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer import registry
from barometer.nlp.lexicons import MODEL_VERSION as SENTIMENT_VERSION
from barometer.nlp.rumours import MODEL_VERSION as RUMOUR_VERSION
from barometer.nlp.themes import MODEL_VERSION as THEME_VERSION
from barometer.nlp.trust import MODEL_VERSION as TRUST_VERSION
from barometer.schema import POST_SCORES, empty_frame
from barometer.scoring import RULE_BASED, due_tasks, missing_tasks, model_versions

#: Posts per scoring batch: bounds the memory of one batch's features.
SCORE_BATCH = 20_000


@dataclass(frozen=True)
class _Batch:
    """One batch's posts as the scorers read them: ids, raw texts, language codes and the
    shared normalisation of the rule-based scorers."""

    ids: np.ndarray
    texts: list[str]
    langs: list[str]
    normalised: list[str]

    @property
    def codes(self) -> np.ndarray:
        return np.asarray(self.langs, dtype=object)


class BatchScorer:
    """Every task of :func:`~barometer.scoring.model_versions` on one batch, sharing the work
    between tasks.

    Per batch: language ID only where ``lang`` is missing (platform hint trusted when it names
    a supported language and agrees with the script, see
    :func:`~barometer.nlp.language.detect_languages`), one normalisation
    (:func:`~barometer.nlp.batch.normalise_batch`) for every rule-based scorer, one hashing of
    word and character n-grams (:class:`~barometer.nlp.batch.HashedCounts`) for every trained
    model with the same hashing parameters (each applies its own TF-IDF and linear model),
    gates applied in registry order. Rows equal those of each model's own ``score_posts``.

    Rule-based tasks replaced by a trained model, those in ``skip`` (see
    :func:`~barometer.scoring.unavailable_tasks`) and, when ``tasks`` is given, those outside
    it are not built and get no rows.
    """

    def __init__(
        self,
        *,
        lexicon_dir: Path | None = None,
        skip: Iterable[str] = (),
        tasks: Iterable[str] | None = None,
    ) -> None:
        from barometer.nlp.batch import HashedCounts

        active = registry.active_versions()
        self.skip = frozenset(skip)
        self.versions = {
            task: version
            for task, version in model_versions(self.skip).items()
            if tasks is None or task in set(tasks)
        }
        self.rule = {
            task: RULE_BASED[task][1](lexicon_dir)
            for task in self.versions
            if task in RULE_BASED and task not in active
        }
        self.models = {task: registry.load_model(task) for task in self.versions if task in active}
        self.gates = {
            task: registry.read_manifest(task, active[task]).get("gate") or {}
            for task in self.models
        }
        self.hashers: dict[tuple[object, ...], HashedCounts] = {}
        self.readers: dict[tuple[object, ...], Callable[[list[str], list[str]], list[str]]] = {}
        for model in self.models.values():
            key = model.hashing_key()  # a model with a vocabulary or stems adds them
            if key not in self.hashers:
                self.hashers[key] = HashedCounts(*key[:3])
                self.readers[key] = model.read_words

    def score(
        self,
        posts: pd.DataFrame,
        *,
        tasks: Collection[str] | None = None,
        prior: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """``post_scores`` rows for ``posts`` (``post_id``, ``text`` and ``lang`` or
        ``lang_hint``) of every built task, or of those in ``tasks``. A gated task whose gate
        task is not scored in this call reads the gate task's labels from ``prior`` (stored
        ``post_scores`` rows; rows of other model versions are ignored)."""
        wanted = [t for t in self.versions if tasks is None or t in tasks]
        batch = _prepare(posts)
        out = [self._rule_rows(task, batch) for task in wanted if task in self.rule]
        trained = [task for task in wanted if task in self.models]
        if trained:
            out.extend(self._trained_rows(trained, batch, prior))
        if not out:
            return empty_frame(POST_SCORES)
        return pd.concat(out, ignore_index=True)[POST_SCORES.columns]

    def _rule_rows(self, task: str, batch: _Batch) -> pd.DataFrame:
        scorer, ids, normalised, langs = self.rule[task], batch.ids, batch.normalised, batch.langs
        if task == "sentiment":
            compound = scorer.compound_normalised(normalised, langs)
            keep = ~np.isnan(compound)
            kept_langs = [langs[i] for i in np.flatnonzero(keep).tolist()]
            labels = scorer.labels_of(compound[keep], kept_langs).astype(str)
            return _rows(ids[keep], task, SENTIMENT_VERSION, labels, np.nan)
        if task == "trust_expression":
            labels = scorer.labels_normalised(normalised, langs)
            return _rows(ids, task, TRUST_VERSION, labels, np.nan)
        if task == "rumour":
            sims = scorer.similarity_normalised(normalised, batch.codes)
            probability = sims.max(axis=1) if len(sims) else np.zeros(0)
            return _rows(ids, task, RUMOUR_VERSION, scorer._labels(sims), probability)
        return self._themes(ids, normalised, batch.codes)

    def _trained_rows(
        self, tasks: list[str], batch: _Batch, prior: pd.DataFrame | None
    ) -> list[pd.DataFrame]:
        """Rows of the trained models in ``tasks`` (registry order: a gate task before the
        tasks it gates), texts hashed once per hashing key."""
        texts = _classifier_texts(batch)
        keys = {self.models[task].hashing_key() for task in tasks}
        langs = list(batch.langs)
        read = {key: self.readers[key](texts, langs) for key in keys}
        counts = {key: self.hashers[key].transform(read[key]) for key in keys}
        ids, codes = batch.ids, batch.codes
        labels: dict[str, np.ndarray] = {}
        out = []
        for task in tasks:
            model = self.models[task]
            rows = np.ones(len(ids), dtype=bool)
            if model.languages is not None:
                rows &= np.isin(codes, list(model.languages))
            spec = self.gates[task]
            if spec.get("task"):
                parent = labels.get(spec["task"])
                if parent is None:
                    parent = self._prior_labels(spec["task"], ids, prior)
                scored_by_parent = np.array([label is not None for label in parent], dtype=bool)
                rows &= scored_by_parent & ~np.isin(parent, list(spec.get("exclude", [])))
            idx = np.flatnonzero(rows)
            labels[task] = np.full(len(ids), None, dtype=object)
            if len(idx) == 0:  # e.g. no Swedish post for the Swedish-only model
                continue
            key = model.hashing_key()
            shared = {name: m[idx] for name, m in counts[key].items()}
            proba = model.predict_proba_counts(shared, codes[idx].tolist(),
                                               _barely_read(model, read[key], idx),
                                               _dilution(model, texts, langs, idx))  # fmt: skip
            best = np.argmax(proba, axis=1)
            chosen = np.asarray(model.classes_, dtype=object)[best].astype(str)
            labels[task][idx] = chosen
            out.append(_rows(ids[idx], task, model.model_version, chosen,
                             proba[np.arange(len(best)), best].astype(float)))  # fmt: skip
        return out

    def _prior_labels(self, task: str, ids: np.ndarray, prior: pd.DataFrame | None) -> np.ndarray:
        """Labels of ``task``'s active version stored in ``prior`` for ``ids`` (None where a
        post has none, or where ``task`` is not an active task here)."""
        version = model_versions(self.skip).get(task)
        if prior is None or prior.empty or version is None:
            return np.full(len(ids), None, dtype=object)
        rows = prior[(prior["task"] == task) & (prior["model_version"] == version)]
        by_post = rows.drop_duplicates("post_id").set_index("post_id")["label"]
        found = pd.Series(ids, dtype=object).map(by_post)
        return found.astype(object).where(found.notna(), None).to_numpy(dtype=object)

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


def _prepare(posts: pd.DataFrame) -> _Batch:
    """Texts, language codes (detected where ``lang`` is absent) and their normalisation."""
    from barometer.nlp.batch import normalise_batch
    from barometer.nlp.inputs import split_texts
    from barometer.nlp.language import detect_languages

    texts, codes = split_texts(posts, None)
    if codes is not None:
        langs = codes
    else:
        hints = posts["lang_hint"].where(posts["lang_hint"].notna(), None).tolist()
        langs = detect_languages(texts, hints, trust_hints=True)
    ids = pd.DataFrame({"post_id": posts["post_id"].astype(str).to_numpy()})["post_id"]
    return _Batch(ids.to_numpy(), texts, langs, normalise_batch(texts, langs))


def _classifier_texts(batch: _Batch) -> list[str]:
    """The normalised texts the trained classifiers see: HTML-unescaped first, as
    :class:`~barometer.nlp.classifiers.TextClassifier` does."""
    from barometer.nlp.batch import normalise_batch

    texts = list(batch.normalised)
    for i, text in enumerate(batch.texts):
        if "&" in text:
            plain = unescape(text)
            if plain != text:
                texts[i] = normalise_batch([plain], [batch.langs[i]])[0]
    return texts


def _barely_read(model: Any, read: list[str], idx: np.ndarray) -> np.ndarray | None:
    """Rows ``idx`` of ``read`` (the texts a model reads) that its ``min_read_words`` rule
    scores as read empty; None for a model without the rule (nothing to check)."""
    if not int(getattr(model, "min_read_words", 0)):
        return None
    return np.asarray(model.barely_read([read[i] for i in idx.tolist()]), dtype=bool)


def _rows(ids: Any, task: str, version: str, labels: Any, probability: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {"post_id": ids, "task": task, "model_version": version, "label": labels,
         "probability": probability},
        columns=POST_SCORES.columns,
    )  # fmt: skip


def score_missing(
    scorer: BatchScorer,
    posts: pd.DataFrame,
    scored: pd.DataFrame,
    *,
    batch_size: int = SCORE_BATCH,
) -> pd.DataFrame:
    """The ``post_scores`` rows ``posts`` still lack: for each post, the tasks of
    ``scorer.versions`` with no row of the active version in ``scored`` (the stored rows of
    these posts), scored through ``scorer`` in batches of ``batch_size``.

    Each post goes to the scorer with the tasks it lacks that can give it a row (its language
    is covered, its gate is open or decided in the same batch: see
    :func:`~barometer.scoring.due_tasks`); posts due the same tasks are scored together. A
    post with none due is not sent. The rows equal those of a cold ``scorer.score(posts)``
    for the same (post, task) pairs.
    """
    versions = scorer.versions
    current = scored[scored["model_version"].eq(scored["task"].map(versions)).to_numpy(bool)]
    due = due_tasks(posts, current, versions, missing_tasks(posts, current, versions))
    todo = due.any(axis=1).to_numpy(dtype=bool)
    if not todo.any():
        return empty_frame(POST_SCORES)
    names = pd.Series([f"{task}\t" for task in due.columns], index=due.columns, dtype=object)
    groups = due[todo].dot(names).str.rstrip("\t")
    step = max(int(batch_size), 1)
    out = []
    for key, members in posts[todo].groupby(groups.to_numpy(), sort=False):
        tasks = frozenset(str(key).split("\t"))
        for start in range(0, len(members), step):
            batch = members.iloc[start : start + step]
            out.append(scorer.score(batch, tasks=tasks, prior=current))
    return pd.concat(out, ignore_index=True) if out else empty_frame(POST_SCORES)


def _dilution(model: Any, texts: list[str], langs: list[str], idx: np.ndarray) -> Any:
    """Rows ``idx`` of a model's ``unread_dilution`` factors of the normalised ``texts``; None
    for a model that dilutes nothing."""
    if getattr(model, "unread_dilution", "none") == "none":
        return None
    rows = idx.tolist()
    return model.dilution_factors([texts[i] for i in rows], [langs[i] for i in rows])
