"""The `steward` command line: one entry point, sub-commands contributed by small modules.

Each module in `COMMAND_MODULES` exposes `register(subparsers)`, which adds its
sub-commands and sets `handler` on each parser: a function `(args) -> int` (the exit
status). Errors meant for the person at the terminal are caught here and printed as one
plain sentence; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from rich.console import Console

from agent.errors import AgentError
from embodiments.errors import EmbodimentError
from embodiments.registry import PluginLoadError
from planner.errors import PlannerError
from safety.errors import SafetyError
from safety.steplog.errors import StepLogError
from safety.steplog.logs import configure_logging
from skills.errors import SkillError

COMMAND_MODULES: tuple[str, ...] = (
    "agent.cli_run",
    "agent.cli_skills",
    "agent.cli_vla",
    "agent.cli_plan",
    "agent.cli_audit",
    "agent.cli_safety",
    "agent.cli_bench",
)

# Errors whose message tells a person what to fix; shown without a traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (
    AgentError,
    EmbodimentError,
    SkillError,
    PluginLoadError,
    SafetyError,
    StepLogError,  # a run's log altered or locked: the message names the run and the check
    PlannerError,
    FileNotFoundError,
    PermissionError,
)

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every module's sub-commands."""
    parser = argparse.ArgumentParser(
        prog="steward",
        description="Steward: household goals -> planned, checked, verified robot skills.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(stream=sys.stderr, level=os.environ.get("STEWARD_LOG_LEVEL", "warning"))
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        status: int = handler(args)
    except USER_ERRORS as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        return EXIT_USAGE
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors()
        )
        Console(stderr=True).print(f"[bold red]error:[/] invalid setting: {problems}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        Console(stderr=True).print("[yellow]interrupted[/]")
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
