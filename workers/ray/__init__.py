"""The Ray Serve backend of the model pool (VOXGATE_POOL=ray): replicas that each wrap an EmbeddedPool, on
separate interactive and batch deployments, reached through RayPool. Needs the `ray` extra."""

from workers.ray.client import RayPool, lane_of
from workers.ray.deploy import LANES, app_name, cluster_summary, connect, deploy

__all__ = ["LANES", "RayPool", "app_name", "cluster_summary", "connect", "deploy", "lane_of"]
