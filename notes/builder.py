"""The note builder: units classified into sections, the best of them kept within the length the nearest training
notes have, rewritten into the clinical register; template sentences only where the transcript supports them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from asr.medical import detect_entities
from notes.errors import NoteError
from notes.findings import (
    allergies,
    history_end,
    is_question,
    medications,
    past_history,
    results,
    review_of_systems,
)
from notes.model import NoteModel, fill, load_model
from notes.render import render
from notes.rewrite import clean, clinician_to_note, detect_pronoun, sentence_case, third_person
from notes.schemas import LabelledTurn, Note, NoteItem, NoteOptions, NoteSection, Turn
from notes.sections import OTHER, SECTIONS, TITLES, TURN_GROUPS
from notes.systems import reason_for_visit, system_of
from notes.transcript import check_turns
from notes.units import Unit, build_units, previous_texts, sentences
from notes.vectors import Embedder, dialogue_vector

SPECIALTIES: dict[str, tuple[str, ...]] = {
    "primary_care": SECTIONS,
    "orthopedics": (
        "CHIEF_COMPLAINT", "HISTORY_OF_PRESENT_ILLNESS", "PAST_MEDICAL_HISTORY", "MEDICATIONS", "ALLERGIES",
        "SOCIAL_HISTORY", "PHYSICAL_EXAMINATION", "RESULTS", "ASSESSMENT_AND_PLAN",
    ),
    "follow_up": ("CHIEF_COMPLAINT", "HISTORY_OF_PRESENT_ILLNESS", "MEDICATIONS", "PHYSICAL_EXAMINATION", "RESULTS",
                  "ASSESSMENT_AND_PLAN"),
}  # fmt: skip


@dataclass(frozen=True)
class BuilderConfig:
    """The builder's knobs, tuned on ACI-BENCH valid; the switches are for the bench's ablation."""

    threshold: float = 0.1  # least P(not OTHER) for a unit to enter the note
    neighbours: int = 5  # nearest training encounters read for section lengths and templates
    budget: float = 1.3  # times the neighbours' mean words per section
    min_section_p: float = 0.1  # least P(section) for a unit to be a candidate for that section
    slack: float = 8.0  # words a section may run over its budget
    template_vote: float = 0.6  # share of neighbours whose note has a template sentence
    template_support: float = 0.55  # least cosine between a template sentence and a unit that evidences it
    templates: bool = True
    systems: bool = True  # "Cardiovascular: ..." on review-of-systems and examination lines
    agreement: bool = True  # the patient's assent after the plan as "understands and agrees" (with evidence)
    answers: bool = True  # yes/no answers to symptom questions as "Reports"/"Denies" items
    rewrite: bool = True
    questions: bool = True  # questions (with or without their question mark) are no lines of `question_free`
    question_free: tuple[str, ...] = (
        "REVIEW_OF_SYSTEMS",
        "PAST_MEDICAL_HISTORY",
        "MEDICATIONS",
        "ALLERGIES",
        "FAMILY_HISTORY",
        "SOCIAL_HISTORY",
        "PHYSICAL_EXAMINATION",
        "RESULTS",
    )
    findings: bool = True  # entity-written sections (notes.findings) where the extractive one is thin
    allergies: bool = True  # drug allergies (or none) when the visit states them (notes.findings.allergies)
    findings_thin: int = 1000  # words under which an extractive ROS/PMH/medications/results section is replaced
    section_vote: float = 0.0  # least share of the neighbours' notes that have a section for it to be written


def _rewrite(unit: Unit, pronoun: str, on: bool) -> str:
    if not on:
        return sentence_case(unit.text)
    if unit.kind == "answer":
        return sentence_case(unit.text)
    if unit.speaker == "patient":
        return sentence_case(third_person(unit.text, pronoun))
    return sentence_case(clinician_to_note(unit.text, pronoun))


def note_entities(text: str) -> list[dict]:
    return [e.model_dump(exclude={"id"}) for e in detect_entities(text, phi=False)]


def _chief_complaint(turns: list[Turn], units: list[Unit], probs: np.ndarray, col: int) -> NoteItem | None:
    """The reason for the visit as the clinician states it in the first third of the visit; else the likeliest
    chief-complaint unit's conditions (or the unit itself)."""
    for index, turn in enumerate(turns[: max(1, len(turns) // 3)]):
        if turn.speaker != "clinician":
            continue
        for sentence in sentences(turn.text):
            reason = reason_for_visit(clean(sentence))
            if reason:
                text = sentence_case(reason)
                return NoteItem(text=text, evidence=[index], entities=note_entities(text))
    if not units:
        return None
    best = int(np.argmax(probs[:, col]))
    unit = units[best]
    conditions = [e for e in detect_entities(unit.text, phi=False)
                  if e.category == "MEDICAL_CONDITION" and "NEGATION" not in e.traits]  # fmt: skip
    if conditions:
        text = sentence_case(", ".join(dict.fromkeys(e.text.lower() for e in conditions)))
    else:
        text = sentence_case(unit.text)
    return NoteItem(text=text, evidence=unit.turns, entities=note_entities(text))


def build_note(
    turns: list[Turn],
    options: NoteOptions | None = None,
    *,
    embed: Embedder,
    model: NoteModel | None = None,
    config: BuilderConfig | None = None,
) -> Note:
    """A structured visit note from a consultation's turns (clinician and patient)."""
    options = options or NoteOptions()
    config = config or BuilderConfig()
    model = model or load_model()
    turns = check_turns(list(turns))
    pronoun = detect_pronoun([t.text for t in turns])
    units = [u for u in build_units(turns) if config.answers or u.kind != "answer"]
    x = model.featurizer.features(units, previous_texts(units, turns))
    probs = model.probabilities(x) if len(units) else np.zeros((0, len(model.classes)))
    classes = list(model.classes)
    near = model.neighbours(dialogue_vector([t.text for t in turns], embed), config.neighbours)
    budgets = model.words[near].mean(axis=0) * config.budget if len(near) else np.zeros(len(SECTIONS))

    chosen: dict[str, list[tuple[int, NoteItem]]] = {name: [] for name in SECTIONS}
    unit_section = _select(units, probs, classes, budgets, config, pronoun, chosen)
    seen = {_key(item.text) for items in chosen.values() for _, item in items}
    cc = _chief_complaint(turns, units, probs, classes.index("CHIEF_COMPLAINT"))
    if cc:
        chosen["CHIEF_COMPLAINT"].append((-1, cc))
    if config.agreement:
        _add_agreement(chosen, turns)
    if config.templates and len(near) and len(model.bank):
        _add_templates(chosen, units, model, near, pronoun, config, seen)
    if config.findings and len(near):
        _add_findings(chosen, turns, pronoun, model, near, config, cc)

    wanted = options.sections or (SPECIALTIES.get(options.specialty or "", SECTIONS))
    sections = [
        NoteSection(name=name, title=TITLES[name], items=[item for _, item in sorted(chosen[name], key=lambda p: p[0])])
        for name in wanted
        if chosen.get(name)
    ]
    if not sections:
        raise NoteError("nothing in the transcript reads as history, examination, results or plan: no note to write",
                        code="no_clinical_content", param="transcript")  # fmt: skip
    labelled = [
        LabelledTurn(**t.model_dump(), index=i, section=OTHER, group=TURN_GROUPS[OTHER]) for i, t in enumerate(turns)
    ]
    labels = [(u.turns, name) for u, name in zip(units, unit_section, strict=True)]
    if cc:
        labels.insert(0, (cc.evidence, "CHIEF_COMPLAINT"))
    labels += [(item.evidence, name) for name, items in chosen.items() for _, item in items]
    for evidence, name in labels:
        for index in evidence:
            if labelled[index].section == OTHER and name != OTHER:
                labelled[index].section = name
                labelled[index].group = TURN_GROUPS[name]
    problems = note_problems(sections)
    return Note(template=options.template, sections=sections, turns=labelled, problems=problems,
                text=render(sections, options.template))  # fmt: skip


_ASSENT = re.compile(
    r"^\W*(?:okay|ok|sounds good|that sounds (?:good|great|fine)|yes|yeah|all right|alright|"
    r"perfect|great|that's fine|sure|will do|thank you)\b",
    re.I,
)
AGREEMENT = "The patient understands and agrees with the recommended medical treatment plan."


def _add_agreement(chosen: dict[str, list[tuple[int, NoteItem]]], turns: list[Turn]) -> None:
    """When the patient assents right after the last plan item, the note says so, evidenced by that turn."""
    plan = [i for i, _ in chosen["ASSESSMENT_AND_PLAN"] if i >= 0]
    if not plan:
        return
    last_turn = max(chosen["ASSESSMENT_AND_PLAN"], key=lambda p: p[0])[1].evidence[-1]
    for index in range(last_turn + 1, min(len(turns), last_turn + 4)):
        if turns[index].speaker == "patient" and _ASSENT.match(turns[index].text):
            chosen["ASSESSMENT_AND_PLAN"].append((10**6, NoteItem(text=AGREEMENT, evidence=[last_turn, index])))
            return


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _select(
    units: list[Unit],
    probs: np.ndarray,
    classes: list[str],
    budgets: np.ndarray,
    config: BuilderConfig,
    pronoun: str,
    chosen: dict[str, list[tuple[int, NoteItem]]],
) -> list[str]:
    """Each section takes the units likeliest to feed it, until it holds the words its neighbours' notes have;
    a unit feeds one section at most. Returns each unit's section (OTHER when none took it)."""
    unit_section = [OTHER] * len(units)
    if not len(units):
        return unit_section
    keep = 1 - probs[:, classes.index(OTHER)]
    candidates = []
    for name in SECTIONS:
        if name == "CHIEF_COMPLAINT":
            continue
        p = probs[:, classes.index(name)]
        for i in np.nonzero((p >= config.min_section_p) & (keep >= config.threshold))[0]:
            candidates.append((float(p[i]), name, int(i)))
    candidates.sort(reverse=True)
    used = dict.fromkeys(SECTIONS, 0.0)
    seen: set[str] = set()
    for _, name, i in candidates:
        if unit_section[i] != OTHER:
            continue
        if (config.questions and name in config.question_free and units[i].kind == "sentence"
                and is_question(units[i].text)):  # fmt: skip
            continue
        text = _rewrite(units[i], pronoun, config.rewrite)
        if config.systems and name in ("REVIEW_OF_SYSTEMS", "PHYSICAL_EXAMINATION"):
            system = system_of(text)
            text = f"{system}: {text}" if system else text
        key, words = _key(text), len(text.split())
        if key in seen or used[name] + words > budgets[SECTIONS.index(name)] + config.slack:
            continue
        seen.add(key)
        used[name] += words
        unit_section[i] = name
        chosen[name].append((i, NoteItem(text=text, evidence=units[i].turns, entities=note_entities(text))))
    return unit_section


def _add_templates(
    chosen: dict[str, list[tuple[int, NoteItem]]],
    units: list[Unit],
    model: NoteModel,
    near: np.ndarray,
    pronoun: str,
    config: BuilderConfig,
    seen: set[str],
) -> None:
    """Sentences that most neighbour notes share, where a unit of the transcript says the same (its evidence)."""
    votes = model.bank_membership[near].mean(axis=0)
    candidates = np.nonzero(votes >= config.template_vote)[0]
    if not len(candidates) or not len(units):
        return
    bags = model.featurizer.bag([fill(model.bank[b]["text"], pronoun) for b in candidates])
    similarity = bags @ model.featurizer.bag([u.text for u in units]).T  # (candidates, units)
    for row, b in enumerate(candidates):
        best = int(np.argmax(similarity[row]))
        if similarity[row, best] < config.template_support:
            continue
        entry = model.bank[b]
        text = sentence_case(fill(entry["text"], pronoun))
        key = re.sub(r"\W+", " ", text.lower()).strip()
        if key in seen:
            continue
        seen.add(key)
        chosen[entry["section"]].append((best, NoteItem(text=text, evidence=units[best].turns,
                                                          entities=note_entities(text))))  # fmt: skip


def _add_findings(
    chosen: dict[str, list[tuple[int, NoteItem]]],
    turns: list[Turn],
    pronoun: str,
    model: NoteModel,
    near: np.ndarray,
    config: BuilderConfig,
    cc: NoteItem | None,
) -> None:
    """Review of systems, past history, medications and results written from the entities the history names,
    where the neighbours' notes have the section and the extractive one holds fewer than `findings_thin` words."""
    end = history_end(turns)
    share = (model.words[near] > 0).mean(axis=0)
    exclude = {e["text"].lower() for e in cc.entities} if cc else set()
    writers = {
        "REVIEW_OF_SYSTEMS": lambda: review_of_systems(turns, end, cc),
        "PAST_MEDICAL_HISTORY": lambda: past_history(turns, end, exclude),
        "MEDICATIONS": lambda: medications(turns, end),
        "ALLERGIES": lambda: allergies(turns) if config.allergies else [],
        "RESULTS": lambda: results(turns, pronoun),
    }
    for name, write in writers.items():
        if share[SECTIONS.index(name)] < config.section_vote:
            continue
        if sum(len(item.text.split()) for _, item in chosen[name]) >= config.findings_thin:
            continue
        items = write()
        if items:
            chosen[name] = [(item.evidence[0], item.model_copy(update={"entities": note_entities(item.text)}))
                            for item in items]  # fmt: skip


def note_problems(sections: list[NoteSection]) -> list[dict]:
    """Conditions affirmed in the history and the assessment, with their ICD-10-CM codes, once each."""
    found: dict[str, dict] = {}
    for section in sections:
        if section.name not in ("CHIEF_COMPLAINT", "HISTORY_OF_PRESENT_ILLNESS", "PAST_MEDICAL_HISTORY",
                                "ASSESSMENT_AND_PLAN"):  # fmt: skip
            continue
        for item in section.items:
            for e in item.entities:
                if e["category"] != "MEDICAL_CONDITION" or "NEGATION" in e["traits"] or not e["icd10cm_concepts"]:
                    continue
                key = e["icd10cm_concepts"][0]["code"]
                entry = found.setdefault(key, {"text": e["normalized"] or e["text"], "icd10cm": key,
                                               "description": e["icd10cm_concepts"][0]["description"],
                                               "evidence": []})  # fmt: skip
                entry["evidence"] = sorted(set(entry["evidence"]) | set(item.evidence))
    return list(found.values())
