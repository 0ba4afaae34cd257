"""Render knob-look frames and train the knob reader on the CPU.

    python -m skills.perception.knob_train --out skills/perception/data/knob_look.pt

The states are the learned detector's free states (fixtures, kettle, lights and camera
poses sampled from training seeds 0..N-1), each seen from the wrist with the arm moved to
the knob-look posture and jittered; scene truth labels the knobs. Held-out seeds (from
10_000) stay unseen, as for the learned detector.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from embodiments.franka_kitchen.layout import KNOB_LOOK_Q
from skills.perception.dataset import FrameSet, load, render_frames, save
from skills.perception.knob_look import KNOB_COLUMNS, KnobNet
from skills.perception.learned import to_tensor
from skills.perception.train import BATCH, FIRST_HELD_OUT_SEED, augment

SHIFT_PX = 6  # the arm's jitter moves the knobs by up to about this much


def render_looks(seeds: range, states_per_seed: int) -> FrameSet:
    """Free states from `seeds`, each also seen from the knob-look posture."""
    return render_frames(
        seeds,
        states_per_seed=states_per_seed,
        held_every=0,
        held_variants=0,
        look_posture=np.asarray(KNOB_LOOK_Q),
    )


def train(frames: FrameSet, *, epochs: int, seed: int = 0) -> KnobNet:
    """Fit the knob reader with AdamW and a one-cycle learning-rate schedule."""
    if frames.look is None:
        msg = "the frame set has no knob-look frames; render it with `render_looks`"
        raise ValueError(msg)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    net = KnobNet()
    images = to_tensor(frames.look)
    labels = torch.from_numpy(frames.fixtures[:, KNOB_COLUMNS]).float()
    steps = epochs * ((len(frames) + BATCH - 1) // BATCH)
    optimiser = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=steps)
    net.train()
    for epoch in range(epochs):
        order = torch.randperm(len(frames), generator=generator)
        total = 0.0
        for start in range(0, len(frames), BATCH):
            idx = order[start : start + BATCH]
            logits = net(augment(images[idx], generator, shift_px=SHIFT_PX))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels[idx])
            optimiser.zero_grad()
            torch.autograd.backward(loss)
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(idx)
        print(f"epoch {epoch + 1}/{epochs} loss {total / len(frames):.4f}", flush=True)
    return net.eval()


def main(argv: list[str] | None = None) -> None:
    """Render (or load a cached) data set, train, and save the weights."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where to write the weights")
    parser.add_argument("--seeds", type=int, default=300, help="training seeds 0..N-1")
    parser.add_argument("--states-per-seed", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, help="reuse (or write) a rendered .npz")
    args = parser.parse_args(argv)
    if not 0 < args.seeds <= FIRST_HELD_OUT_SEED:
        parser.error(
            f"--seeds {args.seeds}: training seeds are 0..N-1 and must stay below the "
            f"held-out seeds, so N must be in 1..{FIRST_HELD_OUT_SEED}"
        )
    torch.set_num_threads(args.threads)
    started = time.monotonic()
    if args.cache is not None and args.cache.exists():
        frames = load(str(args.cache))
    else:
        frames = render_looks(range(args.seeds), args.states_per_seed)
        if args.cache is not None:
            save(frames, str(args.cache))
    rendered = time.monotonic()
    print(f"{len(frames)} frames ready in {rendered - started:.0f} s", flush=True)
    net = train(frames, epochs=args.epochs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), args.out)
    print(f"trained in {time.monotonic() - rendered:.0f} s; weights at {args.out}", flush=True)


if __name__ == "__main__":
    main()
