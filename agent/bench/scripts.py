"""What the overhead scripts in `benchmarks/` share: their command line and its checks."""

from __future__ import annotations

import argparse
import os
import sys

from agent.bench.settings import BenchSettings
from safety.steplog.logs import configure_logging


def full_agent_settings(
    description: str, argv: list[str] | None, *, episodes_help: str
) -> BenchSettings:
    """`--episodes N` (default 12) from the command line, as the bench's full-agent settings.

    Also sends the agent's log to stderr at `STEWARD_LOG_LEVEL` (default warning), so the
    table on stdout stays clean.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--episodes", type=int, default=12, help=episodes_help)
    args = parser.parse_args(argv)
    if args.episodes < 1:
        sys.exit("--episodes must be at least 1")
    configure_logging(stream=sys.stderr, level=os.environ.get("STEWARD_LOG_LEVEL", "warning"))
    return BenchSettings.parse(episodes=args.episodes, configs="full")


def machine_note() -> str:
    """CPUs and load average now, for a results line."""
    return f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
