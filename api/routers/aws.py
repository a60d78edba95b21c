"""AWS SDK routes: everything under /aws, answered in the AWS wire protocols (boto3, the AWS CLI).

HTTP only: resolve the operation from botocore's models (api.aws.protocol), check the signature when access keys
are configured (api.aws.sigv4), parse the parameters, call the service adapter's one function, and write its
answer or error as AWS would. Every answer carries x-amzn-RequestId. Client errors are 4xx with the AWS code the
operation's model declares; only a fault of ours is a 5xx (which botocore retries).

The route is a plain Starlette route, outside the gateway's API-key dependency: AWS clients cannot send a bearer
token, they sign. With VOXGATE_AWS_CREDENTIALS set, every request must be signed by one of those keys; without
it, unsigned requests are served only while the gateway itself has no API keys (its loopback default).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.aws import sigv4
from api.aws.context import AwsContext
from api.aws.protocol import Answer, AwsError, Call, Protocol
from api.aws.services import BY_NAME, SERVICES, operations
from api.stores import aws_tasks  # noqa: F401 - its table, on the metadata before create_tables
from api.tenancy import DEFAULT_TENANT, set_tenant
from workers import ModelLoadError, PoolBusy, PoolClosed

log = logging.getLogger(__name__)
router = APIRouter(tags=["aws"])
PREFIX = "/aws"
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]

_protocol: Protocol | None = None


class _AnyPath(PathConvertor):
    """Starlette's `path` is `.*`, which stops at a newline: a percent-encoded one in a lexicon name or bot id
    (/aws/v1/lexicons/a%0Ab) would miss this router and get the gateway's 404 instead of the AWS error."""

    regex = r"[\s\S]*"


register_url_convertor("aws_path", _AnyPath())


def protocol() -> Protocol:
    global _protocol
    if _protocol is None:
        _protocol = Protocol([s.name for s in SERVICES])
    return _protocol


def _respond(answer: Answer, request_id: str) -> Response:
    headers = {**answer.headers, "x-amzn-requestid": request_id}
    media_type = headers.pop("content-type", None)
    return Response(answer.body, status_code=answer.status, headers=headers, media_type=media_type)


def _authorize(request: Request, body: bytes) -> None:
    state = request.app.state
    settings = state.settings
    secrets = settings.aws.credentials
    if secrets:
        raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
        query = request.scope.get("query_string", b"").decode("latin-1")
        url = f"{request.url.scheme}://{request.headers.get('host', '')}{raw_path}" + (f"?{query}" if query else "")
        caller = sigv4.verify(request.method, url, request.headers, body, secrets, max_skew=settings.aws.max_clock_skew)
        set_tenant(settings.aws.tenants.get(caller, DEFAULT_TENANT))  # the adapters' stores and jobs read it
    elif settings.api_keys:
        raise AwsError(
            "UnrecognizedClientException",
            "this gateway requires keys: its administrator sets "
            "VOXGATE_AWS_CREDENTIALS (access key id -> secret) for AWS clients",
        )
    else:
        caller = request.client.host if request.client else "unknown"
    buckets = state.rate_limiter
    if buckets is not None and (wait := buckets.take(caller)) > 0:
        raise AwsError("ThrottlingException", f"Rate exceeded; retry in {math.ceil(wait)} s")


async def _run(call: Call, params: dict[str, Any], ctx: AwsContext) -> dict[str, Any]:
    service = BY_NAME[call.service]
    missing = service.missing()
    if missing:
        raise AwsError(
            "UnknownOperationException",
            f"{call.service} is not offered by this gateway: missing "
            f"{', '.join(missing)} (install voxgate[{service.extra}])",
        )
    handler = operations(call.service).get(call.name)
    if handler is None:
        raise AwsError(
            "UnknownOperationException",
            f"{call.service} {call.name} is not offered by voxgate "
            "(see README, 'Using the AWS SDKs', for the operations it answers)",
        )
    if inspect.iscoroutinefunction(handler):
        return await handler(ctx, params)
    return await asyncio.to_thread(handler, ctx, params)


async def aws_endpoint(request: Request) -> Response:
    proto = protocol()
    request_id = getattr(request.state, "request_id", None) or "unknown"
    raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("?", 1)[0]
    path = raw_path[len(PREFIX) :] or "/"
    headers = {k.lower(): v for k, v in request.headers.items()}
    wire = proto.wire_of(path, headers)
    service: str | None = None
    try:
        body = await request.body()
        _authorize(request, body)
        call = proto.resolve(request.method, path, headers)
        service, wire = call.service, call.wire
        params = proto.parse(call, body, headers, request.scope.get("query_string", b"").decode("latin-1"))
        ctx = AwsContext(
            settings=request.app.state.settings,
            pool=request.app.state.pool,
            engine=request.app.state.engine,
            jobs=request.app.state.jobs,
            base_url=f"{request.url.scheme}://{request.headers.get('host', 'localhost')}",
            request_id=request_id,
            state=request.app.state,
        )
        result = await _run(call, params, ctx)
        return _respond(proto.answer(call, result), request_id)
    except AwsError as exc:
        return _respond(proto.error(service, wire, exc), request_id)
    except HTTPException as exc:  # the body limit or a stalled body (408), met while reading the body
        code = "RequestTimeoutException" if exc.status_code == 408 else "RequestEntityTooLargeException"
        return _respond(proto.error(service, wire, AwsError(code, str(exc.detail), exc.status_code)), request_id)
    except (PoolBusy, PoolClosed, ModelLoadError) as exc:  # worth a retry: botocore retries a 503
        busy = AwsError("ServiceUnavailableException", str(exc), 503)
        return _respond(proto.error(service, wire, busy), request_id)
    except Exception:
        log.exception("AWS %s %s failed", request.method, path)
        fault = AwsError("InternalFailure", "the request failed inside voxgate; its log has the cause", 500)
        return _respond(proto.error(service, wire, fault), request_id)


# One catch-all: the operation is in a header, a path or a URI template, which FastAPI's routing cannot dispatch on.
# /openapi.json still lists every operation, from the same tables (openapi_document).
router.add_route(
    PREFIX, aws_endpoint, methods=METHODS, include_in_schema=False
)  # json 1.1 posts to the endpoint itself
router.add_route(PREFIX + "/{path:aws_path}", aws_endpoint, methods=METHODS, include_in_schema=False)


def openapi_document(app: FastAPI) -> dict[str, Any]:
    from api.aws.openapi import document

    return document(PREFIX, app.state.settings)
