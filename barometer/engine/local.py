"""The default engine: every per-partition task in this process, one after the other."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any


class Engine:
    """Runs a function over items and yields the results in the items' order."""

    name = "engine"

    def map(self, function: Callable[..., Any], items: Sequence[Any], *args: Any) -> Iterator[Any]:
        raise NotImplementedError

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
