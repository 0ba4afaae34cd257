"""`steward train`: fit the visuomotor policy to recorded demonstrations (behaviour cloning).

Each sample is one frame of one successful episode: the frames of every camera, the
instruction and the normalised state, with the next H expert actions as the target (past
the episode's end: hold still, gripper as it was) and the fraction of the episode done as
the progress target. Loss: L1 on normalised actions (as ACT) plus a small BCE on progress.
Augmentation: random image shifts and state noise, so small drifts at run time look
familiar. Uses CUDA when present; all samples stay on the device.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import structlog
import torch
import torch.nn.functional as F  # noqa: N812 - the usual torch alias
from numpy.typing import NDArray

from skills.vla.checkpoint import Normalizer, save_checkpoint
from skills.vla.config import PolicyConfig, TrainConfig
from skills.vla.dataset import Demonstration, load_demonstrations, read_info
from skills.vla.errors import DatasetError
from skills.vla.model import VisuomotorPolicy, normalise_images

log = structlog.get_logger("steward.skills.vla.train")
PROGRESS_WEIGHT = 0.1


@dataclass(frozen=True, slots=True)
class TrainReport:
    """What a training run did (also written to the checkpoint's train.json)."""

    steps: int
    samples: int
    episodes: int
    device: str
    wall_s: float
    final_loss: float
    datasets: tuple[str, ...]
    seeds: tuple[int, ...]
    machine: str


@dataclass(frozen=True, slots=True)
class Samples:
    """Every training sample, stacked, on the training device."""

    images: list[torch.Tensor]  # per camera: N x S x S x 3 uint8
    state: torch.Tensor  # N x state_dim, normalised
    target: torch.Tensor  # N x H x action_dim, normalised
    progress: torch.Tensor  # N, in (0, 1]
    task: torch.Tensor  # N, index into tasks
    tasks: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.state.shape[0])


def chunk_targets(action: NDArray[np.float32], horizon: int) -> NDArray[np.float32]:
    """T x H x A: for each t the actions t..t+H-1, padded past the end with 'hold still'."""
    t, a = action.shape
    hold = np.zeros(a, dtype=np.float32)
    hold[-1] = action[-1, -1]  # the gripper stays as the expert left it
    padded = np.concatenate([action, np.repeat(hold[None], horizon, axis=0)])
    index = np.arange(t)[:, None] + np.arange(horizon)[None, :]
    return np.asarray(padded[index], dtype=np.float32)


def build_samples(
    demos: Sequence[Demonstration], config: PolicyConfig, norm: Normalizer, device: torch.device
) -> Samples:
    """Stack the demonstrations into normalised tensors on `device`."""
    tasks = tuple(sorted({d.task for d in demos}))
    state = np.concatenate([(d.state - norm.state_mean) / norm.state_std for d in demos])
    target = np.concatenate(
        [
            (chunk_targets(d.action, config.chunk_size) - norm.action_mean) / norm.action_std
            for d in demos
        ]
    )
    progress = np.concatenate([np.arange(1, d.length + 1) / d.length for d in demos])
    task = np.concatenate([np.full(d.length, tasks.index(d.task)) for d in demos])
    images = [
        torch.from_numpy(np.concatenate([d.frames[c] for d in demos])).to(device)
        for c in config.cameras
    ]
    return Samples(
        images=images,
        state=torch.from_numpy(state.astype(np.float32)).to(device),
        target=torch.from_numpy(target.astype(np.float32)).to(device),
        progress=torch.from_numpy(progress.astype(np.float32)).to(device),
        task=torch.from_numpy(task).to(device),
        tasks=tasks,
    )


def random_shift(images: torch.Tensor, shift_px: int, generator: torch.Generator) -> torch.Tensor:
    """N x 3 x S x S: each image shifted by up to `shift_px` (edge pixels repeated)."""
    if shift_px == 0:
        return images
    n, _, s, _ = images.shape
    padded = F.pad(images, (shift_px,) * 4, mode="replicate")
    offsets = torch.randint(0, 2 * shift_px + 1, (n, 2), generator=generator).to(images.device)
    base = torch.arange(s, device=images.device)
    rows = (offsets[:, :1] + base)[:, None, :, None]  # N x 1 x S x 1
    cols = (offsets[:, 1:] + base)[:, None, None, :]  # N x 1 x 1 x S
    batch = torch.arange(n, device=images.device)[:, None, None, None]
    channel = torch.arange(images.shape[1], device=images.device)[None, :, None, None]
    return padded[batch, channel, rows, cols]


