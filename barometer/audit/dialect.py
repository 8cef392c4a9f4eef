"""TwitterAAE demographic dialect model (Blodgett, Green & O'Connor, EMNLP 2016), for audits.

Reimplements the published ``predict.py`` of slanglab/twitteraae on its released count table
(``../shared/data/text/twitteraae``: ``model_count_table.txt.gz``, 191,874 words x 4 topics
AA, Hispanic, Asian, White; ``model_vocab.txt.gz``, "count<TAB>word" per line, same order):

* word probabilities per topic: ``(N_wk + 1) / N_k`` (add-one on counts, divided by the topic
  totals of the raw counts);
* inference: collapsed variational Bayes (CVB0) with symmetric prior ``alpha = 1`` over the
  in-vocabulary tokens (lower-cased), 5 passes (one initialisation and 4 sequential sweeps);
  the result is the normalised expected topic counts;
* a tweet gets no estimate (NaN) when fewer than ``thresh1 = 1`` tokens, or fewer than
  ``thresh2 = 20 %`` of its tokens, are in the vocabulary.

The sweeps are sequential within a tweet (each token sees the others' current values), so the
implementation runs them position by position over a padded (n_tweets, max_len) array: every
tweet is updated at once, and the arithmetic per tweet is the published one. Tests check the
README's examples (``"hello there"``, ``"af af af"``).

Output proportions are an estimate of the share of a tweet's words that come from each
demographically-aligned language variety, not the author's demographics; the authors validated
only the AA and White dimensions. Tokenisation approximates ``twokenize`` (URLs, @mentions,
hashtags, emoticons, words with apostrophes, runs of punctuation, single emoji).
"""

from __future__ import annotations

import gzip
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.audit.parity import flag_rate_ratio
from barometer.exceptions import InputError

TOPICS: tuple[str, str, str, str] = ("aa", "hispanic", "asian", "white")
COUNT_FILE = "model_count_table.txt.gz"
VOCAB_FILE = "model_vocab.txt.gz"
DAVIDSON_FILE = Path("text") / "davidson2017" / "labeled_data.csv"

_TOKEN_RE = re.compile(
    r"(?:https?://|www\.)\S+"  # URLs
    r"|[@＠]\w+"  # mentions
    r"|#\w+"  # hashtags
    r"|<3+|[:;=xX8][-o*']?[)(\]\[dDpP/\\|}{@3]+"  # common emoticons
    r"|\w+(?:['’]\w+)*"  # words, with internal apostrophes (don't, i'm)
    r"|\.{2,}|[!?]+|[^\w\s]",  # ellipses, !!!/??? runs, single symbols and emoji
    re.UNICODE,
)


def tokenize_tweet(text: str) -> list[str]:
    """Split a tweet into tokens, approximating ``twokenize`` (HTML entities decoded first).

    Examples
    --------
    >>> tokenize_tweet("RT @x: I'm sooo tired :) &amp; done... http://t.co/a")
    ['RT', '@x', ':', "I'm", 'sooo', 'tired', ':)', '&', 'done', '...', 'http://t.co/a']
    """
    if not isinstance(text, str):
        return []
    return _TOKEN_RE.findall(html.unescape(text))


class TwitterAAEModel:
    """The Blodgett et al. (2016) dialect model: vocabulary, word probabilities, inference.

    Parameters
    ----------
    model_dir : str or Path
        Folder with ``model_count_table.txt.gz`` and ``model_vocab.txt.gz``.
    """

    def __init__(self, model_dir: str | Path) -> None:
        folder = Path(model_dir)
        counts_path, vocab_path = folder / COUNT_FILE, folder / VOCAB_FILE
        for path in (counts_path, vocab_path):
            if not path.is_file():
                raise InputError(
                    f"TwitterAAE model file not found: expected '{path}'. Point model_dir at "
                    "shared/data/text/twitteraae (see its SOURCE.md)."
                )
        counts = pd.read_csv(counts_path, sep=r"\s+", header=None, engine="c").to_numpy(float)
        with gzip.open(vocab_path, "rt", encoding="utf-8") as handle:
            vocab = [line.rstrip("\n").split("\t")[-1].strip() for line in handle]
        if len(vocab) != counts.shape[0] or counts.shape[1] != len(TOPICS):
            raise InputError(
                f"TwitterAAE files disagree: {len(vocab)} vocabulary lines, count table of "
                f"shape {counts.shape} (expected n x {len(TOPICS)})"
            )
        self.wordprobs = (counts + 1.0) / counts.sum(axis=0)
        self.word_index = {word: i for i, word in enumerate(vocab)}

    def predict(
        self,
        token_lists: Sequence[Sequence[str]],
        *,
        alpha: float = 1.0,
        numpasses: int = 5,
        thresh1: int = 1,
        thresh2: float = 0.2,
    ) -> np.ndarray:
        """Return topic proportions (n, 4) in the order :data:`TOPICS`; NaN rows = no estimate."""
        n = len(token_lists)
        ids = [
            [self.word_index[w] for w in (t.lower() for t in toks) if w in self.word_index]
            for toks in token_lists
        ]
        lengths = np.array([len(x) for x in ids], dtype=np.int64)
        totals = np.array([len(toks) for toks in token_lists], dtype=np.int64)
        ok = (lengths >= thresh1) & (lengths > 0)
        ok &= lengths >= thresh2 * np.maximum(totals, 1)
        out = np.full((n, len(TOPICS)), np.nan)
        rows = np.flatnonzero(ok)
        if not len(rows):
            return out
        width = int(lengths[rows].max())
        padded = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.arange(width)[None, :] < lengths[rows][:, None]
        padded[mask] = np.concatenate([ids[i] for i in rows])
        lik = self.wordprobs[padded]  # (docs, width, K)
        lik /= lik.sum(axis=2, keepdims=True)
        lik[~mask] = 0.0
        qs = lik.copy()
        q_k = qs.sum(axis=1)
        for _ in range(1, numpasses):
            for i in range(width):
                live = mask[:, i]
                q_k[live] -= qs[live, i]
                new = lik[live, i] * (q_k[live] + alpha)
                qs[live, i] = new / new.sum(axis=1, keepdims=True)
                q_k[live] += qs[live, i]
        out[rows] = q_k / q_k.sum(axis=1, keepdims=True)
        return out

    def predict_texts(self, texts: Sequence[str], **kwargs: float) -> pd.DataFrame:
        """Tokenise raw tweets and return a frame of proportions with columns :data:`TOPICS`."""
        proportions = self.predict([tokenize_tweet(t) for t in texts], **kwargs)  # type: ignore[arg-type]
        return pd.DataFrame(proportions, columns=list(TOPICS))


