"""`steward record`, `steward train`, `steward serve-policy`: learned VLA skills end to end.

- `record SKILL --target T --episodes N --out DIR`: the scripted expert from seeded
  randomised starts, written as a LeRobot v3.0 dataset;
- `train --data DIR --out CKPT`: a compact language-conditioned visuomotor policy;
- `serve-policy CKPT --port P`: serve a checkpoint over the openpi websocket protocol.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from skills.vla.config import DEFAULT_HOST, DEFAULT_PORT, TrainConfig


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `record`, `train` and `serve-policy`."""
    rec = subparsers.add_parser("record", help="record scripted demonstrations (LeRobot format)")
    rec.add_argument("skill", help="skill name, e.g. open")
    rec.add_argument(
        "--target", action="append", default=[], help="e.g. microwave (repeat for several)"
    )
    rec.add_argument("--episodes", type=int, default=50, help="episodes per target")
    rec.add_argument("--out", type=Path, required=True, help="new dataset directory")
    rec.add_argument("--seed-start", type=int, default=None, help="first seed (default 100000)")
    rec.add_argument(
        "--action-noise", type=float, default=0.0, help="noise std sent (not recorded), rad/s"
    )
    rec.set_defaults(handler=_record)

    train = subparsers.add_parser("train", help="train a VLA policy on recorded datasets")
    train.add_argument(
        "--data", type=Path, action="append", required=True, help="dataset dir (repeatable)"
    )
    train.add_argument("--out", type=Path, required=True, help="checkpoint directory to write")
    defaults = TrainConfig()
    train.add_argument("--steps", type=int, default=defaults.steps)
    train.add_argument("--batch-size", type=int, default=defaults.batch_size)
    train.add_argument("--device", default=defaults.device, help="auto, cpu or cuda")
    train.add_argument("--seed", type=int, default=defaults.seed)
    train.set_defaults(handler=_train)

    serve = subparsers.add_parser("serve-policy", help="serve a checkpoint (openpi protocol)")
    serve.add_argument("checkpoint", type=Path, help="checkpoint directory from `steward train`")
    serve.add_argument("--host", default=DEFAULT_HOST, help="bind address (default loopback)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--api-key", default=None, help="require `Authorization: Api-Key KEY`")
    serve.set_defaults(handler=_serve)


def _record(args: argparse.Namespace) -> int:
    # The simulator and skills load only when a command needs them.
    from embodiments.registry import make_embodiment  # noqa: PLC0415
    from skills.vla.record import RECORD_SEED_START, record, variants_for  # noqa: PLC0415

    variants = variants_for(args.skill, args.target)
    console = Console(stderr=True)
    kitchen = make_embodiment("franka_kitchen")
    try:
        summary = record(
            kitchen,
            variants,
            episodes=args.episodes,
            out=args.out,
            seed_start=RECORD_SEED_START if args.seed_start is None else args.seed_start,
            action_noise_rad_s=args.action_noise,
            progress=console.print,
        )
    finally:
        kitchen.close()
    print(
        f"wrote {summary.episodes} episodes ({summary.successes} succeeded, "
        f"{summary.frames} frames) to {summary.root} in {summary.wall_s:.0f} s"
    )
    return 0 if summary.successes else 1


def _train(args: argparse.Namespace) -> int:
    from skills.vla.train import train_checkpoint  # noqa: PLC0415 - torch on demand

    config = TrainConfig(
        steps=args.steps, batch_size=args.batch_size, device=args.device, seed=args.seed
    )
    report = train_checkpoint(args.data, args.out, config, progress=Console(stderr=True).print)
    print(
        f"trained {report.steps} steps on {report.samples} samples ({report.episodes} episodes) "
        f"on {report.device} in {report.wall_s / 60:.1f} min; final loss {report.final_loss:.4f}; "
        f"checkpoint at {args.out}"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from skills.vla.checkpoint import load_policy  # noqa: PLC0415 - torch on demand
    from skills.vla.openpi_server import PolicyServer  # noqa: PLC0415

    policy = load_policy(args.checkpoint)
    server = PolicyServer(policy, host=args.host, port=args.port, api_key=args.api_key)
    Console(stderr=True).print(
        f"serving {policy.source} on ws://{args.host}:{server.port} (Ctrl-C stops)"
    )
    server.serve_forever()
    return 0
