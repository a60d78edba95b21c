"""Document analysis quality and speed: receipts (SROIE task 3), generated tables, generated forms, scribe pages.

Receipts: the 50 SROIE receipts with key labels in ../shared/data/ocr/sroie (10) and sroie_kie (40), sorted by
path and split by bench/ocr.py's rule (even positions tune: 5 sroie + 20 sroie_kie, the rules were written looking
at these; odd positions measure: 5 + 20, only measured, their errors never looked at). There are no more labelled
receipts in the shared data, so the tune side cannot grow without taking measure receipts.
Per-field accuracy as SROIE task 3 scores it: company and address exact after upper-casing and removing spaces,
date equal as a date, total equal as an amount. Rows: voxgate (ocr.analyze_expense: Tesseract psm 6 and RapidOCR
read the receipt, the readings are fused (ocr.fuse), the rules run on the fused reading, date and total from
RapidOCR's own reading where it has them); the same on the psm 6 reading alone (the default before the second
reading); the rules on RapidOCR's reading alone;
with --segmentation the same rules on Tesseract's default page segmentation; the rules on the ground-truth text
boxes (no OCR error: what the rules alone reach); a naive baseline on the psm 6 reading (first row, first date,
largest amount, no address). The ratio column is voxgate's mean over the baseline row's mean, same run.

Tables: HTML tables rendered by headless Chromium in four styles (ruled, unruled, merged cells; noisy = ruled,
then skewed, blurred and grained like a scan), as PNG and (clean styles) as born-digital PDF. Seed 1 was looked at
while writing the detector (tune); seed 2 is only measured. Detected = a table found whose box holds most of the
truth's cells; structure = rows x columns right; cells = share of true non-empty cells whose (row, column) cell
reads the same (case and spacing ignored); spans = merged cells found with the right span; TEDS (bench/teds.py,
0 when no table is found). Baseline: the same pages with ruling-line detection off (alignment only).

Forms: generated forms (6 keys with values, 5 checkboxes), seed 2: key-value pairs right, checkbox states right.

    .venv/bin/python bench/documents.py [--receipts 50] [--tables 5] [--forms 5] [--scribe]
                                        [--sroie-train DIR [--sroie-train-ocr N] [--sroie-train-slice START:STEP]
                                         [--sroie-sheets N]]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow the ocr package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import ocr  # noqa: E402
from bench.documents_data import form_html, png_bytes, renderer, table_documents  # noqa: E402
from bench.ocr import sroie_lines  # noqa: E402
from bench.teds import table_tree, teds  # noqa: E402
from ocr.expense import expense_fields  # noqa: E402
from ocr.layout import make_block, make_line, split_line_into_words  # noqa: E402
from ocr.rows import page_rows  # noqa: E402
from ocr.values import find_amounts, find_dates, parse_amount, parse_date  # noqa: E402
from workers import Priority, make_pool  # noqa: E402

FIELDS = {"company": "VENDOR_NAME", "address": "VENDOR_ADDRESS", "date": "INVOICE_RECEIPT_DATE", "total": "TOTAL"}


def data_dir() -> Path:
    return Path(os.environ.get("VOXGATE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def cpu_now() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def split_of(index: int) -> str:
    """The fixed tune/measure split of bench/ocr.py: even positions tune, odd ones only measure."""
    return "tune" if index % 2 == 0 else "measure"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text.upper())


# ---- receipts ----------------------------------------------------------------------------------------------


def truth_document(image: Path) -> ocr.Document:
    """The receipt's ground-truth text boxes as a read page (one line per box)."""
    lines = []
    with image.with_suffix(".csv").open(newline="", encoding="utf-8", errors="replace") as handle:
        for row in csv.reader(handle):
            if len(row) < 9:
                continue
            xs, ys = [int(v) for v in row[0:8:2]], [int(v) for v in row[1:8:2]]
            words = split_line_into_words(",".join(row[8:]).strip(), ocr.BBox.from_edges(min(xs), min(ys), max(xs),
                                          max(ys)), 95.0)  # fmt: skip
            if words:
                lines.append(make_line(words))
    blocks = [make_block(i, [line]) for i, line in enumerate(lines)]
    page = ocr.Page(number=1, width=1, height=1, dpi=300, text="", engine="truth", blocks=blocks)
    return ocr.Document(text="", mime="image/jpeg", pages=[page])


