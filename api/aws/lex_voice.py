"""Lex V2 RecognizeUtterance on the voice bots' turn (`api.compose.voicebots.recognize_utterance`: ASR -> Rasa ->
TTS in the bot's voice).

Input (requestContentType): `audio/l16; rate=16000; channels=1`, `audio/x-l16; sample-rate=16000; channel-count=1`
or `audio/lpcm; sample-rate=8000; sample-size-bits=16; channel-count=1; is-big-endian=false` (raw 16-bit PCM, any
rate: resampled to 16 kHz), or any other `audio/*` file FFmpeg reads (wav, mp3, ogg, ...). Output
(responseContentType): `audio/mpeg` (the default), `audio/ogg` (Opus), `audio/pcm` (16-bit little-endian 16 kHz
mono, as Lex gives), or `text/plain; charset=utf-8` (no audio). inputTranscript, messages, interpretations,
sessionState and requestAttributes are headers of gzip-compressed, base64-encoded JSON, as Lex sends them; the
request's sessionState and requestAttributes are read the same way (plain base64 JSON is accepted too).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
import wave
import zlib
from typing import Any

import numpy as np

from api.aws.context import AwsContext
from api.aws.lex import AUDIO_OUTPUTS, bot_service, lex_answer, lex_messages
from api.aws.protocol import AwsError
from api.compose.voicebots import VoiceError, voice_bots
from api.compose.voicebots import recognize_utterance as voice_turn
from bots import BotUnavailable

RATE = 16000  # what ASR takes and what Lex's audio/pcm is
MAX_HEADER_JSON_BYTES = 1 << 20  # a session-state or request-attributes header, inflated
RAW_PCM = ("audio/l16", "audio/x-l16", "audio/lpcm")
OUTPUTS = AUDIO_OUTPUTS
CLIENT_ERRORS = {"unknown_bot": "ResourceNotFoundException", "bots_not_started": "DependencyFailedException"}


def encode_header(value: Any) -> str:
    """gzip, then base64, of the value as JSON: how Lex sends its RecognizeUtterance headers."""
    return base64.b64encode(gzip.compress(json.dumps(value).encode())).decode()


def decode_header(name: str, raw: str) -> Any:
    """A request header the client gzipped and base64-encoded (or only base64-encoded) JSON into."""
    try:
        data = base64.b64decode(raw, validate=True)
        if data[:2] == b"\x1f\x8b":  # a gzip bomb in a header inflates at most to the cap
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            data = inflater.decompress(data, MAX_HEADER_JSON_BYTES)
            if inflater.unconsumed_tail:
                raise AwsError("ValidationException", f"{name} inflates past {MAX_HEADER_JSON_BYTES} bytes")
        return json.loads(data)
    except (binascii.Error, OSError, EOFError, ValueError, RecursionError, zlib.error) as exc:
        raise AwsError("ValidationException", f"{name} must be gzip-compressed, base64-encoded JSON") from exc


def _media_type(header: str) -> tuple[str, dict[str, str]]:
    kind, *params = [part.strip() for part in header.split(";")]
    return kind.lower(), {k.strip().lower(): v.strip() for k, _, v in (p.partition("=") for p in params if p)}


def _resample(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE or len(samples) == 0:
        return samples
    n = int(round(len(samples) * RATE / rate))
    return np.interp(np.arange(n) * rate / RATE, np.arange(len(samples)), samples).astype(np.float32)


def audio_input(content_type: str, data: bytes) -> bytes | np.ndarray:
    """The user's audio for the voice turn: 16 kHz float32 samples for raw PCM, else the file's bytes."""
    kind, params = _media_type(content_type)
    if kind.startswith("text/"):
        raise AwsError("ValidationException", "text input is RecognizeText's; RecognizeUtterance here takes audio/*")
    if not kind.startswith("audio/"):
        raise AwsError("ValidationException", f"requestContentType {content_type!r}: use audio/l16, audio/x-l16, "
                       "audio/lpcm or another audio/* file type")  # fmt: skip
    if not data:
        raise AwsError("ValidationException", "inputStream is empty")
    if kind not in RAW_PCM:
        return data
    try:
        rate = int(params.get("rate") or params.get("sample-rate") or RATE)
        channels = int(params.get("channels") or params.get("channel-count") or 1)
    except ValueError as exc:
        raise AwsError("ValidationException", f"requestContentType {content_type!r}: bad rate or channels") from exc
    if params.get("sample-size-bits", "16") != "16" or not 4000 <= rate <= 48000 or channels not in (1, 2):
        raise AwsError("ValidationException", f"requestContentType {content_type!r}: 16-bit PCM, 4000-48000 Hz, "
                       "one or two channels")  # fmt: skip
    big = params.get("is-big-endian", "false").lower() == "true"
    usable = len(data) - len(data) % (2 * channels)
    pcm = np.frombuffer(data[:usable], dtype=">i2" if big else "<i2").astype(np.float32) / 32768.0
    return _resample(pcm.reshape(-1, channels).mean(axis=1), rate)


def pcm16_16k(wav_bytes: bytes) -> bytes:
    """Lex's audio/pcm: the reply (a 16-bit mono WAV from TTS) as raw 16-bit little-endian samples at 16 kHz."""
    with wave.open(io.BytesIO(wav_bytes)) as w:
        rate, frames = w.getframerate(), w.readframes(w.getnframes())
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32)
    return np.clip(np.round(_resample(samples, rate)), -32768, 32767).astype("<i2").tobytes()


async def recognize_utterance(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    service, bot = bot_service(ctx, p)
    session = p["sessionId"]
    incoming = decode_header("sessionState", p["sessionState"]) if p.get("sessionState") else {}
    attributes = decode_header("requestAttributes", p["requestAttributes"]) if p.get("requestAttributes") else None
    answer_type = (p.get("responseContentType") or "audio/mpeg").strip()
    kind, _ = _media_type(answer_type)
    if kind not in OUTPUTS:
        raise AwsError("ValidationException", f"responseContentType {answer_type!r}: use one of {', '.join(OUTPUTS)}")
    audio = audio_input(p.get("requestContentType") or "", p.get("inputStream") or b"")
    try:
        turn = await voice_turn(voice_bots(ctx.state), bot, session, audio, fmt=OUTPUTS[kind])
        tracker = await service.tracker(bot, session)
    except VoiceError as exc:
        raise AwsError(CLIENT_ERRORS.get(exc.code, "ValidationException"), f"{exc.message} ({exc.code})") from exc
    except BotUnavailable as exc:
        raise AwsError("DependencyFailedException", f"bot {bot!r} cannot answer now: {exc}") from exc
    answer = lex_answer(ctx, p, tracker, incoming)
    out: dict[str, Any] = {
        "inputMode": "Speech",
        "contentType": answer_type,
        "messages": encode_header(lex_messages(turn.messages)),
        "interpretations": encode_header(answer["interpretations"]),
        "sessionState": encode_header(answer["sessionState"]),
        "sessionId": session,
        "inputTranscript": encode_header(turn.transcript),
    }
    if attributes:
        out["requestAttributes"] = encode_header(attributes)
    if kind != "text/plain":
        data = turn.audio or b""
        out["audioStream"] = pcm16_16k(data) if kind == "audio/pcm" and data else data
    return out
