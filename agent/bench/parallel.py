"""Where episodes run: in this process, on local cores (multiprocessing, spawn), or on Ray.

Each worker process builds its own kitchen once (a few seconds) and runs tasks on it
one after another; results stream back as they finish. The spawn start method gives
every worker a fresh interpreter: MuJoCo's renderer and torch do not survive a fork.
Ray is imported only when `--ray` asks for it.

Workers share the cores (`thread_budget`): each gets cores / workers threads for torch,
OpenMP and OSMesa's llvmpipe rasteriser. Left at their defaults, every worker started a
thread per core for each of them, and two workers on this 2-core VM ran perception and
verification 2-3 times slower and spent half again as long between nodes (30 episodes
each way: 100 -> 34 ms per step perceiving, 15.5 -> 10.3 ms of orchestration overhead).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from multiprocessing import util as mp_util
from pathlib import Path
from typing import Any

import torch

from agent.bench.episode import EpisodeResult, Task, Worker
from agent.bench.errors import INSTALL_HINT, BenchSetupError
from agent.bench.settings import BenchSettings
from safety.steplog.logs import configure_logging

ResultSink = Callable[[EpisodeResult], None]
"""Called with each result as it arrives (progress output)."""

_WORKER: Worker | None = None  # this worker process's kitchen (pool workers only)

RAY_ACTOR_CPUS = 1
"""CPUs a Ray actor reserves, and so the threads it uses."""


def run_tasks(
    tasks: Sequence[Task],
    settings: BenchSettings,
    *,
    workers: int,
    on_result: ResultSink | None = None,
) -> list[EpisodeResult]:
    """Run every task with `workers` workers (Ray when the settings name a cluster)."""
    sink = on_result or (lambda _result: None)
    if settings.store is not None:
        Path(settings.store).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="steward-bench-", dir=settings.store) as root:
        if settings.ray is not None:
            return _run_ray(tasks, settings, workers=workers, sink=sink)
        if workers == 1 or len(tasks) == 1:
            return _run_inline(tasks, settings, Path(root), sink)
        return _run_pool(tasks, settings, Path(root), workers=min(workers, len(tasks)), sink=sink)


def _run_inline(
    tasks: Sequence[Task], settings: BenchSettings, root: Path, sink: ResultSink
) -> list[EpisodeResult]:
    worker = Worker(settings, home=root / "inline")
    results = []
    try:
        for task in tasks:
            results.append(worker.run(task))
            sink(results[-1])
    finally:
        worker.close()
    return results


def thread_budget(workers: int, cores: int | None = None) -> int:
    """Threads each of `workers` processes may use so that together they fill the cores."""
    return max(1, (cores or os.cpu_count() or 1) // max(1, workers))


def limit_threads(threads: int) -> None:
    """Use at most `threads` threads for torch's pool and llvmpipe in this process.

    torch's pool is set at once. The variables reach what reads them later: llvmpipe
    reads `LP_NUM_THREADS` when the renderer's context is made, so call this before the
    kitchen is built; OpenMP and MKL read theirs when they start, in child processes.
    """
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "LP_NUM_THREADS"):
        os.environ[name] = str(threads)
    torch.set_num_threads(threads)


def _init_worker(settings: BenchSettings, root: Path, threads: int) -> None:
    """Pool initializer: its share of threads, quiet logs, one kitchen (closed at exit)."""
    global _WORKER  # noqa: PLW0603 - one kitchen per worker process, built once
    limit_threads(threads)
    configure_logging(stream=sys.stderr, level=os.environ.get("STEWARD_LOG_LEVEL", "warning"))
    _WORKER = Worker(settings, home=root / f"worker-{os.getpid()}")
    mp_util.Finalize(_WORKER, _WORKER.close, exitpriority=10)


def _run_in_worker(task: Task) -> EpisodeResult:
    if _WORKER is None:
        msg = "benchmark worker used before its initializer ran"
        raise RuntimeError(msg)
    return _WORKER.run(task)


def _run_pool(
    tasks: Sequence[Task], settings: BenchSettings, root: Path, *, workers: int, sink: ResultSink
) -> list[EpisodeResult]:
    context = multiprocessing.get_context("spawn")
    threads = thread_budget(workers)
    pool = context.Pool(workers, initializer=_init_worker, initargs=(settings, root, threads))
    results = []
    try:
        for result in pool.imap_unordered(_run_in_worker, tasks):
            results.append(result)
            sink(result)
        pool.close()
        pool.join()  # workers exit normally, so their kitchens are closed
    finally:
        pool.terminate()
    return results


def import_ray() -> Any:  # noqa: ANN401 - Ray is optional and untyped here
    """The `ray` module, or BenchSetupError saying how to install it."""
    try:
        return importlib.import_module("ray")
    except ImportError:
        msg = (
            f"--ray needs Ray, which is not installed: run {INSTALL_HINT} "
            "(or pip install 'ray[default]>=2.40,<3'), or drop --ray to use local cores"
        )
        raise BenchSetupError(msg) from None


class RayWorker:
    """A Ray actor holding one kitchen (the same `Worker` the local pool uses).

    It uses as many threads as it reserves CPUs (`RAY_ACTOR_CPUS`).
    """

    def __init__(self, settings: BenchSettings) -> None:
        limit_threads(RAY_ACTOR_CPUS)
        configure_logging(stream=sys.stderr, level=os.environ.get("STEWARD_LOG_LEVEL", "warning"))
        self.worker = Worker(settings)

    def run(self, task: Task) -> EpisodeResult:
        """Run one task."""
        return self.worker.run(task)

    def close(self) -> None:
        """Close the kitchen and delete this actor's run store."""
        self.worker.close()


def ray_workers(settings: BenchSettings, ray: Any) -> int:  # noqa: ANN401 - the optional module
    """Actors to start: `--workers` when given, else the cluster's CPUs."""
    if settings.workers is not None:
        return settings.workers
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _run_ray(
    tasks: Sequence[Task], settings: BenchSettings, *, workers: int, sink: ResultSink
) -> list[EpisodeResult]:
    ray = import_ray()
    local = settings.ray == "local"
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(
            address=None if local else settings.ray,
            num_cpus=workers if local else None,
            include_dashboard=False,
            logging_level="warning",
        )
    actor = ray.remote(num_cpus=RAY_ACTOR_CPUS)(RayWorker)
    actors = [actor.remote(settings) for _ in range(min(workers, len(tasks)))]
    pool = importlib.import_module("ray.util").ActorPool(actors)
    results = []
    try:
        for result in pool.map_unordered(lambda a, task: a.run.remote(task), tasks):
            results.append(result)
            sink(result)
    finally:
        ray.get([handle.close.remote() for handle in actors])
        for handle in actors:
            ray.kill(handle)
        if started_here:
            ray.shutdown()
    return results
