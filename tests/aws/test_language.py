"""Translate, Comprehend and Comprehend Medical through boto3 (json 1.1, X-Amz-Target), raw json 1.1 errors, and the
rpc-v2-cbor protocol the same models list, written and read by botocore's own CBOR serialiser and parser."""

from __future__ import annotations

import json

import pytest

from tests.aws.conftest import NO_BOTO3

pytest.importorskip("boto3", reason=NO_BOTO3)
from botocore.exceptions import ClientError

TERMS = b"en,es\nappointment,cita previa\nco-pay,copago\n"


def test_translate_text_auto_source_and_terminology(aws) -> None:
    translate = aws("translate")
    plain = translate.translate_text(Text="The house is big.", SourceLanguageCode="auto", TargetLanguageCode="es")
    assert plain["SourceLanguageCode"] == "en" and plain["TargetLanguageCode"] == "es"
    assert "casa" in plain["TranslatedText"].lower()
    props = translate.import_terminology(
        Name="clinic-terms", MergeStrategy="OVERWRITE", TerminologyData={"File": TERMS, "Format": "CSV"}
    )["TerminologyProperties"]
    assert props["TermCount"] == 2 and props["SourceLanguageCode"] == "en" and props["TargetLanguageCodes"] == ["es"]
    text = "Your co-pay is due at the appointment."
    answer = translate.translate_text(
        Text=text, SourceLanguageCode="en", TargetLanguageCode="es", TerminologyNames=["clinic-terms"]
    )
    assert "copago" in answer["TranslatedText"] and "cita previa" in answer["TranslatedText"]
    applied = answer["AppliedTerminologies"][0]
    assert applied["Name"] == "clinic-terms" and {t["SourceText"] for t in applied["Terms"]} == {
        "co-pay",
        "appointment",
    }
    assert "clinic-terms" in [t["Name"] for t in translate.list_terminologies()["TerminologyPropertiesList"]]
    assert (
        translate.get_terminology(Name="clinic-terms", TerminologyDataFormat="CSV")["TerminologyProperties"][
            "TermCount"
        ]
        == 2
    )
    translate.delete_terminology(Name="clinic-terms")
    with pytest.raises(translate.exceptions.ResourceNotFoundException):
        translate.translate_text(
            Text=text, SourceLanguageCode="en", TargetLanguageCode="es", TerminologyNames=["clinic-terms"]
        )


def test_translate_languages_document_and_errors(aws) -> None:
    translate = aws("translate")
    codes = {lang["LanguageCode"]: lang["LanguageName"] for lang in translate.list_languages()["Languages"]}
    assert codes["es"] == "Spanish" and "en" in codes
    html = b"<p>The <b>dog</b> is black.</p>"
    doc = translate.translate_document(
        Document={"Content": html, "ContentType": "text/html"}, SourceLanguageCode="en", TargetLanguageCode="es"
    )
    out = doc["TranslatedDocument"]["Content"].decode()
    assert out.startswith("<p>") and "<b>" in out and "perro" in out.lower()
    with pytest.raises(translate.exceptions.UnsupportedLanguagePairException):
        translate.translate_text(Text="Hallo", SourceLanguageCode="de", TargetLanguageCode="ja")
    with pytest.raises(translate.exceptions.TextSizeLimitExceededException) as err:
        translate.translate_text(Text="word " * 2500, SourceLanguageCode="en", TargetLanguageCode="es")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_comprehend_sentiment_pii_language(aws) -> None:
    comprehend = aws("comprehend")
    happy = comprehend.detect_sentiment(Text="Thank you so much, the nurse was wonderful!", LanguageCode="en")
    assert happy["Sentiment"] == "POSITIVE" and happy["SentimentScore"]["Positive"] > 0.5
    batch = comprehend.batch_detect_sentiment(
        TextList=["This is terrible, I am furious.", "x" * 6000], LanguageCode="en"
    )
    assert [r["Index"] for r in batch["ResultList"]] == [0] and batch["ResultList"][0]["Sentiment"] == "NEGATIVE"
    assert [e["Index"] for e in batch["ErrorList"]] == [1]
    text = "Call John Smith at 555-123-4567 or mail john.smith@example.com."
    entities = comprehend.detect_pii_entities(Text=text, LanguageCode="en")["Entities"]
    found = {e["Type"]: text[e["BeginOffset"] : e["EndOffset"]] for e in entities}
    assert found.get("NAME") == "John Smith" and found.get("EMAIL") == "john.smith@example.com"
    assert "555-123-4567" in found.get("PHONE", "")
    labels = {label["Name"] for label in comprehend.contains_pii_entities(Text=text, LanguageCode="en")["Labels"]}
    assert {"NAME", "EMAIL", "PHONE"} <= labels
    languages = comprehend.detect_dominant_language(Text="Hola, ¿cómo estás? Me duele la cabeza.")["Languages"]
    assert languages[0]["LanguageCode"] == "es" and 0 < languages[0]["Score"] <= 1
    with pytest.raises(comprehend.exceptions.UnsupportedLanguageException):
        comprehend.detect_sentiment(Text="Das ist gut.", LanguageCode="de")
    text = "Dr. Sarah Chen of Riverside Clinic in Boston saw the patient on March 3, 2024 for high blood pressure."
    entities = {e["Text"]: e["Type"] for e in comprehend.detect_entities(Text=text, LanguageCode="en")["Entities"]}
    assert entities["Sarah Chen"] == "PERSON" and entities["Riverside Clinic"] == "ORGANIZATION"
    assert entities["Boston"] == "LOCATION" and entities["March 3, 2024"] == "DATE"
    phrases = comprehend.detect_key_phrases(Text=text, LanguageCode="en")["KeyPhrases"]
    assert "high blood pressure" in [k["Text"] for k in phrases]
    assert all(text[k["BeginOffset"] : k["EndOffset"]] == k["Text"] for k in phrases)
    with pytest.raises(comprehend.exceptions.UnsupportedLanguageException):
        comprehend.detect_key_phrases(Text="Une phrase clé.", LanguageCode="fr")
    with pytest.raises(comprehend.exceptions.TextSizeLimitExceededException):
        comprehend.detect_sentiment(Text="good " * 1200, LanguageCode="en")


