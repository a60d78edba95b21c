"""POST /v1/bots/{bot}/utterance against the real gateway, Rasa, ASR (tiny.en) and TTS: a whole booking by voice,
the user's turns spoken by our own TTS in another voice than the bot's, ending with the appointment in the database."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import av
import numpy as np
import pytest
from sqlalchemy import select

import asr
from api.settings import Settings
from bots.rasa_actions import store
from tests.bots.conftest import requires_rasa
from tests.bots.voice import next_weekday, silence, spoken

pytestmark = [requires_rasa, pytest.mark.slow]
URL = "/v1/bots/clinic/utterance"


def write_mp3(path: Path, samples: np.ndarray) -> None:
    with av.open(str(path), "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=16000, layout="mono")
        stream.bit_rate = 32000
        frame = av.AudioFrame.from_ndarray((samples * 32767).astype(np.int16)[None], format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)


def turn(client, sender: str, text: str, **form: str) -> dict:
    response = client.post(
        URL, files={"file": ("turn.wav", spoken(text), "audio/wav")}, data={"sender": sender, **form}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_booking_by_voice_ends_in_the_database(bots_gateway, bots_db) -> None:
    client, sender = bots_gateway.client, f"voice-{uuid.uuid4().hex}"
    day = next_weekday(date.today())
    first = turn(client, sender, "I would like to book an appointment with a doctor.")
    assert "book" in first["transcript"].lower() and first["asr_model"] == "tiny.en"
    assert "name" in first["messages"][0]["text"].lower()
    assert first["voice"] == "en_US-joe-medium" and first["audio_format"] == "mp3"
    options = asr.TranscribeOptions(model="tiny.en", language="en")
    reply = asr.transcribe(base64.b64decode(first["audio"]), options, settings=Settings().asr)
    assert "name" in reply.text.lower() and "appointment" in reply.text.lower(), reply.text  # the reply is spoken
    assert "day" in turn(client, sender, "My name is Jane Smith.")["messages"][0]["text"].lower()
    assert "time" in turn(client, sender, f"{day:%A}, please.")["messages"][0]["text"].lower()
    assert "reason" in turn(client, sender, "Half past ten in the morning.")["messages"][0]["text"].lower()
    last = turn(client, sender, "A sore throat for a week.", format="wav")
    assert last["audio_format"] == "wav" and base64.b64decode(last["audio"])[:4] == b"RIFF"
    confirmation = " ".join(m["text"] for m in last["messages"])
    assert "Booked: Jane Smith" in confirmation, confirmation
    with bots_db.connect() as conn:
        row = conn.execute(select(store.appointments).where(store.appointments.c.sender_id == sender)).mappings().one()
    assert (row["name"], row["date"], row["time"], row["status"]) == ("Jane Smith", day.isoformat(), "10:30", "booked")
    assert "throat" in row["reason"] and row["ref"] in confirmation


def test_accept_audio_gives_the_audio_with_the_texts_in_headers(bots_gateway) -> None:
    response = bots_gateway.client.post(
        URL, files={"file": ("t.wav", spoken("What are your opening hours?"), "audio/wav")},
        data={"format": "opus"}, headers={"Accept": "audio/*"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/ogg" and response.content[:4] == b"OggS"
    assert "opening hours" in unquote(response.headers["x-transcript"]).lower()
    messages = json.loads(base64.b64decode(response.headers["x-messages"]))
    assert "Monday to Friday" in messages[0]["text"]
    assert {"image": "/widget/clinic-hours.svg"}.items() <= messages[-1].items()  # shown, not spoken
    assert "Monday to Friday" in unquote(response.headers["x-spoken"])
    assert unquote(response.headers["x-sender"]).startswith("voice-")


def test_bad_input_gets_clear_errors(bots_gateway, tmp_path) -> None:
    client = bots_gateway.client

    def post(content: bytes, url: str = URL, **form: str) -> tuple[int, dict]:
        response = client.post(url, files={"file": ("x", content, "application/octet-stream")}, data=form)
        return response.status_code, response.json()["error"]

    status, error = post(b"this is not audio at all, just text" * 20)
    assert (status, error["code"], error["param"]) == (400, "invalid_audio", "file")
    status, error = post(b"")
    assert (status, error["code"]) == (400, "invalid_audio")
    quiet = spoken("x")[:44] + silence(3.0)  # a WAV header, then three seconds of silence
    status, error = post(quiet)
    assert (status, error["code"]) == (422, "no_speech") and "no speech" in error["message"]
    # ten minutes of speech in one turn: refused from the header, before decoding
    speech = asr.decode(spoken("My name is Jane Smith and I would like an appointment.")).samples
    path = tmp_path / "ten-minutes.mp3"  # 32 kb/s, under the body limit: it is the duration that is refused
    write_mp3(path, np.tile(speech, int(600 * 16000 / len(speech)) + 1))
    status, error = post(path.read_bytes())
    assert (status, error["code"]) == (413, "audio_too_long") and "at most 60 s" in error["message"], error
    status, error = post(spoken("hello"), model="large-v9")
    assert (status, error["code"], error["param"]) == (400, "model_not_found", "model")
    status, error = post(spoken("hello"), format="mp5")
    assert (status, error["code"], error["param"]) == (400, "unsupported_format", "format")
    status, error = post(spoken("hello"), url="/v1/bots/nope/utterance")
    assert (status, error["code"]) == (404, "unknown_bot")
    assert client.post(URL, files={"file": ("t.wav", spoken("hello"), "audio/wav")}).status_code == 200
