"""Pause-aligned windows and a shorter text context for sequential decoding (the default for long audio).

Plain faster-whisper decodes a recording 30 s at a time with Whisper's timestamp tokens, and seeks each window back
to the last segment it completed, so a 30 s window advances ~24 s and every window searches ~15% timestamp tokens.
Here the audio is cut beforehand at pauses (Silero VAD) into clips of at most 29.5 s, each decoded as one window
without timestamp tokens (`clip_timestamps`, `without_timestamps`): a clip ends in a pause, so no word is cut and
nothing is sought back. And each window is prompted with the last `context_tokens` tokens of the text before it
instead of up to 223: the decoder's cost grows with the prompt. On the ten consultations whole (base, int8, two
threads, idle, same run; bench/results/asr_windows.txt) the two together took 0.81x the time of Whisper's own
windows (RTF 0.067 against 0.083; 0.64x plain faster-whisper's 0.105) at WER 10.5% against 10.9% (plain 10.6%),
medical-term WER 14.2% against 13.9% (plain 14.6%); chosen on the tune five, where WER went 10.2% -> 9.7%.

What a clip loses is Whisper's own segment times: a segment is a clip (up to 29.5 s) unless word timestamps were
asked for, when it is split at sentence ends with the words' times (`sentences`).

The state a call sets (`decoding`) reaches faster-whisper's per-window hooks through a context variable, so calls
on other threads sharing the model are untouched. The state may carry an `EncodingStore`: the encoder output of each
window whose text its `keep` test picks, for the soundalike check to decode that window again without encoding it
again (the encoder is ~60% of a second decode of base on CPU).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from faster_whisper import WhisperModel

from asr.sentences import sentence_runs

RATE = 16000
LONGEST_CLIP_S = 29.5  # under Whisper's 30 s window
SHORTEST_CLIP_S = 25.0  # the cut is the longest pause after this much of a clip (20: more windows)
FALLBACK_CLIP_S = 10.0  # no pause SHORTEST_CLIP_S.. in: the longest pause after 10 s


def pauses(speech: list[dict[str, int]]) -> list[tuple[int, int]]:
    """(middle sample, length in samples) of each pause between Silero VAD's speech chunks."""
    return [((a["end"] + b["start"]) // 2, b["start"] - a["end"]) for a, b in zip(speech, speech[1:], strict=False)
            if b["start"] > a["end"]]  # fmt: skip


def pause_cuts(speech: list[dict[str, int]], total: int, longest_s: float = LONGEST_CLIP_S,
               after_s: float = SHORTEST_CLIP_S) -> list[int]:  # fmt: skip
    """Sample offsets of cuts into `total` samples, each in the longest pause between Silero VAD's speech chunks
    `after_s`..`longest_s` after the last cut (else `FALLBACK_CLIP_S`..; speech with no pause at all runs on to the
    next pause, and faster-whisper decodes that clip in 30 s windows as usual)."""
    found = pauses(speech)
    cuts, start = [], 0
    while total - start > longest_s * RATE:
        pick = None
        for earliest in (after_s, FALLBACK_CLIP_S):
            near = [(gap, mid) for mid, gap in found if start + earliest * RATE <= mid <= start + longest_s * RATE]
            if near:
                pick = max(near)[1]
                break
        if pick is None:
            later = [mid for mid, _ in found if mid > start + longest_s * RATE]
            if not later:
                break
            pick = later[0]
        cuts.append(pick)
        start = pick
    return cuts


def clip_timestamps(speech: list[dict[str, int]], total: int) -> list[float]:
    """faster-whisper's `clip_timestamps` (start, end, start, end, ... in seconds) for pause-aligned clips."""
    bounds = [0, *pause_cuts(speech, total), total]
    return [round(t / RATE, 3) for pair in zip(bounds, bounds[1:], strict=False) for t in pair]


def speech_seconds(speech: list[dict[str, int]], start_s: float, end_s: float) -> float:
    """Seconds of VAD speech between `start_s` and `end_s`."""
    start, end = start_s * RATE, end_s * RATE
    return sum(max(0, min(end, c["end"]) - max(start, c["start"])) for c in speech) / RATE


@dataclass
class EncodingStore:
    """Encoder outputs of the windows whose text `keep` picks, by the tokens of faster-whisper's segment of that
    window, until the reader takes them; shared by the threads of a call's pieces. (Not by seek: a piece's windows
    seek within the piece, its segments are moved to the recording's frames.) Two windows of the same tokens
    waiting at once are both dropped: neither encoding could be told apart, and a check then encodes the audio."""

    keep: Callable[[str], bool]
    kept: dict[tuple[int, ...], Any] = field(default_factory=dict)

    def put(self, tokens: list[int], encoding: Any) -> None:
        key = tuple(tokens)
        self.kept[key] = None if key in self.kept else encoding

    def take(self, segment: Any) -> Any | None:
        """The kept encoder output of the window `segment` (a faster-whisper segment) came from, dropped from the
        store; None when it was not kept."""
        return self.kept.pop(tuple(segment.tokens or ()), None)


@dataclass(frozen=True)
class Decoding:
    context_tokens: int | None  # previous-text tokens each window is prompted with; None: faster-whisper's 223
    initial_tokens: tuple[int, ...] = ()  # the caller's initial prompt: kept whole while faster-whisper keeps it
    whole_clips: bool = False  # a window that reaches its clip's end is complete (no seeking back to a word)
    encodings: EncodingStore | None = field(default=None, compare=False)  # where windows keep their encoder output
    # (the call's hotwords, the text this call decoded before a window) -> that window's hotwords, for English
    # transcription (asr.medical.recall: the recording's clinical words so far); None: the call's hotwords
    recall: Callable[[str | None, str], str | None] | None = field(default=None, compare=False)


_DECODING: ContextVar[Decoding | None] = ContextVar("voxgate_decoding", default=None)


@contextmanager
def decoding(state: Decoding) -> Iterator[None]:
    """`state` for the faster-whisper calls made inside (and the segment generator consumed inside)."""
    token = _DECODING.set(state)
    try:
        yield
    finally:
        _DECODING.reset(token)


def limit_context(previous: list[int], state: Decoding) -> list[int]:
    """The caller's initial prompt (when `previous` still starts with it) and the last `context_tokens` after it."""
    if state.context_tokens is None:
        return previous
    head, previous = split_initial(previous, state)
    return head + (previous[-state.context_tokens :] if state.context_tokens else [])


def split_initial(previous: list[int], state: Decoding) -> tuple[list[int], list[int]]:
    """(The caller's initial prompt, when `previous` still starts with it, else nothing; the tokens after it.)"""
    size = len(state.initial_tokens)
    if size and tuple(previous[:size]) == state.initial_tokens:
        return list(state.initial_tokens), previous[size:]
    return [], previous


def recalled_hotwords(hotwords: str | None, previous: list[int], tokenizer: Any, state: Decoding) -> str | None:
    """A window's hotwords: the call's, and what `state.recall` adds from the text decoded before the window (not
    the caller's initial prompt), in English transcription only."""
    if state.recall is None or tokenizer.language_code != "en" or tokenizer.task not in (None, tokenizer.transcribe):
        return hotwords
    _, previous = split_initial(previous, state)
    text = tokenizer.decode([t for t in previous if t < tokenizer.eot])  # timestamp tokens come after eot
    return state.recall(hotwords, text) if text.strip() else hotwords


_last_encoding = threading.local()  # a window's encoder output, from `encode` to the same window's split


@contextmanager
def without_encodings() -> Iterator[None]:
    """The decoding state as it is, less its encoding store: for a decode inside the call whose windows nobody
    takes (the engine's second decodes read their segments at once)."""
    state = _DECODING.get()
    if state is None or state.encodings is None:
        yield
        return
    with decoding(replace(state, encodings=None)):
        yield


class WindowedWhisperModel(WhisperModel):
    """faster-whisper's model with the per-window hooks above; without a `decoding` state it is plain."""

    # A second copy of the weights that encodes every window in its own compute type (asr.models.WhisperLoader's
    # cpu_encoder_compute_type), or None: this model encodes. Set here, not over `encode`, so the hook below runs.
    encoder_model: WhisperModel | None = None

    def encode(self, features: Any) -> Any:
        output = super().encode(features) if self.encoder_model is None else self.encoder_model.encode(features)
        state = _DECODING.get()
        if state is not None and state.encodings is not None:
            _last_encoding.output = output
        return output

    def get_prompt(self, tokenizer: Any, previous_tokens: list[int], without_timestamps: bool = False,
                   prefix: str | None = None, hotwords: str | None = None) -> list[int]:  # fmt: skip
        state = _DECODING.get()
        if state is not None:
            hotwords = recalled_hotwords(hotwords, previous_tokens, tokenizer, state)
            previous_tokens = limit_context(previous_tokens, state)
        return super().get_prompt(tokenizer, previous_tokens, without_timestamps=without_timestamps, prefix=prefix,
                                  hotwords=hotwords)  # fmt: skip

    def _split_segments_by_timestamps(self, tokenizer: Any, tokens: list[int], time_offset: float,
                                      segment_size: int, segment_duration: float, seek: int) -> Any:  # fmt: skip
        segments, seek, single_timestamp_ending = super()._split_segments_by_timestamps(
            tokenizer=tokenizer, tokens=tokens, time_offset=time_offset, segment_size=segment_size,
            segment_duration=segment_duration, seek=seek,
        )  # fmt: skip
        state = _DECODING.get()
        reaches_clip_end = segment_size < self.feature_extractor.nb_max_frames
        if state is not None and state.whole_clips and reaches_clip_end:
            # Word timestamps would otherwise seek back to the last word's end and decode the clip's silent tail
            # as one more window: the clip ends in a pause, so its text is complete.
            single_timestamp_ending = True
        encoding = getattr(_last_encoding, "output", None)
        if state is not None and state.encodings is not None and encoding is not None:
            _last_encoding.output = None
            for part in segments:  # faster-whisper yields each part as a segment with these tokens
                if state.encodings.keep(tokenizer.decode(part["tokens"])):
                    state.encodings.put(part["tokens"], encoding)
        return segments, seek, single_timestamp_ending


def sentences(segment: Any) -> list[Any]:
    """A faster-whisper segment with words, split at sentence ends with its words' times (a clip holds several)."""
    if not segment.words:
        return [segment]
    out = [replace(segment, start=run[0].start, end=run[-1].end, text="".join(w.word for w in run), words=run)
           for run in sentence_runs(segment.words)]  # fmt: skip
    if len(out) > 1:  # words carry no token ids: the clip's tokens would repeat in every sentence
        out = [replace(part, tokens=[]) for part in out]
    return out
