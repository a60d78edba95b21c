"""One Serve replica: a whole EmbeddedPool (budget, reference counts, LRU, idle TTL, priorities, batching).

Serve places replicas and routes calls to them; inside a replica the EmbeddedPool decides what is resident,
exactly as in a single-process gateway. Serve's model multiplexing is not used as a memory manager (it counts
models, not megabytes, and would unload a model in use).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import cloudpickle

from workers.config import PoolSettings
from workers.embedded import EmbeddedPool
from workers.errors import PoolError
from workers.ray.board import BOARD_NAME, local_board
from workers.ray.payload import dump_outcome, load_call, restore_callbacks

log = logging.getLogger(__name__)


class RelayClosed(PoolError):
    """The caller stopped listening (it closed a stream, or a callback of its raised)."""


def replica_pool_settings(settings: PoolSettings, lane: str) -> PoolSettings:
    """The EmbeddedPool settings of one replica: its own budget and threads; a batch lane reserves nothing."""
    update: dict[str, Any] = {"cpu_threads": settings.ray_replica_threads, "pool": "embedded"}
    if settings.ray_replica_memory_mb:
        update["cpu_memory_mb"] = settings.ray_replica_memory_mb
    if lane == "batch":
        update["interactive_reserved_threads"] = 0
    update["use_cuda"] = settings.use_cuda and settings.ray_replica_gpus > 0
    return settings.model_copy(update=update)


def _gpu_share_budget(settings: PoolSettings) -> PoolSettings:
    """A fractional GPU does not cap memory in Ray: give this replica its share of the GPU as its budget."""
    fraction = settings.ray_replica_gpus
    if not settings.use_cuda or settings.gpu_memory_mb or not 0 < fraction < 1:
        return settings
    try:
        import torch

        if not torch.cuda.is_available():
            return settings
        total_mb = torch.cuda.get_device_properties(0).total_memory / 2**20
    except Exception:  # no torch, no CUDA: the CPU budget is all there is
        return settings
    return settings.model_copy(update={"gpu_memory_mb": int(total_mb * 0.9 * fraction)})


def _where() -> tuple[str, str]:
    """(node id, node address) of this process; ("local", "127.0.0.1") outside a Ray cluster."""
    import ray

    if not ray.is_initialized():
        return "local", "127.0.0.1"
    context = ray.get_runtime_context()
    node = context.get_node_id()
    address = ray.util.get_node_ip_address()
    return node, address


def _replica_tag() -> str:
    try:
        from ray import serve

        return serve.get_replica_context().replica_tag
    except Exception:  # outside Serve (direct construction in tests)
        return uuid.uuid4().hex[:8]


THREAD_ENV = ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def thread_env() -> dict[str, Any]:
    """This process's thread variables (None: unset) and the thread counts of its loaded BLAS/OpenMP pools
    (numpy's OpenBLAS), for replicas to run with."""
    import numpy  # noqa: F401  (its BLAS is the pool that matters: Whisper's features go through it)
    from threadpoolctl import threadpool_info

    pools: dict[str, int] = {}
    for pool in threadpool_info():
        pools[pool["user_api"]] = max(pools.get(pool["user_api"], 0), int(pool["num_threads"]))
    return {"env": {name: os.environ.get(name) for name in THREAD_ENV}, "pools": pools}


def apply_thread_env(spec: dict[str, Any]) -> None:
    """Ray starts a worker with OMP_NUM_THREADS set to the actor's CPUs (1 for a fraction), and numpy's OpenBLAS
    reads it when the worker imports numpy, before the replica exists. A different BLAS thread count changes
    Whisper's log-mel features in the last bits and so its decode (a 6% word difference on the consultations).
    A replica takes the deploying process's values instead, so it computes what an embedded gateway would."""
    for name, value in spec.get("env", {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if spec.get("pools"):
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=dict(spec["pools"]))


class PoolReplica:
    def __init__(
        self, lane: str, settings_json: str, board_key: str | None = None, env: dict[str, Any] | None = None
    ) -> None:
        if env is not None and board_key is None:  # in-process replicas (local testing) already share the env
            apply_thread_env(env)
        settings = PoolSettings.model_validate_json(settings_json)
        if lane == "batch" and settings.ray_batch_nice and board_key is None:
            # Before the pool's threads exist, so they and the engines' threads inherit it (Linux nice is per
            # thread). Serve has no priorities: on a node shared with an interactive replica, this is the one.
            with contextlib.suppress(OSError):
                tid = threading.get_native_id()
                current = os.getpriority(os.PRIO_PROCESS, tid)
                os.setpriority(os.PRIO_PROCESS, tid, min(19, current + settings.ray_batch_nice))
        self.lane = lane
        self.pool = EmbeddedPool(_gpu_share_budget(replica_pool_settings(settings, lane)))
        self.replica_id = _replica_tag()
        self.node_id, self.node_address = _where()
        self.interval_s = settings.ray_report_interval_s
        self.namespace = settings.ray_namespace
        self._board_key = board_key
        self._board: Any = None
        self._command_seq = 0
        self._unloaded: dict[int, bool] = {}
        self.calls = 0
        self._stop = threading.Event()
        self._reporter = threading.Thread(target=self._report_loop, name="voxgate-replica-report", daemon=True)
        self._reporter.start()
        if board_key is not None:
            local_board(board_key).local_replicas.append(self)

    # -- calls ------------------------------------------------------------
    async def call(self, payload: bytes) -> bytes:
        """One pool call without callbacks: the outcome (result or exception) as bytes."""
        self.calls += 1
        try:
            call = load_call(payload)
            future = self.pool.submit(call.spec, call.fn, *call.args, priority=call.priority, **call.kwargs)
            return dump_outcome(True, await asyncio.wrap_future(future))
        except Exception as exc:
            return dump_outcome(False, exc)

    async def call_stream(self, payload: bytes) -> AsyncIterator[bytes]:
        """A pool call whose callbacks stream back: ("cb", index, args, kwargs) events, then ("done", outcome)."""
        self.calls += 1
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[bytes] = asyncio.Queue()
        closed = threading.Event()

        def make(index: int) -> Callable[..., None]:
            def relay(*args: Any, **kwargs: Any) -> None:
                if closed.is_set():
                    raise RelayClosed("the caller stopped listening")
                loop.call_soon_threadsafe(events.put_nowait, cloudpickle.dumps(("cb", index, args, kwargs)))

            return relay

        try:
            call = load_call(payload)
            args, kwargs = restore_callbacks(call.args, call.kwargs, make)
            future = self.pool.submit(call.spec, call.fn, *args, priority=call.priority, **kwargs)
        except Exception as exc:
            yield cloudpickle.dumps(("done", dump_outcome(False, exc)))
            return
        wrapped = asyncio.wrap_future(future)
        try:
            while True:
                getter = asyncio.ensure_future(events.get())
                await asyncio.wait({getter, wrapped}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield getter.result()
                    continue
                getter.cancel()
                while not events.empty():  # callbacks made just before the end
                    yield events.get_nowait()
                break
            try:
                outcome = dump_outcome(True, wrapped.result())
            except Exception as exc:
                outcome = dump_outcome(False, exc)
            yield cloudpickle.dumps(("done", outcome))
        finally:
            closed.set()  # a cancelled stream: the next callback raises, which ends the work

    # -- state ------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        return {
            "replica": self.replica_id,
            "lane": self.lane,
            "node": self.node_id,
            "node_address": self.node_address,
            "pid": os.getpid(),
            "calls": self.calls,
            "status": self.pool.status().model_dump(),
            "command_seq": self._command_seq,
            "unloaded": dict(self._unloaded),
        }

    def _get_board(self) -> Any:
        if self._board is None:
            if self._board_key is not None:
                self._board = local_board(self._board_key)
            else:
                import ray

                self._board = ray.get_actor(BOARD_NAME, namespace=self.namespace)
        return self._board

    def _report_once(self) -> None:
        board = self._get_board()
        if self._board_key is not None:
            commands = board.report(self.replica_id, self.info())
        else:
            import ray

            commands = ray.get(board.report.remote(self.replica_id, self.info()), timeout=10)
        for seq, model_id in commands:
            self._unloaded[seq] = self.pool.unload(model_id)
            self._command_seq = max(self._command_seq, seq)
        for seq in sorted(self._unloaded)[:-50]:
            del self._unloaded[seq]

    def _report_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._report_once()
            except Exception as exc:  # the board restarting must not take the replica down
                log.debug("replica %s could not report: %s", self.replica_id, exc)
            self._stop.wait(self.interval_s)

    def check_health(self) -> None:
        if not self._reporter.is_alive():
            raise RuntimeError("the replica's reporter thread died")

    def shutdown(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        with contextlib.suppress(Exception):  # the board may be gone with the cluster
            board = self._get_board()
            if self._board_key is not None:
                board.forget(self.replica_id)
            else:
                board.forget.remote(self.replica_id)
        self.pool.shutdown()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown
            self.shutdown()
