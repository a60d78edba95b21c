"""Voice bots: end of the user's speech -> first byte of the spoken reply, p50/p95, at 1 and 4 concurrent
conversations over WS /v1/bots/BOT/voice, with and without a batch job (a 10-minute medical transcription job at
batch priority on the same gateway); the ASR WER of the user's turns; and the share of turns whose intent, parsed
from the ASR transcript, matches the intent the same Rasa NLU gives the typed words.

    .venv/bin/python -m bench.voice_bots [--turns 12] [--concurrency 1 4] [--no-batch] [--no-baseline]

The user's turns are the held-out phrasings of bench/bots_heldout/ (never in the training data, and nothing here
was tuned on them: measured only), spoken by our TTS in flite-slt (the bots speak en_US-joe-medium), streamed at
real time in 40 ms PCM16 frames followed by silence, as a microphone would. Latency is measured at the client:
from the moment the last frame of speech was sent to the arrival of the reply's first audio frame. Baseline, same
run (1 conversation, no batch): the same turns through POST /v1/bots/BOT/utterance (the whole recording uploaded at
end of speech, the whole reply synthesised), end of speech -> first byte of its answer; the ratio is socket/POST.

Goal (issue 16): p95 <= 1.2 s with tiny.en, one conversation, on 2 cores. The machine is shared: read the load line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import yaml
from rich.console import Console
from rich.table import Table
from websockets.sync.client import connect

from api.settings import Settings
from bots.projects import list_projects, rasa_env
from bots.train import train
from tests.bots.voice import VoiceClient, pcm16, silence, spoken
from tests.server import Server

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "bench" / "bots_heldout"
DATA = Path(os.environ.get("VOXGATE_DATA", ROOT.parent / "shared" / "data"))
BATCH_FILE = "speech/medical/RES0198.mp3"


def words(text: str) -> list[str]:
    return re.sub(r"[^\w' ]", " ", text.lower()).split()


def edits(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def phrases(bot: str) -> list[str]:
    """The held-out phrasings of `bot`, in file order, interleaved across intents."""
    nlu = yaml.safe_load((HELDOUT / f"{bot}.yml").read_text())["nlu"]
    groups = [[line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")] for block in nlu]
    out: list[str] = []
    for i in range(max(len(g) for g in groups)):
        out += [g[i] for g in groups if i < len(g)]
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def converse(port: int, bot: str, texts: list[str], turns: list[dict]) -> None:
    """One conversation: each text spoken, then silence streamed until the reply's first audio, then its end."""
    url = f"ws://127.0.0.1:{port}/v1/bots/{bot}/voice"
    with connect(url, max_size=None, open_timeout=60) as ws:
        client = VoiceClient(ws)
        client.send_json({"type": "start", "sample_rate": 16000, "greeting": False})
        client.wait(lambda e: e["type"] == "ready", timeout=120)
        for n, text in enumerate(texts, start=1):
            end = client.stream(pcm16(spoken(text)), speed=1.0)
            record = {"bot": bot, "text": text, "transcript": None, "latency": None}
            done = threading.Event()
            quiet = threading.Thread(target=_silence_until, args=(client, done))
            quiet.start()
            try:
                user = client.wait(lambda e, n=n: e["type"] == "user" and e["turn"] == n, 20)
                record["transcript"], record["user_s"] = user["text"], user["at"] - end
                record["bot_s"] = client.wait(lambda e, n=n: e["type"] == "bot" and e["turn"] == n, 20)["at"] - end
                audio = client.wait(lambda e, n=n: e["type"] == "audio" and e["turn"] == n, 20)
                record["latency"] = audio["data_at"] - end
                record["sentence"], record["cached"] = audio["text"], audio["cached"]
                client.wait(lambda e, n=n: e["type"] == "audio_end" and e["turn"] == n, 60)
            except AssertionError as exc:
                record["error"] = str(exc)[:200]
            done.set()
            quiet.join()
            turns.append(record)
        client.send_json({"type": "stop"})
        client.wait_closed(60)


def _silence_until(client: VoiceClient, done: threading.Event) -> None:
    """The microphone stays open: silence in 40 ms frames at real time until the reply is over."""
    frame = silence(0.04)
    began = time.monotonic()
    for i in range(1000):
        if done.is_set():
            return
        client.stream(frame, speed=1.0, chunk_s=0.04)
        time.sleep(max(0.0, began + (i + 1) * 0.04 - time.monotonic()))


