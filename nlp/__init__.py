"""Language services: embeddings, translation and language id; sentiment, call analytics and PII redaction follow."""

from nlp.embeddings import DEFAULT_EMBEDDING_MODEL, EMBEDDING_DIM, embed, embedding_spec
from nlp.langid import Detection, detect
from nlp.translate import Glossary, TranslationError, TranslationResult, UnsupportedPair, languages, translate

__all__ = [
    "DEFAULT_EMBEDDING_MODEL",
    "EMBEDDING_DIM",
    "Detection",
    "Glossary",
    "TranslationError",
    "TranslationResult",
    "UnsupportedPair",
    "detect",
    "embed",
    "embedding_spec",
    "languages",
    "translate",
]
