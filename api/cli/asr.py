"""`voxgate transcribe FILE... [--medical] [--format srt]`: local transcription with a progress bar.

Runs in-process on the shared pool (no gateway needed). Transcripts go to stdout, or next to
each input with --output-dir; progress goes to stderr so output can be piped.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

import asr
from api.settings import Settings
from asr.formats import RESPONSE_FORMATS, TIMED_FORMATS, render
from asr.medical import MedicalOptions, MedicalTranscript, transcribe_medical

err = Console(stderr=True)
EXTENSIONS = {"json": "json", "verbose_json": "json", "text": "txt", "srt": "srt", "vtt": "vtt"}


def _as_transcript(result: MedicalTranscript) -> asr.Transcript:
    return asr.Transcript(
        text=result.text, language=result.language, language_probability=1.0, duration=result.duration,
        model=result.model, segments=result.segments,
    )  # fmt: skip


def _output(result: asr.Transcript | MedicalTranscript, fmt: str) -> str:
    if isinstance(result, MedicalTranscript) and fmt in ("json", "verbose_json"):
        return result.model_dump_json(indent=2)
    transcript = _as_transcript(result) if isinstance(result, MedicalTranscript) else result
    body = render(transcript, fmt, ("segment", "word"))
    return json.dumps(body, indent=2, ensure_ascii=False) if isinstance(body, dict) else body


def _run_one(
    path: Path, medical: bool, options: dict, progress: Progress, settings: asr.AsrSettings, timed: bool = False
) -> asr.Transcript | MedicalTranscript:
    audio = asr.decode(path)
    task = progress.add_task(path.name, total=round(audio.duration, 1))

    def advance(seconds: float) -> None:
        progress.update(task, completed=min(seconds, audio.duration))

    if medical:
        result = transcribe_medical(
            audio, MedicalOptions(**options), settings=settings,
            progress=lambda fraction: advance(fraction * audio.duration),
        )  # fmt: skip
    else:
        result = asr.transcribe(
            audio, asr.TranscribeOptions(model=options["model"], language=options["language"], word_timestamps=timed),
            settings=settings,
            on_segment=lambda _segment, covered: advance(covered),
        )  # fmt: skip
    progress.update(task, completed=audio.duration)
    return result


def transcribe(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="audio files, any common format"),
    medical: bool = typer.Option(False, "--medical", help="clinical formatting, entities, speakers"),
    fmt: str = typer.Option("text", "--format", "-f", help="text, json, verbose_json, srt or vtt"),
    model: str | None = typer.Option(None, "--model", "-m", help="base, tiny.en or a model directory"),
    language: str | None = typer.Option(None, "--language", "-l", help="ISO-639-1 code (default: detect)"),
    kind: str = typer.Option("dictation", "--type", help="medical: dictation or conversation"),
    specialty: str | None = typer.Option(None, help="medical: respiratory, cardiology, general, ..."),
    vocabulary: list[str] = typer.Option([], "--vocabulary", "-v", help="medical: a term to bias towards"),
    redact_phi: bool = typer.Option(False, "--redact-phi", help="medical: replace PHI in the text"),
    output_dir: Path | None = typer.Option(None, "--output-dir", "-o", help="write FILE.<ext> here, not stdout"),
) -> None:
    """Transcribe FILE... and print (or write) the transcripts."""
    if fmt not in RESPONSE_FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(RESPONSE_FORMATS)}")
    options = {"model": model, "language": language}
    if medical:
        options |= {"type": kind, "specialty": specialty, "vocabulary": vocabulary, "redact_phi": redact_phi}
        options["language"] = language or "en"
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    failed = 0
    settings = Settings().asr
    with Progress(*columns, console=err, transient=False) as progress:
        for path in files:
            try:
                result = _run_one(path, medical, options, progress, settings, timed=fmt in TIMED_FORMATS)
            except asr.AsrError as exc:
                err.print(f"[red]{path}: {exc.message}[/red]")
                failed += 1
                continue
            text = _output(result, fmt)
            if output_dir is None:
                progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
                continue
            output_dir.mkdir(parents=True, exist_ok=True)
            target = output_dir / f"{path.stem}.{EXTENSIONS[fmt]}"
            target.write_text(text if text.endswith("\n") else text + "\n")
            err.print(f"{path} -> {target}")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("transcribe", help="Transcribe audio files locally, with a progress bar.")(transcribe)
