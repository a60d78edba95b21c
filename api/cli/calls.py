"""`voxgate calls analyze DIR -o results/`: analyse a folder of call recordings locally, with a progress bar.

Runs in-process on the shared pool. Writes results/calls/<call>.json as each call finishes and
results/summary.json at the end; re-running with the same -o resumes, skipping calls already done.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import calls

calls_app = typer.Typer(help="contact-centre call analytics", no_args_is_help=True)
err = Console(stderr=True)


@calls_app.command("analyze")
def analyze(
    source: str = typer.Argument(..., help="a directory of recordings or a glob"),
    out: Path = typer.Option(Path("results"), "-o", "--out", help="output directory"),
    rules: Path | None = typer.Option(None, "--rules", help="JSON file: a list of category rules"),
    agent_channel: int = typer.Option(0, help="stereo: the agent's channel (0 or 1)"),
    model: str = typer.Option("tiny.en", help="ASR model: tiny.en or base"),
    silence: float = typer.Option(3.0, help="report non-talk gaps at least this long (s)"),
    no_redact: bool = typer.Option(False, "--no-redact", help="keep PII in the transcripts"),
    redact_audio: str | None = typer.Option(
        None,
        "--redact-audio",
        help="also write results/audio/<call>.redacted.wav with PII spans silenced ('silence') or bleeped ('bleep')",
    ),
    parallel: int = typer.Option(2, min=1, max=16, help="calls analysed at once"),
) -> None:
    """Analyse every call; a broken file fails alone and the batch goes on."""
    try:
        files = calls.list_calls(source)
        options = calls.CallOptions(
            agent_channel=agent_channel,
            asr_model=model,
            silence_threshold=silence,
            redact_pii=not no_redact,
            redact_audio=redact_audio,
        )
        rule_list = [calls.CategoryRule.model_validate(r) for r in json.loads(rules.read_text())] if rules else []
    except (calls.BatchInputError, ValueError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err) as progress:
        task = progress.add_task("calls", total=len(files))

        def done(n: int, total: int, res: calls.CallResult) -> None:
            progress.update(task, completed=n, description=f"{res.call} {res.status}")

        summary = calls.run_batch(files, out, options, rule_list, parallel=parallel, on_done=done)
    for f in summary.failed:
        err.print(f"[red]{f['call']}[/red]: {f['error']}")
    err.print(f"{summary.succeeded} of {summary.calls} calls analysed; results in {out}")
    typer.echo(summary.model_dump_json(indent=2))
    if summary.succeeded == 0:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(calls_app, name="calls")
