"""Call-analytics batches as jobs: uploaded files or an allowed server folder, analysed at batch priority."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import calls
from api.jobs import JobContext
from workers import Priority, pool_parallelism

JOB_KIND = "calls.analyze"


def safe_call_name(name: str, taken: set[str]) -> str:
    """A file name for a call's results that is safe on disk and unique within the batch."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name or "call").name)[:100] or "call"
    out, k = base, 1
    while out in taken:
        stem, dot, ext = base.rpartition(".")
        out = f"{stem or base}_{k}{dot}{ext}" if dot else f"{base}_{k}"
        k += 1
    taken.add(out)
    return out


def redacted_audio_url(job_id: str, call: str) -> str:
    return f"/v1/calls/{job_id}/audio/{call}"


def run_calls_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    if "uploads" in params:
        names = list(params["uploads"])
        paths = [ctx.input_path(n) for n in names]
    else:
        paths = [Path(p) for p in params["paths"]]
        names = [p.name for p in paths]
        taken: set[str] = set()
        names = [safe_call_name(n, taken) for n in names]
    out_dir = ctx.output_path("summary.json").parent
    opts = calls.CallOptions.model_validate(params["options"])
    rules = [calls.CategoryRule.model_validate(r) for r in params.get("rules", [])]
    # On a cluster the batch reaches every batch replica: as many calls at once as the replicas can run.
    parallel = max(int(params.get("parallel", 2)), pool_parallelism(ctx.pool, Priority.BATCH) or 0)

    def progress(done: int, total: int, res: calls.CallResult) -> None:
        ctx.set_progress(100.0 * done / total, f"{done} of {total} calls ({res.call}: {res.status})")

    summary = calls.run_batch(
        paths,
        out_dir,
        opts,
        rules,
        names=names,
        pool=ctx.pool,
        parallel=parallel,
        on_done=progress,
        check=ctx.check_cancelled,
    )
    result: dict[str, Any] = {
        "summary": summary.model_dump(),
        "report": f"/calls/{ctx.job_id}",
        "results": f"/v1/calls/{ctx.job_id}/results",
    }
    if opts.redact_audio:
        _, done = calls.load_results(out_dir)
        result["redacted_audio"] = {r.call: redacted_audio_url(ctx.job_id, r.call) for r in done if r.redacted_audio}
    return result
