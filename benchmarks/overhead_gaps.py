"""Where the graph's part of the orchestration overhead goes, in real runs.

    python benchmarks/overhead_gaps.py [--episodes 12]

Runs the bench's full-agent episodes (`steward bench`'s seeds, goals and perturbations,
in the default kitchen) in one process with every node's start and end and every
LangGraph stream's start and end timestamped, and reports the time between them by
kind of gap:

- a stream's start to its first node (one stream per run, or per resume): LangGraph
  loading the run's last checkpoint, starting the thread that saves checkpoints,
  preparing the first task;
- one super-step's last node's end to the next super-step's first node's start:
  applying the update, saving a checkpoint (in the background), choosing and preparing
  the next task;
- one node's end to the next node's start inside a super-step (`agent.graph.INLINE`):
  the agent's own routing and merging of the updates;
- the last node's end to the stream's end: the final save, waiting for the saving
  thread, closing the stream.

Together with the step log they make up `steward bench`'s orchestration overhead. The
node table and `Pregel.stream` are wrapped for the measurement and put back afterwards;
the graph the agent runs is otherwise unchanged.
"""

from __future__ import annotations

import contextlib
import functools
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.pregel import Pregel

from agent import graph
from agent.bench.episode import EpisodeResult, Worker, plan_episodes, tasks_for
from agent.bench.scripts import full_agent_settings, machine_note
from agent.bench.settings import BenchSettings
from agent.bench.summary import TimeBreakdown

STREAM = "(stream)"
GAPS = (
    "stream start -> first node",
    "between super-steps",
    "between nodes inside a super-step",
    "last node -> stream end",
)


@dataclass
class Trace:
    """Timestamped events: ("in" | "out", node) and ("start" | "end", STREAM)."""

    events: list[tuple[str, str, float]] = field(default_factory=list)

    def mark(self, kind: str, name: str) -> None:
        """Record one event now."""
        self.events.append((kind, name, time.perf_counter()))

    def gaps(self) -> dict[str, list[float]]:
        """Seconds of each gap, by kind (`GAPS`); time between streams is not a gap."""
        found: dict[str, list[float]] = {kind: [] for kind in GAPS}
        pairs = zip(self.events, self.events[1:], strict=False)
        for (kind, _, at), (then, name, later) in pairs:
            if kind == "start" and then == "in":
                found[GAPS[0]].append(later - at)
            elif kind == "out" and then == "in":
                found[GAPS[2] if name in graph.INLINE else GAPS[1]].append(later - at)
            elif kind == "out" and then == "end":
                found[GAPS[3]].append(later - at)
        return found


def _traced(node: graph.Node, name: str, trace: Trace) -> graph.Node:
    @functools.wraps(node)
    def run(state: Any, *, runtime: Any) -> Any:  # noqa: ANN401 - the node's own types
        trace.mark("in", name)
        try:
            return node(state, runtime=runtime)
        finally:
            trace.mark("out", name)

    return run


@contextlib.contextmanager
def traced() -> Iterator[Trace]:
    """Trace nodes and streams of every graph built inside the block."""
    trace = Trace()
    nodes = dict(graph.NODES)
    stream: Callable[..., Iterator[Any]] = Pregel.stream

    def traced_stream(
        self: Pregel[Any, Any, Any, Any],
        *args: Any,  # noqa: ANN401 - passed through to LangGraph
        **kwargs: Any,  # noqa: ANN401
    ) -> Iterator[Any]:
        trace.mark("start", STREAM)
        yield from stream(self, *args, **kwargs)
        trace.mark("end", STREAM)

    for name, (node, phase) in nodes.items():
        graph.NODES[name] = (_traced(node, name, trace), phase)
    graph._compiled.cache_clear()  # rebuild with the traced nodes
    Pregel.stream = traced_stream  # type: ignore[method-assign]
    try:
        yield trace
    finally:
        Pregel.stream = stream  # type: ignore[method-assign]
        graph.NODES.update(nodes)
        graph._compiled.cache_clear()  # back to the untraced nodes


def measure(
    settings: BenchSettings, home: Path | None = None
) -> tuple[list[EpisodeResult], dict[str, list[float]]]:
    """The planned full-agent episodes (after one warm-up run) and their gaps."""
    tasks = tasks_for(plan_episodes(settings), ("full",))
    with traced() as trace:
        worker = Worker(settings, home=home)
        try:
            worker.run(tasks[0])  # warm up: imports, the kitchen's first renders, the CNN
            trace.events.clear()
            results = [worker.run(task) for task in tasks]
        finally:
            worker.close()
    return results, trace.gaps()


def rows(results: list[EpisodeResult], gaps: dict[str, list[float]]) -> list[str]:
    """The markdown table: each kind of gap, their sum, and the bench's own figures."""
    t = TimeBreakdown.of(results)
    lines = [
        "| gap | count | mean ms | ms per step |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind, seconds in gaps.items():
        mean = 1000 * statistics.fmean(seconds) if seconds else 0.0
        lines.append(
            f"| {kind} | {len(seconds)} | {mean:.2f} | {t.per_step_ms(sum(seconds)):.2f} |"
        )
    total = sum(sum(seconds) for seconds in gaps.values())
    lines.append(f"| all gaps | | | {t.per_step_ms(total):.2f} |")
    logging = t.phases_s["logging"]
    lines.append(f"| bench: graph + checkpoints | | | {t.per_step_ms(t.graph_s):.2f} |")
    lines.append(f"| bench: step log | | | {t.per_step_ms(logging):.2f} |")
    lines.append(f"| bench: orchestration overhead | | | {t.per_step_ms(t.overhead_s):.2f} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    """Run the episodes traced and print the table in markdown."""
    settings = full_agent_settings(
        __doc__.splitlines()[0], argv, episodes_help="full-agent episodes"
    )
    results, gaps = measure(settings)
    t = TimeBreakdown.of(results)
    print(
        f"Full agent, {len(results)} episodes, {t.steps} steps, {t.graph_steps} node runs, "
        f"{sum(r.success for r in results)} succeeded ({machine_note()})"
    )
    print()
    print("\n".join(rows(results, gaps)))


if __name__ == "__main__":
    main()
