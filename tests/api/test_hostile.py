"""Hostile input against a real gateway process (uvicorn on a loopback port, every input module mounted): entity
bombs and external entities in every XML input, decompression bombs (images, huge PDF pages, audio that decodes to
hours), path traversal in names and folders, deeply nested JSON, oversized headers, slow bodies, oversized WebSocket
frames. Each must be refused with a 4xx (or a closing code) that names the problem, quickly, without the server's
memory jumping; the files are built by tests/hostile.py at run time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests import hostile
from tests.server import Server

pytestmark = pytest.mark.timeout(600)
MODULES = ["asr", "dictation", "tts", "ocr", "nlp", "translate", "calls", "bots", "voicebots", "aws"]
READ_TIMEOUT_S = 1.5
PASSWD = "root:x:0:0"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("hostile")
    (tmp / "calls").mkdir()
    env = {
        "VOXGATE_BOTS_SIDECARS": "false",
        "VOXGATE_VOICE_PREWARM": "false",
        "VOXGATE_BODY_READ_TIMEOUT_S": str(READ_TIMEOUT_S),
        "VOXGATE_ASR_SYNC_MAX_SECONDS": "60",
        "VOXGATE_CALLS_ALLOWED_ROOTS": json.dumps([str(tmp / "calls")]),
        "VOXGATE_AWS_MEDIA_ROOTS": json.dumps([str(tmp / "calls")]),
        "VOXGATE_API_KEYS": "[]",
    }
    srv = Server(tmp, job_workers=0, modules=json.dumps(MODULES), env=env)
    srv.tmp = tmp  # type: ignore[attr-defined]
    yield srv
    srv.kill()


def _peak_rss_mb(server: Server) -> float:
    """The gateway process's high-water mark of resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _refused(response: httpx.Response, status: int | tuple[int, ...], *words: str) -> str:
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    body = response.json()
    message = body["error"] if isinstance(body["error"], str) else body["error"]["message"]
    for word in words:
        assert word.lower() in message.lower(), message
    assert PASSWD not in response.text
    return message


# -- XML: SSML, PLS lexicons, TMX glossaries, HTML for translation ---------------------------------------------


@pytest.mark.parametrize("build", [hostile.billion_laughs, hostile.external_entity], ids=["laughs", "xxe"])
def test_ssml_dtds_are_refused(server: Server, build) -> None:  # noqa: ANN001
    entity = "&lol9;" if build is hostile.billion_laughs else "&xxe;"
    ssml = build("speak", f"<speak>Hello {entity}</speak>")
    started = time.monotonic()
    response = server.client.post("/v1/speech", json={"text": ssml, "text_type": "ssml"})
    _refused(response, 400, "DTD")
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("build", [hostile.billion_laughs, hostile.external_entity], ids=["laughs", "xxe"])
def test_pls_lexicon_dtds_are_refused(server: Server, build, encoding: str) -> None:  # noqa: ANN001
    """A byte search for "<!DOCTYPE" misses the UTF-16 spelling; the parser itself must refuse the DTD."""
    entity = "&lol9;" if build is hostile.billion_laughs else "&xxe;"
    document = build("lexicon", hostile.pls(entity))
    if encoding == "utf-16":
        document = document.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    response = server.client.put("/v1/lexicons/bomb", content=document.encode(encoding),
                                 headers={"content-type": "application/pls+xml"})  # fmt: skip
    _refused(response, 400, "DTD")
    assert server.client.get("/v1/lexicons/bomb").status_code == 404


@pytest.mark.parametrize("build", [hostile.billion_laughs, hostile.external_entity], ids=["laughs", "xxe"])
def test_tmx_glossary_dtds_are_refused(server: Server, build) -> None:  # noqa: ANN001
    entity = "&lol9;" if build is hostile.billion_laughs else "&xxe;"
    document = build("tmx", hostile.tmx(entity)).encode()
    files = {"file": ("terms.tmx", document, "application/xml")}
    response = server.client.post("/v1/glossaries", data={"name": "bomb"}, files=files)
    _refused(response, 400, "DTD")
    assert server.client.get("/v1/glossaries/bomb").status_code == 404


