"""Document input: sniff the format, count pages, and yield page images (or a PDF page's own text)
with bounded memory: sizes are checked from headers before any pixel is decoded."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PIL import Image, ImageSequence, UnidentifiedImageError

from ocr.errors import OcrInputError
from ocr.layout import lines_to_blocks, page_text, words_to_lines
from ocr.models import BBox, OcrOptions, Page, Word

# We check width x height ourselves; PIL's own bomb guard stays on as a second fence.
Image.MAX_IMAGE_PIXELS = 100_000_000
TEXT_LAYER_MIN_CHARS = 20

MIMES = {
    b"%PDF": "application/pdf",
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
}


@dataclass
class PageInput:
    number: int
    dpi: int
    image: Image.Image | None = None
    text_layer: Page | None = None
    # For a page read from its text layer: renders it (for ruling lines); valid only until the next page is asked
    render: Callable[[], Image.Image] | None = None


def sniff(data: bytes) -> str:
    if not data:
        raise OcrInputError("the document is empty (0 bytes)", code="empty_document")
    for magic, mime in MIMES.items():
        if data.startswith(magic):
            return mime
    raise OcrInputError(
        "unsupported document format: send PNG, JPEG, TIFF or PDF", code="unsupported_format", status=415
    )


def _open_pdf(data: bytes):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise OcrInputError("the PDF is password-protected", code="pdf_encrypted") from exc
        raise OcrInputError(f"the PDF cannot be read: {exc}", code="corrupt_document") from exc


def _open_image(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise OcrInputError(f"image too large: {exc}", code="image_too_large", status=413) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise OcrInputError(f"the image cannot be read: {exc}", code="corrupt_document") from exc
    return image


def count_pages(data: bytes) -> int:
    """Pages in the document, from its header (no decoding)."""
    mime = sniff(data)
    if mime == "application/pdf":
        pdf = _open_pdf(data)
        try:
            return len(pdf)
        finally:
            pdf.close()
    return getattr(_open_image(data), "n_frames", 1)


def _check_pixels(width: int, height: int, options: OcrOptions, number: int) -> None:
    if width * height > options.max_pixels:
        raise OcrInputError(
            f"page {number} is {width}x{height} pixels; the limit is {options.max_pixels} pixels",
            code="image_too_large",
            status=413,
        )


def flatten(image: Image.Image) -> Image.Image:
    """The page as RGB or L, with any transparency laid on white (as Tesseract and leptonica read such a file).
    A plain convert("RGB") keeps the colour under transparent pixels, which is often black: a PNG of black text
    on a transparent background would become a black page."""
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        page = Image.new("RGB", image.size, "white")
        page.paste(rgba, mask=rgba.getchannel("A"))
        page.info = {k: v for k, v in image.info.items() if k != "transparency"}  # keeps the declared dpi
        return page
    return image.convert("RGB") if image.mode not in ("RGB", "L") else image


def _load_frame(frame: Image.Image, number: int) -> Image.Image:
    try:
        frame.load()
        page = flatten(frame)
        return page.copy() if page is frame else page
    except (OSError, SyntaxError, ValueError) as exc:
        raise OcrInputError(f"page {number} of the image is corrupt: {exc}", code="corrupt_document") from exc


def _image_pages(data: bytes, options: OcrOptions) -> Iterator[PageInput]:
    image = _open_image(data)
    frames = getattr(image, "n_frames", 1)
    if frames > options.max_pages:
        raise OcrInputError(
            f"the image has {frames} pages; the limit is {options.max_pages}", code="too_many_pages", status=413
        )
    for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
        _check_pixels(frame.width, frame.height, options, number)
        dpi = frame.info.get("dpi", (300, 300))[0] or 300
        yield PageInput(number=number, dpi=int(dpi), image=_load_frame(frame, number))


def _text_layer(pdf_page, number: int, scale: float, width: int, height: int, dpi: int) -> Page | None:  # type: ignore[no-untyped-def]
    """Words from the PDF's own text, in pixel coordinates at the render scale; None when too little text."""
    textpage = pdf_page.get_textpage()
    try:
        count = textpage.count_chars()
        if len(textpage.get_text_range().strip()) < TEXT_LAYER_MIN_CHARS:
            return None
        page_height = pdf_page.get_height()
        words: list[Word] = []
        chars: list[tuple[str, tuple[float, float, float, float]]] = []

        def flush() -> None:
            if chars:
                text = "".join(c for c, _ in chars)
                left = min(b[0] for _, b in chars)
                right = max(b[2] for _, b in chars)
                top = max(b[3] for _, b in chars)
                bottom = min(b[1] for _, b in chars)
                bbox = BBox.from_edges(
                    left * scale, (page_height - top) * scale, right * scale, (page_height - bottom) * scale
                )
                words.append(Word(text=text, confidence=100.0, bbox=bbox))
                chars.clear()

        for index in range(count):
            char = textpage.get_text_range(index, 1).replace("\ufffe", "-").replace("\xad", "-")  # pdfium: hyphens
            if not char or char.isspace():
                flush()
                continue
            chars.append((char, textpage.get_charbox(index)))
        flush()
    finally:
        textpage.close()
    blocks = lines_to_blocks(words_to_lines(words))
    return Page(
        number=number,
        width=width,
        height=height,
        dpi=dpi,
        text=page_text(blocks),
        engine="text-layer",
        confidence=100.0,
        blocks=blocks,
    )


def _render(page, scale: float) -> Image.Image:  # type: ignore[no-untyped-def]
    image = page.render(scale=scale).to_pil().convert("RGB")
    image.info["dpi"] = (round(scale * 72),) * 2  # the render resolution, for the engine
    return image


def _pdf_pages(data: bytes, options: OcrOptions) -> Iterator[PageInput]:
    pdf = _open_pdf(data)
    try:
        if len(pdf) > options.max_pages:
            raise OcrInputError(
                f"the PDF has {len(pdf)} pages; the limit is {options.max_pages}", code="too_many_pages", status=413
            )
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                w_pt, h_pt = page.get_size()
                scale = options.dpi / 72
                if w_pt * h_pt * scale * scale > options.max_pixels:  # huge page: render smaller, not bigger
                    # (less a hair, so that the rounded-up page never passes the cap: 6325 x 6325 > 40 MP)
                    scale = (options.max_pixels / max(w_pt * h_pt, 1)) ** 0.5 * 0.999
                dpi = round(scale * 72)
                width, height = round(w_pt * scale), round(h_pt * scale)
                layer = _text_layer(page, index + 1, scale, width, height, dpi) if options.use_text_layer else None
                if layer is not None:
                    yield PageInput(number=index + 1, dpi=dpi, text_layer=layer,
                                    render=lambda page=page, scale=scale: _render(page, scale))  # fmt: skip
                    continue
                yield PageInput(number=index + 1, dpi=dpi, image=_render(page, scale))
            finally:
                page.close()
    finally:
        pdf.close()


def iter_pages(data: bytes, options: OcrOptions) -> Iterator[PageInput]:
    mime = sniff(data)
    if mime == "application/pdf":
        return _pdf_pages(data, options)
    return _image_pages(data, options)
