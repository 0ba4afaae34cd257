"""The compact visuomotor policy: camera frames + instruction + state -> a chunk of actions.

Each camera has its own small convolutional encoder whose last feature map is flattened
(not pooled), so the position of the handle in the image survives. The instruction is
embedded by hashing its words and word pairs into a fixed table (no tokenizer, nothing
downloaded), and FiLM-modulates every image feature, so one network can hold several
tasks. An MLP maps [image features, instruction, state] to H normalised actions and to
a progress estimate in [0, 1] that tells the runner when the task is done.
"""

from __future__ import annotations

import itertools
import re
import zlib

import torch
from torch import nn

from skills.vla.config import PolicyConfig

_WORD = re.compile(r"[a-z0-9]+")


def normalise_images(images: torch.Tensor) -> torch.Tensor:
    """N x S x S x 3 uint8 -> N x 3 x S x S floats in [-0.5, 0.5] (on the same device)."""
    return images.permute(0, 3, 1, 2).float().div_(255.0).sub_(0.5)


def hash_tokens(text: str, buckets: int) -> list[int]:
    """Stable bucket ids of the words and adjacent word pairs of `text` (CRC32, unsalted)."""
    words = _WORD.findall(text.lower())
    grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return [zlib.crc32(g.encode()) % buckets for g in grams] or [0]


class TextEncoder(nn.Module):
    """Mean of hashed word and word-pair embeddings."""

    def __init__(self, buckets: int, dim: int) -> None:
        super().__init__()
        self.buckets = buckets
        self.table = nn.EmbeddingBag(buckets, dim, mode="mean")

    def forward(self, texts: list[str]) -> torch.Tensor:
        """One embedding per text."""
        ids = [hash_tokens(t, self.buckets) for t in texts]
        offsets = torch.tensor([0] + [len(i) for i in ids[:-1]]).cumsum(0)
        flat = torch.tensor([i for group in ids for i in group])
        device = self.table.weight.device
        out: torch.Tensor = self.table(flat.to(device), offsets.to(device))
        return out


class ImageEncoder(nn.Module):
    """Strided convolutions, GroupNorm, ReLU; the last map flattened into a feature vector."""

    def __init__(self, size_px: int, channels: tuple[int, ...], feature_dim: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = 3
        for i, c_out in enumerate(channels):
            kernel = 5 if i == 0 else 3
            layers += [
                nn.Conv2d(c_in, c_out, kernel, stride=2, padding=kernel // 2),
                nn.GroupNorm(min(8, c_out), c_out),
                nn.ReLU(inplace=True),
            ]
            c_in = c_out
        self.conv = nn.Sequential(*layers)
        side = size_px
        for _ in channels:
            side = (side + 1) // 2
        self.project = nn.Sequential(
            nn.Flatten(), nn.Linear(c_in * side * side, feature_dim), nn.LayerNorm(feature_dim)
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """N x 3 x S x S floats in [-0.5, 0.5] -> N x feature_dim."""
        out: torch.Tensor = self.project(self.conv(images))
        return out


class VisuomotorPolicy(nn.Module):
    """Frames of each camera, an instruction and a normalised state -> actions and progress."""

    def __init__(self, config: PolicyConfig) -> None:
        super().__init__()
        self.config = config
        size, ch, feat = config.image_size_px, config.conv_channels, config.feature_dim
        self.cameras = nn.ModuleList(ImageEncoder(size, ch, feat) for _ in config.cameras)
        self.text = TextEncoder(config.text_buckets, config.text_dim)
        n_image = feat * len(config.cameras)
        self.film = nn.Linear(config.text_dim, 2 * n_image)
        self.state = nn.Sequential(nn.Linear(config.state_dim, 64), nn.ReLU(inplace=True))
        width = config.hidden_dim
        self.trunk = nn.Sequential(
            nn.Linear(n_image + config.text_dim + 64, width),
            nn.ReLU(inplace=True),
            nn.Linear(width, width),
            nn.ReLU(inplace=True),
        )
        self.actions = nn.Linear(width, config.chunk_size * config.action_dim)
        self.progress = nn.Linear(width, 1)

    def forward(
        self, images: list[torch.Tensor], texts: list[str], state: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Images per camera (N x 3 x S x S), N texts, N x state_dim.

        Returns N x H x A normalised actions and N progress logits.
        """
        feats = torch.cat([enc(img) for enc, img in zip(self.cameras, images, strict=True)], 1)
        text = self.text(texts)
        scale, shift = self.film(text).chunk(2, dim=1)
        feats = feats * (1 + scale) + shift
        hidden = self.trunk(torch.cat([feats, text, self.state(state)], dim=1))
        cfg = self.config
        actions = self.actions(hidden).view(-1, cfg.chunk_size, cfg.action_dim)
        return actions, self.progress(hidden).squeeze(1)
