"""Time and peak memory of the streaming social readers: a file read whole (``read_reddit``,
``read_telegram``, ``read_crowdtangle``, ``read_mastodon``, ``read_tabular``: the whole text or
table and every record in memory, the path before streaming) against the stream (``iter_*``,
batches of ``--batch`` records handed on and dropped), side by side in one run. Each way runs
in a fresh process, so its peak RSS is its own. The file is generated into a temporary folder,
``--records`` posts by 5,000 authors:

- ``reddit``: a gzipped Pushshift-style NDJSON dump of comments;
- ``telegram``: a Telegram Desktop ``result.json`` of one public group (one JSON document);
- ``crowdtangle``: a CrowdTangle CSV export (semicolons, zone abbreviations, ``1.204`` counts);
- ``crowdtangle_api``: one CrowdTangle API response body (``result.posts``), on one line;
- ``mastodon``: a Mastodon timeline (a JSON array of statuses), on one line;
- ``reddit_listing``: a Reddit listing of comments (``data.children``), on one line;
- ``parquet``: a Parquet table of posts (``format = "tabular"``, row groups of 100,000).

Usage::

    python bench/bench_stream_readers.py --format telegram --records 400000 --batch 100000
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from barometer.ingest.base import IngestResult
from barometer.ingest.social.crowdtangle import iter_crowdtangle, read_crowdtangle
from barometer.ingest.social.mastodon import iter_mastodon, read_mastodon
from barometer.ingest.social.reddit import iter_reddit, read_reddit
from barometer.ingest.social.tabular import ColumnMapping, iter_tabular, read_tabular
from barometer.ingest.social.telegram import read_telegram
from barometer.ingest.social.telegram_stream import iter_telegram

TEXT = "Grannar i Alby trivs bra tillsammans, inlägg {i}. "


def _write_reddit(path: Path, records: int) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for i in range(records):
            thing = {"id": f"c{i}", "author": f"u{i % 5000}", "body": TEXT.format(i=i) * 3}
            handle.write(json.dumps({**thing, "created_utc": 1_711_962_000 + i}) + "\n")


def _write_telegram(path: Path, records: int) -> None:
    """One chat as Telegram Desktop writes it (indented, one message at a time)."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{\n "name": "Alby grannar",\n "type": "public_supergroup",\n')
        handle.write(' "id": 1234567890,\n "messages": [\n')
        for i in range(records):
            message = {
                "id": i + 1,
                "type": "message",
                "date": "2024-04-01T10:00:00",
                "date_unixtime": str(1_711_962_000 + i),
                "from": f"User {i % 5000}",
                "from_id": f"user{i % 5000}",
                "text": [TEXT.format(i=i) * 2, {"type": "bold", "text": "Alby"}],
                "reactions": [{"type": "emoji", "count": i % 7, "emoji": "👍"}],
            }
            handle.write(("" if i == 0 else ",\n") + json.dumps(message, indent=1))
        handle.write("\n ]\n}\n")


