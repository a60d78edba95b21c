"""W3C Pronunciation Lexicon Specification (PLS 1.0) documents: parse, validate, apply to words."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from pydantic import BaseModel, Field

from tts.errors import InvalidLexiconError

PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"
MAX_LEXICON_BYTES = 4_000_000
MAX_NAME = 20


class Lexeme(BaseModel):
    graphemes: list[str]
    alias: str | None = None
    phoneme: str | None = None


class Lexicon(BaseModel):
    name: str
    language: str
    alphabet: str
    lexemes: list[Lexeme] = Field(default_factory=list)

    def table(self) -> dict[str, Lexeme]:
        return {g: lexeme for lexeme in self.lexemes for g in lexeme.graphemes}


def check_name(name: str) -> str:
    """Polly's rule: 1-20 letters and digits."""
    if not (1 <= len(name) <= MAX_NAME and name.isascii() and name.isalnum()):
        raise InvalidLexiconError("a lexicon name is 1 to 20 ASCII letters or digits", param="name")
    return name


def _local(tag: str) -> tuple[str, str]:
    ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return ns, local


def parse_pls(name: str, document: str | bytes) -> Lexicon:
    """Parse a PLS document; raises InvalidLexiconError naming the problem (with line/column for XML errors)."""
    check_name(name)
    raw = document.encode() if isinstance(document, str) else document
    if not raw.strip():
        raise InvalidLexiconError("the lexicon document is empty", param="content")
    if len(raw) > MAX_LEXICON_BYTES:
        raise InvalidLexiconError(f"a lexicon is at most {MAX_LEXICON_BYTES} bytes", param="content")
    try:
        # defusedxml refuses any DTD, whatever the document's encoding (a byte search for "<!DOCTYPE" misses
        # UTF-16), so no entity is ever declared, expanded (billion laughs) or fetched (file:///etc/passwd).
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InvalidLexiconError(
            f"DTDs and entity declarations are not accepted in lexicons ({type(exc).__name__})", param="content"
        ) from exc
    except ET.ParseError as exc:
        line, column = exc.position
        raise InvalidLexiconError(
            f"the lexicon is not well-formed XML: {exc.msg if hasattr(exc, 'msg') else exc} "
            f"(line {line}, column {column + 1})",
            param="content",
            position={"line": line, "column": column + 1},
        ) from exc
    ns, local = _local(root.tag)
    if local != "lexicon" or ns != PLS_NS:
        raise InvalidLexiconError(f'not a PLS document: the root must be <lexicon xmlns="{PLS_NS}">', param="content")
    alphabet = root.get("alphabet", "")
    if alphabet.lower() != "ipa":
        raise InvalidLexiconError(
            f'lexicon alphabet {alphabet or "(missing)"!r} is not supported; use alphabet="ipa"', param="content"
        )
    language = root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not language:
        raise InvalidLexiconError("the <lexicon> element needs an xml:lang attribute", param="content")
    lexemes = []
    for index, element in enumerate(root.iter(f"{{{PLS_NS}}}lexeme"), start=1):
        graphemes = [(g.text or "").strip() for g in element.findall(f"{{{PLS_NS}}}grapheme")]
        graphemes = [g for g in graphemes if g]
        alias = element.find(f"{{{PLS_NS}}}alias")
        phoneme = element.find(f"{{{PLS_NS}}}phoneme")
        if not graphemes:
            raise InvalidLexiconError(f"lexeme {index} has no <grapheme>", param="content")
        if alias is None and phoneme is None:
            raise InvalidLexiconError(
                f"lexeme {index} ({graphemes[0]!r}) has neither <alias> nor <phoneme>", param="content"
            )
        lexemes.append(
            Lexeme(
                graphemes=graphemes,
                alias=(alias.text or "").strip() if alias is not None else None,
                phoneme=(phoneme.text or "").strip() if phoneme is not None else None,
            )
        )
    return Lexicon(name=name, language=language, alphabet="ipa", lexemes=lexemes)


class LexiconSet:
    """The lexicons of one request, applied in order: the first lexicon that names a grapheme wins."""

    MAX_PHRASE = 4

    def __init__(self, lexicons: list[Lexicon]) -> None:
        self._table: dict[str, Lexeme] = {}
        for lexicon in reversed(lexicons):
            self._table.update(lexicon.table())
        self._folded = {k.casefold(): v for k, v in self._table.items()}

    def __bool__(self) -> bool:
        return bool(self._table)

    def lookup(self, words: list[str]) -> Lexeme | None:
        """Exact match first, then case-insensitive."""
        phrase = " ".join(words)
        return self._table.get(phrase) or self._folded.get(phrase.casefold())
