"""Music bench on the test chorales (music/data/split.json): likelihood per model, DeepComposer's metrics for
generated vs real music, accompaniment fit (in-scale ratio, parallel fifths/octaves vs Bach's own), time to
generate 8 bars, and the answers to bad input.

    .venv/bin/python -m bench.music [--limit 35] [--threads 2] [--markdown music/weights/BENCH.md]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rich.console import Console
from rich.table import Table

import music
from music.data import N_CLASSES, Chorale, split_chorales
from music.metrics import music_metrics, parallels
from music.piece import Note, Piece, notes_from_roll
from music.weights import weights_dir
from workers import default_pool

METRICS = (
    ("empty_bar_rate", "empty bars"),
    ("pitch_classes_per_bar", "PCs/bar"),
    ("in_scale_ratio", "in scale"),
    ("polyphony", "polyphony"),
    ("notes_per_bar", "notes/bar"),
    ("qualified_note_rate", "qualified"),
)


def piece_of(chorale: Chorale) -> Piece:
    voices = [notes_from_roll(chorale.pitches[v], chorale.onsets[v]) for v in range(4)]
    return Piece(voices, steps_per_bar=chorale.steps_per_bar, pickup=chorale.pickup)


def soprano(piece: Piece) -> Piece:
    return piece.with_voices(piece.voices[:1], ["Melody"])


def first_bars(piece: Piece, bars: int) -> Piece:
    lead = (piece.steps_per_bar - piece.pickup) % piece.steps_per_bar if piece.pickup else 0
    end = bars * piece.steps_per_bar - lead
    voices = [
        [Note(n.pitch, n.start, min(n.duration, end - n.start)) for n in v if n.start < end] for v in piece.voices
    ]
    return piece.with_voices(voices, piece.names)


def has(name: str) -> bool:
    return (weights_dir() / f"{name}.safetensors").exists()


# ---------------------------------------------------------------- likelihood


@torch.no_grad()
def arcnn_nll(chorales: list[Chorale]) -> tuple[float, float]:
    """ATB given the soprano in one pass (all three masked): nats per ATB cell, and per ATB note onset."""
    from music.arcnn import load_arcnn

    model = load_arcnn()
    total = cells = notes = 0.0
    for c in chorales:
        x = torch.from_numpy(c.classes()).unsqueeze(0)
        mask = torch.zeros_like(x, dtype=torch.bool)
        mask[:, 1:] = True
        logits = model(x, mask)
        nll = torch.nn.functional.cross_entropy(
            logits[0, 1:].reshape(-1, N_CLASSES), x[0, 1:].reshape(-1), reduction="sum"
        )
        total, cells, notes = total + float(nll), cells + 3 * c.steps, notes + int(c.onsets[1:].sum())
    return total / cells, total / notes


@torch.no_grad()
def gan_ce(chorales: list[Chorale]) -> float:
    """The generator's softmax against Bach's ATB (nats per cell): a reconstruction error, not a likelihood."""
    from music.gan import BAR, load_gan

    model = load_gan()
    gen = torch.Generator().manual_seed(0)
    total = cells = 0.0
    for c in chorales:
        steps = c.steps // BAR * BAR
        x = torch.from_numpy(c.classes()[:, :steps]).unsqueeze(0)
        logits = model.generator(x[:, 0], *model.generator.noise(1, steps, gen))
        nll = torch.nn.functional.cross_entropy(logits[0].reshape(-1, N_CLASSES), x[0, 1:].reshape(-1), reduction="sum")
        total, cells = total + float(nll), cells + 3 * steps
    return total / cells


def transformer_nll(chorales: list[Chorale]) -> tuple[float, float]:
    from music.tokens import encode
    from music.transformer import load_transformer, sequence_nll

    model = load_transformer()
    total = tokens = notes = 0.0
    for c in chorales:
        piece = piece_of(c)
        nll, count = sequence_nll(model, encode(piece))
        total, tokens, notes = total + nll, tokens + count, notes + piece.note_count()
    return total / tokens, total / notes


# ---------------------------------------------------------------- generation


def mean_metrics(pieces: list[Piece]) -> dict[str, float]:
    rows = [music_metrics(p) for p in pieces]
    return {key: statistics.fmean(r[key] for r in rows) for key, _ in METRICS}


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=35, help="test chorales to use (35 in the split)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the models are small; see README)")
    parser.add_argument("--extend-limit", type=int, default=10, help="chorales continued by the transformer")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the tables here as markdown")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    console = Console(record=True, width=140)
    chorales = split_chorales("test")[: args.limit]
    real = [piece_of(c) for c in chorales]
    pool = default_pool()

    nll = Table(title=f"Likelihood on {len(chorales)} test chorales (natural log)")
    for col in ("model", "params", "NLL", "unit", "NLL per note"):
        nll.add_column(col, justify="left" if col in ("model", "unit") else "right")
    from music.weights import load_meta

    if has("arcnn"):
        per_cell, per_note = arcnn_nll(chorales)
        params = f"{load_meta('arcnn')['parameters']:,}"
        nll.add_row("arcnn", params, f"{per_cell:.3f}", "nats / ATB cell, soprano given", f"{per_note:.2f}")
    if has("gan"):
        params = f"{load_meta('gan')['generator_parameters']:,} (G)"
        nll.add_row("gan", params, "n/a", f"no likelihood; G softmax CE {gan_ce(chorales):.3f} nats/cell", "n/a")
    if has("transformer"):
        per_token, per_note = transformer_nll(chorales)
        params = f"{load_meta('transformer')['parameters']:,}"
        nll.add_row("transformer", params, f"{per_token:.3f}", "nats / token, 4 voices", f"{per_note:.2f}")
    nll.add_row("uniform", "", f"{np.log(N_CLASSES):.3f}", "nats / cell (47 classes)", "")
    console.print(nll)

    # accompaniment of every test soprano, both models
    generated: dict[str, list[Piece]] = {"Bach (real)": real}
    times: dict[str, list[float]] = {}
    runs = {
        "arcnn accompaniment": ("arcnn", True),
        "arcnn accompaniment, no redraw": ("arcnn", False),
        "gan accompaniment": ("gan", True),
    }
    for name, (model, redraw) in runs.items():
        if not has(model):
            continue
        pieces, spent = [], []
        for piece in real:
            result, seconds = timed(
                lambda p=piece, m=model, r=redraw: music.accompany(soprano(p), m, seed=0, avoid_parallels=r, pool=pool)
            )
            pieces.append(result.piece)
            spent.append(seconds / max(1, result.piece.bars))
        generated[name] = pieces
        times[name] = spent
    if has("arcnn"):
        enhanced = [music.enhance(soprano(p), seed=0, pool=pool).piece for p in real]
        generated["Bach sopranos (real)"] = [soprano(p) for p in real]
        generated["arcnn enhance (defaults)"] = enhanced
    if has("transformer"):
        cont, mel = [], []
        for piece in real[: args.extend_limit]:
            start = first_bars(piece, 4)
            cont.append(music.extend(start, bars=8, seed=0, pool=pool).piece)
            mel.append(music.extend(soprano(start), bars=8, seed=0, pool=pool).piece)
        generated["transformer: 4 bars + 8 (4 voices)"] = cont
        generated["transformer: 4 bars + 8 (melody)"] = mel

    deep = Table(title="DeepComposer metrics, generated vs real (means over pieces; qualified = notes >= an eighth)")
    deep.add_column("music")
    deep.add_column("pieces", justify="right")
    for _, label in METRICS:
        deep.add_column(label, justify="right")
    for name, pieces in generated.items():
        m = mean_metrics(pieces)
        deep.add_row(name, str(len(pieces)), *(f"{m[key]:.3f}" for key, _ in METRICS))
    console.print(deep)

    fit = Table(title="Accompaniment fit for the test sopranos (totals over pieces)")
    for col in ("accompaniment", "in-scale ATB", "chord changes", "par. 5ths", "par. 8ves", "per 100 changes"):
        fit.add_column(col, justify="left" if col == "accompaniment" else "right")
    for name in ("Bach (real)", "arcnn accompaniment", "arcnn accompaniment, no redraw", "gan accompaniment"):
        if name not in generated:
            continue
        pieces = generated[name]
        atb = [p.with_voices(p.voices[1:], p.names[1:]) for p in pieces]
        scale_ok = sum(music_metrics(a)["in_scale_ratio"] * music_metrics(a)["notes"] for a in atb)
        scale_all = sum(music_metrics(a)["notes"] for a in atb)
        par = [parallels(p) for p in pieces]
        changes = sum(p["chord_changes"] for p in par)
        fifths, octaves = sum(p["parallel_fifths"] for p in par), sum(p["parallel_octaves"] for p in par)
        fit.add_row(
            name,
            f"{scale_ok / scale_all:.3f}",
            str(changes),
            str(fifths),
            str(octaves),
            f"{100 * (fifths + octaves) / max(1, changes - len(pieces)):.2f}",
        )
    console.print(fit)

    speed = Table(title=f"Time to generate 8 bars of 4/4 ({args.threads} torch threads; median over test pieces)")
    for col in ("task", "seconds / 8 bars", "runs"):
        speed.add_column(col, justify="left" if col == "task" else "right")
    labels = {
        "arcnn accompaniment": "arcnn accompany (96 Gibbs rounds + parallels redraw)",
        "arcnn accompaniment, no redraw": "arcnn accompany (96 Gibbs rounds)",
        "gan accompaniment": "gan accompany (one generator pass)",
    }
    for name, spent in times.items():
        speed.add_row(labels[name], f"{8 * statistics.median(spent):.2f}", str(len(spent)))
    eight = [first_bars(p, 8) for p in real[:5] if p.steps_per_bar == 16]
    if has("arcnn"):
        spent = [timed(lambda p=p: music.enhance(soprano(p), pool=pool))[1] for p in eight]
        speed.add_row("arcnn enhance (100 iterations)", f"{statistics.median(spent):.2f}", str(len(spent)))
    if has("transformer"):
        spent = [timed(lambda p=p: music.extend(first_bars(p, 1), bars=8, pool=pool))[1] for p in eight]
        speed.add_row("transformer extend, 4 voices", f"{statistics.median(spent):.2f}", str(len(spent)))
        spent = [timed(lambda p=p: music.extend(soprano(first_bars(p, 1)), bars=8, pool=pool))[1] for p in eight]
        speed.add_row("transformer extend, melody", f"{statistics.median(spent):.2f}", str(len(spent)))
    console.print(speed)

    console.print(bad_input_table())
    if args.markdown:
        args.markdown.write_text("```\n" + console.export_text() + "```\n")


def bad_input_table() -> Table:
    """What the gateway answers to bad input (status and error code)."""
    import tempfile

    import symusic
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    def midi(notes: list[tuple[int, int]], drums: bool = False) -> bytes:
        score = symusic.Score(480)
        track = symusic.Track("t", 0, drums)
        for pitch, beat in notes:
            track.notes.append(symusic.Note(beat * 480, 480, pitch, 90))
        score.tracks.append(track)
        return bytes(score.dumps_midi())

    cases = [
        ("not a MIDI file (a WAV header)", {"files": {"file": ("x.mid", b"RIFF\0\0\0\0WAVEfmt ", "audio/midi")}}),
        ("an empty MIDI (no notes)", {"files": {"file": ("x.mid", midi([]), "audio/midi")}}),
        (
            "a 10-minute MIDI",
            {"files": {"file": ("x.mid", midi([(60 + i % 12, i) for i in range(1200)]), "audio/midi")}},
        ),
        ("melody outside the pitch range", {"json": {"notes": [{"pitch": 110, "start": 0, "duration": 1}]}}),
        ("drums only", {"files": {"file": ("x.mid", midi([(36, i) for i in range(8)], drums=True), "audio/midi")}}),
    ]
    table = Table(title="Bad input to POST /v1/music/accompaniment")
    for col in ("input", "status", "code", "message"):
        table.add_column(col)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/v.db", artifact_dir=Path(tmp) / "a", api_keys=[], modules=["music"]
        )
        with TestClient(create_app(settings)) as client:
            for name, kwargs in cases:
                response = client.post("/v1/music/accompaniment", **kwargs)
                error = response.json().get("error", {})
                table.add_row(name, str(response.status_code), str(error.get("code")), str(error.get("message"))[:70])
    return table


if __name__ == "__main__":
    main()
