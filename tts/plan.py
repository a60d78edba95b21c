"""From input (plain text or parsed SSML) to a plan: sentences of word runs, pauses and marks.

Every spoken word keeps the character span of the input it came from, so speech marks can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tts.lexicon import LexiconSet
from tts.normalize import ABBREVIATIONS, NON_FINAL, normalize_tokens, split_edges, tokenize
from tts.schemas import Prosody, Word

_TERMINAL = ".!?"


@dataclass
class Run:
    """Words spoken with one prosody."""

    words: list[Word]
    prosody: Prosody = field(default_factory=Prosody)
    lang: str | None = None  # SSML <lang>: a language other than the voice's


@dataclass
class Pause:
    ms: int


@dataclass
class Marker:
    """An SSML <mark/>: `start`/`end` is the tag's span in the input."""

    name: str
    start: int
    end: int


Item = Run | Pause | Marker


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    items: list[Item] = field(default_factory=list)

    def runs(self) -> list[Run]:
        return [i for i in self.items if isinstance(i, Run)]


def ends_sentence(token: str, next_token: str | None) -> bool:
    _, core, trail = split_edges(token)
    stripped = token.rstrip("\"')]}”’")
    if not stripped or stripped[-1] not in _TERMINAL:
        return False
    if not trail.strip("\"')]}”’") and core.lower() in NON_FINAL:
        return False
    if core.lower() in ABBREVIATIONS and core.endswith(".") and next_token and not next_token[:1].isupper():
        return False
    return next_token is None or next_token[:1].isupper() or next_token[:1].isdigit() or not next_token[:1].isalpha()


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    """(start, end, tokens) per sentence; token spans are absolute (offset added)."""
    tokens = [(s + offset, e + offset, t) for s, e, t in tokenize(text)]
    sentences: list[tuple[int, int, list[tuple[int, int, str]]]] = []
    current: list[tuple[int, int, str]] = []
    for i, token in enumerate(tokens):
        current.append(token)
        nxt = tokens[i + 1][2] if i + 1 < len(tokens) else None
        if (
            ends_sentence(token[2], nxt)
            or "\n\n" in text[token[1] - offset : (tokens[i + 1][0] - offset) if nxt else 0]
        ):
            sentences.append((current[0][0], current[-1][1], current))
            current = []
    if current:
        sentences.append((current[0][0], current[-1][1], current))
    return sentences


def words_from_tokens(
    tokens: list[tuple[int, int, str]], lexicons: LexiconSet | None = None, normalize: bool = True
) -> list[Word]:
    """Lexicon lookup (phrases up to 4 tokens), then normalisation; one or more Words per token."""
    words: list[Word] = []
    i = 0
    while i < len(tokens):
        if lexicons:
            hit = None
            for size in range(min(LexiconSet.MAX_PHRASE, len(tokens) - i), 0, -1):
                group = tokens[i : i + size]
                cores = [split_edges(t)[1] for _, _, t in group]
                lexeme = lexicons.lookup(cores)
                if lexeme is not None:
                    hit = (size, group, lexeme)
                    break
            if hit:
                size, group, lexeme = hit
                start, end = group[0][0], group[-1][1]
                trail = split_edges(group[-1][2])[2]
                source = " ".join(t for _, _, t in group)
                if lexeme.phoneme:
                    words.append(
                        Word(
                            text=" ".join(split_edges(t)[1] for _, _, t in group) + trail,
                            start=start,
                            end=end,
                            source=source,
                            # the pause a comma or full stop makes is kept with the fixed phonemes
                            phonemes=lexeme.phoneme + "".join(c for c in trail if c in ",.;:!?"),
                        )
                    )
                else:
                    words += _expand_span(lexeme.alias + trail, start, end, source, normalize)
                i += size
                continue
        start, end, token = tokens[i]
        lead, core, trail = split_edges(token)
        if not core.strip(".,;:!?-–—\"'()"):  # punctuation alone: it belongs to the word before
            if words and words[-1].phonemes is None:
                words[-1].text += token
            i += 1
            continue
        if core:
            start, end = start + len(lead), end - len(trail)
        spoken = normalize_tokens([t for _, _, t in tokens[max(0, i - 1) : i + 1]])[-1] if normalize else token
        words += _expand_span(spoken, start, end, token, False)
        i += 1
    return words


def _expand_span(spoken: str, start: int, end: int, source: str, normalize: bool) -> list[Word]:
    parts = normalize_tokens(spoken.split()) if normalize else spoken.split()
    parts = " ".join(parts).split()
    return [Word(text=p, start=start, end=end, source=source, mark=(k == 0)) for k, p in enumerate(parts)]


def plan_text(text: str, lexicons: LexiconSet | None = None, normalize: bool = True) -> list[Sentence]:
    sentences = []
    for start, end, tokens in split_sentences(text):
        words = words_from_tokens(tokens, lexicons, normalize)
        if words:
            sentences.append(Sentence(start=start, end=end, text=text[start:end], items=[Run(words=words)]))
    return sentences
