"""What the agent's durable checkpoints add to its orchestration overhead, in real runs.

    python benchmarks/overhead_saves.py [--episodes 12]

Runs the benchmark's full-agent episodes (`steward bench`'s seeds, goals and
perturbations, in the default kitchen) in one process, each episode once per way of
saving the run's state, in rotating order so that the machine's drift falls on every
variant alike:

- the agent's: SQLite after every super-step, in a background thread (durability "async"),
  the database kept open from one run to the next as `steward bench`'s workers keep it;
- the same, the database opened and closed with each run, as `steward run` (one goal per
  process) does;
- in memory after every super-step, in the background: the same LangGraph bookkeeping with no
  disk and no SQLite;
- in memory at the end of each stream only (durability "exit"): what LangGraph costs
  with no per-node saves at all. A killed run could not resume: not an option for the
  agent, only the floor under its choice.

Overhead is what `steward bench` reports: wall time outside the timed node phases.
"""

from __future__ import annotations

from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from agent.bench.episode import EpisodeResult, Worker, plan_episodes, tasks_for
from agent.bench.scripts import full_agent_settings, machine_note
from agent.bench.settings import BenchSettings
from agent.bench.summary import TimeBreakdown
from agent.checkpoint import Saving, serializer


def _in_memory(path: Path) -> BaseCheckpointSaver[str]:
    del path  # nothing on disk
    return InMemorySaver(serde=serializer())


def variants(bench: Saving) -> dict[str, Saving]:
    """Each way of saving by name; the first is `bench`, the bench worker's own."""
    return {
        "SQLite after every super-step, background, kept open (the bench)": bench,
        "SQLite, opened and closed with each run (`steward run`)": Saving(),
        "in memory after every super-step, background": Saving(open=_in_memory),
        "in memory at stream end only (no resume)": Saving(open=_in_memory, durability="exit"),
    }


def row(name: str, results: list[EpisodeResult]) -> str:
    """One variant's table row, from the bench's own time breakdown."""
    t = TimeBreakdown.of(results)
    logging = t.phases_s["logging"]
    return (
        f"| {name} | {len(results)} | {sum(r.success for r in results)} | {t.steps} "
        f"| {t.graph_steps / max(t.steps, 1):.1f} "
        f"| {t.per_step_ms(t.overhead_s):.1f} | {t.per_step_ms(logging):.1f} "
        f"| {t.per_step_ms(t.overhead_s - logging):.1f} | {100 * t.share(t.overhead_s):.2f}% |"
    )


def measure(settings: BenchSettings, home: Path | None = None) -> dict[str, list[EpisodeResult]]:
    """Each planned full-agent episode once per variant, in rotating order (one worker)."""
    tasks = tasks_for(plan_episodes(settings), ("full",))
    worker = Worker(settings, home=home)
    saving = variants(worker.saving)
    results: dict[str, list[EpisodeResult]] = {name: [] for name in saving}
    try:
        worker.run(tasks[0])  # warm up: imports, the kitchen's first renders, the CNN
        names = list(saving)
        for index, task in enumerate(tasks):
            shift = index % len(names)
            for name in names[shift:] + names[:shift]:
                worker.saving = saving[name]
                results[name].append(worker.run(task))
    finally:
        worker.close()
    return results


def main(argv: list[str] | None = None) -> None:
    """Run the episodes under every variant and print the table in markdown."""
    settings = full_agent_settings(
        __doc__.splitlines()[0], argv, episodes_help="episodes per variant"
    )
    results = measure(settings)
    print(f"Full agent, {settings.episodes} episodes per variant ({machine_note()})")
    print()
    print(
        "| saving | episodes | succeeded | steps | graph steps per step | overhead ms/step "
        "| of which step log | graph, checkpoints, runner | share of wall |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, ran in results.items():
        print(row(name, ran))


if __name__ == "__main__":
    main()
