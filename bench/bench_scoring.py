"""Benchmark of all scoring tasks together: posts/s and peak memory, batched vs naive.

Streams ``--posts`` short synthetic posts (``barometer.synthetic.short_posts.make_posts``,
with platform language hints) in batches of ``--batch`` through
:class:`barometer.batch_BatchScorer` (language ID, one normalisation, every rule-based
scorer, one hashing shared by the trained models, gates).
Per-task figures time each stage inside the same run; peak memory is the process's max RSS.
In the same run a naive baseline scores ``--naive`` posts one at a time through
each model's own ``score_posts`` per task (language ID per post with ``detect_languages``).

Usage: ``python bench/bench_scoring.py [--posts 1000000] [--batch 20000] [--naive 300]``.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from barometer import scoring, scoring_pool
from barometer.batch_scoring import BatchScorer
from barometer.nlp.batch import normalise_batch
from barometer.nlp.language import build_detector, detect_languages
from barometer.synthetic.short_posts import make_posts


def peak_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def staged(scorer: BatchScorer, posts, timings: dict[str, float]) -> int:  # type: ignore[no-untyped-def]
    """Score one batch stage by stage (the same work as ``BatchScorer.score``), timing each."""
    t = time.perf_counter
    t0 = t()
    texts = posts["text"].tolist()
    langs = detect_languages(texts, posts["lang_hint"].tolist(), trust_hints=True)
    t1 = t()
    normalised = normalise_batch(texts, langs)
    t2 = t()
    codes = np.asarray(langs, dtype=object)
    scorer.rule["sentiment"].compound_normalised(normalised, langs)
    t3 = t()
    scorer.rule["trust_expression"].labels_normalised(normalised, langs)
    t4 = t()
    scorer.rule["rumour"].similarity_normalised(normalised, codes)
    t5 = t()
    scorer.rule["theme"].indicator_normalised(normalised, codes)
    t6 = t()
    for name, dt in zip(
        ["language_id", "normalisation", "sentiment", "trust_expression", "rumour", "theme"],
        [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5], strict=True,
    ):  # fmt: skip
        timings[name] += dt
    return len(posts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--naive", type=int, default=300)
    parser.add_argument(
        "--workers", type=int, default=2, help="processes for the parallel streamed run"
    )
    parser.add_argument(
        "--lexicon-dir", default=None, help="a city's own lexicon folder (default: packaged only)"
    )
    args = parser.parse_args()
    lexicon_dir = Path(args.lexicon_dir) if args.lexicon_dir else None
    start = time.perf_counter()
    scorer = BatchScorer(lexicon_dir=lexicon_dir)
    build_detector()
    print(f"load {time.perf_counter() - start:.1f} s, peak {peak_mib()} MiB")

    # all tasks together, streamed: posts are generated per batch (not timed) and dropped
    timings: dict[str, float] = defaultdict(float)
    total_s, rows = 0.0, 0
    staged_done = 0
    for lo in range(0, args.posts, args.batch):
        n = min(args.batch, args.posts - lo)
        batch = make_posts(n, seed=lo).rename(columns={"lang": "lang_hint"})
        start = time.perf_counter()
        rows += len(scorer.score(batch))
        total_s += time.perf_counter() - start
        if staged_done < 100_000:  # per-stage timings on the first 100k posts
            staged_done += staged(scorer, batch, timings)
    all_rate = args.posts / total_s
    all_peak = peak_mib()

    # all tasks together again, streamed over forked workers sharing the loaded models
    # (inputs generated before timing; wall-clock time of the whole stream)
    parallel_rate, parallel_peak = float("nan"), 0
    if args.workers > 1:
        batches = [
            make_posts(min(args.batch, args.posts - lo), seed=lo).rename(
                columns={"lang": "lang_hint"}
            )
            for lo in range(0, args.posts, args.batch)
        ]
        peaks: dict[int, int] = {}
        start = time.perf_counter()
        for _rows, pid, peak in scoring_pool.stream_scores(
            batches, scorer=scorer, workers=args.workers
        ):
            peaks[pid] = max(peaks.get(pid, 0), peak)
        parallel_rate = args.posts / (time.perf_counter() - start)
        parallel_peak = (scoring_pool.proportional_memory_kib() + sum(peaks.values())) // 1024
        del batches

    # trained models, per task, on shared counts (timed on the last batch's features)
    batch = make_posts(min(args.batch, args.posts), seed=1).rename(columns={"lang": "lang_hint"})
    texts = batch["text"].tolist()
    langs = detect_languages(texts, batch["lang_hint"].tolist(), trust_hints=True)
    norm = normalise_batch(texts, langs)
    start = time.perf_counter()
    read = {k: scorer.readers[k](norm, langs) for k in scorer.hashers}  # stems, vocabulary
    read_rate = len(texts) / (time.perf_counter() - start)
    start = time.perf_counter()
    counts = {k: h.transform(read[k]) for k, h in scorer.hashers.items()}
    hash_rate = len(texts) / (time.perf_counter() - start)
    model_rates = {}
    for task, model in scorer.models.items():
        start = time.perf_counter()
        model.predict_proba_counts(counts[model.hashing_key()], langs)
        model_rates[task] = len(texts) / (time.perf_counter() - start)

    # naive baseline: one post at a time, per task, with language ID per post
    sample = make_posts(args.naive, seed=99).rename(columns={"lang": "lang_hint"})
    naive: dict[str, float] = {}
    start = time.perf_counter()
    sample_langs = [
        detect_languages([t], [h])[0]
        for t, h in zip(sample["text"], sample["lang_hint"], strict=True)
    ]
    naive["language_id"] = args.naive / (time.perf_counter() - start)
    sample = sample.assign(lang=sample_langs)
    for task in scoring.model_versions():
        start = time.perf_counter()
        for i in range(len(sample)):
            model = scorer.rule.get(task) or scorer.models[task]
            model.score_posts(sample.iloc[i : i + 1])
        naive[task] = args.naive / (time.perf_counter() - start)
    naive_all = 1 / sum(1 / r for r in naive.values())

    print(
        f"\n{args.posts:,} posts, batches of {args.batch:,}; "
        f"naive: {args.naive} posts one at a time"
    )
    print(f"{'task':22} {'batched posts/s':>16} {'naive posts/s':>14}")
    staged_rates = {k: staged_done / v for k, v in timings.items()}
    for name, rate in staged_rates.items():
        print(f"{name:22} {rate:>16,.0f} {naive.get(name, float('nan')):>14,.0f}")
    print(f"{'stems + vocabulary':22} {read_rate:>16,.0f} {'-':>14}")
    print(f"{'hashing (shared)':22} {hash_rate:>16,.0f} {'-':>14}")
    for task, rate in model_rates.items():
        print(f"{task + ' (model only)':22} {rate:>16,.0f} {naive.get(task, float('nan')):>14,.0f}")
    print(f"{'ALL TASKS':22} {all_rate:>16,.0f} {naive_all:>14,.0f}   rows {rows:,}")
    if args.workers > 1:
        print(
            f"{f'ALL TASKS, {args.workers} workers':22} {parallel_rate:>16,.0f} {'-':>14}   "
            f"memory, parent + workers (PSS, shared pages split): {parallel_peak:,} MiB"
        )
    print(
        f"peak RSS {all_peak:,} MiB (after the streamed run); target >= 20,000 posts/s, < 2,048 MiB"
    )


if __name__ == "__main__":
    main()
