"""Generated documents with known answers, for bench/documents.py and tests/ocr/test_documents.py: HTML tables
(ruled, unruled, merged cells, scanned-looking noise and skew) and forms (key: value, checkboxes), rendered by
headless Chromium (Debian's, through Playwright) to PNG and to born-digital PDF. Deterministic for a seed."""

from __future__ import annotations

import io
import random
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from typing import Any

from PIL import Image, ImageFilter

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
SCALE = 3  # device pixels per CSS pixel: an A4 page 794 CSS px wide becomes 2382 px, about 288 dpi
DPI = 96 * SCALE
STYLES = ("ruled", "unruled", "merged", "noisy")

HEADERS = ["Item", "Region", "Code", "Qty", "Price", "Total", "Date", "Status", "Owner", "Weight", "Stock", "Notes"]
WORDS = """apple river copper garden winter silver harbor maple cedar falcon orchid granite lemon pepper cotton
marble violet walnut meadow summit canyon willow amber cobalt""".split()  # noqa: SIM905
STATUS = ["open", "closed", "pending", "shipped", "late", "paid"]


@dataclass
class TrueCell:
    row: int
    column: int
    text: str
    row_span: int = 1
    column_span: int = 1


@dataclass
class TrueTable:
    style: str
    rows: int
    columns: int
    cells: list[TrueCell]

    def grid(self) -> list[list[str]]:
        out = [["" for _ in range(self.columns)] for _ in range(self.rows)]
        for c in self.cells:
            out[c.row][c.column] = c.text
        return out


@dataclass
class TrueForm:
    values: dict[str, str]  # key (no colon) -> value
    checks: dict[str, bool]  # checkbox label -> ticked
    extra: dict[str, Any] = field(default_factory=dict)


def _value(rng: random.Random, header: str) -> str:
    if header in ("Qty", "Stock"):
        return str(rng.randint(1, 400))
    if header in ("Price", "Total", "Weight"):
        return f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}"
    if header == "Date":
        return f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if header == "Code":
        return f"{rng.choice('ABCDEFGHKLMNPRST')}{rng.choice('ABCDEFGHKLMNPRST')}-{rng.randint(100, 999)}"
    if header == "Status":
        return rng.choice(STATUS)
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 2))).capitalize()


def make_table(rng: random.Random, style: str, rows: int | None = None, columns: int | None = None) -> TrueTable:
    n_cols = columns or rng.randint(3, 6)
    n_rows = rows or rng.randint(4, 9)
    headers = rng.sample(HEADERS, n_cols)
    cells = [TrueCell(0, c, h) for c, h in enumerate(headers)]
    cells += [TrueCell(r, c, _value(rng, headers[c])) for r in range(1, n_rows) for c in range(n_cols)]
    table = TrueTable(style, n_rows, n_cols, cells)
    if style == "merged":
        _merge(rng, table)
    return table


def _merge(rng: random.Random, table: TrueTable) -> None:
    """One header cell across two columns, and one body cell down two rows."""
    c = rng.randrange(table.columns - 1)
    first = next(x for x in table.cells if x.row == 0 and x.column == c)
    first.column_span, first.text = 2, f"{first.text} and more"
    table.cells = [x for x in table.cells if not (x.row == 0 and x.column == c + 1)]
    r, c2 = rng.randrange(1, table.rows - 1), rng.randrange(table.columns)
    cell = next(x for x in table.cells if x.row == r and x.column == c2)
    cell.row_span = 2
    table.cells = [x for x in table.cells if not (x.row == r + 1 and x.column == c2)]


def table_html(table: TrueTable, rng: random.Random) -> str:
    ruled = table.style != "unruled"
    border = "border: 1.5px solid #222;" if ruled else ""
    pad = "6px 10px" if ruled else "5px 26px 5px 0"
    rows = []
    for r in range(table.rows):
        tds = []
        for cell in sorted((c for c in table.cells if c.row == r), key=lambda c: c.column):
            tag = "th" if r == 0 else "td"
            spans = (f' rowspan="{cell.row_span}"' if cell.row_span > 1 else "") + (
                f' colspan="{cell.column_span}"' if cell.column_span > 1 else ""
            )
            tds.append(f"<{tag}{spans}>{escape(cell.text)}</{tag}>")
        rows.append(f"<tr>{''.join(tds)}</tr>")
    title = " ".join(rng.choice(WORDS) for _ in range(3)).title()
    prose = " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "."
    return f"""<html><head><style>
body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 15px; margin: 48px; width: 700px; }}
table {{ border-collapse: collapse; margin: 24px 0; }}
th, td {{ {border} padding: {pad}; text-align: left; white-space: nowrap; }}
th {{ font-weight: bold; }}
</style></head><body><h2>{title} report</h2><p>{prose}</p>
<table>{"".join(rows)}</table><p>{prose}</p></body></html>"""


