"""Compare every published DuckDB table of two warehouses (a refactor must change no number).

    python bench/compare_warehouses.py /tmp/before /tmp/after

Prints one line per table: rows in each, and whether the contents are identical once columns
that differ by construction (run ids, timestamps, durations) are left out. Exits 1 when a table
differs or is missing on one side.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import pandas as pd

#: Columns that change with every run (identity of the run, wall-clock times).
VOLATILE = {"run_id", "started_at", "finished_at", "created_at", "duration_s", "code_version"}


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(path / "barometer.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        names = [r[0] for r in rows]
        return {name: con.execute(f'SELECT * FROM "{name}"').df() for name in sorted(names)}


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    kept = frame.drop(columns=[c for c in frame.columns if c in VOLATILE])
    kept = kept.reindex(sorted(kept.columns), axis=1)
    return kept.sort_values(list(kept.columns), kind="mergesort").reset_index(drop=True)


def compare(before: Path, after: Path) -> bool:
    """Print a line per table; True when every table is identical."""
    left, right = _tables(before), _tables(after)
    same = True
    for name in sorted(set(left) | set(right)):
        if name not in left or name not in right:
            print(f"{name:24s} only in {'before' if name in left else 'after'}")
            same = False
            continue
        a, b = _canonical(left[name].astype(str)), _canonical(right[name].astype(str))
        equal = list(a.columns) == list(b.columns) and a.equals(b)
        same &= equal
        verdict = "identical" if equal else "DIFFERENT"
        print(f"{name:24s} {len(left[name]):>7,} rows / {len(right[name]):>7,} rows  {verdict}")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    sys.exit(0 if compare(args.before, args.after) else 1)


if __name__ == "__main__":
    main()
