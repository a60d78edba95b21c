"""A dictated note: one clinician's monologue (what the dictation formatter writes), put into note sections.

A dictating clinician already speaks in the clinical register and usually names the sections ("History of present
illness: ...", "Plan: ..."), so unlike a consultation nothing is summarised or dropped: every sentence becomes an
item of the section its spoken header opened, and sentences before any header go where the section classifier
(the one trained for consultations) puts them. Each sentence is one turn, so evidence points at what was said.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import numpy as np

from notes.builder import note_entities, note_problems
from notes.errors import NoteError
from notes.model import NoteModel, load_model
from notes.render import render
from notes.rewrite import clean, sentence_case
from notes.schemas import LabelledTurn, Note, NoteItem, NoteOptions, NoteSection, Turn
from notes.sections import OTHER, SECTIONS, TITLES, TURN_GROUPS, canonical
from notes.transcript import MAX_WORDS, non_empty
from notes.units import Unit, previous_texts, sentences

# "Plan: ..." / "Assessment. ..." / "History of present illness, ...": a header, then what was said under it.
_PUNCTUATED = re.compile(r"^\s*(?P<header>[A-Za-z][A-Za-z &/]{1,40}?)\s*[:.,;\u2013-]\s*(?P<rest>.*)$", re.S)
# Without punctuation only headers of two or more words count ("past medical history hypertension ..."): a
# sentence may well begin with "plan" or "history" as an ordinary word.
_SPOKEN = re.compile(
    r"^\s*(?P<header>chief complaint|history of present illness|review of systems|past (?:medical|surgical) history|"
    r"current medications|family history|social history|physical exam(?:ination)?|assessment and plan)\b[\s:,.]*"
    r"(?P<rest>.*)$",
    re.I | re.S,
)


# Headers a clinician says in full; a near miss of one before a colon is that header misheard ("assessment and
# plain:", "tief complaint:"): a dictated colon after a few words is almost always a heading.
_SAID_IN_FULL = (
    "chief complaint", "reason for visit", "history of present illness", "review of systems", "past medical history",
    "past surgical history", "current medications", "medications", "allergies", "family history", "social history",
    "physical exam", "physical examination", "vital signs", "results", "labs", "imaging", "assessment and plan",
    "assessment", "impression", "diagnosis",
)  # fmt: skip
NEAR_MISS = 0.85  # difflib ratio: "assessment and plain" 0.97, "tief complaint" 0.90, "teeth can plan" 0.48


def _misheard(header: str) -> str | None:
    said = " ".join(header.lower().split())
    best = max(_SAID_IN_FULL, key=lambda h: SequenceMatcher(None, said, h).ratio())
    return canonical(best) if SequenceMatcher(None, said, best).ratio() >= NEAR_MISS else None


def spoken_header(sentence: str) -> tuple[str | None, str]:
    """The section a sentence opens (None when it opens none) and the sentence without its header."""
    for pattern in (_PUNCTUATED, _SPOKEN):
        match = pattern.match(sentence)
        if match:
            name = canonical(match.group("header"))
            if not name and pattern is _PUNCTUATED and sentence[match.end("header"):].lstrip().startswith(":"):
                name = _misheard(match.group("header"))
            if name:
                return name, match.group("rest").strip()
    name = canonical(sentence.strip().rstrip(".:"))
    return (name, "") if name else (None, sentence)


def dictation_turns(text: str) -> list[Turn]:
    """A dictated note's text as turns of the clinician, one sentence (or heading line) each. A line that starts in
    lower case after one that ends mid-sentence continues it (a wrapped line, not a spoken "new line")."""
    lines: list[str] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if lines and line[:1].islower() and lines[-1] and lines[-1][-1] not in ".?!:":
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return [Turn(speaker="clinician", text=sentence) for line in lines for sentence in sentences(line)]


def check_dictation(turns: list[Turn]) -> list[Turn]:
    turns = non_empty(turns, "dictation")
    if len({t.speaker for t in turns}) > 1:
        raise NoteError("a dictation has one speaker; for a consultation between clinician and patient use "
                        "source=consultation", code="two_speakers", param="source")  # fmt: skip
    words = sum(len(t.text.split()) for t in turns)
    if words > MAX_WORDS:
        raise NoteError(f"the dictation has {words} words; at most {MAX_WORDS}", code="transcript_too_long",
                        param="transcript")  # fmt: skip
    return turns


def _classified(model: NoteModel, turns: list[Turn], texts: list[str]) -> list[str]:
    """The likeliest note section of each sentence by the consultation classifier (never OTHER: a clinician
    dictates nothing that is not meant for the note)."""
    last = max(1, len(turns) - 1)
    units = [Unit([i], "clinician", text, position=i / last) for i, text in enumerate(texts)]
    probs = model.probabilities(model.featurizer.features(units, previous_texts(units, turns)))
    classes = list(model.classes)
    allowed = [classes.index(name) for name in SECTIONS if name in classes]
    return [classes[allowed[int(np.argmax(row[allowed]))]] for row in probs]


def build_dictated_note(turns: list[Turn], options: NoteOptions | None = None,
                        model: NoteModel | None = None) -> Note:  # fmt: skip
    """Every dictated sentence as an item of its section; headers open sections, the classifier places the rest."""
    options = options or NoteOptions()
    turns = check_dictation(list(turns))
    split = [spoken_header(t.text) for t in turns]
    texts = [clean(rest) for _, rest in split]
    guessed = _classified(model or load_model(), turns, [t or "." for t in texts])
    chosen: dict[str, list[NoteItem]] = {name: [] for name in SECTIONS}
    labels: list[str] = []
    current: str | None = None
    for index, ((header, _), text) in enumerate(zip(split, texts, strict=True)):
        current = header or current
        section = current or guessed[index]
        labels.append(section)
        if len(re.findall(r"\w+", text)) == 0:
            continue
        item_text = sentence_case(text)
        chosen[section].append(NoteItem(text=item_text, evidence=[index], entities=note_entities(item_text)))
    wanted = options.sections or SECTIONS
    sections = [NoteSection(name=n, title=TITLES[n], items=chosen[n]) for n in wanted if chosen.get(n)]
    if not sections:
        raise NoteError("the dictation holds no sentence for the note", code="no_clinical_content",
                        param="transcript")  # fmt: skip
    kept = {s.name for s in sections}
    labelled = [
        LabelledTurn(**t.model_dump(), index=i, section=name if name in kept else OTHER,
                     group=TURN_GROUPS[name if name in kept else OTHER])  # fmt: skip
        for i, (t, name) in enumerate(zip(turns, labels, strict=True))
    ]
    return Note(template=options.template, sections=sections, turns=labelled, problems=note_problems(sections),
                text=render(sections, options.template))  # fmt: skip
