"""The skill success benchmark: every kitchen skill variant over seeded randomised starts."""

from __future__ import annotations

import platform
import time

from rich.console import Console

from embodiments.registry import make_embodiment
from skills.kitchen.episodes import all_variants, run_episode

TARGET_RATE = 0.95


def run_bench(*, episodes: int, only: str = "", progress: Console | None = None) -> str:
    """Run the benchmark and return a markdown table (with the machine it ran on)."""
    kitchen = make_embodiment("franka_kitchen", cameras=())
    rows = []
    started = time.monotonic()
    for variant in all_variants():
        # ";" separates filters: labels themselves contain commas.
        if only and not any(part and part in variant.label for part in only.split(";")):
            continue
        results = [run_episode(kitchen, variant, seed) for seed in range(episodes)]
        wins = sum(r.success for r in results)
        mean_s = sum(r.wall_s for r in results) / len(results)
        first_failure = next((r for r in results if not r.success), None)
        note = (
            "" if first_failure is None else f"seed {first_failure.seed}: {first_failure.message}"
        )
        mark = "yes" if wins / episodes >= TARGET_RATE else "**no**"
        rows.append(
            f"| {variant.label} | {wins}/{episodes} | {mark} | {mean_s:.1f} | {note[:90]} |"
        )
        if progress is not None:
            failed = ", ".join(str(r.seed) for r in results if not r.success)
            progress.print(
                f"{variant.label}: {wins}/{episodes}"
                + (f" (failed seeds: {failed})" if failed else "")
            )
    kitchen.close()
    header = [
        f"Seeds 0..{episodes - 1}, randomised starts; success = the spec's effects hold in scene"
        f" truth. Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, total {time.monotonic() - started:.0f} s.",
        "",
        "| skill | success | >= 95% | s/episode | first failure |",
        "| --- | --- | --- | --- | --- |",
    ]
    return "\n".join(header + rows)
