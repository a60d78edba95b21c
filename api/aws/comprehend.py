"""Amazon Comprehend onto nlp: sentiment (one and batch), PII entities and labels, dominant language, entities and
key phrases (spaCy's small English pipeline: no per-entity Score, which that model does not give)."""

from __future__ import annotations

from typing import Any

import nlp
from api.aws.context import AwsContext
from api.aws.protocol import AwsError
from workers import Priority

MAX_TEXT_BYTES = 5000  # Comprehend's limit for the synchronous operations
MAX_PII_BYTES = 100_000
MAX_BATCH = 25
ENGLISH = ("en",)
# our PII types -> Comprehend's (most are the same names already)
PII_TYPES = {"ACCOUNT_NUMBER": "BANK_ACCOUNT_NUMBER"}


def _text(p: dict[str, Any], limit: int = MAX_TEXT_BYTES) -> str:
    size = len(p["Text"].encode())
    if size > limit:
        raise AwsError(
            "TextSizeLimitExceededException",
            f"Input text size exceeds limit. Max length of request text allowed is {limit} bytes while in "
            f"this request the text size is {size} bytes",
        )
    return p["Text"]


def _english(p: dict[str, Any]) -> None:
    if p.get("LanguageCode") not in ENGLISH:
        raise AwsError(
            "UnsupportedLanguageException",
            f"language {p.get('LanguageCode')!r} is not supported; "
            "voxgate's sentiment and PII engines read English (en)",
        )


def _sentiment(result: nlp.SentimentResult) -> dict[str, Any]:
    return {"Sentiment": result.label, "SentimentScore": result.scores.model_dump()}


def detect_sentiment(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    _english(p)
    text = _text(p)
    return _sentiment(nlp.detect_sentiment([text], ctx.pool, Priority.INTERACTIVE)[0])


def batch_detect_sentiment(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    _english(p)
    texts = p["TextList"]
    if len(texts) > MAX_BATCH:
        raise AwsError("BatchSizeLimitExceededException", f"at most {MAX_BATCH} documents per batch")
    good = [(i, t) for i, t in enumerate(texts) if t.strip() and len(t.encode()) <= MAX_TEXT_BYTES]
    errors = [
        {
            "Index": i,
            "ErrorCode": "TEXT_SIZE_LIMIT_EXCEEDED" if t.strip() else "INVALID_REQUEST",
            "ErrorMessage": f"documents are 1 to {MAX_TEXT_BYTES} bytes",
        }
        for i, t in enumerate(texts)
        if (i, t) not in good
    ]
    results = nlp.detect_sentiment([t for _, t in good], ctx.pool, Priority.INTERACTIVE) if good else []
    return {
        "ResultList": [{"Index": i, **_sentiment(r)} for (i, _), r in zip(good, results, strict=True)],
        "ErrorList": errors,
    }


def _pii(ctx: AwsContext, p: dict[str, Any]) -> list[dict[str, Any]]:
    _english(p)
    text = _text(p, MAX_PII_BYTES)
    found = nlp.detect_pii([text], ctx.pool, Priority.INTERACTIVE)[0]
    return [
        {"Type": PII_TYPES.get(e.type, e.type), "Score": e.score, "BeginOffset": e.start, "EndOffset": e.end}
        for e in found
    ]


def detect_pii_entities(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"Entities": _pii(ctx, p)}


def contains_pii_entities(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    best: dict[str, float] = {}
    for entity in _pii(ctx, p):
        best[entity["Type"]] = max(best.get(entity["Type"], 0.0), entity["Score"])
    return {"Labels": [{"Name": name, "Score": score} for name, score in sorted(best.items())]}


def detect_dominant_language(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    text = _text(p)
    detections = nlp.detect(text, top=3, pool=ctx.pool, priority=Priority.INTERACTIVE)[0]
    return {"Languages": [{"LanguageCode": d.language, "Score": round(d.confidence / 100, 4)} for d in detections]}


def _spans_input(p: dict[str, Any]) -> str:
    if p.get("Bytes") or p.get("EndpointArn") or p.get("DocumentReaderConfig"):
        raise AwsError(
            "InvalidRequestException",
            "documents (Bytes) and custom endpoints are not offered; send Text",
            fields={"Reason": "INVALID_DOCUMENT"},
        )
    if "Text" not in p:
        raise AwsError("InvalidRequestException", "Text is required")
    _english(p)
    return _text(p)


def detect_entities(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    found = nlp.detect_entities([_spans_input(p)], ctx.pool, Priority.INTERACTIVE)[0]
    return {"Entities": [{"Type": e.type, "Text": e.text, "BeginOffset": e.start, "EndOffset": e.end} for e in found]}


def detect_key_phrases(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    found = nlp.key_phrases([_spans_input(p)], ctx.pool, Priority.INTERACTIVE)[0]
    return {"KeyPhrases": [{"Text": e.text, "BeginOffset": e.start, "EndOffset": e.end} for e in found]}


OPERATIONS = {
    "DetectSentiment": detect_sentiment,
    "BatchDetectSentiment": batch_detect_sentiment,
    "DetectPiiEntities": detect_pii_entities,
    "ContainsPiiEntities": contains_pii_entities,
    "DetectDominantLanguage": detect_dominant_language,
    "DetectEntities": detect_entities,
    "DetectKeyPhrases": detect_key_phrases,
}
