"""How likely the model finds each of several texts for the same audio: Whisper's decoder run on each text
(teacher-forced, CTranslate2's `align`), the sum of its tokens' log-probabilities.

Beam search keeps a handful of prefixes a token at a time, so a word split into rare tokens ("sp|ut|um") can lose to
a common one ("students") before its end is ever scored; here whole texts are compared. A text is scored alone
(start-of-transcript, no timestamps, no earlier text): each candidate is judged on the same footing as the original.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

RATE = 16000


def sequence_logprobs(model: Any, samples: np.ndarray, start_s: float, end_s: float, texts: list[str],
                      language: str = "en", encoded: Any = None) -> list[float]:  # fmt: skip
    """Sum of token log-probabilities of each text given the audio `start_s`..`end_s` (at most 30 s). `encoded`:
    that audio's encoder output when the caller kept it (a pause-aligned clip's window), else it is encoded here."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer

    extractor = model.feature_extractor
    piece = samples[max(0, int(start_s * RATE)) : int(math.ceil(end_s * RATE))]
    frames = min(len(piece) // extractor.hop_length + 1, extractor.nb_max_frames)  # the extractor's count
    if encoded is None:
        encoded = model.encode(pad_or_trim(extractor(piece)))
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language)
    start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    scores = []
    for text in texts:
        tokens = tokenizer.encode(" " + " ".join(text.split()))
        result = model.model.align(encoded, start, [tokens], frames)[0]
        scores.append(sum(math.log(max(p, 1e-12)) for p in result.text_token_probs))
    return scores
