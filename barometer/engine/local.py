"""The default engine: every per-partition task in this process, one after the other."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from barometer.schema import Table
    from barometer.warehouse import Warehouse


class Step(Protocol):
    """What an engine runs: a step of a declared list (see :mod:`barometer.pipeline.steps`)."""

    def applies(self, state: Any) -> bool: ...

    def run(self, state: Any) -> None: ...


class Engine:
    """Runs a declared list of steps in order, and a function over items (the per-partition
    work inside a step), yielding the results in the items' order."""

    name = "engine"

    def run_steps(self, steps: Iterable[Step], state: Any) -> None:
        """Run each of ``steps`` that applies to ``state``, in the list's order; their
        per-partition work goes through this engine's :meth:`map`."""
        for step in steps:
            if step.applies(state):
                step.run(state)

    def map(self, function: Callable[..., Any], items: Sequence[Any], *args: Any) -> Iterator[Any]:
        raise NotImplementedError

    def worker_root(self, store: Warehouse, tables: Sequence[Table]) -> str:
        """The root the tasks of :meth:`map` read ``store`` from (a folder path, or an fsspec
        URL the engine first makes hold the parts of ``tables``, the ones they read): here,
        the warehouse's own folder."""
        return str(store.root)

    def close(self) -> None:
        """Release what the engine holds (a cluster)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalEngine(Engine):
    """``function(item, *args)`` for each item, here, lazily."""

    name = "local"

    def map(self, function: Callable[..., Any], items: Sequence[Any], *args: Any) -> Iterator[Any]:
        for item in items:
            yield function(item, *args)
