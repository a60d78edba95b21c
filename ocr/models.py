"""The document model (Textract-like): pages -> blocks -> lines -> words, and the options of a read."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator


class BBox(BaseModel):
    """Pixels on the page image (PDF pages: rendered at `Page.dpi`); origin top-left."""

    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @classmethod
    def from_edges(cls, left: float, top: float, right: float, bottom: float) -> BBox:
        return cls(
            left=round(left), top=round(top), width=max(0, round(right - left)), height=max(0, round(bottom - top))
        )

    @classmethod
    def union(cls, boxes: list[BBox]) -> BBox:
        if not boxes:
            return cls(left=0, top=0, width=0, height=0)
        return cls.from_edges(
            min(b.left for b in boxes),
            min(b.top for b in boxes),
            max(b.right for b in boxes),
            max(b.bottom for b in boxes),
        )


class Word(BaseModel):
    text: str
    confidence: float = Field(description="0-100")
    bbox: BBox


class Line(BaseModel):
    text: str
    confidence: float
    bbox: BBox
    words: list[Word]


class Block(BaseModel):
    id: int
    text: str
    confidence: float
    bbox: BBox
    lines: list[Line]


class Cell(BaseModel):
    """A table cell (Textract CELL): 0-based row and column of its top-left corner, and how many it spans."""

    row: int
    column: int
    row_span: int = 1
    column_span: int = 1
    text: str
    confidence: float = Field(description="0-100: the mean of its words' confidences (structure confidence if empty)")
    bbox: BBox
    header: bool = Field(False, description="in the table's first row (Textract COLUMN_HEADER)")


class Table(BaseModel):
    """A table (Textract TABLE): a grid of `rows` x `columns` with its cells (a spanning cell appears once)."""

    id: int
    rows: int
    columns: int
    ruled: bool = Field(description="found from ruling lines (True) or from the alignment of the words (False)")
    confidence: float
    bbox: BBox
    cells: list[Cell]

    def grid(self) -> list[list[str]]:
        """rows x columns of texts; a spanning cell's text sits in its top-left slot, the slots it covers are ''."""
        out = [["" for _ in range(self.columns)] for _ in range(self.rows)]
        for cell in self.cells:
            out[cell.row][cell.column] = cell.text
        return out


class FieldText(BaseModel):
    """Printed text located on the page: a form key or value, or an expense field's label or value."""

    text: str
    confidence: float
    bbox: BBox


class SelectionElement(BaseModel):
    """A checkbox or radio button (Textract SELECTION_ELEMENT)."""

    selected: bool
    confidence: float
    bbox: BBox


class KeyValue(BaseModel):
    """A form field (Textract KEY_VALUE_SET): a label and its value; the value may be a checkbox, and may be
    empty (a blank field on the form)."""

    key: FieldText
    value: FieldText | None = None
    selection: SelectionElement | None = None
    confidence: float


class Page(BaseModel):
    number: int = Field(description="1-based")
    width: int
    height: int
    dpi: int
    text: str
    engine: str = Field(
        description="tesseract, rapidocr, text-layer for a PDF's own text, or tesseract+rapidocr (two readings fused)"
    )
    rotation: int = Field(0, description="degrees the page was rotated clockwise before recognition")
    skew: float = Field(0.0, description="degrees of skew corrected")
    script: str | None = Field(None, description="writing system Tesseract OSD detected (Latin, Han, Hangul, ...)")
    lang: str | None = Field(None, description="Tesseract languages the page was read with")
    confidence: float = 0.0
    seconds: float = 0.0
    cpu_seconds: dict[str, float] = Field(
        default_factory=dict, exclude=True, description="CPU seconds per stage (osd, recognize, ...); not serialised"
    )
    blocks: list[Block]
    tables: list[Table] | None = Field(None, description="with features=tables: the tables found (maybe none)")
    key_values: list[KeyValue] | None = Field(None, description="with features=forms: label/value pairs")
    selection_elements: list[SelectionElement] | None = Field(
        None, description="with features=forms: every checkbox found, in or out of a key/value pair"
    )


class Document(BaseModel):
    text: str
    mime: str
    pages: list[Page]

    @property
    def words(self) -> list[Word]:
        return [w for p in self.pages for b in p.blocks for ln in b.lines for w in ln.words]


class OcrOptions(BaseModel):
    engine: str = Field("tesseract", description="a registered engine (tesseract, rapidocr, ...) or auto")
    lang: str = Field(
        "eng", description="Tesseract languages, '+'-joined (eng+deu), or 'auto': the language of the script OSD finds"
    )
    psm: int | None = Field(None, ge=0, le=13, description="Tesseract page segmentation mode (default 3)")
    orientation: bool = Field(True, description="detect and undo 90/180/270 rotation (Tesseract OSD)")
    deskew: bool = Field(False, description="straighten small skew before recognition")
    use_text_layer: bool = Field(True, description="use a PDF page's own text instead of OCR when it has some")
    dpi: int = Field(300, ge=50, le=600, description="PDF render resolution")
    max_pages: int = Field(100, ge=1, le=2000)
    max_pixels: int = Field(40_000_000, ge=1, description="largest page image accepted (width x height)")

    @field_validator("engine")
    @classmethod
    def _registered(cls, engine: str) -> str:
        from ocr.engines import engine_names  # the registry imports these models: import it late

        if engine != "auto" and engine not in engine_names():
            raise ValueError(f"unknown OCR engine {engine!r}; known: {', '.join([*engine_names(), 'auto'])}")
        return engine