def dialect_groups(proportions: pd.DataFrame, *, threshold: float | None = 0.8) -> pd.Series:
    """Label each text "aae", "white" or "other" from its topic proportions.

    With ``threshold`` (default 0.8, the cut-off of Blodgett et al. 2016 and Davidson et al.
    2019): "aae" when the AA proportion exceeds it, "white" when the White one does. With
    ``threshold=None``: whichever of AA and White is larger (a looser split that keeps far more
    tweets; "other" only where there is no estimate).
    """
    aa, white = proportions["aa"].to_numpy(), proportions["white"].to_numpy()
    if threshold is None:
        group = np.where(aa > white, "aae", np.where(white >= aa, "white", "other"))
    else:
        group = np.where(aa > threshold, "aae", np.where(white > threshold, "white", "other"))
    return pd.Series(group, index=proportions.index, name="dialect")


def load_davidson_dialects(
    shared_data: str | Path,
    *,
    model: TwitterAAEModel | None = None,
    keep: np.ndarray | None = None,
) -> pd.DataFrame:
    """Davidson et al. (2017) tweets with gold class and TwitterAAE proportions.

    Returns ``text, gold (hate | offensive | neither), aa, hispanic, asian, white`` in file order;
    with ``keep`` (one bool per tweet of the file, e.g. the held-out test split of
    :func:`barometer.training.corpora.read_davidson2017`), only those tweets.
    """
    path = Path(shared_data) / DAVIDSON_FILE
    if not path.is_file():
        raise InputError(f"Davidson et al. data not found: expected '{path}'")
    raw = pd.read_csv(path, index_col=0)
    if keep is not None:
        keep = np.asarray(keep, dtype=bool)
        if len(keep) != len(raw):
            raise InputError(f"keep has {len(keep)} values for {len(raw)} tweets in {path}")
        raw = raw[keep]
    model = model or TwitterAAEModel(Path(shared_data) / "text" / "twitteraae")
    proportions = model.predict_texts(raw["tweet"].tolist())
    gold = raw["class"].map({0: "hate", 1: "offensive", 2: "neither"}).to_numpy()
    frame = pd.DataFrame({"text": raw["tweet"].to_numpy(), "gold": gold})
    return pd.concat([frame, proportions], axis=1)


def dialect_audit(
    flags: Any,
    tweets: pd.DataFrame,
    *,
    threshold: float | None = 0.8,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Flag rates on AAE- vs white-aligned tweets and their ratio, with bootstrap intervals.

    Parameters
    ----------
    flags : array-like of bool
        Whether the audited scorer flags each tweet of ``tweets`` (same order).
    tweets : DataFrame
        From :func:`load_davidson_dialects`.
    threshold : float or None
        Dialect cut-off, see :func:`dialect_groups`.

    Returns
    -------
    DataFrame
        :func:`barometer.audit.parity.flag_rate_ratio` rows for two subsets: ``all``
        tweets, and ``gold_neither`` (tweets the annotators called neither hateful nor
        offensive: there a flag is a false positive, so the ratio is a false-positive-rate ratio,
        as in Sap et al. 2019).
    """
    flags = np.asarray(flags, dtype=bool)
    if len(flags) != len(tweets):
        raise InputError(f"expected one flag per tweet ({len(tweets)}), got {len(flags)}")
    groups = dialect_groups(tweets, threshold=threshold).to_numpy()
    parts = []
    for subset, keep in (("all", np.ones(len(flags), bool)),
                         ("gold_neither", (tweets["gold"] == "neither").to_numpy())):  # fmt: skip
        part = flag_rate_ratio(
            flags[keep],
            groups[keep],
            numerator="aae",
            denominator="white",
            n_boot=n_boot,
            seed=seed,
        )
        parts.append(part.assign(subset=subset))
    out = pd.concat(parts, ignore_index=True)
    cut = "argmax" if threshold is None else f"> {threshold}"
    out["method"] = out["method"] + f"; TwitterAAE dialect {cut}"
    return out[["subset", *[c for c in out.columns if c != "subset"]]]
