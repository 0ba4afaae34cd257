"""`steward skills ...` for skill developers, and `steward demo` for a first run.

- `skills list`: every skill, its arguments with valid values, and its backends;
- `skills check NAME`: the contract suite on one skill (pytest, filtered to it);
- `skills bench`: seeded success rates per skill variant, judged by scene truth;
- `demo`: a fixed plan of scripted skills in the kitchen (until the planner is wired in).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from skills.registry import all_specs, backends_of, get_spec

TESTS_DIR = Path(__file__).resolve().parent.parent / "tests"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `skills` and `demo`."""
    skills = subparsers.add_parser("skills", help="list, check and benchmark skills")
    sub = skills.add_subparsers(dest="skills_command", metavar="SUBCOMMAND", required=True)
    sub.add_parser("list", help="every skill with its arguments and backends").set_defaults(
        handler=_list
    )
    check = sub.add_parser("check", help="run the skill contract suite on one skill")
    check.add_argument("name", help="skill name, e.g. open")
    check.set_defaults(handler=_check)
    bench = sub.add_parser("bench", help="success rate per skill variant from seeded starts")
    bench.add_argument("--episodes", type=int, default=50, help="episodes per variant")
    bench.add_argument(
        "--only", default="", help="';'-separated: run variants whose label contains one"
    )
    bench.add_argument("--out", type=Path, default=None, help="write the markdown table here")
    bench.set_defaults(handler=_bench)
    demo = subparsers.add_parser("demo", help="run a fixed plan of scripted skills in the kitchen")
    demo.add_argument("--seed", type=int, default=0, help="seed of the randomised start")
    demo.set_defaults(handler=_demo)


def _list(_args: argparse.Namespace) -> int:
    table = Table(title="Skills")
    for col in ("skill", "arguments", "backends", "description"):
        table.add_column(col)
    for spec in all_specs():
        arguments = "; ".join(f"{k}: {'|'.join(v)}" for k, v in spec.argument_choices().items())
        table.add_row(spec.name, arguments, ", ".join(backends_of(spec.name)), spec.description)
    Console().print(table)
    return 0


def _check(args: argparse.Namespace) -> int:
    get_spec(args.name)  # unknown names fail here with the list of valid ones
    env = {**os.environ, "STEWARD_SKILL": args.name}
    cmd = [sys.executable, "-m", "pytest", "-q", str(TESTS_DIR / "skills" / "test_contract.py")]
    return subprocess.call(cmd, env=env)  # noqa: S603 - fixed argv, our own interpreter


def _bench(args: argparse.Namespace) -> int:
    from skills.kitchen.bench import run_bench  # noqa: PLC0415 - imports the simulator

    text = run_bench(episodes=args.episodes, only=args.only, progress=Console(stderr=True))
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


DEMO_PLAN = (
    ("open", {"target": "microwave"}),
    ("turn_on", {"target": "light"}),
    ("close", {"target": "slide_cabinet"}),
)


def _demo(args: argparse.Namespace) -> int:
    from embodiments.base import SceneEvent  # noqa: PLC0415
    from embodiments.registry import make_embodiment  # noqa: PLC0415 - imports the simulator
    from skills.registry import make_skill  # noqa: PLC0415

    console = Console()
    console.print(
        "[bold]Demo:[/] a FIXED plan of scripted skills in the Franka Kitchen "
        "(the LLM planner and critic are not wired into this command yet)."
    )
    kitchen = make_embodiment("franka_kitchen")
    kitchen.reset(args.seed)
    kitchen.inject(SceneEvent("open", "slide_cabinet"))  # type: ignore[attr-defined]
    failures = 0
    for name, arguments in DEMO_PLAN:
        spec = get_spec(name)
        typed = spec.validate_arguments(arguments)
        result = make_skill(name).run(kitchen, typed)
        _, effects = spec.ground(typed)
        atoms = kitchen.scene_truth().atoms
        ok = all(e.holds_in(atoms) for e in effects)
        failures += int(not ok)
        mark = "[green]done[/]" if ok else "[red]failed[/]"
        console.print(f"  {name}({', '.join(arguments.values())}): {mark} — {result.message}")
    truth = kitchen.scene_truth()
    console.print(f"scene truth (evaluation only): {sorted(map(str, truth.atoms))}")
    console.print(
        f"gymnasium-robotics tasks complete: {', '.join(truth.completed_tasks) or 'none'}"
    )
    kitchen.close()
    return 0 if failures == 0 else 1
