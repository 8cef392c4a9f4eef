"""Match posts to a catalogue of diversity-related rumours (anti-rumours methodology).

The catalogue (``barometer/data/rumours.toml``, our own text) lists rumours such as "immigrants
get more benefits than pensioners", each with an ``id``, a ``topic``, canonical statements and
paraphrases per language (sv, en, ar, tr) and the counter-facts that anti-rumours agents use.

Method
------
1. Posts are normalised with :func:`barometer.nlp.text.normalise_text` and split into sentences
   (``.``, ``!``, ``?``, ``;``, new lines): a rumour is usually one sentence of a longer post.
2. Sentences and catalogue statements become character n-gram TF-IDF vectors (``char_wb``,
   n = 3..5, sublinear tf, l2-normalised). Features are hashed (2**20 buckets), so n-grams
   that no statement contains still count in a sentence's norm: a long sentence that shares one
   phrase with a statement is not inflated to a high similarity, as it would be with a
   vocabulary fitted on the statements alone. IDF is fitted on the statements (unseen n-grams
   get the maximum IDF).
3. Cosine similarity is one sparse product; a sentence is compared only with the statements
   of its post's language (all statements when the language has none). A post's similarity to a
   rumour is the maximum over its sentences and that rumour's statements.
4. The best rumour is the label when its similarity reaches ``threshold``; otherwise "none".

Threshold: calibrated on the hand-labelled ``[[calibration]]`` set of the catalogue (positives
written in other words than the catalogue, near misses with the same vocabulary, ordinary
posts) by :func:`calibrate_threshold`: the threshold maximising F1, where a hit counts only with
the right rumour id. Candidates are the midpoints between consecutive observed similarities (so
the threshold never sits exactly on an example); ties go to the higher threshold (fewer false
alarms). The stored value is ``[meta] threshold`` in the catalogue (rounded to 3 decimals); a
test checks it is reproduced. The F1 is in-sample (the set is small and was used to choose the
threshold), so it overstates accuracy on real posts.

Known limits: counter-speech that quotes a rumour to reject it ("it is a myth that immigrants
get more benefits") is close in characters and can match; sarcasm is not recognised; the ar/tr
statements await review by native speakers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.utils.validation import check_is_fitted

from barometer.data import read_data_toml
from barometer.exceptions import InputError
from barometer.nlp.batch import normalise_batch
from barometer.nlp.inputs import TextInput, require_post_columns, texts_and_codes
from barometer.nlp.text import normalise_texts
from barometer.schema import POST_SCORES

MODEL_VERSION = "rumour-catalogue-v1"
TASK = "rumour"
NONE_LABEL = "none"
_SENTENCE_RE = re.compile(r"[.!?;\n؟]+")


@dataclass(frozen=True)
class RumourCatalogue:
    """The rumour catalogue: one row per statement, rumour metadata and calibration examples."""

    statements: pd.DataFrame  # rumour_id, topic, lang, text
    rumours: pd.DataFrame  # rumour_id, topic, counter_facts_sv, counter_facts_en
    calibration: pd.DataFrame  # text, lang, label, kind
    threshold: float
    version: str


def load_catalogue(path: str | Path | None = None) -> RumourCatalogue:
    """Read a rumour catalogue TOML (default: the packaged ``barometer/data/rumours.toml``)."""
    data = read_data_toml("rumours.toml", "rumour catalogue", path)
    statements, rumours = [], []
    for entry in data.get("rumours", []):
        if "id" not in entry or "statements" not in entry:
            raise InputError(f"a rumour needs 'id' and 'statements'; got keys {sorted(entry)}")
        facts = entry.get("counter_facts", {})
        rumours.append((entry["id"], entry.get("topic", ""), facts.get("sv"), facts.get("en")))
        for lang, texts in entry["statements"].items():
            statements += [(entry["id"], entry.get("topic", ""), lang, t) for t in texts]
    if not statements:
        raise InputError("the rumour catalogue has no statements: expected [[rumours]] entries")
    meta = data.get("meta", {})
    return RumourCatalogue(
        statements=pd.DataFrame(statements, columns=["rumour_id", "topic", "lang", "text"]),
        rumours=pd.DataFrame(
            rumours, columns=["rumour_id", "topic", "counter_facts_sv", "counter_facts_en"]
        ),
        calibration=pd.DataFrame(
            data.get("calibration", []), columns=["text", "lang", "label", "kind"]
        ),
        threshold=float(meta.get("threshold", 0.5)),
        version=str(meta.get("version", MODEL_VERSION)),
    )


def split_sentences(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Split texts into non-empty sentences; return them and the index of their text.

    A text without any sentence (empty) keeps one empty sentence so every text is represented.
    """
    parts = pd.Series(list(texts), dtype=object).fillna("").str.split(_SENTENCE_RE, regex=True)
    exploded = parts.explode()
    exploded = exploded.str.strip()
    keep = (exploded.str.len() > 0) | ~exploded.index.duplicated(keep="first")
    exploded = exploded[keep.to_numpy()]
    return exploded.fillna("").tolist(), exploded.index.to_numpy(dtype=np.int64)


