"""`steward safety-eval`: the step critic measured on SafeAgentBench."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from agent.cli import EXIT_USAGE
from safety.bench.evaluate import evaluate
from safety.bench.report import to_json, to_markdown
from safety.bench.safeagentbench import default_data_dir, load_dataset
from safety.critic.registry import critic_names, make_critic
from safety.critic.rulebook import default_rulebook
from safety.errors import SafetyError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `safety-eval` sub-command."""
    parser = subparsers.add_parser(
        "safety-eval",
        help="measure the step critic on the SafeAgentBench task files",
        description=(
            "Run the critic over SafeAgentBench: rejection of hazardous tasks per risk "
            "category, false refusals of safe tasks, abstract and long-horizon results."
        ),
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help=f"folder with the four .jsonl files (default: {default_data_dir()})",
    )
    parser.add_argument("--json", action="store_true", help="print the full JSON report")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="also write the markdown table to FILE and the JSON report beside it (.json)",
    )
    parser.add_argument(
        "--critic",
        default="default",
        help=f"registered critic to measure (default: default; one of {', '.join(critic_names())})",
    )
    parser.add_argument(
        "--limit", type=int, metavar="N", help="only the first N records of each file"
    )
    parser.set_defaults(handler=run_safety_eval)


def _write(out: Path, markdown: str, report: str) -> None:
    json_path = out.with_suffix(".json")
    md_path = out if out != json_path else out.with_suffix(".md")
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(markdown, encoding="utf-8")
    json_path.write_text(report, encoding="utf-8")


def run_safety_eval(args: argparse.Namespace) -> int:
    """Evaluate, print the table (or JSON), optionally write both; 2 on bad input."""
    if args.limit is not None and args.limit < 1:
        Console(stderr=True).print(f"[bold red]error:[/] --limit must be >= 1, got {args.limit}")
        return EXIT_USAGE
    try:
        dataset = load_dataset(args.data or default_data_dir(), limit=args.limit)
        critic = make_critic(args.critic)
        book = default_rulebook()
    except SafetyError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        return EXIT_USAGE
    result = evaluate(dataset, critic, book.catalogue, book.ruleset_hash)
    markdown = to_markdown(result)
    report = json.dumps(to_json(result), indent=2, ensure_ascii=False)
    if args.out is not None:
        _write(args.out, markdown, report)
    sys.stdout.write(report + "\n" if args.json else markdown)
    return 0
