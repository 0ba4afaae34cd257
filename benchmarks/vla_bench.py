"""Learned VLA policy vs the scripted expert: success over seeded episodes, inference rate.

    nice -n 10 .venv/bin/python benchmarks/vla_bench.py --checkpoint CKPT --episodes 50 \
        --out benchmarks/results/vla.md

Each episode resets the kitchen from a seed (randomised start), makes the skill's
preconditions true, runs the backend and judges the spec's effects by scene truth (the
policy itself sees only camera frames and proprioception). Evaluation seeds must not be
among the checkpoint's training seeds (read from its train.json): the script refuses.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from embodiments.base import Embodiment
from embodiments.registry import make_embodiment
from skills.base import Skill
from skills.kitchen.episodes import Variant, _prepare, run_episode
from skills.registry import get_spec, make_skill
from skills.vla.backends import VLASkill
from skills.vla.base import PolicyInput
from skills.vla.checkpoint import TRAIN_FILE, load_policy
from skills.vla.config import RunConfig, VLASettings
from skills.vla.record import variants_for

DEFAULT_VARIANTS = ("open:microwave", "turn_on:light", "open:slide_cabinet")


@dataclass(frozen=True)
class Row:
    label: str
    learned: int
    scripted: int
    episodes: int
    learned_s: float
    ticks: float
    first_failure: str


def learned_episode(
    kitchen: Embodiment, skill: Skill, variant: Variant, seed: int
) -> tuple[bool, int, str]:
    """One episode of a learned backend, judged by scene truth."""
    kitchen.reset(seed)
    problem = _prepare(kitchen, variant)
    if problem is not None:
        return False, 0, problem
    spec = get_spec(variant.skill)
    args = spec.validate_arguments(dict(variant.arguments))
    result = skill.run(kitchen, args)
    _, effects = spec.ground(args)
    missing = [str(e) for e in effects if not e.holds_in(kitchen.scene_truth().atoms)]
    return not missing, result.ticks, f"{result.status}: {result.message}"[:80]


def inference_rate(checkpoint: Path, kitchen: Embodiment, threads: int, calls: int) -> float:
    """Policy inferences per second on this CPU, on real kitchen frames."""
    torch.set_num_threads(threads)
    policy = load_policy(checkpoint)
    obs = kitchen.reset(123_456)
    request = PolicyInput.from_observation(obs, policy.config.tasks[0])
    for _ in range(10):
        policy.infer(request)
    started = time.perf_counter()
    for _ in range(calls):
        policy.infer(request)
    return calls / (time.perf_counter() - started)


def bench_variant(
    kitchen: Embodiment, scripted_kitchen: Embodiment, skill: Skill, variant: Variant, seeds: range
) -> Row:
    wins, ticks, walls, failure = 0, [], [], ""
    for seed in seeds:
        began = time.monotonic()
        ok, n, message = learned_episode(kitchen, skill, variant, seed)
        walls.append(time.monotonic() - began)
        wins += int(ok)
        ticks.append(n)
        if not ok and not failure:
            failure = f"seed {seed}: {message}"
        print(f"  {variant.label} seed {seed}: {'ok' if ok else 'FAILED'} ({n} ticks)", flush=True)
    expert = sum(run_episode(scripted_kitchen, variant, s).success for s in seeds)
    return Row(
        variant.label,
        wins,
        expert,
        len(seeds),
        statistics.mean(walls),
        statistics.mean(ticks),
        failure,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--episodes", type=int, default=50)
    parser.add_argument("--seed-start", type=int, default=0)
    parser.add_argument("--only", nargs="*", default=list(DEFAULT_VARIANTS), help="skill:target")
    parser.add_argument("--execute-steps", type=int, default=RunConfig().execute_steps)
    parser.add_argument("--threads", type=int, default=2, help="torch threads while running")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    report = json.loads((args.checkpoint / TRAIN_FILE).read_text())
    seeds = range(args.seed_start, args.seed_start + args.episodes)
    overlap = set(seeds) & set(report["seeds"])
    if overlap:
        raise SystemExit(f"evaluation seeds {sorted(overlap)[:5]}... were used in training")
    torch.set_num_threads(args.threads)
    kitchen = make_embodiment("franka_kitchen")
    scripted_kitchen = make_embodiment("franka_kitchen", cameras=())
    settings = VLASettings(run=RunConfig(execute_steps=args.execute_steps))
    rows = []
    started = time.monotonic()
    for item in args.only:
        name, target = item.split(":")
        (variant,) = variants_for(name, [target])
        skill = make_skill(name, "vla")
        assert isinstance(skill, VLASkill)
        learned = type(skill)(checkpoint=args.checkpoint, settings=settings)
        rows.append(bench_variant(kitchen, scripted_kitchen, learned, variant, seeds))
        print(rows[-1], flush=True)
    hz1 = inference_rate(args.checkpoint, kitchen, 1, 300)
    hz2 = inference_rate(args.checkpoint, kitchen, 2, 300)
    total_min = (time.monotonic() - started) / 60
    kitchen.close()
    scripted_kitchen.close()
    text = render(args, report, rows, (hz1, hz2), total_min)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")


def render(
    args: argparse.Namespace,
    report: dict[str, object],
    rows: list[Row],
    hz: tuple[float, float],
    total_min: float,
) -> str:
    seeds = report["seeds"]
    assert isinstance(seeds, list)
    lines = [
        f"Checkpoint `{args.checkpoint}`: trained {report['steps']} steps on {report['episodes']} "
        f"episodes ({report['samples']} frames, seeds {min(seeds)}..{max(seeds)}) on "
        f"{report['device']} in {float(str(report['wall_s'])) / 60:.1f} min ({report['machine']}).",
        f"Evaluation: seeds {args.seed_start}..{args.seed_start + args.episodes - 1} (never "
        f"recorded), execute_steps={args.execute_steps}, success = the spec's effects hold in "
        "scene truth after the run; the policy sees only the overview and wrist frames "
        f"(128x128) and proprioception. Machine: {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}, torch "
        f"{torch.__version__}, total {total_min:.0f} min.",
        "",
        "| skill | learned (vla) | scripted expert | s/episode (learned) | ticks "
        "| first learned failure |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.label} | {r.learned}/{r.episodes} ({100 * r.learned / r.episodes:.0f}%) | "
            f"{r.scripted}/{r.episodes} | {r.learned_s:.1f} | {r.ticks:.0f} | {r.first_failure} |"
        )
    lines += [
        "",
        f"Policy inference on this CPU (one request, both cameras): {hz[0]:.0f} Hz with 1 torch "
        f"thread, {hz[1]:.0f} Hz with 2; the control rate is 12.5 Hz.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