def test_comprehend_medical(aws) -> None:
    medical = aws("comprehendmedical")
    text = "Patient denies chest pain. Started metformin 500 mg twice a day for type 2 diabetes."
    entities = medical.detect_entities_v2(Text=text)["Entities"]
    drug = next(e for e in entities if e["Category"] == "MEDICATION")
    assert drug["Text"].lower() == "metformin" and text[drug["BeginOffset"] : drug["EndOffset"]] == drug["Text"]
    assert {"DOSAGE", "FREQUENCY"} <= {a["Type"] for a in drug["Attributes"]}
    icd = medical.infer_icd10_cm(Text=text)["Entities"]
    diabetes = next(e for e in icd if "diabetes" in e["Text"].lower())
    assert diabetes["ICD10CMConcepts"][0]["Code"].startswith("E11")
    chest = next(e for e in icd if "chest pain" in e["Text"].lower())
    assert "NEGATION" in [t["Name"] for t in chest["Traits"]]
    phi = medical.detect_phi(Text="Mary Jones, 67 years old, phone 555-987-6543.")["Entities"]
    assert phi and all(e["Category"] == "PROTECTED_HEALTH_INFORMATION" for e in phi)
    with pytest.raises(ClientError) as err:
        medical.infer_rx_norm(Text=text)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"


def test_json_1_1_protocol(gateway) -> None:
    """The older wire protocol: the body JSON, the operation in X-Amz-Target; errors carry __type."""
    headers = {
        "X-Amz-Target": "Comprehend_20171127.DetectDominantLanguage",
        "Content-Type": "application/x-amz-json-1.1",
    }
    answer = gateway.post("/aws/", headers=headers, content=json.dumps({"Text": "The weather is lovely today."}))
    assert answer.status_code == 200 and answer.headers["x-amzn-requestid"]
    assert answer.json()["Languages"][0]["LanguageCode"] == "en"
    bad = gateway.post("/aws/", headers=headers, content=b"{not json")
    assert bad.status_code == 400 and bad.json()["__type"] == "SerializationException"
    missing = gateway.post("/aws/", headers=headers, content=b"{}")
    assert missing.status_code == 400 and missing.json()["__type"] == "ValidationException"
    assert "Text" in missing.json()["message"]


def test_rpc_v2_cbor_protocol(gateway) -> None:
    from botocore.parsers import RpcV2CBORParser
    from botocore.serialize import RpcV2CBORSerializer

    from api.aws.protocol import service_model

    operation = service_model("comprehend").operation_model("DetectDominantLanguage")
    request = RpcV2CBORSerializer().serialize_to_request({"Text": "Buenos días, doctora."}, operation)
    answer = gateway.post("/aws" + request["url_path"], headers=request["headers"], content=request["body"])
    assert answer.status_code == 200 and answer.headers["smithy-protocol"] == "rpc-v2-cbor"
    parsed = RpcV2CBORParser().parse(
        {"body": answer.content, "headers": answer.headers, "status_code": 200}, operation.output_shape
    )
    assert parsed["Languages"][0]["LanguageCode"] == "es"
    empty = RpcV2CBORSerializer().serialize_to_request({}, operation)
    error = gateway.post("/aws" + empty["url_path"], headers=empty["headers"], content=empty["body"])
    parsed = RpcV2CBORParser().parse(
        {"body": error.content, "headers": error.headers, "status_code": 400}, operation.output_shape
    )
    assert error.status_code == 400 and parsed["Error"]["Code"] == "ValidationException"
