"""nlp routes: OpenAI-compatible embeddings, an embeddings job for long lists, and sentiment."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

import nlp
from api.deps import get_jobs, get_pool
from api.errors import ApiError
from api.jobs import JobAccepted, JobService
from nlp import sentiment
from workers import ModelPool, Priority

router = APIRouter(tags=["nlp"])


class EmbeddingRequest(BaseModel):
    input: str | list[str] = Field(description="a text or a list of texts")
    model: str = nlp.DEFAULT_EMBEDDING_MODEL
    encoding_format: str = "float"


class EmbeddingJobRequest(BaseModel):
    input: list[str] = Field(min_length=1, max_length=100_000)
    model: str = nlp.DEFAULT_EMBEDDING_MODEL


class Embedding(BaseModel):
    object: str = "embedding"
    index: int
    embedding: list[float]


class EmbeddingUsage(BaseModel):
    prompt_tokens: int
    total_tokens: int


class EmbeddingList(BaseModel):
    object: str = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage


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


@router.post("/v1/embeddings", response_model=EmbeddingList)
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
    return jobs.accept("nlp.embeddings", {"texts": texts})


class SentimentRequest(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=sentiment.MAX_TEXTS)
    language: str = "en"


@router.post("/v1/sentiment")
async def detect_sentiment(request: SentimentRequest, pool: ModelPool = Depends(get_pool)) -> dict[str, Any]:
    if request.language.lower() not in ("en", "en-us", "en-gb"):
        raise ApiError(
            400,
            f"language {request.language!r} is not supported; only en",
            code="unsupported_language",
            param="language",
        )
    try:
        results = await asyncio.to_thread(sentiment.detect_sentiment, request.texts, pool, Priority.INTERACTIVE)
    except ValueError as exc:
        raise ApiError(400, str(exc), param="texts") from exc
    return {
        "model": sentiment.SENTIMENT_MODEL_ID,
        "results": [{"index": i, **r.model_dump()} for i, r in enumerate(results)],
    }