def _write_crowdtangle(path: Path, records: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Page Name;Facebook Id;URL;Post Created;Message;Total Interactions\n")
        for i in range(records):
            url = f"https://www.facebook.com/page{i % 5000}/posts/{i}"
            when = f"2024-04-01 10:{i % 60:02d}:00 CEST"
            handle.write(
                f"Sida {i % 5000};{i % 5000};{url};{when};{TEXT.format(i=i) * 3};1.{i % 1000:03d}\n"
            )


def _write_crowdtangle_api(path: Path, records: int) -> None:
    posts = (
        {
            "platformId": f"{i % 5000}_{i}",
            "platform": "Facebook",
            "date": f"2024-04-01 10:{i % 60:02d}:00",
            "message": TEXT.format(i=i) * 3,
            "postUrl": f"https://www.facebook.com/page{i % 5000}/posts/{i}",
            "account": {"id": i % 5000, "platformId": str(i % 5000), "handle": f"sida{i % 5000}"},
            "statistics": {"actual": {"likeCount": i % 100, "shareCount": 2, "commentCount": 1}},
            "languageCode": "sv",
        }
        for i in range(records)
    )
    _write_array(path, '{"status": 200, "result": {"posts": [', posts, '], "pagination": {}}}')


def _write_mastodon(path: Path, records: int) -> None:
    statuses = (
        {
            "id": str(10**17 + i),
            "uri": f"https://mastodon.example/users/u{i % 5000}/statuses/{10**17 + i}",
            "created_at": "2024-04-01T10:00:00.000Z",
            "content": f"<p>{TEXT.format(i=i) * 3}</p>",
            "language": "sv",
            "account": {"id": str(i % 5000), "username": f"u{i % 5000}", "acct": f"u{i % 5000}"},
            "reblog": None,
            "favourites_count": i % 10,
            "reblogs_count": 1,
            "replies_count": 0,
        }
        for i in range(records)
    )
    _write_array(path, "[", statuses, "]")


def _write_reddit_listing(path: Path, records: int) -> None:
    children = (
        {
            "kind": "t1",
            "data": {
                "id": f"c{i}",
                "name": f"t1_c{i}",
                "author": f"u{i % 5000}",
                "body": TEXT.format(i=i) * 3,
                "created_utc": 1_711_962_000 + i,
                "score": i % 50,
                "replies": "",
            },
        }
        for i in range(records)
    )
    _write_array(path, '{"kind": "Listing", "data": {"after": null, "children": [', children, "]}}")


def _write_array(path: Path, head: str, values: Iterator[object], tail: str) -> None:
    """One JSON document on one line, as an API answers (written value by value)."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head)
        for i, value in enumerate(values):
            handle.write(("" if i == 0 else ", ") + json.dumps(value, ensure_ascii=False))
        handle.write(tail)


PARQUET_MAPPING = ColumnMapping(
    source="forum", id="msg_id", created_at="posted", text="body", author="user",
    lang="language", engagement="likes", timezone="Europe/Stockholm",
)  # fmt: skip


def _write_parquet(path: Path, records: int) -> None:
    writer = None
    for start in range(0, records, 100_000):
        n = range(start, min(records, start + 100_000))
        table = pa.table(
            {
                "msg_id": [f"f{i}" for i in n],
                "posted": [f"2024-04-{1 + i % 28:02d} 12:{i % 60:02d}" for i in n],
                "user": [f"u{i % 5000}" for i in n],
                "body": [TEXT.format(i=i) * 3 for i in n],
                "language": ["sv"] * len(n),
                "likes": [str(i % 1000) for i in n],
            }
        )
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()


#: format -> (file name, writer, whole-file reader, streaming reader)
FORMATS: dict[
    str,
    tuple[
        str,
        Callable[[Path, int], None],
        Callable[..., IngestResult],
        Callable[..., Iterator[IngestResult]],
    ],
] = {
    "reddit": ("RC_bench.ndjson.gz", _write_reddit, read_reddit, iter_reddit),
    "telegram": ("result.json", _write_telegram, read_telegram, iter_telegram),
    "crowdtangle": ("crowdtangle.csv", _write_crowdtangle, read_crowdtangle, iter_crowdtangle),
    "crowdtangle_api": (
        "crowdtangle_api.json",
        _write_crowdtangle_api,
        read_crowdtangle,
        iter_crowdtangle,
    ),
    "mastodon": ("timeline.json", _write_mastodon, read_mastodon, iter_mastodon),
    "reddit_listing": ("new.json", _write_reddit_listing, read_reddit, iter_reddit),
    "parquet": (
        "posts.parquet",
        _write_parquet,
        functools.partial(read_tabular, mapping=PARQUET_MAPPING),
        functools.partial(iter_tabular, mapping=PARQUET_MAPPING),
    ),
}


def _measure(path: Path, kind: str, how: str, batch: int) -> None:
    _, _, whole, stream = FORMATS[kind]
    started = time.perf_counter()
    if how == "whole":
        result = whole(path)
        kept, read = len(result.rows), result.n_read
    else:
        kept = read = 0
        for part in stream(path, batch_size=batch):
            kept, read = kept + len(part.rows), read + part.n_read
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        f"{kind:11s} {how:7s} {read:>10,} read {kept:>10,} kept {seconds:7.2f} s "
        f"{read / seconds:>10,.0f} records/s  peak RSS {peak:7,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=sorted(FORMATS), default="reddit")
    parser.add_argument("--records", type=int, default=400_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--measure", choices=["whole", "stream"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(args.path, args.format, args.measure, args.batch)
        return
    name, write, _, _ = FORMATS[args.format]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(path, args.records)
        size = path.stat().st_size / 2**20
        print(f"{args.format}: {args.records:,} records, {size:,.0f} MiB file ({path.name})")
        for how in ("whole", "stream"):
            command = [sys.executable, __file__, "--measure", how, "--path", str(path)]
            command += ["--format", args.format, "--batch", str(args.batch)]
            subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
