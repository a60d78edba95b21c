"""CLI commands `voxgate ocr FILE` and `voxgate translate TEXT`: run in-process on the local pool."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


def ocr_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="PNG, JPEG, TIFF or PDF"),
    pdf: Path | None = typer.Option(None, "--pdf", help="write a searchable PDF here"),
    hocr: Path | None = typer.Option(None, "--hocr", help="write hOCR here"),
    json_out: Path | None = typer.Option(None, "--json", help="write the full document (pages/blocks/lines/words)"),
    engine: str = typer.Option("tesseract", help="a registered engine (tesseract, rapidocr, ocrad) or auto"),
    lang: str = typer.Option("eng", help="Tesseract languages, '+'-joined, or auto (by the detected script)"),
    deskew: bool = typer.Option(False, help="straighten skewed scans"),
    to: str | None = typer.Option(None, "--to", help="also translate the text, block by block, to this language"),
) -> None:
    """Read a document; print its text (or its translation) to stdout."""
    import ocr

    options = ocr.OcrOptions(engine=engine, lang=lang, deskew=deskew)  # type: ignore[arg-type]
    data = file.read_bytes()
    try:
        total = ocr.count_pages(data)
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(f"OCR {file.name}", total=total)
            document = ocr.read(data, options, progress=lambda done, _: bar.update(task, completed=done))
    except ocr.OcrInputError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if pdf:
        pdf.write_bytes(ocr.to_searchable_pdf(data, document, options))
        console.print(f"searchable PDF: {pdf}")
    if hocr:
        hocr.write_text(ocr.to_hocr(document))
    if json_out:
        json_out.write_text(document.model_dump_json(indent=1))
    if to is None:
        sys.stdout.write(document.text + "\n")
        return
    import nlp

    for page in document.pages:
        texts = [" ".join(ln.text for ln in b.lines) for b in page.blocks if b.text]
        if texts:
            sys.stdout.write("\n\n".join(nlp.translate(texts, to).translations) + "\n\f\n")


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
    app.command("ocr")(ocr_command)
    app.command("translate")(translate_command)
