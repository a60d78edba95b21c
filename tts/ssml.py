"""SSML (the subset Polly speaks) to a plan. Parsed with expat so every element keeps its position
in the input: errors name line and column, speech marks point at the caller's SSML."""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass, field, replace

from tts.errors import InvalidSsmlError
from tts.lexicon import LexiconSet
from tts.normalize import MONTHS, digits, phone_words, time_words
from tts.numbers import cardinal, ordinal, year
from tts.plan import Marker, Pause, Run, Sentence, split_sentences, words_from_tokens
from tts.schemas import Prosody, Word

ELEMENTS = {
    "speak",
    "break",
    "prosody",
    "say-as",
    "sub",
    "phoneme",
    "emphasis",
    "p",
    "s",
    "mark",
    "lang",
    "w",
    "amazon:effect",
    "amazon:domain",
}
RATES = {"x-slow": 0.6, "slow": 0.8, "medium": 1.0, "fast": 1.25, "x-fast": 1.6}
PITCHES = {"x-low": 0.8, "low": 0.9, "medium": 1.0, "high": 1.1, "x-high": 1.2}
VOLUMES = {"silent": -60.0, "x-soft": -12.0, "soft": -6.0, "medium": 0.0, "loud": 4.0, "x-loud": 8.0}
BREAKS = {"none": 0, "x-weak": 100, "weak": 250, "medium": 400, "strong": 700, "x-strong": 1200}
EMPHASIS = {
    "strong": Prosody(rate=0.85, volume_db=3.0),
    "moderate": Prosody(rate=0.92, volume_db=1.5),
    "reduced": Prosody(rate=1.1, volume_db=-3.0),
    "none": Prosody(),
}
INTERPRET = {
    "characters",
    "spell-out",
    "digits",
    "cardinal",
    "number",
    "ordinal",
    "date",
    "time",
    "telephone",
    "expletive",
    "fraction",
    "unit",
    "address",
}
MAX_BREAK_MS = 10_000


