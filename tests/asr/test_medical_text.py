"""The medical text layer without audio: formatting, numbers, entities, PHI, biasing."""

from __future__ import annotations

import pytest

from asr.medical import detect_entities, find_phi, format_dictation, redact, select_hotwords
from asr.medical.numbers import to_digits


@pytest.mark.parametrize(
    ("spoken", "digits"),
    [
        ("five", "5"),
        ("one twenty", "120"),
        ("one hundred and twenty five", "125"),
        ("two point five", "2.5"),
        ("ninety eight point six", "98.6"),
        ("one oh five", "105"),
        ("twenty-five", "25"),
        ("two thousand five hundred", "2500"),
        ("hello", None),
    ],
)
def test_spoken_numbers(spoken: str, digits: str | None) -> None:
    assert to_digits(spoken) == digits


@pytest.mark.parametrize(
    ("dictated", "written"),
    [
        ("five milligrams twice a day", "5 mg twice a day"),
        ("blood pressure one twenty over eighty", "BP 120/80"),
        ("Blood pressure is 130 over 85.", "BP 130/85."),
        (
            "heart rate seventy two comma respiratory rate sixteen comma oxygen saturation ninety seven percent period",
            "HR 72, RR 16, SpO2 97%.",
        ),
        ("temperature thirty eight point two degrees celsius", "T 38.2 °C"),
        (
            "start lisinopril ten milligrams daily period new paragraph plan colon recheck in two weeks period",
            "Start lisinopril 10 mg daily.\n\nPlan: recheck in two weeks.",
        ),
        (
            "Cough for two weeks, comma, no fever. Period. New line. Lungs clear.",
            "Cough for two weeks, no fever.\nLungs clear.",
        ),
        ("she had a period of two weeks of cough", "She had a period of two weeks of cough"),
        ("two puffs of salbutamol question mark", "2 puffs of salbutamol?"),
    ],
)
def test_dictation_formatting(dictated: str, written: str) -> None:
    assert format_dictation(dictated) == written


def test_conversation_formatting_keeps_spoken_words() -> None:
    assert format_dictation("I take five milligrams and a comma is fine", spoken_punctuation=False) == (
        "I take 5 mg and a comma is fine"
    )


TEXT = (
    "My name is John Smith and I'm 45 years old. Dr. Patel prescribed lisinopril 10 mg by mouth once a day for "
    "high blood pressure. No fever, denies chest pain, but has a cough. We will get a chest x-ray and listen to "
    "your lungs. Take two puffs of Ventolin as needed. Call me at 416-555-1234 on March 3rd."
)


def by_text(entities):
    return {e.text: e for e in entities}


def test_common_brand_names_the_drug_list_lacked_are_medications() -> None:
    found = by_text(detect_entities("She is allergic to Augmentin and took Keflex, then Percocet for the pain."))
    assert {name: (found[name].category, found[name].type) for name in ("Augmentin", "Keflex", "Percocet")} == {
        name: ("MEDICATION", "BRAND_NAME") for name in ("Augmentin", "Keflex", "Percocet")
    }
    assert found["Keflex"].normalized == "cephalexin"


def test_entities_categories_codes_attributes_and_offsets() -> None:
    entities = detect_entities(TEXT)
    for entity in entities:
        assert TEXT[entity.begin_offset : entity.end_offset] == entity.text
        assert 0 < entity.score <= 1
    found = by_text(entities)
    lisinopril = found["lisinopril"]
    assert lisinopril.category == "MEDICATION"
    assert {(a.type, a.text) for a in lisinopril.attributes} == {
        ("DOSAGE", "10 mg"),
        ("ROUTE_OR_MODE", "by mouth"),
        ("FREQUENCY", "once a day"),
    }
    assert found["Ventolin"].normalized == "albuterol" and found["Ventolin"].type == "BRAND_NAME"
    assert found["high blood pressure"].icd10cm_concepts[0].code == "I10"
    assert "NEGATION" in found["fever"].traits and "NEGATION" in found["chest pain"].traits
    assert "NEGATION" not in found["cough"].traits
    assert found["chest x-ray"].category == "TEST_TREATMENT_PROCEDURE"
    assert found["lungs"].category == "ANATOMY"
    assert "mouth" not in found  # part of the route, not anatomy


def test_spoken_variants_are_reported_as_their_condition() -> None:
    text = "I've had a running nose all week and I get out of breath on the stairs."
    found = by_text(detect_entities(text))
    nose, breath = found["running nose"], found["out of breath"]
    assert (nose.category, nose.normalized) == ("MEDICAL_CONDITION", "runny nose")
    assert breath.normalized == "short of breath" and breath.icd10cm_concepts[0].code == "R06.02"
    assert text[nose.begin_offset : nose.end_offset] == "running nose"


def test_phi_types_and_redaction_keep_other_offsets_right() -> None:
    phi = {(e.type, e.text) for e in find_phi(TEXT)}
    assert {
        ("NAME", "John Smith"),
        ("AGE", "45"),
        ("NAME", "Patel"),
        ("PHONE_OR_FAX", "416-555-1234"),
        ("DATE", "March 3rd"),
    } <= phi
    text, entities = redact(TEXT, detect_entities(TEXT))
    assert "John" not in text and "416" not in text and "Patel" not in text
    assert "[NAME]" in text and "[PHONE_OR_FAX]" in text
    for entity in entities:
        assert text[entity.begin_offset : entity.end_offset] == entity.text


def test_no_false_names_from_everyday_phrases() -> None:
    assert find_phi("I'm Just tired and I am Feeling worse. This is The worst cough.") == []


def test_hotwords_put_the_callers_terms_first_within_budget() -> None:
    hotwords = select_hotwords(["Symbicort", "montelukast", "symbicort"], "respiratory")
    terms = hotwords.split(", ")
    assert terms[:2] == ["Symbicort", "montelukast"] and len(terms) == len({t.lower() for t in terms})
    assert len(terms) <= 2 + 6
    assert select_hotwords([], None) is None
    assert len(select_hotwords([f"term{i}" for i in range(100)]).split(", ")) == 40
