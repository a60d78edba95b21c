"""Sections written from the entities a consultation names rather than from its sentences: review of systems
(symptoms asked about and answered, by body system, reported or denied), past medical history (conditions named
while taking the history), medications (drugs named while taking the history, with dose and frequency), allergies
(drugs the patient is allergic to, with the reaction, or none) and results (the clinician's sentences that read out
a test). Each item cites the turns its facts come from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from asr.medical import detect_entities
from notes.rewrite import clean, clinician_to_note, sentence_case
from notes.schemas import NoteItem, Turn
from notes.systems import system_of
from notes.units import sentences

# A question as ACI-style transcripts write it: often without its question mark.
_QUESTION = re.compile(
    r"^(?:(?:and|so|now|okay|ok|alright|all right|um|uh|well|also|then|but|just)\b[\s,]*)*"
    r"(?:do|did|does|have|has|had|are|were|is|was|any|how about|what about|how's|how is|how are|can you|could you|"
    r"would you|will you|are there|is there|anything|what|when|where|how|why|who|which)\b",
    re.I,
)
_YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|i do|i have|i did|i am|a little|sometimes|uh-huh|mm-hmm|correct|"
                  r"a bit|some|definitely|occasionally)\b", re.I)  # fmt: skip
_NO = re.compile(r"^\W*(?:no|nope|nah|not really|not at all|none|never|i don't|i do n't|i haven't|i have n't|"
                 r"i didn't|i did n't|nothing|negative)\b", re.I)  # fmt: skip
# Where the history ends: the clinician turns to the examination.
_EXAM_START = re.compile(
    r"\b(?:physical exam\w*|examine you|exam(?:ine)? (?:on|of)|take a (?:quick )?look|listen to (?:your|the) "
    r"(?:heart|lungs|chest)|check (?:you )?out|vitals?|vital signs)\b",
    re.I,
)
_HISTORY_CUE = re.compile(
    r"\b(?:history of|diagnosed|have|has|had|with|past|known|suffer\w*|on medication for|taking \w+ for|"
    r"surgery|years? ago|when i was)\b",
    re.I,
)
_RESULT_TEST = re.compile(
    r"\b(?:x-?rays?|mri|ct|cat scan|ultrasound|echo\w*|ekg|ecg|electrocardiogram|labs?|lab work|blood work|"
    r"blood tests?|a1c|hemoglobin|cholesterol|lipid|creatinine|kidney function|potassium|white (?:blood )?count|"
    r"urinalysis|urine|culture|biopsy|pathology|imaging|scan|stress test|mammogram|colonoscopy|cbc|tsh|"
    r"ejection fraction|covid test|strep test|swab|results?)\b",
    re.I,
)
_RESULT_VERB = re.compile(
    r"\b(?:show\w*|reveal\w*|demonstrat\w*|came back|come back|normal|abnormal|negative|positive|elevated|"
    r"low|high|evidence|no (?:sign|fracture|break)|fracture|consistent with|looked|looks|reviewed|see|saw|"
    r"found|was|were|is)\b",
    re.I,
)
# Symptom codes (ICD-10-CM R chapter and the pain / joint codes clinicians ask about) feed the review of systems;
# other conditions (diagnoses) feed the past medical history.
_SYMPTOM_CODES = ("R", "M25", "M54", "M79", "G44", "H57", "H53", "K59", "L29")
# Drug classes the lexicon knows that a medication list never names by themselves.
_NOT_A_DRUG = {"anti-bacterial agents", "medication", "medications", "medicine", "vitamins", "pain medication",
               "supplements", "analgesics", "anti-inflammatory agents"}  # fmt: skip


@dataclass
class Finding:
    name: str
    negated: bool
    turns: list[int] = field(default_factory=list)


def is_question(text: str) -> bool:
    """'have you had any fever', 'any chest pain?': a question, with or without its question mark."""
    stripped = text.strip()
    return stripped.endswith("?") or bool(_QUESTION.match(stripped))


def history_end(turns: list[Turn]) -> int:
    """The index of the first turn of the examination (the clinician turning to it after the first quarter), or
    three fifths of the way when none does."""
    start = max(1, len(turns) // 4)
    for index in range(start, len(turns)):
        if turns[index].speaker == "clinician" and _EXAM_START.search(turns[index].text):
            return index
    return max(1, int(len(turns) * 0.6))


# A relative's condition is family history, never the patient's own.
_FAMILY = re.compile(r"\b(?:family|mother|father|mom|dad|sister|brother|aunt|uncle|grand\w*|parents?|sons?|"
                     r"daughters?|cousin|relatives?)\b", re.I)  # fmt: skip


def _is_symptom(entity) -> bool:
    codes = [c.code for c in entity.icd10cm_concepts]
    name = (entity.normalized or entity.text).lower()
    if re.search(r"\b(?:pain|aches?)\b", name):
        return True
    if codes:
        return codes[0].startswith(_SYMPTOM_CODES)
    return system_of(name) is not None


def _join(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def symptoms(turns: list[Turn], end: int) -> list[Finding]:
    """Symptoms the patient reports or denies in the history: said by the patient, or asked by the clinician and
    answered yes or no in the next turn. The latest statement about a symptom wins."""
    found: dict[str, Finding] = {}

    def note(name: str, negated: bool, evidence: list[int]) -> None:
        f = found.setdefault(name, Finding(name, negated))
        f.negated = negated
        f.turns = sorted(set(f.turns) | set(evidence))

    for index in range(min(end, len(turns))):
        turn = turns[index]
        if turn.speaker == "patient":
            for e in detect_entities(clean(turn.text), phi=False):
                if e.category == "MEDICAL_CONDITION" and _is_symptom(e):
                    note((e.normalized or e.text).lower(), "NEGATION" in e.traits, [index])
            continue
        said = sentences(turn.text)
        if not said or index + 1 >= len(turns) or turns[index + 1].speaker != "patient":
            continue
        question = said[-1]
        if not is_question(question):
            continue
        asked = [e for e in detect_entities(question, phi=False) if e.category == "MEDICAL_CONDITION"
                 and _is_symptom(e)]  # fmt: skip
        answer = turns[index + 1].text
        named = {(e.normalized or e.text).lower() for e in detect_entities(answer, phi=False)}
        for e in asked:
            name = (e.normalized or e.text).lower()
            if name in named:
                continue  # the patient's own words about it decide (above)
            if _NO.match(answer):
                note(name, True, [index, index + 1])
            elif _YES.match(answer) and len(asked) == 1:
                note(name, False, [index, index + 1])
    return list(found.values())


_SAME = {"tired": "fatigue", "tiredness": "fatigue", "fevers": "fever", "coughing": "cough", "headaches": "headache"}


def review_of_systems(turns: list[Turn], end: int, complaint: NoteItem | None = None) -> list[NoteItem]:
    """One line per body system: 'Respiratory: Reports dry cough. Denies shortness of breath.'; the chief
    complaint, when it names a body system, is reported under it."""
    by_system: dict[str, list[Finding]] = {}
    found = symptoms(turns, end)
    for f in found:
        f.name = _SAME.get(f.name, f.name)
    if complaint and system_of(complaint.text):
        name = complaint.text.rstrip(".").lower()
        if not any(f.name in name for f in found):
            found.insert(0, Finding(name, False, list(complaint.evidence)))
    for f in found:
        system = system_of(f.name)
        if system:
            by_system.setdefault(system, []).append(f)
    items = []
    for system, found in sorted(by_system.items(), key=lambda kv: min(t for f in kv[1] for t in f.turns)):
        reported = [f.name for f in found if not f.negated]
        denied = [f.name for f in found if f.negated]
        parts = []
        if reported:
            parts.append(f"Reports {_join(reported)}.")
        if denied:
            parts.append(f"Denies {_join(denied).replace(' and ', ' or ') if len(denied) == 2 else _join(denied)}.")
        text = f"{system}: " + " ".join(parts)
        items.append(NoteItem(text=text, evidence=sorted({t for f in found for t in f.turns}), entities=[]))
    return items


def past_history(turns: list[Turn], end: int, exclude: set[str]) -> list[NoteItem]:
    """'Patient reports history of hypertension and diabetes.': diagnoses (not symptoms) named in the history with a
    history cue in the same sentence, not negated; `exclude` holds names already the chief complaint."""
    found: dict[str, list[int]] = {}
    for index in range(min(end, len(turns))):
        for sentence in sentences(turns[index].text):
            if not _HISTORY_CUE.search(sentence) or is_question(sentence) or _FAMILY.search(sentence):
                continue
            for e in detect_entities(sentence, phi=False):
                name = (e.normalized or e.text).lower()
                if e.category != "MEDICAL_CONDITION" or "NEGATION" in e.traits or _is_symptom(e) or name in exclude:
                    continue
                found.setdefault(name, []).append(index)
    if not found:
        return []
    names = list(found)
    text = f"Patient reports history of {_join(names)}."
    return [NoteItem(text=text, evidence=sorted({t for ts in found.values() for t in ts}), entities=[])]


def medications(turns: list[Turn], end: int) -> list[NoteItem]:
    """'Patient reports taking lisinopril 20 mg once a day and metformin.': drugs named in the history, each with
    the dose and frequency of its first mention that has them (spoken numbers in clinical form). A drug named as
    an allergy ("allergic to penicillin") is no medication."""
    found: dict[str, dict] = {}
    for index in range(min(end, len(turns))):
        text = clean(turns[index].text)
        for e in detect_entities(text, phi=False):
            name = (e.normalized or e.text).lower()
            if e.category != "MEDICATION" or name in _NOT_A_DRUG:
                continue
            if _named_as_allergy(text, e.begin_offset, e.end_offset):
                continue
            entry = found.setdefault(name, {"said": e.text.lower(), "attributes": "", "turns": []})
            entry["turns"].append(index)
            if not entry["attributes"]:
                kept = [a.text for a in sorted(e.attributes, key=lambda a: a.begin_offset)
                        if a.type in ("DOSAGE", "FREQUENCY") and a.begin_offset > e.begin_offset]  # fmt: skip
                entry["attributes"] = " ".join(dict.fromkeys(kept))
    if not found:
        return []
    names = [f"{v['said']} {v['attributes']}".strip() for v in found.values()]
    text = f"Patient reports taking {_join(names)}."
    return [NoteItem(text=text, evidence=sorted({t for v in found.values() for t in v["turns"]}), entities=[])]


_ALLERGY = re.compile(r"\ballerg(?:ic|y|ies)\b", re.I)
_NO_ALLERGY = re.compile(
    r"\b(?:no (?:known )?(?:drug |medication )?allergies|not allergic\b|"
    r"(?:don't|do n't|do not) have (?:any |no )?(?:drug |medication )?allergies|nkda)",
    re.I,
)
_ENVIRONMENT = re.compile(r"\b(?:seasonal|pollen|hay fever|dust|cats?|dogs?|grass|trees?|mold|environmental)\b", re.I)
_REACTION = re.compile(r"\b(?:rash|hives|itch\w*|swell\w*|anaphyla\w*|throat (?:closes|closing|swells)|"
                       r"trouble breathing|nausea|vomiting|upset stomach|diarrhea)\b", re.I)  # fmt: skip


# A drug is named as an allergy in the object position: "allergic to (sulfa drugs and) penicillin", "an allergy to
# penicillin", "penicillin allergy"; not "allergic asthma, so continue the albuterol" or "uses zyrtec for allergies".
_ALLERGEN_BEFORE = re.compile(r"\ballerg(?:ic|y|ies)\s+(?:reaction\s+)?to\s+(?:[\w'-]+,?\s+){0,3}$", re.I)
_DRUGS_WORD = re.compile(r"\b(?:drugs?|medications?|medicines?|meds)\b", re.I)
_ALLERGEN_AFTER = re.compile(r"^\s*allerg(?:y|ies)\b", re.I)


def _named_as_allergy(text: str, begin: int, end: int) -> bool:
    return bool(_ALLERGEN_BEFORE.search(text[max(0, begin - 80) : begin]) or _ALLERGEN_AFTER.match(text[end:]))


def _allergens(sentence: str) -> list[str]:
    """The drugs a sentence names as allergies, as said ("penicillin", not the lexicon's class "penicillins")."""
    return [e.text.lower() for e in detect_entities(sentence, phi=False)
            if e.category == "MEDICATION" and (e.normalized or e.text).lower() not in _NOT_A_DRUG
            and _named_as_allergy(sentence, e.begin_offset, e.end_offset)]  # fmt: skip


def allergies(turns: list[Turn]) -> list[NoteItem]:
    """'Penicillin (rash).' for drugs the patient is said to be allergic to (stated, or asked and confirmed), else
    'No known drug allergies.' when the patient says so or answers no to the allergy question ('No known allergies.'
    when it did not ask about drugs); nothing when the visit never touches allergies. Seasonal and environmental
    allergies belong to the history, not here."""
    found: dict[str, dict] = {}
    denied: list[int] = []
    drug_question = False  # whether the denial was about drugs ("any allergies to medications?") or any allergy
    for index, turn in enumerate(turns):
        said = sentences(clean(turn.text))
        answer = turns[index + 1] if index + 1 < len(turns) and turns[index + 1].speaker != turn.speaker else None
        for at, sentence in enumerate(said):
            if not _ALLERGY.search(sentence) or _ENVIRONMENT.search(sentence):
                continue
            drugs = _allergens(sentence)
            if is_question(sentence):  # "are you allergic to any medications?" / "you're allergic to augmentin?"
                if answer and drugs and _YES.match(answer.text):
                    evidence = [index, index + 1]
                elif answer and not drugs and _NO.match(answer.text):
                    denied += [index, index + 1]
                    drug_question = drug_question or bool(_DRUGS_WORD.search(sentence))
                    continue
                else:
                    continue
            elif _NO_ALLERGY.search(sentence):
                denied.append(index)
                drug_question = drug_question or bool(_DRUGS_WORD.search(sentence))
                continue
            else:
                evidence = [index]
            reaction = _REACTION.search(" ".join(said[at : at + 2]))
            for drug in drugs:
                entry = found.setdefault(drug, {"reaction": None, "turns": []})
                entry["turns"] += evidence
                entry["reaction"] = entry["reaction"] or (reaction.group(0).lower() if reaction else None)
    if found:
        names = [f"{drug} ({v['reaction']})" if v["reaction"] else drug for drug, v in found.items()]
        evidence = sorted({t for v in found.values() for t in v["turns"]})
        return [NoteItem(text=sentence_case(", ".join(names)), evidence=evidence, entities=[])]
    if denied:
        text = "No known drug allergies." if drug_question else "No known allergies."
        return [NoteItem(text=text, evidence=sorted(set(denied)), entities=[])]
    return []


_PLAN = re.compile(
    r"\b(?:will|going to|gon na|gonna|let's|let us|order|need to|want to|would like|show me|"
    r"plan|recommend|schedule|if)\b",
    re.I,
)
_CLAUSE_BREAK = re.compile(r"\b(?:so|okay|alright|all right|and then|now|but)\b", re.I)
RESULT_WORDS = 32  # a reading of a test in an unpunctuated turn: from the test's name, at most this many words


def _result_clause(sentence: str) -> str | None:
    """The part of a sentence that reads out a test: from its name to the next clause break, when a result verb
    follows the name within it."""
    test = _RESULT_TEST.search(sentence)
    if not test:
        return None
    start = sentence.rfind(" ", 0, max(0, test.start() - 1))
    start = 0 if start < 0 or test.start() < 30 else start + 1
    # back to the determiner or verb before the name ("the x-ray of her knee", "reviewed the mri")
    words = sentence[start:].split()
    clause = " ".join(words[:RESULT_WORDS])
    cut = [m.start() for m in _CLAUSE_BREAK.finditer(clause) if m.start() > test.end() - start + 8]
    if cut:
        clause = clause[: cut[0]]
    clause = clause.strip(" ,;-")
    tail = clause[test.end() - start :] if test.end() - start < len(clause) else ""
    if not _RESULT_VERB.search(tail) or len(clause.split()) < 4:
        return None
    return clause


def results(turns: list[Turn], pronoun: str, limit: int = 3) -> list[NoteItem]:
    """The clinician's readings of a test's result ('the x-ray showed no fracture'), in the note's register, at
    most `limit`; plans ('we will get an x-ray') and questions are not results."""
    items: list[NoteItem] = []
    seen: set[str] = set()
    for index, turn in enumerate(turns):
        if turn.speaker != "clinician":
            continue
        for sentence in sentences(turn.text):
            cleaned = clean(sentence)
            if not cleaned or is_question(cleaned):
                continue
            clause = _result_clause(cleaned)
            if not clause or _PLAN.search(clause):
                continue
            text = sentence_case(clinician_to_note(clause, pronoun))
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            items.append(NoteItem(text=text, evidence=[index]))
            if len(items) >= limit:
                return items
    return items
