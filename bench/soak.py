"""Soak under mixed load: a real gateway driven for N minutes by C concurrent clients with a realistic mix, while
a call-analytics batch job runs; reports throughput and latency per route, errors by status, the gateway's RSS and
open file descriptors over time (with their slope), and the job queue.

    .venv/bin/python -m bench.soak [--minutes 10] [--clients 32] [--kill-sidecar-at 0.5] [--url URL]
    bench/record.sh soak --minutes 10 --clients 32      # keeps the table in bench/results/soak.txt

The gateway is started here (tests/server.py: its own temporary database and artifact folder, every module
mounted, the Rasa sidecars of the trained bots), unless --url names one already running. Each client loops: it
picks a request by the weights below, sends it, records route, status and latency, and sends the next at once
(closed loop: the offered load is whatever the gateway can take from C clients). The inputs are made once at the
start from the gateway's own TTS (a short clinical sentence) and a rendered text image; nothing is tuned on them.

Goals (issue 19): zero 5xx; no unbounded growth of memory or descriptors (the slope over the run after a warm-up
fifth, which includes model loading); interactive p95 within the targets below while the batch runs. The targets
are ours, for a 2-core machine: the first figure of each route's own bench where one exists, with headroom for the
mix. With --kill-sidecar-at F the clinic bot's Rasa server is SIGKILLed at that fraction of the run: the bench
reports when it was back, and the bot turns refused meanwhile (503 bot_unavailable, expected) are counted apart
from the rest.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import signal
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table
from websockets.sync.client import connect

from tests.bots.conversations import CLINIC_BOOKING

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MODULES = '["asr", "dictation", "tts", "ocr", "nlp", "translate", "calls", "bots"]'
SENTENCE = "The patient reports mild chest pain since Monday. Blood pressure is one hundred and twenty over eighty."
BOT = "clinic"
# A whole conversation, as a widget user has it: greeting, a question, a booking through the form, goodbye (a
# script that does not answer the form's questions keeps the form asking for ever, which no user does), with what
# each reply must say: a client sends a message again until it is answered, and the report counts wrong replies.
BOT_TURNS = [message for message, _ in CLINIC_BOOKING]

# route -> (weight in the mix, p95 target in seconds)
MIX: dict[str, tuple[float, float]] = {
    "transcription": (2, 6.0),  # a 7 s clip, base model
    "dictation": (1, 3.0),  # stop -> last final, after streaming 4 s at real time
    "tts": (3, 3.0),  # one sentence, whole WAV
    "ocr": (2, 4.0),  # one rendered page, text
    "translate": (3, 2.0),  # LibreTranslate /translate en -> es
    "sentiment": (4, 1.5),
    "bot": (3, 2.0),  # one REST turn through the Rasa sidecar
}


@dataclass
class Sample:
    route: str
    status: int  # HTTP status; 0 for a transport error or timeout
    seconds: float
    at: float  # seconds since the start
    code: str | None = None  # the error code of a non-2xx answer
    retry_after: float | None = None  # a 503/429 that said when to come back: load shed, not a failure


@dataclass
class Inputs:
    wav: bytes
    pcm16: bytes  # 16 kHz mono
    png: bytes
    call: bytes  # a stereo call (agent left, patient right)


@dataclass
class Run:
    url: str
    start: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    timeline: list[dict[str, float]] = field(default_factory=list)
    batch: list[dict[str, float]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    wrong_replies: list[str] = field(default_factory=list)  # bot answers without what that turn must say
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def now(self) -> float:
        return time.monotonic() - self.start

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


# -- inputs ------------------------------------------------------------------------------------------------------
def make_inputs(client: httpx.Client) -> Inputs:
    import soundfile as sf
    from PIL import Image, ImageDraw, ImageFont

    import asr

    speech = client.post(
        "/v1/audio/speech",
        json={"model": "tts-1", "input": SENTENCE, "voice": "alloy", "response_format": "wav"},
        timeout=300,
    )
    speech.raise_for_status()
    audio = asr.decode(speech.content)
    pcm = (np.clip(audio.samples, -1, 1) * 32767).astype("<i2").tobytes()
    stereo = np.zeros((2, len(audio.samples) * 2 + 16000), dtype=np.float32)
    stereo[0, 8000 : 8000 + len(audio.samples)] = audio.samples
    stereo[1, 8000 + len(audio.samples) : 8000 + 2 * len(audio.samples)] = audio.samples
    call = io.BytesIO()
    sf.write(call, stereo.T, 16000, format="WAV")
    image = Image.new("L", (1200, 400), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=36)
    for i, line in enumerate(["Invoice 2041 for consultation", "Total due: 125.00 EUR", "Paid by card on 3 May"]):
        draw.text((40, 40 + i * 110), line, fill=0, font=font)
    png = io.BytesIO()
    image.save(png, format="PNG")
    return Inputs(speech.content, pcm, png.getvalue(), call.getvalue())


# -- one request of each kind ------------------------------------------------------------------------------------
def _code(response: httpx.Response) -> str | None:
    if response.status_code < 400:
        return None
    try:
        error = response.json().get("error")
        return error.get("code") if isinstance(error, dict) else str(error)[:40]
    except ValueError:
        return None


def request(route: str, client: httpx.Client, inputs: Inputs, sender: str, turn: int) -> httpx.Response:
    if route == "transcription":
        return client.post(
            "/v1/audio/transcriptions",
            files={"file": ("clip.wav", inputs.wav, "audio/wav")},
            data={"model": "base", "language": "en"},
        )
    if route == "tts":
        return client.post(
            "/v1/audio/speech", json={"model": "tts-1", "input": SENTENCE, "voice": "alloy", "response_format": "wav"}
        )
    if route == "ocr":
        return client.post("/v1/ocr", files={"file": ("page.png", inputs.png, "image/png")}, data={"format": "text"})
    if route == "translate":
        return client.post("/translate", json={"q": SENTENCE, "source": "en", "target": "es"})
    if route == "sentiment":
        return client.post("/v1/sentiment", json={"texts": ["The nurse was kind and the wait was short."]})
    if route == "bot":
        body = {"sender": sender, "message": BOT_TURNS[turn % len(BOT_TURNS)]}
        return client.post(f"/v1/bots/{BOT}/webhooks/rest/webhook", json=body)
    raise ValueError(route)


def dictation(
    url: str, inputs: Inputs, seconds: float = 4.0, ready_timeout: float = 120
) -> tuple[int, str | None, float, float | None]:
    """Stream `seconds` of speech at real time in 40 ms frames, stop, wait for `done`: (status, error code,
    seconds from stop to done: what a dictating clinician waits for, the retry hint of a full server)."""
    ws_url = url.replace("http://", "ws://") + "/v1/medical/dictation"
    frame = 1280  # 40 ms of 16 kHz PCM16
    with connect(ws_url, open_timeout=30, max_size=2**22) as ws:
        ws.send(json.dumps({"type": "start", "sample_rate": 16000, "model": "tiny.en"}))
        ready = json.loads(ws.recv(timeout=ready_timeout))
        if ready.get("type") != "ready":  # a full server (close 1013, try again later) says when to come back
            return 503, ready.get("code") or ready.get("type"), 0.0, ready.get("retry_after_s")
        pcm = inputs.pcm16[: int(seconds * 32000)]
        started = time.monotonic()
        for i in range(0, len(pcm), frame):
            ws.send(pcm[i : i + frame])
            time.sleep(max(0.0, started + (i + frame) / 32000 - time.monotonic()))
        ws.send(json.dumps({"type": "stop"}))
        stopped = time.monotonic()
        while True:
            event = json.loads(ws.recv(timeout=120))
            if event.get("type") == "done":
                return 200, None, time.monotonic() - stopped, None
            if event.get("type") == "error":
                return 500, event.get("code"), time.monotonic() - stopped, None


def client_loop(run: Run, inputs: Inputs, seed: int) -> None:
    rng = random.Random(seed)
    routes, weights = list(MIX), [w for w, _ in MIX.values()]
    sender, turn = f"soak-{seed}", 0
    with httpx.Client(base_url=run.url, timeout=120) as client:
        while not run.stop.is_set():
            route = rng.choices(routes, weights)[0]
            began = time.monotonic()
            at = run.now()
            waited: float | None = None
            retry_after: float | None = None
            try:
                if route == "dictation":
                    status, code, waited, retry_after = dictation(run.url, inputs)
                else:
                    response = request(route, client, inputs, sender, turn)
                    status, code = response.status_code, _code(response)
                    if route == "bot" and status == 200:  # unanswered: the same message again next time
                        check_reply(run, response, turn)
                        turn += 1
                    if status in (429, 503) and response.headers.get("retry-after", "").isdigit():
                        retry_after = float(response.headers["retry-after"])
            except Exception as exc:  # transport errors, timeouts, a socket closed with an error: counted
                status, code = 0, type(exc).__name__
            seconds = waited if waited is not None else time.monotonic() - began
            run.record(Sample(route, status, seconds, at, code, retry_after))
            if retry_after is not None:  # as a well-behaved client does: come back when told
                run.stop.wait(min(retry_after, 30.0))


def check_reply(run: Run, response: httpx.Response, turn: int) -> None:
    message, expected = CLINIC_BOOKING[turn % len(CLINIC_BOOKING)]
    said = " | ".join(str(r.get("text", "")) for r in response.json() if isinstance(r, dict))
    if expected.lower() not in said.lower():
        with run.lock:
            run.wrong_replies.append(f"{message!r} -> {said[:80]!r}")


# -- the batch, the sampler, the sidecar kill ----------------------------------------------------------------------
def batch_loop(run: Run, inputs: Inputs, calls: int) -> None:
    """A call-analytics batch job always running: when one finishes the next is submitted."""
    import soundfile as sf

    rng = np.random.default_rng(0)
    call, rate = sf.read(io.BytesIO(inputs.call), dtype="float32")
    with httpx.Client(base_url=run.url, timeout=120) as client:
        while not run.stop.is_set():
            files = []
            for k in range(calls):  # a faint different hiss on each: no two calls are the same bytes
                unique = io.BytesIO()
                sf.write(unique, call + rng.normal(0, 1e-4, call.shape).astype("float32"), rate, format="WAV")
                files.append(("files", (f"call{k}.wav", unique.getvalue(), "audio/wav")))
            submitted = run.now()
            response = client.post("/v1/calls/analyze", files=files)
            if response.status_code != 202:
                run.events.append(f"{submitted:6.0f} s  batch refused: {response.status_code} {_code(response)}")
                run.stop.wait(10)
                continue
            job = response.json()["id"]
            status = "queued"
            while not run.stop.is_set():
                status = client.get(f"/v1/jobs/{job}").json()["status"]
                if status in ("succeeded", "failed", "cancelled"):
                    break
                run.stop.wait(2)
            if status in ("succeeded", "failed", "cancelled"):
                run.batch.append(
                    {
                        "at": submitted,
                        "seconds": run.now() - submitted,
                        "calls": calls,
                        "ok": float(status == "succeeded"),
                    }
                )


def _proc(pid: int) -> tuple[float, int]:
    """(RSS in MB, open descriptors) of one process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def _metric(text: str, name: str, label: str) -> float:
    match = re.search(rf'^{name}\{{[^}}]*"{label}"[^}}]*\}} ([0-9.e+]+)$', text, re.M)
    return float(match.group(1)) if match else 0.0