def test_html_translation_input_expands_no_entities(server: Server) -> None:
    """HTML cannot declare entities: a DTD in format=html input is passed through as markup, never expanded."""
    html = hostile.billion_laughs("html", "<html><body><p>The heart &lol9; beats.</p></body></html>")
    started = time.monotonic()
    response = server.client.post("/v1/translate", json={"q": html, "source": "en", "target": "es", "format": "html"})
    assert time.monotonic() - started < 30
    assert response.status_code in (200, 400, 422), response.text[:300]
    assert len(response.text) < 20 * len(html)  # nothing was expanded (10^9 "lol"s would be 3 GB)
    assert "lollollol" not in response.text


# -- decompression bombs ---------------------------------------------------------------------------------------


def test_png_bomb_is_refused_before_decoding(server: Server) -> None:
    bomb = hostile.png_bomb(30_000, 30_000)  # 900 megapixels in ~200 kB
    assert len(bomb) < 2_000_000
    before = _peak_rss_mb(server)
    response = server.client.post("/v1/ocr", files={"file": ("scan.png", bomb, "image/png")})
    _refused(response, 413, "pixels")
    assert _peak_rss_mb(server) - before < 200  # a decoded page would be 900 MB even at 8 bits a pixel


def test_huge_pdf_page_is_rendered_within_the_pixel_cap(server: Server) -> None:
    """A 200 x 200 inch page at 300 dpi would be 3.6 gigapixels: it is rendered smaller, to the 40 MP cap."""
    pdf = hostile.huge_page_pdf(14_400, 14_400)
    before = _peak_rss_mb(server)
    started = time.monotonic()
    response = server.client.post("/v1/ocr", files={"file": ("big.pdf", pdf, "application/pdf")},
                                  data={"orientation": "false"}, timeout=400)  # fmt: skip
    assert response.status_code == 200, response.text[:300]
    page = response.json()["pages"][0]
    assert page["width"] * page["height"] <= 40_000_000
    # Seconds when the machine is idle; minutes when the 2 shared cores run a benchmark. 3.6 GP would not finish.
    assert time.monotonic() - started < 400
    assert _peak_rss_mb(server) - before < 1500  # 40 MP RGB is 120 MB; 3.6 GP would be 10 GB


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "streamed"])
def test_audio_that_decodes_to_hours_is_refused(server: Server, tmp_path: Path, declared: bool) -> None:
    """Two hours of FLAC silence (~1 MB). With its length declared it is refused before decoding; without, the
    decoder stops at the route's limit (60 s here) instead of decoding two hours."""
    audio = hostile.silent_flac(tmp_path / "long.flac", 7200, declare_length=declared).read_bytes()
    assert len(audio) < 5_000_000
    before = _peak_rss_mb(server)
    started = time.monotonic()
    response = server.client.post("/v1/audio/transcriptions", files={"file": ("long.flac", audio, "audio/flac")})
    _refused(response, 413, "60 s")
    assert time.monotonic() - started < 30
    assert _peak_rss_mb(server) - before < 300  # two hours at 16 kHz float32 would be 460 MB


# -- path traversal --------------------------------------------------------------------------------------------

TRAVERSALS = [
    ("GET", "/v1/jobs/x/files/..%2F..%2F..%2Fvoxgate.db", None),
    ("GET", "/v1/jobs/..%2F..%2Fvoxgate.db/files/x", None),
    ("PUT", "/v1/lexicons/..%2F..%2Fetc%2Fpasswd", hostile.pls("x")),
    ("GET", "/v1/lexicons/..%2F..%2Fetc%2Fpasswd", None),
    ("GET", "/v1/glossaries/..%2F..%2Fetc%2Fpasswd", None),
    ("GET", "/widget/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", None),
    ("GET", "/talk/static/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", None),
    ("POST", "/v1/bots/..%2F..%2Fetc/webhooks/rest/webhook", {"sender": "a", "message": "hi"}),
    ("GET", "/v1/calls/x/audio/..%2F..%2F..%2F..%2Fetc%2Fpasswd", None),
    ("PUT", "/v1/calls/rules/..%2F..%2Fx", {"name": "x", "description": "x", "phrases": ["x"]}),
]


