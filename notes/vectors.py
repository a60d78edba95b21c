"""Sentence vectors through nlp's public `embed` (MiniLM on the shared pool), and what is built from them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

import nlp
from workers import ModelPool, Priority

Embedder = Callable[[Sequence[str]], np.ndarray]
CHUNK = 1024


def pool_embedder(pool: ModelPool | None = None, priority: int = Priority.NORMAL) -> Embedder:
    """Unit vectors (n, 384) for texts, in chunks nlp.embed accepts."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, nlp.EMBEDDING_DIM), dtype=np.float32)
        rows: list[list[float]] = []
        for start in range(0, len(texts), CHUNK):
            rows += nlp.embed(list(texts[start : start + CHUNK]), pool, priority)
        return np.asarray(rows, dtype=np.float32)

    return embed


def mean_vector(vectors: np.ndarray) -> np.ndarray:
    """The normalised mean: one vector for a whole dialogue."""
    if len(vectors) == 0:
        return np.zeros(nlp.EMBEDDING_DIM, dtype=np.float32)
    v = vectors.mean(axis=0)
    return v / (np.linalg.norm(v) or 1.0)


TURN_CHARS = 200  # a turn's opening is enough to place a dialogue among others, at a seventh of the MiniLM time


def dialogue_vector(texts: Sequence[str], embed: Embedder) -> np.ndarray:
    """One vector for a consultation: the mean of its turns' openings (the first TURN_CHARS characters)."""
    return mean_vector(embed([t[:TURN_CHARS] for t in texts]))
