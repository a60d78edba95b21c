"""Searchable (or translated) PDF of a document already read: re-renders each page as read() saw it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from ocr.inputs import iter_pages
from ocr.models import Document, OcrOptions, Page
from ocr.pdf import write_pdf
from ocr.read import _bytes


def _page_images(data: bytes, document: Document, options: OcrOptions) -> Iterator[tuple[Image.Image, Page]]:
    render = options.model_copy(update={"use_text_layer": False})
    pages = {p.number: p for p in document.pages}
    for source in iter_pages(data, render):
        page = pages.get(source.number)
        if page is None or source.image is None:
            continue
        image = source.image
        if page.rotation:
            image = image.rotate(-page.rotation, expand=True, fillcolor="white")
        if page.skew:
            image = image.rotate(page.skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")
        yield image, page


def to_searchable_pdf(
    document: bytes | str | Path,
    result: Document,
    options: OcrOptions | None = None,
    translations: dict[int, dict[int, str]] | None = None,
) -> bytes:
    """The page images with an invisible text layer; with `translations` ({page: {block id: text}}),
    each translated block is drawn visibly over the original instead."""
    options = options or OcrOptions()
    data = _bytes(document)
    return write_pdf(
        (image, page, None if translations is None else translations.get(page.number, {}))
        for image, page in _page_images(data, result, options)
    )