@pytest.mark.parametrize(("method", "path", "body"), TRAVERSALS, ids=[p for _, p, _ in TRAVERSALS])
def test_path_traversal_in_names_is_refused(server: Server, method: str, path: str, body: object) -> None:
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode() if body is not None else None
    response = server.client.request(method, path, content=content, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert PASSWD not in response.text
    assert "error" in response.json()


def test_calls_folder_outside_the_allowed_roots_is_refused(server: Server) -> None:
    for source in ["/etc", str(server.tmp / "calls" / ".." / ".."), str(server.tmp / "calls") + "/../../*"]:  # type: ignore[attr-defined]
        response = server.client.post("/v1/calls/analyze", data={"source": source})
        _refused(response, (400, 403), "outside")


def test_upload_file_names_cannot_leave_the_job_folder(server: Server) -> None:
    audio = hostile.silent_flac(server.tmp / "calls" / "short.flac", 60).read_bytes()  # type: ignore[attr-defined]
    names = ["../../../../evil-one.flac", "..\\..\\evil-two.flac", "/etc/evil-three.flac"]
    files = [("files", (name, audio, "audio/flac")) for name in names]
    response = server.client.post("/v1/calls/analyze", files=files)
    assert response.status_code == 202, response.text[:300]
    artifacts = (server.tmp / "artifacts").resolve()  # type: ignore[attr-defined]
    written = [p.resolve() for p in server.tmp.rglob("*evil*")]  # type: ignore[attr-defined]
    assert written, "the uploads were stored somewhere"
    assert all(artifacts in p.parents for p in written), written
    assert not list(Path("/etc").glob("evil*"))


def test_aws_media_outside_the_allowed_folders_is_refused(server: Server) -> None:
    body = {"TranscriptionJobName": "x", "LanguageCode": "en-US",
            "Media": {"MediaFileUri": "file:///etc/passwd"}}  # fmt: skip
    response = server.client.post("/aws/", content=json.dumps(body), headers={
        "X-Amz-Target": "Transcribe.StartTranscriptionJob", "content-type": "application/x-amz-json-1.1"})  # fmt: skip
    assert response.status_code == 400, response.text[:300]
    assert "outside" in response.text and PASSWD not in response.text


# -- JSON depth, headers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/sentiment", "/translate", "/v1/embeddings", "/v1/speech"])
@pytest.mark.parametrize("shape", ["array", "object"])
def test_deeply_nested_json_is_refused(server: Server, path: str, shape: str) -> None:
    depth = 100_000
    body = "[" * depth + "]" * depth if shape == "array" else '{"a":' * depth + "1" + "}" * depth
    response = server.client.post(path, content=body, headers={"content-type": "application/json"})
    _refused(response, 400, "nested too deeply")


def test_oversized_and_numerous_headers_are_refused(server: Server) -> None:
    huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"
    many = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(5_000)) + b"\r\n"
    for request in (huge, many):
        answer, _ = hostile.raw_exchange(server.port, request, [], 0, 10)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:300]
        assert b"request headers too large" in answer
    assert server.client.get("/healthz").status_code == 200  # and the server is still there


# -- slow bodies -----------------------------------------------------------------------------------------------

UPLOAD_HEAD = (
    b"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\n"
    b'Content-Length: 100000\r\n\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n'
)


def test_a_stalled_body_is_answered_408(server: Server) -> None:
    answer, seconds = hostile.raw_exchange(server.port, UPLOAD_HEAD + b"x" * 100, [], 0, 15)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"stalled" in answer
    assert READ_TIMEOUT_S <= seconds < READ_TIMEOUT_S + 5


def test_a_trickling_body_is_answered_408(server: Server) -> None:
    """One byte every 0.2 s never stalls the per-read timeout, but is far under the minimum rate."""
    answer, seconds = hostile.raw_exchange(server.port, UPLOAD_HEAD, [b"x"] * 200, 0.2, 15)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"too slowly" in answer
    assert seconds < READ_TIMEOUT_S + 5