class RumourMatcher(TextInput, BaseEstimator):
    """Find catalogue rumours in posts by character n-gram TF-IDF cosine similarity.

    Parameters
    ----------
    catalogue_path : str or Path, optional
        Catalogue TOML; default the packaged ``rumours.toml``.
    threshold : float, optional
        Similarity from which the best rumour is reported; default the catalogue's calibrated
        ``[meta] threshold``.
    ngram_range : tuple of int, default (3, 5)
        Character n-gram sizes (``char_wb`` analyser: n-grams inside word boundaries).

    Attributes
    ----------
    catalogue_ : RumourCatalogue
    threshold_ : float
    rumour_ids_ : ndarray of str
        Rumour ids, the columns of :meth:`similarity`.

    Examples
    --------
    >>> m = RumourMatcher().fit()
    >>> m.predict(["Invandrarna tar våra jobb!!", "Fin dag i parken"], langs=["sv", "sv"])
    array(['jobs_taking_our_jobs', 'none'], dtype=object)
    """

    def __init__(
        self,
        *,
        catalogue_path: str | Path | None = None,
        threshold: float | None = None,
        ngram_range: tuple[int, int] = (3, 5),
    ) -> None:
        self.catalogue_path = catalogue_path
        self.threshold = threshold
        self.ngram_range = ngram_range

    def _vectorizer(self) -> HashingVectorizer:
        return HashingVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            n_features=2**20,
            alternate_sign=False,
            norm=None,
            lowercase=False,
        )

    def fit(self, X: Any = None, y: Any = None) -> RumourMatcher:
        """Load the catalogue and vectorise its statements; ``X`` and ``y`` are ignored."""
        self.catalogue_ = load_catalogue(self.catalogue_path)
        statements = self.catalogue_.statements.sort_values("rumour_id", kind="stable")
        self.statements_ = statements.reset_index(drop=True)
        texts = normalise_texts(
            self.statements_["text"].tolist(), self.statements_["lang"].tolist()
        )
        counts = self._vectorizer().transform(texts)
        self.tfidf_ = TfidfTransformer(sublinear_tf=True).fit(counts)
        self.statement_vectors_ = self.tfidf_.transform(counts).tocsr()
        ids = self.statements_["rumour_id"].to_numpy()
        self.rumour_ids_, self.rumour_starts_ = np.unique(ids, return_index=True)
        self.statement_langs_ = self.statements_["lang"].to_numpy()
        self.threshold_ = (
            self.catalogue_.threshold if self.threshold is None else float(self.threshold)
        )
        return self

    def similarity(self, X: Any, langs: Sequence[str | None] | None) -> np.ndarray:
        """Return the cosine similarity of each text to each rumour, shape (n, n_rumours).

        ``X``: texts, or a frame with ``text`` (and ``lang``, used when ``langs`` is None); a
        language the catalogue has no statements in (also a missing one: ``und``) is compared
        with the statements of every language."""
        check_is_fitted(self, "statement_vectors_")
        texts, codes = texts_and_codes(X, langs)
        return self.similarity_normalised(
            normalise_batch(texts, codes), np.asarray(codes, dtype=object)
        )

    def _counts(self, sentences: list[str]) -> sparse.csr_matrix:
        """``HashingVectorizer(char_wb)`` counts of sentences, hashed once per unique word.

        ``char_wb`` n-grams never cross a space, so a sentence's counts are the sum of its
        words' counts: the unique words are hashed as one-word documents and a sparse
        (sentence x unique word) product adds them up (integer counts: exact).
        """
        index: dict[str, int] = {}
        per = np.zeros(len(sentences), dtype=np.int64)
        occ: list[int] = []
        for k, sentence in enumerate(sentences):
            words = sentence.split()
            per[k] = len(words)
            occ.extend([index.setdefault(w, len(index)) for w in words])
        per_word = (
            self._vectorizer().transform(list(index))
            if index
            else sparse.csr_matrix((0, 2**20), dtype=np.float64)
        )
        incidence = sparse.csr_matrix(
            (np.ones(len(occ), dtype=per_word.dtype),
             (np.repeat(np.arange(len(sentences)), per), np.asarray(occ, dtype=np.int64))),
            shape=(len(sentences), len(index)),
        )  # fmt: skip
        counts = (incidence @ per_word).tocsr()
        counts.sum_duplicates()
        counts.sort_indices()
        return counts

    def similarity_normalised(self, normalised: Sequence[str], codes: np.ndarray) -> np.ndarray:
        """:meth:`similarity` of texts already passed through ``normalise_text``."""
        check_is_fitted(self, "statement_vectors_")
        texts = list(normalised)
        codes = np.asarray(codes, dtype=object)
        sentences, owner = split_sentences(texts)
        vectors = self.tfidf_.transform(self._counts(sentences)).tocsr()
        sims = np.zeros((len(sentences), len(self.statements_)))
        sentence_langs = codes[owner]
        known = set(self.statement_langs_)
        for lang in np.unique(sentence_langs):
            rows = np.flatnonzero(sentence_langs == lang)
            cols = (
                np.flatnonzero(self.statement_langs_ == lang)
                if lang in known
                else np.arange(len(self.statements_))
            )
            block = vectors[rows] @ self.statement_vectors_[cols].T
            sims[np.ix_(rows, cols)] = block.toarray() if sparse.issparse(block) else block
        per_rumour = np.maximum.reduceat(sims, self.rumour_starts_, axis=1)
        out = np.zeros((len(texts), len(self.rumour_ids_)))
        np.maximum.at(out, owner, per_rumour)
        return np.clip(out, 0.0, 1.0, out=out)

    def decision_function(self, X: Any, langs: Sequence[str | None] | None) -> np.ndarray:
        """Return each text's similarity to its best-matching rumour, in [0, 1]."""
        return self.similarity(X, langs).max(axis=1)

    def predict(self, X: Any, langs: Sequence[str | None] | None) -> np.ndarray:
        """Return the best rumour id per text, or "none" below ``threshold_``."""
        sims = self.similarity(X, langs)
        return self._labels(sims)

    def _labels(self, sims: np.ndarray) -> np.ndarray:
        best = sims.argmax(axis=1)
        hit = sims[np.arange(len(sims)), best] >= self.threshold_
        return np.where(hit, self.rumour_ids_[best], NONE_LABEL).astype(object)

    def score_posts(self, posts: pd.DataFrame) -> pd.DataFrame:
        """Return post_scores rows (task "rumour"), one per post.

        ``label`` is the best rumour id, or "none" when no rumour reaches the threshold;
        ``probability`` is the cosine similarity to the best-matching statement (in [0, 1],
        also for "none"), not a calibrated probability.
        """
        require_post_columns(posts)
        if not hasattr(self, "statement_vectors_"):
            self.fit()
        sims = self.similarity(posts, None)
        return pd.DataFrame(
            {
                "post_id": posts["post_id"].astype(str).to_numpy(),
                "task": TASK,
                "model_version": MODEL_VERSION,
                "label": self._labels(sims),
                "probability": sims.max(axis=1) if len(sims) else np.zeros(0),
            },
            columns=POST_SCORES.columns,
        )


