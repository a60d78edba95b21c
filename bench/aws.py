"""AWS layer overhead: the same work through /aws with boto3 and through voxgate's native route, in one run.

    .venv/bin/python -m bench.aws [--reps 20] [--ocr-reps 5]

Starts a real gateway (uvicorn) with the aws, tts, nlp, translate and ocr modules, warms every model, then for each
operation alternates native and boto3 calls (so both see the same machine load) and prints p50/p95 latency per
side, the AWS/native ratio of the medians, and the absolute difference. The boto3 side includes what a boto3 user
pays on the client (serialising, SigV4 signing, parsing); ListLexicons, which runs no engine, shows the layer's
own cost. Inputs are fixed sentences, one rendered page made here, a generated receipt (tests/ocr) and a
Chromium-rendered table with merged cells; nothing is tuned on them, they are only measured.
`--only textract` runs just the Textract rows.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import Server  # noqa: E402

TEXT = "The patient reports a mild headache and feels better after resting."


def page_png() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1000, 300), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(["Invoice number 4471", "Total due 120 euros", "Pay within thirty days"]):
        draw.text((60, 50 + i * 80), line, fill="black", font=ImageFont.load_default(size=40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def receipt_png() -> bytes:
    from tests.ocr.test_documents import receipt_png as receipt

    return receipt()


def table_png() -> bytes:
    """A 6 x 4 ruled table with two merged cells, rendered by headless Chromium (bench/documents_data.py)."""
    import random

    from bench.documents_data import make_table, png_bytes, renderer, table_html

    rng = random.Random(3)
    with renderer() as render:
        return png_bytes(render.png(table_html(make_table(rng, "merged", rows=6, columns=4), rng)))


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--ocr-reps", type=int, default=5)
    parser.add_argument("--only", default="", help="run only the operations whose name contains this (Textract)")
    args = parser.parse_args()

    import boto3
    from botocore.config import Config

    tmp = Path(tempfile.mkdtemp(prefix="bench-aws-"))
    server = Server(tmp, modules='["aws", "tts", "nlp", "translate", "ocr"]')
    native = httpx.Client(base_url=server.url, timeout=120)
    config = Config(retries={"max_attempts": 1})

    def aws(service: str):  # noqa: ANN202
        return boto3.client(service, endpoint_url=f"{server.url}/aws", region_name="us-east-1",
                            aws_access_key_id="bench", aws_secret_access_key="bench", config=config)  # fmt: skip

    polly, comprehend, translate, textract = aws("polly"), aws("comprehend"), aws("translate"), aws("textract")
    png = page_png()
    receipt, table = receipt_png(), table_png()

    def ok(response: httpx.Response) -> httpx.Response:
        response.raise_for_status()
        return response

    cases: list[tuple[str, Callable[[], object], Callable[[], object], int]] = [
        ("Polly ListLexicons (no engine) | GET /v1/lexicons",
         lambda: ok(native.get("/v1/lexicons")), lambda: polly.list_lexicons(), args.reps * 2),
        ("Polly SynthesizeSpeech mp3 | POST /v1/speech",
         lambda: ok(native.post("/v1/speech", json={"text": TEXT, "voice": "en_US-joe-medium",
                                                    "output_format": "mp3"})).content,
         lambda: polly.synthesize_speech(Text=TEXT, VoiceId="en_US-joe-medium",
                                         OutputFormat="mp3")["AudioStream"].read(),
         args.reps),
        ("Comprehend DetectSentiment | POST /v1/sentiment",
         lambda: ok(native.post("/v1/sentiment", json={"texts": [TEXT]})),
         lambda: comprehend.detect_sentiment(Text=TEXT, LanguageCode="en"), args.reps),
        ("Translate TranslateText en-es | POST /v1/translate",
         lambda: ok(native.post("/v1/translate", json={"text": TEXT, "source": "en", "target": "es"})),
         lambda: translate.translate_text(Text=TEXT, SourceLanguageCode="en", TargetLanguageCode="es"), args.reps),
        ("Textract DetectDocumentText | POST /v1/ocr",
         lambda: ok(native.post("/v1/ocr", files={"file": ("page.png", png, "image/png")})),
         lambda: textract.detect_document_text(Document={"Bytes": png}), args.ocr_reps),
        ("Textract AnalyzeDocument TABLES+FORMS | /v1/ocr",
         lambda: ok(native.post("/v1/ocr", files={"file": ("t.png", table, "image/png")},
                                data={"features": "tables,forms"})),
         lambda: textract.analyze_document(Document={"Bytes": table}, FeatureTypes=["TABLES", "FORMS"]),
         args.ocr_reps),
        ("Textract AnalyzeExpense | POST /v1/ocr/expense",
         lambda: ok(native.post("/v1/ocr/expense", files={"file": ("r.png", receipt, "image/png")})),
         lambda: textract.analyze_expense(Document={"Bytes": receipt}), args.ocr_reps),
    ]  # fmt: skip
    cases = [case for case in cases if args.only.lower() in case[0].lower()]
    rows = []
    try:
        for name, run_native, run_aws, reps in cases:
            run_native(), run_aws()  # warm-up: models loaded, connections open
            native_s, aws_s = [], []
            for _ in range(reps):
                native_s.append(timed(run_native))
                aws_s.append(timed(run_aws))
            rows.append((name, reps, native_s, aws_s))
    finally:
        server.process.terminate()
        server.process.wait(30)

    print(f"AWS layer overhead, same work, {server.url} (real uvicorn), native and boto3 calls alternated")
    print(f"{'operation | native route':<52} {'n':>3} {'native p50':>11} {'p95':>7} {'aws p50':>9} {'p95':>7} "
          f"{'ratio':>6} {'diff ms':>8}")  # fmt: skip
    for name, reps, native_s, aws_s in rows:
        n50, a50 = statistics.median(native_s) * 1000, statistics.median(aws_s) * 1000
        print(f"{name:<52} {reps:>3} {n50:>11.1f} {pct(native_s, 0.95):>7.1f} {a50:>9.1f} {pct(aws_s, 0.95):>7.1f} "
              f"{a50 / n50:>6.2f} {a50 - n50:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
