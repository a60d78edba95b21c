"""Amazon Translate onto nlp.translate: TranslateText (terminologies are our glossaries, `auto` source),
ListLanguages, terminologies (ImportTerminology / Get / List / Delete onto the glossary store), TranslateDocument
for text/plain and text/html."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import nlp
from api.aws.context import AwsContext
from api.aws.protocol import AwsError
from api.stores.glossaries import GlossaryStore
from api.translation import LANGUAGE_NAMES
from nlp.translate import TranslationError, UnsupportedPair, parse_glossary
from workers import Priority

MAX_TEXT_BYTES = 10_000
MAX_DOCUMENT_BYTES = 100 * 1024
TERMINOLOGY_NAME = re.compile(r"^[A-Za-z0-9-]{1,256}$")


def _glossary(ctx: AwsContext, names: list[str] | None) -> nlp.Glossary | None:
    if not names:
        return None
    if len(names) > 1:
        raise AwsError("InvalidRequestException", "at most one terminology per request")
    glossary = GlossaryStore(ctx.engine).get(names[0])
    if glossary is None:
        raise AwsError("ResourceNotFoundException", f"The resource {names[0]} does not exist")
    return glossary


def _translate(ctx: AwsContext, p: dict[str, Any], text: str, fmt: str) -> dict[str, Any]:
    if p.get("Settings"):
        raise AwsError("InvalidRequestException", "Settings (formality, profanity, brevity) are not offered")
    glossary = _glossary(ctx, p.get("TerminologyNames"))
    source, target = p["SourceLanguageCode"], p["TargetLanguageCode"]
    try:
        result = nlp.translate(
            text,
            target,
            source,
            pool=ctx.pool,
            model_dir=str(ctx.settings.model_dir / "ct2"),
            glossary=glossary,
            fmt=fmt,
            priority=Priority.INTERACTIVE,
        )
    except UnsupportedPair as exc:
        raise AwsError(
            "UnsupportedLanguagePairException",
            str(exc),
            fields={"SourceLanguageCode": source, "TargetLanguageCode": target},
        ) from exc
    except TranslationError as exc:
        if exc.param == "source":
            raise AwsError("DetectedLanguageLowConfidenceException", str(exc)) from exc
        raise AwsError("InvalidRequestException", str(exc)) from exc
    out: dict[str, Any] = {
        "translated": result.translations[0],
        "SourceLanguageCode": result.source,
        "TargetLanguageCode": result.target,
    }
    if glossary is not None:
        lowered = text.lower()
        terms = [
            {"SourceText": e.source, "TargetText": e.target}
            for e in glossary.entries
            if re.search(rf"(?<!\w){re.escape(e.source.lower())}(?!\w)", lowered)
        ]
        out["AppliedTerminologies"] = [{"Name": glossary.name, "Terms": terms}]
    return out


def translate_text(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    size = len(p["Text"].encode())
    if size > MAX_TEXT_BYTES:
        raise AwsError(
            "TextSizeLimitExceededException",
            f"Input text size exceeds limit. Max length of request text allowed is {MAX_TEXT_BYTES} bytes "
            f"while in this request the text size is {size} bytes",
        )
    out = _translate(ctx, p, p["Text"], "text")
    out["TranslatedText"] = out.pop("translated")
    return out


def translate_document(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    document = p["Document"]
    kinds = {"text/plain": "text", "text/html": "html"}
    if document["ContentType"] not in kinds:
        raise AwsError(
            "InvalidRequestException",
            f"ContentType {document['ContentType']!r} is not offered; use text/plain or text/html",
        )
    if len(document["Content"]) > MAX_DOCUMENT_BYTES:
        raise AwsError("LimitExceededException", f"documents are at most {MAX_DOCUMENT_BYTES} bytes")
    try:
        text = document["Content"].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AwsError("InvalidRequestException", "the document is not UTF-8") from exc
    out = _translate(ctx, p, text, kinds[document["ContentType"]])
    out["TranslatedDocument"] = {"Content": out.pop("translated").encode()}
    return out


def list_languages(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    display = p.get("DisplayLanguageCode", "en")
    if display != "en":
        raise AwsError(
            "UnsupportedDisplayLanguageCodeException",
            "language names are given in English only",
            fields={"DisplayLanguageCode": display},
        )
    codes = sorted(set(nlp.languages()) | {t for ts in nlp.languages().values() for t in ts})
    return {
        "Languages": [{"LanguageCode": c, "LanguageName": LANGUAGE_NAMES.get(c, c)} for c in codes],
        "DisplayLanguageCode": "en",
    }


# -- terminologies: our glossaries ---------------------------------------------------------------------------------


def _aws_csv(data: bytes, delimiter: str) -> tuple[bytes, str, str]:
    """AWS's CSV/TSV terminology: a header of language codes, then one term per column. Ours: source,target rows."""
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise AwsError("InvalidParameterValueException", f"the terminology file cannot be read: {exc}") from exc
    if len(rows) < 2 or len(rows[0]) < 2:
        raise AwsError("InvalidParameterValueException", "a terminology needs a header of language codes and terms")
    source, target = rows[0][0].strip(), rows[0][1].strip()
    body = io.StringIO()
    csv.writer(body).writerows(r[:2] for r in rows[1:] if len(r) >= 2)
    return body.getvalue().encode(), source, target


