"""Language ID of a streamed file does not depend on the batch size (issue 13): a post's
prior is its author's language mix over the whole file, whether the file is read whole or in
batches of 7 (and then spilled to disk until the file's last batch)."""

import gzip
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from conftest import SAMPLE_DIR

from barometer.enrich import enrich_posts
from barometer.enrich_stream import enrich_social_batches
from barometer.geo import Gazetteer, load_boundaries
from barometer.ingest.social.x import iter_x_v2
from barometer.keys import DEMO_KEY
from barometer.nlp.file_languages import FileLanguages
from barometer.nlp.language import detect_languages
from barometer.privacy import Pseudonymiser
from barometer.schema import POSTS

SAMPLE_X = SAMPLE_DIR / "social" / "x_2024.jsonl.gz"


@pytest.fixture(scope="module")
def prolific_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An X export of the sample's posts by its 25 most prolific authors (about 400 posts,
    pages of 20 tweets), where the author context decides some posts' language."""
    tweets = []
    with gzip.open(SAMPLE_X, "rt", encoding="utf-8") as handle:
        for line in handle:
            try:
                tweets += [t for t in json.loads(line).get("data") or [] if isinstance(t, dict)]
            except ValueError:
                continue
    counts = Counter(str(t.get("author_id")) for t in tweets)
    top = {author for author, _ in counts.most_common(25)}
    kept = [t for t in tweets if str(t.get("author_id")) in top][:400]
    path = tmp_path_factory.mktemp("context") / "x_prolific.jsonl"
    pages = [kept[i : i + 20] for i in range(0, len(kept), 20)]
    path.write_text("".join(json.dumps({"data": p}) + "\n" for p in pages), encoding="utf-8")
    return path


def _enriched(path: Path, batch_size: int, spill_dir: Path | None) -> pd.DataFrame:
    boundaries = load_boundaries(SAMPLE_DIR / "neighbourhoods.geojson")
    batches = enrich_social_batches(
        iter_x_v2(path, batch_size=batch_size),
        boundaries=boundaries,
        pseudonymiser=Pseudonymiser(DEMO_KEY),
        gazetteer=Gazetteer(boundaries),
        spill_dir=spill_dir,
    )
    out = list(batches)
    assert all(result.reconciles() for result, _ in out)
    return pd.concat([posts for _, posts in out], ignore_index=True)


def _as_stored(posts: pd.DataFrame) -> pd.DataFrame:
    return pa.Table.from_pandas(posts, schema=POSTS.schema, preserve_index=False).to_pandas()


def test_a_file_read_in_batches_of_7_equals_the_file_read_whole(
    prolific_file: Path, tmp_path: Path
) -> None:
    whole = _enriched(prolific_file, 10**9, spill_dir=None)
    batched = _enriched(prolific_file, 7, spill_dir=tmp_path)
    assert len(whole) > 300
    # compared as the warehouse stores them (a spilled batch comes back from Parquet)
    pd.testing.assert_frame_equal(_as_stored(batched), _as_stored(whole))
    assert not list(tmp_path.iterdir())  # the spilled batches are removed


def test_the_author_context_changes_languages_so_the_test_above_can_fail(
    prolific_file: Path,
) -> None:
    """Deciding each batch of 7 with the authors' posts of that batch only (the rule before)
    gives other languages than the whole file for some posts."""
    whole = _enriched(prolific_file, 10**9, spill_dir=None)
    texts, hints = whole["text"].tolist(), whole["lang_hint"].tolist()
    authors = whole["author_pseudonym"].tolist()
    per_batch = [
        lang
        for start in range(0, len(texts), 7)
        for lang in detect_languages(
            texts[start : start + 7],
            hints=hints[start : start + 7],
            authors=authors[start : start + 7],
        )
    ]
    assert detect_languages(texts, hints=hints, authors=authors) == whole["lang"].tolist()
    assert sum(a != b for a, b in zip(per_batch, whole["lang"], strict=True)) > 0


def test_file_languages_equal_detect_languages_on_the_whole_batch() -> None:
    texts = ["Hej alla grannar", "ok", "Jag litar på er", "hello there friends", "👍", "tack"]
    hints = ["sv", None, None, "en", None, "und"]
    authors = ["a", "a", "a", "b", "b", None]
    context = FileLanguages()
    pending = [context.observe(texts[i : i + 2], hints[i : i + 2], authors[i : i + 2])
               for i in range(0, 6, 2)]  # fmt: skip
    assert context.n_authors == 2
    got = [lang for p in pending for lang in context.resolve(p)]
    assert got == detect_languages(texts, hints=hints, authors=authors)


def test_enrich_without_language_leaves_it_for_the_caller() -> None:
    boundaries = load_boundaries(SAMPLE_DIR / "neighbourhoods.geojson")
    raw = next(iter_x_v2(SAMPLE_X)).rows.head(20)
    posts = enrich_posts(raw, boundaries=boundaries, pseudonymiser=Pseudonymiser(DEMO_KEY),
                         detect_language=False)  # fmt: skip
    assert posts["lang"].isna().all() and len(posts) == 20
