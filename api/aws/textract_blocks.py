"""Textract's block graph for voxgate's document model: PAGE / LINE / WORD for every read page, and for analysed
pages TABLE / CELL / MERGED_CELL, KEY_VALUE_SET (KEY, VALUE) and SELECTION_ELEMENT, all with relative
BoundingBox and Polygon and 0-100 confidences. AnalyzeExpense's SummaryFields and LineItemGroups.

Mapping (docs/ARCHITECTURE.md, "Document analysis"): a `Table` is a TABLE whose CHILDren are one CELL per grid
slot, row by row; a spanning `Cell` is a MERGED_CELL (its RowSpan/ColumnSpan) over the CELLs of the slots it covers
(its box split evenly among them). KEY and VALUE children are the page's WORDs whose centres lie in their boxes
(a checkbox VALUE's child is its SELECTION_ELEMENT)."""

from __future__ import annotations

import uuid
from typing import Any

import ocr

Block = dict[str, Any]


def geometry(left: float, top: float, width: float, height: float, page: ocr.Page) -> dict[str, Any]:
    box = {
        "Left": left / page.width,
        "Top": top / page.height,
        "Width": width / page.width,
        "Height": height / page.height,
    }
    right, bottom = box["Left"] + box["Width"], box["Top"] + box["Height"]
    polygon = [
        {"X": box["Left"], "Y": box["Top"]},
        {"X": right, "Y": box["Top"]},
        {"X": right, "Y": bottom},
        {"X": box["Left"], "Y": bottom},
    ]
    return {"BoundingBox": box, "Polygon": polygon}


def bbox_geometry(bbox: ocr.BBox, page: ocr.Page) -> dict[str, Any]:
    return geometry(bbox.left, bbox.top, bbox.width, bbox.height, page)


def _new_id() -> str:
    return str(uuid.uuid4())


def _centre_in(word: ocr.Word, left: float, top: float, right: float, bottom: float) -> bool:
    x, y = word.bbox.left + word.bbox.width / 2, word.bbox.top + word.bbox.height / 2
    return left <= x < right and top <= y < bottom


def _is_text(text: str) -> bool:
    return any(c.isalnum() for c in text) or len(text) > 1 or text in "$%€£-"


class PageBlocks:
    """One page's blocks: its PAGE, LINEs and WORDs at once, then whatever analysis adds (as PAGE children)."""

    def __init__(self, page: ocr.Page) -> None:
        self.page = page
        self.page_block: Block = {
            "BlockType": "PAGE",
            "Id": _new_id(),
            "Page": page.number,
            "Geometry": geometry(0, 0, page.width, page.height, page),
        }
        self.blocks: list[Block] = [self.page_block]
        self.children: list[str] = []
        self.words: list[tuple[ocr.Word, str]] = []
        for block in page.blocks:
            for line in block.lines:
                line_block = self.block("LINE", line.bbox, line.confidence, Text=line.text)
                word_ids = []
                for w in line.words:
                    word_ids.append(self.block("WORD", w.bbox, w.confidence, top=False, Text=w.text,
                                               TextType="PRINTED")["Id"])  # fmt: skip
                    self.words.append((w, word_ids[-1]))
                if word_ids:
                    line_block["Relationships"] = [{"Type": "CHILD", "Ids": word_ids}]

    def block(self, kind: str, bbox: ocr.BBox | None, confidence: float, top: bool = True, **fields: Any) -> Block:
        """Add a block (a PAGE child when `top`); `bbox` None: geometry set by the caller."""
        out: Block = {"BlockType": kind, "Id": _new_id(), "Page": self.page.number, "Confidence": float(confidence)}
        if bbox is not None:
            out["Geometry"] = bbox_geometry(bbox, self.page)
        out.update(fields)
        self.blocks.append(out)
        if top:
            self.children.append(out["Id"])
        return out

    def word_ids(self, left: float, top: float, right: float, bottom: float, text_only: bool = False) -> list[str]:
        """The WORDs whose centres lie in the box; `text_only`: without a ruling line misread as a word ('|'),
        the words `ocr.tables` leaves out of a cell's text."""
        return [
            i for w, i in self.words if _centre_in(w, left, top, right, bottom) and (not text_only or _is_text(w.text))
        ]

    def words_in(self, bbox: ocr.BBox) -> list[str]:
        return self.word_ids(bbox.left, bbox.top, bbox.right, bbox.bottom)

    def finish(self) -> list[Block]:
        if self.children:
            self.page_block["Relationships"] = [{"Type": "CHILD", "Ids": self.children}]
        return self.blocks


def _relationships(**kinds: list[str]) -> dict[str, Any]:
    rels = [{"Type": kind, "Ids": ids} for kind, ids in kinds.items() if ids]
    return {"Relationships": rels} if rels else {}