def sampler(run: Run, pid: int | None, every: float) -> None:
    with httpx.Client(base_url=run.url, timeout=30) as client:
        while not run.stop.is_set():
            row: dict[str, float] = {"t": run.now()}
            if pid is not None:
                row["rss_mb"], row["fds"] = _proc(pid)
            try:
                metrics = client.get("/metrics").text
                row["jobs_queued"] = _metric(metrics, "voxgate_jobs", "queued")
                row["jobs_running"] = _metric(metrics, "voxgate_jobs", "running")
                row["pool_queued"] = _metric(metrics, "voxgate_pool_queued_tasks", "cpu")
                row["pool_wait_p95"] = _metric(metrics, "voxgate_pool_admitted_wait_p95_seconds", "cpu")
            except httpx.HTTPError:
                pass
            with run.lock:
                done = len(run.samples)
            row["requests"] = done
            run.timeline.append(row)
            run.stop.wait(every)


def kill_sidecar(run: Run, at: float) -> None:
    if run.stop.wait(at):
        return
    with httpx.Client(base_url=run.url, timeout=30) as client:
        bot = next(b for b in client.get("/v1/bots").json() if b["name"] == BOT)
        if not bot["pid"]:
            run.events.append(f"{run.now():6.0f} s  {BOT} sidecar has no pid ({bot['state']}): not killed")
            return
        os.kill(bot["pid"], signal.SIGKILL)
        killed = run.now()
        run.events.append(f"{killed:6.0f} s  SIGKILL {BOT} Rasa server (pid {bot['pid']})")
        while not run.stop.wait(1):
            now = next(b for b in client.get("/v1/bots").json() if b["name"] == BOT)
            if now["ready"] and now["pid"] != bot["pid"]:
                run.events.append(
                    f"{run.now():6.0f} s  {BOT} ready again (pid {now['pid']}, restarts "
                    f"{now['restarts']}) after {run.now() - killed:.0f} s"
                )
                run.kill_window = (killed, run.now())  # type: ignore[attr-defined]
                return
        run.events.append(f"{run.now():6.0f} s  {BOT} not ready again by the end ({now['state']})")
        run.kill_window = (killed, run.now())  # type: ignore[attr-defined]


