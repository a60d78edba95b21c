"""Language services: embeddings now; translation, language id, sentiment, call analytics and PII redaction follow."""

from nlp.embeddings import DEFAULT_EMBEDDING_MODEL, EMBEDDING_DIM, embed, embedding_spec

__all__ = ["DEFAULT_EMBEDDING_MODEL", "EMBEDDING_DIM", "embed", "embedding_spec"]
