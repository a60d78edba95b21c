"""Entity-written sections (notes.findings): review of systems, past history, medications, results, each item
citing the turns that say it. Real entity extractor (asr.medical), no model files needed."""

from __future__ import annotations

import pytest

from notes.findings import allergies, history_end, is_question, medications, past_history, results, review_of_systems
from notes.schemas import Turn
from notes.transcript import parse_transcript

VISIT = [
    ("clinician", "hi mrs smith what brings you in today"),
    ("patient", "i have had a dry cough for three days"),
    ("clinician", "okay and have you had any fever or chills"),
    ("patient", "no"),
    ("clinician", "do you have a history of high blood pressure or diabetes"),
    ("patient", "yes i have high blood pressure and i take lisinopril twenty milligrams once a day"),
    ("clinician", "are you taking the metformin one thousand milligrams twice a day"),
    ("patient", "yes"),
    ("clinician", "okay let me do a quick physical exam your lungs are clear"),
    ("clinician", "i reviewed the chest x-ray which showed no pneumonia so we will treat this as bronchitis"),
    ("clinician", "we will get an x-ray of your knee next time"),
]
TURNS = [Turn(speaker=s, text=t) for s, t in VISIT]  # type: ignore[arg-type]


def test_questions_are_known_without_their_question_mark() -> None:
    assert is_question("okay and have you had any fever or chills")
    assert is_question("any chest pain?")
    assert not is_question("i reviewed the chest x-ray")


def test_history_ends_where_the_examination_starts() -> None:
    assert history_end(TURNS) == 8


def test_review_of_systems_reports_and_denies_by_body_system_with_evidence() -> None:
    items = review_of_systems(TURNS, history_end(TURNS))
    lines = {i.text: i.evidence for i in items}
    assert lines == {"Respiratory: Reports dry cough.": [1], "Constitutional: Denies fever or chills.": [2, 3]}


def test_past_history_takes_what_the_patient_affirms_not_what_was_only_asked() -> None:
    [item] = past_history(TURNS, history_end(TURNS), exclude=set())
    assert item.text == "Patient reports history of high blood pressure." and item.evidence == [5]


def test_medications_in_clinical_form_with_dose_and_frequency() -> None:
    [item] = medications(TURNS, history_end(TURNS))
    assert item.text == "Patient reports taking lisinopril 20 mg once a day and metformin 1000 mg twice a day."
    assert item.evidence == [5, 6]


def test_results_are_readings_not_plans() -> None:
    items = results(TURNS, "she")
    assert [(i.text, i.evidence) for i in items] == [("I reviewed the chest x-ray which showed no pneumonia.", [9])]


def test_a_relatives_condition_is_not_the_patients_history() -> None:
    turns = [
        Turn(speaker="clinician", text="i know that you have a history of breast cancer in your family"),
        Turn(speaker="patient", text="yes my mother had it and i have asthma"),
    ]
    assert past_history(turns, 2, exclude=set()) == []


@pytest.mark.parametrize(
    ("lines", "expected", "evidence"),
    [
        (["[doctor] any allergies to medications ?", "[patient] i'm allergic to penicillin , it gives me a rash ."],
         "Penicillin (rash).", [1]),
        (["[doctor] i have that you're allergic to amoxicillin , is that right ?", "[patient] yes ."],
         "Amoxicillin.", [0, 1]),
        (["[doctor] any allergies ?", "[patient] yes , i'm allergic to augmentin , i get hives ."],
         "Augmentin (hives).", [1]),  # a brand name the drug list lacked
        (["[doctor] are you allergic to any medications ?", "[patient] no ."], "No known drug allergies.", [0, 1]),
        (["[doctor] okay .", "[patient] i do n't have any allergies ."], "No known allergies.", [1]),
        (["[doctor] any issues with allergies in the past ?", "[patient] no ."], "No known allergies.", [0, 1]),
        (["[doctor] how is your breathing ?", "[patient] fine , just my seasonal allergies to pollen ."], None, []),
        (["[doctor] any fever ?", "[patient] no ."], None, []),
        # a condition named "allergic" and a drug taken for allergies are no drug allergy
        (["[doctor] you have allergic asthma so continue the albuterol inhaler ."], None, []),
        (["[doctor] about the allergies , you use the zyrtec in the spring ?", "[patient] yeah ."], None, []),
    ],
)
def test_allergies(lines: list[str], expected: str | None, evidence: list[int]) -> None:
    items = allergies(parse_transcript("\n".join(lines)))
    assert [i.text for i in items] == ([expected] if expected else [])
    assert [i.evidence for i in items] == ([evidence] if expected else [])


@pytest.mark.parametrize(
    ("said", "taken", "not_taken"),
    [
        ("i take metformin 500 mg twice a day . i'm allergic to sulfa and penicillin .", "metformin", "penicillin"),
        ("no allergies , and i take lisinopril 10 mg daily .", "lisinopril", None),  # same sentence, taken
        ("i'm allergic to penicillin but i take aspirin .", "aspirin", "penicillin"),
        ("i have allergic asthma so i use albuterol .", "albuterol", None),
    ],
)
def test_a_drug_named_as_an_allergy_is_no_medication(said: str, taken: str, not_taken: str | None) -> None:
    turns = parse_transcript(f"[doctor] any medications or allergies ?\n[patient] {said}")
    (item,) = medications(turns, len(turns))
    assert taken in item.text and (not_taken is None or not_taken not in item.text.lower())
