"""WS /v1/bots/{bot}/voice against the real gateway, Rasa, ASR (tiny.en) and TTS: turns found by VAD, replies spoken
sentence by sentence, barge-in, and bad input (not audio, silence only, a ten-minute turn, floods) answered by an
error event and a clean close."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

import asr
from api.settings import Settings
from tests.bots.conftest import requires_rasa
from tests.bots.voice import VoiceClient, pcm16, silence, spoken

pytestmark = [requires_rasa, pytest.mark.slow]
POLICY, TOO_BIG = 1008, 1009


@pytest.fixture
def voice(bots_gateway) -> Iterator[Callable[..., VoiceClient]]:
    sockets = contextlib.ExitStack()

    def open_socket(bot: str = "clinic", send_start: bool = True, **start) -> VoiceClient:
        url = f"ws://127.0.0.1:{bots_gateway.port}/v1/bots/{bot}/voice"
        client = VoiceClient(sockets.enter_context(connect(url, max_size=None, open_timeout=30)))
        if send_start:
            with contextlib.suppress(ConnectionClosed):  # refused before the start message (an unknown bot)
                client.send_json({"type": "start", "sample_rate": 16000, **start})
        return client

    with sockets:
        yield open_socket


def say(client: VoiceClient, text: str, speed: float = 2.0) -> float:
    """The user says `text` (flite-slt) and pauses; returns when the speech ended (monotonic)."""
    end = client.stream(pcm16(spoken(text)), speed=speed)
    client.stream(silence(1.2), speed=speed)
    return end


def test_a_turn_over_the_socket(voice) -> None:
    client = voice(sender=f"v-{uuid.uuid4().hex}")
    ready = client.wait(lambda e: e["type"] == "ready")
    assert (ready["model"], ready["voice"], ready["audio_format"]) == ("tiny.en", "en_US-joe-medium", "mp3")
    greeting = client.wait(lambda e: e["type"] == "audio_end" and e["turn"] == 0)  # the greeting, spoken
    assert greeting["sentences"] >= 2 and not greeting["interrupted"]
    say(client, "I would like to book an appointment with a doctor.")
    user = client.wait(lambda e: e["type"] == "user" and e["turn"] == 1)
    assert "book" in user["text"].lower() and "appointment" in user["text"].lower(), user
    bot = client.wait(lambda e: e["type"] == "bot" and e["turn"] == 1)
    assert "name" in bot["messages"][0]["text"].lower()
    audio = client.wait(lambda e: e["type"] == "audio" and e["turn"] == 1)
    assert audio["media_type"] == "audio/mpeg" and len(audio["data"]) == audio["bytes"]
    options = asr.TranscribeOptions(model="tiny.en", language="en")
    heard = asr.transcribe(audio["data"], options, settings=Settings().asr)
    assert "name" in heard.text.lower(), heard.text  # the reply really is spoken
    client.wait(lambda e: e["type"] == "audio_end" and e["turn"] == 1)
    client.send_json({"type": "text", "text": "Jane Smith"})  # typed (or a button clicked) in the same conversation
    typed = client.wait(lambda e: e["type"] == "bot" and e["turn"] == 2)
    assert "day" in typed["messages"][0]["text"]
    assert client.wait(lambda e: e["type"] == "user" and e["turn"] == 2)["typed"]
    client.wait(lambda e: e["type"] == "audio_end" and e["turn"] == 2)
    client.send_json({"type": "stop"})
    assert client.wait(lambda e: e["type"] == "done")["turns"] == 2
    assert client.wait_closed().rcvd.code == 1000
    partials = client.of("partial", 1)
    assert partials and all(p["text"] for p in partials)  # the user's words shown while they speak


def test_barge_in_stops_the_bot(voice) -> None:
    client = voice(greeting=False)
    client.wait(lambda e: e["type"] == "ready")
    say(client, "What are your opening hours?")
    client.wait(lambda e: e["type"] == "audio" and e["turn"] == 1)  # the bot starts talking (two sentences, ~8 s)
    started = time.monotonic()
    client.stream(pcm16(spoken("Sorry, I want to cancel my appointment.")), speed=1.0)
    barge = client.wait(lambda e: e["type"] == "barge_in", timeout=30)
    assert barge["turn"] == 1 and barge["at"] - started < 4.0  # while the user is still speaking
    end = client.wait(lambda e: e["type"] == "audio_end" and e["turn"] == 1)
    assert end["interrupted"]
    client.stream(silence(1.2))
    user = client.wait(lambda e: e["type"] == "user" and e["turn"] == 2)  # and the new turn is heard
    assert "cancel" in user["text"].lower(), user
    assert "reference" in client.wait(lambda e: e["type"] == "bot" and e["turn"] == 2)["messages"][0]["text"]
    assert not [e for e in client.of("audio", 1) if e["at"] > barge["at"] + 0.5]  # no more of the old reply


def expect_error(client: VoiceClient, code: str, close: int = POLICY) -> dict:
    closed = client.wait_closed(timeout=60)
    errors = client.of("error")
    assert errors and errors[0]["code"] == code and errors[0]["message"], client.events
    assert closed.rcvd is not None and closed.rcvd.code == close, closed
    return errors[0]


@pytest.mark.parametrize(
    ("first", "code"),
    [
        ("this is not json", "invalid_json"),
        ('{"type": "hello"}', "start_expected"),
        ('{"type": "start", "sample_rate": 12345}', "invalid_sample_rate"),
        ('{"type": "start", "model": "../../etc/passwd"}', "model_not_found"),
        ('{"type": "start", "audio_format": "mp5"}', "unsupported_format"),
        (b"\x00\x01" * 800, "start_expected"),
    ],
)
def test_bad_start(voice, first: str | bytes, code: str) -> None:
    client = voice(send_start=False)
    client.ws.send(first)
    expect_error(client, code)


def test_unknown_bot(voice) -> None:
    expect_error(voice("nope"), "unknown_bot")


def test_not_audio(voice) -> None:
    client = voice(greeting=False)
    client.wait(lambda e: e["type"] == "ready")
    client.ws.send(spoken("hello"))  # a whole WAV file where raw PCM was announced
    assert "WAV file" in expect_error(client, "invalid_audio")["message"]
    odd = voice(greeting=False)
    odd.wait(lambda e: e["type"] == "ready")
    odd.ws.send(b"\x00" * 1001)  # half a sample
    expect_error(odd, "invalid_audio")


def test_silence_only(voice) -> None:
    client = voice(greeting=False, silence_timeout_s=2)
    client.wait(lambda e: e["type"] == "ready")
    client.stream(silence(4.0), speed=3.0)
    assert "no speech" in expect_error(client, "no_speech")["message"]


def test_a_ten_minute_turn(voice) -> None:
    """Ten minutes of speech without a pause: refused once the turn passes the limit (lowered to 4 s here)."""
    client = voice(greeting=False, max_turn_s=4)
    client.wait(lambda e: e["type"] == "ready")
    sentence = asr.decode(spoken("My name is Jane Smith and I would like an appointment on Friday")).samples
    voiced = sentence[np.abs(sentence) > 0][: int(2.5 * 16000)]  # no pauses
    ten_minutes = (np.tile(voiced, int(600 * 16000 / len(voiced))) * 32767).astype("<i2").tobytes()
    began = time.monotonic()
    client.stream(ten_minutes, speed=3.0)
    assert time.monotonic() - began < 60  # closed long before ten minutes went
    assert "without a pause" in expect_error(client, "turn_too_long", TOO_BIG)["message"]


def test_floods(voice) -> None:
    fast = voice(greeting=False)
    fast.wait(lambda e: e["type"] == "ready")
    with pytest.raises(ConnectionClosed):
        for _ in range(200):  # a minute of audio at once
            fast.ws.send(silence(0.3))
            time.sleep(0.001)
    assert "faster than" in expect_error(fast, "too_fast")["message"]
    chatty = voice(greeting=False)
    chatty.wait(lambda e: e["type"] == "ready")
    with pytest.raises(ConnectionClosed):
        for _ in range(200):
            chatty.ws.send(json.dumps({"type": "ping"}))
    expect_error(chatty, "flood")
    big = voice(greeting=False)
    big.wait(lambda e: e["type"] == "ready")
    big.ws.send(bytes(2 << 20))
    expect_error(big, "frame_too_large", TOO_BIG)
    after = voice(greeting=False)  # and the gateway still serves
    assert after.wait(lambda e: e["type"] == "ready")["model"] == "tiny.en"
