"""SigV4 verification: botocore's own signer run over the request as received, compared in constant time.

The client signed (method, path, query, the headers it named, the body's SHA-256) with a key derived from its
secret, the date, the region and the service. We rebuild the same canonical request from what arrived, sign it with
the secret configured for the access key id it names, and compare. A request dated more than `max_skew` away from
our clock is refused as AWS does (Signature expired), so a captured request cannot be replayed later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from api.aws.protocol import AwsError

ALGORITHM = "AWS4-HMAC-SHA256"
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})\s*$"
)
UNSIGNED = "UNSIGNED-PAYLOAD"


def verify(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Mapping[str, str],
    max_skew: dt.timedelta = dt.timedelta(minutes=15),
    now: dt.datetime | None = None,
) -> str:
    """Raise the AwsError AWS would answer unless the request carries a valid signature by one of `secrets`
    (access key id -> secret access key). `url` is scheme://host/path?query as the client addressed it, with the
    path still percent-encoded. Returns the access key id."""
    lowered = {k.lower(): v for k, v in headers.items()}
    authorization = lowered.get("authorization")
    if not authorization:
        raise AwsError("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _AUTH.match(authorization)
    if match is None:
        raise AwsError(
            "IncompleteSignatureException",
            f"Authorization header requires {ALGORITHM} with Credential, SignedHeaders and Signature",
        )
    parts = match["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise AwsError("IncompleteSignatureException", f"malformed Credential {match['credential']!r}")
    access_key, date, region, service, _ = parts
    secret = secrets.get(access_key)
    if secret is None:
        raise AwsError("UnrecognizedClientException", "The security token included in the request is invalid.")
    stamp = lowered.get("x-amz-date", "")
    try:
        signed_at = dt.datetime.strptime(stamp, SIGV4_TIMESTAMP).replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise AwsError("IncompleteSignatureException", "X-Amz-Date is missing or not yyyyMMddTHHmmssZ") from exc
    now = now or dt.datetime.now(dt.UTC)
    if abs(now - signed_at) > max_skew or not stamp.startswith(date):
        raise AwsError(
            "InvalidSignatureException",
            f"Signature expired: {stamp} is now earlier than "
            f"{(now - max_skew).strftime(SIGV4_TIMESTAMP)} ({stamp} + 15 min.)",
        )
    signed = match["signed"].split(";")
    if "host" not in signed:
        raise AwsError("InvalidSignatureException", "the host header must be signed")
    content_sha = lowered.get("x-amz-content-sha256")
    if content_sha is not None and content_sha != UNSIGNED and content_sha != hashlib.sha256(body).hexdigest():
        raise AwsError("InvalidSignatureException", "X-Amz-Content-SHA256 does not match the body")
    request = AWSRequest(method=method, url=url, data=body, headers={name: lowered.get(name, "") for name in signed})
    request.context["timestamp"] = stamp
    signer = SigV4Auth(Credentials(access_key, secret), service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected.encode(), match["signature"].encode()):
        raise AwsError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the "
            "signature you provided. Check your AWS Secret Access Key and signing method.",
        )
    return access_key
