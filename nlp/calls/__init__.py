"""Contact-centre call analytics: per-call JSON (turns, sentiment, timing, PII, categories) and batch summaries.

Lives under nlp/ as ARCHITECTURE.md places call analytics there; it composes `asr` and `nlp.sentiment` /
`nlp.pii` through their public functions only (asr is imported lazily, so nlp imports without it).
"""

from nlp.calls.analyze import analyze_call
from nlp.calls.batch import (
    BatchInputError,
    list_calls,
    load_results,
    redacted_audio_name,
    result_name,
    run_batch,
    summarize,
)
from nlp.calls.rules import CategoryRule, RuleSyntaxError, SentimentCondition, compile_expression
from nlp.calls.schema import CALL_SCHEMA_VERSION, BatchSummary, CallOptions, CallResult

__all__ = [
    "CALL_SCHEMA_VERSION",
    "BatchInputError",
    "BatchSummary",
    "CallOptions",
    "CallResult",
    "CategoryRule",
    "RuleSyntaxError",
    "SentimentCondition",
    "analyze_call",
    "compile_expression",
    "list_calls",
    "load_results",
    "redacted_audio_name",
    "result_name",
    "run_batch",
    "summarize",
]
