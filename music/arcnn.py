"""The inpainting CNN (Coconet-style, AR-CNN in DeepComposer's words) and its samplers.

Network: the roll of 4 voices x T sixteenths x 47 classes (46 pitches and a rest) enters as one-hot cells,
zeroed where masked, with the mask itself: 4 x 47 + 4 channels over time. A stack of dilated residual 1-D
convolutions over time (voice x pitch as channels: on two CPU cores this is about ten times cheaper than
Coconet's 2-D convolutions over time x pitch, and transposition is learnt from augmentation instead) gives
logits for every cell; training is orderless (Coconet): random masks, cross-entropy on the masked cells.

Sampling: ``accompany`` keeps the soprano and fills alto, tenor and bass by blocked Gibbs sampling with an
annealed masking probability (Yao et al.); ``enhance`` resamples cells of the melody itself within the
limits DeepComposer's AR-CNN offers (notes added, percent removed, temperature, iterations).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from music import weights
from music.data import N_CLASSES, REST

Progress = Callable[[int, int], None]


@dataclass
class ArcnnConfig:
    channels: int = 128
    layers: int = 10
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16, 1, 2, 4, 8, 16)
    crop: int = 64


class ResidualBlock(nn.Module):
    def __init__(self, channels: int, dilation: int) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(1, channels)
        self.conv = nn.Conv1d(channels, channels, 3, padding=dilation, dilation=dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(F.gelu(self.norm(x)))


class Arcnn(nn.Module):
    def __init__(self, config: ArcnnConfig | None = None) -> None:
        super().__init__()
        self.config = config or ArcnnConfig()
        c = self.config.channels
        self.inp = nn.Conv1d(4 * N_CLASSES + 4, c, 3, padding=1)
        self.blocks = nn.ModuleList(ResidualBlock(c, d) for d in self.config.dilations[: self.config.layers])
        self.norm = nn.GroupNorm(1, c)
        self.out = nn.Conv1d(c, 4 * N_CLASSES, 1)

    def forward(self, classes: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """classes (B, 4, T) long, mask (B, 4, T) bool (True = to predict) -> logits (B, 4, T, N_CLASSES)."""
        b, v, t = classes.shape
        onehot = F.one_hot(classes.clamp(0, N_CLASSES - 1), N_CLASSES).float() * (~mask).unsqueeze(-1).float()
        x = torch.cat([onehot.permute(0, 1, 3, 2).reshape(b, v * N_CLASSES, t), mask.float()], dim=1)
        h = self.inp(x)
        for block in self.blocks:
            h = block(h)
        logits = self.out(F.gelu(self.norm(h)))
        return logits.reshape(b, v, N_CLASSES, t).permute(0, 1, 3, 2)

    def config_dict(self) -> dict:
        return asdict(self.config)


def random_masks(batch: int, steps: int, rng: np.random.Generator) -> np.ndarray:
    """Coconet's orderless masks, half of them shaped like the accompaniment task (all of some lower voices)."""
    masks = np.zeros((batch, 4, steps), dtype=bool)
    for i in range(batch):
        if rng.random() < 0.5:
            masks[i] = rng.random((4, steps)) < rng.uniform(0.05, 1.0)
        else:
            masks[i, 1:] = True
            masks[i, 1:] &= rng.random((3, steps)) < rng.uniform(0.5, 1.0)
            masks[i, 0] = rng.random(steps) < rng.uniform(0.0, 0.3)
        if not masks[i].any():
            masks[i, rng.integers(4), rng.integers(steps)] = True
    return masks


