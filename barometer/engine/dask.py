"""The Dask engine: per-partition tasks on a ``dask.distributed`` cluster.

With a scheduler address the tasks go to that cluster's workers, which must have the package
installed (same version) and see the warehouse: at the same path (a shared file system), or
at the fsspec URL ``workers_read`` (``s3://bucket/warehouse``), where the driver keeps a
mirror of the parts they read (:mod:`barometer.warehouse_mirror`; see ``docs/SCALE.md``).
Without one, a :class:`~distributed.LocalCluster` of worker processes is started on this
machine for the run and closed after it. Each worker loads the models once
(:func:`barometer.engine.tasks.scorer` is cached per process) and reads only the partitions it
is given; the results come back to the driver, which holds the writers' lock and stores them in
the order of the partitions, as the local engine does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from barometer.engine.local import Engine
from barometer.exceptions import ConfigError
from barometer.schema import Table
from barometer.warehouse import Warehouse
from barometer.warehouse_mirror import MirrorCounts, mirror_parts
from barometer.warehouse_view import is_url, url_filesystem

#: tasks in flight per worker: enough to keep workers busy, few enough to bound the driver's
#: memory (results wait in order)
_IN_FLIGHT_PER_WORKER = 2


class DaskEngine(Engine):
    """Per-partition tasks on a Dask cluster (``scheduler`` address, or a LocalCluster)."""

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        workers_read: str | None = None,
        processes: bool = True,
    ) -> None:
        """``workers_read``: the fsspec URL the workers read the warehouse from (None: its
        folder path); ``processes``: a LocalCluster of worker processes (False: threads of
        this process, which share its in-memory file systems)."""
        if workers_read is not None:
            if not is_url(workers_read):
                raise ConfigError(
                    f"--workers-read takes an fsspec URL such as s3://bucket/warehouse, "
                    f"not '{workers_read}' (workers that share the driver's folder need none)"
                )
            url_filesystem(workers_read)  # the protocol's package, checked before starting
        self.workers_read = workers_read
        self.mirrored = MirrorCounts()
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            raise ConfigError(
                "the dask engine needs dask.distributed: pip install 'dask[distributed]'"
            ) from exc
        self.cluster = None
        if scheduler is None:
            n = workers or max(1, min(4, os.cpu_count() or 1))
            self.cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
                # worker processes talk over TCP on this machine only; threads in process
                **({"host": "127.0.0.1"} if processes else {"protocol": "inproc://"}),
            )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(scheduler, timeout="10s")
            except OSError as exc:
                raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        self.n_workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, function: Callable[..., Any], items: Sequence[Any], *args: Any) -> Iterator[Any]:
        """``function(item, *args)`` on the workers; results yielded in the items' order,
        with at most a few tasks per worker in flight."""
        limit = _IN_FLIGHT_PER_WORKER * self.n_workers
        pending: list[Any] = []
        queue = list(items)
        while queue or pending:
            while queue and len(pending) < limit:
                item = queue.pop(0)
                pending.append(self.client.submit(function, item, *args, pure=False))
            future = pending.pop(0)
            yield future.result()
            future.release()

    def worker_root(self, store: Warehouse, tables: Sequence[Table]) -> str:
        """The warehouse's folder, or the ``workers_read`` URL once it mirrors the parts of
        ``tables`` (counted in :attr:`mirrored`)."""
        if self.workers_read is None:
            return str(store.root)
        done = mirror_parts(store, self.workers_read, tables)
        self.mirrored.uploaded += done.uploaded
        self.mirrored.uploaded_bytes += done.uploaded_bytes
        self.mirrored.deleted += done.deleted
        return self.workers_read

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
