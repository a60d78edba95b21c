"""The music routes through the gateway: MIDI and JSON in, MIDI or JSON out, 4xx for bad input."""

from __future__ import annotations

import base64

import pytest
import symusic
from fastapi.testclient import TestClient

from music.piece import Piece
from music.weights import weights_dir
from tests.music.test_midi import _midi

JSON = {"Accept": "application/json"}


def _notes(melody: Piece) -> list[dict]:
    first = melody.voices[0][0].start
    return [{"pitch": n.pitch, "start": (n.start - first) / 4, "duration": n.duration / 4} for n in melody.voices[0]]


def _error(response, status: int, code: str) -> None:  # noqa: ANN001
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code and body["message"], body


def test_accompaniment_midi_in_midi_out(music_client: TestClient, melody_midi: bytes) -> None:
    response = music_client.post(
        "/v1/music/accompaniment",
        files={"file": ("melody.mid", melody_midi, "audio/midi")},
        data={"model": "arcnn", "iterations": "32"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/midi"
    score = symusic.Score.from_midi(response.content)
    assert [t.name for t in score.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert all(len(t.notes) > 0 for t in score.tracks)


def test_accompaniment_json_in_json_out(music_client: TestClient, melody: Piece) -> None:
    body = {"notes": _notes(melody), "tempo": 80, "iterations": 32, "seed": 3}
    response = music_client.post("/v1/music/accompaniment", json=body, headers=JSON)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["model"] == "arcnn" and out["tempo"] == 80
    assert [v["name"] for v in out["voices"]] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert [n["pitch"] for n in out["voices"][0]["notes"]] == [n["pitch"] for n in body["notes"]]
    for key in ("in_scale_ratio", "parallel_fifths", "parallel_octaves", "qualified_note_rate", "empty_bar_rate"):
        assert key in out["metrics"]
    midi = base64.b64decode(out["midi_base64"])
    assert midi.startswith(b"MThd") and len(symusic.Score.from_midi(midi).tracks) == 4


def test_enhance_and_its_limits(music_client: TestClient, melody: Piece) -> None:
    body = {"notes": _notes(melody), "max_notes_added": 3, "max_percent_removed": 10, "iterations": 40, "seed": 1}
    out = music_client.post("/v1/music/enhance", json=body, headers=JSON).json()
    assert len(out["voices"]) == 1
    assert out["metrics"]["notes_added"] <= 3
    assert out["metrics"]["notes_removed"] <= 0.1 * len(body["notes"])
    _error(music_client.post("/v1/music/enhance", json={**body, "max_percent_removed": 120}), 422, "validation_error")


@pytest.mark.skipif(not (weights_dir() / "transformer.safetensors").exists(), reason="transformer not trained yet")
def test_extend_by_bars_and_by_seconds(music_client: TestClient, melody: Piece, melody_midi: bytes) -> None:
    out = music_client.post("/v1/music/extend", json={"notes": _notes(melody), "bars": 2}, headers=JSON).json()
    assert out["model"] == "transformer" and out["metrics"]["bars_added"] == 2
    assert len(out["voices"][0]["notes"]) > len(melody.voices[0])
    response = music_client.post(
        "/v1/music/extend", files={"file": ("m.mid", melody_midi, "audio/midi")}, data={"seconds": "4"}
    )
    assert response.status_code == 200 and response.content.startswith(b"MThd")
    both = {"notes": _notes(melody), "bars": 2, "seconds": 3}
    assert music_client.post("/v1/music/extend", json=both).status_code == 400


def test_bad_input_is_a_clear_4xx(music_client: TestClient) -> None:
    post = music_client.post
    route = "/v1/music/accompaniment"

    def upload(data: bytes) -> dict:
        return {"files": {"file": ("x.mid", data, "audio/midi")}}

    _error(post(route, **upload(b"%PDF-1.4 not music")), 400, "invalid_midi")
    _error(post(route, **upload(_midi([]))), 400, "empty_midi")
    _error(post(route, **upload(_midi([(36, i, 1) for i in range(8)], drums=True))), 400, "drums_only")
    ten_minutes = _midi([(60 + i % 12, i, 1) for i in range(1200)])
    _error(post(route, **upload(ten_minutes)), 413, "input_too_long")
    out_of_range = [{"pitch": 110, "start": 0, "duration": 1}, {"pitch": 112, "start": 1, "duration": 1}]
    _error(post(route, json={"notes": out_of_range}), 422, "melody_out_of_range")
    _error(post(route, json={"notes": []}), 400, "empty_midi")
    _error(
        post(route, json={"notes": [{"pitch": 60, "start": 0, "duration": 1}], "model": "vae"}), 422, "validation_error"
    )
    _error(post(route, content=b"\x00\x01", headers={"Content-Type": "audio/wav"}), 415, "unsupported_media_type")
    _error(post(route, content=b"{not json", headers={"Content-Type": "application/json"}), 400, "malformed_json")
    _error(post(route, files={"other": ("x.mid", b"MThd", "audio/midi")}), 400, "missing_file")


def test_music_page_is_served(music_client: TestClient) -> None:
    page = music_client.get("/music")
    assert page.status_code == 200 and "synth.js" in page.text and 'id="keyboard"' in page.text
    assert music_client.get("/music/static/synth.js").status_code == 200
    assert music_client.get("/music/static/app.js").status_code == 200


def test_times_beyond_any_step_count_are_a_400(music_client: TestClient) -> None:
    """Found by `make fuzz`: a note starting at 1.8e308 quarter notes was an OverflowError and a 500."""
    for start, duration in ((1.7976931348623157e308, 1.3e308), (1e308, 1e308)):
        notes = [{"pitch": 81, "start": start, "duration": duration}]
        _error(music_client.post("/v1/music/accompaniment", json={"notes": notes}), 400, "invalid_music")
