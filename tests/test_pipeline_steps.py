"""The pipeline is a declared list of steps that the engine runs in order: each step reads
only what the inputs or an earlier step wrote, and the run's manifest times exactly the
steps it took, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometer.config import load_config
from barometer.engine import LocalEngine
from barometer.pipeline import STEPS, Step, run_ingest, run_pipeline
from barometer.pipeline.steps import FETCH_STEPS, INGEST_STEPS, REPUBLISH_STEPS
from barometer.schema import TABLES

FIXTURES = Path(__file__).parent / "fixtures"
DERIVED = {"derived", "published"}


@pytest.mark.parametrize(
    "steps",
    [STEPS, INGEST_STEPS, FETCH_STEPS, REPUBLISH_STEPS],
    ids=["run", "ingest", "fetch", "republish"],
)
def test_every_step_reads_inputs_stored_tables_or_what_an_earlier_step_wrote(steps) -> None:
    written: set[str] = set()
    for step in steps:
        for name in step.reads:
            known = name.startswith("input:") or name in TABLES or name in written
            assert known, (step.name, name)
            if name in DERIVED:  # held in memory: only an earlier step of this run makes it
                assert name in written, (step.name, name)
        for name in step.writes:
            assert name in TABLES or name in DERIVED, (step.name, name)
        written |= set(step.writes)


def test_step_names_are_unique_and_the_run_ends_by_publishing() -> None:
    names = [step.name for step in STEPS]
    assert len(names) == len(set(names))
    assert names[-2:] == ["aggregate and indicators", "publish"]
    assert names.index("score posts") > max(
        i for i, s in enumerate(STEPS) if "posts" in s.writes and s.name != "score posts"
    )


class RecordingEngine(LocalEngine):
    """The local engine, noting the steps it was given and the per-partition calls."""

    def __init__(self) -> None:
        self.ran: list[str] = []
        self.mapped: list[str] = []

    def run_steps(self, steps, state) -> None:  # type: ignore[no-untyped-def]
        steps = list(steps)
        self.ran = [step.name for step in steps if step.applies(state)]
        super().run_steps(steps, state)

    def map(self, function, items, *args):  # type: ignore[no-untyped-def]
        self.mapped.append(function.__name__)
        return super().map(function, items, *args)


def test_the_engine_runs_the_declared_list_and_the_manifest_times_each_step(tmp_path) -> None:
    engine = RecordingEngine()
    config = load_config(FIXTURES / "mini.toml")
    report = run_pipeline(config, warehouse=tmp_path / "wh", show_progress=False, engine=engine)
    expected = [step.name for step in STEPS if step.name != "fetch live sources"]
    assert engine.ran == expected  # no live source configured, no fetch option: no fetch
    assert list(report.manifest["step_seconds"]) == expected
    assert all(seconds >= 0 for seconds in report.manifest["step_seconds"].values())
    # the per-partition work of the score and aggregate steps (term summaries too) went through
    # this engine
    assert engine.mapped == ["score_partition", "summarise", "summarise_terms"]
    assert "steps" not in report.manifest


def test_an_ingest_run_takes_the_ingest_steps_only(tmp_path) -> None:
    report = run_ingest(load_config(FIXTURES / "mini.toml"), warehouse=tmp_path / "wh")
    assert list(report.manifest["step_seconds"]) == [step.name for step in INGEST_STEPS]
    assert report.manifest["steps"] == ["ingest"]
    assert report.manifest["new_rows"]["post_scores"] == 0


def test_a_step_that_does_not_apply_is_not_run(tmp_path) -> None:
    calls: list[str] = []
    never = Step(
        "never", lambda run: calls.append("never"), reads=(), writes=(), when=lambda run: False
    )
    once = Step("once", lambda run: calls.append("once"), reads=(), writes=())

    class State:
        def __init__(self) -> None:
            self.step_seconds: dict[str, float] = {}

        def timed(self, label, step):  # type: ignore[no-untyped-def]
            self.step_seconds[label] = 0.0
            return step()

    state = State()
    LocalEngine().run_steps([never, once], state)
    assert calls == ["once"] and list(state.step_seconds) == ["once"]
