"""Visit notes from audio: medical transcription (speakers clinician/patient, or a dictation), then the note builder.
Synchronous for short recordings, a job (`notes.from_audio`) for long ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asr
import notes
from api.jobs import JobContext
from asr.medical import MedicalOptions, MedicalTranscript, transcribe_medical
from workers import ModelPool, Priority


def transcript_turns(transcript: MedicalTranscript, source: notes.Source) -> list[notes.Turn]:
    """A dictation's formatted text as sentences, or a conversation's segments as clinician/patient turns."""
    return notes.dictation_turns(transcript.text) if source == "dictation" else notes.turns_from_segments(
        transcript.segments
    )


def note_for_transcript(transcript: MedicalTranscript, *, pool: ModelPool, priority: int) -> dict[str, Any]:
    """The note a medical transcription offers (its `note=true`): `{"note": ...}`, or `{"note": None,
    "note_error": ...}` when no note can come from it, so the transcription itself is never lost."""
    source: notes.Source = "dictation" if transcript.type == "dictation" else "consultation"
    try:
        note = notes.make_note(transcript_turns(transcript, source), notes.NoteOptions(source=source), pool=pool,
                               priority=priority)  # fmt: skip
    except notes.NoteError as exc:
        return {"note": None, "note_error": {"code": exc.code, "message": exc.message}}
    return {"note": note.model_dump()}


def note_from_audio(
    audio: asr.Audio, medical: MedicalOptions, options: notes.NoteOptions, *, pool: ModelPool, priority: int,
    settings: asr.AsrSettings, progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The note (as `POST /v1/medical/notes` answers for text) plus what the transcription was."""
    medical = medical.model_copy(update={"type": "dictation" if options.source == "dictation" else "conversation"})
    transcript = transcribe_medical(
        audio, medical, pool=pool, priority=priority, settings=settings, allow_passthrough=False, progress=progress
    )
    note = notes.make_note(transcript_turns(transcript, options.source), options, pool=pool, priority=priority)
    body = note.model_dump()
    body["transcription"] = {
        "model": transcript.model, "duration": transcript.duration, "language": transcript.language,
        "speaker_method": transcript.speaker_method,
    }  # fmt: skip
    return body


def run_note_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Batch priority; progress through transcription (to 95%), then the note."""
    settings: asr.AsrSettings = ctx.settings.asr
    ctx.set_progress(0.0, "decoding audio")
    audio = asr.decode(ctx.input_path("audio"), max_seconds=settings.job_max_seconds)
    ctx.set_progress(1.0, f"transcribing {audio.duration:.0f} s of audio")
    body = note_from_audio(
        audio, MedicalOptions(**params["medical"]), notes.NoteOptions(**params["options"]), pool=ctx.pool,
        priority=Priority.BATCH, settings=settings,
        progress=lambda fraction: ctx.set_progress(1.0 + 94.0 * fraction, "transcribing"),
    )  # fmt: skip
    ctx.set_progress(99.0, "note written")
    return body
