"""Monte Carlo calibration of the impact methods on simulated municipalities.

    python bench/bench_impact_calibration.py --cities 200 [--workers 2] [--post-scale 1.0]
        [--outcomes digital_negative_share observation_mixed_rate] [--write]

Simulates ``--cities`` municipalities like the sample (``barometer.impact.simcity``: the sample
generator's parameters, new seeds, posts labelled through the active sentiment scorer), runs
every method of ``barometer.impact.calibration.METHODS`` on each with the planted effect and
with a zero effect, and prints per method x outcome: bias, RMSE, coverage of the 95% interval
(with its Clopper-Pearson interval), placebo false-positive rate and power; plus cities per
second and peak memory. ``--write`` stores the table as the calibration shipped with the
package (``barometer/data/impact_calibration.json``), which the impact report and the
published ``impact_calibration``/``impact_verdict`` tables read.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import Progress

from barometer.impact.calibration import study_city, summarise
from barometer.impact.simcity import OUTCOMES, CitySetting, simulate_city
from barometer.impact.textbank import SentimentBank, sentiment_bank

ROOT = Path(__file__).resolve().parents[1]

_BANK: SentimentBank | None = None
_SETTING: CitySetting | None = None


def _init(bank: SentimentBank, setting: CitySetting) -> None:
    from threadpoolctl import threadpool_limits

    global _BANK, _SETTING
    _BANK, _SETTING = bank, setting
    threadpool_limits(1)  # one BLAS thread per worker: the workers are the parallelism


def _one(seed: int, outcomes: tuple[str, ...]) -> list[dict[str, Any]]:
    assert _BANK is not None and _SETTING is not None
    return study_city(simulate_city(seed, _BANK, _SETTING), seed, outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--post-scale", type=float, default=1.0)
    parser.add_argument("--outcomes", nargs="+", default=list(OUTCOMES))
    parser.add_argument("--lexicon-dir", default=str(ROOT.parent / "shared/data/lexicons"))
    parser.add_argument("--write", action="store_true", help="ship the result with the package")
    parser.add_argument("--records", help="also write the per-city records to this CSV")
    args = parser.parse_args()
    console = Console()
    setting = CitySetting(post_scale=args.post_scale)
    started = time.perf_counter()
    bank = sentiment_bank(Path(args.lexicon_dir))
    console.print(f"text bank: scorer {bank.scorer}, languages scored {sorted(bank.covered)}")
    outcomes = tuple(args.outcomes)
    seeds = range(args.first_seed, args.first_seed + args.cities)
    records: list[dict[str, Any]] = []
    sim_start = time.perf_counter()
    with (
        ProcessPoolExecutor(args.workers, initializer=_init, initargs=(bank, setting)) as pool,
        Progress(console=console) as progress,
    ):
        task = progress.add_task("simulated cities", total=args.cities)
        futures = [pool.submit(_one, s, outcomes) for s in seeds]
        for future in as_completed(futures):
            records += future.result()
            progress.advance(task)
    elapsed = time.perf_counter() - sim_start
    frame = pd.DataFrame(records)
    failed = frame[frame["error"] != ""]
    table = summarise(frame, setting.name)
    pd.set_option("display.width", 200)
    console.print(table.drop(columns="setting").round(4).to_string(index=False))
    if not failed.empty:
        console.print(f"{len(failed)} method runs failed: {failed['error'].iloc[0]}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    console.print(
        f"{args.cities} cities in {elapsed:.0f} s ({args.cities / elapsed:.2f} cities/s, "
        f"{args.workers} workers); total {time.perf_counter() - started:.0f} s; peak memory "
        f"{peak:.0f} MiB (parent), {children:.0f} MiB (largest worker)"
    )
    if args.records:
        frame.to_csv(args.records, index=False)
    if args.write:
        out = ROOT / "barometer" / "data" / "impact_calibration.json"
        payload = {
            "setting": setting.name,
            "n_cities": args.cities,
            "first_seed": args.first_seed,
            "command": "python bench/bench_impact_calibration.py --cities "
            f"{args.cities} --post-scale {args.post_scale:g} --write",
            "scorer": bank.scorer,
            "scored_languages": sorted(bank.covered),
            "table": json.loads(table.to_json(orient="records")),
        }
        out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        console.print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