def run_config(port: int, concurrency: int, texts: dict[str, list[str]], per_conversation: int) -> list[dict]:
    turns: list[dict] = []
    bots = list(texts)
    threads = []
    for i in range(concurrency):
        bot = bots[i % len(bots)]
        chosen = texts[bot][(i // len(bots)) * per_conversation :][:per_conversation]
        threads.append(threading.Thread(target=converse, args=(port, bot, chosen, turns)))
    for thread in threads:
        thread.start()
        time.sleep(0.7)  # staggered, as callers are
    for thread in threads:
        thread.join()
    return turns


async def baseline(url: str, bot: str, texts: list[str]) -> list[float]:
    """The same turns through POST /utterance: end of speech (the upload starts) -> first byte of the answer."""
    out = []
    sender = f"bench-{uuid.uuid4().hex}"
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for text in texts:
            began = time.monotonic()
            files = {"file": ("turn.wav", spoken(text), "audio/wav")}
            async with client.stream("POST", f"/v1/bots/{bot}/utterance", files=files, data={"sender": sender},
                                     headers={"Accept": "audio/mpeg"}) as response:  # fmt: skip
                async for _ in response.aiter_bytes():
                    out.append(time.monotonic() - began)
                    break
    return out


NLU_SCRIPT = """
import asyncio, json, sys
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
texts = json.loads(sys.stdin.read())
async def parse():
    return [(await agent.parse_message(t))["intent"]["name"] for t in texts]
print("INTENTS " + json.dumps(asyncio.run(parse())))
"""


def intents(bot: str, texts: list[str]) -> list[str]:
    """The bot's trained NLU on `texts` (its model loaded in the Rasa venv; the sidecars run without the HTTP API)."""
    project = next(p for p in list_projects() if p.name == bot)
    python = Settings().bots.rasa_venv / "bin" / "python"
    out = subprocess.run([str(python), "-c", NLU_SCRIPT, str(project.model_path)], input=json.dumps(texts),
                         capture_output=True, text=True, env=rasa_env(), timeout=600, check=True)  # fmt: skip
    line = next(line for line in out.stdout.splitlines() if line.startswith("INTENTS "))
    return json.loads(line[len("INTENTS ") :])


class BatchJob:
    """A long medical transcription submitted as a job: it runs at batch priority in the gateway's job worker."""

    def __init__(self, gateway: Server) -> None:
        self.gateway = gateway
        self.id: str | None = None

    def __enter__(self) -> BatchJob:
        with open(DATA / BATCH_FILE, "rb") as fh:
            response = self.gateway.client.post("/v1/medical/transcriptions", files={"file": fh},
                                                data={"mode": "job", "model": "tiny.en"})  # fmt: skip
        response.raise_for_status()
        self.id = response.json()["id"]
        deadline = time.monotonic() + 60
        while self.gateway.client.get(f"/v1/jobs/{self.id}").json()["status"] != "running":
            if time.monotonic() > deadline:
                raise SystemExit("the batch job did not start")
            time.sleep(0.5)
        return self

    def __exit__(self, *_exc: object) -> None:
        status = self.gateway.client.get(f"/v1/jobs/{self.id}").json()
        print(f"# batch job {self.id}: {status['status']} at {status.get('progress', 0):.0f}% when the run ended")
        self.gateway.client.delete(f"/v1/jobs/{self.id}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=12, help="turns per conversation")
    parser.add_argument("--concurrency", nargs="+", type=int, default=[1, 4])
    parser.add_argument("--no-batch", action="store_true", help="skip the runs with a batch job")
    parser.add_argument("--no-baseline", action="store_true", help="skip the POST /utterance baseline")
    args = parser.parse_args()
    for project in list_projects():
        train(project, Settings().bots.rasa_venv)
    texts = {bot: phrases(bot) for bot in ("clinic", "contact-centre")}
    rows, all_turns, ratio = [], [], None
    with tempfile.TemporaryDirectory() as tmp:
        gateway = Server(Path(tmp), modules='["bots", "voicebots", "asr"]')
        try:
            deadline = time.monotonic() + 300
            while not all(b["ready"] for b in gateway.client.get("/v1/bots").json()):
                if time.monotonic() > deadline:
                    raise SystemExit("Rasa sidecars not ready in 300 s")
                time.sleep(1)
            while not gateway.client.get("/v1/bots/clinic/voice-profile").json()["prewarmed"]:
                if time.monotonic() > deadline + 300:
                    raise SystemExit("the voice prewarm did not finish in 300 s")
                time.sleep(1)  # the bots' prompts are being spoken into the cache: measure after, as in service
            run_config(gateway.port, 1, {"clinic": ["hello"]}, 1)  # warm-up: models loaded, first decode done
            for batch in [False] if args.no_batch else [False, True]:
                for n in args.concurrency:
                    with BatchJob(gateway) if batch else _Nothing():
                        turns = run_config(gateway.port, n, texts, args.turns)
                    latencies = [t["latency"] for t in turns if t["latency"] is not None]
                    answered = [t for t in turns if t["latency"] is not None]
                    row = {
                        "conversations": n, "batch_job": batch, "turns": len(turns), "answered": len(latencies),
                        "p50": pct(latencies, 50), "p95": pct(latencies, 95), "max": max(latencies, default=0),
                        "user_p50": pct([t["user_s"] for t in answered], 50),
                        "bot_p50": pct([t["bot_s"] for t in answered], 50),
                        "cached": sum(bool(t["cached"]) for t in answered),
                    }  # fmt: skip
                    rows.append(row)
                    all_turns += turns
                    print(json.dumps(row), flush=True)
            if not args.no_baseline:
                first = texts["clinic"][: args.turns]
                post = asyncio.run(baseline(gateway.url, "clinic", first))
                ratio = (pct(post, 50), pct(post, 95))
        finally:
            gateway.process.terminate()
            gateway.process.wait(30)
    heard = [t for t in all_turns if t["transcript"] is not None]
    typed, spoken_intents = {}, {}
    for bot in texts:  # one Rasa load per bot: the typed words, then the transcripts
        mine = [t for t in heard if t["bot"] == bot]
        both = intents(bot, [t["text"] for t in mine] + [t["transcript"] for t in mine])
        typed[bot], spoken_intents[bot] = both[: len(mine)], both[len(mine) :]
    report(rows, all_turns, heard, typed, spoken_intents, ratio)


def report(rows, all_turns, heard, typed, spoken_intents, ratio) -> None:  # noqa: ANN001
    console = Console()
    table = Table(title=f"End of user speech -> first reply audio byte (tiny.en; bot voice en_US-joe-medium), "
                        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} at the end")  # fmt: skip
    columns = ["conversations", "batch job", "turns", "answered", "p50 s", "p95 s", "max s", "goal p95 <= 1.2 s",
               "user text p50 s", "bot text p50 s", "1st sentence cached"]  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    for r in rows:
        goal = ("met" if r["p95"] <= 1.2 else "missed") if r["conversations"] == 1 and not r["batch_job"] else ""
        table.add_row(
            str(r["conversations"]), "yes" if r["batch_job"] else "no", str(r["turns"]), str(r["answered"]),
            f"{r['p50']:.2f}", f"{r['p95']:.2f}", f"{r['max']:.2f}", goal, f"{r['user_p50']:.2f}",
            f"{r['bot_p50']:.2f}", f"{r['cached']}/{r['answered']}",
        )  # fmt: skip
    console.print(table)
    if ratio is not None:
        socket = next(r for r in rows if r["conversations"] == 1 and not r["batch_job"])
        base = Table(title="Streaming socket vs POST /utterance (same turns, same run; 1 conversation, no batch job)")
        for column in ["path", "p50 s", "p95 s", "ratio p50 (socket/POST)"]:
            base.add_column(column, justify="right")
        base.add_row("POST /v1/bots/clinic/utterance", f"{ratio[0]:.2f}", f"{ratio[1]:.2f}", "1.00")
        base.add_row("WS /v1/bots/{bot}/voice", f"{socket['p50']:.2f}", f"{socket['p95']:.2f}",
                     f"{socket['p50'] / ratio[0]:.2f}")  # fmt: skip
        console.print(base)
    quality = Table(title="User turns: ASR (tiny.en) on flite-slt speech of the held-out phrasings (measured only)")
    for column in ["bot", "turns", "WER", "intent from ASR = intent from the typed words"]:
        quality.add_column(column, justify="right")
    for bot in typed:
        mine = [t for t in heard if t["bot"] == bot]
        if not mine:
            continue
        ref = sum(len(words(t["text"])) for t in mine)
        errs = sum(edits(words(t["text"]), words(t["transcript"])) for t in mine)
        same = sum(a == b for a, b in zip(typed[bot], spoken_intents[bot], strict=True))
        quality.add_row(
            bot, str(len(mine)), f"{errs / max(ref, 1):.1%}", f"{same}/{len(mine)} = {same / max(len(mine), 1):.0%}"
        )
    console.print(quality)
    for t in heard:
        if words(t["text"]) != words(t["transcript"]):
            console.print(f"  heard {t['transcript']!r} for {t['text']!r}", highlight=False)
    failed = [t for t in all_turns if t.get("error")]
    for t in failed[:5]:
        console.print(f"  no reply audio for {t['text']!r}: {t['error']}", highlight=False)


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        return None


if __name__ == "__main__":
    main()
