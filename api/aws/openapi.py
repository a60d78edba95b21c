"""The AWS operations in the gateway's OpenAPI document, generated from what serves them, so the two cannot drift:
`api.aws.services` (which services are offered, each adapter's OPERATIONS table) and botocore's service models
(members, types, required members, locations, error codes and their statuses), which `api.aws.protocol` parses
requests against and writes answers by. Nothing here names an operation or a field except the media types of
the binary payloads (Polly's audio out, Lex's audio in and out) and the AWS enums voxgate takes more or fewer
values of (OPEN_ENUMS, NARROWED_ENUMS), all read from the adapters' own constants or said once here.

OpenAPI allows one operation per method and path, and the json 1.1 protocol puts every operation on `POST /aws`
with the operation in the `X-Amz-Target` header. Each json operation is therefore documented at
`POST /aws/json/<target>`, which the gateway serves (`Protocol.resolve`: the header is still required and must
name the same target); AWS SDKs keep posting to `/aws`. The smithy-rpc-v2-cbor form of the same operations
(`POST /aws/service/<prefix>/operation/<name>`) is left out: JSON Schema cannot describe a CBOR body.

Bounds: botocore checks required members and the minimums (`min`), so those are in the schemas; enums, maximums
and patterns are AWS's documentation of what it accepts (adapters check the ones they rely on), so enums and
maximums are kept and AWS's regular expressions, written for Java, are not.
"""

from __future__ import annotations

import importlib
import logging
import re
from typing import Any

from botocore.model import OperationModel, Shape

from api.aws.protocol import COMMON_ERRORS, JSON_PATH, Protocol, service_model
from api.aws.services import SERVICES, operations
from api.settings import Settings

log = logging.getLogger(__name__)
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
GATEWAY_ERROR = "#/components/schemas/ErrorBody"  # what the middlewares answer (413 body too large, 503 overloaded)
MIDDLEWARE_STATUSES = (413, 503)
# AWS enums voxgate does not keep to: (service, shape) -> what it takes and answers instead.
OPEN_ENUMS = {
    ("polly", "VoiceId"): "a Polly voice name (mapped to a voxgate voice) or a voxgate voice id (DescribeVoices)",
}
# AWS enums voxgate serves only part of: (service, shape) -> "adapter:CONSTANT" with the values it accepts.
NARROWED_ENUMS = {("comprehend", "LanguageCode"): "api.aws.comprehend:ENGLISH"}
# Examples of path, query and header values, per service: "module:fn(settings) -> {wire name: [values]}".
EXAMPLES = {"lexv2-runtime": "api.aws.lex:example_ids"}
# Media types of the binary payloads: (service, operation, "in" | "out") -> "module:CONSTANT", read when listed.
BLOB_MEDIA = {
    ("polly", "SynthesizeSpeech", "out"): "api.aws.polly:MEDIA_TYPES",
    ("lexv2-runtime", "RecognizeUtterance", "in"): "api.aws.lex:AUDIO_INPUTS",
    ("lexv2-runtime", "RecognizeUtterance", "out"): "api.aws.lex:AUDIO_OUTPUTS",
}
STATUS_TEXT = {
    400: "the request does not fit the operation (the AWS error code in __type and x-amzn-ErrorType says why)",
    403: "a signature is missing or wrong (with VOXGATE_AWS_CREDENTIALS), or AWS clients are not configured",
    404: "the named resource does not exist",
    409: "the resource is in a state that refuses the request",
    413: "the body is over the gateway's document limit",
    424: "a service this one depends on (the bots' Rasa servers) cannot answer",
    429: "over the rate limit",
    503: "a model or engine cannot serve now (loading, busy, overloaded): retry later",
}
AWS_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["__type", "message"],
    "properties": {
        "__type": {"type": "string", "description": "the AWS error code (also the x-amzn-ErrorType header)"},
        "message": {"type": "string"},
    },
}
REQUEST_ID = {"x-amzn-RequestId": {"schema": {"type": "string"}, "description": "the gateway's request id"}}


