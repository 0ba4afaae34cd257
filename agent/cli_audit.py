"""`steward audit`: list, show, verify and report step logs for safety reviewers.

    steward audit list                          runs with goal, outcome, denials, approvals
    steward audit show RUN [--verdict deny] [--category fire] [--approvals] [--replans]
    steward audit verify RUN [--root HASH] [--strict]   exit 0 pass, 1 fail
    steward audit report RUN -o report.html     one self-contained HTML file

Every sub-command takes `--log-dir` (default `$STEWARD_LOG_DIR`, else
`$STEWARD_HOME/runs`, else `~/.steward/runs`). A bad run id, a missing directory or an
unreadable file is reported in one sentence with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from safety.steplog.describe import (
    event_text,
    run_lines,
    step_title,
    verdict_lines,
    verification_lines,
)
from safety.steplog.errors import StepLogError
from safety.steplog.findings import Severity, VerifyReport
from safety.steplog.reader import StepView, TimelineEntry, TimelineFilter, open_run, read_all
from safety.steplog.report import write_report
from safety.steplog.storage import LOG_DIR_ENV, default_log_dir
from safety.steplog.verify import verify_run
from safety.verdict import Decision

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
Handler = Callable[[argparse.Namespace], int]


def _user_errors(handler: Handler) -> Handler:
    """Print a step-log or file error as one sentence and exit 2."""

    @functools.wraps(handler)
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (StepLogError, OSError, UnicodeError) as exc:
            Console(stderr=True, soft_wrap=True).print(
                f"[bold red]error:[/] {escape(str(exc))}", highlight=False
            )
            return EXIT_USAGE

    return wrapped


def _log_dir(args: argparse.Namespace) -> Path:
    return Path(args.log_dir).expanduser() if args.log_dir else default_log_dir()


def _list(args: argparse.Namespace) -> int:
    root = _log_dir(args)
    if not root.is_dir():
        msg = f"log directory {root} does not exist; pass --log-dir or set ${LOG_DIR_ENV}"
        raise FileNotFoundError(msg)
    runs = read_all(root)
    console = Console()
    if not runs:
        console.print(f"No runs under {escape(str(root))}.")
        return EXIT_PASS
    table = Table("run", "started", "goal", "outcome", "records", "denials", "approvals")
    for run in runs:
        if isinstance(run, tuple):
            table.add_row(
                escape(run[0]), "-", f"[red]unreadable: {escape(run[1])}[/]", "-", "-", "-", "-"
            )
            continue
        goal = escape(run.goal.text) if run.goal else "-"
        outcome = run.outcome.status if run.outcome else "[yellow]none[/]"
        started = run.started.strftime("%Y-%m-%d %H:%M:%S") if run.started else "-"
        table.add_row(
            escape(run.run_id),
            started,
            goal,
            outcome,
            str(run.records),
            str(run.denials),
            str(run.approvals),
        )
    console.print(table)
    return EXIT_PASS


def _entry_cells(entry: TimelineEntry) -> tuple[str, str, str, str]:
    """seq, step, title, details for one timeline row."""
    if isinstance(entry, StepView):
        details = verdict_lines(entry) + run_lines(entry) + verification_lines(entry)
        return str(entry.first.seq), str(entry.step), step_title(entry), "\n".join(details)
    title, lines = event_text(entry)
    step = entry.record.step
    return str(entry.record.seq), "" if step is None else str(step), title, "\n".join(lines)


def _style(entry: TimelineEntry) -> str:
    if isinstance(entry, StepView) and entry.verdict is not None:
        return {"deny": "red", "ask_human": "yellow", "revise": "magenta"}.get(
            entry.verdict.verdict.decision.value, ""
        )
    return ""


def _show(args: argparse.Namespace) -> int:
    view = open_run(_log_dir(args), args.run)
    flt = TimelineFilter(
        verdict=Decision(args.verdict) if args.verdict else None,
        category=args.category,
        approvals=args.approvals,
        replans=args.replans,
    )
    entries = view.filtered(flt)
    console = Console()
    goal = escape(view.goal.text) if view.goal else "(no goal record)"
    outcome = view.outcome.status if view.outcome else "none"
    console.print(
        f"[bold]{escape(view.run_id)}[/]  goal: {goal}  outcome: {outcome}  "
        f"records: {view.records}  denials: {view.denials}  approvals: {view.approvals}"
    )
    if view.unreadable_lines:
        console.print(
            f"[yellow]{view.unreadable_lines} line(s) could not be read; run "
            f"`steward audit verify {escape(view.run_id)}`[/]"
        )
    table = Table("seq", "step", "what", "details", show_lines=True)
    for entry in entries:
        seq, step, title, details = _entry_cells(entry)
        table.add_row(seq, step, escape(title), escape(details), style=_style(entry))
    console.print(table)
    console.print(f"{len(entries)} of {len(view.entries)} entries shown")
    return EXIT_PASS


def _print_report(console: Console, report: VerifyReport) -> None:
    for f in report.findings:
        colour = "red" if f.severity is Severity.ERROR else "yellow"
        console.print(
            f"[{colour}]{f.severity.value:7}[/] {f.kind.value:18} {escape(f.where):28} "
            f"{escape(f.message)}",
            highlight=False,
        )


def _verify(args: argparse.Namespace) -> int:
    report = verify_run(_log_dir(args), args.run, expected_root=args.root)
    console = Console(soft_wrap=True)
    _print_report(console, report)
    ok = report.passed(strict=args.strict)
    verdict = "[bold green]PASS[/]" if ok else "[bold red]FAIL[/]"
    console.print(
        f"{verdict} {escape(report.run_id)}: {report.records} records, {report.frames} "
        f"frames, {len(report.errors)} errors, {len(report.warnings)} warnings; "
        f"Merkle root {report.root_hash}",
        highlight=False,
    )
    return EXIT_PASS if ok else EXIT_FAIL


def _report(args: argparse.Namespace) -> int:
    stats = write_report(_log_dir(args), args.run, Path(args.output))
    integrity = "passed" if stats.integrity_ok else "[red]FAILED[/]"
    Console().print(
        f"wrote {escape(str(stats.path))}: {stats.entries} entries, {stats.frames} "
        f"frames ({stats.missing_frames} missing); integrity check {integrity}"
    )
    return EXIT_PASS


def _usage(parser: argparse.ArgumentParser, _args: argparse.Namespace) -> int:
    parser.print_help()
    return EXIT_USAGE


def _decision(value: str) -> str:
    choices = [d.value for d in Decision]
    if value not in choices:
        msg = f"invalid verdict {value!r}; choose from {', '.join(choices)}"
        raise argparse.ArgumentTypeError(msg)
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `steward audit` and its sub-commands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--log-dir",
        metavar="DIR",
        default=None,
        help=f"where runs are stored (default: ${LOG_DIR_ENV}, else $STEWARD_HOME/runs)",
    )
    audit = subparsers.add_parser(
        "audit",
        help="read and verify step logs",
        description="Read and verify the tamper-evident step logs of runs.",
    )
    audit.set_defaults(handler=functools.partial(_usage, audit))
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    p = actions.add_parser(
        "list", parents=[common], help="runs with goal, outcome, denials and approvals"
    )
    p.set_defaults(handler=_user_errors(_list))
    p = actions.add_parser("show", parents=[common], help="a run's timeline on the terminal")
    p.add_argument("run", metavar="RUN")
    p.add_argument(
        "--verdict",
        type=_decision,
        help="only steps with this decision (allow, deny, ask_human, revise)",
    )
    p.add_argument("--category", help="only steps with this hazard category, e.g. fire")
    p.add_argument(
        "--approvals", action="store_true", help="only steps a person approved or refused"
    )
    p.add_argument(
        "--replans", action="store_true", help="only replans and the steps that caused them"
    )
    p.set_defaults(handler=_user_errors(_show))
    p = actions.add_parser(
        "verify", parents=[common], help="check a run for tampering (exit 0 pass, 1 fail)"
    )
    p.add_argument("run", metavar="RUN")
    p.add_argument(
        "--root", metavar="HASH", help="a Merkle root kept elsewhere that the log must still match"
    )
    p.add_argument(
        "--strict", action="store_true", help="fail on warnings too (truncated tail, no outcome)"
    )
    p.set_defaults(handler=_user_errors(_verify))
    p = actions.add_parser(
        "report", parents=[common], help="one self-contained HTML report of a run"
    )
    p.add_argument("run", metavar="RUN")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the HTML")
    p.set_defaults(handler=_user_errors(_report))
