"""A melody-conditioned GAN for alto, tenor and bass (MuseGAN-style, WGAN-GP), on the same voice rolls.

Generator: the soprano's one-hot roll through dilated 1-D convolutions over time, joined with noise (one
vector per bar plus one for the piece, repeated over the bar's steps), then more convolutions to a softmax
over the 47 classes for each accompanying voice and sixteenth. Critic: soprano one-hot and the three voices'
class probabilities (real rolls one-hot) through strided convolutions to one score, no normalisation
(gradient penalty). Being fully convolutional over time, both take any length that is a whole number of bars.
The training loss can add a reconstruction term (cross-entropy to Bach's own voices, as in pix2pix); the
model card says which weight the shipped model was trained with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from music import weights
from music.data import N_CLASSES, REST

BAR = 16


@dataclass
class GanConfig:
    channels: int = 96
    critic_channels: int = 64
    z_bar: int = 32
    z_piece: int = 32
    crop: int = 64


def _res(channels: int, dilation: int) -> nn.Module:
    return nn.Sequential(
        nn.GroupNorm(1, channels), nn.GELU(), nn.Conv1d(channels, channels, 3, padding=dilation, dilation=dilation)
    )


class Generator(nn.Module):
    def __init__(self, c: GanConfig) -> None:
        super().__init__()
        self.c = c
        ch = c.channels
        self.melody_in = nn.Conv1d(N_CLASSES, ch, 3, padding=1)
        self.melody = nn.ModuleList(_res(ch, d) for d in (1, 2, 4, 8))
        self.join = nn.Conv1d(ch + c.z_bar + c.z_piece, ch, 1)
        self.body = nn.ModuleList(_res(ch, d) for d in (1, 2, 4, 8, 1, 2))
        self.out = nn.Sequential(nn.GroupNorm(1, ch), nn.GELU(), nn.Conv1d(ch, 3 * N_CLASSES, 1))

    def forward(self, soprano: torch.Tensor, z_bar: torch.Tensor, z_piece: torch.Tensor) -> torch.Tensor:
        """soprano (B, T) classes, z_bar (B, z, T/16), z_piece (B, z) -> logits (B, 3, T, N_CLASSES)."""
        b, t = soprano.shape
        h = self.melody_in(F.one_hot(soprano, N_CLASSES).float().transpose(1, 2))
        for block in self.melody:
            h = h + block(h)
        noise = torch.cat([z_bar.repeat_interleave(BAR, dim=2)[:, :, :t], z_piece.unsqueeze(2).expand(-1, -1, t)], 1)
        h = self.join(torch.cat([h, noise], dim=1))
        for block in self.body:
            h = h + block(h)
        return self.out(h).reshape(b, 3, N_CLASSES, t).permute(0, 1, 3, 2)

    def noise(self, batch: int, steps: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, ...]:
        bars = -(-steps // BAR)
        return (
            torch.randn(batch, self.c.z_bar, bars, generator=generator),
            torch.randn(batch, self.c.z_piece, generator=generator),
        )


class Critic(nn.Module):
    def __init__(self, c: GanConfig) -> None:
        super().__init__()
        ch = c.critic_channels
        self.net = nn.Sequential(
            nn.Conv1d(4 * N_CLASSES, ch, 3, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv1d(ch, ch, 3, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv1d(ch, ch, 4, stride=2, padding=1),  # eighths
            nn.LeakyReLU(0.2),
            nn.Conv1d(ch, ch, 4, stride=2, padding=1),  # quarters
            nn.LeakyReLU(0.2),
            nn.Conv1d(ch, 2 * ch, 4, stride=4),  # bars
            nn.LeakyReLU(0.2),
            nn.Conv1d(2 * ch, 2 * ch, 3, padding=1),
            nn.LeakyReLU(0.2),
        )
        self.score = nn.Linear(2 * ch, 1)

    def forward(self, soprano: torch.Tensor, voices: torch.Tensor) -> torch.Tensor:
        """soprano (B, T) classes, voices (B, 3, T, N_CLASSES) probabilities -> (B,) scores."""
        b, _, t, _ = voices.shape
        melody = F.one_hot(soprano, N_CLASSES).float().unsqueeze(1)
        x = torch.cat([melody, voices], dim=1).permute(0, 1, 3, 2).reshape(b, 4 * N_CLASSES, t)
        return self.score(self.net(x).mean(dim=2)).squeeze(1)


class Gan(nn.Module):
    def __init__(self, config: GanConfig | None = None) -> None:
        super().__init__()
        self.config = config or GanConfig()
        self.generator = Generator(self.config)
        self.critic = Critic(self.config)

    def config_dict(self) -> dict:
        return asdict(self.config)


def gradient_penalty(critic: Critic, soprano: torch.Tensor, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    alpha = torch.rand(real.shape[0], 1, 1, 1)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(soprano, mixed).sum(), mixed, create_graph=True)
    return ((grad.reshape(len(grad), -1).norm(dim=1) - 1) ** 2).mean()


def load_gan(directory: Path | None = None) -> Gan:
    meta = weights.load_meta("gan", directory)
    return weights.load_state(Gan(GanConfig(**meta["config"])), "gan", directory)


@torch.no_grad()
def accompany_gan(model: Gan, soprano_pitches: np.ndarray, temperature: float = 0.0, seed: int = 0) -> np.ndarray:
    """(T,) soprano pitches (0 = rest) -> (4, T) classes, soprano kept, ATB from one generator pass."""
    from music.arcnn import voice_ranges
    from music.piece import pitches_to_classes

    model.eval()
    steps = len(soprano_pitches)
    padded = -(-steps // BAR) * BAR
    soprano = np.full(padded, REST, dtype=np.int64)
    soprano[:steps] = pitches_to_classes(soprano_pitches)
    gen = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(soprano).unsqueeze(0)
    logits = model.generator(x, *model.generator.noise(1, padded, gen))
    for v, (lo, hi) in enumerate(voice_ranges()[1:]):
        blocked = torch.ones(N_CLASSES, dtype=torch.bool)
        blocked[lo : hi + 1] = False
        blocked[REST] = False
        logits[:, v, :, blocked] = -1e9
    if temperature <= 0:
        voices = logits.argmax(-1)
    else:
        probs = torch.softmax(logits / temperature, -1).reshape(-1, N_CLASSES)
        voices = torch.multinomial(probs, 1, generator=gen).reshape(logits.shape[:-1])
    return np.concatenate([soprano[None], voices[0].numpy()], axis=0)[:, :steps]
