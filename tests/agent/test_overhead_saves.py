"""The checkpoint-cost benchmark runs every variant on the same episodes (fake kitchen)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from agent.bench.summary import TimeBreakdown
from agent.checkpoint import Saving


def test_every_variant_runs_the_episode_and_only_the_sqlite_ones_save_to_sqlite(
    benchmark_script, fake_bench, tmp_path: Path
) -> None:
    module = benchmark_script("overhead_saves")
    settings = fake_bench(episodes=1, perturbations="door_closed", goals="multi-01")
    results = module.measure(settings, home=tmp_path)
    assert list(results) == list(module.variants(Saving()))
    for ran in results.values():
        total = TimeBreakdown.of(ran)
        assert (len(ran), sum(r.success for r in ran)) == (1, 1)
        assert total.steps >= 2
        assert total.graph_steps > total.steps
        assert 0 < total.phases_s["logging"] < total.overhead_s < total.wall_s
    name, ran = next(iter(results.items()))
    assert module.row(name, ran).startswith(f"| {name} | 1 | 1 | ")
    with closing(sqlite3.connect(tmp_path / "state.sqlite")) as db:
        (threads,) = db.execute("SELECT COUNT(DISTINCT thread_id) FROM checkpoints").fetchone()
    assert threads == 3  # the warm-up run and the two SQLite variants'; none in memory
