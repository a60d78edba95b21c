"""A batch of calls survives a real gateway crash: SIGKILL mid-batch, a new process on the same database and
artifact directory finishes the job, and the calls done before the kill are not analysed again."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from tests.calls.shared import make_calls_module
from tests.server import Server

LINES = [
    ("agent", "Thank you for calling, how can I help?"),
    ("customer", "I want to return my order please."),
]


def _short_call(mk, path: Path) -> bytes:
    """About four seconds of stereo call: agent then customer, each on its own channel."""
    parts = [(0 if spk == "agent" else 1, mk.synth(text, mk.VOICES[spk])) for spk, text in LINES]
    stereo = np.zeros((2, sum(len(x) for _, x in parts) + (len(parts) + 1) * 8000), dtype=np.float32)
    t = 8000
    for ch, x in parts:
        stereo[ch, t : t + len(x)] = x
        t += len(x) + 8000
    mk.write_wav(path, stereo)
    return path.read_bytes()


def _done_files(tmp: Path, job: str) -> dict[str, tuple[int, bytes]]:
    calls_dir = tmp / "artifacts" / "jobs" / job / "outputs" / "calls"
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(calls_dir.glob("*.json"))}


def test_batch_resumes_after_sigkill_without_redoing_calls(
    tmp_path: Path, servers: list[Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("tts")
    mk = make_calls_module()
    audio = _short_call(mk, tmp_path / "short.wav")
    n = 3
    monkeypatch.setenv("VOXGATE_CALLS_PARALLEL", "1")  # one call at a time: the kill lands between calls
    first = Server(tmp_path, modules='["calls"]')
    servers.append(first)
    files = [("files", (f"call{k}.wav", audio, "audio/wav")) for k in range(n)]
    # PII off: spaCy/presidio would load in both processes and add nothing to what is tested here
    options = json.dumps({"redact_pii": False})
    accepted = first.client.post("/v1/calls/analyze", files=files, data={"options": options})
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()["id"]
    deadline = time.monotonic() + 300
    while not _done_files(tmp_path, job) and time.monotonic() < deadline:
        time.sleep(0.05)
    first.kill()
    before = _done_files(tmp_path, job)
    assert 1 <= len(before) < n, f"expected the batch mid-way at the kill, {len(before)} of {n} calls done"

    second = Server(tmp_path, modules='["calls"]')
    servers.append(second)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        record = second.client.get(f"/v1/jobs/{job}").json()
        if record["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.3)
    assert record["status"] == "succeeded" and record["attempts"] == 2, record
    summary = record["result"]["summary"]
    assert summary["calls"] == n and summary["succeeded"] == n, summary
    after = _done_files(tmp_path, job)
    assert sorted(after) == [f"call{k}.wav.json" for k in range(n)]
    # the calls finished before the kill were not analysed again: same file, same bytes
    assert {name: after[name] for name in before} == before
    results = second.client.get(f"/v1/calls/{job}/results").json()
    assert sorted(c["call"] for c in results["calls"]) == [f"call{k}.wav" for k in range(n)]
    assert all(c["status"] == "ok" and c["turns"] for c in results["calls"])
