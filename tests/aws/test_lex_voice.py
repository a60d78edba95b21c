"""Lex V2 RecognizeUtterance's wire details without a bot: the audio it takes (raw L16 / LPCM at any rate, audio
files), Lex's gzip+base64 JSON headers, and its validation errors (a boto3 client on a gateway without bots:
test_errors.py). The voice turn itself against the clinic bot's Rasa server is in test_server.py
(make test-aws-long)."""

from __future__ import annotations

import base64
import gzip
import io
import json
import wave

import numpy as np
import pytest

from tests.aws.conftest import NO_BOTO3

pytest.importorskip("boto3", reason=NO_BOTO3)

from api.aws.lex_voice import audio_input, decode_header, encode_header, pcm16_16k
from api.aws.protocol import AwsError


def tone(rate: int, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def test_raw_pcm_in_any_rate_becomes_16k_samples() -> None:
    at_8k = (tone(8000) * 32767).astype("<i2").tobytes()
    samples = audio_input("audio/lpcm; sample-rate=8000; sample-size-bits=16; channel-count=1; is-big-endian=false",
                          at_8k)  # fmt: skip
    assert isinstance(samples, np.ndarray) and len(samples) == 8000  # 0.5 s at 16 kHz
    np.testing.assert_allclose(samples[::2][:3000], tone(8000)[:3000], atol=2e-3)
    big = (tone(16000) * 32767).astype(">i2").tobytes()
    same = audio_input("audio/x-l16; sample-rate=16000; channel-count=1; is-big-endian=true", big)
    np.testing.assert_allclose(same, tone(16000), atol=1e-4)
    stereo = np.repeat((tone(16000) * 32767).astype("<i2"), 2).tobytes()
    np.testing.assert_allclose(audio_input("audio/l16; rate=16000; channels=2", stereo), tone(16000), atol=1e-4)
    assert audio_input("audio/wav", b"RIFF....") == b"RIFF...."  # a file: FFmpeg decodes it in the voice turn


@pytest.mark.parametrize(
    ("content_type", "data", "words"),
    [("text/plain; charset=utf-8", b"hello", "RecognizeText"), ("video/mp4", b"x", "audio/l16"),
     ("audio/l16; rate=16000", b"", "empty"), ("audio/l16; rate=2000", b"\0\0", "4000-48000"),
     ("audio/lpcm; sample-rate=16000; sample-size-bits=8", b"\0\0", "16-bit")],
)  # fmt: skip
def test_bad_audio_input_is_a_validation_error(content_type: str, data: bytes, words: str) -> None:
    with pytest.raises(AwsError) as err:
        audio_input(content_type, data)
    assert err.value.code == "ValidationException" and words in err.value.message


def test_headers_are_gzip_base64_json_both_ways() -> None:
    state = {"sessionAttributes": {"caller": "42"}, "intent": {"name": "book_appointment"}}
    encoded = encode_header(state)
    assert json.loads(gzip.decompress(base64.b64decode(encoded))) == state  # as a Lex client decodes it
    assert decode_header("sessionState", encoded) == state
    assert decode_header("sessionState", base64.b64encode(json.dumps(state).encode()).decode()) == state
    with pytest.raises(AwsError):
        decode_header("sessionState", "not base64 json!")


def test_pcm_answer_is_16k_16bit() -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(22050)
        w.writeframes((tone(22050, 1.0) * 32767).astype("<i2").tobytes())
    assert len(pcm16_16k(buffer.getvalue())) == 2 * 16000
