"""Glossaries: parse CSV or TMX, and force terms through any engine by swapping each source term for a
placeholder token the engine passes through unchanged, then putting the target term in its place."""

from __future__ import annotations

import csv
import io
import re
import string
from xml.etree import ElementTree

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from nlp.translate.errors import TranslationError
from nlp.translate.models import Glossary, GlossaryEntry

MAX_ENTRIES = 10_000
HEADERS = {("source", "target"), ("term", "translation"), ("src", "tgt")}


def parse_csv(name: str, data: bytes, source: str | None = None, target: str | None = None) -> Glossary:
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise TranslationError(f"glossary CSV cannot be read: {exc}", code="invalid_glossary", param="file") from exc
    if rows and tuple(c.strip().lower() for c in rows[0][:2]) in HEADERS:
        rows = rows[1:]
    entries = [GlossaryEntry(source=r[0].strip(), target=r[1].strip()) for r in rows if len(r) >= 2 and r[0].strip()]
    return _glossary(name, source, target, entries)


def parse_tmx(name: str, data: bytes, source: str | None = None, target: str | None = None) -> Glossary:
    """TMX 1.4: each <tu> with a <tuv xml:lang=...><seg> for the source and the target language."""
    try:
        # ElementTree alone expands internal entities (billion laughs); defusedxml refuses any DTD.
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise TranslationError(
            f"glossary TMX: DTDs and entity declarations are not accepted ({type(exc).__name__})",
            code="invalid_glossary",
            param="file",
        ) from exc
    except ElementTree.ParseError as exc:
        raise TranslationError(f"glossary TMX is not valid XML: {exc}", code="invalid_glossary", param="file") from exc
    lang_attr = "{http://www.w3.org/XML/1998/namespace}lang"
    header = root.find("header")
    source = source or (header.get("srclang", "")[:2].lower() if header is not None else None) or None
    entries = []
    for tu in root.iter("tu"):
        segs = {
            (tuv.get(lang_attr) or tuv.get("lang") or "")[:2].lower(): "".join(tuv.findtext("seg") or "").strip()
            for tuv in tu.iter("tuv")
        }
        if source is None or target is None:
            langs = list(segs)
            if len(langs) < 2:
                continue
            source, target = source or langs[0], target or next(lang for lang in langs if lang != (source or langs[0]))
        if segs.get(source) and segs.get(target):
            entries.append(GlossaryEntry(source=segs[source], target=segs[target]))
    return _glossary(name, source, target, entries)


def _glossary(name: str, source: str | None, target: str | None, entries: list[GlossaryEntry]) -> Glossary:
    if not entries:
        raise TranslationError("the glossary has no entries (need source,target rows)", code="invalid_glossary")
    if len(entries) > MAX_ENTRIES:
        raise TranslationError(f"at most {MAX_ENTRIES} glossary entries", code="invalid_glossary")
    return Glossary(name=name, source=source, target=target, entries=entries)


def parse(name: str, filename: str, data: bytes, source: str | None = None, target: str | None = None) -> Glossary:
    if filename.lower().endswith(".tmx") or data.lstrip().startswith(b"<"):
        return parse_tmx(name, data, source, target)
    return parse_csv(name, data, source, target)


def _token(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = string.ascii_uppercase[r] + letters
    return f"Zxq{letters}qz"


def protect(text: str, glossary: Glossary) -> tuple[str, dict[str, str]]:
    """Replace source terms (whole words, case-insensitive, longest first) by placeholder tokens."""
    mapping: dict[str, str] = {}
    entries = sorted(glossary.entries, key=lambda e: len(e.source), reverse=True)
    for i, entry in enumerate(entries):
        pattern = re.compile(rf"(?<!\w){re.escape(entry.source)}(?!\w)", re.IGNORECASE)
        if pattern.search(text):
            token = _token(i)
            text = pattern.sub(token, text)
            mapping[token] = entry.target
    return text, mapping


def restore(text: str, mapping: dict[str, str]) -> str:
    for token, target in mapping.items():
        text = re.sub(re.escape(token), lambda _m, t=target: t, text, flags=re.IGNORECASE)
    return text
