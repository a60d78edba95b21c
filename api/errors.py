"""Structured JSON errors, in the shape OpenAI clients parse: {"error": {message, type, code, param, request_id}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.jobs.service import JobQueueFull
from api.storage import RETRY_AFTER_S, storage_problem
from workers import ModelLoadError, ModelTooLarge, PoolBusy, PoolClosed

log = logging.getLogger(__name__)

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "request_too_large",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    503: "service_unavailable",
}


# Pool failures a request can meet: none is the caller's fault, all are worth retrying except a model too large.
_POOL_ERRORS: dict[type[Exception], tuple[int, str]] = {
    ModelTooLarge: (507, "model_too_large"),
    PoolBusy: (503, "pool_busy"),
    PoolClosed: (503, "shutting_down"),
    ModelLoadError: (503, "model_load_failed"),
}


class ErrorDetail(BaseModel):
    message: str
    type: str = Field(description="invalid_request_error, not_found_error, rate_limit_error, service_unavailable, ...")
    code: str | None = None
    param: str | None = Field(None, description="the field or parameter at fault")
    request_id: str | None = None
    details: Any = None


class ErrorBody(BaseModel):
    """The error body of every route but LibreTranslate's: {"error": {message, type, code, param, request_id}}."""

    error: ErrorDetail


class LibreTranslateError(BaseModel):
    """LibreTranslate's routes (/translate, /detect, /languages) answer errors as {"error": "message"}."""

    error: str
    code: str | None = None
    param: str | None = None
    request_id: str | None = None


# What each error status means, for the OpenAPI document (`responses=` on the routers).
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "the request is malformed or a value is refused (the message names it)",
    401: "an API key is required (when VOXGATE_API_KEYS is set) and was missing or wrong",
    403: "the key may not use this resource",
    404: "the named resource (job, file, glossary, lexicon, rule, model, bot) does not exist",
    409: "the resource is busy or in a state that refuses the request",
    413: "the body or its content is over a limit (size, duration, pages, characters)",
    415: "the body's content type is not one this route reads",
    422: "a field fails validation (the message and `details` name it)",
    429: "over the rate limit: retry after `Retry-After` seconds",
    503: "a model, engine or sidecar cannot serve now (loading, busy, shutting down): retry later",
    507: "the model does not fit in the pool's memory budget",
}


def error_responses(*statuses: int, model: type[BaseModel] = ErrorBody) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries declaring these error statuses with the JSON error body."""
    return {status: {"model": model, "description": ERROR_DESCRIPTIONS[status]} for status in statuses}


# Every route behind the API key and rate limit can answer these (api.app adds them to each module's router);
# routes add their own (404, 409, 415, 507) where they can happen.
COMMON_ERRORS = error_responses(400, 401, 413, 422, 429, 503)


class ApiError(Exception):
    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.headers = headers
        self.status_code = status_code
        self.message = message
        self.code = code
        self.param = param
        self.details = details


def validation_error(
    exc: ValidationError,
    *,
    status: int = 422,
    code: str = "validation_error",
    context: str | None = None,
    where: str | None = None,
    param: str | None = None,
) -> ApiError:
    """A pydantic ValidationError raised outside FastAPI's own parsing (form fields, JSON in a form field, a
    rule body) as the API error: "<context>: <field>: <problem>" for its first error. `where` names the field
    when the error has no location; `param` overrides the field reported as the parameter."""
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or where
    message = f"{location or 'request'}: {first['msg']}"
    return ApiError(status, f"{context}: {message}" if context else message, code=code, param=param or location or None)


def error_body(
    status_code: int,
    message: str,
    request_id: str | None,
    code: str | None = None,
    param: str | None = None,
    details: Any = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "type": _TYPES.get(status_code, "api_error" if status_code >= 500 else "invalid_request_error"),
        "code": code,
        "param": param,
        "request_id": request_id,
    }
    if details is not None:
        error["details"] = details
    return {"error": error}


TOO_DEEP_MESSAGE = "the request body is nested too deeply to parse (JSON arrays/objects or XML elements)"

# LibreTranslate's routes answer errors as {"error": "message"}: its clients read that string. Our code, param
# and request id ride along beside it.
LIBRETRANSLATE_PATHS = frozenset({"/translate", "/detect", "/languages"})


def error_response(request: Request | None, status_code: int, message: str, **kwargs: Any) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None) if request is not None else None
    # The X-Request-ID header itself is added to every response by RequestIdMiddleware.
    body = error_body(status_code, message, request_id, **kwargs)
    if request is not None and request.url.path in LIBRETRANSLATE_PATHS:
        nested = body["error"]
        body = {"error": message, **{k: nested[k] for k in ("code", "param", "request_id") if nested.get(k)}}
    return JSONResponse(body, status_code=status_code)


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header", "form")]
    param = ".".join(location) or None
    if first.get("type") == "json_invalid":
        return f"request body is not valid JSON: {first.get('ctx', {}).get('error', 'parse error')}", None
    return f"{param or 'request'}: {first.get('msg', 'invalid value')}", param


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        response = error_response(
            request, exc.status_code, exc.message, code=exc.code, param=exc.param, details=exc.details
        )
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        code = None
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"no route {request.method} {request.url.path}"
        if isinstance(exc.__cause__, RecursionError):  # FastAPI's own body parsing met a deeply nested body
            message, code = TOO_DEEP_MESSAGE, "too_deeply_nested"
        response = error_response(request, exc.status_code, message, code=code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = _validation_message(exc)
        details = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        malformed = any(e.get("type") == "json_invalid" for e in exc.errors())
        status, code = (400, "malformed_json") if malformed else (422, "validation_error")
        return error_response(request, status, message, code=code, param=param, details=details)

    def _pool_error(status: int, code: str):  # noqa: ANN202 - a handler factory
        async def handler(request: Request, exc: Exception) -> JSONResponse:
            retry_after_s = getattr(exc, "retry_after_s", 1)
            details = {"retry_after_s": retry_after_s} if status == 503 else None
            response = error_response(request, status, str(exc), code=code, details=details)
            if status == 503:  # busy, shutting down, a model that failed to load: worth a retry shortly
                response.headers["Retry-After"] = str(retry_after_s)
            return response

        return handler

    for error_class, (status, code) in _POOL_ERRORS.items():
        app.add_exception_handler(error_class, _pool_error(status, code))

    @app.exception_handler(RecursionError)
    async def _too_deep(request: Request, exc: RecursionError) -> JSONResponse:
        # Only a parser (json, pydantic, XML) recurses as deep as the input is nested: a hostile body, not a bug.
        log.warning("RecursionError on %s %s: answered 400", request.method, request.url.path)
        return error_response(request, 400, TOO_DEEP_MESSAGE, code="too_deeply_nested")

    @app.exception_handler(JobQueueFull)
    async def _queue_full(request: Request, exc: JobQueueFull) -> JSONResponse:
        response = error_response(
            request, 503, str(exc), code="job_queue_full", details={"retry_after_s": exc.retry_after_s}
        )
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    async def _storage_or_unexpected(request: Request, exc: Exception) -> JSONResponse:
        problem = storage_problem(exc)
        if problem is None:
            return await _unexpected(request, exc)
        code, message = problem
        log.error("storage fault on %s %s: %s", request.method, request.url.path, message)
        response = error_response(request, 503, message, code=code, details={"retry_after_s": RETRY_AFTER_S})
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

    app.add_exception_handler(OperationalError, _storage_or_unexpected)
    app.add_exception_handler(OSError, _storage_or_unexpected)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            request, 500, "internal error; the request id is in the server log", code="internal_error"
        )
