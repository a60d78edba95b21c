"""RayPool: the ModelPool the gateway uses when VOXGATE_POOL=ray. Modules call it exactly as the EmbeddedPool.

- routing: priority BATCH goes to the batch deployment, anything more urgent to the interactive one; inside a
  replica its EmbeddedPool places the model on a device (its CPU, its share of a GPU) and orders by priority;
- micro-batching stays in the gateway (`infer` groups concurrent items, one remote batch_fn call per group);
- a call whose replica died (its node was lost) is sent again, up to `ray_retries` times, with backoff: pool
  calls are idempotent (they read a model and return). A call that already relayed callbacks is not repeated;
- Serve's back-pressure (a deployment's queue is full), and the gateway's own limit on calls in flight per lane,
  answer PoolBusy: the gateway's 503 `pool_busy`;
- callbacks among the arguments are relayed back as streamed events (see payload.py).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

import cloudpickle

from workers.backend import PoolStatus, ReplicaInfo
from workers.batching import BatchedInference, MicroBatcher
from workers.config import PoolSettings
from workers.errors import ModelTooLarge, PoolBusy, PoolClosed, PoolError
from workers.memory import process_rss_mb
from workers.ray import deploy as deploying
from workers.ray.board import BOARD_NAME, drop_local_board, local_board
from workers.ray.payload import Call, dump_call, extract_callbacks, load_outcome
from workers.spec import ModelSpec, Priority

log = logging.getLogger(__name__)


def _replica_death_errors() -> tuple[type[BaseException], ...]:
    import ray.exceptions as rex
    import ray.serve.exceptions as sex

    names = [
        (rex, "RayActorError"),  # ActorDiedError is one
        (rex, "ActorUnavailableError"),
        (rex, "WorkerCrashedError"),
        (rex, "NodeDiedError"),
        (rex, "OwnerDiedError"),
        (rex, "ObjectLostError"),
        (sex, "ReplicaUnavailableError"),
        (sex, "DeploymentUnavailableError"),
    ]
    return tuple(getattr(module, name) for module, name in names if hasattr(module, name))


def lane_of(priority: int) -> str:
    return "batch" if priority >= Priority.BATCH else "interactive"


class RayPool(BatchedInference):
    def __init__(self, settings: PoolSettings | None = None, *, local_testing: bool | None = None) -> None:
        from ray.serve.exceptions import BackPressureError

        self.settings = settings or PoolSettings(pool="ray")
        self.local_testing = self.settings.ray_local_testing if local_testing is None else local_testing
        self._backpressure_error = BackPressureError
        self._death_errors = _replica_death_errors()
        self._owns_ray = False
        self._board_key: str | None = None
        if self.local_testing:
            self._board_key = uuid.uuid4().hex
            self._board: Any = local_board(self._board_key)
            self._handles = deploying.deploy_local_testing(self.settings, self._board_key)
        else:
            import ray

            self._owns_ray = not ray.is_initialized() and not self.settings.ray_address
            deploying.connect(self.settings)
            deploying.ensure_board(self.settings)
            self._handles = deploying.deployed_handles(self.settings) or deploying.deploy(self.settings)
            self._board = ray.get_actor(BOARD_NAME, namespace=self.settings.ray_namespace)
        self._specs: dict[str, ModelSpec] = {}
        self._batchers: dict[str, MicroBatcher] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._in_flight = {lane: 0 for lane in deploying.LANES}
        self._limit = {lane: self._lane_capacity(lane) * 4 + self.settings.ray_max_queued for lane in deploying.LANES}
        self._dispatch = ThreadPoolExecutor(max_workers=sum(self._limit.values()), thread_name_prefix="voxgate-ray")
        self.retries = 0
        self.backpressure = 0
        self.started_at = time.monotonic()

    # -- sizing -----------------------------------------------------------
    def _lane_capacity(self, lane: str) -> int:
        """Model calls the lane's replicas run at once (each replica: ray_replica_threads)."""
        return deploying.replicas(self.settings, lane) * self.settings.ray_replica_threads

    def parallelism(self, priority: int) -> int:
        """Calls worth keeping in flight at this priority: every thread of the lane's replicas busy, plus one
        queued per replica so a replica never waits for the gateway between calls."""
        lane = lane_of(priority)
        return self._lane_capacity(lane) + deploying.replicas(self.settings, lane)

    def _budget_mb(self) -> int:
        return self.settings.ray_replica_memory_mb or self.settings.cpu_memory_mb

    # -- running ----------------------------------------------------------
    def register(self, spec: ModelSpec) -> None:
        self._check_open()
        if spec.memory_mb > self._budget_mb() and not self.settings.ray_replica_gpus:
            raise ModelTooLarge(
                f"model {spec.id!r} ({spec.memory_mb} MB) fits no replica budget ({self._budget_mb()} MB)"
            )
        with self._lock:
            self._specs[spec.id] = spec

    def _check_open(self) -> None:
        if self._closed:
            raise PoolClosed("the model pool is shut down")

    def submit(
        self, spec: ModelSpec, fn: Callable[..., Any], *args: Any, priority: int = Priority.NORMAL, **kwargs: Any
    ) -> Future:
        self.register(spec)
        lane = lane_of(priority)
        send_args, send_kwargs, callbacks = extract_callbacks(args, kwargs)
        payload = dump_call(Call(spec, fn, send_args, send_kwargs, int(priority)))
        with self._lock:
            if self._in_flight[lane] >= self._limit[lane]:
                self.backpressure += 1
                raise PoolBusy(f"the {lane} replicas are saturated ({self._in_flight[lane]} calls in flight)")
            self._in_flight[lane] += 1
        future = self._dispatch.submit(self._call, lane, spec.id, payload, callbacks)
        future.add_done_callback(lambda _f: self._done(lane))
        return future

    def _done(self, lane: str) -> None:
        with self._lock:
            self._in_flight[lane] -= 1

    def run(
        self, spec: ModelSpec, fn: Callable[..., Any], *args: Any, priority: int = Priority.NORMAL, **kwargs: Any
    ) -> Any:
        return self.submit(spec, fn, *args, priority=priority, **kwargs).result()

    def _call(self, lane: str, model_id: str, payload: bytes, callbacks: list[Callable]) -> Any:
        handle = self._handles[lane]
        delivered = [0]
        attempt = 0
        while True:
            try:
                if callbacks:
                    data = self._stream(handle, payload, callbacks, delivered)
                else:
                    data = handle.call.remote(payload).result()
                break
            except self._backpressure_error as exc:
                with self._lock:
                    self.backpressure += 1
                raise PoolBusy(f"the {lane} replicas are saturated: {exc}") from exc
            except self._death_errors as exc:
                if delivered[0] or attempt >= self.settings.ray_retries or self._closed:
                    raise PoolError(
                        f"model {model_id!r}: its replica died ({type(exc).__name__}) after {attempt} retries"
                    ) from exc
                attempt += 1
                with self._lock:
                    self.retries += 1
                log.warning("model %s: replica lost (%s); retry %d", model_id, type(exc).__name__, attempt)
                time.sleep(min(self.settings.ray_retry_backoff_s * 2 ** (attempt - 1), 10.0))
        return load_outcome(data)

    def _stream(self, handle: Any, payload: bytes, callbacks: list[Callable], delivered: list[int]) -> bytes:
        stream = handle.options(stream=True).call_stream.remote(payload)
        for chunk in stream:
            event = cloudpickle.loads(chunk)
            if event[0] == "done":
                return event[1]
            _, index, args, kwargs = event
            delivered[0] += 1
            try:
                callbacks[index](*args, **kwargs)
            except BaseException:
                stream.cancel()  # the replica's next callback raises and its work ends
                raise
        raise PoolError("the replica's stream ended without an outcome")

    def lease(self, spec: ModelSpec) -> AbstractContextManager[Any]:
        raise PoolError(
            "lease() holds a model in the calling thread, which a Ray replica on another machine cannot do; "
            "run the work with pool.run / pool.submit"
        )

    # -- state ------------------------------------------------------------
    def _snapshot(self) -> dict[str, dict[str, Any]]:
        if self._board_key is not None:  # in-process replicas: ask them now rather than read their last report
            return {r.replica_id: r.info() for r in self._board.local_replicas}
        import ray

        return ray.get(self._board.snapshot.remote(), timeout=10)

    def wait_for_replicas(self, count: int | None = None, timeout_s: float = 60.0) -> int:
        """Block until `count` replicas (default: all configured) have reported; returns how many have."""
        count = count or sum(deploying.replicas(self.settings, lane) for lane in deploying.LANES)
        deadline = time.monotonic() + timeout_s
        while (seen := len(self._snapshot())) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return seen

    def status(self) -> PoolStatus:
        reports = self._snapshot()
        replicas, models, devices = [], [], []
        for rid, info in sorted(reports.items(), key=lambda kv: (kv[1]["node"], kv[1]["lane"], kv[0])):
            status = PoolStatus.model_validate(info["status"])
            replicas.append(
                ReplicaInfo(
                    replica=rid,
                    lane=info["lane"],
                    node=info["node"],
                    node_address=info["node_address"],
                    pid=info["pid"],
                    calls=info["calls"],
                    models=len(status.models),
                    used_mb=sum(d.used_mb for d in status.devices),
                    budget_mb=sum(d.budget_mb for d in status.devices),
                    process_rss_mb=status.process_rss_mb,
                )
            )
            for device in status.devices:
                devices.append(device.model_copy(update={"device": f"{info['lane']}/{rid}/{device.device}"}))
            for model in status.models:
                models.append(
                    model.model_copy(
                        update={"device": f"{info['lane']}/{rid}/{model.device}", "replica": rid, "node": info["node"]}
                    )
                )
        return PoolStatus(
            backend="ray-local-testing" if self.local_testing else "ray",
            devices=devices,
            models=models,
            registered=sorted(self._specs),
            process_rss_mb=round(process_rss_mb(), 1),
            replicas=replicas,
            retries=self.retries,
            backpressure=self.backpressure,
        )

    def unload(self, model_id: str) -> bool:
        """Ask every replica to unload the model (if idle there); True if any did."""
        if self._board_key is not None:
            seq = self._board.request_unload(model_id)
        else:
            import ray

            seq = ray.get(self._board.request_unload.remote(model_id), timeout=10)
        deadline = time.monotonic() + 4 * self.settings.ray_report_interval_s + 2
        while True:
            reports = self._snapshot()
            if all(r["command_seq"] >= seq for r in reports.values()) or time.monotonic() > deadline:
                return any(r["unloaded"].get(seq, False) for r in reports.values())
            time.sleep(min(0.1, self.settings.ray_report_interval_s / 4))

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        for batcher in list(self._batchers.values()):
            batcher.shutdown()
        self._dispatch.shutdown(wait=True, cancel_futures=True)
        if self._board_key is not None:
            for replica in getattr(self._board, "local_replicas", []):
                replica.shutdown()
            drop_local_board(self._board_key)
            return
        import ray
        from ray import serve

        if self._owns_ray:  # a Ray this gateway started for itself goes with it
            serve.shutdown()
            ray.shutdown()