def document(prefix: str, settings: Settings) -> dict[str, Any]:
    """{"paths": ..., "components": {"schemas": ...}} for the offered AWS operations mounted at `prefix`."""
    proto = Protocol([s.name for s in SERVICES])
    schemas: dict[str, Any] = {"AwsError": AWS_ERROR}
    paths: dict[str, dict[str, Any]] = {}
    for service in SERVICES:
        if service.missing():  # the gateway answers UnknownOperationException for all of its operations
            continue
        try:
            served = operations(service.name)
        except ImportError as exc:  # the gateway cannot serve it either (a 500): say so, keep the rest of the document
            log.warning("AWS %s left out of the OpenAPI document: %s", service.name, exc)
            continue
        model = service_model(service.name)
        shapes = _Shapes(service.name, schemas)
        if service.name in EXAMPLES:
            module, _, name = EXAMPLES[service.name].partition(":")
            shapes.examples = getattr(importlib.import_module(module), name)(settings)
        for name in served:
            op = model.operation_model(name)
            if model.protocol == "rest-json":
                path, method, entry = _rest_operation(proto, service.name, op, shapes)
            else:
                path, method, entry = _json_operation(proto, service.name, op, shapes)
            paths.setdefault(prefix + path, {})[method] = entry
    return {"paths": paths, "components": {"schemas": schemas}}


class _Shapes:
    """botocore shapes -> JSON Schema; structures go to components/schemas (they may be recursive)."""

    def __init__(self, service: str, schemas: dict[str, Any]) -> None:
        self.service = service
        self.schemas = schemas
        self.examples: dict[str, list[str]] = {}  # wire name of a path, query or header member -> values

    def ref(self, shape: Shape) -> dict[str, Any]:
        name = f"Aws.{self.service}.{shape.name}"
        if name not in self.schemas:
            self.schemas[name] = {}  # placeholder first: a member may refer back to this structure
            self.schemas[name] = self.structure(shape, shape.members)
        return {"$ref": f"#/components/schemas/{name}"}

    def structure(self, shape: Shape, members: dict[str, Shape]) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object", "properties": {n: self.schema(m) for n, m in members.items()}}
        required = [n for n in shape.required_members if n in members]
        if required:
            schema["required"] = required
        return schema

    def schema(self, shape: Shape) -> dict[str, Any]:
        kind, meta = shape.type_name, shape.metadata
        if kind == "structure":
            return self.ref(shape)
        if kind == "list":
            schema: dict[str, Any] = {"type": "array", "items": self.schema(shape.member)}
            _bounds(schema, meta, "minItems", "maxItems")
        elif kind == "map":
            schema = {"type": "object", "additionalProperties": self.schema(shape.value)}
            _bounds(schema, meta, "minProperties", "maxProperties")
        elif kind == "string":
            schema = {"type": "string"}
            if (self.service, shape.name) in OPEN_ENUMS:
                schema["description"] = OPEN_ENUMS[(self.service, shape.name)]
            elif (self.service, shape.name) in NARROWED_ENUMS:
                schema["enum"] = _constant(NARROWED_ENUMS[(self.service, shape.name)])
            elif shape.enum:
                schema["enum"] = list(shape.enum)
            else:
                _bounds(schema, meta, "minLength", "maxLength")
        elif kind in ("integer", "long"):
            schema = {"type": "integer"}
            _bounds(schema, meta, "minimum", "maximum")
        elif kind in ("float", "double"):
            schema = {"type": "number"}
            _bounds(schema, meta, "minimum", "maximum")
        elif kind == "boolean":
            schema = {"type": "boolean"}
        elif kind == "timestamp":
            schema = {"type": "number", "description": "seconds since the epoch"}
        elif kind == "blob":
            schema = {"type": "string", "format": "byte", "contentEncoding": "base64", "pattern": BASE64}
        else:  # document types and the like: any JSON
            schema = {}
        return schema

    def scalar(self, shape: Shape) -> dict[str, Any]:
        """A member bound to the path, query string or a header: a string on the wire, typed by its shape."""
        if shape.type_name == "list":
            return {"type": "array", "items": self.scalar(shape.member)}
        if shape.type_name == "timestamp":
            return {"type": "string", "format": "date-time"}
        if shape.serialization.get("jsonvalue"):
            return {"type": "string", "description": "JSON, base64-encoded"}
        return self.schema(shape)


