"""Note sections: canonical names, titles, the templates that order them, and splitting a written note by headers."""

from __future__ import annotations

import re

# name -> title as printed in the note
TITLES: dict[str, str] = {
    "CHIEF_COMPLAINT": "Chief complaint",
    "HISTORY_OF_PRESENT_ILLNESS": "History of present illness",
    "REVIEW_OF_SYSTEMS": "Review of systems",
    "PAST_MEDICAL_HISTORY": "Past medical history",
    "MEDICATIONS": "Medications",
    "ALLERGIES": "Allergies",
    "FAMILY_HISTORY": "Family history",
    "SOCIAL_HISTORY": "Social history",
    "PHYSICAL_EXAMINATION": "Physical exam",
    "RESULTS": "Results",
    "ASSESSMENT_AND_PLAN": "Assessment and plan",
}
SECTIONS: tuple[str, ...] = tuple(TITLES)
OTHER = "OTHER"  # small talk and visit flow: labelled on turns, never a note section

# Templates: the order a note prints its sections in. SOAP groups them under S, O, A/P headings.
HP_ORDER: tuple[str, ...] = SECTIONS
SOAP_GROUPS: dict[str, tuple[str, ...]] = {
    "SUBJECTIVE": (
        "CHIEF_COMPLAINT", "HISTORY_OF_PRESENT_ILLNESS", "REVIEW_OF_SYSTEMS", "PAST_MEDICAL_HISTORY", "MEDICATIONS",
        "ALLERGIES", "FAMILY_HISTORY", "SOCIAL_HISTORY",
    ),
    "OBJECTIVE": ("PHYSICAL_EXAMINATION", "RESULTS"),
    "ASSESSMENT AND PLAN": ("ASSESSMENT_AND_PLAN",),
}  # fmt: skip
# HealthScribe-style grouping of transcript turns.
TURN_GROUPS: dict[str, str] = {
    **{name: "SUBJECTIVE" for name in SOAP_GROUPS["SUBJECTIVE"]},
    "PHYSICAL_EXAMINATION": "OBJECTIVE",
    "RESULTS": "OBJECTIVE",
    "ASSESSMENT_AND_PLAN": "ASSESSMENT_AND_PLAN",
    OTHER: "VISIT_FLOW",
}
TEMPLATES: tuple[str, ...] = ("hp", "soap")

# Written headers (ACI-BENCH, MTS-Dialog, clinic habits) -> canonical section.
_HEADERS: list[tuple[str, str]] = [
    (r"chief complaint|cc|reason for visit", "CHIEF_COMPLAINT"),
    (r"history of present illness|hpi|history|subjective|genhx", "HISTORY_OF_PRESENT_ILLNESS"),
    (r"review of (?:systems|symptoms)|ros", "REVIEW_OF_SYSTEMS"),
    (r"(?:past )?(?:medical|surgical) history|past history|pmh|pastmedicalhx|pastsurgical|immunizations|gynhx"
     r"|other_history|birth history", "PAST_MEDICAL_HISTORY"),
    (r"(?:current )?medications?|meds", "MEDICATIONS"),
    (r"allerg(?:y|ies)", "ALLERGIES"),
    (r"family history", "FAMILY_HISTORY"),
    (r"social history", "SOCIAL_HISTORY"),
    (r"fam/sochx", "SOCIAL_HISTORY"),
    (r"physical exam(?:ination)?|exam|examination|vitals(?: reviewed)?|objective", "PHYSICAL_EXAMINATION"),
    (r"results|labs|imaging|procedures", "RESULTS"),
    (r"assessment(?: and plan)?|plan|impression|instructions|procedure|diagnosis|disposition|edcourse"
     r"|assessment & plan", "ASSESSMENT_AND_PLAN"),
]  # fmt: skip
_HEADER_RES = [(re.compile(rf"(?:{p})", re.I), name) for p, name in _HEADERS]


def canonical(header: str) -> str | None:
    """The canonical section of a written header ("CURRENT MEDICATIONS:" -> MEDICATIONS), or None."""
    cleaned = header.strip().rstrip(":").strip()
    for pattern, name in _HEADER_RES:
        if pattern.fullmatch(cleaned):
            return name
    return None


def _is_header(line: str) -> str | None:
    stripped = line.strip()
    if not stripped or len(stripped) > 40 or stripped.upper() != stripped or not re.search("[A-Z]", stripped):
        return None
    return canonical(stripped)


def split_note(note: str) -> dict[str, str]:
    """A written note's text per canonical section (headers in upper case on their own line); text before
    the first header goes to HISTORY_OF_PRESENT_ILLNESS."""
    parts: dict[str, list[str]] = {}
    current = "HISTORY_OF_PRESENT_ILLNESS"
    for line in note.splitlines():
        name = _is_header(line)
        if name:
            current = name
            continue
        if line.strip():
            parts.setdefault(current, []).append(line.strip())
    return {name: "\n".join(lines) for name, lines in parts.items()}
