"""Contact-centre call analytics: per-call JSON (turns, sentiment, timing, PII, categories) and batch summaries.

A top-level capability package (extra `calls`: asr + nlp). It composes `asr` (speech, speaker voices, two-party
labelling) and `nlp.sentiment` / `nlp.pii` through their public functions only.
"""

from calls.analyze import analyze_call
from calls.batch import (
    BatchInputError,
    list_calls,
    load_results,
    redacted_audio_name,
    result_name,
    run_batch,
    summarize,
)
from calls.rules import CategoryRule, RuleSyntaxError, SentimentCondition, compile_expression
from calls.schema import CALL_SCHEMA_VERSION, BatchSummary, CallOptions, CallResult

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
