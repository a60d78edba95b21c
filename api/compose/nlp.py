"""Embeddings of long lists as a job: chunks at batch priority, vectors to a file."""

from __future__ import annotations

import json
from typing import Any

import nlp
from api.jobs import JobContext
from workers import Priority

JOB_CHUNK = 256


def run_embedding_job(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    texts: list[str] = params["texts"]
    vectors: list[list[float]] = []
    for start in range(0, len(texts), JOB_CHUNK):
        ctx.check_cancelled()
        vectors += nlp.embed(texts[start : start + JOB_CHUNK], ctx.pool, Priority.BATCH)
        ctx.set_progress(100.0 * len(vectors) / len(texts), f"{len(vectors)} of {len(texts)} texts")
    # Vectors go to a file, not the job row: a long list would bloat the database.
    out = ctx.output_path("embeddings.json")
    out.write_text(json.dumps(vectors))
    return {
        "model": nlp.DEFAULT_EMBEDDING_MODEL,
        "count": len(vectors),
        "dimensions": len(vectors[0]),
        "files": {"embeddings": ctx.file_url(out.name)},
    }
