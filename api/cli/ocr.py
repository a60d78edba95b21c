"""CLI command `voxgate ocr FILE [--to LANG]`: runs in-process on the local pool."""

from __future__ import annotations

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
    from api.compose.ocr import translate_document, translator
    from api.settings import Settings
    from workers import Priority, default_pool

    translate = translator(default_pool(), Priority.INTERACTIVE, Settings().model_dir)
    sys.stdout.write(translate_document(document, translate, to, "auto").body["text"] + "\n")


def register(app: typer.Typer) -> None:
    app.command("ocr")(ocr_command)
