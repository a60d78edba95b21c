"""Fault tests: real gateway processes (tests/server.py) on real SQLite files and job folders.

The slow ones (a crash in the middle of each kind of job) carry the `faults` marker and run only when asked
(`make test-faults`: pytest -m faults tests/faults tests/calls/test_restart.py); the default suite runs the fast
ones (storage full or read-only, a corrupt model file, load shedding)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "faults" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="a gateway crash per kind of job, minutes: make test-faults (pytest -m faults)")
    for item in items:
        if item.get_closest_marker("faults") is not None:
            item.add_marker(skip)


def mount_namespace_prefix(script: str) -> list[str]:
    """Run the gateway in its own mount namespace after `script` (mounts), then exec it: the mounts vanish
    with the process and nothing on the host changes. Skips when unprivileged namespaces are not allowed."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"mount namespaces are not available here: {probe.stderr.decode().strip()}")
    return ["unshare", "-rm", "sh", "-c", f'{script} && exec "$@"', "sh"]


def noise_png(side: int = 420, seed: int = 0) -> bytes:
    """An image that PNG cannot compress (random pixels), so each upload takes about side*side*3 bytes."""
    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 256, (side, side, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def job_folders(artifacts: Path) -> set[str]:
    folder = artifacts / "jobs"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()
