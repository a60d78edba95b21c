"""Bad documents give OcrInputError with a code, before any large allocation."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

import ocr
from tests.ocr.conftest import encode, text_page


def huge_png_header(width: int, height: int) -> bytes:
    """A valid PNG header declaring a huge image, with a tiny body: a decompression bomb in miniature."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def encrypted_pdf() -> bytes:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.append(io.BytesIO(encode(text_page(), "PDF")))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_document"),
        (b"hello, not an image", "unsupported_format"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20, "corrupt_document"),
        (huge_png_header(10_000, 10_000), "image_too_large"),
        (b"%PDF-1.4\n garbage", "corrupt_document"),
    ],
)
def test_bad_documents_are_rejected_with_a_code(data: bytes, code: str) -> None:
    with pytest.raises(ocr.OcrInputError) as info:
        ocr.read(data)
    assert info.value.code == code
    assert 400 <= info.value.status < 500


def test_password_protected_pdf() -> None:
    with pytest.raises(ocr.OcrInputError) as info:
        ocr.count_pages(encrypted_pdf())
    assert info.value.code == "pdf_encrypted"


def test_page_cap_is_checked_before_rendering() -> None:
    blank = Image.new("L", (100, 100), 255)
    pdf = encode(blank, "PDF", save_all=True, append_images=[blank] * 11)
    assert ocr.count_pages(pdf) == 12
    with pytest.raises(ocr.OcrInputError) as info:
        ocr.read(pdf, ocr.OcrOptions(max_pages=10))
    assert info.value.code == "too_many_pages"


def test_unknown_tesseract_language() -> None:
    with pytest.raises(ocr.OcrInputError) as info:
        ocr.read(encode(text_page(), "PNG"), ocr.OcrOptions(lang="xxx", orientation=False))
    assert "xxx" in str(info.value)