def naive(document: ocr.Document) -> dict[str, str]:
    """Baseline: the first row is the vendor, the first date the date, the largest amount the total."""
    rows = page_rows(document.pages[0]) if document.pages else []
    text = "\n".join(r.text for r in rows)
    date = next(find_dates(text), None)
    amounts = [v for _, v in find_amounts(text)]
    return {"company": rows[0].text if rows else "", "address": "",
            "date": date[1].isoformat() if date else "", "total": f"{max(amounts):.2f}" if amounts else ""}  # fmt: skip


def field_values(fields: dict[str, ocr.ExpenseField]) -> dict[str, str]:
    """The four SROIE fields' values from AnalyzeExpense fields ("" where one is not found)."""
    return {key: fields[name].value if name in fields else "" for key, name in FIELDS.items()}


def rules(document: ocr.Document) -> dict[str, str]:
    return field_values(expense_fields(document).fields)


def _key_amount(text: str) -> Decimal | None:
    """A key's total as an amount: as a receipt prints it, or as one training key writes it ("43.7")."""
    found = parse_amount(text)
    if found is None and (numbers := re.findall(r"-?\d+(?:\.\d+)?", text.replace(",", ""))):
        found = Decimal(numbers[-1])
    return found


def score(found: dict[str, str], truth: dict[str, str]) -> dict[str, bool]:
    total = _key_amount(truth["total"])
    try:
        total_ok = bool(found["total"]) and total is not None and Decimal(found["total"]) == total
    except ArithmeticError:
        total_ok = False
    return {
        "company": squash(found["company"]) == squash(truth["company"]),
        "address": squash(found["address"]) == squash(truth["address"]),
        "date": bool(found["date"]) and found["date"] == str(parse_date(truth["date"])),
        "total": total_ok,
    }


def bench_receipts(console: Console, limit: int, pool, segmentation: bool = False) -> None:  # type: ignore[no-untyped-def]
    keys = sorted((data_dir() / "ocr").glob("sroie*/*.key.json"))[:limit]
    if not keys:
        console.print("[yellow]receipts: no SROIE key files under VOXGATE_DATA/ocr; skipped[/yellow]")
        return
    configs: dict[str, Callable[[Path], tuple[dict[str, str], float]]] = {}

    def timed(fn: Callable[[Path], dict[str, str]]) -> Callable[[Path], tuple[dict[str, str], float]]:
        def run(image: Path) -> tuple[dict[str, str], float]:
            start = cpu_now()
            return fn(image), cpu_now() - start

        return run

    readings: dict[Path, ocr.Document] = {}

    def expense(image: Path, second_reading: bool) -> dict[str, str]:
        result = ocr.analyze_expense(image, pool=pool, priority=Priority.BATCH, second_reading=second_reading)
        if not second_reading:
            readings[image] = ocr.Document(text="", mime="", pages=result.pages)
        return field_values(result.fields)

    configs["voxgate (psm 6 + RapidOCR fused, rules)"] = timed(lambda image: expense(image, True))
    configs["psm 6 alone + rules (before)"] = timed(lambda image: expense(image, False))
    rapid = ocr.OcrOptions(engine="rapidocr")
    configs["RapidOCR alone + rules"] = timed(lambda image: rules(ocr.read(image, rapid, pool=pool)))
    if segmentation:
        configs["rules on default segmentation"] = timed(lambda image: rules(ocr.read(image, pool=pool)))
    configs["rules on ground-truth text"] = timed(lambda image: rules(truth_document(image)))
    configs["baseline: naive on psm 6"] = timed(lambda image: naive(readings[image]))
    results: dict[str, dict[str, list[dict[str, bool]]]] = {name: {"tune": [], "measure": []} for name in configs}
    cpu: dict[str, list[float]] = {name: [] for name in configs}
    for index, key in enumerate(keys):
        truth = json.loads(key.read_text())
        image = key.with_name(key.name.removesuffix(".key.json") + ".jpg")
        for name, run in configs.items():
            found, seconds = run(image)
            results[name][split_of(index)].append(score(found, truth))
            cpu[name].append(seconds)
    table = Table(title=f"Receipts: SROIE task 3 per-field accuracy ({len(keys)} receipts)")
    for column in ("split", "reading", *FIELDS, "mean", "vs baseline", "CPU s/page"):
        table.add_column(column, justify="left" if column in ("split", "reading") else "right")
    for split in ("tune", "measure"):
        base = _mean(results["baseline: naive on psm 6"][split])
        for name in configs:
            rows = results[name][split]
            if not rows:
                continue
            means = {f: statistics.mean(r[f] for r in rows) for f in FIELDS}
            overall = _mean(rows)
            label = f"{split} ({len(rows)}, {'rules written on' if split == 'tune' else 'only measured'})"
            table.add_row(label, name, *(f"{means[f]:.2f}" for f in FIELDS), f"{overall:.3f}",
                          f"{overall / base:.2f}x" if base else "-",
                          f"{statistics.mean(cpu[name]):.2f}" if "baseline" not in name else "-")  # fmt: skip
    console.print(table)


