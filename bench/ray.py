"""The Ray pool on simulated nodes (ray.cluster_utils.Cluster on this one machine): call-analytics throughput on
1 vs 2 worker nodes, interactive latency while the batch lane is saturated, cold start, idle memory per node, and
a node removed mid-batch.

    .venv/bin/python -m bench.ray [--calls 8] [--requests 10] [--no-removal]

(Run it with -m: as a script, this file's name would hide the `ray` package.)

Each simulated node is a raylet with 1 Ray CPU; the head has 0 CPUs (Serve's controller and the replicas' status
board only). Lanes: one interactive replica and one batch replica per worker node, 0.5 CPU and 1 model thread
each. The calls are made by bench/ray_calls.py (25 s stereo calls, flite voices, with a planted name and phone);
the analysis is the default CallOptions (tiny.en, sentiment, PII). The interactive load is tiny.en on jfk.flac
(11 s) at interactive priority. Nothing here is tuned on: every figure is only measured.

All simulated nodes share this machine's cores (2 here, shared with other work), so two nodes cannot run twice
the work: the calls/hour ratio shows that the batch fans out over both nodes' replicas and what the cores allow,
not the scaling of two real machines (where each node brings its own cores and the ratio would be near the
replica count, ~2x, less the gateway's share).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ must not shadow the `ray` package
    sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from workers import PoolSettings, Priority  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "ray"
console = Console(width=160)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_rss_mb(root: int) -> float:
    """RSS of a process and all its descendants (a raylet: its workers and replicas)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += rss_mb(pid)
        todo.extend(children.get(pid, []))
    return total


def node_rss(node) -> float:
    raylets = node.all_processes.get("raylet", [])
    return sum(tree_rss_mb(p.process.pid) for p in raylets)


def pool_settings(address: str, nodes: int) -> PoolSettings:
    return PoolSettings(
        pool="ray",
        ray_address=address,
        use_cuda=False,
        ray_replica_cpus=0.5,
        ray_interactive_replicas=1,
        ray_batch_replicas=nodes,
        ray_replica_threads=1,
        ray_report_interval_s=0.5,
    )


def interactive_latencies(pool, clip, requests: int) -> list[float]:
    import asr

    options = asr.TranscribeOptions(model="tiny.en", language="en")
    settings = asr.AsrSettings(model_dir=Path(os.environ.get("VOXGATE_MODEL_DIR", REPO / "models")))
    out = []
    for _ in range(requests):
        started = time.perf_counter()
        asr.transcribe(clip, options, pool=pool, settings=settings, priority=Priority.INTERACTIVE)
        out.append(time.perf_counter() - started)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_batch(pool, paths, out: Path, on_done=None):
    import calls

    return calls.run_batch(
        paths, out, calls.CallOptions(), pool=pool, parallel=pool.parallelism(Priority.BATCH), on_done=on_done
    )


def one_config(nodes: int, paths: list[Path], clip, args, results: dict) -> None:
    import ray
    from fastapi.testclient import TestClient
    from ray.cluster_utils import Cluster

    from api.app import create_app
    from api.settings import Settings

    row: dict = {"nodes": nodes}
    os.environ.setdefault("RAY_worker_niceness", "0")  # as deploy.connect does for a Ray it starts (README)
    started = time.perf_counter()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False})
    workers = [cluster.add_node(num_cpus=1) for _ in range(nodes)]
    cluster.wait_for_nodes()
    row["cluster_s"] = time.perf_counter() - started
    try:
        settings = Settings(
            workers=pool_settings(cluster.address, nodes),
            modules=["calls"],
            database_url=f"sqlite:///{OUT / f'bench-{nodes}.db'}",
            artifact_dir=OUT / f"artifacts-{nodes}",
            model_dir=Path(os.environ.get("VOXGATE_MODEL_DIR", REPO / "models")),
        )
        started = time.perf_counter()
        with TestClient(create_app(settings)) as client:
            pool = client.app.state.pool
            pool.wait_for_replicas(timeout_s=120)
            row["gateway_s"] = time.perf_counter() - started
            assert client.get("/healthz").status_code == 200
            time.sleep(1.0)
            row["idle_node_mb"] = [round(node_rss(w)) for w in workers]
            row["head_mb"] = round(node_rss(cluster.head_node))
            row["gateway_mb"] = round(rss_mb(os.getpid()))

            warm = paths[: 2 * nodes]  # each batch replica loads its models before the timed batch
            run_batch(pool, warm, OUT / f"warm-{nodes}")
            started = time.perf_counter()
            summary = run_batch(pool, paths, OUT / f"batch-{nodes}")
            row["batch_s"] = time.perf_counter() - started
            row["succeeded"] = summary.succeeded
            row["calls_per_hour"] = len(paths) / row["batch_s"] * 3600
            row["loaded_node_mb"] = [round(node_rss(w)) for w in workers]
            row["batch_replicas_per_node"] = _per_node(pool, workers, "batch")

            if nodes == 2:
                idle = interactive_latencies(pool, clip, args.requests)
                busy_done = threading.Event()
                background = threading.Thread(
                    target=lambda: (run_batch(pool, paths, OUT / "load"), busy_done.set()), daemon=True
                )
                background.start()
                time.sleep(3.0)  # the batch lane is full
                busy = interactive_latencies(pool, clip, args.requests)
                saturated = not busy_done.is_set()
                background.join()
                results["latency"] = {
                    "idle_p50": statistics.median(idle),
                    "idle_p95": p95(idle),
                    "busy_p50": statistics.median(busy),
                    "busy_p95": p95(busy),
                    "saturated_throughout": saturated,
                }
                if not args.no_removal:
                    results["removal"] = removal(cluster, workers, pool, paths)
    finally:
        ray.shutdown()
        cluster.shutdown()
    results["configs"].append(row)


