"""Request bodies for the OpenAPI document of routes that read their own body (JSON or a form, LibreTranslate's
either-or, a MIDI upload or JSON notes): FastAPI cannot see what they accept, so they declare it here, from the
same pydantic models they validate with, through `openapi_extra=request_body(...)`. Operations served outside
FastAPI's routing (the AWS routes) are added to the document by `extend_openapi` from their modules' specs."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

BINARY: dict[str, Any] = {"type": "string", "format": "binary"}


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with its `$defs` written in place: a `#/$defs/...` reference would point into the
    OpenAPI document, not into the schema, once the schema sits inside an operation."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]))
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


def form_schema(fields: dict[str, dict[str, Any]], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": fields}
    if required:
        schema["required"] = list(required)
    return schema


def request_body(
    *, json: dict[str, Any] | None = None, form: dict[str, Any] | None = None, multipart: dict[str, Any] | None = None,
    raw: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """`openapi_extra` declaring a required request body: a schema per media type (`raw`: media type -> schema)."""
    content: dict[str, Any] = {}
    if json is not None:
        content["application/json"] = {"schema": json}
    if form is not None:
        content["application/x-www-form-urlencoded"] = {"schema": form}
    if multipart is not None:
        content["multipart/form-data"] = {"schema": multipart}
    for media_type, schema in (raw or {}).items():
        content[media_type] = {"schema": schema}
    return {"requestBody": {"required": True, "content": content}}


def extend_openapi(app: FastAPI, parts: list[Callable[[FastAPI], dict[str, Any]]]) -> None:
    """Make app.openapi() add each part(app)'s {"paths", "components"} to FastAPI's document (built once, cached)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        add_job_links(document)
        for part in parts:
            extra = part(app)
            for path, operations in extra.get("paths", {}).items():
                document["paths"].setdefault(path, {}).update(operations)
            for kind, entries in extra.get("components", {}).items():
                document.setdefault("components", {}).setdefault(kind, {}).update(entries)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


JOB_ACCEPTED_REF = "#/components/schemas/JobAccepted"


def add_job_links(document: dict[str, Any]) -> None:
    """OpenAPI links from every 202 that answers a job to reading and cancelling it (`$response.body#/id`), so
    clients and stateful testers (Schemathesis) know the job routes follow, without inferring it."""
    targets = {
        "GetJob": ("/v1/jobs/{job_id}", "get", "the job's status, progress and, once done, its result"),
        "CancelJob": ("/v1/jobs/{job_id}", "delete", "cancel the job while it is queued or running"),
    }
    links = {
        name: {"operationId": op_id, "parameters": {"job_id": "$response.body#/id"}, "description": description}
        for name, (path, method, description) in targets.items()
        if (op_id := document["paths"].get(path, {}).get(method, {}).get("operationId"))
    }
    if not links:
        return
    for operations in document["paths"].values():
        for operation in operations.values():
            accepted = operation.get("responses", {}).get("202", {}) if isinstance(operation, dict) else {}
            schema = accepted.get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") == JOB_ACCEPTED_REF:
                accepted["links"] = {**links, **accepted.get("links", {})}