def _mean(rows: list[dict[str, bool]]) -> float:
    return statistics.mean(statistics.mean(r[f] for r in rows) for f in FIELDS) if rows else 0.0


# ---- tables ------------------------------------------------------------------------------------------------


def _best_table(found: list[ocr.Table], truth_rows: int, truth_cols: int) -> ocr.Table | None:
    if not found:
        return None
    return max(found, key=lambda t: (len([c for c in t.cells if c.text]), -abs(t.rows - truth_rows)))


def table_scores(found: list[ocr.Table], truth) -> dict[str, float]:  # type: ignore[no-untyped-def]
    table = _best_table(found, truth.rows, truth.columns)
    true_cells = [c for c in truth.cells if c.text]
    if table is None:
        return {"detected": 0.0, "structure": 0.0, "cells": 0.0, "spans": 0.0, "teds": 0.0}
    by_slot = {(c.row, c.column): c for c in table.cells}
    right = sum(squash(by_slot[(c.row, c.column)].text) == squash(c.text) for c in true_cells
                if (c.row, c.column) in by_slot)  # fmt: skip
    merged = [c for c in truth.cells if c.row_span > 1 or c.column_span > 1]
    spans = sum(
        (c.row, c.column) in by_slot
        and (by_slot[(c.row, c.column)].row_span, by_slot[(c.row, c.column)].column_span) == (c.row_span, c.column_span)
        for c in merged
    )
    def rows_of(cells) -> list[list[tuple[str, int, int]]]:  # type: ignore[no-untyped-def]
        out: list[list[tuple[str, int, int]]] = [[] for _ in range(max((c.row for c in cells), default=-1) + 1)]
        for c in sorted(cells, key=lambda c: (c.row, c.column)):
            out[c.row].append((c.text, c.row_span, c.column_span))
        return out

    return {
        "detected": 1.0,
        "teds": teds(table_tree(rows_of(table.cells)), table_tree(rows_of(truth.cells))),
        "structure": float((table.rows, table.columns) == (truth.rows, truth.columns)),
        "cells": right / max(1, len(true_cells)),
        "spans": spans / len(merged) if merged else float("nan"),
    }


def read_pages(data: bytes, pool) -> list[tuple[ocr.Page, object, float]]:  # type: ignore[no-untyped-def]
    """Each page read once, with the image it was read on (rendered for a text layer) and its CPU seconds."""
    from ocr.inputs import iter_pages
    from ocr.read import read_page_image

    options = ocr.OcrOptions()
    out = []
    for source in iter_pages(data, options):
        start = cpu_now()
        page, image = read_page_image(source, options, pool, Priority.BATCH)
        if image is None and source.render is not None:
            image = source.render()
        out.append((page, image, cpu_now() - start))
    return out