@dataclass
class _Context:
    prosody: Prosody = field(default_factory=Prosody)
    interpret: str | None = None
    format: str | None = None
    alias: str | None = None
    phonemes: str | None = None
    lang: str | None = None  # <lang xml:lang>: spoken by a voice of that language when there is one


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=None)
        self.stack: list[tuple[str, _Context, int]] = []
        self.sentences: list[Sentence] = []
        self.pending: list[Run | Pause | Marker] = []
        self.text: list[tuple[int, str]] = []  # (char offset, data) within the current atom
        self.byte_to_char = _ByteToChar(source)

    # positions -------------------------------------------------------------
    def here(self) -> int:
        return self.byte_to_char(self.parser.CurrentByteIndex)

    def fail(self, message: str) -> InvalidSsmlError:
        line, column = self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1
        return InvalidSsmlError(
            f"invalid SSML at line {line}, column {column}: {message}",
            param="text",
            position={"line": line, "column": column, "offset": self.here()},
        )

    # expat handlers ------------------------------------------------------------
    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name not in ELEMENTS:
            raise self.fail(f"<{name}> is not a supported SSML element")
        if not self.stack and name != "speak":
            raise self.fail("the root element must be <speak>")
        self.flush_text()
        ctx = replace(self.stack[-1][1]) if self.stack else _Context()
        atom = ctx.alias is not None or ctx.phonemes is not None or ctx.interpret is not None
        if atom and name not in ("mark", "break"):
            raise self.fail(f"<{name}> cannot be inside <sub>, <phoneme> or <say-as>")
        if name == "break":
            self.pending.append(Pause(self.break_ms(attrs)))
        elif name == "mark":
            if "name" not in attrs:
                raise self.fail("<mark> needs a name attribute")
            start = self.here()
            end = self.source.find(">", start) + 1
            self.pending.append(Marker(attrs["name"], start, end))
        elif name == "prosody":
            p = ctx.prosody
            ctx.prosody = Prosody(
                rate=p.rate * self.rate(attrs.get("rate")),
                pitch=p.pitch * self.pitch(attrs.get("pitch")),
                volume_db=p.volume_db + self.volume(attrs.get("volume")),
            )
        elif name == "emphasis":
            level = attrs.get("level", "moderate")
            if level not in EMPHASIS:
                raise self.fail(f"emphasis level {level!r} is not one of {', '.join(EMPHASIS)}")
            e, p = EMPHASIS[level], ctx.prosody
            ctx.prosody = Prosody(rate=p.rate * e.rate, pitch=p.pitch, volume_db=p.volume_db + e.volume_db)
        elif name == "say-as":
            interpret = attrs.get("interpret-as")
            if interpret not in INTERPRET:
                raise self.fail(f"say-as interpret-as {interpret!r} is not one of {', '.join(sorted(INTERPRET))}")
            ctx.interpret, ctx.format = interpret, attrs.get("format")
        elif name == "sub":
            if "alias" not in attrs:
                raise self.fail("<sub> needs an alias attribute")
            ctx.alias = attrs["alias"]
        elif name == "phoneme":
            if attrs.get("alphabet", "ipa") not in ("ipa",):
                raise self.fail(f"phoneme alphabet {attrs.get('alphabet')!r} is not supported; use ipa")
            if not attrs.get("ph"):
                raise self.fail("<phoneme> needs a ph attribute")
            ctx.phonemes = attrs["ph"]
        elif name == "lang":
            lang = attrs.get("xml:lang", "")
            if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
                raise self.fail(f"<lang> needs an xml:lang language tag such as fr-FR, not {lang!r}")
            ctx.lang = lang
        elif name in ("p", "s"):
            self.end_sentence()
        self.stack.append((name, ctx, self.here()))

    def end(self, name: str) -> None:
        tag, ctx, start = self.stack.pop()
        if ctx.alias is not None or ctx.phonemes is not None or ctx.interpret is not None:
            self.flush_atom(ctx)
        else:
            self.flush_text(ctx)
        if tag in ("p", "s"):
            self.end_sentence()
            if tag == "p":
                self.pending.append(Pause(300))

    def data(self, chunk: str) -> None:
        if not self.stack:
            return
        self.text.append((self.here(), chunk))

    # building ------------------------------------------------------------------
    def flush_text(self, ctx: _Context | None = None) -> None:
        """Plain text under a context (default: the open element's): sentence splitting, lexicons, normalisation."""
        if not self.text:
            return
        ctx = ctx or (self.stack[-1][1] if self.stack else _Context())
        start = self.text[0][0]
        joined = "".join(t for _, t in self.text)
        # entities make data shorter than its source; re-read the source span when it matches
        self.text = []
        pieces = (
            split_sentences(joined, start)
            if self.source[start : start + len(joined)] == joined
            else [(start, start, [(start, start + len(joined.strip()), w) for w in joined.split()])]
        )
        for k, (_, _, tokens) in enumerate(pieces):
            words = words_from_tokens(tokens, self.lexicons, self.normalize)
            if words:
                self.pending.append(Run(words=words, prosody=ctx.prosody, lang=ctx.lang))
            if k < len(pieces) - 1:
                self.end_sentence()

    def flush_atom(self, ctx: _Context) -> None:
        """The text of one <sub>, <phoneme> or <say-as>: spoken as given, marked as one span."""
        if not self.text:
            return
        start = self.text[0][0]
        raw = "".join(t for _, t in self.text)
        self.text = []
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        span = (start + lead, start + lead + len(stripped))
        if ctx.alias is not None:
            spoken = ctx.alias
        elif ctx.phonemes is not None:
            self.pending.append(
                Run(
                    words=[Word(text=stripped, start=span[0], end=span[1], source=stripped, phonemes=ctx.phonemes)],
                    prosody=ctx.prosody,
                    lang=ctx.lang,
                )
            )
            return
        else:
            spoken = say_as(stripped, ctx.interpret or "", ctx.format)
        words = [
            Word(text=w, start=span[0], end=span[1], source=stripped, mark=k == 0) for k, w in enumerate(spoken.split())
        ]
        if words:
            self.pending.append(Run(words=words, prosody=ctx.prosody, lang=ctx.lang))

    def end_sentence(self) -> None:
        if not any(isinstance(i, Run) for i in self.pending):
            if self.pending and self.sentences:
                self.sentences[-1].items += self.pending
                self.pending = []
            return
        spans = [(w.start, w.end) for i in self.pending if isinstance(i, Run) for w in i.words]
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        self.sentences.append(Sentence(start=start, end=end, text=self.source[start:end], items=self.pending))
        self.pending = []

    # attribute values --------------------------------------------------------
    def break_ms(self, attrs: dict[str, str]) -> int:
        if "time" in attrs:
            m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*", attrs["time"])
            if not m:
                raise self.fail(f"break time {attrs['time']!r} must look like 500ms or 2s")
            ms = float(m[1]) * (1 if m[2] == "ms" else 1000)
            if ms > MAX_BREAK_MS:
                raise self.fail(f"break time is at most {MAX_BREAK_MS} ms")
            return int(ms)
        strength = attrs.get("strength", "medium")
        if strength not in BREAKS:
            raise self.fail(f"break strength {strength!r} is not one of {', '.join(BREAKS)}")
        return BREAKS[strength]

    def rate(self, value: str | None) -> float:
        if value is None:
            return 1.0
        if value in RATES:
            return RATES[value]
        m = re.fullmatch(r"(\d+(?:\.\d+)?)%", value.strip())
        if not m or not 20 <= float(m[1]) <= 400:
            raise self.fail(f"prosody rate {value!r} must be x-slow..x-fast or a percentage from 20% to 400%")
        return float(m[1]) / 100

    def pitch(self, value: str | None) -> float:
        if value is None:
            return 1.0
        if value in PITCHES:
            return PITCHES[value]
        m = re.fullmatch(r"([+-]\d+(?:\.\d+)?)(%|st)", value.strip())
        if not m:
            raise self.fail(f"prosody pitch {value!r} must be x-low..x-high, +N% / -N% or +Nst / -Nst")
        factor = 1 + float(m[1]) / 100 if m[2] == "%" else 2 ** (float(m[1]) / 12)
        if not 0.5 <= factor <= 2.0:
            raise self.fail(f"prosody pitch {value!r} is outside half to double the voice's pitch")
        return factor

    def volume(self, value: str | None) -> float:
        if value is None:
            return 0.0
        if value in VOLUMES:
            return VOLUMES[value]
        m = re.fullmatch(r"([+-]\d+(?:\.\d+)?)dB", value.strip())
        if not m or abs(float(m[1])) > 20:
            raise self.fail(f"prosody volume {value!r} must be silent..x-loud or +NdB / -NdB (at most 20 dB)")
        return float(m[1])

    def refuse_dtd(self, *_: object) -> None:
        raise self.fail("DTDs and entity declarations are not accepted in SSML")

    def run(self, lexicons: LexiconSet, normalize: bool) -> list[Sentence]:
        self.lexicons, self.normalize = lexicons, normalize
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.data
        self.parser.buffer_text = False
        # No DTD, whatever its spelling or encoding: nothing is declared, expanded (billion laughs) or fetched
        # (external entities). The text check in plan_ssml answers first; these stop what it cannot see.
        self.parser.StartDoctypeDeclHandler = self.refuse_dtd
        self.parser.EntityDeclHandler = self.refuse_dtd
        self.parser.ExternalEntityRefHandler = self.refuse_dtd
        self.parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        try:
            self.parser.Parse(self.source.encode("utf-8"), True)
        except xml.parsers.expat.ExpatError as exc:
            message = xml.parsers.expat.errors.messages.get(exc.code, str(exc)) if hasattr(exc, "code") else str(exc)
            raise InvalidSsmlError(
                f"invalid SSML at line {exc.lineno}, column {exc.offset + 1}: {message}",
                param="text",
                position={"line": exc.lineno, "column": exc.offset + 1},
            ) from exc
        self.end_sentence()
        return self.sentences


