"""POST /v1/medical/notes through the gateway: a real note (MiniLM on the pool, the committed model, asr's entities),
evidence that points at the turns that said it, templates, and clear answers to bad transcripts."""
# ruff: noqa: E501  (a consultation reads better one turn a line)

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

CONSULTATION = """[doctor] hi mr. jones , i'm doctor lee . so you are a 58-year-old male here for a cough , is that right ?
[patient] yes . i've had a productive cough for about three days now .
[doctor] okay . any fever or chills ?
[patient] no .
[doctor] any chest pain or shortness of breath ?
[patient] no , not really .
[doctor] are you taking any medications ?
[patient] i take lisinopril 10 milligrams once a day for my high blood pressure .
[doctor] any allergies to medications ?
[patient] i'm allergic to penicillin , it gives me a rash .
[doctor] do you smoke ?
[patient] i smoked for twenty years but i quit five years ago .
[doctor] okay . on exam , your lungs are clear to auscultation bilaterally and your heart has a regular rate and rhythm .
[doctor] your chest x-ray today showed no pneumonia .
[doctor] so for your acute bronchitis , i want you to rest , drink fluids and take an over the counter cough suppressant . if it is not better in a week , call the office .
[patient] okay , sounds good .
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from api.app import create_app
    from api.settings import Settings

    tmp: Path = tmp_path_factory.mktemp("notes")
    # job_workers=0: audio jobs are accepted and queued, not run here (whisper on 2 cores takes minutes)
    settings = Settings(database_url=f"sqlite:///{tmp / 'db.sqlite'}", artifact_dir=tmp / "artifacts", api_keys=[],
                        modules=["asr", "nlp", "notes"], job_workers=0)  # fmt: skip
    with TestClient(create_app(settings)) as client:
        yield client


def test_note_from_text_has_sections_evidence_and_codes(api: TestClient) -> None:
    r = api.post("/v1/medical/notes", json={"transcript": CONSULTATION})
    assert r.status_code == 200, r.text
    note = r.json()
    names = [s["name"] for s in note["sections"]]
    assert names[0] == "CHIEF_COMPLAINT" and "ASSESSMENT_AND_PLAN" in names
    assert names == sorted(names, key=["CHIEF_COMPLAINT", "HISTORY_OF_PRESENT_ILLNESS", "REVIEW_OF_SYSTEMS",
        "PAST_MEDICAL_HISTORY", "MEDICATIONS", "ALLERGIES", "FAMILY_HISTORY", "SOCIAL_HISTORY",
        "PHYSICAL_EXAMINATION", "RESULTS", "ASSESSMENT_AND_PLAN"].index)  # fmt: skip
    turns = note["turns"]
    assert len(turns) == 16 and all(t["section"] and t["group"] for t in turns)
    items = [item for s in note["sections"] for item in s["items"]]
    assert items and all(item["evidence"] and all(0 <= i < 16 for i in item["evidence"]) for item in items)
    cc = note["sections"][0]["items"][0]
    assert "cough" in cc["text"].lower() and cc["evidence"] == [0]
    text = note["text"]
    assert "CHIEF COMPLAINT" in text and "ASSESSMENT AND PLAN" in text
    # The denial comes from the question and its answer, and names both turns.
    denial = next(i for i in items if i["text"].startswith("Denies fever"))
    assert denial["evidence"] == [2, 3]
    # Doses in clinical form; third person; the patient's words rewritten.
    assert "10 mg" in text and " i take" not in text.lower()
    assert any(p["icd10cm"].startswith("J20") or p["icd10cm"].startswith("J40") for p in note["problems"]) or any(
        e["icd10cm_concepts"] for i in items for e in i["entities"]
    )


def test_turns_input_and_soap_template(api: TestClient) -> None:
    turns = [{"speaker": "clinician" if line.startswith("[doctor]") else "patient", "text": line.split("] ", 1)[1]}
             for line in CONSULTATION.strip().splitlines()]  # fmt: skip
    r = api.post("/v1/medical/notes", json={"turns": turns, "template": "soap", "specialty": "follow_up"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["template"] == "soap" and body["text"].startswith("SUBJECTIVE")
    assert "OBJECTIVE" in body["text"]
    assert {s["name"] for s in body["sections"]} <= {
        "CHIEF_COMPLAINT",
        "HISTORY_OF_PRESENT_ILLNESS",
        "MEDICATIONS",
        "PHYSICAL_EXAMINATION",
        "RESULTS",
        "ASSESSMENT_AND_PLAN",
    }


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"transcript": ""}, 400, "empty_transcript"),
        ({"turns": []}, 400, "empty_transcript"),
        ({"transcript": "[doctor] patient seen today.\n[doctor] plan as discussed."}, 422, "one_speaker"),
        ({"transcript": "[doctor] hi .\n[patient] hello .\n" * 1100}, 413, "transcript_too_long"),
        (
            {"transcript": "[doctor] hi .\n[patient] hello .\n[doctor] nice weather .\n[patient] yes ."},
            422,
            "no_clinical_content",
        ),
        (
            {
                "transcript": "[doctor] hola , ¿qué le trae por aquí hoy ?\n[patient] tengo tos desde hace tres días y me "
                "duele mucho el pecho cuando respiro ."
            },
            422,
            "unsupported_language",
        ),
        ({"transcript": CONSULTATION, "turns": []}, 400, "validation_error"),
        ({"transcript": CONSULTATION, "specialty": "astrology"}, 400, "unknown_specialty"),
        ({"transcript": CONSULTATION, "sections": ["VIBES"]}, 400, "unknown_section"),
        ({"transcript": "hello doctor"}, 400, "no_speaker"),
    ],
)
def test_bad_transcripts_get_clear_answers(api: TestClient, body: dict, status: int, code: str) -> None:
    r = api.post("/v1/medical/notes", json=body)
    assert r.status_code == status, r.text[:300]
    error = r.json()["error"]
    assert error["code"] == code and error["message"]


def _silence_wav(seconds: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(b"\x80" * (8000 * seconds))
    return buffer.getvalue()


def test_audio_long_becomes_a_job_and_bad_audio_is_refused(api: TestClient) -> None:
    r = api.post("/v1/medical/notes", files={"file": ("visit.wav", _silence_wav(150), "audio/wav")},
                 data={"template": "soap"})  # fmt: skip
    assert r.status_code == 202, r.text
    job = api.get(r.json()["url"]).json()
    assert job["kind"] == "notes.from_audio" and job["status"] == "queued"
    r = api.post("/v1/medical/notes", files={"file": ("visit.wav", b"", "audio/wav")})
    assert r.status_code == 400 and r.json()["error"]["param"] == "file"
    r = api.post("/v1/medical/notes", files={"file": ("visit.wav", _silence_wav(1), "audio/wav")},
                 data={"template": "novel"})  # fmt: skip
    assert r.status_code == 400 and "template" in r.json()["error"]["message"]
    r = api.post("/v1/medical/notes", files={"other": ("x.txt", b"hi", "text/plain")})
    assert r.status_code == 400 and r.json()["error"]["param"] == "file"


def test_note_page_is_served(api: TestClient) -> None:
    r = api.get("/notes")
    assert r.status_code == 200 and "evidence" in r.text and '<script src="/notes/static/notes.js">' in r.text
    script = api.get("/notes/static/notes.js")  # no inline script: the page's code is a file (CSP script-src 'self')
    assert script.status_code == 200 and "/v1/medical/notes" in script.text


def test_not_json_is_a_400(api: TestClient) -> None:
    r = api.post("/v1/medical/notes", content=b"not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_body"


def test_a_dictated_note_from_text(api: TestClient) -> None:
    from tests.notes.test_dictated import DICTATION

    r = api.post("/v1/medical/notes", json={"transcript": DICTATION, "source": "dictation"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [s["name"] for s in body["sections"]][:2] == ["CHIEF_COMPLAINT", "HISTORY_OF_PRESENT_ILLNESS"]
    assert all(t["speaker"] == "clinician" for t in body["turns"])
    allergies = next(s for s in body["sections"] if s["name"] == "ALLERGIES")
    assert "penicillin" in allergies["items"][0]["text"].lower()
    r = api.post("/v1/medical/notes", json={"transcript": DICTATION})  # untagged text sent as a consultation
    assert r.status_code == 400 and "source=dictation" in r.json()["error"]["message"]
    r = api.post("/v1/medical/notes", json={"transcript": DICTATION, "source": "memo"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "validation_error"


SPOKEN_DICTATION = ("Reason for visit colon sore throat for two days period new paragraph "
                    "Medications colon aspirin daily period new paragraph "
                    "Assessment and plan colon rapid strep test and salt water gargles period")  # fmt: skip


@cache
def _spoken_dictation() -> bytes:
    tts = pytest.importorskip("tts")
    try:
        return tts.synthesize(SPOKEN_DICTATION, "flite-slt", "wav").data  # deterministic, unlike piper's noise
    except tts.TtsError as exc:
        pytest.skip(f"no flite voice to speak the dictation: {exc}")


def _check_spoken_note(note: dict) -> None:
    # Words, not exact sentences: CPU numerics differ between machines ("strep" comes out as "strip" here).
    sections = {s["name"]: " ".join(i["text"] for i in s["items"]).lower() for s in note["sections"]}
    assert "throat" in sections.get("CHIEF_COMPLAINT", ""), note["text"]
    assert "aspirin" in sections.get("MEDICATIONS", ""), note["text"]
    assert "gargle" in sections.get("ASSESSMENT_AND_PLAN", ""), note["text"]
    assert all(t["speaker"] == "clinician" for t in note["turns"])


def test_a_spoken_dictation_becomes_a_note(api: TestClient) -> None:
    """Real engines end to end: the dictation spoken by flite, transcribed (base) with dictation formatting
    ("colon" -> ":", "new paragraph"), then put into sections by its spoken headers."""
    r = api.post("/v1/medical/notes", files={"file": ("dictation.wav", _spoken_dictation(), "audio/wav")},
                 data={"source": "dictation", "mode": "sync"})  # fmt: skip
    assert r.status_code == 200, r.text[:500]
    _check_spoken_note(r.json())
    assert r.json()["transcription"]["duration"] > 5


def test_the_medical_transcription_offers_the_note(api: TestClient) -> None:
    r = api.post("/v1/medical/transcriptions", files={"file": ("dictation.wav", _spoken_dictation(), "audio/wav")},
                 data={"type": "dictation", "mode": "sync", "note": "true"})  # fmt: skip
    assert r.status_code == 200, r.text[:500]
    body = r.json()
    assert "aspirin" in body["text"].lower() and body["entities"]
    _check_spoken_note(body["note"])
    # A conversation that holds no consultation gets the transcript and the reason there is no note.
    r = api.post("/v1/medical/transcriptions", files={"file": ("dictation.wav", _spoken_dictation(), "audio/wav")},
                 data={"type": "conversation", "mode": "sync", "note": "true"})  # fmt: skip
    assert r.status_code == 200, r.text[:500]
    body = r.json()
    assert body["text"] and (body["note"] is not None or body["note_error"]["code"]), body
    # Long audio: the job carries the request for a note.
    r = api.post("/v1/medical/transcriptions", files={"file": ("long.wav", _silence_wav(150), "audio/wav")},
                 data={"note": "true"})  # fmt: skip
    assert r.status_code == 202, r.text
    assert api.get(r.json()["url"]).json()["kind"] == "asr.medical_transcription"


def test_a_long_dictation_is_a_job_that_keeps_its_source(api: TestClient) -> None:
    r = api.post("/v1/medical/notes", files={"file": ("memo.wav", _silence_wav(150), "audio/wav")},
                 data={"source": "dictation"})  # fmt: skip
    assert r.status_code == 202, r.text
    job = api.get(r.json()["url"]).json()
    assert job["kind"] == "notes.from_audio" and job["status"] == "queued"
    r = api.post("/v1/medical/notes", files={"file": ("memo.wav", _silence_wav(1), "audio/wav")},
                 data={"source": "memo"})  # fmt: skip
    assert r.status_code == 400 and "source" in r.json()["error"]["message"]
