"""`steward run "GOAL"` and `steward resume RUN_ID`: the operator's commands.

Progress prints one line per decision; `--json` prints one JSON object at the end
instead. Exit status: 0 done, 1 failed, 3 refused, 4 stopped, 2 bad usage. Ctrl-C
stops the robot through the e-stop path; `steward resume RUN_ID` continues the run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.prompt import Confirm, Prompt

from agent.config import RunConfig, steward_home
from agent.report import RunReport
from agent.runner import Overrides, resume_run, run_goal
from agent.state import AgentState, Approval
from planner.registry import DEFAULT_PLANNER

EXIT_USAGE = 2
DEMO_GOAL = "make the kitchen ready for cooking: open the microwave and turn the light on"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `run` and `resume`."""
    run = subparsers.add_parser("run", help="carry out a household goal on the robot")
    run.add_argument("goal", nargs="?", help='what to do, e.g. "open the microwave"')
    heard = run.add_mutually_exclusive_group()
    heard.add_argument("--audio", type=Path, help="read the goal from a WAV file of speech")
    heard.add_argument("--listen", action="store_true", help="say the goal into the microphone")
    run.add_argument(
        "--transcriber",
        choices=("pocketsphinx", "openai"),
        default="pocketsphinx",
        help="offline recogniser (default) or the OpenAI-compatible audio endpoint",
    )
    run.add_argument("--embodiment", default="franka_kitchen", help="robot or simulator")
    run.add_argument("--seed", type=int, help="seed of the randomised start state")
    run.add_argument("--planner", default=DEFAULT_PLANNER, help="local (default), openai, scripted")
    run.add_argument("--model", help="model-store name or .gguf path (local); model (openai)")
    run.add_argument("--base-url", help="OpenAI-compatible server URL (else OPENAI_BASE_URL)")
    run.add_argument("--api-key", help="API key (else OPENAI_API_KEY)")
    run.add_argument("--mode", choices=("goals", "steps"), help="what the planner model writes")
    run.add_argument("--script", help="YAML file of scripted plans (scripted planner)")
    run.add_argument(
        "--skills",
        default="scripted",
        help="skill backend for all skills, or per skill: 'vla' or 'open=vla,close=scripted'",
    )
    run.add_argument("--detectors", default="learned,classical", help="perception, primary first")
    run.add_argument("--max-replans", type=int, default=4, help="new plans allowed per goal")
    run.add_argument(
        "--no-closer-looks",
        dest="closer_looks",
        action="store_false",
        help="never move the wrist camera to look closer at a knob the cameras are unsure of",
    )
    _common(run)
    run.add_argument("--video", type=Path, help="write the overview camera to this .mp4")
    run.set_defaults(handler=handle_run)
    demo = subparsers.add_parser("demo", help=f"run {DEMO_GOAL!r} in the kitchen")
    demo.add_argument("--seed", type=int, default=0, help="seed of the randomised start")
    demo.add_argument("--planner", default=DEFAULT_PLANNER, help="local (default), openai")
    _common(demo)
    demo.set_defaults(handler=handle_demo)
    resume = subparsers.add_parser("resume", help="continue a stopped or crashed run")
    resume.add_argument("run_id", help="the run's id (`steward audit list` shows them)")
    _common(resume)
    resume.set_defaults(handler=handle_resume)


def _home(args: argparse.Namespace) -> Path:
    """The run store: `--home`, else `$STEWARD_HOME`, else `~/.steward`."""
    return Path(args.home).expanduser() if args.home else steward_home()


def _common(parser: argparse.ArgumentParser) -> None:
    answer = parser.add_mutually_exclusive_group()
    answer.add_argument("--approve", action="store_true", help="approve every ask_human step")
    answer.add_argument("--deny", action="store_true", help="decline every ask_human step")
    parser.add_argument("--home", type=Path, help="run store (else STEWARD_HOME or ~/.steward)")
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")


class ConsoleOperator:
    """Asks the person at the terminal; flags answer for them; without a terminal, declines."""

    def __init__(self, console: Console, *, approve_all: bool, deny_all: bool) -> None:
        self.console = console
        self.approve_all = approve_all
        self.deny_all = deny_all

    def approve(self, step: str, reasons: Sequence[str]) -> Approval:
        """Yes or no for one step, with the critic's reasons shown."""
        why = "; ".join(reasons) or "the critic asks for a person's approval"
        self.console.print(f"[bold yellow]approval needed[/] for {step}: {why}", highlight=False)
        if self.approve_all or self.deny_all:
            return Approval(approved=self.approve_all, approver="operator", channel="cli-flag")
        if not sys.stdin.isatty():
            note = "no terminal to ask; pass --approve to approve ask_human steps"
            self.console.print(f"[yellow]declined:[/] {note}")
            return Approval(approved=False, approver="nobody", channel="cli", note=note)
        yes = Confirm.ask("Go ahead?", console=self.console, default=False)
        return Approval(approved=yes, approver="operator", channel="cli")

    def answer(self, question: str) -> str:
        """The person's answer to the planner's question ("" without a terminal)."""
        self.console.print(f"[bold yellow]question:[/] {question}", highlight=False)
        if not sys.stdin.isatty():
            return ""
        return Prompt.ask("Answer (empty to stop)", console=self.console, default="")


