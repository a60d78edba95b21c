"""Body systems for review-of-systems and examination lines ("Cardiovascular: Denies chest pain."), by keywords,
and the chief complaint as the clinician states the reason for the visit."""
# ruff: noqa: E501  (keyword tables read better unwrapped)

from __future__ import annotations

import re

SYSTEMS: list[tuple[str, re.Pattern[str]]] = [
    ("Constitutional", re.compile(r"\b(?:fevers?|chills|fatigue|tired|weight (?:loss|gain)|night sweats|appetite|distress|well-appearing)\b", re.I)),
    ("Eyes", re.compile(r"\b(?:vision|eyes?|pupils?|blurr(?:y|ed))\b", re.I)),
    ("Ears, Nose, Mouth and Throat", re.compile(r"\b(?:ears?|nasal|congestion|sinus|sore throat|throat|runny nose|hearing|tonsils?|oropharynx)\b", re.I)),
    ("Cardiovascular", re.compile(r"\b(?:chest pains?|palpitations?|heart|murmurs?|regular rate|rhythm|edema|swelling in (?:the|his|her|your) legs|carotid|pulses?)\b", re.I)),
    ("Respiratory", re.compile(r"\b(?:shortness of breath|cough(?:ing)?|wheez\w*|lungs?|breath sounds|rales|rhonchi|dyspnea|sputum|auscultation)\b", re.I)),
    ("Gastrointestinal", re.compile(r"\b(?:nausea|vomiting|diarrhea|constipation|abdomen|abdominal|bowel|stools?|heartburn|reflux)\b", re.I)),
    ("Genitourinary", re.compile(r"\b(?:urinat\w*|urine|dysuria|bladder|kidneys?|flank)\b", re.I)),
    ("Musculoskeletal", re.compile(r"\b(?:joints?|back pain|knees?|shoulders?|hips?|elbows?|wrists?|ankles?|muscles?|range of motion|tenderness|swelling|spine|neck pain|strength)\b", re.I)),
    ("Integumentary", re.compile(r"\b(?:rash(?:es)?|skin|lesions?|itch\w*|bruis\w*|wounds?|incision)\b", re.I)),
    ("Neurological", re.compile(r"\b(?:headaches?|dizz\w*|numbness|tingling|weakness|seizures?|sensation|reflexes|neuro\w*|lightheaded\w*)\b", re.I)),
    ("Psychiatric", re.compile(r"\b(?:depress\w*|anxiety|anxious|mood|sleep|suicid\w*|stress)\b", re.I)),
]  # fmt: skip

_CC = re.compile(
    r"\b(?:presents?|here|in|coming in|came in|seeing (?:him|her|you)|is seen)\s+(?:today\s+)?(?:for|with|because of)\s+"
    r"(?:an?\s+|the\s+|(?:his|her|your|my)\s+)?(?P<cc>[a-z0-9][a-z0-9 '/-]{2,60}?)(?=\s*(?:[.?!;,]|,? (?:and|that|which|who|so|but|after|since|from|is)\b|$))",
    re.I,
)


def system_of(text: str) -> str | None:
    """The first body system a sentence speaks of, or None."""
    best: tuple[int, str] | None = None
    for name, pattern in SYSTEMS:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    return best[1] if best else None


def reason_for_visit(text: str) -> str | None:
    """'... who presents for her annual exam.' -> 'annual exam'."""
    m = _CC.search(text)
    if not m:
        return None
    cc = re.sub(r"^(?:a |an |the )", "", m.group("cc").strip(" ,"))
    if re.match(r"^(?:you|me|a (?:visit|checkup)|today|now|that|this|it)\b", cc, re.I) or len(cc.split()) > 8:
        return None
    return cc
