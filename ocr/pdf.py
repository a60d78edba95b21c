"""Searchable PDF: each page image with an invisible text layer at the words' boxes (Tesseract's approach),
or, for translations, the translated text drawn visibly over each block. Written directly (PDF 1.4),
with the standard Helvetica font: text outside Windows-1252 becomes '?' in the layer."""

from __future__ import annotations

import io
import textwrap
import zlib
from collections.abc import Iterable

from PIL import Image

from ocr.models import Block, Page

AVG_CHAR_EM = 0.5  # Helvetica's mean advance, in em; enough to scale words onto their boxes


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _invisible_words(page: Page, k: float, height_pt: float) -> list[bytes]:
    ops = [b"BT 3 Tr"]
    for block in page.blocks:
        for line in block.lines:
            for word in line.words:
                size = max(1.0, word.bbox.height * k)
                natural = max(1e-3, len(word.text) * AVG_CHAR_EM * size)
                scale = 100.0 * word.bbox.width * k / natural
                x, y = word.bbox.left * k, height_pt - word.bbox.bottom * k
                ops.append(
                    b"/F1 %.2f Tf %.2f Tz 1 0 0 1 %.2f %.2f Tm " % (size, scale, x, y)
                    + _pdf_string(word.text + " ")
                    + b" Tj"
                )
    ops.append(b"ET")
    return ops


def _visible_block(block: Block, text: str, k: float, height_pt: float) -> list[bytes]:
    left, top = block.bbox.left * k, height_pt - block.bbox.top * k
    width, height = block.bbox.width * k, block.bbox.height * k
    line_h = height / max(1, len(block.lines))
    size = max(4.0, line_h * 0.8)
    while True:
        chars = max(1, int(width / (AVG_CHAR_EM * size)))
        wrapped = textwrap.wrap(text, chars) or [""]
        if len(wrapped) * size * 1.15 <= height * 1.05 or size <= 4.0:
            break
        size *= 0.9
    ops = [b"q 1 g %.2f %.2f %.2f %.2f re f Q" % (left, top - height, width, height), b"BT 0 g 0 Tr"]
    for i, row in enumerate(wrapped):
        y = top - size * (1 + 1.15 * i)
        ops.append(b"/F1 %.2f Tf 1 0 0 1 %.2f %.2f Tm " % (size, left, y) + _pdf_string(row) + b" Tj")
    ops.append(b"ET")
    return ops


def write_pdf(pages: Iterable[tuple[Image.Image, Page, dict[int, str] | None]]) -> bytes:
    """pages: (image, page, block translations or None). With translations, block texts are drawn visibly."""
    objects: list[bytes] = [
        b"",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids: list[int] = []
    for image, page, translations in pages:
        k = 72.0 / page.dpi
        width_pt, height_pt = page.width * k, page.height * k
        rgb = image.convert("L" if image.mode == "L" else "RGB")
        buffer = io.BytesIO()
        rgb.save(buffer, format="JPEG", quality=80)
        colour = b"/DeviceGray" if rgb.mode == "L" else b"/DeviceRGB"
        jpeg = buffer.getvalue()
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 "
            b"/Filter /DCTDecode /Length %d >>\nstream\n"
            % (rgb.width, rgb.height, colour, len(jpeg))
            + jpeg
            + b"\nendstream"
        )
        image_id = len(objects)
        ops = [b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (width_pt, height_pt)]
        if translations is None:
            ops += _invisible_words(page, k, height_pt)
        else:
            for block in page.blocks:
                if block.id in translations:
                    ops += _visible_block(block, translations[block.id], k, height_pt)
        content = zlib.compress(b"\n".join(ops))
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> /XObject << /Im0 %d 0 R >> >> >>"
            % (width_pt, height_pt, content_id, image_id)
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % i for i in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
