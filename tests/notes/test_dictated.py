"""A dictated note (one clinician, source=dictation): spoken headers open sections, every sentence is kept with its
evidence, the classifier places sentences dictated before any header, and bad dictations get named errors."""

from __future__ import annotations

import pytest

import notes
from notes.dictated import spoken_header

# As the dictation formatter writes it ("colon" -> ":", "new paragraph" -> blank line, doses in clinical form).
DICTATION = """Chief complaint: cough for three days.

History of present illness: The patient is a 58-year-old man with a productive cough for 3 days. He denies fever.

Medications: lisinopril 10 mg daily.

Allergies: penicillin, causes a rash.

Physical exam: lungs clear to auscultation bilaterally. Heart regular rate and rhythm.

Assessment and plan: acute bronchitis. Rest, fluids and an over-the-counter cough suppressant. Return if not better
in 1 week."""


@pytest.mark.parametrize(
    ("sentence", "section", "rest"),
    [
        ("Plan: start amoxicillin.", "ASSESSMENT_AND_PLAN", "start amoxicillin."),
        ("Past medical history hypertension and diabetes.", "PAST_MEDICAL_HISTORY", "hypertension and diabetes."),
        ("Review of systems, negative for chest pain.", "REVIEW_OF_SYSTEMS", "negative for chest pain."),
        ("Allergies.", "ALLERGIES", ""),
        ("Assessment and plain: strep throat.", "ASSESSMENT_AND_PLAN", "strep throat."),  # misheard, before a colon
        ("Tief complaint: sore throat.", "CHIEF_COMPLAINT", "sore throat."),
        ("Teeth can plan: sore throat.", None, "Teeth can plan: sore throat."),  # too far from any header
        ("History of hypertension.", None, "History of hypertension."),  # a finding, not a header
        ("Plan to recheck in 2 weeks.", None, "Plan to recheck in 2 weeks."),
    ],
)
def test_spoken_headers(sentence: str, section: str | None, rest: str) -> None:
    assert spoken_header(sentence) == (section, rest)


def test_every_dictated_sentence_lands_in_its_section_with_evidence() -> None:
    turns = notes.dictation_turns(DICTATION)
    note = notes.make_note(turns, notes.NoteOptions(source="dictation"))
    names = [s.name for s in note.sections]
    assert names == ["CHIEF_COMPLAINT", "HISTORY_OF_PRESENT_ILLNESS", "MEDICATIONS", "ALLERGIES",
                     "PHYSICAL_EXAMINATION", "ASSESSMENT_AND_PLAN"]  # fmt: skip
    by_name = {s.name: s for s in note.sections}
    assert [i.text for i in by_name["ALLERGIES"].items] == ["Penicillin, causes a rash."]
    assert "He denies fever." in [i.text for i in by_name["HISTORY_OF_PRESENT_ILLNESS"].items]
    items = [i for s in note.sections for i in s.items]
    # Nothing dropped: every sentence that carries words is an item, and its evidence is that sentence's turn.
    assert len(items) == len(turns)
    for item in items:
        (index,) = item.evidence
        assert item.text.rstrip(".").split()[-1].lower() in turns[index].text.lower()
    meds = by_name["MEDICATIONS"].items[0]
    assert any(e["category"] == "MEDICATION" and "lisinopril" in e["text"].lower() for e in meds.entities)
    assert any(p["icd10cm"].startswith("J20") for p in note.problems), note.problems  # acute bronchitis
    assert note.text.startswith("CHIEF COMPLAINT\n\nCough for three days.")
    assert "Return if not better in 1 week." in note.text  # the wrapped line continues its sentence
    assert all(t.section != "OTHER" for t in note.turns)


def test_a_dictation_without_headers_is_placed_by_the_classifier() -> None:
    text = ("The patient reports two weeks of low back pain after lifting a box. "
            "On examination there is tenderness over the lumbar paraspinal muscles and straight leg raise is "
            "negative. Impression is a lumbar strain; I recommend ibuprofen and physical therapy.")  # fmt: skip
    note = notes.make_note(notes.dictation_turns(text), notes.NoteOptions(source="dictation"))
    placed = {i.evidence[0]: s.name for s in note.sections for i in s.items}
    assert len(placed) == 3  # all kept
    assert placed[1] == "PHYSICAL_EXAMINATION" and placed[2] == "ASSESSMENT_AND_PLAN", placed


def test_the_soap_template_and_explicit_sections_apply() -> None:
    note = notes.make_note(notes.dictation_turns(DICTATION),
                           notes.NoteOptions(source="dictation", template="soap",
                                             sections=["ASSESSMENT_AND_PLAN", "MEDICATIONS"]))  # fmt: skip
    assert [s.name for s in note.sections] == ["ASSESSMENT_AND_PLAN", "MEDICATIONS"]
    assert note.text.index("SUBJECTIVE") < note.text.index("ASSESSMENT AND PLAN")


@pytest.mark.parametrize(
    ("turns", "code"),
    [
        ([], "empty_transcript"),
        ([notes.Turn(speaker="clinician", text="  ")], "empty_transcript"),
        ([notes.Turn(speaker="clinician", text="Cough."), notes.Turn(speaker="patient", text="Yes.")], "two_speakers"),
        ([notes.Turn(speaker="clinician", text="word " * 26_000)], "transcript_too_long"),
    ],
)
def test_bad_dictations_are_named(turns: list[notes.Turn], code: str) -> None:
    with pytest.raises(notes.NoteError) as caught:
        notes.make_note(turns, notes.NoteOptions(source="dictation"))
    assert caught.value.code == code


def test_a_one_speaker_consultation_points_at_dictation() -> None:
    with pytest.raises(notes.NoteError) as caught:
        notes.make_note(notes.dictation_turns(DICTATION))
    assert caught.value.code == "one_speaker" and "source=dictation" in caught.value.message