def _per_node(pool, workers, lane: str) -> list[int]:
    replicas = pool.status().replicas
    return [sum(1 for r in replicas if r.lane == lane and r.node == w.node_id) for w in workers]


def removal(cluster, workers, pool, paths: list[Path]) -> dict:
    """A batch with one batch node removed after its first call is done: recovery and retries."""
    out = OUT / "removal"
    done_at: list[float] = []
    retries_before = pool.status().retries
    batch_nodes = {r.node for r in pool.status().replicas if r.lane == "batch"}
    victim = next(w for w in workers if w.node_id in batch_nodes)
    removed: dict = {}

    def on_done(done: int, total: int, result) -> None:
        done_at.append(time.perf_counter())
        if done == 1:
            removed["at"] = time.perf_counter()
            cluster.remove_node(victim, allow_graceful=False)

    started = time.perf_counter()
    summary = run_batch(pool, paths, out, on_done=on_done)
    clean = {p.name: p.read_text() for p in sorted((OUT / "batch-2" / "calls").glob("*.json"))}
    got = {p.name: p.read_text() for p in sorted((out / "calls").glob("*.json"))}
    after = [t for t in done_at if t > removed["at"]]
    return {
        "succeeded": summary.succeeded,
        "calls": summary.calls,
        "equal_to_clean_run": got == clean,
        "next_call_after_removal_s": (after[0] - removed["at"]) if after else None,
        "batch_s": time.perf_counter() - started,
        "retries": pool.status().retries - retries_before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--requests", type=int, default=10, help="interactive transcriptions per latency sample")
    parser.add_argument("--no-removal", action="store_true")
    args = parser.parse_args()

    from asr.audio import decode
    from bench.ray_calls import short_calls

    data = Path(os.environ.get("VOXGATE_DATA", REPO.parent / "shared" / "data"))
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob("*.db"):
        stale.unlink()
    import shutil

    for folder in ("batch-1", "batch-2", "warm-1", "warm-2", "load", "removal", "artifacts-1", "artifacts-2"):
        shutil.rmtree(OUT / folder, ignore_errors=True)
    paths = short_calls(OUT / "calls", args.calls)
    clip = decode((data / "speech" / "general" / "jfk.flac").read_bytes()).samples
    results: dict = {"configs": []}
    for nodes in (1, 2):
        one_config(nodes, paths, clip, args, results)
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    report(results, args)


def report(results: dict, args) -> None:
    one, two = results["configs"]
    table = Table(title=f"call analytics, {args.calls} calls of ~25 s (tiny.en + sentiment + PII), after warm-up")
    for col in ("worker nodes", "batch replicas per node", "batch s", "calls/hour", "ratio to 1 node", "succeeded"):
        table.add_column(col, justify="right")
    for row in (one, two):
        table.add_row(
            str(row["nodes"]),
            str(row["batch_replicas_per_node"]),
            f"{row['batch_s']:.1f}",
            f"{row['calls_per_hour']:.0f}",
            f"{row['calls_per_hour'] / one['calls_per_hour']:.2f}x",
            f"{row['succeeded']}/{args.calls}",
        )
    console.print(table)
    lat = results.get("latency")
    if lat:
        table = Table(title=f"interactive tiny.en on jfk.flac (11 s), {args.requests} requests, 2 nodes")
        for col in ("batch lane", "p50 s", "p95 s", "p95 ratio to idle"):
            table.add_column(col, justify="right")
        table.add_row("idle", f"{lat['idle_p50']:.2f}", f"{lat['idle_p95']:.2f}", "1.00x")
        table.add_row(
            "saturated" + ("" if lat["saturated_throughout"] else " (batch ended early)"),
            f"{lat['busy_p50']:.2f}",
            f"{lat['busy_p95']:.2f}",
            f"{lat['busy_p95'] / lat['idle_p95']:.2f}x",
        )
        console.print(table)
    table = Table(title="cold start and memory (RSS of each raylet and its workers/replicas)")
    for col in ("worker nodes", "cluster up s", "gateway ready s", "idle MB per node", "after batch MB per node",
                "head MB", "gateway MB"):  # fmt: skip
        table.add_column(col, justify="right")
    for row in (one, two):
        table.add_row(
            str(row["nodes"]),
            f"{row['cluster_s']:.1f}",
            f"{row['gateway_s']:.1f}",
            ", ".join(map(str, row["idle_node_mb"])),
            ", ".join(map(str, row["loaded_node_mb"])),
            str(row["head_mb"]),
            str(row["gateway_mb"]),
        )
    console.print(table)
    rem = results.get("removal")
    if rem:
        table = Table(title="a batch node removed after the first call of a batch (2 nodes)")
        for col in ("calls ok", "equal to clean run", "next call done after removal s", "batch s", "retries"):
            table.add_column(col, justify="right")
        nxt = rem["next_call_after_removal_s"]
        table.add_row(
            f"{rem['succeeded']}/{rem['calls']}",
            "yes" if rem["equal_to_clean_run"] else "NO",
            f"{nxt:.1f}" if nxt is not None else "-",
            f"{rem['batch_s']:.1f}",
            str(rem["retries"]),
        )
        console.print(table)
    console.print(
        "All simulated nodes share this machine's cores: the 2-node ratio is bounded by the cores, not by the "
        "pool. On two real nodes of equal size, expect about the replica ratio (2x) less the gateway's share."
    )


if __name__ == "__main__":
    main()