def calibrate_threshold(
    matcher: RumourMatcher,
    calibration: pd.DataFrame | None = None,
    *,
    min_precision: float | None = None,
) -> pd.DataFrame:
    """Evaluate every candidate threshold on a labelled set; mark the chosen one.

    Parameters
    ----------
    matcher : RumourMatcher
        A fitted matcher (its own threshold is ignored).
    calibration : DataFrame, optional
        ``text``, ``lang``, ``label`` (rumour id or "none"); default the catalogue's set.
    min_precision : float, optional
        If given, choose the lowest threshold whose precision reaches it (highest recall at
        that precision); otherwise the threshold with maximum F1 (ties: the higher threshold).

    Returns
    -------
    DataFrame
        One row per candidate (the lowest similarity, then midpoints between consecutive
        similarities): ``threshold, precision, recall, f1, tp, fp, fn, chosen``.
        A true positive needs the right rumour id; a hit with a wrong id counts as a false
        positive and a false negative.
    """
    check_is_fitted(matcher, "statement_vectors_")
    data = matcher.catalogue_.calibration if calibration is None else calibration
    if data.empty:
        raise InputError("no calibration examples: expected rows with text, lang and label")
    sims = matcher.similarity(data["text"].tolist(), data["lang"].tolist())
    best_sim = sims.max(axis=1)
    best_id = matcher.rumour_ids_[sims.argmax(axis=1)]
    gold = data["label"].to_numpy()
    positive = gold != NONE_LABEL
    values = np.unique(best_sim)
    candidates = np.concatenate([values[:1], (values[:-1] + values[1:]) / 2])
    hit = best_sim[None, :] >= candidates[:, None]
    correct = hit & (best_id == gold)[None, :]
    tp = correct.sum(axis=1)
    fp = (hit & ~correct).sum(axis=1)
    fn = positive.sum() - tp
    precision = np.divide(tp, tp + fp, out=np.zeros(len(tp)), where=(tp + fp) > 0)
    recall = tp / max(int(positive.sum()), 1)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(len(tp)), where=tp > 0)
    table = pd.DataFrame(
        {"threshold": candidates, "precision": precision, "recall": recall, "f1": f1,
         "tp": tp, "fp": fp, "fn": fn}
    )  # fmt: skip
    if min_precision is None:
        chosen = int(np.flatnonzero(f1 == f1.max())[-1])
    else:
        ok = np.flatnonzero(precision >= min_precision)
        if not len(ok):
            raise InputError(f"no threshold reaches precision {min_precision} on this set")
        chosen = int(ok[0])
    table["chosen"] = np.arange(len(table)) == chosen
    return table
