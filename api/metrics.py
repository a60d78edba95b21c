"""Prometheus exposition: request metrics from the middleware plus live pool and job gauges."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from workers import ModelPool


class PoolCollector(Collector):
    def __init__(self, pool: ModelPool, job_counts: Callable[[], dict[str, int]]) -> None:
        self.pool = pool
        self.job_counts = job_counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        status = self.pool.status()
        used = GaugeMetricFamily("voxgate_pool_memory_used_mb", "Budgeted memory of resident models", labels=["device"])
        budget = GaugeMetricFamily("voxgate_pool_memory_budget_mb", "Memory budget per device", labels=["device"])
        queued = GaugeMetricFamily("voxgate_pool_queued_tasks", "Tasks waiting per device", labels=["device"])
        for device in status.devices:
            used.add_metric([device.device], device.used_mb)
            budget.add_metric([device.device], device.budget_mb)
            queued.add_metric([device.device], device.queued)
        loaded = GaugeMetricFamily("voxgate_pool_models_loaded", "Resident models", labels=["device"])
        for device in status.devices:
            loaded.add_metric([device.device], sum(1 for m in status.models if m.device == device.device))
        rss = GaugeMetricFamily("voxgate_process_rss_mb", "Resident set size of the gateway process")
        rss.add_metric([], status.process_rss_mb)
        jobs = GaugeMetricFamily("voxgate_jobs", "Jobs by status", labels=["status"])
        for state, count in self.job_counts().items():
            jobs.add_metric([state], count)
        yield from (used, budget, queued, loaded, rss, jobs)


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
