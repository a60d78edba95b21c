"""Prometheus exposition: request metrics from the middleware plus live pool and job gauges."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from workers import ModelPool, PoolStatus


class PoolCollector(Collector):
    def __init__(self, pool: ModelPool, job_counts: Callable[[], dict[str, int]]) -> None:
        self.pool = pool
        self.job_counts = job_counts

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        status = self.pool.status()
        used = GaugeMetricFamily("voxgate_pool_memory_used_mb", "Budgeted memory of resident models", labels=["device"])
        budget = GaugeMetricFamily("voxgate_pool_memory_budget_mb", "Memory budget per device", labels=["device"])
        queued = GaugeMetricFamily("voxgate_pool_queued_tasks", "Tasks waiting per device", labels=["device"])
        shed = CounterMetricFamily(
            "voxgate_pool_shed", "Live tasks refused (503 pool_busy): the device queue was too long", labels=["device"]
        )
        estimated = GaugeMetricFamily(
            "voxgate_pool_estimated_wait_seconds", "How long a new live request would wait", labels=["device"]
        )
        waited = GaugeMetricFamily(
            "voxgate_pool_admitted_wait_p95_seconds", "95th percentile of recent admitted requests' queue wait",
            labels=["device"],
        )
        for device in status.devices:
            estimated.add_metric([device.device], device.estimated_wait_s)
            waited.add_metric([device.device], device.admitted_wait_p95_s)
            used.add_metric([device.device], device.used_mb)
            budget.add_metric([device.device], device.budget_mb)
            queued.add_metric([device.device], device.queued)
            shed.add_metric([device.device], device.shed)
        loaded = GaugeMetricFamily("voxgate_pool_models_loaded", "Resident models", labels=["device"])
        for device in status.devices:
            loaded.add_metric([device.device], sum(1 for m in status.models if m.device == device.device))
        rss = GaugeMetricFamily("voxgate_process_rss_mb", "Resident set size of the gateway process")
        rss.add_metric([], status.process_rss_mb)
        jobs = GaugeMetricFamily("voxgate_jobs", "Jobs by status", labels=["status"])
        for state, count in self.job_counts().items():
            jobs.add_metric([state], count)
        yield from (used, budget, queued, shed, estimated, waited, loaded, rss, jobs)
        if status.backend.startswith("ray"):
            yield from _ray_families(status)


def _ray_families(status: PoolStatus) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
    """The Ray pool: replicas per node and lane, models and memory per replica, retries and back-pressure."""
    per_node = GaugeMetricFamily("voxgate_pool_replicas", "Replicas per node and lane", labels=["node", "lane"])
    counts: dict[tuple[str, str], int] = {}
    for r in status.replicas:
        counts[(r.node, r.lane)] = counts.get((r.node, r.lane), 0) + 1
    for (node, lane), count in sorted(counts.items()):
        per_node.add_metric([node, lane], count)
    labels = ["replica", "lane", "node"]
    models = GaugeMetricFamily("voxgate_pool_replica_models", "Resident models per replica", labels=labels)
    used = GaugeMetricFamily("voxgate_pool_replica_memory_used_mb", "Budgeted memory per replica", labels=labels)
    rss = GaugeMetricFamily("voxgate_pool_replica_rss_mb", "Resident set size per replica process", labels=labels)
    for r in status.replicas:
        models.add_metric([r.replica, r.lane, r.node], r.models)
        used.add_metric([r.replica, r.lane, r.node], r.used_mb)
        rss.add_metric([r.replica, r.lane, r.node], r.process_rss_mb)
    retries = CounterMetricFamily("voxgate_pool_retries", "Calls sent again because their replica died")
    retries.add_metric([], status.retries)
    busy = CounterMetricFamily("voxgate_pool_backpressure", "Calls refused with pool_busy (replicas saturated)")
    busy.add_metric([], status.backpressure)
    yield from (per_node, models, used, rss, retries, busy)


def make_registry() -> CollectorRegistry:
    return CollectorRegistry()


class RequestMetrics:
    """HTTP request counters, made once per app (the middleware stack may be built more than once)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "voxgate_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "voxgate_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
        )
