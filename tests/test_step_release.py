"""A run drops what its later steps do not need: the language detectors once the posts are
ingested, the batch scorers once they are scored (issue 13: the driver's memory across
steps). They are rebuilt on their next use, so a second run in the same process publishes the
same tables."""

from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import FIXTURES

from barometer.config import load_config
from barometer.engine import LocalEngine, tasks
from barometer.nlp import detectors
from barometer.pipeline import run_pipeline, steps

_RUN_COLUMNS = {"run_id", "started_at", "finished_at", "code_version", "step_seconds"}
_HOLDERS = {
    "evidence": detectors.evidence_cache,
    "lingua": detectors.build_detector,
    "fasttext": detectors.build_fast_detector,
    "scorers": tasks._scorer,
}


def _held() -> set[str]:
    return {name for name, cached in _HOLDERS.items() if cached.cache_info().currsize}


class WatchingEngine(LocalEngine):
    """The local engine, noting what is held when each step's work ends (``"<step>:work"``,
    before its releases) and after the whole step."""

    def __init__(self) -> None:
        self.held: dict[str, set[str]] = {}

    def run_steps(self, steps, state) -> None:  # type: ignore[no-untyped-def]
        for step in steps:
            if not step.applies(state):
                continue

            def watched(run, work=step.function, name=step.name):  # type: ignore[no-untyped-def]
                work(run)
                self.held[f"{name}:work"] = _held()

            replace(step, function=watched).run(state)
            self.held[step.name] = _held()


def _published(root: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(root / "barometer.duckdb"), read_only=True) as con:
        names = [
            r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()
        ]
        out = {}
        for name in names:
            frame = con.execute(f'SELECT * FROM "{name}"').df()
            frame = frame.drop(columns=[c for c in frame.columns if c in _RUN_COLUMNS])
            out[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def test_detectors_and_scorers_are_dropped_after_their_steps_and_a_second_run_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(steps, "RELEASE_MODELS_FROM_POSTS", 4)  # the mini city stores 6 posts
    config = load_config(FIXTURES / "mini.toml")
    first, second = WatchingEngine(), WatchingEngine()
    run_pipeline(config, warehouse=tmp_path / "a", show_progress=False, engine=first)
    run_pipeline(config, warehouse=tmp_path / "b", show_progress=False, engine=second)
    for engine in (first, second):
        # the steps did load them (rebuilt in the second run) ...
        assert {"evidence", "fasttext"} <= engine.held["ingest social:work"]
        assert "scorers" in engine.held["score posts:work"]
        # ... and dropped them; no later step loaded them again
        assert not engine.held["ingest social"] & {"evidence", "lingua", "fasttext"}
        for step in ("score posts", "aggregate and indicators", "publish"):
            assert not engine.held[step], (step, engine.held[step])
    a, b = _published(tmp_path / "a"), _published(tmp_path / "b")
    assert a.keys() == b.keys() and "indicators" in a
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def test_a_small_run_keeps_the_models_for_the_next_run(tmp_path: Path) -> None:
    config = load_config(FIXTURES / "mini.toml")
    engine = WatchingEngine()
    run_pipeline(config, warehouse=tmp_path / "a", show_progress=False, engine=engine)
    assert {"evidence", "fasttext", "scorers"} <= engine.held["publish"]
    detector = detectors.build_detector()
    run_pipeline(config, warehouse=tmp_path / "b", show_progress=False)
    assert detectors.build_detector() is detector


def test_lingua_answers_the_same_after_its_models_are_unloaded() -> None:
    texts = ["hej", "Jag litar på mina grannar i Fittja", "merhaba komşular, nasılsınız", "ok"]

    def confidences() -> list[list[tuple[str, float]]]:
        answers = detectors.build_detector().compute_language_confidence_values_in_parallel(texts)
        return [[(r.language.name, round(r.value, 9)) for r in values] for values in answers]

    before = confidences()
    detectors.release_detectors()
    assert not _held() & {"evidence", "lingua", "fasttext"}
    assert confidences() == before  # the unloaded models are loaded again on use
    assert before[1][0][0] == "SWEDISH" and before[2][0][0] == "TURKISH"
