"""Transcribe through boto3: a standard job on Polly's audio, a medical conversation job on a real consultation
(cropped to 20 s), Transcribe's result JSON, job listing and deletion, and the errors a client expects."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from tests.aws.conftest import NO_BOTO3

pytest.importorskip("boto3", reason=NO_BOTO3)

CROP_S = 20


def crop(source: Path, target: Path, seconds: float) -> Path:
    import av
    import soundfile

    chunks, total = [], 0
    with av.open(str(source)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
        for frame in container.decode(container.streams.audio[0]):
            for out in resampler.resample(frame):
                chunk = out.to_ndarray().reshape(-1)
                chunks.append(chunk)
                total += len(chunk)
            if total >= 16000 * seconds:
                break
    soundfile.write(str(target), np.concatenate(chunks)[: int(16000 * seconds)], 16000)
    return target


def wait(get, key: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = get()[key]
        if job["TranscriptionJobStatus"] in ("COMPLETED", "FAILED") or time.monotonic() > deadline:
            return job
        time.sleep(1)


def test_standard_job_on_polly_audio(aws, gateway) -> None:
    text = "Please schedule my follow up appointment for next Tuesday morning."
    audio = aws("polly").synthesize_speech(Text=text, VoiceId="Matthew", Engine="neural", OutputFormat="mp3")
    path = Path(gateway.tmp) / "followup.mp3"
    path.write_bytes(audio["AudioStream"].read())
    transcribe = aws("transcribe")
    started = transcribe.start_transcription_job(
        TranscriptionJobName="followup-1", LanguageCode="en-US", Media={"MediaFileUri": str(path)}
    )["TranscriptionJob"]
    assert started["TranscriptionJobStatus"] in ("QUEUED", "IN_PROGRESS")
    job = wait(lambda: transcribe.get_transcription_job(TranscriptionJobName="followup-1"), "TranscriptionJob")
    assert job["TranscriptionJobStatus"] == "COMPLETED", job
    uri = job["Transcript"]["TranscriptFileUri"]
    assert uri.startswith("http://testserver/v1/jobs/")
    result = gateway.get(uri.removeprefix("http://testserver")).json()
    assert result["jobName"] == "followup-1" and result["status"] == "COMPLETED"
    heard = result["results"]["transcripts"][0]["transcript"].lower()
    assert "appointment" in heard and "tuesday" in heard
    words = [i for i in result["results"]["items"] if i["type"] == "pronunciation"]
    assert words and all(float(w["start_time"]) <= float(w["end_time"]) for w in words)
    assert all(0 <= float(w["alternatives"][0]["confidence"]) <= 1 for w in words)
    assert any(i["type"] == "punctuation" for i in result["results"]["items"])
    names = [j["TranscriptionJobName"] for j in transcribe.list_transcription_jobs()["TranscriptionJobSummaries"]]
    assert "followup-1" in names
    with pytest.raises(transcribe.exceptions.ConflictException):
        transcribe.start_transcription_job(
            TranscriptionJobName="followup-1", LanguageCode="en-US", Media={"MediaFileUri": str(path)}
        )
    transcribe.delete_transcription_job(TranscriptionJobName="followup-1")
    with pytest.raises(transcribe.exceptions.BadRequestException):
        transcribe.get_transcription_job(TranscriptionJobName="followup-1")


def test_media_outside_allowed_folders_is_refused(aws) -> None:
    transcribe = aws("transcribe")
    with pytest.raises(transcribe.exceptions.BadRequestException) as err:
        transcribe.start_transcription_job(
            TranscriptionJobName="secret", LanguageCode="en-US", Media={"MediaFileUri": "/etc/passwd"}
        )
    assert "outside" in err.value.response["Error"]["Message"]
    with pytest.raises(transcribe.exceptions.BadRequestException):
        transcribe.start_transcription_job(
            TranscriptionJobName="s3", LanguageCode="en-US", Media={"MediaFileUri": "s3://bucket/key.wav"}
        )


@pytest.mark.slow
@pytest.mark.aws_long
def test_medical_conversation_job_on_a_consultation(aws, gateway, data_dir: Path) -> None:
    source = data_dir / "speech" / "medical" / "RES0198.mp3"
    if not source.exists():
        pytest.skip(f"{source} not found")
    path = crop(source, Path(gateway.tmp) / "res0198-20s.wav", CROP_S)
    transcribe = aws("transcribe")
    transcribe.start_medical_transcription_job(
        MedicalTranscriptionJobName="res0198",
        LanguageCode="en-US",
        Media={"MediaFileUri": f"file://{path}"},
        OutputBucketName="clinic-transcripts",
        Specialty="PRIMARYCARE",
        Type="CONVERSATION",
        Settings={"ShowSpeakerLabels": True, "MaxSpeakerLabels": 2},
    )
    job = wait(
        lambda: transcribe.get_medical_transcription_job(MedicalTranscriptionJobName="res0198"),
        "MedicalTranscriptionJob",
    )
    assert job["TranscriptionJobStatus"] == "COMPLETED", job
    assert job["Specialty"] == "PRIMARYCARE" and job["Type"] == "CONVERSATION"
    result = gateway.get(job["Transcript"]["TranscriptFileUri"].removeprefix("http://testserver")).json()
    heard = result["results"]["transcripts"][0]["transcript"].lower()
    assert "brings you here" in heard and "runny nose" in heard, heard
    labels = result["results"]["speaker_labels"]
    assert labels["speakers"] >= 1 and labels["segments"]
    assert all("speaker_label" in i for i in result["results"]["items"] if i["type"] == "pronunciation")
    summaries = transcribe.list_medical_transcription_jobs(Status="COMPLETED")["MedicalTranscriptionJobSummaries"]
    assert "res0198" in [s["MedicalTranscriptionJobName"] for s in summaries]


def test_media_from_an_http_url(aws, gateway, tmp_path: Path) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    audio = aws("polly").synthesize_speech(
        Text="Testing the web address.", VoiceId="Matthew", Engine="neural", OutputFormat="mp3"
    )
    (tmp_path / "clip.mp3").write_bytes(audio["AudioStream"].read())
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        transcribe = aws("transcribe")
        uri = f"http://127.0.0.1:{httpd.server_address[1]}/clip.mp3"
        transcribe.start_transcription_job(
            TranscriptionJobName="from-http", IdentifyLanguage=True, Media={"MediaFileUri": uri}
        )
        job = wait(lambda: transcribe.get_transcription_job(TranscriptionJobName="from-http"), "TranscriptionJob")
    finally:
        httpd.shutdown()
    assert job["TranscriptionJobStatus"] == "COMPLETED", job
    assert job["LanguageCode"] == "en-US" and job["Media"]["MediaFileUri"] == uri
    result = gateway.get(job["Transcript"]["TranscriptFileUri"].removeprefix("http://testserver")).json()
    assert "web address" in result["results"]["transcripts"][0]["transcript"].lower()


@pytest.mark.slow
@pytest.mark.aws_long
def test_channel_identification_on_a_stereo_call(aws, gateway) -> None:
    import soundfile

    import asr

    polly = aws("polly")

    def voice(text: str) -> np.ndarray:
        pcm = polly.synthesize_speech(
            Text=text, VoiceId="Matthew", Engine="neural", OutputFormat="pcm", SampleRate="16000"
        )["AudioStream"].read()
        return np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768

    first, second = voice("Good morning, this is the clinic calling."), voice("Thank you, I will be there.")
    gap = np.zeros(8000, dtype=np.float32)
    left = np.concatenate([first, gap, np.zeros_like(second)])
    right = np.concatenate([np.zeros_like(first), gap, second])
    path = Path(gateway.tmp) / "call.wav"
    soundfile.write(str(path), np.stack([left, right], axis=1), 16000)
    assert asr.decode(str(path)).channels is not None
    transcribe = aws("transcribe")
    transcribe.start_transcription_job(
        TranscriptionJobName="stereo-call",
        LanguageCode="en-US",
        Media={"MediaFileUri": str(path)},
        Settings={"ChannelIdentification": True},
    )
    job = wait(lambda: transcribe.get_transcription_job(TranscriptionJobName="stereo-call"), "TranscriptionJob")
    assert job["TranscriptionJobStatus"] == "COMPLETED", job
    assert job["Settings"]["ChannelIdentification"] is True
    result = gateway.get(job["Transcript"]["TranscriptFileUri"].removeprefix("http://testserver")).json()
    channels = result["results"]["channel_labels"]
    assert channels["number_of_channels"] == 2
    said = {
        c["channel_label"]: " ".join(i["alternatives"][0]["content"] for i in c["items"]).lower()
        for c in channels["channels"]
    }
    assert "clinic" in said["ch_0"] and "clinic" not in said["ch_1"]
    assert "there" in said["ch_1"] and "there" not in said["ch_0"]