def bench_tables(console: Console, per_style: int, pool) -> None:  # type: ignore[no-untyped-def]
    """Each page is read once; the full detector and the alignment-only baseline run on the same reading, and
    each is charged the reading's CPU time plus its own."""
    from ocr.analyze import analyze_page
    from ocr.tables import aligned_tables

    detectors = {
        "voxgate": lambda page, image: analyze_page(page, image, ["tables"]).tables or [],
        "baseline: alignment only": lambda page, image: aligned_tables(
            [w for b in page.blocks for ln in b.lines for w in ln.words]),
    }  # fmt: skip
    results: dict[tuple[str, str, str, str], list[dict[str, float]]] = {}
    cpu: dict[tuple[str, str, str, str], list[float]] = {}
    with renderer() as render:
        for seed, split in ((1, "tune"), (2, "measure")):
            for name, kind, data, truth in table_documents(seed, per_style, render):
                style = name.split("-")[0]
                pages = read_pages(data, pool)
                for config, detect in detectors.items():
                    found, seconds = [], 0.0
                    for page, image, read_seconds in pages:
                        start = cpu_now()
                        found += detect(page, image)
                        seconds += read_seconds + cpu_now() - start
                    key = (split, style, kind, config)
                    results.setdefault(key, []).append(table_scores(found, truth))
                    cpu.setdefault(key, []).append(seconds / max(1, len(pages)))
    table = Table(title=f"Tables: generated pages, {per_style} per style and split")
    for column in ("split", "style", "input", "detector", "detected", "structure", "cells", "spans", "TEDS",
                   "cells vs base", "CPU s/page"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("split", "style", "input", "detector") else "right")
    for key, rows in results.items():
        split, style, kind, config = key
        base = results[(split, style, kind, "baseline: alignment only")]
        base_cells = statistics.mean(r["cells"] for r in base)
        cells = statistics.mean(r["cells"] for r in rows)
        spans = [r["spans"] for r in rows if r["spans"] == r["spans"]]
        shares = [f"{statistics.mean(r[m] for r in rows):.2f}" for m in ("detected", "structure")]
        table.add_row(split, style, kind, config, *shares, f"{cells:.2f}",
                      f"{statistics.mean(spans):.2f}" if spans else "-",
                      f"{statistics.mean(r['teds'] for r in rows):.2f}",
                      f"{cells / base_cells:.2f}x" if base_cells else "-",
                      f"{statistics.mean(cpu[key]):.2f}")  # fmt: skip
    console.print(table)


# ---- forms -------------------------------------------------------------------------------------------------


def bench_forms(console: Console, count: int, pool) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(2)
    pairs_right = pairs_total = boxes_right = boxes_total = 0
    seconds: list[float] = []
    with renderer() as render:
        for _ in range(count):
            html, truth = form_html(rng)
            data = png_bytes(render.png(html))
            start = cpu_now()
            page = ocr.analyze(data, ["forms"], pool=pool, priority=Priority.BATCH).pages[0]
            seconds.append(cpu_now() - start)
            found = {squash(kv.key.text): kv for kv in page.key_values or []}
            for key, value in truth.values.items():
                kv = found.get(squash(key))
                pairs_right += kv is not None and kv.value is not None and squash(kv.value.text) == squash(value)
            for label, ticked in truth.checks.items():
                kv = found.get(squash(label))
                boxes_right += kv is not None and kv.selection is not None and kv.selection.selected == ticked
            pairs_total += len(truth.values)
            boxes_total += len(truth.checks)
    table = Table(title=f"Forms: {count} generated forms (measure only)")
    for column in ("key-value pairs right", "checkbox states right", "CPU s/page"):
        table.add_column(column, justify="right")
    table.add_row(f"{pairs_right}/{pairs_total} = {pairs_right / max(1, pairs_total):.2f}",
                  f"{boxes_right}/{boxes_total} = {boxes_right / max(1, boxes_total):.2f}",
                  f"{statistics.mean(seconds):.2f}")  # fmt: skip
    console.print(table)


