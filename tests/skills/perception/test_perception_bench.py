"""The perception benchmark's scoring of the kettle's place (no rendering)."""

from __future__ import annotations


def test_the_kettle_place_counts_only_when_every_burner_atom_matches(benchmark_script) -> None:
    bench = benchmark_script("perception_bench")
    on_tl, on_tr = "on(kettle, top_left_burner)", "on(kettle, top_right_burner)"
    truth = [frozenset({on_tl}), frozenset(), frozenset({on_tr})]
    predicted = [
        {on_tl: True, on_tr: False},  # right
        {on_tl: True, on_tr: False},  # says on a burner, the kettle is elsewhere
        {on_tl: False, on_tr: True, "holding(kettle)": True},  # right: holding is not a place
    ]
    assert bench.kettle_right(predicted, truth) == 2