def test_a_slow_but_steady_upload_is_served(server: Server, tmp_path: Path) -> None:
    """Above the minimum rate, a body that takes longer than the read timeout in all is fine."""
    audio = hostile.silent_flac(tmp_path / "short.flac", 600).read_bytes()
    chunks = [audio[i : i + 256] for i in range(0, len(audio), 256)]
    assert len(chunks) * 0.1 > 2 * READ_TIMEOUT_S, "the upload must last longer than the read timeout"

    def slowly() -> Iterator[bytes]:
        for chunk in chunks:  # 2.5 kB/s: slow, but over the 1 kB/s floor
            time.sleep(0.1)
            yield chunk

    boundary = "B0undary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.flac"\r\n'
            "Content-Type: audio/flac\r\n\r\n").encode()  # fmt: skip
    tail = f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\ntiny.en\r\n--{boundary}--\r\n'

    def body() -> Iterator[bytes]:
        yield head
        yield from slowly()
        yield tail.encode()

    kind = {"content-type": f"multipart/form-data; boundary={boundary}"}
    response = server.client.post("/v1/audio/transcriptions", content=body(), headers=kind, timeout=120)
    assert response.status_code == 413, response.text[:300]  # ten minutes of audio: past this server's 60 s limit
    assert "60 s" in response.text  # i.e. the body was read whole and the route answered


# -- WebSocket frames ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/medical/dictation", "/v1/bots/clinic/voice"])
def test_websocket_frames_far_over_size_close_1009(server: Server, path: str) -> None:
    url = f"ws://127.0.0.1:{server.port}{path}"
    with connect(url, max_size=None, open_timeout=10) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.send(b"\x00" * (12 * 1024 * 1024))  # over our 8 MB cap, under uvicorn's own 16 MB
        ws.recv(timeout=10)
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009, closed.value
    assert str(8 * 1024 * 1024) in closed.value.rcvd.reason, closed.value.rcvd.reason
    assert server.client.get("/healthz").status_code == 200


def test_deeply_nested_websocket_message_closes_with_a_reason(server: Server) -> None:
    with connect(f"ws://127.0.0.1:{server.port}/v1/medical/dictation", open_timeout=10) as ws:
        ws.send("[" * 100_000 + "]" * 100_000)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                message = ws.recv(timeout=10)
                assert "internal" not in str(message)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008, closed.value


def test_a_gzip_bomb_in_a_lex_header_inflates_only_to_the_cap() -> None:
    """Lex's session-state headers are gzipped JSON: a small header must not become 20 MB of memory."""
    import base64
    import gzip

    from api.aws.lex_voice import MAX_HEADER_JSON_BYTES, decode_header
    from api.aws.protocol import AwsError

    bomb = base64.b64encode(gzip.compress(b"[" + b" " * 20_000_000 + b"]")).decode()
    assert len(bomb) < 64_000  # fits under the 64 kB header cap
    with pytest.raises(AwsError, match=f"inflates past {MAX_HEADER_JSON_BYTES} bytes"):
        decode_header("x-amz-lex-session-state", bomb)


def test_model_and_voice_names_cannot_name_files(server: Server, tmp_path: Path) -> None:
    """A model or voice option is an id from a list, never a path the server would open."""
    audio = hostile.silent_flac(tmp_path / "a.flac", 60).read_bytes()
    for model in ["../../../../etc", "/work/main/models/whisper/base", "..%2F..%2Fwhisper"]:
        response = server.client.post("/v1/audio/transcriptions", data={"model": model},
                                      files={"file": ("a.flac", audio, "audio/flac")})  # fmt: skip
        _refused(response, (400, 404, 422), "model")
    for voice in ["../../../../etc/passwd", "/etc/passwd"]:
        response = server.client.post("/v1/audio/speech", json={"model": "tts-1", "input": "hi", "voice": voice})
        _refused(response, (400, 404, 422), "voice")
