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


class Page(BaseModel):
    number: int = Field(description="1-based")
    width: int
    height: int
    dpi: int
    text: str
    engine: str = Field(description="tesseract, rapidocr, or text-layer for a PDF's own text")
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
