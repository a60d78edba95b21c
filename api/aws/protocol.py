"""The AWS wire protocols, driven by botocore's own service models: which operation a request is, its parameters,
and the bytes of an answer or an error.

Three protocols, as the services' models declare them (botocore `metadata.protocols`):

- ``json`` 1.1: ``POST /`` with ``X-Amz-Target: <targetPrefix>.<Operation>`` (boto3 and the AWS CLI for Translate,
  Comprehend, Comprehend Medical, Transcribe and Textract). ``POST /json/<target>`` is served the same way, the
  header still required and naming that target: the path per operation of the OpenAPI document (`api.aws.openapi`).
- ``smithy-rpc-v2-cbor``: ``POST /service/<targetPrefix>/operation/<Operation>`` with a CBOR body, which the same
  services' models also list (SDKs that prefer it send this).
- ``rest-json``: method and URI template per operation, members bound to the URI, query string, headers or body
  (Polly, Lex V2 runtime).

Nothing here knows an operation by name: members, types, locations, error codes and their HTTP statuses all come
from the models. botocore's client-side parsers read a request body against the operation's *input* shape, and its
serialisers write an answer against the *output* shape: the same code, turned around.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal
from urllib.parse import parse_qs, unquote

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape
from botocore.parsers import JSONParser, ResponseParserError, RestJSONParser, RpcV2CBORParser
from botocore.serialize import CBORSerializer, JSONSerializer
from botocore.validate import ParamValidator

Wire = Literal["json", "cbor", "rest-json"]
JSON_PATH = "/json/"  # json 1.1 at POST <mount>/json/<target> too: one path per operation for OpenAPI

# Errors every AWS service may answer whether or not an operation's model lists them, with AWS's statuses.
COMMON_ERRORS = {
    "ValidationException": 400,
    "SerializationException": 400,
    "UnknownOperationException": 400,
    "InvalidSignatureException": 403,
    "UnrecognizedClientException": 403,
    "MissingAuthenticationTokenException": 403,
    "IncompleteSignatureException": 400,
    "AccessDeniedException": 403,
    "ThrottlingException": 400,
    "RequestEntityTooLargeException": 413,
    "InternalFailure": 500,
}


class AwsError(Exception):
    """An AWS error: its code (the `__type` / x-amzn-ErrorType a client reads) and message. The HTTP status is the
    one the service's model declares for that code, unless given."""

    def __init__(self, code: str, message: str, status: int | None = None, fields: dict[str, Any] | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields or {}


@dataclass(frozen=True)
class Call:
    """A resolved request: the service (botocore name), the operation, the wire protocol it came in."""

    service: str
    operation: OperationModel
    wire: Wire
    path_params: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.operation.name


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class _RestRoute:
    method: str
    pattern: re.Pattern[str]
    service: str
    operation: str
    literal_chars: int  # more literal text wins: /v1/voices before /v1/{x}


def _template_regex(uri: str) -> tuple[re.Pattern[str], int]:
    path = uri.split("?", 1)[0]
    out, literal = "", 0
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            name = part[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            out += f"(?P<{name}>.+)" if greedy else f"(?P<{name}>[^/]+)"
        else:
            out += re.escape(part)
            literal += len(part)
    return re.compile(f"^{out}/?$" if not out.endswith("/") else f"^{out}$"), literal


@cache
def service_model(name: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(name)


class Protocol:
    """The operations of the given services (botocore names), resolved from requests."""

    def __init__(self, services: list[str]) -> None:
        self.services = {name: service_model(name) for name in services}
        self.by_prefix = {
            m.metadata["targetPrefix"]: name for name, m in self.services.items() if m.metadata.get("targetPrefix")
        }
        routes = []
        for name, model in self.services.items():
            if model.protocol != "rest-json":
                continue
            for op_name in model.operation_names:
                http = model.operation_model(op_name).http
                pattern, literal = _template_regex(http["requestUri"])
                routes.append(_RestRoute(http["method"], pattern, name, op_name, literal))
        self.rest_routes = sorted(routes, key=lambda r: -r.literal_chars)

    # -- routing -------------------------------------------------------------------------------------------------

    def wire_of(self, path: str, headers: Mapping[str, str]) -> Wire:
        if headers.get("x-amz-target") or path.startswith(JSON_PATH):
            return "json"
        if path.startswith("/service/"):
            return "cbor"
        return "rest-json"

    def resolve(self, method: str, path: str, headers: Mapping[str, str]) -> Call:
        """`path` is the request's path below the mount point, still percent-encoded."""
        wire = self.wire_of(path, headers)
        if wire == "json":
            target = headers.get("x-amz-target", "")
            if path.startswith(JSON_PATH):  # the OpenAPI document's path per target (api.aws.openapi)
                named = unquote(path[len(JSON_PATH) :])
                if target != named:
                    raise AwsError(
                        "UnknownOperationException", f"POST /aws{JSON_PATH}{named} needs X-Amz-Target: {named}"
                    )
            prefix, _, op_name = target.rpartition(".")
            return Call(self._service_for(prefix, op_name), self._op(prefix, op_name), "json")
        if wire == "cbor":
            match = re.fullmatch(r"/service/([^/]+)/operation/([^/]+)", path)
            if match is None or method != "POST":
                raise AwsError("UnknownOperationException", f"no operation at {method} {path}")
            prefix, op_name = unquote(match[1]), unquote(match[2])
            return Call(self._service_for(prefix, op_name), self._op(prefix, op_name), "cbor")
        allowed = []
        for route in self.rest_routes:
            match = route.pattern.match(path)
            if match is None:
                continue
            if route.method != method:
                allowed.append(route.method)
                continue
            params = {k: unquote(v) for k, v in match.groupdict().items()}
            return Call(
                route.service, self.services[route.service].operation_model(route.operation), "rest-json", params
            )
        detail = f" (allowed: {', '.join(sorted(set(allowed)))})" if allowed else ""
        raise AwsError("UnknownOperationException", f"no operation at {method} {path}{detail}", status=404)

    def _service_for(self, prefix: str, op_name: str) -> str:
        if prefix not in self.by_prefix:
            raise AwsError(
                "UnknownOperationException", f"unknown service {prefix!r}; offered: {', '.join(sorted(self.by_prefix))}"
            )
        return self.by_prefix[prefix]

    def _op(self, prefix: str, op_name: str) -> OperationModel:
        model = self.services[self._service_for(prefix, op_name)]
        if op_name not in model.operation_names:
            raise AwsError("UnknownOperationException", f"{prefix} has no operation {op_name!r}")
        return model.operation_model(op_name)

    # -- requests ------------------------------------------------------------------------------------------------

    def parse(self, call: Call, body: bytes, headers: Mapping[str, str], query: str) -> dict[str, Any]:
        """The operation's parameters, as boto3 would have been given them; ValidationException / Serialization-
        Exception for a body that does not fit the input shape."""
        shape = call.operation.input_shape
        if shape is None:
            return {}
        try:
            if call.wire == "json":
                params = JSONParser()._parse_shape(shape, _json_body(body))
            elif call.wire == "cbor":
                raw = RpcV2CBORParser()._initial_body_parse(body) if body else {}
                params = RpcV2CBORParser()._parse_shape(shape, raw or {})
            else:
                params = _parse_rest(shape, body, headers, query, call.path_params)
        except AwsError:
            raise
        except (ResponseParserError, ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            raise AwsError("SerializationException", f"the request body does not match {shape.name}: {exc}") from exc
        report = ParamValidator().validate(params, shape)
        if report.has_errors():
            raise AwsError("ValidationException", report.generate_report())
        return params

    # -- answers -------------------------------------------------------------------------------------------------

    def answer(self, call: Call, result: dict[str, Any]) -> Answer:
        shape = call.operation.output_shape
        result = _without_none(result)
        if call.wire == "json":
            body: dict[str, Any] = {}
            if shape is not None:
                JSONSerializer()._serialize(body, result, shape)
            version = self.services[call.service].metadata.get("jsonVersion", "1.1")
            return Answer(200, {"content-type": f"application/x-amz-json-{version}"}, json.dumps(body).encode())
        if call.wire == "cbor":
            data = bytearray()
            CBORSerializer()._serialize_data_item(data, result, shape or _EMPTY)
            return Answer(200, {"content-type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}, bytes(data))
        return _answer_rest(call.operation, result, shape)

    def error(self, service: str | None, wire: Wire, error: AwsError) -> Answer:
        status = error.status or self.status_for(service, error.code)
        payload = {"__type": error.code, "message": error.message, **error.fields}
        headers = {"x-amzn-errortype": error.code}
        if wire == "cbor":
            data = bytearray()
            _CborAny()._serialize_any(data, payload)
            return Answer(
                status, {**headers, "content-type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}, bytes(data)
            )
        content_type = "application/x-amz-json-1.1" if wire == "json" else "application/json"
        return Answer(status, {**headers, "content-type": content_type}, json.dumps(payload).encode())

    def status_for(self, service: str | None, code: str) -> int:
        model = self.services.get(service) if service else None
        if model is not None:
            for shape in model.error_shapes:
                if shape.name == code or shape.metadata.get("error", {}).get("code") == code:
                    return int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
        return COMMON_ERRORS.get(code, 400)


_EMPTY = StructureShape("Empty", {"type": "structure", "members": {}})


def _json_body(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise AwsError("SerializationException", f"the request body is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise AwsError("SerializationException", "the request body must be a JSON object")
    return value


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _scalar(shape: Shape, raw: str) -> Any:
    """A value from a URI, query string or header, typed by its shape."""
    kind = shape.type_name
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise AwsError("ValidationException", f"{raw!r} is not a boolean")
        return raw.lower() == "true"
    if kind in ("integer", "long"):
        try:
            return int(raw)
        except ValueError as exc:
            raise AwsError("ValidationException", f"{raw!r} is not an integer") from exc
    if kind in ("float", "double"):
        return float(raw)
    if kind == "timestamp":
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if kind == "string" and shape.serialization.get("jsonvalue"):
        return json.loads(base64.b64decode(raw))
    return raw


def _parse_rest(
    shape: Shape, body: bytes, headers: Mapping[str, str], query: str, path_params: dict[str, str]
) -> dict[str, Any]:
    members = shape.members
    payload_name = shape.serialization.get("payload")
    params: dict[str, Any] = {}
    if payload_name:
        member = members[payload_name]
        if member.type_name in ("blob", "string"):
            if body:
                params[payload_name] = body if member.type_name == "blob" else body.decode()
        elif body:
            params[payload_name] = RestJSONParser()._parse_shape(member, _json_body(body))
    else:
        located = {n for n, m in members.items() if m.serialization.get("location")}
        parsed = RestJSONParser()._parse_shape(shape, _json_body(body)) if body else {}
        params.update({k: v for k, v in parsed.items() if k not in located})
    qs = parse_qs(query, keep_blank_values=True)
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, member in members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri" and wire_name in path_params:
            params[name] = _scalar(member, path_params[wire_name])
        elif location == "querystring" and wire_name in qs:
            values = qs[wire_name]
            if member.type_name == "list":
                params[name] = [_scalar(member.member, v) for v in values]
            else:
                params[name] = _scalar(member, values[0])
        elif location == "header" and wire_name.lower() in lowered:
            raw = lowered[wire_name.lower()]
            params[name] = [v.strip() for v in raw.split(",")] if member.type_name == "list" else _scalar(member, raw)
    return params


def _header_value(shape: Shape, value: Any) -> str:
    if shape.type_name == "boolean":
        return "true" if value else "false"
    if shape.type_name == "timestamp":
        return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
    if shape.type_name == "string" and shape.serialization.get("jsonvalue"):
        return base64.b64encode(json.dumps(value).encode()).decode()
    if shape.type_name == "list":
        return ",".join(str(v) for v in value)
    return str(value)


def _answer_rest(operation: OperationModel, result: dict[str, Any], shape: Shape | None) -> Answer:
    status = int(operation.http.get("responseCode", 200))
    if shape is None:
        return Answer(status, {"content-type": "application/json"}, b"{}")
    headers: dict[str, str] = {"content-type": "application/json"}
    body_values: dict[str, Any] = {}
    for name, value in result.items():
        member = shape.members[name]
        location = member.serialization.get("location")
        if location == "header":
            headers[member.serialization.get("name", name).lower()] = _header_value(member, value)
        elif location == "statusCode":
            status = int(value)
        else:
            body_values[name] = value
    payload_name = shape.serialization.get("payload")
    if payload_name:
        member = shape.members[payload_name]
        value = body_values.get(payload_name)
        if member.type_name == "blob":
            data = value if isinstance(value, bytes) else (value.read() if value is not None else b"")
            headers.setdefault("content-type", "application/octet-stream")
            return Answer(status, headers, data)
        serialized: dict[str, Any] = {}
        if value is not None:
            JSONSerializer()._serialize(serialized, value, member, "payload")
        return Answer(status, headers, json.dumps(serialized.get("payload", {})).encode())
    serialized = {}
    body_shape = StructureShape(shape.name, shape._shape_model, shape._shape_resolver)
    JSONSerializer()._serialize(serialized, body_values, body_shape)
    return Answer(status, headers, json.dumps(serialized).encode())


class _CborAny(CBORSerializer):
    """CBOR for an error body, which has no shape: strings and numbers only."""

    def _serialize_any(self, data: bytearray, value: Any) -> None:
        if isinstance(value, dict):
            data.extend(self._get_initial_byte(self.MAP_MAJOR_TYPE, len(value)) if len(value) < 24 else b"")
            if len(value) >= 24:
                raise ValueError("error bodies have few fields")
            for key, item in value.items():
                self._serialize_type_string(data, str(key), None, None)
                self._serialize_any(data, item)
        elif isinstance(value, bool):
            self._serialize_type_boolean(data, value, None, None)
        elif isinstance(value, int):
            self._serialize_type_integer(data, value, None, None)
        elif isinstance(value, float):
            self._serialize_type_double(data, value, None, None)
        else:
            self._serialize_type_string(data, str(value), None, None)
