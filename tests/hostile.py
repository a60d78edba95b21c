"""Hostile files and raw-socket clients for tests/api/test_hostile.py: entity bombs, decompression bombs,
slow bodies. Everything is built here, at test time; nothing hostile is stored in the repository."""

from __future__ import annotations

import io
import socket
import struct
import time
import zlib
from pathlib import Path

# Ten levels of ten references: 10^9 "lol"s (3 GB) if a parser expands them.
LOL_DTD = (
    '<!DOCTYPE {root} [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1 if i > 1 else ''};" * 10 + '">' for i in range(1, 10))
    + "]>"
)
XXE_DTD = '<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"


def billion_laughs(root: str, body: str) -> str:
    """`body` (which says &lol9; where the bomb goes) under a DTD declaring the bomb."""
    return '<?xml version="1.0"?>' + LOL_DTD.format(root=root) + body


def external_entity(root: str, body: str) -> str:
    """`body` (which says &xxe; where /etc/passwd would go) under a DTD declaring it as an external entity."""
    return '<?xml version="1.0"?>' + XXE_DTD.format(root=root) + body


def pls(entity: str) -> str:
    return (
        f'<lexicon version="1.0" xmlns="{PLS_NS}" alphabet="ipa" xml:lang="en-US">'
        f"<lexeme><grapheme>voxgate</grapheme><alias>{entity}</alias></lexeme></lexicon>"
    )


def tmx(entity: str) -> str:
    return (
        '<tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="phrase"/><body>'
        f'<tu><tuv xml:lang="en"><seg>heart</seg></tuv><tuv xml:lang="es"><seg>{entity}</seg></tuv></tu>'
        "</body></tmx>"
    )


def png_bomb(width: int, height: int) -> bytes:
    """A real 1-bit PNG of width x height white pixels: a few hundred kB that decode to width*height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte, then the row's bits
    compressor = zlib.compressobj(9)
    rows_at_once = 256
    idat = bytearray()
    for start in range(0, height, rows_at_once):
        idat += compressor.compress(row * min(rows_at_once, height - start))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", bytes(idat)) + chunk(b"IEND", b"")


def huge_page_pdf(width_pt: float, height_pt: float) -> bytes:
    """A one-page blank PDF with the given page size (PDF allows up to 14,400 pt, 200 inches, a side)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=width_pt, height=height_pt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def silent_flac(path: Path, seconds: int, rate: int = 8000, declare_length: bool = True) -> Path:
    """`seconds` of silence as FLAC (silence compresses to almost nothing: hours fit in a few hundred kB).
    declare_length=False zeroes STREAMINFO's total-samples field, as a streamed file has it: the length is then
    known only by decoding."""
    import numpy as np
    import soundfile

    block = np.zeros(rate * 60, dtype=np.int16)
    with soundfile.SoundFile(path, "w", samplerate=rate, channels=1, format="FLAC", subtype="PCM_16") as f:
        for _ in range(seconds // 60):
            f.write(block)
    if not declare_length:
        data = bytearray(path.read_bytes())
        assert data[:4] == b"fLaC"
        info = 8  # "fLaC", then the STREAMINFO block header (4 bytes); its 36-bit sample count ends at info+18
        data[info + 13] &= 0xF0
        data[info + 14 : info + 18] = b"\x00\x00\x00\x00"
        path.write_bytes(bytes(data))
    return path


def raw_exchange(port: int, head: bytes, parts: list[bytes], gap_s: float, wait_s: float) -> tuple[bytes, float]:
    """Send a request head, then the body parts `gap_s` apart (stopping early if the server answers), and
    return (what the server sent back, seconds from the head to the answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as sock:
        started = time.monotonic()
        sock.sendall(head)
        sock.settimeout(gap_s or 0.01)
        answer = b""
        for part in parts:
            try:
                answer = sock.recv(65536)
                if answer:
                    break
            except TimeoutError:
                pass
            try:
                sock.sendall(part)
            except OSError:
                break
        sock.settimeout(wait_s)
        while not _complete(answer):
            try:
                more = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not more:
                break
            answer += more
        return answer, time.monotonic() - started


def _complete(answer: bytes) -> bool:
    head, sep, body = answer.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return True
