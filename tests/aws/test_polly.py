"""Polly through boto3: real audio from our voices, speech marks, voices, lexicons, synthesis tasks."""

from __future__ import annotations

import json
import time

import pytest

from tests.aws.conftest import NO_BOTO3

pytest.importorskip("boto3", reason=NO_BOTO3)
from botocore.exceptions import ClientError

PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>
</lexicon>"""


def test_synthesize_mp3(aws) -> None:
    polly = aws("polly")
    answer = polly.synthesize_speech(Text="Hello from voxgate.", VoiceId="Matthew", OutputFormat="mp3", Engine="neural")
    audio = answer["AudioStream"].read()
    assert answer["ContentType"] == "audio/mpeg"
    assert answer["RequestCharacters"] == len("Hello from voxgate.")
    assert len(audio) > 2000 and (audio[:3] == b"ID3" or audio[0] == 0xFF)
    assert answer["ResponseMetadata"]["RequestId"]


def test_polly_audio_transcribes_back(aws, gateway) -> None:
    import asr

    text = "The patient feels much better today and will come back next week."
    audio = aws("polly").synthesize_speech(Text=text, VoiceId="Matthew", Engine="neural", OutputFormat="ogg_vorbis")[
        "AudioStream"
    ]
    settings = gateway.app.state.settings
    heard = asr.transcribe(
        asr.decode(audio.read()), asr.TranscribeOptions(model="base", language="en"), settings=settings.asr
    ).text.lower()
    for word in ("patient", "better", "today", "next week"):
        assert word in heard, heard


def test_pcm_and_ssml_speech_marks(aws) -> None:
    polly = aws("polly")
    pcm = polly.synthesize_speech(
        Text="One two three.", VoiceId="en_US-joe-medium", OutputFormat="pcm", SampleRate="16000"
    )
    data = pcm["AudioStream"].read()
    assert pcm["ContentType"] == "audio/pcm"
    assert 0.5 < len(data) / 2 / 16000 < 4  # 16-bit mono at 16 kHz: about a second of speech
    ssml = '<speak>Hello <mark name="here"/> world. Second sentence.</speak>'
    marks = polly.synthesize_speech(
        Text=ssml, TextType="ssml", VoiceId="Matthew", OutputFormat="json", SpeechMarkTypes=["word", "sentence", "ssml"]
    )
    assert marks["ContentType"] == "application/x-json-stream"
    lines = [json.loads(line) for line in marks["AudioStream"].read().decode().splitlines()]
    assert {m["type"] for m in lines} == {"word", "sentence", "ssml"}
    words = [m for m in lines if m["type"] == "word"]
    assert [w["value"] for w in words][:2] == ["Hello", "world"]
    assert words == sorted(words, key=lambda m: m["time"])
    assert ssml[words[0]["start"] : words[0]["end"]] == "Hello"


def test_describe_voices_pages_and_filters(aws) -> None:
    polly = aws("polly")
    first = polly.describe_voices()
    assert "NextToken" in first and len(first["Voices"]) == 10
    every = [v for page in polly.get_paginator("describe_voices").paginate() for v in page["Voices"]]
    assert len(every) > 10 and len({v["Id"] for v in every}) == len(every)
    neural = polly.describe_voices(Engine="neural", LanguageCode="en-US")["Voices"]
    assert neural and all(v["SupportedEngines"] == ["neural"] and v["LanguageCode"] == "en-US" for v in neural)
    assert any(v["Id"] == "en_US-joe-medium" for v in neural)


def test_lexicons_crud_and_use(aws) -> None:
    polly = aws("polly")
    polly.put_lexicon(Name="acronyms", Content=PLS)
    got = polly.get_lexicon(Name="acronyms")
    assert got["Lexicon"]["Content"] == PLS and got["LexiconAttributes"]["LexemesCount"] == 1
    assert got["LexiconAttributes"]["Alphabet"] == "ipa" and got["LexiconAttributes"]["LanguageCode"] == "en-US"
    assert "acronyms" in [lex["Name"] for lex in polly.list_lexicons()["Lexicons"]]
    plain = polly.synthesize_speech(Text="W3C", VoiceId="Joanna", OutputFormat="json", SpeechMarkTypes=["word"])
    expanded = polly.synthesize_speech(
        Text="W3C", VoiceId="Joanna", OutputFormat="json", SpeechMarkTypes=["word"], LexiconNames=["acronyms"]
    )
    assert plain["AudioStream"].read() != expanded["AudioStream"].read()
    polly.delete_lexicon(Name="acronyms")
    with pytest.raises(ClientError) as err:
        polly.get_lexicon(Name="acronyms")
    assert err.value.response["Error"]["Code"] == "LexiconNotFoundException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(polly.exceptions.InvalidLexiconException):
        polly.put_lexicon(Name="broken", Content="<lexicon>not pls")


def test_speech_synthesis_task_is_a_job(aws, gateway) -> None:
    polly = aws("polly")
    task = polly.start_speech_synthesis_task(
        Text="A longer text, spoken as a job. " * 3, VoiceId="Matthew", OutputFormat="mp3", OutputS3BucketName="ignored"
    )["SynthesisTask"]
    assert task["TaskStatus"] in ("scheduled", "inProgress", "completed")
    deadline = time.monotonic() + 120
    while task["TaskStatus"] not in ("completed", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
        task = polly.get_speech_synthesis_task(TaskId=task["TaskId"])["SynthesisTask"]
    assert task["TaskStatus"] == "completed", task
    audio = gateway.get(task["OutputUri"].replace("http://testserver", ""))
    assert audio.status_code == 200 and len(audio.content) > 5000
    listed = polly.list_speech_synthesis_tasks(Status="completed")["SynthesisTasks"]
    assert task["TaskId"] in [t["TaskId"] for t in listed]
    with pytest.raises(polly.exceptions.SynthesisTaskNotFoundException):
        polly.get_speech_synthesis_task(TaskId="0" * 32)
