"""`voxgate ray deploy` and `voxgate ray status`: put the model pool's Serve deployments on a Ray cluster, and show
its nodes, lanes and replicas. Ray itself is imported only when one of these runs (extra `ray`)."""

from __future__ import annotations

import time

import typer
from rich.console import Console
from rich.table import Table

ray_app = typer.Typer(help="the model pool on a Ray cluster (VOXGATE_POOL=ray)", no_args_is_help=True)
console = Console()

ADDRESS = typer.Option(
    None, "--address", help="Ray cluster address (default VOXGATE_RAY_ADDRESS; `auto` finds a local head)"
)


def _settings(address: str | None):
    from api.settings import Settings

    pool = Settings().workers
    address = address or pool.ray_address
    if not address:
        console.print(
            "[red]no cluster[/red]: start one with `ray start --head`, then pass --address or set VOXGATE_RAY_ADDRESS"
        )
        raise typer.Exit(2)
    return pool.model_copy(update={"ray_address": address, "pool": "ray"})


def _replica_table(reports: dict) -> Table:
    table = Table("node", "lane", "replica", "pid", "calls", "models", "MB used/budget", "RSS MB", title="replicas")
    for rid, info in sorted(reports.items(), key=lambda kv: (kv[1]["node"], kv[1]["lane"], kv[0])):
        devices = info["status"]["devices"]
        table.add_row(
            f"{info['node'][:12]} ({info['node_address']})",
            info["lane"],
            rid,
            str(info["pid"]),
            str(info["calls"]),
            ", ".join(m["id"] for m in info["status"]["models"]) or "-",
            f"{sum(d['used_mb'] for d in devices)}/{sum(d['budget_mb'] for d in devices)}",
            f"{info['status']['process_rss_mb']:.0f}",
        )
    return table


def _reports(pool_settings, wait_for: int = 0, timeout_s: float = 60.0) -> dict:
    import ray

    from workers.ray.board import BOARD_NAME

    try:
        board = ray.get_actor(BOARD_NAME, namespace=pool_settings.ray_namespace)
    except ValueError:
        return {}
    deadline = time.monotonic() + timeout_s
    while True:
        reports = ray.get(board.snapshot.remote(), timeout=10)
        if len(reports) >= wait_for or time.monotonic() > deadline:
            return reports
        time.sleep(0.5)


@ray_app.command("deploy")
def deploy(address: str | None = ADDRESS) -> None:
    """Deploy (or update) the interactive and batch lanes with the VOXGATE_RAY_* settings; they stay up after this
    command ends, and gateways started with VOXGATE_POOL=ray and the same address use them."""
    from workers.ray import LANES, app_name
    from workers.ray.deploy import deploy as deploy_lanes
    from workers.ray.deploy import replicas

    pool_settings = _settings(address)
    started = time.monotonic()
    deploy_lanes(pool_settings)
    expected = sum(replicas(pool_settings, lane) for lane in LANES)
    reports = _reports(pool_settings, wait_for=expected)
    console.print(
        f"deployed {', '.join(app_name(lane) for lane in LANES)}: {len(reports)} of {expected} replicas reporting "
        f"after {time.monotonic() - started:.1f} s"
    )
    console.print(_replica_table(reports))


@ray_app.command("status")
def status(address: str | None = ADDRESS) -> None:
    """The cluster's nodes, the pool's Serve applications, and each replica with its node and models."""
    from workers.ray import cluster_summary, connect

    pool_settings = _settings(address)
    connect(pool_settings)
    summary = cluster_summary()
    nodes = Table("node", "address", "alive", "CPUs", "GPUs", title="nodes")
    for n in summary["nodes"]:
        nodes.add_row(n["node"][:12], n["address"], "yes" if n["alive"] else "no", str(n["cpus"]), str(n["gpus"]))
    console.print(nodes)
    apps = Table("application", "status", "deployment", "replicas", title="Serve")
    for name, app in summary["applications"].items():
        if name == "error":
            apps.add_row("-", str(app), "", "")
            continue
        for deployment, state in app["deployments"].items():
            apps.add_row(name, app["status"], deployment, ", ".join(f"{k}: {v}" for k, v in state["replicas"].items()))
    console.print(apps)
    console.print(_replica_table(_reports(pool_settings)))


def register(app: typer.Typer) -> None:
    app.add_typer(ray_app, name="ray")
