"""Long audio decoded as several pieces at once, each decoded as faster-whisper decodes a whole recording.

One beam search keeps little more than one CPU core busy (bench/results/asr_workers.txt: base int8 on 2 cores, 8
windows in 10.95 s on one CTranslate2 worker of 2 threads, 5.06 s on two workers of 1 thread side by side), while
faster-whisper's long-form decoding searches one window at a time, each conditioned on the text before it. So a
long recording is cut at pauses into pieces; each piece runs faster-whisper's own sequential decoding in its own
thread (in pause-aligned clips of its own when the call decodes so), and the threads' searches run side by side on
the model's workers. A piece after the first starts from the text of the audio just before its cut (`warm_text`),
as a window starts from the one before it. On the ten consultations (bench/results/asr_workers.txt) two pieces on
two workers took 0.50x plain faster-whisper's wall time at WER 0.99x and term WER 1.00x its own; the default is one
piece per worker (`VOXGATE_ASR_PIECES=0`).

A model with one worker meets the pieces' beam searches in one batched CTranslate2 call instead (`GenerateBatcher`):
a batched search of several windows costs far less than searching them one by one in float32 (eight 30 s windows
one by one in 16.7 s, together in 8.1 s; bench/asr_batch.py), less so in int8 (bench/results/asr_pieces.txt, before
pieces were primed: 8 pieces 0.63x plain's wall time at WER 1.08x).
"""

from __future__ import annotations

import contextvars
import copy
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from asr.engines import windows

RATE = 16000


