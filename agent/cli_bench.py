"""`steward bench`: closed-loop success under perturbations, against open-loop and no-critic.

Runs seeded kitchen episodes in parallel (all local cores by default, or a Ray cluster),
prints progress and the markdown table, and with `--out DIR` writes `results.json`,
`table.md` and `plot.png` there.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from rich.console import Console

from agent.bench.errors import BenchConfigError
from agent.bench.perturb import Kind
from agent.bench.settings import BENCH_CONFIGS, BenchSettings


def _ints(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        msg = f"expected ','-separated worker counts such as 1,2; got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `bench`."""
    bench = subparsers.add_parser(
        "bench",
        help="closed-loop benchmark: success under perturbations vs open loop and no critic",
        description=__doc__,
    )
    bench.add_argument("--episodes", type=int, default=30, help="episodes per configuration")
    bench.add_argument(
        "--goals", default="", help="keep suite goal ids containing one of these ','-parts"
    )
    bench.add_argument(
        "--configs", default=",".join(BENCH_CONFIGS), help="','-separated configurations"
    )
    bench.add_argument(
        "--perturbations",
        default=",".join(Kind),
        help="','-separated kinds, one per episode in turn ('none' = unperturbed)",
    )
    bench.add_argument(
        "--workers", type=int, default=None, help="parallel workers (default: all local cores)"
    )
    bench.add_argument(
        "--ray", metavar="ADDRESS", default=None, help="run on a Ray cluster, or 'local'"
    )
    bench.add_argument("--planner", choices=("scripted", "local"), default="scripted")
    bench.add_argument(
        "--operator",
        choices=("resident", "nobody"),
        default="resident",
        help="who answers approvals (resident: yes unless someone is at the stove)",
    )
    bench.add_argument("--seed", type=int, default=0, help="first kitchen seed")
    bench.add_argument(
        "--store",
        type=Path,
        default=None,
        help="folder for the runs' step logs and checkpoints (default: a temp dir; "
        "/dev/shm shows the time without disk fsync)",
    )
    bench.add_argument("--out", type=Path, default=None, help="write JSON, table and plot here")
    bench.add_argument(
        "--throughput", type=_ints, default=(), help="measure episodes/min for these workers"
    )
    bench.add_argument(
        "--throughput-episodes", type=int, default=8, help="episodes per throughput point"
    )
    bench.add_argument(
        "--render",
        type=Path,
        default=None,
        metavar="RESULTS_JSON",
        help="run nothing: write the table and plot of a saved results.json into --out",
    )
    bench.set_defaults(handler=_bench)


def _bench(args: argparse.Namespace) -> int:
    from agent.bench.run import (  # noqa: PLC0415 - imports the simulator and the agent
        check_outputs,
        load_run,
        run_bench,
        write_outputs,
    )

    if args.render is not None:
        if args.out is None:
            msg = "--render needs --out DIR for the table and plot"
            raise BenchConfigError(msg)
        check_outputs(args.out)
        paths = write_outputs(load_run(args.render), args.out)
        Console(stderr=True).print("wrote " + ", ".join(str(p) for p in paths.values()))
        return 0

    settings = BenchSettings.parse(
        episodes=args.episodes,
        goals=args.goals,
        configs=args.configs,
        perturbations=args.perturbations,
        workers=args.workers,
        ray=args.ray,
        planner=args.planner,
        operator=args.operator,
        seed=args.seed,
        throughput=args.throughput,
        throughput_episodes=args.throughput_episodes,
        store=args.store,
    )
    check_outputs(args.out)
    err = Console(stderr=True, highlight=False)
    command = shlex.join(["steward", *sys.argv[1:]])
    run = run_bench(settings, command=command, progress=err.print)
    if args.out is not None:
        paths = write_outputs(run, args.out)
        err.print("wrote " + ", ".join(str(p) for p in paths.values()))
        print(paths["table"].read_text(encoding="utf-8"))
    else:
        from agent.bench.table import markdown  # noqa: PLC0415 - with the rest of the bench

        print(markdown(run.header, run.summaries, run.throughput))
    return 0