def masked_nll(model: Arcnn, classes: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy (nats) over the masked cells."""
    logits = model(classes, mask)
    nll = F.cross_entropy(logits.reshape(-1, N_CLASSES), classes.reshape(-1), reduction="none")
    return (nll * mask.reshape(-1).float()).sum() / mask.float().sum().clamp(min=1.0)


def _sample(logits: torch.Tensor, temperature: float, generator: torch.Generator) -> torch.Tensor:
    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits / temperature, dim=-1)
    flat = torch.multinomial(probs.reshape(-1, N_CLASSES), 1, generator=generator)
    return flat.reshape(probs.shape[:-1])


def _allowed(logits: torch.Tensor, ranges: list[tuple[int, int]] | None) -> torch.Tensor:
    """Keep each voice within its class range (plus rests) by masking logits."""
    if ranges is None:
        return logits
    out = logits.clone()
    for v, (lo, hi) in enumerate(ranges):
        blocked = torch.ones(N_CLASSES, dtype=torch.bool)
        blocked[lo : hi + 1] = False
        blocked[REST] = False
        out[:, v, :, blocked] = -1e9
    return out


@torch.no_grad()
def gibbs(
    model: Arcnn,
    classes: np.ndarray,
    fixed: np.ndarray,
    *,
    iterations: int,
    temperature: float = 0.8,
    pmax: float = 0.9,
    pmin: float = 0.05,
    seed: int = 0,
    ranges: list[tuple[int, int]] | None = None,
    rest_penalty: float = 2.0,
    below_soprano: bool = False,
    progress: Progress | None = None,
) -> np.ndarray:
    """Blocked Gibbs over the cells not ``fixed``: (4, T) classes in and out.

    The free cells start all masked and are sampled at once; then for ``iterations`` rounds a random fraction
    (annealed from ``pmax`` to ``pmin``) of them is masked and resampled, the temperature falling to half.
    ``rest_penalty`` (nats) makes the accompanying voices rest less than an unconditioned sample would;
    ``below_soprano`` keeps alto, tenor and bass under the soprano wherever it sounds (no crossing above it).
    """
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(classes.astype(np.int64)).unsqueeze(0)
    free = torch.from_numpy(~fixed).unsqueeze(0)
    mask = free.clone()
    above = _above_soprano(x[0, 0]) if below_soprano else None
    for it in range(iterations + 1):
        if it > 0:
            frac = max(pmin, pmax - (pmax - pmin) * it / (0.7 * iterations))
            mask = free & torch.from_numpy(rng.random(fixed.shape) < frac).unsqueeze(0)
            if not mask.any():
                continue
        logits = _allowed(model(x, mask), ranges)
        logits[..., REST] -= rest_penalty
        if above is not None:
            logits[:, 1:] = logits[:, 1:].masked_fill(above, -1e9)
        temp = temperature * (1.0 - 0.5 * it / max(1, iterations))
        x = torch.where(mask, _sample(logits, temp, gen), x)
        if progress is not None:
            progress(it + 1, iterations + 1)
    return x[0].numpy()


def _above_soprano(soprano: torch.Tensor) -> torch.Tensor:
    """(T, classes): the classes a lower voice may not take at each step (above a sounding soprano)."""
    above = (torch.arange(N_CLASSES).unsqueeze(0) > soprano.unsqueeze(1)) & (soprano != REST).unsqueeze(1)
    above[:, REST] = False
    return above


def parallel_cells(classes: np.ndarray, fixed: np.ndarray) -> tuple[int, np.ndarray]:
    """Parallel fifths/octaves between voice pairs at consecutive chord changes of a (4, T) roll: how many,
    and the free cells to resample for each (the free voice's held note at the second chord)."""
    steps = classes.shape[1]
    pitch = np.where(classes == REST, -100, classes)
    changes = [0] + [t for t in range(1, steps) if (classes[:, t] != classes[:, t - 1]).any()]
    cells = np.zeros_like(fixed)
    count = 0
    for t0, t1 in zip(changes, changes[1:], strict=False):
        end = next((t for t in changes if t > t1), steps)
        for a in range(4):
            for b in range(a + 1, 4):
                p0, q0, p1, q1 = pitch[a, t0], pitch[b, t0], pitch[a, t1], pitch[b, t1]
                if min(p0, q0, p1, q1) < 0 or p0 == p1 or q0 == q1 or (p1 - p0) * (q1 - q0) <= 0:
                    continue
                if abs(p0 - q0) % 12 == abs(p1 - q1) % 12 and abs(p0 - q0) % 12 in (0, 7):
                    count += 1
                    voice = b if not fixed[b, t1] else a
                    if not fixed[voice, t1]:
                        cells[voice, t1:end] = True
    return count, cells & ~fixed


@torch.no_grad()
def repair_parallels(
    model: Arcnn,
    classes: np.ndarray,
    fixed: np.ndarray,
    *,
    rounds: int = 24,
    candidates: int = 4,
    temperature: float = 0.6,
    seed: int = 0,
    ranges: list[tuple[int, int]] | None = None,
    below_soprano: bool = True,
) -> np.ndarray:
    """Rule-guided resampling: where two voices move in parallel fifths or octaves, the model redraws the
    free voice's note there (a few candidates); a candidate is kept only if it lowers the count."""
    gen = torch.Generator().manual_seed(seed + 7)
    count, cells = parallel_cells(classes, fixed)
    above = _above_soprano(torch.from_numpy(classes[0])) if below_soprano else None
    for _ in range(rounds):
        if count == 0:
            break
        x = torch.from_numpy(classes).unsqueeze(0).repeat(candidates, 1, 1)
        mask = torch.from_numpy(cells).unsqueeze(0).expand(candidates, -1, -1)
        logits = _allowed(model(x, mask), ranges)
        logits[..., REST] -= 2.0
        if above is not None:
            logits[:, 1:] = logits[:, 1:].masked_fill(above, -1e9)
        drawn = torch.where(mask, _sample(logits, temperature, gen), x).numpy()
        best = min(((parallel_cells(d, fixed)[0], i) for i, d in enumerate(drawn)), key=lambda item: item[0])
        if best[0] < count:
            classes = drawn[best[1]]
        count, cells = parallel_cells(classes, fixed)
    return classes


def voice_ranges() -> list[tuple[int, int]]:
    """Class ranges of the four voices (``music.data.VOICE_RANGES``)."""
    from music.data import PITCH_MIN, VOICE_RANGES

    return [(p - PITCH_MIN, q - PITCH_MIN) for p, q in VOICE_RANGES]


def load_arcnn(directory: Path | None = None) -> Arcnn:
    meta = weights.load_meta("arcnn", directory)
    config = dict(meta["config"], dilations=tuple(meta["config"]["dilations"]))
    return weights.load_state(Arcnn(ArcnnConfig(**config)), "arcnn", directory)


def _note_set(pitches: np.ndarray, onsets: np.ndarray) -> set[tuple[int, int]]:
    from music.piece import notes_from_roll

    return {(n.pitch, n.start) for n in notes_from_roll(pitches, onsets)}


@dataclass
class Enhanced:
    pitches: np.ndarray  # (T,) MIDI pitches of the melody, 0 = rest
    onsets: np.ndarray
    added: int
    removed: int
    accepted: int


@torch.no_grad()
def enhance_melody(
    model: Arcnn,
    pitches: np.ndarray,
    onsets: np.ndarray,
    *,
    iterations: int = 100,
    max_notes_added: int = 50,
    max_percent_removed: float = 50.0,
    temperature: float = 1.0,
    window: int = 4,
    seed: int = 0,
    progress: Progress | None = None,
) -> Enhanced:
    """DeepComposer's AR-CNN edit loop on a melody (T,): each iteration redraws a window of a beat of it and
    of the accompaniment sampled under it, step by step, and keeps the change only while the notes added
    and the share of original notes removed stay within their limits."""
    from music.piece import classes_to_pitches, pitches_to_classes

    ranges = voice_ranges()
    steps = len(pitches)
    classes = np.full((4, steps), REST, dtype=np.int64)
    classes[0] = pitches_to_classes(pitches)
    fixed = np.zeros((4, steps), dtype=bool)
    fixed[0] = True
    classes = gibbs(model, classes, fixed, iterations=24, temperature=0.8, seed=seed, ranges=ranges)
    original = _note_set(pitches, onsets)
    limit_removed = int(max_percent_removed / 100.0 * len(original))
    rng = np.random.default_rng(seed + 1)
    gen = torch.Generator().manual_seed(seed + 1)
    current, current_onsets = pitches.copy(), onsets.copy()
    added = removed = accepted = 0
    for it in range(iterations):
        start = 2 * int(rng.integers(0, max(1, (steps - window) // 2 + 1)))  # on an eighth
        cells = np.zeros((4, steps), dtype=bool)
        cells[:, start : start + window] = True
        x = torch.from_numpy(classes).unsqueeze(0)
        mask = torch.from_numpy(cells).unsqueeze(0)
        # the window's steps one after another, each seeing the ones drawn before it: notes, not jitter
        for t in range(start, min(steps, start + window)):
            logits = _allowed(model(x, mask), ranges)
            logits[:, 1:, :, REST] -= 2.0
            x = x.clone()
            x[0, :, t] = _sample(logits[:, :, t], temperature, gen)[0]
            mask = mask.clone()
            mask[0, :, t] = False
        proposal = x[0].numpy()
        new = classes_to_pitches(proposal[0])
        new_onsets = current_onsets.copy()
        for t in range(start, min(steps, start + window + 1)):
            same_as_before = t > 0 and new[t] == new[t - 1]
            kept_onset = bool(onsets[t]) and new[t] == pitches[t]
            new_onsets[t] = bool(new[t] > 0) and (not same_as_before or kept_onset)
        notes = _note_set(new, new_onsets)
        n_added, n_removed = len(notes - original), len(original - notes)
        if n_added <= max_notes_added and n_removed <= limit_removed:
            classes, current, current_onsets = proposal, new, new_onsets
            added, removed, accepted = n_added, n_removed, accepted + 1
        if progress is not None:
            progress(it + 1, iterations)
    return Enhanced(current, current_onsets, added, removed, accepted)
