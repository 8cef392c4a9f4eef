"""Engines: they run a declared list of steps in its order (:meth:`Engine.run_steps`, the
lists in :mod:`barometer.pipeline.steps`) and decide where the per-partition tasks of the
score and aggregate steps run.

- ``local`` (the default, :class:`~barometer.engine.local.LocalEngine`): one after the other
  in this process;
- ``dask`` (:class:`~barometer.engine.dask.DaskEngine`): as tasks on a ``dask.distributed``
  cluster (a scheduler address, or a :class:`~dask.distributed.LocalCluster` on this
  machine), each worker reading its partitions from the warehouse path, or from an fsspec
  URL the driver mirrors the parts to (``--workers-read s3://...``), and loading the models
  once.

Both run the same functions (:mod:`barometer.engine.tasks`) over the same Parquet layout, and
the driver stores their results in the same order, so they publish the same tables.
"""

from __future__ import annotations

from barometer.engine.local import Engine, LocalEngine

ENGINES = ("local", "dask")


def make_engine(
    name: str,
    scheduler: str | None = None,
    workers: int | None = None,
    workers_read: str | None = None,
) -> Engine:
    """The engine called ``name`` (``local`` or ``dask``; ``scheduler``: a Dask scheduler
    address, default a LocalCluster of ``workers`` processes; ``workers_read``: the fsspec URL
    the Dask workers read the warehouse from, default its folder)."""
    from barometer.exceptions import ConfigError

    if name == "local":
        if workers_read is not None:
            raise ConfigError("--workers-read needs --engine dask")
        return LocalEngine()
    if name == "dask":
        from barometer.engine.dask import DaskEngine

        return DaskEngine(scheduler=scheduler, workers=workers, workers_read=workers_read)
    raise ConfigError(f"unknown engine '{name}'; choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "LocalEngine", "make_engine"]