class _ByteToChar:
    def __init__(self, text: str) -> None:
        self.ascii = text.isascii()
        self.encoded = text.encode("utf-8")

    def __call__(self, index: int) -> int:
        return index if self.ascii else len(self.encoded[:index].decode("utf-8", errors="ignore"))


def say_as(text: str, interpret: str, fmt: str | None = None) -> str:
    """The spoken words for <say-as interpret-as=...>."""
    compact = text.replace(",", "")
    if interpret in ("characters", "spell-out"):
        return " ".join(digits(c) if c.isdigit() else c.upper() for c in text if not c.isspace())
    if interpret == "digits":
        return digits(text)
    if interpret in ("cardinal", "number") and re.fullmatch(r"-?\d+", compact):
        return cardinal(int(compact))
    if interpret == "ordinal" and re.fullmatch(r"\d+(st|nd|rd|th)?", compact):
        return ordinal(int(re.sub(r"\D", "", compact)))
    if interpret == "telephone":
        return phone_words(text)
    if interpret == "time" and (m := re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?\s*([ap]\.?m\.?)?", text, re.I)):
        return time_words(int(m[1]), int(m[2]), m[3] or "")
    if interpret == "date":
        parts = [int(p) for p in re.split(r"[-/.]", text) if p.isdigit()]
        order = (fmt or "ymd" if re.match(r"\d{4}", text) else fmt or "mdy").lower()
        values = dict(zip(order, parts, strict=False))
        words = []
        if "m" in values and 1 <= values["m"] <= 12:
            words.append(MONTHS[values["m"] - 1])
        if "d" in values:
            words.append(ordinal(values["d"]))
        if "y" in values:
            y = values["y"] + (2000 if values["y"] < 100 else 0)
            words.append(year(y))
        if words:
            return " ".join(words)
    return text


def plan_ssml(source: str, lexicons: LexiconSet | None = None, normalize: bool = True) -> list[Sentence]:
    if not source.lstrip().startswith("<"):
        raise InvalidSsmlError(
            "invalid SSML at line 1, column 1: SSML must start with <speak>",
            param="text",
            position={"line": 1, "column": 1},
        )
    if "<!DOCTYPE" in source or "<!ENTITY" in source:
        raise InvalidSsmlError("DTDs and entity declarations are not accepted in SSML", param="text")
    return _Builder(source).run(lexicons or LexiconSet([]), normalize)
