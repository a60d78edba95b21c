"""The note builder's text rules, without models: transcript parsing and refusal, rewriting, sections."""

from __future__ import annotations

import pytest

from notes import NoteError, Turn, check_turns, parse_transcript
from notes.rewrite import answered_question, clean, clinician_to_note, detect_pronoun, third_person
from notes.sections import canonical, split_note
from notes.systems import reason_for_visit, system_of


def test_parse_tagged_lines_and_continuations() -> None:
    turns = parse_transcript("[doctor] hi . what brings you in ?\n[patient] my knee hurts\nsince monday .\n"
                             "[patient_guest] he fell .\nDoctor: okay .")  # fmt: skip
    assert [t.speaker for t in turns] == ["clinician", "patient", "patient", "clinician"]
    assert turns[1].text == "my knee hurts since monday ."


@pytest.mark.parametrize(
    ("text", "code"),
    [("[robot] hi\n[patient] hi", "unknown_speaker"), ("hello there", "no_speaker")],
)
def test_parse_refuses_lines_without_a_speaker(text: str, code: str) -> None:
    with pytest.raises(NoteError) as err:
        parse_transcript(text)
    assert err.value.code == code


def test_check_turns_refuses_empty_one_speaker_and_too_long() -> None:
    with pytest.raises(NoteError) as err:
        check_turns([Turn(speaker="patient", text="  ")])
    assert err.value.code == "empty_transcript"
    with pytest.raises(NoteError) as err:
        check_turns([Turn(speaker="clinician", text="note for the file"), Turn(speaker="clinician", text="plan")])
    assert err.value.code == "one_speaker" and "clinician" in err.value.message
    three_hours = [Turn(speaker="clinician" if i % 2 else "patient", text="word " * 20) for i in range(1800)]
    with pytest.raises(NoteError) as err:
        check_turns(three_hours)
    assert err.value.code == "transcript_too_long"


def test_patient_words_in_the_third_person() -> None:
    assert third_person("i've been having pain in my left knee", "she") == "she has been having pain in her left knee"
    assert third_person("i also have some shortness of breath", "he") == "he also has some shortness of breath"
    assert third_person("i take it every day", "they") == "the patient takes it every day"


def test_clinician_words_about_the_patient() -> None:
    text = clinician_to_note("we're going to start you on lisinopril and i want you to check your pressure", "he")
    assert text == "we will start him on lisinopril and he should check his pressure"


def test_yes_no_answers_become_findings_with_negation() -> None:
    assert (
        answered_question("any chest pain or shortness of breath ?", "no .")
        == "Denies chest pain or shortness of breath."
    )
    assert answered_question("and do you have any fevers ?", "yeah , a little .") == "Reports fevers."
    assert answered_question("how are you ?", "no .") is None  # not a symptom question
    assert (
        answered_question("any fever ?", "no , but my cough is worse and i have been coughing all night long") is None
    )


def test_clean_drops_fillers_and_formats_doses() -> None:
    assert clean("um , so i , i take lisinopril twenty milligrams a day .") == "I take lisinopril 20 mg a day."
    assert (
        clean("dragon , order a refill of prozac , 20 milligrams daily .") == "Order a refill of prozac, 20 mg daily."
    )
    assert clean("dragon , show me the chest x-ray .") == ""


def test_pronoun_from_how_the_patient_is_introduced() -> None:
    assert detect_pronoun(["ralph is a 62-year-old male", "we dropped her off at college"]) == "he"
    assert detect_pronoun(["hi mrs. smith", "how are you"]) == "she"
    assert detect_pronoun(["hello", "how are you"]) == "they"


def test_sections_and_systems() -> None:
    assert canonical("CURRENT MEDICATIONS:") == "MEDICATIONS"
    assert canonical("PHYSICAL EXAM") == "PHYSICAL_EXAMINATION"
    assert canonical("Musculoskeletal") is None
    parts = split_note("CHIEF COMPLAINT\n\nKnee pain.\n\nPLAN\n\nIce.\nASSESSMENT\n\nSprain.")
    assert parts == {"CHIEF_COMPLAINT": "Knee pain.", "ASSESSMENT_AND_PLAN": "Ice.\nSprain."}
    assert system_of("Denies chest pain.") == "Cardiovascular"
    assert system_of("Lungs are clear.") == "Respiratory"
    assert reason_for_visit("martha is a 50-year-old female who presents for her annual exam .") == "annual exam"
