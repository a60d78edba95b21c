"""OCR work below the routes: multi-page documents as jobs, and OCR then translation block by block."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nlp
import ocr
from api.jobs import JobContext
from workers import ModelPool, Priority

# translate(texts, target, source) -> result; the caller binds the pool, priority, glossary and model dir.
Translate = Callable[[list[str], str, str], nlp.TranslationResult]


class TranslatedDocument:
    """The translation response body, and {page: {block id: translated text}} for the translated PDF."""

    def __init__(self, body: dict[str, Any], by_page: dict[int, dict[int, str]]) -> None:
        self.body = body
        self.by_page = by_page


def block_texts(document: ocr.Document) -> list[tuple[int, int, str]]:
    """(page, block id, text) for every block with text; lines are joined so sentences span line breaks."""
    return [(p.number, b.id, " ".join(ln.text for ln in b.lines)) for p in document.pages for b in p.blocks if b.text]


def cell_texts(document: ocr.Document) -> list[tuple[int, int, int, str]]:
    """(page, table id, cell index, text) for every table cell with words to translate (not bare numbers)."""
    return [(p.number, t.id, i, c.text) for p in document.pages for t in p.tables or []
            for i, c in enumerate(t.cells) if any(ch.isalpha() for ch in c.text)]  # fmt: skip


def translate_document(document: ocr.Document, translate: Translate, target: str, source: str) -> TranslatedDocument:
    """Block by block; a document analysed for tables also gets its tables back with each cell translated."""
    blocks = block_texts(document)
    cells = cell_texts(document)
    if not blocks:
        empty = {"source": source, "target": target, "text": "", "original_text": "", "pages": []}
        return TranslatedDocument(empty, {})
    result = translate([t for _, _, t in blocks] + [t for *_, t in cells], target, source)
    by_page: dict[int, dict[int, str]] = {}
    for (page, block, _), text in zip(blocks, result.translations[: len(blocks)], strict=True):
        by_page.setdefault(page, {})[block] = text
    by_cell = {(p, t, i): text for (p, t, i, _), text in zip(cells, result.translations[len(blocks) :], strict=True)}
    pages = [_translated_page(page, by_page.get(page.number, {})) for page in document.pages]
    for page, body in zip(document.pages, pages, strict=True):
        if page.tables is not None:
            body["tables"] = [_translated_table(page.number, t, by_cell) for t in page.tables]
    body = {
        "source": result.source,
        "target": result.target,
        "engine": result.engine,
        "route": result.route,
        "pivot": result.pivot,
        "glossary": result.glossary,
        "text": "\n\f".join(p["text"] for p in pages),
        "original_text": document.text,
        "pages": pages,
    }
    return TranslatedDocument(body, by_page)


def _translated_page(page: ocr.Page, translated: dict[int, str]) -> dict[str, Any]:
    return {
        "number": page.number,
        "text": "\n\n".join(translated[b.id] for b in page.blocks if b.id in translated),
        "blocks": [
            {"id": b.id, "bbox": b.bbox.model_dump(), "text": b.text, "translation": translated[b.id]}
            for b in page.blocks
            if b.id in translated
        ],
    }


def _translated_table(page: int, table: ocr.Table, by_cell: dict[tuple[int, int, int], str]) -> dict[str, Any]:
    """The table as found, each cell with its `translation` (numbers and empty cells stay as they are)."""
    body = table.model_dump(mode="json")
    for index, cell in enumerate(body["cells"]):
        cell["translation"] = by_cell.get((page, table.id, index), cell["text"])
    return body


def translator(pool: ModelPool, priority: int, model_dir: Path, glossary: nlp.Glossary | None = None) -> Translate:
    """nlp.translate bound to this request's pool, priority, CTranslate2 model folder and glossary."""

    def translate(texts: list[str], target: str, source: str) -> nlp.TranslationResult:
        return nlp.translate(texts, target, source, pool=pool, priority=priority, model_dir=str(model_dir / "ct2"),
                             glossary=glossary)  # fmt: skip

    return translate


