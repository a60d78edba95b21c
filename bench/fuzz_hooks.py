"""Schemathesis hooks for voxgate's OpenAPI document: media types it cannot send or read by itself.

The AWS json 1.1 operations take and give `application/x-amz-json-1.1`, JSON under AWS's own media type (not
`+json`, so Schemathesis neither serialises a body for it nor reads an answer in it: without these hooks it skips
those operations and their response-schema checks). Lex's RecognizeUtterance takes raw audio (`audio/l16`, ...),
sent as bytes (api.aws.lex.AUDIO_INPUTS; matched without their parameters). Loaded by tests/fuzz
(import) and by bench/fuzz.py (SCHEMATHESIS_HOOKS, for the CLI), so it imports nothing of voxgate's."""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis.core.transport import Response

AWS_JSON = ["application/x-amz-json-1.1", "application/x-amz-json-1.0"]
LEX_AUDIO = ["audio/l16", "audio/x-l16", "audio/lpcm", "audio/wav"]

schemathesis.serializer.alias(AWS_JSON, "application/json")
schemathesis.serializer.alias(LEX_AUDIO, "application/octet-stream")


@schemathesis.deserializer(*AWS_JSON)
def aws_json(ctx: schemathesis.DeserializationContext, response: Response) -> Any:
    return json.loads(response.content)