def _properties(ctx: AwsContext, name: str) -> dict[str, Any]:
    row = next((g for g in GlossaryStore(ctx.engine).list() if g["name"] == name), None)
    if row is None:
        raise AwsError("ResourceNotFoundException", f"The resource {name} does not exist")
    return {
        "Name": name,
        "Arn": f"arn:aws:translate:{ctx.region}:{ctx.account}:terminology/{name}/LATEST",
        "SourceLanguageCode": row["source"],
        "TargetLanguageCodes": [row["target"]] if row["target"] else [],
        "TermCount": row["entries"],
        "CreatedAt": row["modified"],
        "LastUpdatedAt": row["modified"],
        "Directionality": "UNI",
        "Format": "CSV",
    }


def import_terminology(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    name, data = p["Name"], p["TerminologyData"]
    if not TERMINOLOGY_NAME.match(name):
        raise AwsError("InvalidParameterValueException", "terminology names are letters, digits and '-'")
    fmt = data["Format"]
    if data.get("Directionality") == "MULTI":
        raise AwsError("InvalidParameterValueException", "MULTI directionality is not offered; use UNI")
    if fmt in ("CSV", "TSV"):
        content, source, target = _aws_csv(data["File"], "," if fmt == "CSV" else "\t")
        filename = "terms.csv"
    elif fmt == "TMX":
        content, source, target, filename = data["File"], None, None, "terms.tmx"
    else:
        raise AwsError("InvalidParameterValueException", f"Format {fmt!r}: use CSV, TSV or TMX")
    try:
        glossary = parse_glossary(name, filename, content, source, target)
    except TranslationError as exc:
        raise AwsError("InvalidParameterValueException", str(exc)) from exc
    GlossaryStore(ctx.engine).put(glossary)
    return {"TerminologyProperties": _properties(ctx, name)}


def get_terminology(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    properties = _properties(ctx, p["Name"])
    return {
        "TerminologyProperties": properties,
        "TerminologyDataLocation": {"RepositoryType": "voxgate", "Location": ctx.url(f"/v1/glossaries/{p['Name']}")},
    }


def list_terminologies(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"TerminologyPropertiesList": [_properties(ctx, g["name"]) for g in GlossaryStore(ctx.engine).list()]}


def delete_terminology(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    if not GlossaryStore(ctx.engine).delete(p["Name"]):
        raise AwsError("ResourceNotFoundException", f"The resource {p['Name']} does not exist")
    return {}


OPERATIONS = {
    "TranslateText": translate_text,
    "TranslateDocument": translate_document,
    "ListLanguages": list_languages,
    "ImportTerminology": import_terminology,
    "GetTerminology": get_terminology,
    "ListTerminologies": list_terminologies,
    "DeleteTerminology": delete_terminology,
}