def read_and_translate(
    data: bytes,
    options: ocr.OcrOptions,
    target: str,
    source: str,
    translate: Translate,
    pool: ModelPool,
    priority: int = Priority.INTERACTIVE,
    progress: Callable[[int, int | None], None] | None = None,
    features: list[str] | None = None,
) -> tuple[ocr.Document, TranslatedDocument]:
    """OCR the document (analysing it for tables and forms when asked), then translate it block by block and
    cell by cell."""
    if features:
        document = ocr.analyze(data, features, options, pool=pool, priority=priority, progress=progress)
    else:
        document = ocr.read(data, options, pool=pool, priority=priority, progress=progress)
    return document, translate_document(document, translate, target, source)


def _page_progress(ctx: JobContext, total: int, share: float, label: str) -> Callable[[int, int | None], None]:
    def progress(done: int, _: int | None) -> None:
        ctx.set_progress(share * done / total, f"{label} {done} of {total}")

    return progress


def _file_urls(ctx: JobContext, names: list[str]) -> dict[str, str]:
    return {name.replace(".", "_"): ctx.file_url(name) for name in names}


def run_ocr_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Files: document.json, document.txt, document.hocr and searchable.pdf; with features=tables also
    tables.csv and tables.html."""
    options = ocr.OcrOptions(**params["options"])
    data = ctx.input_path("document").read_bytes()
    total = params.get("pages") or ocr.count_pages(data)
    progress = _page_progress(ctx, total, 95.0, "page")
    features = params.get("features") or []
    if features:
        document = ocr.analyze(data, features, options, pool=ctx.pool, priority=Priority.BATCH, progress=progress)
    else:
        document = ocr.read(data, options, pool=ctx.pool, priority=Priority.BATCH, progress=progress)
    texts = {"document.json": document.model_dump_json(), "document.txt": document.text,
             "document.hocr": ocr.to_hocr(document)}  # fmt: skip
    if "tables" in features:
        texts |= {"tables.csv": ocr.tables_to_csv(document), "tables.html": ocr.tables_to_html(document)}
    for name, text in texts.items():
        ctx.output_path(name).write_text(text)
    ctx.output_path("searchable.pdf").write_bytes(ocr.to_searchable_pdf(data, document, options))
    return {
        "pages": len(document.pages),
        "characters": len(document.text),
        "text": document.text[:10_000],
        "files": _file_urls(ctx, [*texts, "searchable.pdf"]),
    }


def run_expense_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """File: expense.json (fields, line items, pages); the result carries the fields and line items."""
    options = ocr.OcrOptions(**params["options"])
    data = ctx.input_path("document").read_bytes()
    total = params.get("pages") or ocr.count_pages(data)
    result = ocr.analyze_expense(data, options, pool=ctx.pool, priority=Priority.BATCH,
                                 date_order=params.get("date_order", "DMY"),
                                 second_reading=params.get("second_reading", True),
                                 progress=_page_progress(ctx, total, 95.0, "page"))  # fmt: skip
    ctx.output_path("expense.json").write_text(result.model_dump_json())
    body = result.model_dump(mode="json", include={"fields", "line_items"})
    return {"pages": len(result.pages), **body, "files": _file_urls(ctx, ["expense.json"])}


def run_ocr_translate_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Files: translation.json and translated.pdf (the translation drawn over each block)."""
    options = ocr.OcrOptions(**params["options"])
    data = ctx.input_path("document").read_bytes()
    total = params.get("pages") or ocr.count_pages(data)
    glossary = nlp.Glossary(**params["glossary"]) if params.get("glossary") else None
    translate = translator(ctx.pool, Priority.BATCH, ctx.settings.model_dir, glossary)
    document, translated = read_and_translate(
        data, options, params["target"], params["source"], translate, ctx.pool, Priority.BATCH,
        _page_progress(ctx, total, 80.0, "read page"), params.get("features") or [],
    )  # fmt: skip
    ctx.set_progress(90.0, "writing files")
    ctx.output_path("translation.json").write_text(json.dumps(translated.body))
    pdf = ocr.to_searchable_pdf(data, document, options, translated.by_page)
    ctx.output_path("translated.pdf").write_bytes(pdf)
    return {
        "pages": len(document.pages),
        "source": translated.body["source"],
        "target": params["target"],
        "text": translated.body["text"][:10_000],
        "files": _file_urls(ctx, ["translation.json", "translated.pdf"]),
    }
