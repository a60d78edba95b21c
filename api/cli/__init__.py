"""The `voxgate` command: serve the gateway, and inspect a running one (models, jobs)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

app = typer.Typer(help="voxgate: self-hosted speech and language service", no_args_is_help=True)
jobs_app = typer.Typer(help="list, follow and cancel jobs on a running gateway", invoke_without_command=True)
app.add_typer(jobs_app, name="jobs")
console = Console()

URL_OPTION = typer.Option("http://127.0.0.1:8000", "--url", envvar="VOXGATE_URL", help="gateway base URL")
KEY_OPTION = typer.Option(None, "--api-key", envvar="VOXGATE_API_KEY", help="API key, when the gateway needs one")


def _client(url: str, api_key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.Client(base_url=url, headers=headers, timeout=60)


def _get(url: str, api_key: str | None, path: str, **params: Any) -> Any:
    with _client(url, api_key) as client:
        try:
            response = client.get(path, params={k: v for k, v in params.items() if v is not None})
        except httpx.ConnectError:
            console.print(f"[red]no gateway at {url}[/red]: start one with `voxgate serve`")
            raise typer.Exit(2) from None
    if response.status_code >= 400:
        console.print(f"[red]{response.status_code}[/red] {response.json().get('error', {}).get('message')}")
        raise typer.Exit(1)
    return response.json()


@app.command()
def serve(
    host: str = typer.Option(None, help="bind address (default VOXGATE_HOST or 127.0.0.1)"),
    port: int = typer.Option(None, help="port (default VOXGATE_PORT or 8000)"),
    log_level: str = typer.Option("info"),
) -> None:
    """Start the gateway with every installed module on embedded defaults."""
    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    settings = Settings()
    updates = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = settings.model_copy(update=updates)
    console.print(f"voxgate on http://{settings.host}:{settings.port}  (docs: /docs)")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=log_level,
                ws_max_size=int(settings.max_ws_message_mb * 1024 * 1024))  # fmt: skip


@app.command()
def models(url: str = URL_OPTION, api_key: str | None = KEY_OPTION) -> None:
    """What the gateway's model pool has loaded, where, and how much memory it takes."""
    status = _get(url, api_key, "/v1/models")
    devices = Table("device", "used MB", "budget MB", "queued", "busy", "evictions", title="devices")
    for d in status["devices"]:
        devices.add_row(
            d["device"], str(d["used_mb"]), str(d["budget_mb"]), str(d["queued"]), str(d["busy"]), str(d["evictions"])
        )
    console.print(devices)
    model_column = Column("model", overflow="fold", min_width=20)  # ids are long; fold them, never cut them
    loaded = Table(model_column, "device", "MB est.", "MB meas.", "in use", "uses", "idle s", title="loaded models")
    for m in status["models"]:
        loaded.add_row(
            m["id"],
            m["device"],
            str(m["memory_estimate_mb"]),
            str(m["measured_rss_mb"]),
            str(m["in_use"]),
            str(m["uses"]),
            str(m["idle_seconds"]),
        )
    console.print(loaded)
    if status.get("replicas"):  # the Ray pool: every replica, by node
        columns = ("node", "lane", "replica", "pid", "calls", "models", "MB used/budget", "RSS MB")
        replicas = Table(*columns, title="replicas")
        for r in status["replicas"]:
            replicas.add_row(
                f"{r['node'][:12]} ({r['node_address']})", r["lane"], r["replica"], str(r["pid"]), str(r["calls"]),
                str(r["models"]), f"{r['used_mb']}/{r['budget_mb']}", f"{r['process_rss_mb']:.0f}",
            )  # fmt: skip
        console.print(replicas)
        console.print(f"retries: {status['retries']}, refused (pool_busy): {status['backpressure']}")


@jobs_app.callback()
def jobs_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, help="only jobs in this state"),
    limit: int = typer.Option(20),
    url: str = URL_OPTION,
    api_key: str | None = KEY_OPTION,
) -> None:
    """List recent jobs (or use a subcommand: wait, cancel)."""
    if ctx.invoked_subcommand is not None:
        return
    rows = _get(url, api_key, "/v1/jobs", status=status, limit=limit)
    id_column = Column("id", no_wrap=True, min_width=32)  # people copy ids into `jobs wait`: keep them whole
    table = Table(id_column, "kind", "status", "progress", "created", "message")
    for job in rows:
        table.add_row(
            job["id"],
            job["kind"],
            job["status"],
            f"{job['progress']:.0f}%",
            job["created_at"][:19],
            job.get("message") or "",
        )
    console.print(table)


@jobs_app.command("wait")
def jobs_wait(job_id: str, url: str = URL_OPTION, api_key: str | None = KEY_OPTION, poll: float = 0.5) -> None:
    """Follow a job with a progress bar until it ends."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(job_id, total=100)
        while True:
            job = _get(url, api_key, f"/v1/jobs/{job_id}")
            progress.update(task, completed=job["progress"], description=f"{job['kind']} {job['status']}")
            if job["status"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(poll)
    if job["status"] != "succeeded":
        console.print(f"[red]{job['status']}[/red] {job.get('error') or ''}")
        raise typer.Exit(1)
    console.print(f"[green]succeeded[/green] result: {url}/v1/jobs/{job_id}")


@jobs_app.command("cancel")
def jobs_cancel(job_id: str, url: str = URL_OPTION, api_key: str | None = KEY_OPTION) -> None:
    with _client(url, api_key) as client:
        response = client.delete(f"/v1/jobs/{job_id}")
    console.print(response.json())


def _register_ray() -> None:
    """`voxgate ray deploy|status` (the Ray pool); Ray is imported only when they run."""
    from api.cli.ray import register

    register(app)


def _add_module_commands() -> None:
    """Each installed module's commands (transcribe, say, ocr, ...), as the registry declares them."""
    from api.modules import MODULES, resolve

    for spec in MODULES:
        if spec.cli and not spec.missing():
            resolve(spec.cli)(app)


_add_module_commands()
_register_ray()
