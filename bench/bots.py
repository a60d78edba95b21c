"""Chatbot benchmark: reply latency through the gateway vs directly to Rasa, and NLU accuracy on held-out phrasings.

    .venv/bin/python bench/bots.py [--turns 24] [--skip-nlu]

Starts a gateway with the bots module (and so the Rasa sidecars), then plays short conversations at 1 and 8
concurrent conversations, once through POST /v1/bots/BOT/webhooks/rest/webhook and once straight to the Rasa
server's REST channel, and prints p50/p95 and the gateway's overhead as a ratio. Then runs `rasa test nlu` on the
held-out examples in bench/bots_heldout/ (never in the training data) and prints intent accuracy and macro F1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.settings import Settings  # noqa: E402
from bots.projects import list_projects, rasa_env  # noqa: E402
from bots.train import train  # noqa: E402
from tests.server import Server  # noqa: E402

RASA_VENV = Settings().bots.rasa_venv  # VOXGATE_RASA_VENV, or .venv-rasa

TURNS = ["hello", "what are your opening hours", "are you a bot?", "thanks"]


async def conversation(client: httpx.AsyncClient, url: str, turns: int, latencies: list[float]) -> None:
    sender = f"bench-{uuid.uuid4().hex}"
    for i in range(turns):
        started = time.perf_counter()
        response = await client.post(url, json={"sender": sender, "message": TURNS[i % len(TURNS)]})
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()


async def measure(url: str, concurrency: int, turns: int) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=60) as client:
        await conversation(client, url, 2, [])  # warm-up
        await asyncio.gather(*(conversation(client, url, turns, latencies) for _ in range(concurrency)))
    return latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def latency_table(gateway: Server, turns: int) -> None:
    info = {b["name"]: b for b in gateway.client.get("/v1/bots").json()}["clinic"]
    targets = {"gateway": f"{gateway.url}{info['rest_url']}", "direct": f"{info['rasa_url']}/webhooks/rest/webhook"}
    print(f"\nreply latency, clinic bot, {turns} turns per conversation (ms)")
    print(f"{'conc':>4} {'path':>8} {'n':>4} {'p50':>8} {'p95':>8} {'mean':>8}")
    for concurrency in (1, 8):
        results = {name: asyncio.run(measure(url, concurrency, turns)) for name, url in targets.items()}
        for name, lat in results.items():
            print(
                f"{concurrency:>4} {name:>8} {len(lat):>4} {pct(lat, 0.5):8.1f} {pct(lat, 0.95):8.1f}"
                f" {statistics.mean(lat) * 1000:8.1f}"
            )
        g, d = results["gateway"], results["direct"]
        print(
            f"{concurrency:>4} {'ratio':>8} {'':>4} {pct(g, 0.5) / pct(d, 0.5):8.2f} {pct(g, 0.95) / pct(d, 0.95):8.2f}"
        )


def nlu_table(out: Path) -> None:
    print("\nNLU intent classification on held-out examples (rasa test nlu)")
    print(f"{'bot':>16} {'examples':>8} {'accuracy':>9} {'macro F1':>9}")
    for project in list_projects():
        heldout = ROOT / "bench" / "bots_heldout" / f"{project.name}.yml"
        report_dir = out / project.name
        subprocess.run(
            [
                str(RASA_VENV / "bin" / "rasa"),
                "test",
                "nlu",
                "--nlu",
                str(heldout),
                "--model",
                str(project.model_path),
            ]
            + ["--out", str(report_dir), "--no-plot", "--quiet"],
            cwd=project.path,
            env=rasa_env(),
            check=True,
            capture_output=True,
        )
        report = json.loads((report_dir / "intent_report.json").read_text())
        support = report["macro avg"]["support"]
        print(f"{project.name:>16} {support:>8} {report['accuracy']:9.3f} {report['macro avg']['f1-score']:9.3f}")
        errors = json.loads((report_dir / "intent_errors.json").read_text())
        for error in errors[:5]:
            print(f"{'':>18}miss: {error['text']!r} -> {error['intent_prediction']['name']} (want {error['intent']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=24, help="turns per conversation")
    parser.add_argument("--skip-nlu", action="store_true")
    args = parser.parse_args()
    for project in list_projects():
        train(project, RASA_VENV)
    with tempfile.TemporaryDirectory() as tmp:
        gateway = Server(Path(tmp), modules='["bots"]')
        try:
            deadline = time.monotonic() + 300
            while not all(b["ready"] for b in gateway.client.get("/v1/bots").json()):
                if time.monotonic() > deadline:
                    raise SystemExit("Rasa sidecars not ready in 300 s")
                time.sleep(1)
            latency_table(gateway, args.turns)
        finally:
            gateway.process.terminate()
            gateway.process.wait(30)
        if not args.skip_nlu:
            nlu_table(Path(tmp) / "nlu")


if __name__ == "__main__":
    main()
