"""How the active sentiment scorer reads the sample generator's posts: a bank of scored texts.

The digital outcome ``digital_negative_share`` is not the generator's post-level probability
``P(negative | T)``: it is the author-weighted share of posts that the *active* sentiment scorer
(the lexicons of ``nlp.lexicon_dir`` or a trained model active in the registry) labels
negative. :func:`sentiment_bank` writes ``n_per_cell`` posts per language and planted class
with the generator's own templates and decorations (typos, emojis, hashtags, URLs, PII,
place names or fillers, very short ``und`` posts), sends them through the active scorer
exactly as the pipeline does (:class:`barometer.batch_scoring.BatchScorer`, sentiment only),
and keeps one 0/1 "labelled negative" flag per text.
Nothing about the lexicons is hard-coded, so the bank follows whatever scorer is active.

Posts in a language the scorer does not cover (Somali with the lexicons, ``und``) get no
score and leave the share's denominator, as in the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.synthetic.municipality import DISTRICTS
from barometer.synthetic.social import GENITIVE_NOUNS, _decorate
from barometer.synthetic.texts import CLASSES, FILLERS, LANGS, SHORT, TEMPLATES

#: languages the generator writes posts in, plus ``und`` for very short emoji posts
BANK_LANGS: tuple[str, ...] = (*LANGS, "und")


@dataclass(frozen=True)
class SentimentBank:
    """Per (language, planted class): 0/1 flags "the active scorer said negative", one per
    generated text, and whether the scorer covers that language at all."""

    flags: dict[tuple[str, str], np.ndarray]
    covered: frozenset[str]
    scorer: str


def _texts(rng: np.random.Generator, lang: str, cls: str, n: int) -> list[str]:
    """``n`` posts of one language and class as the generator writes them."""
    usernames = np.array(["anna_k", "omar12", "lisa", "deka77"])
    out = []
    for _ in range(n):
        if lang == "und":
            out.append(str(rng.choice(SHORT[cls])))
            continue
        template = str(rng.choice(TEMPLATES[lang][cls]))
        text, _ = _decorate(rng, template, lang, cls, usernames)
        if rng.random() < 0.3:  # geo channel "place": a district alias names the place
            district = DISTRICTS[int(rng.integers(0, len(DISTRICTS)))]
            place = str(rng.choice(district.aliases))
            if place.endswith("s") and place[:-1] in district.aliases:
                place += " " + str(rng.choice(GENITIVE_NOUNS[lang]))
        else:
            place = str(rng.choice(FILLERS[lang]))
        out.append(text.replace("{place}", place))
    return out


def sentiment_bank(lexicon_dir: Path, *, n_per_cell: int = 400, seed: int = 0) -> SentimentBank:
    """Score ``n_per_cell`` generated posts per language x class with the active scorer."""
    from barometer.batch_scoring import BatchScorer

    rng = np.random.default_rng([seed, 1931])
    rows = []
    for lang in BANK_LANGS:
        for cls in CLASSES:
            for i, text in enumerate(_texts(rng, lang, cls, n_per_cell)):
                rows.append((f"{lang}:{cls}:{i}", text, lang, cls))
    posts = pd.DataFrame(rows, columns=["post_id", "text", "lang", "planted"])
    scores = BatchScorer(lexicon_dir=Path(lexicon_dir), tasks={"sentiment"}).score(posts)
    negative = set(scores.loc[scores["label"] == "negative", "post_id"])
    has_row = set(scores["post_id"])
    covered = frozenset(
        lang
        for lang in BANK_LANGS
        if posts.loc[posts["lang"] == lang, "post_id"].isin(has_row).any()
    )
    flags = {
        (lang, cls): posts.loc[(posts["lang"] == lang) & (posts["planted"] == cls), "post_id"]
        .isin(negative)
        .to_numpy(dtype=float)
        for lang in BANK_LANGS
        for cls in CLASSES
    }
    versions = scores["model_version"].dropna().unique()
    return SentimentBank(flags, covered, str(versions[0]) if len(versions) else "none")
