"""Planner benchmark: the goal suite per planner, model and mode.

    python benchmarks/plan_bench.py --model qwen-1.5b --model qwen-0.5b \
        --mode goals --mode steps --out benchmarks/results/plan_bench

Prints a markdown table (correct, invalid, unsafe, wrong, median and p95 planning time,
mean tokens) and writes it with per-goal records as `OUT.md` and `OUT.json`. Each
planner first answers one warm-up goal outside the suite, so the timed goals reuse the
cached prompt prefix as a long-running agent would; the warm-up time (model load and
prefix) is reported on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from planner.base import Planner, PlanRequest
from planner.registry import make_planner
from planner.suite import GoalCase, Grade, grade, load_scenes, load_suite
from skills.base import SkillSpec
from skills.registry import all_specs

WARMUP_GOAL = "switch the lamp on"


@dataclass(frozen=True)
class Record:
    id: str
    category: str
    status: str
    grade: str
    elapsed_s: float
    rounds: int
    prompt_tokens: int
    completion_tokens: int
    goal_predicates: list[str]
    steps: list[str]
    reason: str


@dataclass(frozen=True)
class Summary:
    planner: str
    model: str
    mode: str
    goals: int
    correct: int
    invalid: int
    unsafe: int
    wrong: int
    median_s: float
    p95_s: float
    prompt_tokens: float
    completion_tokens: float
    warmup_s: float
    by_category: dict[str, str]


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_one(planner: Planner, case: GoalCase, specs: tuple[SkillSpec, ...]) -> Record:
    result = planner.plan(case.request(specs))
    plan = result.plan
    return Record(
        id=case.id,
        category=case.category,
        status=str(result.status),
        grade=str(grade(result, case, specs)),
        elapsed_s=round(result.usage.elapsed_s, 3),
        rounds=result.usage.rounds,
        prompt_tokens=result.usage.prompt_tokens,
        completion_tokens=result.usage.completion_tokens,
        goal_predicates=list(plan.goal_predicates) if plan else [],
        steps=[str(s) for s in plan.steps] if plan else [],
        reason=result.reason[:200],
    )


def run_config(
    name: str, model: str, mode: str, cases: Sequence[GoalCase]
) -> tuple[Summary, list[Record]]:
    specs = all_specs()
    settings: dict[str, object] = {"mode": mode}
    if model:
        settings["model"] = model
    planner = make_planner(name, **settings)
    started = time.perf_counter()
    planner.plan(PlanRequest(goal=WARMUP_GOAL, scene=load_scenes()["tidy"], specs=specs))
    warmup = time.perf_counter() - started
    records = []
    for case in cases:
        record = run_one(planner, case, specs)
        records.append(record)
        print(
            f"  {record.id:10} {record.grade:8} {record.elapsed_s:6.2f}s {record.status:8} "
            f"{' '.join(record.goal_predicates or record.steps) or record.reason[:60]}",
            flush=True,
        )
    return summarize(name, model or planner.model, mode, records, warmup), records


def summarize(
    name: str, model: str, mode: str, records: Sequence[Record], warmup: float
) -> Summary:
    grades = Counter(r.grade for r in records)
    # Goals answered before any model call (empty, too long) would flatter the timing.
    timed = [r.elapsed_s for r in records if r.rounds > 0] or [0.0]
    categories = sorted({r.category for r in records})
    by_category = {
        c: f"{sum(r.grade == Grade.CORRECT for r in records if r.category == c)}/"
        f"{sum(r.category == c for r in records)}"
        for c in categories
    }
    n = max(1, len(records))
    return Summary(
        planner=name,
        model=model,
        mode=mode,
        goals=len(records),
        correct=grades[Grade.CORRECT],
        invalid=grades[Grade.INVALID],
        unsafe=grades[Grade.UNSAFE],
        wrong=grades[Grade.WRONG],
        median_s=round(statistics.median(timed), 2),
        p95_s=round(_p95(timed), 2),
        prompt_tokens=round(sum(r.prompt_tokens for r in records) / n, 1),
        completion_tokens=round(sum(r.completion_tokens for r in records) / n, 1),
        warmup_s=round(warmup, 1),
        by_category=by_category,
    )


def markdown(summaries: Sequence[Summary]) -> str:
    head = (
        "| planner | model | mode | correct | invalid | unsafe | wrong | median s | p95 s "
        "| tokens in/out (mean) | warm-up s |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )
    rows = [
        f"| {s.planner} | {s.model} | {s.mode} | {s.correct}/{s.goals} "
        f"({100 * s.correct / max(1, s.goals):.0f}%) | {s.invalid} | {s.unsafe} | {s.wrong} "
        f"| {s.median_s:.2f} | {s.p95_s:.2f} | {s.prompt_tokens:.0f}/{s.completion_tokens:.0f} "
        f"| {s.warmup_s:.1f} |"
        for s in summaries
    ]
    cats = sorted({c for s in summaries for c in s.by_category})
    cat_head = "| model | mode | " + " | ".join(cats) + " |\n|---|---|" + "---|" * len(cats)
    cat_rows = [
        f"| {s.model} | {s.mode} | " + " | ".join(s.by_category.get(c, "-") for c in cats) + " |"
        for s in summaries
    ]
    return "\n".join([head, *rows, "", "Correct by category:", "", cat_head, *cat_rows]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--planner", default="local")
    parser.add_argument("--model", action="append", default=[], help="repeat for several")
    parser.add_argument("--mode", action="append", default=[], choices=("goals", "steps"))
    parser.add_argument("--ids", help="comma-separated goal ids (default: the whole suite)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/plan_bench"))
    args = parser.parse_args()
    cases = load_suite()
    if args.ids:
        wanted = set(args.ids.split(","))
        cases = tuple(c for c in cases if c.id in wanted)
    summaries, details = [], {}
    for model in args.model or [""]:
        for mode in args.mode or ["goals"]:
            print(f"{args.planner} {model} {mode}: {len(cases)} goals", flush=True)
            summary, records = run_config(args.planner, model, mode, cases)
            summaries.append(summary)
            details[f"{args.planner}/{summary.model}/{mode}"] = [asdict(r) for r in records]
    table = markdown(summaries)
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores"
    print("\n" + table + f"\nMachine: {machine}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine, "summaries": [asdict(s) for s in summaries], "goals": details}
    stem = args.out.name
    args.out.with_name(stem + ".md").write_text(table + f"\nMachine: {machine}\n", "utf-8")
    args.out.with_name(stem + ".json").write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
