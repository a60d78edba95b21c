"""Throughput of the shared pool on the MiniLM embedding model, micro-batching on vs off.

Many concurrent callers each send one text at a time (as chat widgets and per-turn
sentiment calls do); the pool either groups them into batches or runs them one by one.

    .venv/bin/python -m bench.pool [--texts 1024] [--callers 16] [--max-wait-ms 5]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

import nlp
from workers import EmbeddedPool, ModelSpec, PoolSettings, Priority

SAMPLE = [
    "I was charged twice for my order and I want a refund.",
    "The patient denies chest pain or shortness of breath.",
    "Can I move my appointment to Thursday afternoon?",
    "Your parcel is out for delivery today.",
    "Take one tablet by mouth twice a day with food.",
    "I have been waiting on hold for forty minutes.",
    "What are your opening hours on Saturday?",
    "The agent was very helpful, thank you.",
]


@dataclass
class Run:
    name: str
    seconds: float
    latencies: list[float]
    batches: int
    items: int

    @property
    def throughput(self) -> float:
        return self.items / self.seconds


def run(spec: ModelSpec, batching: bool, texts: list[str], callers: int) -> Run:
    pool = EmbeddedPool(PoolSettings(batching=batching, use_cuda=False), devices=["cpu"])
    pool.run(spec, lambda model: model.encode(["warm up"]))  # load outside the timed part
    latencies: list[float] = []
    lock = threading.Lock()
    shares = [texts[i::callers] for i in range(callers)]

    def caller(share: list[str]) -> None:
        for text in share:
            started = time.perf_counter()
            pool.infer(spec, text, Priority.INTERACTIVE).result()
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=caller, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    info = next(m for m in pool.status().models if m.id == spec.id)
    pool.shutdown()
    batches = info.batches if batching else len(texts)
    return Run("batching on" if batching else "batching off", seconds, latencies, batches, len(texts))


def interactive_latency_under_batch_load(spec: ModelSpec, reserved: int, requests: int) -> list[float]:
    """Interactive single-text latencies while batch jobs keep both CPU threads' worth of work queued."""
    pool = EmbeddedPool(PoolSettings(use_cuda=False, interactive_reserved_threads=reserved), devices=["cpu"])
    pool.run(spec, lambda model: model.encode(["warm up"]))
    stop = threading.Event()
    long_list = [f"{SAMPLE[i % len(SAMPLE)]} (batch {i})" for i in range(256)]

    def batch_load() -> None:
        while not stop.is_set():
            pool.infer_many(spec, long_list, Priority.BATCH)

    loaders = [threading.Thread(target=batch_load) for _ in range(3)]
    for thread in loaders:
        thread.start()
    time.sleep(1.0)
    latencies = []
    for i in range(requests):
        started = time.perf_counter()
        pool.infer(spec, f"live request {i}", Priority.INTERACTIVE).result()
        latencies.append(time.perf_counter() - started)
        time.sleep(0.05)
    stop.set()
    for thread in loaders:
        thread.join()
    pool.shutdown()
    return latencies


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1024)
    parser.add_argument("--callers", type=int, default=16)
    parser.add_argument("--max-wait-ms", type=float, default=5.0)
    parser.add_argument("--live-requests", type=int, default=40)
    args = parser.parse_args()
    texts = [f"{SAMPLE[i % len(SAMPLE)]} (case {i})" for i in range(args.texts)]
    base = nlp.embedding_spec()
    spec = ModelSpec(**{**base.__dict__, "max_wait_ms": args.max_wait_ms})

    off = run(spec, batching=False, texts=texts, callers=args.callers)
    on = run(spec, batching=True, texts=texts, callers=args.callers)

    table = Table(
        title=f"pool throughput: all-MiniLM-L6-v2, {args.texts} texts, {args.callers} concurrent callers, CPU"
    )
    for column in ("mode", "texts/s", "p50 ms", "p95 ms", "batches", "mean batch"):
        table.add_column(column, justify="right")
    for result in (off, on):
        table.add_row(
            result.name,
            f"{result.throughput:.1f}",
            f"{percentile(result.latencies, 50) * 1000:.1f}",
            f"{percentile(result.latencies, 95) * 1000:.1f}",
            str(result.batches),
            f"{result.items / result.batches:.1f}",
        )
    table.add_row(
        "ratio on/off",
        f"{on.throughput / off.throughput:.2f}x",
        f"{percentile(on.latencies, 50) / percentile(off.latencies, 50):.2f}x",
        f"{percentile(on.latencies, 95) / percentile(off.latencies, 95):.2f}x",
        "",
        "",
    )
    console = Console()
    console.print(table)

    shared = interactive_latency_under_batch_load(spec, reserved=0, requests=args.live_requests)
    reserved = interactive_latency_under_batch_load(spec, reserved=1, requests=args.live_requests)
    live = Table(title=f"interactive latency while batch jobs saturate the pool ({args.live_requests} live requests)")
    for column in ("batch may use", "p50 ms", "p95 ms", "max ms"):
        live.add_column(column, justify="right")
    for name, values in (("all threads", shared), ("all but 1 (default)", reserved)):
        live.add_row(name, *(f"{v * 1000:.0f}" for v in (percentile(values, 50), percentile(values, 95), max(values))))
    live.add_row(
        "ratio default/all",
        f"{percentile(reserved, 50) / percentile(shared, 50):.2f}x",
        f"{percentile(reserved, 95) / percentile(shared, 95):.2f}x",
        f"{max(reserved) / max(shared):.2f}x",
    )
    console.print(live)


if __name__ == "__main__":
    main()
