"""Audio uploads as the routes that transcribe them share: asr errors as 4xx JSON, the transcription options checked
before any decoding, and decoding that refuses over-long audio before it starts (asr and notes routers)."""

from __future__ import annotations

import asyncio

import asr
from api.errors import ApiError
from asr.engines.faster_whisper import check_language

_STATUS = {"audio_too_long": 413, "model_not_installed": 503}


def asr_api_error(exc: asr.AsrError) -> ApiError:
    return ApiError(_STATUS.get(exc.code, 400), exc.message, code=exc.code, param=exc.param)


async def decode_audio(data: bytes, max_seconds: float, hint: str) -> asr.Audio:
    """Probe first (no decoding) so hours of audio are refused at once, then decode off the loop."""
    try:
        info = await asyncio.to_thread(asr.probe, data)
        if info.duration is not None and info.duration > max_seconds:
            raise asr.AudioTooLongError(f"the audio lasts {info.duration:.0f} s; at most {max_seconds:.0f} s {hint}")
        return await asyncio.to_thread(asr.decode, data, max_seconds=max_seconds)
    except asr.AsrError as exc:
        raise asr_api_error(exc) from exc


def check_transcription(options: asr.TranscribeOptions, settings: asr.AsrSettings) -> None:
    """Validate model and language before any decoding, so a bad name is a cheap 400."""
    try:
        model = asr.resolve_model(options.model, settings, allow_passthrough=False)
        check_language(options.language, model.multilingual)
    except asr.AsrError as exc:
        raise asr_api_error(exc) from exc
