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
    tables: Path | None = typer.Option(
        None, "--tables", help="find tables and write them here: .csv, .html or .json (by the file's suffix)"
    ),
    forms: bool = typer.Option(False, "--forms", help="find key-value pairs and checkboxes (in --json)"),
    expense: bool = typer.Option(False, "--expense", help="a receipt or invoice: print its fields as JSON"),
) -> None:
    """Read a document; print its text (or its translation) to stdout."""
    import ocr

    options = ocr.OcrOptions(engine=engine, lang=lang, deskew=deskew)  # type: ignore[arg-type]
    data = file.read_bytes()
    features = [name for name, on in (("tables", tables is not None), ("forms", forms)) if on]
    try:
        total = ocr.count_pages(data)
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(f"OCR {file.name}", total=total)
            done = lambda n, _: bar.update(task, completed=n)  # noqa: E731
            if expense:
                result = ocr.analyze_expense(data, options, progress=done)
            elif features:
                document = ocr.analyze(data, features, options, progress=done)
            else:
                document = ocr.read(data, options, progress=done)
    except ocr.OcrInputError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if expense:
        sys.stdout.write(result.model_dump_json(include={"fields", "line_items"}, indent=1) + "\n")
        return
    if tables is not None:
        _write_tables(document, tables)
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


def _write_tables(document, path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    import ocr

    found = [t for p in document.pages for t in p.tables or []]
    if path.suffix.lower() == ".html":
        path.write_text(ocr.tables_to_html(document))
    elif path.suffix.lower() == ".json":
        path.write_text(json.dumps([t.model_dump(mode="json") for t in found], indent=1))
    else:
        path.write_text(ocr.tables_to_csv(document))
    console.print(f"{len(found)} table(s): {path}")


def register(app: typer.Typer) -> None:
    app.command("ocr")(ocr_command)
