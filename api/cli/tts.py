"""`voxgate say "text" -o out.mp3`: speak text (or SSML) in-process, no server needed."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console(stderr=True)


def say(
    text: str = typer.Argument(..., help="text to speak, or SSML with --ssml; '-' reads standard input"),
    output: Path = typer.Option(Path("speech.mp3"), "-o", "--output", help="file to write; format from its suffix"),
    voice: str = typer.Option("en_US-joe-medium", "-v", "--voice", help="voice id or OpenAI voice name"),
    ssml: bool = typer.Option(False, "--ssml", help="the text is SSML"),
    speed: float = typer.Option(1.0, "--speed", min=0.25, max=4.0),
    sample_rate: int | None = typer.Option(None, "--sample-rate"),
    marks: bool = typer.Option(False, "--marks", help="also write word/sentence speech marks to OUTPUT.marks.jsonl"),
    list_voices: bool = typer.Option(False, "--list-voices", help="print the voices and exit"),
) -> None:
    import sys

    import tts
    from api.settings import Settings

    model_dir = Settings().model_dir
    if list_voices:
        for v in tts.list_voices(model_dir=model_dir):
            console.print(
                f"{v.id:22} {v.engine:8} {v.backend:10} {v.language:6} {v.gender:7} {v.sample_rate} Hz "
                f"{' '.join(v.aliases)}"
            )
        return
    if text == "-":
        text = sys.stdin.read()
    fmt = {"ogg": "ogg_vorbis", "oga": "ogg_vorbis", "raw": "pcm", "m4a": "aac"}.get(
        output.suffix.lstrip("."), output.suffix.lstrip(".")
    )
    try:
        audio = tts.synthesize(
            text,
            voice,
            fmt,
            text_type="ssml" if ssml else "text",
            speed=speed,
            sample_rate=sample_rate,
            max_chars=tts.MAX_JOB_CHARS,
            model_dir=model_dir,
        )
    except tts.TtsError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    output.write_bytes(audio.data)
    if marks:
        lines = [m.model_dump_json() for m in audio.marks]
        output.with_name(output.name + ".marks.jsonl").write_text("\n".join(lines) + "\n")
    console.print(f"{output}: {audio.duration:.2f} s of {audio.voice} ({audio.format}, {audio.sample_rate} Hz)")


def register(app: typer.Typer) -> None:
    app.command("say", help="Speak text with a voxgate voice and write an audio file.")(say)
