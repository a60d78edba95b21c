"""Language services: embeddings, translation, language id, sentiment and PII redaction.

Call analytics, which composes these with asr, is the top-level `calls` package.
"""

from nlp.embeddings import DEFAULT_EMBEDDING_MODEL, EMBEDDING_DIM, embed, embedding_spec
from nlp.langid import Detection, detect
from nlp.pii import PiiEntity, detect_pii, redact
from nlp.sentiment import SentimentResult, detect_sentiment
from nlp.translate import Glossary, TranslationError, TranslationResult, UnsupportedPair, languages, translate

__all__ = [
    "DEFAULT_EMBEDDING_MODEL",
    "Detection",
    "EMBEDDING_DIM",
    "Glossary",
    "PiiEntity",
    "SentimentResult",
    "TranslationError",
    "TranslationResult",
    "UnsupportedPair",
    "detect",
    "detect_pii",
    "detect_sentiment",
    "embed",
    "embedding_spec",
    "languages",
    "redact",
    "translate",
]
