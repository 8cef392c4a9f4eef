"""The scale benchmark's generated texts: new texts in the sample's languages, with a set share
of exact repeats (so that work done once per distinct text is not flattered by the bench)."""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from conftest import load_bench


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_bench("bench_scale")


@pytest.fixture(scope="module")
def tweets(bench: ModuleType) -> list[dict]:
    return bench.sample_tweets()[0]


def _texts(bench: ModuleType, tweets: list[dict], share: float, n: int, seed: int = 0) -> list:
    maker = bench.TextMaker(tweets, random.Random(seed), share)
    rng = random.Random(seed + 10)
    return [(t.get("lang"), maker.text(t)) for t in (rng.choice(tweets) for _ in range(n))]


def test_duplicate_share_known_answer(bench: ModuleType) -> None:
    rows = [{"text": "a"}, {"text": "a"}, {"text": "b"}, {"text": "c"}]
    assert bench.sample_duplicate_share(rows) == pytest.approx(0.25)


def test_without_repeats_texts_are_new(bench: ModuleType, tweets: list[dict]) -> None:
    made = [text for _, text in _texts(bench, tweets, 0.0, 5000)]
    # drawn as before (copied), 5,000 posts from the sample repeat far more often
    assert len(set(made)) / len(made) > 0.97
    copied = Counter(random.Random(0).choice(tweets)["text"] for _ in range(5000))
    assert len(copied) / 5000 < 0.85


@pytest.mark.parametrize("share", [0.2, 0.52])
def test_repeat_share_is_the_one_asked(bench: ModuleType, tweets: list[dict], share: float) -> None:
    made = [text for _, text in _texts(bench, tweets, share, 6000)]
    seen: set[str] = set()
    repeats = 0
    for text in made:
        repeats += text in seen
        seen.add(text)
    # binomial standard error at n = 6,000 is under 0.007
    assert abs(repeats / len(made) - share) < 0.03


def test_words_come_from_the_same_language(bench: ModuleType, tweets: list[dict]) -> None:
    vocab: dict[str, set[str]] = {}
    for tweet in tweets:
        vocab.setdefault(str(tweet.get("lang")), set()).update(str(tweet["text"]).split())
    for lang, text in _texts(bench, tweets, 0.3, 2000):
        assert text.strip()
        assert set(text.split()) <= vocab[str(lang)]


def test_same_seed_same_texts(bench: ModuleType, tweets: list[dict]) -> None:
    assert _texts(bench, tweets, 0.4, 500, seed=3) == _texts(bench, tweets, 0.4, 500, seed=3)
    assert _texts(bench, tweets, 0.4, 500, seed=3) != _texts(bench, tweets, 0.4, 500, seed=4)


def test_the_generated_config_reads_its_posts_once(bench: ModuleType, tmp_path) -> None:
    """The setup the ingest memory and profile benches share: posts generated into the work
    folder once (a kept folder reuses them), the sample config pointing at them alone."""
    from barometer.config import load_config

    config = load_config(bench.generated_config(tmp_path, 300))
    files = sorted((tmp_path / "posts").glob("x_*.jsonl.gz"))
    pages = [
        json.loads(line) for f in files for line in gzip.decompress(f.read_bytes()).splitlines()
    ]
    assert sum(len(page["data"]) for page in pages) == 300  # X API pages of up to 100 posts
    (social,) = config.sources.social
    assert (social.format, Path(social.path).parent) == ("x_v2", tmp_path / "posts")
    stamps = [f.stat().st_mtime_ns for f in files]
    bench.generated_config(tmp_path, 5000)  # kept: not generated again
    assert [f.stat().st_mtime_ns for f in files] == stamps
    assert sorted((tmp_path / "posts").glob("x_*.jsonl.gz")) == files


_FAKE_CONFIG = "def load_config(path):\n    return path\n"
_FAKE_RUN = """
import types


class {name}:
    def timed(self, label, step):
        return step()


def run_pipeline(config, warehouse, show_progress=True, **options):
    seconds = {{"ingest social": 0.5}}
    {name}().timed("ingest social", lambda: bytearray(2**20))
    return types.SimpleNamespace(manifest={{"step_seconds": seconds, "row_counts": {{"posts": 3}}}})
"""


def _fake_package(root: Path, *, one_module: bool) -> Path:
    """A stand-in ``barometer`` with the run layout of a revision: one ``pipeline.py`` module
    whose step timer is ``_Run`` (1c31110, the default baseline) or the ``pipeline`` package
    whose timer is ``pipeline.state.Run`` (today)."""
    package = root / "barometer"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "config.py").write_text(_FAKE_CONFIG)
    if one_module:
        (package / "pipeline.py").write_text(_FAKE_RUN.format(name="_Run"))
    else:
        (package / "pipeline").mkdir()
        (package / "pipeline" / "state.py").write_text(_FAKE_RUN.format(name="Run"))
        (package / "pipeline" / "__init__.py").write_text("from .state import run_pipeline\n")
    return root


@pytest.mark.parametrize("one_module", [True, False], ids=["baseline_layout", "package_layout"])
def test_the_run_harness_times_steps_in_both_code_layouts(
    bench: ModuleType, tmp_path: Path, one_module: bool
) -> None:
    """The harness that runs a revision in its own process reports per-step peaks whichever
    layout the revision has (the default baseline, 1c31110, predates ``pipeline.state``)."""
    code = _fake_package(tmp_path / "code", one_module=one_module)
    result = bench.run_pipeline_process(
        tmp_path / "scale.toml", tmp_path / "work" / "wh", code=code
    )
    assert result["step_seconds"] == {"ingest social": 0.5}
    assert result["row_counts"] == {"posts": 3}
    assert set(result["step_peak_mib"]) == {"ingest social"}
    assert result["step_peak_mib"]["ingest social"] > 1
