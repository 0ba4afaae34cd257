"""`steward plan "GOAL"`: plan one goal and print the plan, the refusal or the question.

Until perception lands, the scene comes from a named scene of the goal suite
(`--scene`), plus any atoms given with `--atom`.
"""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from embodiments.scene import Atom
from planner.base import PlanRequest, PlanResult, PlanStatus
from planner.errors import PlannerError
from planner.registry import DEFAULT_PLANNER, make_planner
from planner.suite import load_scenes
from skills.registry import all_specs
from skills.scene import PerceivedScene

EXIT_NO_PLAN = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `plan` sub-command."""
    parser = subparsers.add_parser("plan", help="plan one goal and print the plan")
    parser.add_argument("goal", help='what to do, e.g. "open the microwave"')
    parser.add_argument(
        "--planner", default=DEFAULT_PLANNER, help="local (default), openai, scripted"
    )
    parser.add_argument("--model", help="model-store name or .gguf path (local); model (openai)")
    parser.add_argument("--base-url", help="OpenAI-compatible server URL (else OPENAI_BASE_URL)")
    parser.add_argument("--api-key", help="API key (else OPENAI_API_KEY)")
    parser.add_argument("--mode", choices=("goals", "steps"), help="what the model writes")
    parser.add_argument("--script", help="YAML/JSON file of scripted plans (scripted planner)")
    parser.add_argument("--scene", default="tidy", help="named scene from the goal suite")
    parser.add_argument(
        "--atom", action="append", default=[], help="an atom believed true, e.g. 'open(microwave)'"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=handle_plan)


def _scene(name: str, atoms: list[str]) -> PerceivedScene:
    scenes = load_scenes()
    if name not in scenes:
        msg = f"unknown scene {name!r}; scenes: {', '.join(sorted(scenes))}"
        raise ValueError(msg)
    base = scenes[name]
    extra = frozenset(Atom.parse(a) for a in atoms)
    return PerceivedScene(objects=base.objects, atoms=base.atoms | extra)


def _print(result: PlanResult, console: Console) -> None:
    if result.plan is None:
        colour = "yellow" if result.status is not PlanStatus.FAILED else "red"
        console.print(f"[bold {colour}]{result.status}:[/] {result.reason}", highlight=False)
        return
    plan = result.plan
    console.print(f"[bold green]plan[/] for {plan.goal!r} ({plan.backend} {plan.model})")
    if plan.goal_predicates:
        console.print(f"goal: {', '.join(plan.goal_predicates)}", highlight=False)
    for number, step in enumerate(plan.steps, start=1):
        effects = ", ".join(step.expected_effects[:2])
        console.print(f"{number}. {step}  - {step.intent}  -> {effects}", highlight=False)
    console.print(plan.explanation, highlight=False)
    usage = result.usage
    console.print(
        f"[dim]{usage.elapsed_s:.1f} s, {usage.rounds} round(s), "
        f"{usage.prompt_tokens}+{usage.completion_tokens} tokens[/]"
    )


def _as_json(result: PlanResult) -> str:
    return json.dumps(
        {
            "status": str(result.status),
            "reason": result.reason,
            "plan": result.plan.model_dump(mode="json") if result.plan else None,
            "elapsed_s": round(result.usage.elapsed_s, 3),
        },
        indent=2,
    )


def handle_plan(args: argparse.Namespace) -> int:
    """Plan the goal; exit 0 with a plan, 1 without one, 2 on a bad setting."""
    console = Console()
    settings = {
        "model": args.model,
        "base_url": args.base_url,
        "api_key": args.api_key,
        "mode": args.mode,
        "script": args.script,
    }
    try:
        scene = _scene(args.scene, args.atom)
        planner = make_planner(args.planner, **{k: v for k, v in settings.items() if v})
        result = planner.plan(PlanRequest(goal=args.goal, scene=scene, specs=all_specs()))
    except (PlannerError, ValueError) as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        return EXIT_USAGE
    if args.json:
        console.print_json(_as_json(result))
    else:
        _print(result, console)
    return 0 if result.status is PlanStatus.PLANNED else EXIT_NO_PLAN
