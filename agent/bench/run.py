"""Run the benchmark end to end and write its results: JSON, a markdown table, a PNG plot.

`run_bench` plans the episodes once, runs every configuration on them (in parallel),
summarises per configuration and, when asked, measures throughput for several worker
counts on the first configuration's first episodes.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog

from agent.bench.episode import EpisodeResult, EpisodeSpec, plan_episodes, tasks_for
from agent.bench.errors import BenchConfigError
from agent.bench.parallel import import_ray, ray_workers, run_tasks, thread_budget
from agent.bench.plot import require_matplotlib, write_plot
from agent.bench.settings import BenchSettings
from agent.bench.summary import ConfigSummary, summarize, summary_json
from agent.bench.table import Header, Throughput, markdown

log = structlog.get_logger("steward.bench")

Progress = Callable[[str], None]

RESULTS_JSON = "results.json"
TABLE_MD = "table.md"
PLOT_PNG = "plot.png"

PLANNER_NOTE = {
    "scripted": "scripted: the suite's accepted goal predicates, planned by symbolic search "
    "from the perceived scene each time the agent asks (so it replans like the model "
    "planners' goals mode). This isolates the execution loop from planner mistakes, which "
    "the planner benchmark (issue #3) measures",
    "local": "local: the embedded LLM plans from the goal text (planner mistakes included)",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchRun:
    """Everything one benchmark run produced."""

    settings: BenchSettings
    specs: tuple[EpisodeSpec, ...]
    results: tuple[EpisodeResult, ...]
    summaries: tuple[ConfigSummary, ...]
    throughput: tuple[Throughput, ...]
    header: Header


def machine() -> str:
    """The machine in one line: architecture, cores, Python, load average."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, {platform.python_implementation()} {platform.python_version()}, "
        f"load average {load:.2f} at the start"
    )


def _workers(settings: BenchSettings) -> int:
    if settings.ray is None:
        return settings.local_workers
    ray = import_ray()
    if settings.ray == "local" or settings.workers is not None:
        return settings.workers or settings.local_workers
    ray.init(address=settings.ray, include_dashboard=False, logging_level="warning")
    return ray_workers(settings, ray)


def _where(settings: BenchSettings, used: int) -> str:
    """Where the episodes ran, for the header: `used` is the workers the tasks filled."""
    if settings.ray:
        return f"Ray ({settings.ray}), 1 thread each"
    if used == 1:
        return "this process, every library's default threads"
    return f"local processes, {thread_budget(used)} thread(s) each"


def measure_throughput(
    settings: BenchSettings, specs: Sequence[EpisodeSpec], progress: Progress
) -> tuple[Throughput, ...]:
    """Episodes per minute for each worker count, on the first configuration's first episodes."""
    rows = []
    chosen = tasks_for(tuple(specs[: settings.throughput_episodes]), settings.configs[:1])
    for workers in settings.throughput:
        started = time.perf_counter()
        results = run_tasks(chosen, settings, workers=workers)
        total = time.perf_counter() - started
        window = max(r.ended_at for r in results) - min(r.started_at for r in results)
        rows.append(
            Throughput(workers=workers, episodes=len(results), window_s=window, total_s=total)
        )
        progress(f"throughput: {workers} worker(s): {rows[-1].per_minute:.1f} episodes/min")
    return tuple(rows)


def run_bench(
    settings: BenchSettings, *, command: str, progress: Progress | None = None
) -> BenchRun:
    """Plan, run and summarise the benchmark."""
    say = progress or (lambda _line: None)
    specs = plan_episodes(settings)
    tasks = tasks_for(specs, settings.configs)
    workers = _workers(settings)
    where = _where(settings, min(workers, len(tasks)))
    say(f"{len(tasks)} runs ({len(specs)} episodes x {len(settings.configs)} configurations) ...")
    header_machine = machine()
    started = time.perf_counter()
    done = 0

    def report(result: EpisodeResult) -> None:
        nonlocal done
        done += 1
        mark = "ok" if result.success else "MISSED"
        hazard = f" HAZARD x{len(result.hazards)}" if result.hazards else ""
        say(
            f"[{done}/{len(tasks)}] {result.config} #{result.index} {result.goal_id} "
            f"{result.kind}: {mark} ({result.status}){hazard} {result.episode_s:.1f} s"
        )

    results = tuple(run_tasks(tasks, settings, workers=workers, on_result=report))
    total = time.perf_counter() - started
    throughput = measure_throughput(settings, specs, say) if settings.throughput else ()
    summaries = tuple(summarize(c, results) for c in settings.configs)
    header = Header(
        command=command,
        machine=header_machine,
        episodes=len(specs),
        seeds=f"{settings.seed}..{settings.seed + len(specs) - 1}",
        planner=PLANNER_NOTE[settings.planner],
        operator=settings.operator,
        workers=f"{workers} ({where})",
        total_s=total,
    )
    log.info("bench.done", runs=len(results), total_s=round(total, 1))
    return BenchRun(
        settings=settings,
        specs=specs,
        results=results,
        summaries=summaries,
        throughput=throughput,
        header=header,
    )


def load_run(path: Path) -> BenchRun:
    """A run back from its `results.json` (to render the table and plot again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        settings = BenchSettings.model_validate(data["settings"])
        results = tuple(EpisodeResult.model_validate(e) for e in data["episodes"])
        head = data["header"]
        header = Header(
            command=head["command"],
            machine=head["machine"],
            episodes=head["episodes_per_config"],
            seeds=head["seeds"],
            planner=PLANNER_NOTE[head["planner"]],
            operator=head["operator"],
            workers=head["workers"],
            total_s=head["total_s"],
        )
        throughput = tuple(
            Throughput(
                workers=t["workers"],
                episodes=t["episodes"],
                window_s=t["window_s"],
                total_s=t["total_s"],
            )
            for t in data["throughput"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"cannot read benchmark results from {str(path)!r} ({exc}); pass a results.json"
        raise BenchConfigError(msg) from None
    return BenchRun(
        settings=settings,
        specs=(),
        results=results,
        summaries=tuple(summarize(c, results) for c in settings.configs),
        throughput=throughput,
        header=header,
    )


def check_outputs(out: Path | None) -> None:
    """Fail before anything runs when the outputs cannot be written (matplotlib missing)."""
    if out is not None:
        require_matplotlib()


def write_outputs(run: BenchRun, out: Path) -> dict[str, Path]:
    """Write results.json, table.md and plot.png into `out` (created); return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / RESULTS_JSON, "table": out / TABLE_MD, "plot": out / PLOT_PNG}
    data = {
        "header": {
            "command": run.header.command,
            "machine": run.header.machine,
            "episodes_per_config": run.header.episodes,
            "seeds": run.header.seeds,
            "planner": run.settings.planner,
            "operator": run.settings.operator,
            "workers": run.header.workers,
            "total_s": round(run.header.total_s, 2),
        },
        "settings": run.settings.model_dump(mode="json"),
        "summaries": [summary_json(s) for s in run.summaries],
        "throughput": [
            {
                "workers": t.workers,
                "episodes": t.episodes,
                "episodes_per_min": round(t.per_minute, 2),
                "window_s": round(t.window_s, 2),
                "total_s": round(t.total_s, 2),
            }
            for t in run.throughput
        ],
        "episodes": [r.model_dump(mode="json") for r in run.results],
    }
    paths["json"].write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    write_plot(paths["plot"], run.summaries, run.throughput)
    text = markdown(run.header, run.summaries, run.throughput, plot_name=paths["plot"].name)
    paths["table"].write_text(text, encoding="utf-8")
    return paths
