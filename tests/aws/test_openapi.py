"""The AWS operations in /openapi.json (api.aws.openapi): every operation the adapters serve, each at a path the
gateway answers as documented; and the bad inputs the fuzz run (tests/fuzz) found, each a 4xx AWS error."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.conftest import NO_BOTO3

pytest.importorskip("boto3", reason=NO_BOTO3)
from fastapi.testclient import TestClient

from api.aws.services import SERVICES, operations

AMZ_JSON = {"content-type": "application/x-amz-json-1.1"}


@pytest.fixture(scope="module")
def document(gateway: TestClient) -> dict[str, Any]:
    return gateway.get("/openapi.json").json()


def test_every_operation_served_is_documented_once(document: dict[str, Any]) -> None:
    documented = {
        entry["operationId"]
        for path, methods in document["paths"].items()
        if path.startswith("/aws")
        for entry in methods.values()
    }
    served = {
        f"aws_{s.name.replace('-', '_')}_{name}" for s in SERVICES if not s.missing() for name in operations(s.name)
    }
    assert documented == served and len(served) >= 40


def test_json_operation_has_its_target_header_body_answer_and_errors(document: dict[str, Any]) -> None:
    entry = document["paths"]["/aws/json/Textract.DetectDocumentText"]["post"]
    (header,) = entry["parameters"]
    assert header == {
        "name": "X-Amz-Target", "in": "header", "required": True,
        "schema": {"type": "string", "enum": ["Textract.DetectDocumentText"]},
    }  # fmt: skip
    body = entry["requestBody"]["content"]["application/x-amz-json-1.1"]["schema"]["$ref"].rsplit("/", 1)[1]
    request = document["components"]["schemas"][body]
    assert request["required"] == ["Document"]
    document_shape = document["components"]["schemas"][request["properties"]["Document"]["$ref"].rsplit("/", 1)[1]]
    assert document_shape["properties"]["Bytes"]["contentEncoding"] == "base64"
    assert {"200", "400", "403", "413", "503"} <= set(entry["responses"])
    assert "500" not in entry["responses"]
    sentiment = document["components"]["schemas"]["Aws.comprehend.DetectSentimentRequest"]
    assert sentiment["properties"]["LanguageCode"]["enum"] == ["en"]  # AWS's list narrowed to what voxgate serves
    too_large = entry["responses"]["413"]["content"]
    assert too_large["application/json"]["schema"]["$ref"].endswith("/ErrorBody")  # the body-limit middleware's
    assert too_large["application/x-amz-json-1.1"]["schema"]["$ref"].endswith("/AwsError")


def test_rest_operations_at_their_uri_templates(document: dict[str, Any]) -> None:
    speech = document["paths"]["/aws/v1/speech"]["post"]
    assert set(speech["responses"]["200"]["content"]) == {"audio/mpeg", "audio/ogg", "audio/pcm",
                                                          "application/x-json-stream"}  # fmt: skip
    assert "OutputFormat" in speech["requestBody"]["content"]["application/json"]["schema"]["required"]
    lexicon = document["paths"]["/aws/v1/lexicons/{LexiconName}"]
    assert set(lexicon) == {"get", "put", "delete"}
    assert lexicon["get"]["parameters"][0] == {"name": "LexiconName", "in": "path", "required": True,
                                               "schema": {"type": "string"}}  # fmt: skip
    voices = document["paths"]["/aws/v1/voices"]["get"]
    voice = document["components"]["schemas"]["Aws.polly.Voice"]["properties"]["Id"]
    assert "enum" not in voice  # voxgate's own voices are not AWS's
    assert {p["name"] for p in voices["parameters"]} >= {"Engine", "LanguageCode", "NextToken"}


def test_documented_json_path_is_served_and_checks_its_header(gateway: TestClient) -> None:
    target = "Comprehend_20171127.DetectDominantLanguage"
    good = gateway.post(f"/aws/json/{target}", headers={**AMZ_JSON, "x-amz-target": target},
                        json={"Text": "Good morning, doctor."})  # fmt: skip
    assert good.status_code == 200 and good.json()["Languages"][0]["LanguageCode"] == "en"
    assert good.headers["content-type"] == "application/x-amz-json-1.1"
    other = "Comprehend_20171127.DetectSentiment"
    mismatch = gateway.post(f"/aws/json/{target}", headers={**AMZ_JSON, "x-amz-target": other}, json={"Text": "Hi"})
    assert mismatch.status_code == 400 and mismatch.json()["__type"] == "UnknownOperationException"
    missing = gateway.post(f"/aws/json/{target}", headers=AMZ_JSON, json={"Text": "Hi"})
    assert missing.status_code == 400 and target in missing.json()["message"]


def _transcribe(gateway: TestClient, operation: str, body: dict[str, Any]) -> Any:
    return gateway.post("/aws", headers={**AMZ_JSON, "x-amz-target": f"Transcribe.{operation}"}, json=body)


def test_fuzz_findings_are_aws_client_errors(gateway: TestClient) -> None:
    no_uri = _transcribe(gateway, "StartTranscriptionJob", {"TranscriptionJobName": "fz", "Media": {}})
    assert no_uri.status_code == 400 and no_uri.json()["__type"] == "BadRequestException"
    for token in ("9" * 5000, "²", "-1"):  # was a 500: int() of 5,000 digits, and "²".isdigit()
        listing = _transcribe(gateway, "ListTranscriptionJobs", {"NextToken": token})
        assert listing.status_code == 400 and listing.json()["__type"] == "BadRequestException", token
    assert _transcribe(gateway, "ListTranscriptionJobs", {"NextToken": "0"}).status_code == 200
    status = _transcribe(gateway, "ListMedicalTranscriptionJobs", {"Status": "AAA"})  # was echoed back, off-enum
    assert status.status_code == 400 and "COMPLETED" in status.json()["message"]
    lex = "/aws/bots/CLINICBOT0/botAliases/TSTALIASID/botLocales/en_US/sessions/{}/text"
    for session in ("0" * 101, "a%0Ab"):  # was taken, and the 101 characters echoed back (the model says 2-100)
        long_id = gateway.post(lex.format(session), json={"text": "hello"})
        assert long_id.status_code == 400 and long_id.json()["__type"] == "ValidationException"
    newline = gateway.get("/aws/v1/lexicons/a%0Ab")  # was the gateway's own 404: Starlette's path stops at \n
    assert newline.status_code == 404 and newline.json()["__type"] == "LexiconNotFoundException"
