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
from skills.perception.dataset import FrameSet, render_frames
from skills.perception.knob_look import KNOB_COLUMNS, KnobNet
from skills.perception.learned import to_tensor
from skills.perception.train import augment, cached, check_seeds, fit, save_weights

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
    """Fit the knob reader (one sigmoid per knob) with `fit`."""
    if frames.look is None:
        msg = "the frame set has no knob-look frames; render it with `render_looks`"
        raise ValueError(msg)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    net = KnobNet()
    images = to_tensor(frames.look)
    labels = torch.from_numpy(frames.fixtures[:, KNOB_COLUMNS]).float()

    def batch_loss(idx: torch.Tensor) -> torch.Tensor:
        logits = net(augment(images[idx], generator, shift_px=SHIFT_PX))
        return torch.nn.functional.binary_cross_entropy_with_logits(logits, labels[idx])

    return fit(net, len(frames), epochs=epochs, generator=generator, batch_loss=batch_loss)


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
    check_seeds(parser, args.seeds)
    torch.set_num_threads(args.threads)
    started = time.monotonic()
    frames = cached(args.cache, lambda: render_looks(range(args.seeds), args.states_per_seed))
    rendered = time.monotonic()
    print(f"{len(frames)} frames ready in {rendered - started:.0f} s", flush=True)
    save_weights(train(frames, epochs=args.epochs), args.out, rendered)


if __name__ == "__main__":
    main()
