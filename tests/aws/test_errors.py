"""Bad input through boto3 and raw HTTP: each answer the AWS error code a client expects, 4xx, never a 500;
SigV4 verification when access keys are configured."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.aws.conftest import NO_BOTO3

pytest.importorskip("boto3", reason=NO_BOTO3)
from botocore.exceptions import ClientError
from fastapi.testclient import TestClient

from api.app import create_app
from tests.aws.conftest import aws_settings, make_client


def code_and_status(err: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    return err.value.response["Error"]["Code"], err.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_bad_input_gets_aws_errors(aws) -> None:
    polly = aws("polly")
    with pytest.raises(ClientError) as err:
        polly.synthesize_speech(Text="x" * 3001, VoiceId="Matthew", OutputFormat="mp3")
    assert code_and_status(err) == ("TextLengthExceededException", 400)
    with pytest.raises(ClientError) as err:
        polly.synthesize_speech(Text="Hello", VoiceId="Nobody", OutputFormat="mp3")
    assert code_and_status(err) == ("ValidationException", 400)
    with pytest.raises(ClientError) as err:
        polly.synthesize_speech(Text="<speak>unclosed", TextType="ssml", VoiceId="Matthew", OutputFormat="mp3")
    assert code_and_status(err) == ("InvalidSsmlException", 400)
    with pytest.raises(ClientError) as err:
        aws("transcribe").get_medical_transcription_job(MedicalTranscriptionJobName="never-started")
    assert code_and_status(err) == ("BadRequestException", 400)
    with pytest.raises(ClientError) as err:
        aws("comprehend").detect_syntax(Text="Not offered.", LanguageCode="en")
    assert code_and_status(err) == ("UnknownOperationException", 400)
    with pytest.raises(ClientError) as err:  # this gateway has no bots module
        aws("lexv2-runtime").recognize_utterance(
            botId="CLINICBOT0", botAliasId="TSTALIASID", localeId="en_US", sessionId="voice-1",
            requestContentType="audio/l16; rate=16000; channels=1", inputStream=bytes(3200))  # fmt: skip
    assert code_and_status(err) == ("DependencyFailedException", 424)


def test_malformed_bodies_and_unknown_routes(gateway) -> None:
    cbor = {"smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor"}
    bad = gateway.post("/aws/service/Textract/operation/DetectDocumentText", headers=cbor, content=b"\xff\x00")
    assert bad.status_code == 400 and bad.headers["x-amzn-errortype"] == "SerializationException"
    unknown = gateway.post("/aws/service/Nope/operation/Anything", headers=cbor, content=b"")
    assert unknown.status_code == 400 and unknown.headers["x-amzn-errortype"] == "UnknownOperationException"
    rest = gateway.post("/aws/v1/speech", content=b"{broken", headers={"content-type": "application/json"})
    assert rest.status_code == 400 and rest.json()["__type"] == "SerializationException"
    nowhere = gateway.get("/aws/v2/nothing-here")
    assert nowhere.status_code == 404 and nowhere.json()["__type"] == "UnknownOperationException"
    assert nowhere.headers["x-amzn-requestid"]


@pytest.fixture(scope="module")
def signed_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = aws_settings(
        tmp_path_factory.mktemp("aws-signed"),
        modules=["aws", "nlp", "translate", "tts"],
        aws={"credentials": {"AKIDVOXGATE": "s3cret"}},
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_sigv4_verified_when_keys_are_configured(signed_gateway) -> None:
    good = make_client(signed_gateway, "comprehend", key="AKIDVOXGATE", secret="s3cret")
    assert good.detect_dominant_language(Text="Good morning, doctor.")["Languages"][0]["LanguageCode"] == "en"
    # rest-json: the signature covers the URI path (with its parameter) and the query string
    polly = make_client(signed_gateway, "polly", key="AKIDVOXGATE", secret="s3cret")
    voices = polly.describe_voices(LanguageCode="en-GB", Engine="standard")["Voices"]
    assert voices and {v["LanguageCode"] for v in voices} == {"en-GB"}
    with pytest.raises(polly.exceptions.LexiconNotFoundException):
        polly.get_lexicon(Name="missing1")
    with pytest.raises(ClientError) as err:
        make_client(signed_gateway, "comprehend", key="AKIDVOXGATE", secret="wrong").detect_dominant_language(
            Text="Good morning, doctor."
        )
    assert code_and_status(err) == ("InvalidSignatureException", 403)
    with pytest.raises(ClientError) as err:
        make_client(signed_gateway, "comprehend", key="AKIDUNKNOWN", secret="s3cret").detect_dominant_language(
            Text="Good morning, doctor."
        )
    assert code_and_status(err) == ("UnrecognizedClientException", 403)
    unsigned = signed_gateway.post(
        "/aws/", content=b"{}", headers={"X-Amz-Target": "Comprehend_20171127.DetectDominantLanguage"}
    )
    assert unsigned.status_code == 403 and unsigned.json()["__type"] == "MissingAuthenticationTokenException"


def test_sigv4_tampering_and_clock_skew(signed_gateway) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    def signed(body: bytes, when: dt.datetime | None = None) -> dict[str, str]:
        request = AWSRequest(
            "POST",
            "http://testserver/aws/",
            data=body,
            headers={
                "X-Amz-Target": "Comprehend_20171127.DetectDominantLanguage",
                "Content-Type": "application/x-amz-json-1.1",
            },
        )
        signer = SigV4Auth(Credentials("AKIDVOXGATE", "s3cret"), "comprehend", "us-east-1")
        if when is None:
            signer.add_auth(request)
        else:  # what add_auth does, at another time
            request.context["timestamp"] = request.headers["X-Amz-Date"] = when.strftime("%Y%m%dT%H%M%SZ")
            canonical = signer.canonical_request(request)
            signer._inject_signature_to_request(
                request, signer.signature(signer.string_to_sign(request, canonical), request)
            )
        return dict(request.headers.items())

    body = b'{"Text": "Good morning, doctor."}'
    ok = signed_gateway.post("/aws/", content=body, headers=signed(body))
    assert ok.status_code == 200, ok.text
    tampered = signed_gateway.post("/aws/", content=b'{"Text": "Bonjour docteur."}', headers=signed(body))
    assert tampered.status_code == 403 and tampered.json()["__type"] == "InvalidSignatureException"
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    stale = signed_gateway.post("/aws/", content=body, headers=signed(body, old))
    assert stale.status_code == 403 and "Signature expired" in stale.json()["message"]


def test_gateway_keys_without_aws_credentials_refuse_aws_clients(tmp_path) -> None:
    settings = aws_settings(tmp_path, modules=["aws", "nlp"])
    settings.api_keys = ["gateway-key"]
    with TestClient(create_app(settings)) as client:
        with pytest.raises(ClientError) as err:
            make_client(client, "comprehend").detect_dominant_language(Text="Good morning.")
        assert code_and_status(err) == ("UnrecognizedClientException", 403)
        assert "VOXGATE_AWS_CREDENTIALS" in err.value.response["Error"]["Message"]
