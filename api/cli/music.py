"""`voxgate music accompany|enhance|extend IN.mid -o OUT.mid`: run in-process on the local pool."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)
music_app = typer.Typer(help="accompany, enhance or extend a melody (MIDI) with voxgate's music models")

INPUT = typer.Argument(..., exists=True, dir_okay=False, help="a MIDI file (its top line is the melody)")
SEED = typer.Option(0, "--seed", help="random seed: the same seed gives the same music")


def _run(label: str, output: Path, json_out: Path | None, work: Callable[[Callable[[int, int], None]], Any]) -> None:
    import torch

    import music

    # The models are small: one intra-op thread is as fast, and spinning OpenMP workers starve the progress
    # bar's thread on a busy machine (24 Gibbs rounds took 16 s instead of 0.3 s with two).
    torch.set_num_threads(1)

    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(label, total=None)
            result = work(lambda done, total: bar.update(task, completed=done, total=total))
    except music.MusicError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from None
    output.write_bytes(result.midi())
    if json_out:
        json_out.write_text(json.dumps(result.to_json(), indent=1))
    metrics = ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.metrics.items())
    console.print(f"{output}: {result.piece.bars} bars, {len(result.piece.voices)} voices ({result.model}, "
                  f"{result.seconds:.1f} s); {metrics}")  # fmt: skip


@music_app.command("accompany")
def accompany(
    file: Path = INPUT,
    output: Path = typer.Option(Path("accompanied.mid"), "-o", "--output"),
    model: str = typer.Option("arcnn", "--model", help="arcnn (inpainting CNN) or gan"),
    temperature: float = typer.Option(0.8, "--temperature", min=0.0, max=3.0),
    iterations: int = typer.Option(96, "--iterations", min=1, max=1000, help="Gibbs rounds (arcnn)"),
    avoid_parallels: bool = typer.Option(
        True, "--avoid-parallels/--allow-parallels", help="arcnn: redraw notes that make parallel fifths/octaves"
    ),
    seed: int = SEED,
    json_out: Path | None = typer.Option(None, "--json", help="also write notes and metrics as JSON"),
) -> None:
    """Alto, tenor and bass under the melody, one MIDI track per voice."""
    import music

    _run(
        f"accompany ({model})",
        output,
        json_out,
        lambda progress: music.accompany(
            file.read_bytes(),
            model,
            temperature=temperature,
            iterations=iterations,
            avoid_parallels=avoid_parallels,
            seed=seed,
            progress=progress,
        ),
    )


@music_app.command("enhance")
def enhance(
    file: Path = INPUT,
    output: Path = typer.Option(Path("enhanced.mid"), "-o", "--output"),
    max_notes_added: int = typer.Option(50, "--max-notes-added", min=0),
    max_percent_removed: float = typer.Option(50.0, "--max-percent-removed", min=0, max=100),
    temperature: float = typer.Option(1.0, "--temperature", min=0.01, max=3.0),
    iterations: int = typer.Option(100, "--iterations", min=1, max=1000),
    seed: int = SEED,
    json_out: Path | None = typer.Option(None, "--json"),
) -> None:
    """The melody with notes removed and added by the inpainting CNN, within the limits given."""
    import music

    _run(
        "enhance",
        output,
        json_out,
        lambda progress: music.enhance(
            file.read_bytes(),
            max_notes_added=max_notes_added,
            max_percent_removed=max_percent_removed,
            temperature=temperature,
            iterations=iterations,
            seed=seed,
            progress=progress,
        ),
    )


@music_app.command("extend")
def extend(
    file: Path = INPUT,
    output: Path = typer.Option(Path("extended.mid"), "-o", "--output"),
    bars: int | None = typer.Option(None, "--bars", min=1, max=32),
    seconds: float | None = typer.Option(None, "--seconds", min=0.1, max=120),
    temperature: float = typer.Option(1.0, "--temperature", min=0.01, max=3.0),
    seed: int = SEED,
    json_out: Path | None = typer.Option(None, "--json"),
) -> None:
    """Continue a melody (or a four-track chorale) with the transformer."""
    import music

    _run(
        "extend",
        output,
        json_out,
        lambda progress: music.extend(
            file.read_bytes(), bars=bars, seconds=seconds, temperature=temperature, seed=seed, progress=progress
        ),
    )


def register(app: typer.Typer) -> None:
    app.add_typer(music_app, name="music")
