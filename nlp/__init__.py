"""Language services: embeddings, translation, language id, sentiment, PII redaction, entities and key phrases.

Call analytics, which composes these with asr, is the top-level `calls` package.
"""

from nlp.embeddings import DEFAULT_EMBEDDING_MODEL, EMBEDDING_DIM, embed, embedding_spec
from nlp.entities import Span, detect_entities, key_phrases
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
    "Span",
    "TranslationError",
    "TranslationResult",
    "UnsupportedPair",
    "detect",
    "detect_entities",
    "detect_pii",
    "detect_sentiment",
    "embed",
    "embedding_spec",
    "key_phrases",
    "languages",
    "redact",
    "translate",
]
