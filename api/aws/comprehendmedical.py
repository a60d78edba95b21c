"""Amazon Comprehend Medical onto asr.medical's entity layer (drug and condition lexicons with ICD-10-CM codes,
dose/route/frequency/duration attributes, negation, PHI rules): DetectEntitiesV2, InferICD10CM, DetectPHI.

InferRxNorm is not offered: our drug list carries no RxNorm concept ids, and inventing them would be dishonest."""

from __future__ import annotations

from typing import Any

from api.aws.context import AwsContext
from api.aws.protocol import AwsError
from asr.medical import Entity, detect_entities

MAX_TEXT_CHARS = 20_000
MODEL_VERSION = "voxgate-medical-1"


def _text(p: dict[str, Any]) -> str:
    if len(p["Text"]) > MAX_TEXT_CHARS:
        raise AwsError(
            "TextSizeLimitExceededException", f"at most {MAX_TEXT_CHARS} characters per request; got {len(p['Text'])}"
        )
    return p["Text"]


def _entity(entity: Entity, next_id: list[int]) -> dict[str, Any]:
    attributes = []
    for attribute in entity.attributes:
        next_id[0] += 1
        attributes.append(
            {
                "Type": attribute.type,
                "Score": attribute.score,
                "RelationshipScore": attribute.score,
                "RelationshipType": "DOSAGE" if attribute.type == "DOSAGE" else attribute.type,
                "Id": next_id[0],
                "BeginOffset": attribute.begin_offset,
                "EndOffset": attribute.end_offset,
                "Text": attribute.text,
                "Category": entity.category,
                "Traits": [],
            }
        )
    return {
        "Id": entity.id,
        "BeginOffset": entity.begin_offset,
        "EndOffset": entity.end_offset,
        "Score": entity.score,
        "Text": entity.text,
        "Category": entity.category,
        "Type": entity.type,
        "Traits": [{"Name": t, "Score": entity.score} for t in entity.traits],
        "Attributes": attributes,
    }


def _entities(text: str, phi: bool = True) -> list[Entity]:
    return detect_entities(text, phi=phi)


def detect_entities_v2(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    entities = _entities(_text(p))
    next_id = [len(entities)]
    return {
        "Entities": [_entity(e, next_id) for e in entities],
        "UnmappedAttributes": [],
        "ModelVersion": MODEL_VERSION,
    }


def detect_phi(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    entities = [e for e in _entities(_text(p)) if e.category == "PROTECTED_HEALTH_INFORMATION"]
    next_id = [max((e.id for e in entities), default=0)]
    return {"Entities": [_entity(e, next_id) for e in entities], "ModelVersion": MODEL_VERSION}


def infer_icd10_cm(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    conditions = [e for e in _entities(_text(p), phi=False) if e.category == "MEDICAL_CONDITION"]
    return {
        "Entities": [
            {
                "Id": e.id,
                "Text": e.text,
                "Category": "MEDICAL_CONDITION",
                "Type": "DX_NAME",
                "Score": e.score,
                "BeginOffset": e.begin_offset,
                "EndOffset": e.end_offset,
                "Attributes": [],
                "Traits": [{"Name": t, "Score": e.score} for t in e.traits],
                "ICD10CMConcepts": [
                    {"Description": c.description, "Code": c.code, "Score": c.score} for c in e.icd10cm_concepts
                ],
            }
            for e in conditions
        ],
        "ModelVersion": MODEL_VERSION,
    }


def infer_rx_norm(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    raise AwsError(
        "InvalidRequestException",
        "InferRxNorm is not offered by voxgate: its drug list has no RxNorm "
        "concept ids (DetectEntitiesV2 finds the medications with their dose, route and frequency)",
    )


OPERATIONS = {
    "DetectEntitiesV2": detect_entities_v2,
    "DetectPHI": detect_phi,
    "InferICD10CM": infer_icd10_cm,
    "InferRxNorm": infer_rx_norm,
}
