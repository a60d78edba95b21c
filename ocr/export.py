"""Tables as CSV and HTML (JSON is the models' own `model_dump`)."""

from __future__ import annotations

import csv
import io
from html import escape

from ocr.models import Document, Table


def table_to_csv(table: Table) -> str:
    """rows x columns; a spanning cell's text in its top-left slot, the slots it covers empty."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table.grid())
    return buffer.getvalue()


def tables_to_csv(document: Document) -> str:
    """Every table of the document, in page order, separated by an empty line."""
    return "\n".join(table_to_csv(t) for p in document.pages for t in p.tables or [])


def table_to_html(table: Table) -> str:
    """A <table> with rowspan/colspan; the first row as header cells."""
    rows: list[list[str]] = [[] for _ in range(table.rows)]
    for cell in sorted(table.cells, key=lambda c: (c.row, c.column)):
        tag = "th" if cell.header else "td"
        spans = (f' rowspan="{cell.row_span}"' if cell.row_span > 1 else "") + (
            f' colspan="{cell.column_span}"' if cell.column_span > 1 else ""
        )
        rows[cell.row].append(f"<{tag}{spans}>{escape(cell.text)}</{tag}>")
    body = "\n".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return f"<table>\n{body}\n</table>"


def tables_to_html(document: Document) -> str:
    return "\n".join(table_to_html(t) for p in document.pages for t in p.tables or [])
