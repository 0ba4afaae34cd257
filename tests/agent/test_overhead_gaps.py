"""The graph-gap profile accounts for every node run and stream, and leaves no trace behind."""

from __future__ import annotations

from pathlib import Path

from langgraph.pregel import Pregel

from agent import graph
from agent.bench.summary import TimeBreakdown


def test_every_node_run_and_stream_has_its_gap_and_the_graph_is_put_back(
    benchmark_script, fake_bench, tmp_path: Path
) -> None:
    module = benchmark_script("overhead_gaps")
    nodes, stream = dict(graph.NODES), Pregel.stream
    settings = fake_bench(episodes=2, perturbations="door_closed", goals="multi-01")
    results, gaps = module.measure(settings, home=tmp_path)
    total = TimeBreakdown.of(results)
    assert [r.success for r in results] == [True, True]
    starts, between, inline, ends = (gaps[kind] for kind in module.GAPS)
    assert len(starts) == len(ends) == len(results)  # one stream per run
    assert len(starts) + len(between) + len(inline) == total.graph_steps
    assert len(inline) > len(between)  # most nodes run inside the super-step before them
    assert all(0 < s < total.wall_s for s in starts + between + inline + ends)
    table = "\n".join(module.rows(results, gaps))
    assert "| between super-steps | " in table
    assert "| bench: orchestration overhead |" in table
    assert nodes == graph.NODES
    assert Pregel.stream is stream