# -- report --------------------------------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def slope_per_min(rows: list[dict[str, float]], key: str, skip: float) -> tuple[float, float, float]:
    """(slope per minute, first, last) of `key` by least squares over the rows after the warm-up `skip` s."""
    points = [(r["t"], r[key]) for r in rows if key in r and r["t"] >= skip]
    if len(points) < 3:
        return float("nan"), float("nan"), float("nan")
    t, v = np.array(points).T
    return float(np.polyfit(t / 60, v, 1)[0]), float(v[0]), float(v[-1])


def report(run: Run, args: argparse.Namespace, console: Console) -> None:
    duration = args.minutes * 60
    window = getattr(run, "kill_window", None)
    in_window = lambda s: window is not None and s.route == "bot" and window[0] <= s.at <= window[1] + 2  # noqa: E731
    table = Table(title=f"soak: {args.clients} clients, {args.minutes:g} min, a {args.batch_calls}-call batch running")
    for column in ("route", "n", "ok", "req/s", "p50 s", "p95 s", "p99 s", "p95 target", "errors by status"):
        table.add_column(column, justify="left" if column in ("route", "errors by status") else "right")
    by_route: dict[str, list[Sample]] = defaultdict(list)
    for sample in run.samples:
        by_route[sample.route].append(sample)
    fives = shed = 0
    for route in MIX:
        samples = by_route.get(route, [])
        ok = [s.seconds for s in samples if 200 <= s.status < 300]
        failed = [s for s in samples if not 200 <= s.status < 300 and not in_window(s)]
        errors = Counter(f"{s.status} {s.code}" + (" (shed)" if s.retry_after is not None else "") for s in failed)
        expected = sum(1 for s in samples if not 200 <= s.status < 300 and in_window(s))
        fives += sum(1 for s in failed if (s.status >= 500 or s.status == 0) and s.retry_after is None)
        shed += sum(1 for s in failed if s.retry_after is not None)
        p95 = pct(ok, 95)
        target = MIX[route][1]
        text = ", ".join(f"{k}: {n}" for k, n in errors.most_common()) or "-"
        if expected:
            text += f" (+{expected} while the sidecar restarted)"
        table.add_row(
            route,
            str(len(samples)),
            str(len(ok)),
            f"{len(ok) / duration:.2f}",
            f"{pct(ok, 50):.2f}",
            f"{p95:.2f}",
            f"{pct(ok, 99):.2f}",
            f"{target:g} {'ok' if p95 <= target else 'MISSED'}",
            text,
        )
    total_ok = sum(1 for s in run.samples if 200 <= s.status < 300)
    table.add_row(
        "all",
        str(len(run.samples)),
        str(total_ok),
        f"{total_ok / duration:.2f}",
        "",
        "",
        "",
        "",
        f"5xx and transport errors: {fives}; shed with Retry-After: {shed}",
    )
    console.print(table)

    timeline = Table(title="gateway over time (warm-up: the first fifth, excluded from the slopes)")
    columns = ("t s", "RSS MB", "open fds", "jobs queued", "jobs running", "pool queue", "admitted wait p95 s")
    for column in (*columns, "requests done"):
        timeline.add_column(column, justify="right")
    step = max(1, len(run.timeline) // 20)
    for row in run.timeline[::step]:
        timeline.add_row(
            *(
                f"{row.get(k, float('nan')):.{1 if k == 'pool_wait_p95' else 0}f}"
                for k in ("t", "rss_mb", "fds", "jobs_queued", "jobs_running", "pool_queued", "pool_wait_p95",
                          "requests")  # fmt: skip
            )
        )
    console.print(timeline)
    warm = duration / 5
    for key, unit in (("rss_mb", "MB"), ("fds", "descriptors")):
        slope, first, last = slope_per_min(run.timeline, key, warm)
        console.print(
            f"{key}: {first:.0f} -> {last:.0f} after warm-up; slope {slope:+.2f} {unit}/min "
            f"({slope * 60:+.0f} {unit}/hour if it went on)"
        )
    queued = [r["jobs_queued"] for r in run.timeline if "jobs_queued" in r]
    if queued:
        console.print(f"job queue: max {max(queued):.0f} queued, mean {statistics.mean(queued):.1f}")
    done = [b for b in run.batch if b["ok"]]
    console.print(
        f"call-analytics batch: {len(done)} jobs of {args.batch_calls} calls finished during the soak"
        + (f", {statistics.mean(b['seconds'] for b in done):.0f} s each on average" if done else "")
    )
    for event in run.events:
        console.print(f"event: {event}")
    if window is not None:  # where the bot's slow turns are: before the kill, around the restart, after
        served = [s for s in by_route.get("bot", []) if 200 <= s.status < 300]
        phases = (
            ("before the kill", lambda s: s.at < window[0]),
            ("kill to 60 s after ready", lambda s: window[0] <= s.at < window[1] + 60),
            ("after that", lambda s: s.at >= window[1] + 60),
        )
        parts = []
        for name, inside in phases:
            seconds = [s.seconds for s in served if inside(s)]
            if seconds:
                parts.append(f"{name} {len(seconds)} ok, p50 {pct(seconds, 50):.2f} s, p95 {pct(seconds, 95):.2f} s")
        console.print("bot turns by phase: " + "; ".join(parts))
    if "bot" in by_route:
        answered = sum(1 for s in by_route["bot"] if s.status == 200)
        wrong = run.wrong_replies
        console.print(f"bot replies: {answered - len(wrong)} of {answered} answered turns said what they must"
                      + (f"; wrong, e.g. {wrong[0]}" if wrong else ""))  # fmt: skip
    console.print(f"5xx + transport errors outside the sidecar restart: {fives} (goal: 0); load shed (503/429 with "
                  f"Retry-After, the client waited as told): {shed}")  # fmt: skip


def plot(run: Run, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [r for r in run.timeline if "rss_mb" in r]
    if not rows:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [r["t"] / 60 for r in rows]
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    axes[0].plot(t, [r["rss_mb"] for r in rows])
    axes[0].set_ylabel("gateway RSS (MB)")
    axes[1].plot(t, [r["fds"] for r in rows], color="tab:orange")
    axes[1].set_ylabel("open fds")
    axes[2].plot(t, [r.get("jobs_queued", 0) for r in rows], label="jobs queued")
    axes[2].plot(t, [r.get("pool_queued", 0) for r in rows], label="pool tasks queued")
    axes[2].set_ylabel("queues")
    axes[2].set_xlabel("minutes")
    axes[2].legend()
    for event in run.events:
        if "SIGKILL" in event:
            for ax in axes:
                ax.axvline(float(event.split()[0]) / 60, color="red", linestyle=":")
    fig.suptitle("voxgate soak: gateway memory, descriptors and queues")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def warm_up(client: httpx.Client, url: str, inputs: Inputs, console: Console) -> None:
    """One request of each kind before the clock starts: model loading is start-up, not the soak."""
    began = time.monotonic()
    for route in MIX:
        try:
            if route == "dictation":
                status = dictation(url, inputs, seconds=1.0, ready_timeout=600)[0]
            else:
                status = request(route, client, inputs, "soak-warm-up", 0).status_code
        except Exception as exc:  # the soak itself counts failures; here only say so
            console.print(f"warm-up: {route} failed: {type(exc).__name__}: {exc}")
            continue
        if status >= 300:
            console.print(f"warm-up: {route} answered {status}")
    console.print(f"warm-up: one request of each kind in {time.monotonic() - began:.0f} s")


# -- main ----------------------------------------------------------------------------------------------------------
def wait_bots(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, timeout=30) as client:
        while time.monotonic() < deadline:
            bots = client.get("/v1/bots").json()
            if any(b["name"] == BOT and b["ready"] for b in bots):
                return
            time.sleep(2)
    raise SystemExit(f"bot {BOT!r} not ready after {timeout:.0f} s: {bots}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--batch-calls", type=int, default=4, help="calls per call-analytics batch job")
    parser.add_argument("--kill-sidecar-at", type=float, default=None, help="fraction of the run (e.g. 0.5)")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between RSS/fd/queue samples")
    parser.add_argument("--url", default=None, help="drive a gateway already running (started with every module)")
    parser.add_argument("--pid", type=int, default=None, help="with --url: the gateway's pid, for RSS and fds")
    parser.add_argument("--no-bots", action="store_true", help="leave the bots (and their Rasa servers) out")
    parser.add_argument("--plot", type=Path, default=RESULTS / "soak.png")
    args = parser.parse_args()
    console = Console(width=160)
    if args.no_bots:
        MIX.pop("bot")
        args.kill_sidecar_at = None

    server = None
    if args.url is None:
        from tests.server import Server

        tmp = Path(tempfile.mkdtemp(prefix="voxgate-soak-"))
        modules = MODULES.replace(', "bots"', "") if args.no_bots else MODULES
        server = Server(tmp, job_workers=1, modules=modules, start_timeout=600)
        url, pid = server.url, server.process.pid
        console.print(f"gateway pid {pid} at {url}, files in {tmp}")
    else:
        url, pid = args.url, args.pid
    try:
        if not args.no_bots:
            wait_bots(url, 900)
        with httpx.Client(base_url=url, timeout=300) as client:
            inputs = make_inputs(client)
            warm_up(client, url, inputs, console)
        run = Run(url)
        threads = [
            threading.Thread(target=sampler, args=(run, pid, args.sample_every), daemon=True),
            threading.Thread(target=batch_loop, args=(run, inputs, args.batch_calls), daemon=True),
        ]
        threads += [
            threading.Thread(target=client_loop, args=(run, inputs, i), daemon=True) for i in range(args.clients)
        ]
        if args.kill_sidecar_at is not None:
            at = args.kill_sidecar_at * args.minutes * 60
            threads.append(threading.Thread(target=kill_sidecar, args=(run, at), daemon=True))
        for thread in threads:
            thread.start()
        run.stop.wait(args.minutes * 60)
        run.stop.set()
        for thread in threads:
            thread.join(150)
        report(run, args, console)
        plot(run, args.plot)
        console.print(f"plot: {args.plot.relative_to(ROOT) if args.plot.is_relative_to(ROOT) else args.plot}")
    finally:
        if server is not None:
            server.kill()


if __name__ == "__main__":
    main()