def bench_scribe(console: Console, pool) -> None:  # type: ignore[no-untyped-def]
    images = sorted((data_dir() / "ocr" / "scribe" / "img").glob("*"))
    images = [p for p in images if p.stem.startswith(("table", "form"))]
    table = Table(title="scribe table and form pages (no structure ground truth: what is found)")
    for column in ("page", "tables (rows x columns)", "key-values", "checkboxes", "CPU s"):
        table.add_column(column)
    for image in images:
        start = cpu_now()
        page = ocr.analyze(image, ["tables", "forms"], pool=pool, priority=Priority.BATCH).pages[0]
        shapes = ", ".join(f"{t.rows}x{t.columns}{'' if t.ruled else ' u'}" for t in page.tables or [])
        table.add_row(image.stem, shapes or "-", str(len(page.key_values or [])),
                      str(len(page.selection_elements or [])), f"{cpu_now() - start:.1f}")  # fmt: skip
    console.print(table)


def _box_text(path: Path) -> str:
    return "\n".join(sroie_lines(path))


def _train_boxes(folder: Path) -> list[Path]:
    """The box files of the public SROIE training receipts (github.com/zzzDavid/ICDAR-2019-SROIE, data/box,
    data/key, data/img: 626 receipts), less the 50 of the shared data among them (found by their text)."""
    shared = {_box_text(p) for p in (data_dir() / "ocr").glob("sroie*/*.csv")}
    return [p for p in sorted((folder / "box").glob("*.csv")) if _box_text(p) not in shared]


def _train_score(folder: Path, box: Path, found: dict[str, str]) -> dict[str, bool]:
    """`found` scored against the training receipt's key (data/key/NAME.json)."""
    truth = json.loads((folder / "key" / f"{box.stem}.json").read_text())
    return score(found, {k: truth.get(k, "") for k in FIELDS})