def _backends(text: str) -> tuple[str, dict[str, str]]:
    """'vla' -> ('vla', {}); 'open=vla,close=scripted' -> ('scripted', {...})."""
    default, per_skill = "scripted", {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "=" in part:
            skill, backend = (x.strip() for x in part.split("=", 1))
            per_skill[skill] = backend
        else:
            default = part
    return default, per_skill


def config_from(args: argparse.Namespace) -> RunConfig:
    """The run's configuration from the command line."""
    default, per_skill = _backends(args.skills)
    planner_settings = {
        "model": args.model,
        "base_url": args.base_url,
        "api_key": args.api_key,
        "mode": args.mode,
        "script": args.script,
    }
    return RunConfig(
        embodiment=args.embodiment,
        seed=args.seed,
        planner=args.planner,
        planner_settings={k: v for k, v in planner_settings.items() if v},
        detectors=tuple(d.strip() for d in args.detectors.split(",") if d.strip()),
        skill_backend=default,
        skill_backends=per_skill,
        max_replans=args.max_replans,
        closer_looks=args.closer_looks,
        home=_home(args),
    )


class ProgressPrinter:
    """One line per decision, as the graph reports its nodes' updates."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def __call__(self, node: str, update: AgentState) -> None:
        """Print what this node decided, if it decided anything a person cares about."""
        line = self._line(node, update)
        if line:
            self.console.print(line, highlight=False)

    @staticmethod
    def _line(node: str, update: AgentState) -> str:
        plan = update.get("plan")
        if node == "plan" and plan is not None:
            steps = ", ".join(map(str, plan.steps)) or "nothing to do"
            return f"[bold]plan[/] ({plan.backend}): {steps}"
        verdict = update.get("verdict")
        if node == "critique" and verdict is not None:
            colour = {"allow": "green", "ask_human": "yellow"}.get(str(verdict.decision), "red")
            why = f" - {verdict.reasons[0]}" if verdict.reasons else ""
            return f"  step {update.get('step_no')}: [{colour}]{verdict.decision}[/]{why}"
        acted = update.get("acted")
        if node == "act" and acted is not None:
            return f"  ran {acted.step} ({acted.backend}): {acted.skill_status}"
        history = update.get("history") or []
        if node == "verify" and history:
            done = history[-1]
            mark = "[green]verified[/]" if done.verified else "[red]not verified[/]"
            return f"  {mark}: {done.message}"
        replan = update.get("replan")
        if node in ("perceive", "critique", "act", "verify") and replan is not None:
            return f"[yellow]replan[/] ({replan.trigger}): {replan.reason}"
        return ""


def _print(report: RunReport, console: Console, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
        return report.exit_code
    colour = {"done": "green", "refused": "yellow"}.get(report.outcome.status, "red")
    console.print(
        f"[bold {colour}]{report.outcome.status}[/]: {report.outcome.reason}", highlight=False
    )
    console.print(
        f"[dim]run {report.run_id}: {len(report.steps)} step(s), {report.plans} plan(s), "
        f"{report.wall_s:.1f} s; audit with `steward audit show {report.run_id}`[/]"
    )
    if report.outcome.status == "stopped":
        console.print(f"continue with `steward resume {report.run_id}`")
    return report.exit_code


def _goal(args: argparse.Namespace, console: Console) -> tuple[str, str]:
    """The goal text and where it came from (typed or speech)."""
    if args.audio is not None or args.listen:
        from agent.voice import heard_goal  # noqa: PLC0415 - loads the recogniser on demand

        return heard_goal(args, console), "speech"
    if not args.goal or not args.goal.strip():
        msg = 'say what to do: steward run "open the microwave" (or --audio FILE / --listen)'
        raise ValueError(msg)
    return args.goal, "typed"


def handle_run(args: argparse.Namespace) -> int:
    """Carry out the goal and print how it went."""
    console = Console(stderr=args.json)
    try:
        config = config_from(args)
        goal, source = _goal(args, console)
    except ValueError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        return EXIT_USAGE
    operator = ConsoleOperator(console, approve_all=args.approve, deny_all=args.deny)
    progress = ProgressPrinter(console)
    console.print(f"[bold]goal[/] ({source}): {goal}", highlight=False)
    if args.video is not None:
        from agent.recording import recorded_run  # noqa: PLC0415 - imageio on demand

        report = recorded_run(
            args.video, goal, config, source=source, operator=operator, progress=progress
        )
    else:
        report = run_goal(goal, config, source=source, operator=operator, progress=progress)
    return _print(report, console, args.json)


def handle_resume(args: argparse.Namespace) -> int:
    """Continue a run where it stopped."""
    console = Console(stderr=args.json)
    home = RunConfig(home=_home(args))
    operator = ConsoleOperator(console, approve_all=args.approve, deny_all=args.deny)
    console.print(f"[bold]resuming[/] {args.run_id}")
    report = resume_run(
        args.run_id,
        home=home,
        operator=operator,
        progress=ProgressPrinter(console),
        overrides=Overrides(),
    )
    return _print(report, console, args.json)


def handle_demo(args: argparse.Namespace) -> int:
    """The README's first command: one goal, end to end, on the embedded defaults."""
    console = Console(stderr=args.json)
    config = RunConfig(
        seed=args.seed,
        planner=args.planner,
        home=_home(args),
    )
    operator = ConsoleOperator(console, approve_all=args.approve, deny_all=args.deny)
    console.print(f"[bold]demo goal[/]: {DEMO_GOAL}", highlight=False)
    report = run_goal(DEMO_GOAL, config, operator=operator, progress=ProgressPrinter(console))
    return _print(report, console, args.json)
