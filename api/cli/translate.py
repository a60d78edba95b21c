"""CLI command `voxgate translate TEXT --to LANG`: runs in-process."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

console = Console(stderr=True)


def translate_command(
    text: str = typer.Argument(..., help="text to translate ('-' reads stdin)"),
    to: str = typer.Option(..., "--to", help="target language (ISO 639-1)"),
    source: str = typer.Option("auto", "--from", help="source language, or auto"),
    glossary: Path | None = typer.Option(None, help="CSV or TMX glossary file"),
    html: bool = typer.Option(False, help="the text is HTML: keep the markup"),
    as_json: bool = typer.Option(False, "--json", help="print the full result (route, pivot, detection)"),
) -> None:
    """Translate a text offline (Apertium; pivots through a third language when needed)."""
    import nlp
    from nlp.translate import parse_glossary

    content = sys.stdin.read() if text == "-" else text
    try:
        terms = parse_glossary(glossary.stem, glossary.name, glossary.read_bytes()) if glossary else None
        result = nlp.translate(content, to, source, glossary=terms, fmt="html" if html else "text")
    except nlp.TranslationError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        sys.stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(result.translations[0] + "\n")


def register(app: typer.Typer) -> None:
    app.command("translate")(translate_command)
