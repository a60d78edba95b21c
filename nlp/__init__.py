"""Language services: embeddings, translation, language id, sentiment, PII redaction and call analytics."""

from nlp.calls import CallOptions, CallResult, analyze_call
from nlp.embeddings import DEFAULT_EMBEDDING_MODEL, EMBEDDING_DIM, embed, embedding_spec
from nlp.langid import Detection, detect
from nlp.pii import PiiEntity, detect_pii, redact
from nlp.sentiment import SentimentResult, detect_sentiment
from nlp.translate import Glossary, TranslationError, TranslationResult, UnsupportedPair, languages, translate

__all__ = [
    "CallOptions",
    "CallResult",
    "DEFAULT_EMBEDDING_MODEL",
    "Detection",
    "EMBEDDING_DIM",
    "Glossary",
    "PiiEntity",
    "SentimentResult",
    "TranslationError",
    "TranslationResult",
    "UnsupportedPair",
    "analyze_call",
    "detect",
    "detect_pii",
    "detect_sentiment",
    "embed",
    "embedding_spec",
    "languages",
    "redact",
    "translate",
]
