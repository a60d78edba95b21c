"""PII detection and redaction for transcripts: presidio + spaCy English, plus rules and checksums."""

from nlp.pii.engine import ENTITY_TYPES, PiiEntity, Redaction, detect_pii, pii_spec, redact, redact_text
from nlp.pii.rules import luhn_ok

__all__ = ["ENTITY_TYPES", "PiiEntity", "Redaction", "detect_pii", "luhn_ok", "pii_spec", "redact", "redact_text"]
