"""Benchmark of Snowball stems on the trained-model path of the batch scorer, side by side.

The path :class:`barometer.batch_scoring.BatchScorer` runs per batch for one hostility model:
``read_words`` (stems, then the vocabulary), :class:`~barometer.nlp.batch.HashedCounts` and
``predict_proba_counts``, on the same synthetic batches
(:func:`barometer.synthetic.short_posts.make_posts`, languages from the platform hints), for:

- the active hostility version as it is (the baseline);
- the same model reading ``--stems`` languages as stems (a copy with ``word_stems`` set: same
  vocabulary and weights, so only the stemming cost differs);
- each ``--variant VERSION:MODELS_DIR`` (e.g. a version trained with ``features.word_stems``).

Each is timed ``--repeats`` times in turn (stems are cached per distinct token across batches,
as in a run); posts/s per stage and the process's peak memory are printed.

With the shared data folder (``--shared`` or ``$BAROMETER_DATA_DIR``) it also times a cold
cache on real texts (MLMA's Arabic tweets, ABSAbank's Swedish paragraphs): what each token first
seen in a stream costs once.

Usage: ``python bench/bench_word_stems.py [--posts 100000] [--stems ar,sv] [--variant V:DIR]
[--shared DIR]``.
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import time
from typing import Any

from barometer import registry
from barometer.nlp import stems
from barometer.nlp.batch import HashedCounts, normalise_batch
from barometer.nlp.language import detect_languages
from barometer.synthetic.short_posts import make_posts


def _models(stems: list[str], variants: list[str]) -> dict[str, Any]:
    version = registry.active_versions()["hostility"]
    base = registry.load_model("hostility", version)
    models = {version: base}
    if stems:
        stemmed = copy.deepcopy(base)
        stemmed.word_stems = tuple(stems)
        models[f"{version}+stems {','.join(stems)}"] = stemmed
    for spec in variants:
        name, _, models_dir = spec.partition(":")
        models[name] = registry.load_model("hostility", name, models_dir=models_dir or None)
    return models


def _batches(posts: int, batch: int) -> list[tuple[list[str], list[str]]]:
    out = []
    for lo in range(0, posts, batch):
        frame = make_posts(min(batch, posts - lo), seed=lo)
        texts = frame["text"].tolist()
        langs = detect_languages(texts, frame["lang"].tolist(), trust_hints=True)
        out.append((normalise_batch(texts, langs), langs))
    return out


def time_path(model: Any, batches: list[tuple[list[str], list[str]]]) -> dict[str, float]:
    """Posts/s of each stage (read, hash, model) and of the whole path over ``batches``."""
    hasher = HashedCounts(*model.hashing_key()[:3])
    spent = {"read": 0.0, "hash": 0.0, "model": 0.0}
    n = 0
    for normalised, langs in batches:
        t0 = time.perf_counter()
        read = model.read_words(normalised, langs)
        t1 = time.perf_counter()
        counts = hasher.transform(read)
        t2 = time.perf_counter()
        model.predict_proba_counts(counts, langs)
        t3 = time.perf_counter()
        spent["read"] += t1 - t0
        spent["hash"] += t2 - t1
        spent["model"] += t3 - t2
        n += len(normalised)
    rates = {stage: n / max(s, 1e-9) for stage, s in spent.items()}
    rates["path"] = n / max(sum(spent.values()), 1e-9)
    return rates


def cold_stem_us(texts: list[str], lang: str) -> tuple[float, int]:
    """Microseconds each new distinct token costs once: stemming normalised ``lang`` texts with
    empty caches, less the same call again with warm ones, per distinct token; and the number
    of distinct tokens."""
    distinct = len({w for t in texts for w in t.split(" ")})
    stems.reset_stems(lang)
    spent = []
    for _ in range(2):
        start = time.perf_counter()
        stems.stem_texts(texts, [lang] * len(texts), (lang,))
        spent.append(time.perf_counter() - start)
    return max(spent[0] - spent[1], 0.0) / max(distinct, 1) * 1e6, distinct


def corpus_texts(shared: str) -> dict[str, list[str]]:
    """Normalised real texts per language (MLMA's Arabic tweets, ABSAbank's Swedish
    paragraphs) of the shared data folder: synthetic posts repeat too few words to time a
    cold cache."""
    from barometer.training.corpora import load_corpora

    rows = load_corpora(["mlma", "absabank_imm"], shared)
    out = {}
    for lang in ("ar", "sv"):
        texts = rows.loc[rows["lang"] == lang, "text"].astype(str).tolist()
        out[lang] = normalise_batch(texts, [lang] * len(texts))
    return out


def main(argv: list[str] | None = None) -> dict[str, list[dict[str, float]]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--stems", default="ar,sv", help="languages of the stemmed copy")
    parser.add_argument("--variant", action="append", default=[], help="VERSION:MODELS_DIR")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--shared", default="", help="shared data folder (real texts, cold cache)")
    args = parser.parse_args(argv)
    models = _models([s for s in args.stems.split(",") if s], args.variant)
    batches = _batches(args.posts, args.batch)
    print(f"{args.posts:,} posts, batches of {args.batch:,}; posts/s per stage")
    print(f"{'pass':>4} {'model':28} {'read':>9} {'hash':>9} {'model':>9} {'path':>9}")
    results: dict[str, list[dict[str, float]]] = {name: [] for name in models}
    for rep in range(args.repeats):
        for name, model in models.items():
            rates = time_path(model, batches)
            results[name].append(rates)
            print(f"{rep:>4} {name:28} {rates['read']:>9,.0f} {rates['hash']:>9,.0f} "
                  f"{rates['model']:>9,.0f} {rates['path']:>9,.0f}")  # fmt: skip
    shared = args.shared or os.environ.get("BAROMETER_DATA_DIR", "")
    if shared:
        for lang, texts in corpus_texts(shared).items():
            cost, distinct = cold_stem_us(texts, lang)
            engine = type(stems.thread_stemmer(lang)).__module__
            print(f"cold stems, {lang}: {cost:.1f} µs per new distinct token "
                  f"({distinct:,} in {len(texts):,} real texts; {engine})")  # fmt: skip
    else:
        print("cold stems: not timed (no --shared folder or $BAROMETER_DATA_DIR)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"peak RSS {peak:,} MiB")
    return results


if __name__ == "__main__":
    main()
