"""hOCR output (the microformat Tesseract and OCR benchmarks read)."""

from __future__ import annotations

from html import escape

from ocr.models import BBox, Document

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
<title></title>
<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
<meta name="ocr-system" content="voxgate"/>
<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word"/>
</head>
<body>
"""


def _box(b: BBox) -> str:
    return f"bbox {b.left} {b.top} {b.right} {b.bottom}"


def to_hocr(document: Document) -> str:
    out = [HEAD]
    for page in document.pages:
        p = page.number
        out.append(
            f'<div class="ocr_page" id="page_{p}" title="bbox 0 0 {page.width} {page.height}; ppageno {p - 1}">\n'
        )
        for block in page.blocks:
            bid = f"{p}_{block.id + 1}"
            out.append(f' <div class="ocr_carea" id="block_{bid}" title="{_box(block.bbox)}">\n')
            out.append(f'  <p class="ocr_par" id="par_{bid}" title="{_box(block.bbox)}">\n')
            for li, line in enumerate(block.lines, start=1):
                lid = f"{bid}_{li}"
                out.append(f'   <span class="ocr_line" id="line_{lid}" title="{_box(line.bbox)}">')
                for wi, word in enumerate(line.words, start=1):
                    title = f"{_box(word.bbox)}; x_wconf {round(word.confidence)}"
                    out.append(
                        f'<span class="ocrx_word" id="word_{lid}_{wi}" title="{title}">{escape(word.text)}</span> '
                    )
                out.append("</span>\n")
            out.append("  </p>\n </div>\n")
        out.append("</div>\n")
    out.append("</body>\n</html>\n")
    return "".join(out)