def add_table(pb: PageBlocks, table: ocr.Table) -> None:
    header = {"EntityTypes": ["COLUMN_HEADER"]}
    table_block = pb.block("TABLE", table.bbox, table.confidence,
                           EntityTypes=["STRUCTURED_TABLE"])  # fmt: skip
    slots: dict[tuple[int, int], str] = {}
    merged: list[str] = []
    for cell in sorted(table.cells, key=lambda c: (c.row, c.column)):
        box = cell.bbox
        step_x, step_y = box.width / cell.column_span, box.height / cell.row_span
        ids = []
        for r in range(cell.row_span):
            for c in range(cell.column_span):
                left, top = box.left + c * step_x, box.top + r * step_y
                block = pb.block(
                    "CELL", None, cell.confidence, top=False,
                    Geometry=geometry(left, top, step_x, step_y, pb.page),
                    RowIndex=cell.row + r + 1, ColumnIndex=cell.column + c + 1, RowSpan=1, ColumnSpan=1,
                    **(header if cell.header else {}),
                    **_relationships(CHILD=pb.word_ids(left, top, left + step_x, top + step_y, text_only=True)),
                )  # fmt: skip
                slots[(cell.row + r, cell.column + c)] = block["Id"]
                ids.append(block["Id"])
        if cell.row_span > 1 or cell.column_span > 1:
            merged.append(pb.block(
                "MERGED_CELL", box, cell.confidence, top=False,
                RowIndex=cell.row + 1, ColumnIndex=cell.column + 1, RowSpan=cell.row_span,
                ColumnSpan=cell.column_span, **(header if cell.header else {}), **_relationships(CHILD=ids),
            )["Id"])  # fmt: skip
    table_block.update(_relationships(CHILD=[slots[k] for k in sorted(slots)], MERGED_CELL=merged))


def add_forms(pb: PageBlocks, key_values: list[ocr.KeyValue], selections: list[ocr.SelectionElement]) -> None:
    def status(s: ocr.SelectionElement) -> str:
        return "SELECTED" if s.selected else "NOT_SELECTED"

    boxes: dict[tuple[int, int, int, int], str] = {}
    for s in selections:
        key = (s.bbox.left, s.bbox.top, s.bbox.width, s.bbox.height)
        boxes[key] = pb.block("SELECTION_ELEMENT", s.bbox, s.confidence, SelectionStatus=status(s))["Id"]
    for kv in key_values:
        if kv.selection is not None:
            s = kv.selection
            key = (s.bbox.left, s.bbox.top, s.bbox.width, s.bbox.height)
            if key not in boxes:
                boxes[key] = pb.block("SELECTION_ELEMENT", s.bbox, s.confidence, SelectionStatus=status(s))["Id"]
            value = pb.block("KEY_VALUE_SET", s.bbox, kv.confidence, EntityTypes=["VALUE"],
                             **_relationships(CHILD=[boxes[key]]))  # fmt: skip
        elif kv.value is not None:
            value = pb.block("KEY_VALUE_SET", kv.value.bbox, kv.confidence, EntityTypes=["VALUE"],
                             **_relationships(CHILD=pb.words_in(kv.value.bbox)))  # fmt: skip
        else:  # a blank field: an empty VALUE just right of its key, as Textract gives one
            k = kv.key.bbox
            value = pb.block("KEY_VALUE_SET", None, kv.confidence, EntityTypes=["VALUE"],
                             Geometry=geometry(k.right, k.top, 0, k.height, pb.page))  # fmt: skip
        pb.block("KEY_VALUE_SET", kv.key.bbox, kv.confidence, EntityTypes=["KEY"],
                 **_relationships(VALUE=[value["Id"]], CHILD=pb.words_in(kv.key.bbox)))  # fmt: skip


def page_blocks(page: ocr.Page) -> list[Block]:
    """The page's blocks: PAGE, LINE, WORD, and TABLE / CELL / KEY_VALUE_SET / ... for what it was analysed for."""
    pb = PageBlocks(page)
    for table in page.tables or []:
        add_table(pb, table)
    if page.key_values is not None or page.selection_elements is not None:
        add_forms(pb, page.key_values or [], page.selection_elements or [])
    return pb.finish()


def blocks(document: ocr.Document | list[ocr.Page]) -> list[Block]:
    """Textract's block list, pages in order, each PAGE before its children."""
    pages = document.pages if isinstance(document, ocr.Document) else document
    return [b for page in pages for b in page_blocks(page)]


# ---- AnalyzeExpense ----------------------------------------------------------------------------------------


def _detection(text: str, confidence: float, bbox: ocr.BBox, page: ocr.Page) -> dict[str, Any]:
    return {"Text": text, "Geometry": bbox_geometry(bbox, page), "Confidence": float(confidence)}


def expense_field(kind: str, field: ocr.ExpenseField, pages: list[ocr.Page]) -> dict[str, Any]:
    page = pages[min(max(field.page, 1), len(pages)) - 1]
    out: dict[str, Any] = {
        "Type": {"Text": kind, "Confidence": float(field.confidence)},
        "ValueDetection": _detection(field.text, field.confidence, field.bbox, page),
        "PageNumber": page.number,
    }
    if field.label is not None:
        out["LabelDetection"] = _detection(field.label.text, field.label.confidence, field.label.bbox, page)
    return out


def expense_documents(expense: ocr.ExpenseDocument) -> list[dict[str, Any]]:
    """AnalyzeExpense's ExpenseDocuments: one document (voxgate finds one receipt or invoice per file)."""
    pages = expense.pages
    summary = [expense_field(kind, field, pages) for kind, field in expense.fields.items()]
    items = [
        {"LineItemExpenseFields": [expense_field(kind, field, pages) for kind, field in item.fields.items()]}
        for item in expense.line_items
    ]
    return [
        {
            "ExpenseIndex": 1,
            "SummaryFields": summary,
            "LineItemGroups": [{"LineItemGroupIndex": 1, "LineItems": items}] if items else [],
            "Blocks": blocks(pages),
        }
    ]