def _constant(reference: str) -> list[str]:
    module, _, name = reference.partition(":")
    return list(getattr(importlib.import_module(module), name))


def _binary(service: str, op: OperationModel, direction: str) -> dict[str, Any]:
    media = _constant(BLOB_MEDIA[(service, op.name, direction)])
    return {media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in media}


def _bounds(schema: dict[str, Any], meta: dict[str, Any], low: str, high: str) -> None:
    if "min" in meta:
        schema[low] = meta["min"]
    if "max" in meta:
        schema[high] = meta["max"]


def _summary(service: str, op: OperationModel) -> dict[str, Any]:
    text = re.sub(r"<[^>]+>", "", op.documentation or "").strip()
    first = re.split(r"(?<=\.)\s", text, maxsplit=1)[0][:300]
    return {
        "tags": ["aws"],
        "operationId": f"aws_{service.replace('-', '_')}_{op.name}",
        "summary": f"{service} {op.name}",
        "description": first,
    }


def _errors(proto: Protocol, service: str, op: OperationModel, media_type: str) -> dict[str, Any]:
    """Every status the operation can answer an AWS error with (its model's errors and the ones every AWS service
    may answer, at the statuses `Protocol.error` gives them), and the middlewares' own error bodies."""
    codes = {shape.error_code or shape.name for shape in op.error_shapes} | set(COMMON_ERRORS)
    codes.add("ServiceUnavailableException")
    by_status: dict[int, set[str]] = {}
    for code in codes:
        status = 503 if code == "ServiceUnavailableException" else proto.status_for(service, code)
        if status < 500 or status == 503:  # a 500 (InternalFailure, a model's InternalServerException) is a bug
            by_status.setdefault(status, set()).add(code)
    responses: dict[str, Any] = {}
    for status in sorted(by_status | dict.fromkeys(MIDDLEWARE_STATUSES, set())):
        aws = {"$ref": "#/components/schemas/AwsError"}
        if status in MIDDLEWARE_STATUSES and media_type == "application/json":
            content = {media_type: {"schema": {"anyOf": [aws, {"$ref": GATEWAY_ERROR}]}}}
        elif status in MIDDLEWARE_STATUSES:
            content = {media_type: {"schema": aws}, "application/json": {"schema": {"$ref": GATEWAY_ERROR}}}
        else:
            content = {media_type: {"schema": aws}}
        listed = ", ".join(sorted(by_status.get(status, ())))
        description = STATUS_TEXT.get(status, "an AWS error") + (f"; codes: {listed}" if listed else "")
        error_type = {"x-amzn-ErrorType": {"schema": {"type": "string"}, "description": "the AWS error code"}}
        responses[str(status)] = {"description": description, "headers": REQUEST_ID | error_type, "content": content}
    return responses