def _evenly_spaced(boxes: list[Path], count: int) -> list[Path]:
    return boxes[:: max(1, len(boxes) // count)][:count] if count else []


def _train_sample(boxes: list[Path], count: int, part: str | None) -> tuple[list[Path], str]:
    """The receipts to read: `count` evenly spaced, or, with `part` ("START:STEP"), every STEP-th from START less the
    evenly spaced 60 (read and looked at in earlier stops), and what they are."""
    if part is None:
        evenly = _evenly_spaced(boxes, count)
        return evenly, f"{len(evenly)} evenly spaced"
    start, step = (int(n) for n in part.split(":"))
    seen = set(_evenly_spaced(boxes, 60))
    sample = [b for b in boxes[start::step] if b not in seen][:count or None]
    return sample, f"{len(sample)}: one in {step} from index {start}, less the 60 evenly spaced"


def bench_sroie_train(  # type: ignore[no-untyped-def]
    console: Console, folder: Path, ocr_count: int, pool, part: str | None = None
) -> None:
    """The public SROIE training receipts not in the shared data. Tune set: the rules were revised looking at the
    ground-truth errors on these (stop 30); `part` reads a slice of them instead of an even spread (stop 38: 288:2 was
    never looked at, only scored)."""
    boxes = _train_boxes(folder)
    if not boxes:
        console.print(f"[yellow]SROIE train: no box files under {folder / 'box'}; skipped[/yellow]")
        return
    sample, described = _train_sample(boxes, ocr_count, part)
    configs: dict[str, tuple[list[Path], Callable[[Path], dict[str, str]]]] = {
        "rules on ground-truth text": (boxes, lambda box: rules(truth_document(box.with_suffix(".jpg")))),
    }
    for name, second in (("voxgate (psm 6 + RapidOCR fused, rules)", True), ("psm 6 alone + rules", False)):
        def expense(box: Path, second: bool = second) -> dict[str, str]:
            image = folder / "img" / f"{box.stem}.jpg"
            result = ocr.analyze_expense(image, pool=pool, priority=Priority.BATCH, second_reading=second)
            return field_values(result.fields)

        if sample:
            configs[name] = (sample, expense)
    table = Table(title=f"Receipts: public SROIE training receipts not in the shared data ({len(boxes)}; "
                        f"read: {described}; the rules were revised on their ground-truth errors)")  # fmt: skip
    for column in ("receipts", "reading", *FIELDS, "mean", "CPU s/page"):
        table.add_column(column, justify="left" if column in ("receipts", "reading") else "right")
    for name, (paths, run) in configs.items():
        scores, start = [], cpu_now()
        for box in paths:
            scores.append(_train_score(folder, box, run(box)))
        per = {f: statistics.mean(s[f] for s in scores) for f in FIELDS}
        mean = statistics.mean(per.values())
        table.add_row(str(len(paths)), name, *(f"{v:.3f}" for v in per.values()), f"{mean:.3f}",
                      f"{(cpu_now() - start) / len(paths):.2f}")  # fmt: skip
    console.print(table)


def bench_sroie_sheets(console: Console, folder: Path, count: int, pool) -> None:  # type: ignore[no-untyped-def]
    """The public SROIE training receipts that lie on a larger sheet (ocr.receipt.receipt_crop cuts them out),
    evenly spaced: the expense route as it is, and with the cut-out off (the receipt read on the whole sheet, as
    before stop 31), same run. Tune data: the cut-out was kept on these."""
    import importlib

    from PIL import Image

    from ocr.receipt import receipt_crop

    analyze = importlib.import_module("ocr.analyze")  # the module; `ocr.analyze` is its function
    sheets = [box for box in _train_boxes(folder) if receipt_crop(Image.open(folder / "img" / f"{box.stem}.jpg"))]
    sample = sheets[:: max(1, len(sheets) // count)][:count]
    table = Table(title=f"Receipts on larger sheets: public SROIE training receipts ({len(sample)} of {len(sheets)}; "
                        "tune)")  # fmt: skip
    for column in ("reading", *FIELDS, "mean", "CPU s/page"):
        table.add_column(column, justify="left" if column == "reading" else "right")
    for name, cut in (("voxgate (the receipt cut out)", True), ("the whole sheet read (before)", False)):
        scores, start = [], cpu_now()
        found_crop = analyze.receipt_crop
        if not cut:
            analyze.receipt_crop = lambda image: None
        try:
            for box in sample:
                result = ocr.analyze_expense(folder / "img" / f"{box.stem}.jpg", pool=pool, priority=Priority.BATCH)
                scores.append(_train_score(folder, box, field_values(result.fields)))
        finally:
            analyze.receipt_crop = found_crop
        per = {f: statistics.mean(s[f] for s in scores) for f in FIELDS}
        table.add_row(name, *(f"{v:.3f}" for v in per.values()), f"{statistics.mean(per.values()):.3f}",
                      f"{(cpu_now() - start) / max(1, len(sample)):.2f}")  # fmt: skip
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--receipts", type=int, default=50)
    parser.add_argument("--tables", type=int, default=5, help="tables per style and split")
    parser.add_argument("--forms", type=int, default=5)
    parser.add_argument("--scribe", action="store_true", help="also the scribe table and form pages")
    parser.add_argument("--segmentation", action="store_true",
                        help="also the rules on Tesseract's default page segmentation (a second reading per receipt)")
    parser.add_argument("--sroie-train", type=Path, default=None, metavar="DIR",
                        help="a checkout's data folder of github.com/zzzDavid/ICDAR-2019-SROIE (box/, key/, img/)")
    parser.add_argument("--sroie-train-ocr", type=int, default=0, metavar="N",
                        help="also read N of those receipts, evenly spaced (~5 CPU-s each)")
    parser.add_argument("--sroie-train-slice", default=None, metavar="START:STEP",
                        help="read every STEP-th of those receipts from START instead (less the evenly spaced 60)")
    parser.add_argument("--sroie-sheets", type=int, default=0, metavar="N",
                        help="also N of those receipts that lie on a larger sheet, cut out and not (~9 CPU-s each)")
    args = parser.parse_args()
    console = Console(width=160)
    pool = make_pool()
    if args.receipts:
        bench_receipts(console, args.receipts, pool, args.segmentation)
    if args.sroie_train:
        bench_sroie_train(console, args.sroie_train, args.sroie_train_ocr, pool, args.sroie_train_slice)
        if args.sroie_sheets:
            bench_sroie_sheets(console, args.sroie_train, args.sroie_sheets, pool)
    if args.tables:
        bench_tables(console, args.tables, pool)
    if args.forms:
        bench_forms(console, args.forms, pool)
    if args.scribe:
        bench_scribe(console, pool)


if __name__ == "__main__":
    main()
