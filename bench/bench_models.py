"""Benchmark of the trained text models: scoring throughput (posts/s) and peak memory.

Each active model of ``models/registry.toml`` scores ``--posts`` short synthetic posts
(sv/en/tr/da/ar, 5-25 words, with mentions, URLs, hashtags and emoji) in batches, in its own
process so that peak memory (max RSS) is measured per model; then all models together through
``registry.score_with_active_models``. In the same process, a naive baseline scores
``--naive`` posts one at a time (one ``predict_proba`` call per post).

Usage: ``python bench/bench_models.py [--posts 100000] [--batch 20000] [--naive 300]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from barometer.synthetic.short_posts import make_posts


def run_one(task: str, n_posts: int, batch: int, n_naive: int) -> dict[str, object]:
    """Score with one task (or "all") in this process; return the measurements."""
    from barometer import registry

    posts = make_posts(n_posts)
    start = time.perf_counter()
    if task == "all":
        models = {t: registry.load_model(t) for t in registry.active_versions()}
    else:
        models = {task: registry.load_model(task)}
    for model in models.values():
        model.set_params(batch_size=batch)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    n_rows = 0
    for lo in range(0, n_posts, batch):
        part = posts.iloc[lo : lo + batch]
        if task == "all":
            n_rows += len(registry.score_with_active_models(part))
        else:
            n_rows += len(models[task].score_posts(part))
    batched_s = time.perf_counter() - start
    naive_rate = float("nan")
    if task != "all":
        sample = posts.iloc[:n_naive]
        model = models[task]
        start = time.perf_counter()
        for text, lang in zip(sample["text"], sample["lang"], strict=True):
            model.predict_proba([text], [lang])
        naive_rate = n_naive / (time.perf_counter() - start)
    return {
        "task": task,
        "posts": n_posts,
        "rows": n_rows,
        "load_s": round(load_s, 2),
        "batched_posts_per_s": round(n_posts / batched_s),
        "naive_posts_per_s": round(naive_rate) if naive_rate == naive_rate else None,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--naive", type=int, default=300)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.posts, args.batch, args.naive)))
        return
    from barometer import registry

    tasks = [*sorted(registry.active_versions()), "all"]
    print(
        f"{'task':22} {'posts':>8} {'batched/s':>10} {'naive/s':>8} {'peak MiB':>9} {'load s':>7}"
    )
    for task in tasks:
        out = subprocess.run(
            [sys.executable, __file__, "--one", task, "--posts", str(args.posts),
             "--batch", str(args.batch), "--naive", str(args.naive)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        r = json.loads(out.stdout.strip().splitlines()[-1])
        naive = "-" if r["naive_posts_per_s"] is None else f"{r['naive_posts_per_s']:,}"
        print(
            f"{r['task']:22} {r['posts']:>8,} {r['batched_posts_per_s']:>10,} {naive:>8} "
            f"{r['peak_rss_mib']:>9,} {r['load_s']:>7}"
        )


if __name__ == "__main__":
    main()
