"""Sentiment of short texts: MiniLM with fine-tuned top layers, calibrated, in Comprehend's DetectSentiment shape."""

from nlp.sentiment.service import (
    MAX_TEXTS,
    SENTIMENT_MODEL_ID,
    SentimentResult,
    SentimentScores,
    detect_sentiment,
    sentiment_spec,
)

__all__ = [
    "MAX_TEXTS",
    "SENTIMENT_MODEL_ID",
    "SentimentResult",
    "SentimentScores",
    "detect_sentiment",
    "sentiment_spec",
]