def pick_device(requested: str) -> torch.device:
    """The CUDA device when asked for or (auto) present, else the CPU."""
    if requested == "cuda" and not torch.cuda.is_available():
        msg = "--device cuda was asked for but torch sees no CUDA device; use --device cpu"
        raise DatasetError(msg)
    use_cuda = requested == "cuda" or (requested == "auto" and torch.cuda.is_available())
    return torch.device("cuda" if use_cuda else "cpu")


def load_all(roots: Sequence[Path], config: PolicyConfig) -> list[Demonstration]:
    """Successful episodes of every dataset."""
    demos: list[Demonstration] = []
    for root in roots:
        demos += load_demonstrations(root, cameras=config.cameras, size_px=config.image_size_px)
    if not demos:
        msg = f"no successful episodes in {', '.join(map(str, roots))}; record more"
        raise DatasetError(msg)
    return demos


def _step(
    model: VisuomotorPolicy,
    samples: Samples,
    idx: torch.Tensor,
    train: TrainConfig,
    generator: torch.Generator,
) -> torch.Tensor:
    device = samples.state.device
    images = [
        random_shift(normalise_images(cam[idx]), train.shift_px, generator)
        for cam in samples.images
    ]
    noise = torch.randn(samples.state[idx].shape, generator=generator).to(device)
    state = samples.state[idx] + train.state_noise_std * noise
    texts = [samples.tasks[int(i)] for i in samples.task[idx].tolist()]
    actions, progress = model(images, texts, state)
    action_loss = F.l1_loss(actions, samples.target[idx])
    progress_loss = F.binary_cross_entropy_with_logits(progress, samples.progress[idx])
    return action_loss + PROGRESS_WEIGHT * progress_loss


def train_checkpoint(
    roots: Sequence[Path],
    out: Path,
    train: TrainConfig,
    *,
    policy: PolicyConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> TrainReport:
    """Train on the datasets at `roots` and write a checkpoint directory at `out`."""
    started = time.monotonic()
    if train.threads is not None:
        torch.set_num_threads(train.threads)
    torch.manual_seed(train.seed)
    generator = torch.Generator().manual_seed(train.seed)
    device = pick_device(train.device)
    base = policy or PolicyConfig()
    fps = read_info(roots[0]).fps
    demos = load_all(roots, base)
    config = base.model_copy(
        update={
            "tasks": tuple(sorted({d.task for d in demos})),
            "fps_hz": fps,
            "max_episode_ticks": max(d.length for d in demos),
        }
    )
    norm = Normalizer.fit(
        np.concatenate([d.state for d in demos]), np.concatenate([d.action for d in demos])
    )
    samples = build_samples(demos, config, norm, device)
    model = VisuomotorPolicy(config).to(device).train()
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=train.learning_rate, weight_decay=train.weight_decay
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=train.learning_rate, total_steps=train.steps, pct_start=0.05
    )
    log.info("vla.train.start", samples=len(samples), episodes=len(demos), device=str(device))
    running = 0.0
    for step in range(1, train.steps + 1):
        idx = torch.randint(0, len(samples), (train.batch_size,), generator=generator)
        loss = _step(model, samples, idx.to(device), train, generator)
        optimiser.zero_grad(set_to_none=True)
        torch.autograd.backward(loss)
        optimiser.step()
        schedule.step()
        value = float(loss.detach())
        running = 0.95 * running + 0.05 * value if step > 1 else value
        if progress is not None and (step % train.log_every_steps == 0 or step == train.steps):
            progress(
                f"step {step}/{train.steps} loss {running:.4f} ({time.monotonic() - started:.0f} s)"
            )
    report = TrainReport(
        steps=train.steps,
        samples=len(samples),
        episodes=len(demos),
        device=str(device),
        wall_s=time.monotonic() - started,
        final_loss=running,
        datasets=tuple(str(r) for r in roots),
        seeds=tuple(sorted(d.seed for d in demos)),
        machine=f"{platform.machine()}, {torch.get_num_threads()} torch threads",
    )
    save_checkpoint(out, model.eval().cpu(), norm, {**asdict(report), "train": train.model_dump()})
    log.info("vla.train.done", steps=train.steps, wall_s=round(report.wall_s, 1), loss=running)
    return report
