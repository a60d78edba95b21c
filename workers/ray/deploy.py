"""Connect to Ray and put the pool's two Serve applications on it: interactive and batch lanes.

Serve has no request priorities, so priority becomes placement: interactive work and batch work go to separate
deployments (`voxgate-interactive`, `voxgate-batch`), each a set of PoolReplica replicas with their own CPUs,
GPU fraction and memory. A night batch then queues on the batch replicas only and cannot delay dictation.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from workers.config import PoolSettings
from workers.ray.board import BOARD_NAME, StatusBoard
from workers.ray.replica import PoolReplica, thread_env

log = logging.getLogger(__name__)

LANES = ("interactive", "batch")


def app_name(lane: str) -> str:
    return f"voxgate-{lane}"


def connect(settings: PoolSettings) -> None:
    """Join the cluster at VOXGATE_RAY_ADDRESS, or start a small Ray in this process without one."""
    import ray

    if ray.is_initialized():
        return
    # Ray runs its workers at nice 15 unless told otherwise: replicas would lose the cores to everything else on
    # the node. Replicas run at the gateway's own priority (batch replicas lower it by ray_batch_nice themselves);
    # for `ray start`, set RAY_worker_niceness=0 in its environment (README).
    os.environ.setdefault("RAY_worker_niceness", "0")
    common: dict[str, Any] = {"namespace": settings.ray_namespace, "log_to_driver": False}
    if settings.ray_address:
        ray.init(address=settings.ray_address, **common)
    else:
        ray.init(num_cpus=settings.ray_local_cpus, include_dashboard=False, **common)


def replicas(settings: PoolSettings, lane: str) -> int:
    return settings.ray_interactive_replicas if lane == "interactive" else settings.ray_batch_replicas


def deployment_options(settings: PoolSettings, lane: str) -> dict[str, Any]:
    actor: dict[str, Any] = {"num_cpus": settings.ray_replica_cpus}
    if settings.ray_replica_gpus:
        actor["num_gpus"] = settings.ray_replica_gpus
    if settings.ray_replica_memory_mb:
        actor["memory"] = settings.ray_replica_memory_mb * 2**20
    return {
        "name": f"pool-{lane}",
        "num_replicas": replicas(settings, lane),
        "ray_actor_options": actor,
        # A replica takes more calls than it has threads: its EmbeddedPool queues them by priority.
        "max_ongoing_requests": settings.ray_replica_threads * 4,
        "max_queued_requests": settings.ray_max_queued,
        "health_check_period_s": 2.0,
        "health_check_timeout_s": 30.0,
        "graceful_shutdown_timeout_s": 5.0,
    }


def application(settings: PoolSettings, lane: str, board_key: str | None = None) -> Any:
    from ray import serve

    deployment = serve.deployment(PoolReplica).options(**deployment_options(settings, lane))
    return deployment.bind(lane, settings.model_dump_json(), board_key, thread_env())


def ensure_board(settings: PoolSettings) -> Any:
    import ray

    # On the head node (as Serve's controller): a worker node lost must not take the replicas' reports with it.
    board = ray.remote(StatusBoard).options(
        name=BOARD_NAME,
        namespace=settings.ray_namespace,
        lifetime="detached",
        get_if_exists=True,
        num_cpus=0,
        resources={"node:__internal_head__": 0.001},
        max_restarts=-1,
    )
    return board.remote(stale_after_s=3 * settings.ray_report_interval_s)


def deploy(settings: PoolSettings, lanes: tuple[str, ...] = LANES) -> dict[str, Any]:
    """Deploy (or update) the lanes on the connected cluster; returns a handle per lane once replicas run."""
    from ray import serve
    from ray.serve.config import ProxyLocation

    connect(settings)
    ensure_board(settings)
    serve.start(proxy_location=ProxyLocation.Disabled)  # the gateway is the HTTP front; Serve serves handles only
    handles = {}
    for lane in lanes:
        handles[lane] = serve.run(application(settings, lane), name=app_name(lane), route_prefix=None)
        log.info("deployed %s with %d replicas", app_name(lane), replicas(settings, lane))
    return handles


def deployed_handles(settings: PoolSettings) -> dict[str, Any] | None:
    """Handles of lanes already deployed (by `voxgate ray deploy`), or None when either is missing."""
    from ray import serve

    try:
        status = serve.status()
    except Exception:
        return None
    if not all(app_name(lane) in status.applications for lane in LANES):
        return None
    return {lane: serve.get_app_handle(app_name(lane)) for lane in LANES}


def deploy_local_testing(settings: PoolSettings, board_key: str) -> dict[str, Any]:
    """Serve's local testing mode: the replicas are objects in this process (one per lane), no cluster."""
    from ray import serve

    return {
        lane: serve.run(
            application(settings, lane, board_key), name=app_name(lane), route_prefix=None, _local_testing_mode=True
        )
        for lane in LANES
    }


def cluster_summary() -> dict[str, Any]:
    """Nodes (alive, CPUs, GPUs) and Serve's view of the lanes, for `voxgate ray status`."""
    import ray
    from ray import serve

    nodes = [
        {
            "node": n["NodeID"],
            "address": n["NodeManagerAddress"],
            "alive": n["Alive"],
            "cpus": n.get("Resources", {}).get("CPU", 0),
            "gpus": n.get("Resources", {}).get("GPU", 0),
        }
        for n in ray.nodes()
    ]
    apps: dict[str, Any] = {}
    try:
        status = serve.status()
        for name, app in status.applications.items():
            apps[name] = {
                "status": str(app.status),
                "deployments": {
                    d: {"status": str(s.status), "replicas": dict(s.replica_states)} for d, s in app.deployments.items()
                },
            }
    except Exception as exc:  # Serve not started on this cluster
        apps["error"] = str(exc)
    return {"nodes": nodes, "applications": apps}