def cut_points(speech: list[dict[str, int]], total: int, pieces: int, min_piece_s: float) -> list[int]:
    """Sample offsets where to cut `total` samples into at most `pieces` pieces of about `min_piece_s` or more: in
    the longest pause (between Silero VAD speech chunks `speech`) near each equal share, never inside speech."""
    count = min(pieces, int(total / (min_piece_s * RATE)))
    if count < 2:
        return []
    pauses = [(a["end"], b["start"]) for a, b in zip(speech, speech[1:], strict=False) if b["start"] > a["end"]]
    share = total / count
    cuts: list[int] = []
    for k in range(1, count):  # a cut moves at most a quarter share from its place: every piece >= half a share
        near = [(end - start, (start + end) // 2) for start, end in pauses
                if abs((start + end) / 2 - k * share) <= share / 4]  # fmt: skip
        if near:
            cuts.append(max(near)[1])
    return cuts


def shifted(segment: Any, seconds: float) -> Any:
    """A faster-whisper segment (and its words) moved `seconds` later: decoded from audio that starts there."""
    words = None if segment.words is None else [
        replace(w, start=w.start + seconds, end=w.end + seconds) for w in segment.words
    ]  # fmt: skip
    return replace(segment, start=segment.start + seconds, end=segment.end + seconds, words=words)


@dataclass
class _Request:
    features: Any
    prompt: list[int]
    kwargs: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class Cancelled(Exception):
    """The caller stopped reading: the pieces stop at their next search."""


class GenerateBatcher:
    """Meets the pieces' `generate` calls: once every live piece waits on one, they run as one batch (grouped by
    decoding options). CTranslate2 needs <|startoftranscript|> at one position in a batch, so the previous text of
    the longer prompts is cut from its start to the shortest's length (faster-whisper keeps the last 223 tokens;
    after a window or two every piece has that many, and nothing is cut)."""

    def __init__(self, model: Any, pieces: int, sot: int, sot_prev: int, kept: int = 0) -> None:
        self._model, self._live, self._sot, self._sot_prev = model, pieces, sot, sot_prev
        self._kept = kept  # tokens after <|startofprev|> never cut (the hotwords, which come before the text)
        self._pending: list[_Request] = []
        self._lock = threading.Lock()
        self._cancelled = False

    def generate(self, features: Any, prompts: list[list[int]], **kwargs: Any) -> list[Any]:
        if len(prompts) != 1:  # faster-whisper searches one window per call; anything else runs alone
            return self._model.generate(features, prompts, **kwargs)
        request = _Request(features, prompts[0], kwargs)
        with self._lock:
            if self._cancelled:
                raise Cancelled("transcription stopped")
            self._pending.append(request)
            batch = self._take()
        if batch:
            self._run(batch)
        request.done.wait()
        if request.error is not None:
            raise request.error
        return [request.result]

    def finished(self) -> None:
        """A piece has no more windows: the others stop waiting for it."""
        with self._lock:
            self._live -= 1
            batch = self._take()
        if batch:
            self._run(batch)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            waiting, self._pending = self._pending, []
        for request in waiting:
            request.error = Cancelled("transcription stopped")
            request.done.set()

    def _take(self) -> list[_Request]:
        if self._pending and len(self._pending) >= self._live:
            batch, self._pending = self._pending, []
            return batch
        return []

    def _run(self, batch: list[_Request]) -> None:
        groups: dict[tuple, list[_Request]] = {}
        for request in batch:
            has_context = request.prompt[0] == self._sot_prev
            groups.setdefault((repr(sorted(request.kwargs.items())), has_context), []).append(request)
        for group in groups.values():
            try:
                results = self._search(group)
            except BaseException as error:  # each waiting piece raises it in its own thread
                for request in group:
                    request.error = error
            else:
                for request, result in zip(group, results, strict=True):
                    request.result = result
            for request in group:
                request.done.set()

    def _search(self, group: list[_Request]) -> list[Any]:
        import ctranslate2

        prompts = self._aligned([r.prompt for r in group])
        if len(group) == 1:
            features = group[0].features
        else:
            stacked = np.concatenate([np.asarray(r.features) for r in group])  # referenced until the search ends
            features = ctranslate2.StorageView.from_array(stacked)
        return self._model.generate(features, prompts, **group[0].kwargs)

    def _aligned(self, prompts: list[list[int]]) -> list[list[int]]:
        """<|startoftranscript|> at one index: the previous text (after <|startofprev|>) cut from its start."""
        at, keep = min(p.index(self._sot) for p in prompts), 1 + self._kept
        return [p[:keep] + p[keep + p.index(self._sot) - at :] for p in prompts]


class _BatchingWhisper:
    """The CTranslate2 Whisper model as faster-whisper sees it, with `generate` going through the batcher."""

    def __init__(self, inner: Any, batcher: GenerateBatcher) -> None:
        self._inner, self._batcher = inner, batcher

    def generate(self, features: Any, prompts: list[list[int]], **kwargs: Any) -> list[Any]:
        return self._batcher.generate(features, prompts, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


_END = object()
WARM_S = (10.0, 25.0)  # a piece after the first is primed with the text of the audio this far before its cut
WARM_FALLBACK_S = 20.0  # ... from the longest pause in that span, else from this far before the cut


def warm_start(speech: list[dict[str, int]], cut: int) -> int:
    """Where the audio a piece is primed with begins: the longest pause WARM_S before `cut` (a clip that starts
    in a pause, as a recording's first window does), else WARM_FALLBACK_S before it."""
    earliest, latest = cut - WARM_S[1] * RATE, cut - WARM_S[0] * RATE
    near = [(gap, mid) for mid, gap in windows.pauses(speech) if earliest <= mid <= latest]
    return max(0, max(near)[1] if near else int(cut - WARM_FALLBACK_S * RATE))


def piece_speech(speech: list[dict[str, int]], start: int, end: int) -> list[dict[str, int]]:
    """The speech chunks between `start` and `end`, on that piece's clock."""
    return [{"start": max(c["start"], start) - start, "end": min(c["end"], end) - start}
            for c in speech if c["end"] > start and c["start"] < end]  # fmt: skip


def warm_text(model: Any, samples: np.ndarray, start: int, cut: int, kwargs: dict[str, Any]) -> str:
    """What was said just before a cut, decoded as a recording's first window is (no earlier text): the previous
    text a piece after the first is prompted with, so it keeps the register the recording set (a piece decoded
    from nothing sometimes comes out unpunctuated, with every "uh"; bench/results/asr_pieces.txt)."""
    options = dict(kwargs, word_timestamps=False, condition_on_previous_text=False)
    options.pop("clip_timestamps", None)
    return "".join(s.text for s in model.transcribe(samples[start:cut], **options)[0]).strip()


def transcribe_pieces(
    model: Any, samples: np.ndarray, cuts: list[int], kwargs: dict[str, Any], speech: list[dict[str, int]],
    pause_windows: bool = False,
) -> Iterator[tuple[Any, float]]:  # fmt: skip
    """faster-whisper segments of the whole of `samples`, decoded as the pieces between `cuts` at once, in order
    (times from the start of `samples`), each with the seconds of audio all pieces have decoded so far (progress:
    the first piece's segments come while the others are decoded too). Closing the iterator stops the pieces.

    A model with several CTranslate2 workers decodes the pieces side by side, one worker each; with one worker their
    beam searches meet in one batched call (GenerateBatcher). Each piece after the first is prompted with the text
    of the audio before its cut (`warm_text`); `pause_windows`: each piece in pause-aligned clips of its own
    (asr.engines.windows, from the `speech` chunks)."""
    bounds = list(zip([0, *cuts], [*cuts, len(samples)], strict=True))
    target, batcher = model, None
    if getattr(model.model, "num_workers", 1) < 2:
        batcher = _batcher(model, len(bounds), kwargs)
        target = copy.copy(model)  # shares the weights; only its `model` attribute batches
        target.model = _BatchingWhisper(model.model, batcher)
    outputs: list[queue.Queue] = [queue.Queue() for _ in bounds]
    decoded = [0.0] * len(bounds)  # seconds each piece has decoded
    stop = threading.Event()

    def run(index: int, start: int, end: int) -> None:
        offset = start / RATE
        options = dict(kwargs)
        try:
            if pause_windows:
                options["clip_timestamps"] = windows.clip_timestamps(piece_speech(speech, start, end), end - start)
            if index > 0:
                before = warm_text(target, samples, warm_start(speech, start), start, kwargs)
                options["initial_prompt"] = " ".join(filter(None, (kwargs.get("initial_prompt"), before))) or None
            for segment in target.transcribe(samples[start:end], **options)[0]:
                outputs[index].put(replace(shifted(segment, offset), seek=segment.seek + start // 160))
                decoded[index] = segment.end
                if stop.is_set():
                    break
        except BaseException as error:  # raised again in the reader's thread
            outputs[index].put(error)
        finally:
            if batcher is not None:
                batcher.finished()
            outputs[index].put(_END)

    # Each thread runs in a copy of the caller's context: the decoding state (asr.engines.windows) reaches it.
    threads = [threading.Thread(target=contextvars.copy_context().run, args=(run, i, a, b), daemon=True,
                                name=f"asr-piece-{i}") for i, (a, b) in enumerate(bounds)]  # fmt: skip
    for thread in threads:
        thread.start()
    try:
        for output in outputs:
            while (item := output.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                yield item, sum(decoded)
    finally:
        stop.set()
        if batcher is not None:
            batcher.cancel()
        for thread in threads:
            thread.join()


def _batcher(model: Any, pieces: int, kwargs: dict[str, Any]) -> GenerateBatcher:
    tokenizer = model.hf_tokenizer
    hotwords = kwargs.get("hotwords")
    kept = 0
    if hotwords and not kwargs.get("prefix"):  # as faster-whisper's get_prompt puts them before the previous text
        tokens = tokenizer.encode(" " + hotwords.strip(), add_special_tokens=False).ids
        kept = min(len(tokens), model.max_length // 2 - 1)
    return GenerateBatcher(
        model.model, pieces, tokenizer.token_to_id("<|startoftranscript|>"),
        tokenizer.token_to_id("<|startofprev|>"), kept,
    )  # fmt: skip
