"""`steward skills ...` for skill developers.

- `skills list`: every skill, its arguments with valid values, and its backends;
- `skills check NAME`: the contract suite on one skill (pytest, filtered to it);
- `skills bench`: seeded success rates per skill variant, judged by scene truth;
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
    """Add `skills`."""
    skills = subparsers.add_parser("skills", help="list, check and benchmark skills")
    skills.set_defaults(handler=_list)  # plain `steward skills` lists the catalog
    sub = skills.add_subparsers(dest="skills_command", metavar="SUBCOMMAND")
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
