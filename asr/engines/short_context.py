"""Short-context Whisper decoding for short clips (live dictation's utterances).

faster-whisper pads every window's features to 30 s, so the encoder costs the same for a 2 s
utterance as for 30 s of speech: on 2 CPU cores that pass is most of a tiny.en decode. CTranslate2
accepts shorter inputs, so this pads only `pad_s` seconds past the audio and decodes that, one
greedy or beam pass without timestamps. Whisper was trained on 30 s windows: with a short one it
loops more often (1 s made "Go forward 10 meters." repeat until max length) and its WER rises
(bench/dictation_context.py), so the output is capped near the most a speaker could say in the
clip, and a decode that hits the cap or compresses like a loop is redone on the full window.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_compression_ratio, get_suppressed_tokens

FULL_FRAMES = 3000  # Whisper's 30 s window in 10 ms feature frames
RATE = 16000
LOOP_COMPRESSION = 2.4  # Whisper's own threshold for a repetitive (failed) decode
TOKENS_PER_SECOND = 12  # fast speech is ~4 words (~6 tokens) a second; the cap leaves twice that


def fits(samples: np.ndarray, pad_s: float) -> bool:
    """Whether the clip plus its padding is shorter than Whisper's window (else nothing is saved)."""
    return pad_s > 0 and len(samples) / RATE + pad_s < FULL_FRAMES / 100


def decode_short(
    model: Any,
    samples: np.ndarray,
    *,
    pad_s: float,
    language: str | None,
    beam_size: int,
    prompt: str | None,
    hotwords: str | None,
) -> tuple[str, float, float]:
    """(text, average log-probability, no-speech probability) of one short-context decode;
    falls back to the full window when the short one loops."""
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language or "en")
    features = model.feature_extractor(samples)[:, :-1]  # the last frame covers only the extractor's padding
    frames = features.shape[-1]
    # Whole seconds keep the encoder's input shapes few (CTranslate2 caches per shape).
    target = min(FULL_FRAMES, int(math.ceil((frames + pad_s * 100) / 100)) * 100)
    cap = int(TOKENS_PER_SECOND * len(samples) / RATE) + 16
    text, logprob, no_speech, capped = _decode(model, tokenizer, features, target, beam_size, prompt, hotwords, cap)
    if target < FULL_FRAMES and (capped or get_compression_ratio(text) > LOOP_COMPRESSION):
        text, logprob, no_speech, _ = _decode(
            model, tokenizer, features, FULL_FRAMES, beam_size, prompt, hotwords, model.max_length
        )
    return text, logprob, no_speech


def _decode(
    model: Any,
    tokenizer: Tokenizer,
    features: np.ndarray,
    target: int,
    beam_size: int,
    prompt: str | None,
    hotwords: str | None,
    max_new_tokens: int,
) -> tuple[str, float, float, bool]:
    """One decode of `features` padded to `target` frames: (text, log-prob, no-speech prob, hit the cap)."""
    padded = np.pad(features, [(0, 0), (0, max(0, target - features.shape[-1]))])[:, :target]
    encoded = model.encode(padded)
    previous = tokenizer.encode(" " + prompt.strip()) if prompt and prompt.strip() else []
    tokens = model.get_prompt(tokenizer, previous, without_timestamps=True, hotwords=hotwords)
    max_length = min(model.max_length, len(tokens) + max_new_tokens)  # CTranslate2 counts the prompt in
    result = model.model.generate(
        encoded, [tokens], beam_size=beam_size, patience=1, max_length=max_length,
        return_scores=True, return_no_speech_prob=True, suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
    )[0]  # fmt: skip
    ids = result.sequences_ids[0]
    logprob = result.scores[0] * len(ids) / (len(ids) + 1)  # as faster-whisper: length penalty 1
    return tokenizer.decode(ids).strip(), logprob, result.no_speech_prob, len(tokens) + len(ids) >= max_length