def form_html(rng: random.Random) -> tuple[str, TrueForm]:
    keys = rng.sample(["Name", "Date of birth", "Phone", "Email", "City", "Policy number", "Employer",
                       "Postcode", "Country", "Account"], 6)  # fmt: skip
    values = {k: _form_value(rng, k) for k in keys}
    labels = rng.sample(["Smoker", "Married", "Has children", "Owns a car", "Needs a visa", "Prefers email",
                         "Vegetarian", "Retired"], 5)  # fmt: skip
    checks = {label: rng.random() < 0.5 for label in labels}
    if len(set(checks.values())) == 1:  # both states on every form
        checks[labels[0]] = not checks[labels[0]]
    lines = "".join(f"<div class=f><span class=k>{escape(k)}:</span> {escape(v)}</div>" for k, v in values.items())
    boxes = "".join(
        f"<div class=c><span class='box{' on' if on else ''}'>{'&#10004;' if on else ''}</span>{escape(label)}</div>"
        for label, on in checks.items()
    )
    html = f"""<html><head><style>
body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 16px; margin: 48px; width: 700px; }}
.f {{ margin: 14px 0; }} .k {{ display: inline-block; width: 190px; font-weight: bold; }}
.c {{ margin: 12px 0; }}
.box {{ display: inline-block; width: 18px; height: 18px; border: 2px solid #111; margin-right: 14px;
        vertical-align: middle; text-align: center; line-height: 18px; font-size: 16px; }}
</style></head><body><h2>Application form</h2>{lines}<h3>Please tick all that apply</h3>{boxes}</body></html>"""
    return html, TrueForm(values, checks)


def _form_value(rng: random.Random, key: str) -> str:
    if key == "Date of birth":
        return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1950, 2005)}"
    if key in ("Phone", "Account", "Policy number", "Postcode"):
        return str(rng.randint(10_000, 99_999_999))
    if key == "Email":
        return f"{rng.choice(WORDS)}@{rng.choice(WORDS)}.org"
    return " ".join(rng.choice(WORDS).capitalize() for _ in range(2))


def scan_like(image: Image.Image, rng: random.Random) -> Image.Image:
    """A scanned look: a small skew, blur, and grain."""
    import numpy as np

    turned = image.convert("L").rotate(rng.uniform(-1.5, 1.5), resample=Image.BICUBIC, expand=True, fillcolor=255)
    blurred = turned.filter(ImageFilter.GaussianBlur(0.8))
    noise = np.random.default_rng(rng.randrange(2**31)).normal(0, 14, (blurred.height, blurred.width))
    grainy = np.clip(np.asarray(blurred, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    out = Image.fromarray(grainy)
    out.info["dpi"] = (DPI, DPI)
    return out


class Renderer:
    """Headless Chromium: HTML to a PNG page image (at SCALE) or to a born-digital A4 PDF."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._folder = tempfile.mkdtemp(prefix="voxgate-docs-")
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        self._page = self._browser.new_page(viewport={"width": 794, "height": 600}, device_scale_factor=SCALE)

    def png(self, html: str) -> Image.Image:
        self._page.set_content(html)
        image = Image.open(io.BytesIO(self._page.screenshot(full_page=True))).convert("RGB")
        image.info["dpi"] = (DPI, DPI)
        return image

    def pdf(self, html: str) -> bytes:
        self._page.set_content(html)
        return self._page.pdf(format="A4", print_background=True)

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()
        shutil.rmtree(self._folder, ignore_errors=True)


@contextmanager
def renderer() -> Iterator[Renderer]:
    r = Renderer()
    try:
        yield r
    finally:
        r.close()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=image.info.get("dpi", (DPI, DPI)))
    return buffer.getvalue()


def table_documents(seed: int, per_style: int, render: Renderer) -> Iterator[tuple[str, str, bytes, TrueTable]]:
    """(name, kind png|pdf, document bytes, truth) for `per_style` tables of each style; PDFs for the clean
    styles (a scan has no text layer)."""
    rng = random.Random(seed)
    for style in STYLES:
        for n in range(per_style):
            table = make_table(rng, style)
            html = table_html(table, rng)
            image = render.png(html)
            if style == "noisy":
                image = scan_like(image, rng)
            yield f"{style}-{n}", "png", png_bytes(image), table
            if style != "noisy":
                yield f"{style}-{n}", "pdf", render.pdf(html), table
