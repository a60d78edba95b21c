"""Polly through boto3: real audio from our voices, speech marks, voices, lexicons, synthesis tasks."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>
</lexicon>"""


def test_synthesize_mp3(aws) -> None:
    polly = aws("polly")
    answer = polly.synthesize_speech(Text="Hello from voxgate.", VoiceId="Matthew", OutputFormat="mp3",
                                     Engine="neural")
    audio = answer["AudioStream"].read()
    assert answer["ContentType"] == "audio/mpeg"
    assert answer["RequestCharacters"] == len("Hello from voxgate.")
    assert len(audio) > 2000 and (audio[:3] == b"ID3" or audio[0] == 0xFF)
    assert answer["ResponseMetadata"]["RequestId"]
