"""Train a music model from the music21 Bach chorales, reproducibly from a seed.

    python -m music.train --model arcnn --seed 0 --steps 4000
    python -m music.train --model gan --seed 0 --steps 6000
    python -m music.train --model transformer --seed 0 --steps 1500

Weights go to ``music/weights`` (``--out`` to change) as float16 safetensors with a JSON of the config and the
training facts (steps, wall time, losses, validation NLL); ``--minutes`` stops early on a time budget.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from music import weights
from music.data import Chorale, crops, split_chorales
from music.piece import Piece, notes_from_roll


def seed_everything(seed: int) -> np.random.Generator:
    random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def batches(chorales: list[Chorale], length: int, batch: int, rng: np.random.Generator) -> Iterator[torch.Tensor]:
    stream = crops(chorales, length, rng)
    while True:
        yield torch.from_numpy(np.stack([next(stream) for _ in range(batch)]))


def lr_at(step: int, steps: int, peak: float, warmup: int = 100, done: float = 0.0) -> float:
    """Warm-up, then cosine to a tenth; ``done`` (share of the time budget spent) can move it on faster."""
    if step < warmup:
        return peak * (step + 1) / warmup
    frac = max(done, (step - warmup) / max(1, steps - warmup))
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))


class Log:
    def __init__(self, every: int) -> None:
        self.every = every
        self.history: list[dict[str, float]] = []
        self.started = time.monotonic()

    def __call__(self, step: int, **values: float) -> None:
        if step % self.every == 0:
            row = {"step": step, "seconds": round(time.monotonic() - self.started, 1)}
            row.update({k: round(float(v), 4) for k, v in values.items()})
            self.history.append(row)
            print(json.dumps(row), flush=True)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


class Budget:
    """The wall-time budget of --minutes: ``spent`` is its share used (0 without a budget)."""

    def __init__(self, minutes: float | None) -> None:
        self.seconds = minutes * 60 if minutes else math.inf
        self.started = time.monotonic()

    @property
    def spent(self) -> float:
        return (time.monotonic() - self.started) / self.seconds

    def __call__(self) -> bool:
        return self.spent >= 1.0


def train_arcnn(args: argparse.Namespace) -> dict[str, Any]:
    from music.arcnn import Arcnn, ArcnnConfig, masked_nll, random_masks

    rng = seed_everything(args.seed)
    config = ArcnnConfig()
    model = Arcnn(config)
    earlier: list[dict[str, Any]] = []
    if args.init:  # go on from earlier weights; their training facts are kept in "earlier_runs"
        model = weights.load_state(model, "arcnn", args.init).train()
        before = weights.load_meta("arcnn", args.init)
        drop = ("history", "config", "earlier_runs")
        earlier = before.get("earlier_runs", []) + [{k: v for k, v in before.items() if k not in drop}]
    train, valid = split_chorales("train"), split_chorales("valid")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr or 1e-3, weight_decay=0.01)
    data = batches(train, config.crop, args.batch or 32, rng)
    log, stop = Log(args.log_every), Budget(args.minutes)
    vrng = np.random.default_rng(1234)
    vx = torch.from_numpy(np.stack([next(crops(valid, config.crop, vrng, augment=False)) for _ in range(256)]))
    vmask = torch.from_numpy(random_masks(len(vx), config.crop, vrng))

    def evaluate() -> float:
        model.eval()
        with torch.no_grad():
            loss = float(masked_nll(model, vx, vmask))
        model.train()
        return loss

    step, smooth = 0, None
    model.train()
    for step in range(1, args.steps + 1):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, args.steps, args.lr or 1e-3, done=stop.spent)
        x = next(data)
        mask = torch.from_numpy(random_masks(len(x), config.crop, rng))
        loss = masked_nll(model, x, mask)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        smooth = loss.item() if smooth is None else 0.98 * smooth + 0.02 * loss.item()
        log(step, loss=smooth, **({"valid_nll": evaluate()} if step % (args.log_every * 10) == 0 else {}))
        if stop():
            break
    meta = {
        "model": "arcnn",
        "config": model.config_dict(),
        "parameters": weights.parameter_count(model),
        "seed": args.seed,
        "init": str(args.init) if args.init else None,
        "earlier_runs": earlier,
        "steps": step,
        "batch": args.batch or 32,
        "wall_seconds": round(log.seconds),
        "threads": torch.get_num_threads(),
        "final_train_loss": round(smooth or 0.0, 4),
        "valid_masked_nll": round(evaluate(), 4),
        "valid_nll_unit": "nats per masked cell (voice x sixteenth), Coconet's random orderless masks",
        "history": log.history,
    }
    weights.save(model, "arcnn", meta, args.out)
    return meta


def chorale_piece(chorale: Chorale) -> Piece:
    voices = [notes_from_roll(chorale.pitches[v], chorale.onsets[v]) for v in range(4)]
    return Piece(voices, steps_per_bar=chorale.steps_per_bar, pickup=chorale.pickup)


MELODY_SHARE = 0.3  # of training windows that are the soprano alone (to continue a bare melody)


def token_windows(
    chorales: list[Chorale], context: int, batch: int, rng: np.random.Generator
) -> Iterator[torch.Tensor]:
    """Rows of ``context`` tokens packed with whole sequences (BOS .. EOS, a long one from a random bar on),
    transposed at random, a share of them the soprano alone; no padding is wasted."""
    from music.midi import transpose
    from music.tokens import BAR, encode

    pieces = [(c, chorale_piece(c)) for c in chorales]
    while True:
        rows = np.zeros((batch, context), dtype=np.int64)
        for i in range(batch):
            row: list[int] = []
            while len(row) < context:
                chorale, piece = pieces[rng.integers(len(pieces))]
                piece = transpose(piece, int(rng.choice(chorale.transpositions())))
                tokens = encode(piece, melody_only=bool(rng.random() < MELODY_SHARE))
                bars = [j for j, t in enumerate(tokens) if t == BAR]
                start = bars[rng.integers(len(bars))] if len(tokens) > context and rng.random() < 0.7 else 1
                row += [tokens[0]] + tokens[start:]
            rows[i] = row[:context]
        yield torch.from_numpy(rows)


def transformer_valid_nll(model: Any, chorales: list[Chorale]) -> dict[str, float]:
    """NLL on whole chorales (windows of the context cut at bar lines): nats per token and per note."""
    from music.tokens import encode
    from music.transformer import sequence_nll

    total = tokens = notes = 0.0
    for chorale in chorales:
        piece = chorale_piece(chorale)
        nll, count = sequence_nll(model, encode(piece))
        total, tokens, notes = total + nll, tokens + count, notes + piece.note_count()
    return {"nats_per_token": total / tokens, "nats_per_note": total / notes}


def train_transformer(args: argparse.Namespace) -> dict[str, Any]:
    from torch.nn import functional as F

    from music.tokens import PAD
    from music.transformer import MusicTransformer, TransformerConfig

    rng = seed_everything(args.seed)
    config = TransformerConfig()
    model = MusicTransformer(config)
    train, valid = split_chorales("train"), split_chorales("valid")
    peak = args.lr or 6e-4
    opt = torch.optim.AdamW(model.parameters(), lr=peak, weight_decay=0.05, betas=(0.9, 0.98))
    data = token_windows(train, config.context, args.batch or 8, rng)
    log, stop = Log(args.log_every), Budget(args.minutes)
    step, smooth = 0, None

    def evaluate() -> dict[str, float]:
        result = transformer_valid_nll(model, valid)
        model.train()
        return result

    model.train()
    for step in range(1, args.steps + 1):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, args.steps, peak, warmup=200, done=stop.spent)
        x = next(data)
        logits, _ = model(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, config.vocab), x[:, 1:].reshape(-1), ignore_index=PAD)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        smooth = loss.item() if smooth is None else 0.98 * smooth + 0.02 * loss.item()
        extra = {"valid_nats_per_token": evaluate()["nats_per_token"]} if step % (args.log_every * 10) == 0 else {}
        log(step, loss=smooth, **extra)
        if stop():
            break
    final = evaluate()
    meta = {
        "model": "transformer",
        "config": model.config_dict(),
        "parameters": weights.parameter_count(model),
        "seed": args.seed,
        "steps": step,
        "batch": args.batch or 8,
        "wall_seconds": round(log.seconds),
        "threads": torch.get_num_threads(),
        "final_train_loss": round(smooth or 0.0, 4),
        "valid_nats_per_token": round(final["nats_per_token"], 4),
        "valid_nats_per_note": round(final["nats_per_note"], 4),
        "history": log.history,
    }
    model.eval()
    weights.save(model, "transformer", meta, args.out)
    return meta


def train_gan(args: argparse.Namespace) -> dict[str, Any]:
    from torch.nn import functional as F

    from music.data import N_CLASSES
    from music.gan import Gan, GanConfig, gradient_penalty

    rng = seed_everything(args.seed)
    config = GanConfig()
    model = Gan(config)
    g, d = model.generator, model.critic
    train, valid = split_chorales("train"), split_chorales("valid")
    lr = args.lr or 2e-4
    g_opt = torch.optim.Adam(g.parameters(), lr=lr, betas=(0.5, 0.9))
    d_opt = torch.optim.Adam(d.parameters(), lr=lr, betas=(0.5, 0.9))
    data = batches(train, config.crop, args.batch or 32, rng)
    vrng = np.random.default_rng(1234)
    vx = torch.from_numpy(np.stack([next(crops(valid, config.crop, vrng, augment=False)) for _ in range(256)]))
    vgen = torch.Generator().manual_seed(1234)
    vnoise = g.noise(len(vx), config.crop, vgen)
    log, stop = Log(args.log_every), Budget(args.minutes)

    def fake_voices(soprano: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits = g(soprano, *g.noise(len(soprano), soprano.shape[1]))
        return logits, torch.softmax(logits, dim=-1)

    def evaluate() -> dict[str, float]:
        g.eval()
        with torch.no_grad():
            logits = g(vx[:, 0], *vnoise)
            ce = F.cross_entropy(logits.reshape(-1, N_CLASSES), vx[:, 1:].reshape(-1))
            real = F.one_hot(vx[:, 1:], N_CLASSES).float()
            wasserstein = d(vx[:, 0], real).mean() - d(vx[:, 0], torch.softmax(logits, -1)).mean()
            agree = (logits.argmax(-1) == vx[:, 1:]).float().mean()
        g.train()
        return {"valid_ce": float(ce), "valid_wasserstein": float(wasserstein), "valid_cell_accuracy": float(agree)}

    step = 0
    d_loss = g_adv = torch.tensor(0.0)
    for step in range(1, args.steps + 1):
        for _ in range(args.critic_steps):
            x = next(data)
            soprano, real = x[:, 0], F.one_hot(x[:, 1:], N_CLASSES).float()
            with torch.no_grad():
                _, fake = fake_voices(soprano)
            d_loss = d(soprano, fake).mean() - d(soprano, real).mean()
            gp = gradient_penalty(d, soprano, real, fake)
            d_opt.zero_grad()
            (d_loss + 10.0 * gp).backward()
            d_opt.step()
        x = next(data)
        logits, fake = fake_voices(x[:, 0])
        g_adv = -d(x[:, 0], fake).mean()
        ce = F.cross_entropy(logits.reshape(-1, N_CLASSES), x[:, 1:].reshape(-1))
        g_opt.zero_grad()
        (g_adv + args.ce_weight * ce).backward()
        g_opt.step()
        extra = evaluate() if step % (args.log_every * 10) == 0 else {}
        log(step, critic=-d_loss.item(), g_adv=g_adv.item(), ce=ce.item(), **extra)
        if stop():
            break
    final = evaluate()
    meta = {
        "model": "gan",
        "config": model.config_dict(),
        "parameters": weights.parameter_count(model),
        "generator_parameters": weights.parameter_count(g),
        "seed": args.seed,
        "steps": step,
        "critic_steps": args.critic_steps,
        "ce_weight": args.ce_weight,
        "batch": args.batch or 32,
        "wall_seconds": round(log.seconds),
        "threads": torch.get_num_threads(),
        "final_critic_wasserstein": round(-d_loss.item(), 4),
        "final_generator_adversarial": round(g_adv.item(), 4),
        **{k: round(v, 4) for k, v in final.items()},
        "valid_ce_unit": "nats per ATB cell (voice x sixteenth), generator softmax vs Bach; not a likelihood",
        "history": log.history,
    }
    weights.save(model, "gan", meta, args.out)
    return meta


TRAINERS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "arcnn": train_arcnn,
    "gan": train_gan,
    "transformer": train_transformer,
}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, choices=["arcnn", "gan", "transformer"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--minutes", type=float, default=None, help="stop after this wall time")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--log-every", type=int, default=50)
    parser.add_argument("--critic-steps", type=int, default=3, help="gan: critic updates per generator update")
    parser.add_argument(
        "--ce-weight", type=float, default=1.0, help="gan: weight of the cross-entropy term (0: pure GAN)"
    )
    parser.add_argument("--out", type=Path, default=None, help="weights folder (default music/weights)")
    parser.add_argument("--init", type=Path, default=None, help="arcnn: start from the weights in this folder")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    meta = TRAINERS[args.model](args)
    meta["command"] = "python -m music.train " + " ".join(argv if argv is not None else sys.argv[1:])
    (args.out or weights.weights_dir()).joinpath(f"{args.model}.json").write_text(json.dumps(meta, indent=1) + "\n")
    weights.write_card(args.model, args.out)
    print(json.dumps({k: v for k, v in meta.items() if k != "history"}), flush=True)
    return meta


if __name__ == "__main__":
    main()
