"""Medical transcription end to end with audio: speakers by channel, mono best effort, redaction."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import asr
from asr.medical import MedicalOptions, transcribe_medical
from asr.medical.conversation import distinct_channels, label_mono
from tests.asr.conftest import TEST_MODEL, word_error_rate
from workers import EmbeddedPool


def test_stereo_conversation_is_labelled_by_channel(
    speech_dir: Path, clips: dict[str, str], asr_pool: EmbeddedPool
) -> None:
    audio = asr.decode(speech_dir / "general" / "stereo_diarization.wav")
    assert distinct_channels(audio.channels)
    result = transcribe_medical(audio, MedicalOptions(type="conversation", model=TEST_MODEL), pool=asr_pool)
    assert result.speaker_method == "channel" and result.speakers == ["clinician", "patient"]
    by_speaker = {s: " ".join(x.text for x in result.segments if x.speaker == s) for s in result.speakers}
    assert word_error_rate(clips["stereo_left.wav"], by_speaker["clinician"]) < 0.3
    assert word_error_rate(clips["stereo_right.wav"], by_speaker["patient"]) < 0.3
    assert {s.channel for s in result.segments} == {0, 1}
    assert result.text.startswith(("clinician: ", "patient: "))


def test_dual_mono_is_not_split_into_speakers(jfk_bytes: bytes, asr_pool: EmbeddedPool) -> None:
    audio = asr.decode(jfk_bytes)
    assert audio.channels is not None and not distinct_channels(audio.channels)
    result = transcribe_medical(audio, MedicalOptions(type="conversation", model=TEST_MODEL), pool=asr_pool)
    assert result.speaker_method == "heuristic"


def test_mono_heuristic_labels_questions_and_answers() -> None:
    def seg(i: int, text: str) -> asr.Segment:
        return asr.Segment(id=i, start=i, end=i + 1, text=text, confidence=0.9)

    labelled = label_mono(
        [
            seg(0, "What brings you in today?"),
            seg(1, "I've had a cough for a week."),
            seg(2, "Do you have any fever?"),
            seg(3, "No."),
            seg(4, "OK, I'll prescribe an inhaler."),
        ]
    )
    assert [s.speaker for s in labelled] == ["clinician", "patient", "clinician", "patient", "clinician"]


def test_dictation_with_phi_redacted(jfk_bytes: bytes, asr_pool: EmbeddedPool) -> None:
    # JFK's speech holds no PHI: redaction must leave its words alone and the offsets consistent.
    options = MedicalOptions(model=TEST_MODEL, vocabulary=["Americans"], redact_phi=True)
    result = transcribe_medical(jfk_bytes, options, pool=asr_pool)
    assert result.hotwords == "Americans" and result.redacted
    assert "fellow Americans" in result.text
    assert result.words and all(w.start <= w.end for w in result.words)
    for entity in result.entities:
        assert result.text[entity.begin_offset : entity.end_offset] == entity.text


def test_medical_recording_excerpt_has_conditions(speech_dir: Path, asr_pool: EmbeddedPool) -> None:
    audio = asr.decode(speech_dir / "medical" / "RES0198.mp3")
    excerpt = asr.Audio.from_array(audio.samples[: 16000 * 30])
    result = transcribe_medical(excerpt, MedicalOptions(type="conversation", model=TEST_MODEL), pool=asr_pool)
    conditions = {e.normalized for e in result.entities if e.category == "MEDICAL_CONDITION"}
    assert "runny nose" in conditions
    assert all(e.icd10cm_concepts for e in result.entities if e.category == "MEDICAL_CONDITION")
    assert set(result.speakers) <= {"clinician", "patient"} and np.isfinite(result.duration)
