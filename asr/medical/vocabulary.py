"""Vocabulary biasing: which terms to hand the decoder as hotwords for one recording.

A long list floods the decoder: faster-whisper puts hotwords in the prompt, which holds
at most ~220 tokens, and unrelated terms there pull words towards them. So the caller's
own terms come first, then a short list for the stated specialty, within a word budget.
"""

from __future__ import annotations

SPECIALTY_TERMS: dict[str, tuple[str, ...]] = {
    "respiratory": (
        "asthma", "COPD", "inhaler", "puffer", "Ventolin", "salbutamol", "Symbicort", "spirometry", "wheezing",
        "sputum", "phlegm", "pneumonia", "bronchitis", "COVID", "shortness of breath", "chest X-ray", "swab",
    ),
    "cardiology": (
        "hypertension", "atrial fibrillation", "palpitations", "angina", "ECG", "echocardiogram", "troponin",
        "metoprolol", "amlodipine", "lisinopril", "atorvastatin", "warfarin", "apixaban", "edema",
    ),
    "general": (
        "hypertension", "diabetes", "metformin", "ibuprofen", "acetaminophen", "Tylenol", "Advil", "allergies",
        "antibiotics", "blood work", "prescription",
    ),
    "pediatrics": ("fever", "ear infection", "croup", "vaccination", "acetaminophen", "ibuprofen", "rash"),
    "psychiatry": ("depression", "anxiety", "sertraline", "fluoxetine", "insomnia", "panic attacks", "therapy"),
}  # fmt: skip
MAX_WORDS = 40
# Measured: the 17-term respiratory list as hotwords made tiny.en skip 20 s of a consultation;
# and in bench/asr.py even 6 respiratory terms raised base's WER from 8.8% to 12.4% (medical-term
# WER 17.1% -> 12.2%, on 41 terms only). So specialty terms are opt-in and few.
MAX_SPECIALTY_TERMS = 6


def specialties() -> list[str]:
    return sorted(SPECIALTY_TERMS)


def select_hotwords(
    vocabulary: list[str] | None = None, specialty: str | None = None, max_words: int = MAX_WORDS
) -> str | None:
    """Comma-separated hotwords, caller's terms first, deduplicated, within `max_words` words."""
    specialty_terms = SPECIALTY_TERMS.get((specialty or "").strip().lower(), ())[:MAX_SPECIALTY_TERMS]
    candidates = [*(vocabulary or []), *specialty_terms]
    chosen: list[str] = []
    seen: set[str] = set()
    words = 0
    for term in (t.strip() for t in candidates):
        size = len(term.split())
        if not term or term.lower() in seen or words + size > max_words:
            continue
        chosen.append(term)
        seen.add(term.lower())
        words += size
    return ", ".join(chosen) or None