def _json_operation(
    proto: Protocol, service: str, op: OperationModel, shapes: _Shapes
) -> tuple[str, str, dict[str, Any]]:
    metadata = op.service_model.metadata
    target = f"{metadata['targetPrefix']}.{op.name}"
    media_type = f"application/x-amz-json-{metadata.get('jsonVersion', '1.1')}"
    entry = _summary(service, op)
    entry["description"] += (
        f" AWS SDKs send this as POST /aws with X-Amz-Target: {target} (json 1.1), or as smithy-rpc-v2-cbor at "
        f"POST /aws/service/{metadata['targetPrefix']}/operation/{op.name}."
    )
    entry["parameters"] = [
        {"name": "X-Amz-Target", "in": "header", "required": True, "schema": {"type": "string", "enum": [target]}}
    ]
    input_shape = op.input_shape
    if input_shape is not None:
        entry["requestBody"] = {
            "required": bool(input_shape.required_members),
            "content": {media_type: {"schema": shapes.ref(input_shape)}},
        }
    output = shapes.ref(op.output_shape) if op.output_shape is not None else {"type": "object"}
    answer = {"description": f"{op.name}'s answer", "headers": REQUEST_ID, "content": {media_type: {"schema": output}}}
    entry["responses"] = {"200": answer, **_errors(proto, service, op, media_type)}
    return JSON_PATH + target, "post", entry


def _rest_operation(
    proto: Protocol, service: str, op: OperationModel, shapes: _Shapes
) -> tuple[str, str, dict[str, Any]]:
    path = re.sub(r"\{([^}]+?)\+?\}", r"{\1}", op.http["requestUri"].split("?", 1)[0])
    entry = _summary(service, op)
    parameters: list[dict[str, Any]] = []
    shape = op.input_shape
    if shape is not None:
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire_name = member.serialization.get("name", name)
            if location not in ("uri", "querystring", "header") or wire_name.lower() == "content-type":
                continue  # Content-Type is the request body's media type in OpenAPI
            where = {"uri": "path", "querystring": "query", "header": "header"}[location]
            required = where == "path" or name in shape.required_members
            parameter = {"name": wire_name, "in": where, "required": required, "schema": shapes.scalar(member)}
            if shapes.examples.get(wire_name):
                parameter["examples"] = {value: {"value": value} for value in shapes.examples[wire_name]}
            parameters.append(parameter)
        payload = shape.serialization.get("payload")
        located = {n for n, m in shape.members.items() if m.serialization.get("location")}
        if payload and shape.members[payload].type_name == "blob":
            entry["requestBody"] = {
                "required": payload in shape.required_members,
                "content": _binary(service, op, "in"),
            }
        elif payload:
            member = shape.members[payload]
            body = {"application/json": {"schema": shapes.schema(member)}}
            entry["requestBody"] = {"required": payload in shape.required_members, "content": body}
        elif set(shape.members) - located:
            body_members = {n: m for n, m in shape.members.items() if n not in located}
            schema = shapes.structure(shape, body_members)
            required = bool(schema.get("required"))
            entry["requestBody"] = {"required": required, "content": {"application/json": {"schema": schema}}}
    if parameters:
        entry["parameters"] = parameters
    entry["responses"] = {
        str(op.http.get("responseCode", 200)): _rest_answer(service, op, shapes),
        **_errors(proto, service, op, "application/json"),
    }
    return path, op.http["method"].lower(), entry


def _rest_answer(service: str, op: OperationModel, shapes: _Shapes) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": f"{op.name}'s answer", "headers": dict(REQUEST_ID)}
    shape = op.output_shape
    if shape is None:
        answer["content"] = {"application/json": {"schema": {"type": "object"}}}
        return answer
    for name, member in shape.members.items():
        if member.serialization.get("location") == "header":
            wire_name = member.serialization.get("name", name)
            if wire_name.lower() != "content-type":
                answer["headers"][wire_name] = {"schema": shapes.scalar(member)}
    payload = shape.serialization.get("payload")
    if payload and shape.members[payload].type_name == "blob":
        answer["content"] = _binary(service, op, "out")
    elif payload:
        answer["content"] = {"application/json": {"schema": shapes.schema(shape.members[payload])}}
    else:
        body = {n: m for n, m in shape.members.items() if not m.serialization.get("location")}
        answer["content"] = {"application/json": {"schema": shapes.structure(shape, body)}}
    return answer
