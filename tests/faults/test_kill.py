"""SIGKILL of the gateway in the middle of each kind of job: after a restart on the same database and artifact
folder every accepted job finishes, once (no duplicate results), and no files are left that no job owns.

The call-analytics batch has its own crash test, which also checks that calls done before the kill are not
redone: tests/calls/test_restart.py (run by `make test-faults` too)."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import job_folders
from tests.server import FINISHED, Server, wait_for_job

pytestmark = [pytest.mark.faults, pytest.mark.timeout(1800)]  # two gateway starts and a job: minutes


def crash_mid_job(
    tmp_path: Path, servers: list[Server], modules: str, submit: Callable[[Server], str]
) -> tuple[Server, dict[str, Any]]:
    """Submit with `submit`, SIGKILL the gateway once the job reports progress, start a new gateway and wait for
    the job there. Returns the new server and the finished record, after the checks every kind shares."""
    first = Server(tmp_path, modules=modules)
    servers.append(first)
    job_id = submit(first)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        record = first.client.get(f"/v1/jobs/{job_id}").json()
        assert record["status"] not in FINISHED, f"the job finished before the kill: {record}"
        if record["status"] == "running" and record["progress"] > 1.0:
            break
        time.sleep(0.05)
    first.kill()

    second = Server(tmp_path, modules=modules)
    servers.append(second)
    record = wait_for_job(second.client, job_id, timeout=900)
    assert record["status"] == "succeeded", record
    assert record["attempts"] == 2, record  # run once more, from where the crash left it, not again and again
    listed = {job["id"] for job in second.client.get("/v1/jobs").json()}
    assert listed == {job_id}
    assert job_folders(tmp_path / "artifacts") == listed  # no orphaned job folders
    return second, record


def outputs(tmp_path: Path, job_id: str) -> list[str]:
    folder = tmp_path / "artifacts" / "jobs" / job_id / "outputs"
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_transcription_job_survives_a_crash(tmp_path: Path, servers: list[Server], data_dir: Path) -> None:
    pytest.importorskip("faster_whisper")
    import soundfile as sf

    import asr

    audio = asr.decode(data_dir / "speech" / "medical" / "RES0198.mp3").samples[: 16000 * 60]
    wav = io.BytesIO()
    sf.write(wav, audio, 16000, format="WAV")

    def submit(server: Server) -> str:
        files = {"file": ("visit.wav", wav.getvalue(), "audio/wav")}
        data = {"mode": "job", "model": "tiny.en", "type": "dictation"}
        response = server.client.post("/v1/medical/transcriptions", files=files, data=data)
        assert response.status_code == 202, response.text
        return response.json()["id"]

    server, record = crash_mid_job(tmp_path, servers, '["asr"]', submit)
    assert outputs(tmp_path, record["id"]) == ["transcript.json"]
    transcript = json.loads(
        (tmp_path / "artifacts" / "jobs" / record["id"] / "outputs" / "transcript.json").read_text()
    )
    starts = [segment["start"] for segment in transcript["segments"]]
    assert starts == sorted(starts) and len(starts) == len(set(starts))  # each stretch of audio once
    assert transcript["segments"][-1]["end"] > 50


def test_long_form_speech_job_survives_a_crash(tmp_path: Path, servers: list[Server]) -> None:
    pytest.importorskip("piper")

    sentences = [f"This is sentence number {i} of a long letter to the patient." for i in range(1, 31)]

    def submit(server: Server) -> str:
        body = {"text": " ".join(sentences), "output_format": "pcm", "sample_rate": 16000}
        response = server.client.post("/v1/speech/jobs", json=body)
        assert response.status_code == 202, response.text
        return response.json()["id"]

    server, record = crash_mid_job(tmp_path, servers, '["tts"]', submit)
    assert record["result"]["sentences"] == len(sentences), record["result"]
    files = outputs(tmp_path, record["id"])
    assert len(files) == 1, files  # one audio file: the second run rewrote it, nothing appended or left beside
    audio = server.client.get(record["result"]["files"]["audio"])
    assert audio.status_code == 200
    seconds = len(audio.content) / 2 / 16000
    assert 30 * 1.5 < seconds < 30 * 6, seconds  # thirty sentences once, not one and a half times


def test_ocr_job_survives_a_crash(tmp_path: Path, servers: list[Server]) -> None:
    pytest.importorskip("pytesseract")
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=40)
    pages = []
    for n in range(1, 6):
        page = Image.new("RGB", (1240, 900), "white")
        draw = ImageDraw.Draw(page)
        for line in range(6):
            draw.text((80, 100 + line * 120), f"Page {n} line {line}: blood pressure normal", fill="black", font=font)
        pages.append(page)
    pdf = io.BytesIO()
    pages[0].save(pdf, format="PDF", save_all=True, append_images=pages[1:], resolution=150)

    def submit(server: Server) -> str:
        response = server.client.post("/v1/ocr", files={"file": ("letter.pdf", pdf.getvalue(), "application/pdf")})
        assert response.status_code == 202, response.text
        return response.json()["id"]

    server, record = crash_mid_job(tmp_path, servers, '["ocr"]', submit)
    document = json.loads((tmp_path / "artifacts" / "jobs" / record["id"] / "outputs" / "document.json").read_text())
    assert [page["number"] for page in document["pages"]] == list(range(1, 6))  # each page once, in order
    assert "Page 5 line 5" in (tmp_path / "artifacts" / "jobs" / record["id"] / "outputs" / "document.txt").read_text()
