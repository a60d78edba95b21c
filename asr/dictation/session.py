"""`DictationSession`: audio in, partial and final events out, decoded on the shared pool.

The session keeps the audio of the current utterance. Silero VAD marks where speech starts
and ends; while someone speaks, the utterance so far is decoded every `partial_interval_s`
of new audio and local agreement confirms the words two decodes share (`partial`). After
`min_silence_s` of silence (or `sentence_end_silence_s` when that decode ends a sentence) the
utterance is final: the last decode is reused when it already
covered all the speech (so the final costs no extra decode), it is formatted as dictation,
and its entities are found. Partials decode on a short encoder window (several times cheaper,
so the decoder is free when the speaker stops); the decode that may become the final, and the
final itself, use Whisper's full 30 s window, which is more accurate (bench/dictation_context.py).
The session is transport-free: the gateway feeds it and sends what `step()` returns; it
survives a dropped connection so a client can resume it.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from concurrent.futures import CancelledError

import numpy as np

import asr
from asr.config import DictationSettings
from asr.dictation.agreement import LocalAgreement
from asr.dictation.audio import RATE, Pcm16Decoder, WebmDecoder
from asr.dictation.endpoint import WINDOW, Endpoint, Endpointer, StreamingVad
from asr.dictation.errors import DictationError
from asr.dictation.schemas import (
    SAMPLE_RATES,
    DictationConfig,
    DoneEvent,
    Event,
    FinalEvent,
    PartialEvent,
)
from asr.dictation.text import format_utterance, join_note, loops
from asr.languages import language_code
from asr.medical import correction, detect_entities, select_hotwords
from asr.schemas import TEMPERATURE_FALLBACK
from workers import ModelPool, Priority, optional


class DictationSession:
    def __init__(
        self,
        config: DictationConfig,
        *,
        settings: DictationSettings | None = None,
        asr_settings: asr.AsrSettings | None = None,
        pool: ModelPool | None = None,
    ) -> None:
        self.settings = settings or DictationSettings()
        self.asr_settings = asr_settings or asr.AsrSettings()
        self.pool = pool
        self.config = config
        self.id = uuid.uuid4().hex
        if config.sample_rate not in SAMPLE_RATES:
            raise DictationError(
                f"unsupported sample_rate {config.sample_rate}; use 16000 (or one of {list(SAMPLE_RATES)})",
                code="invalid_sample_rate",
            )
        try:
            model = asr.resolve_model(config.model or self.settings.default_model, self.asr_settings,
                                      allow_passthrough=False)  # fmt: skip
        except asr.AsrError as exc:
            raise DictationError(exc.message, code=exc.code) from exc
        if config.language and not model.multilingual and config.language.lower() != "en":
            raise DictationError(f"model {model.id!r} is English-only; language {config.language!r} is not available",
                                 code="unsupported_language")  # fmt: skip
        self.model = model.id
        self.options = asr.TranscribeOptions(
            model=model.id, language=config.language, beam_size=self.settings.beam_size, temperature=0.0,
            # Only the caller's own terms: specialty term lists raised WER in bench/asr.py (8.8% -> 12.4% on base).
            vad=False, hotwords=select_hotwords(config.vocabulary), prompt="", loop_guard=False,
            # Partials stay raw (each is replaced within a second); finals are corrected in _finalize.
            correct_terms=False,
            # Utterances are decoded as measured for live dictation (bench/dictation.py): Whisper's own windowing.
            pause_windows=False,
        )  # fmt: skip
        # Finals get the term post-correction every other route gives English transcripts, in medical sessions
        # (entities on: voice bots turn them off); its lists load in warm_up, not on the first final.
        language = language_code(config.language) if config.language else ("" if model.multilingual else "en")
        self.correct_terms = self.asr_settings.correct_terms and config.entities and language == "en"
        self._pcm = Pcm16Decoder(config.sample_rate)
        self._webm = WebmDecoder(self._append) if config.encoding == "webm" else None
        s = self.settings
        self._vad = StreamingVad()
        self._endpointer = Endpointer(s.vad_threshold, int(s.min_silence_s * RATE), int(s.min_speech_s * RATE))
        self._pad = int(s.speech_pad_s * RATE)
        self._lead = max(self._pad, int(s.lead_pad_s * RATE))
        self._lock = threading.Lock()  # guards _pending and received
        self._work = threading.Lock()  # one step() at a time
        self._pending: list[np.ndarray] = []
        self.received = 0  # samples at 16 kHz received so far
        self._audio = np.zeros(0, np.float32)  # kept audio, starting at absolute sample _base
        self._base = 0
        self._vad_pos = 0  # absolute sample up to which VAD has run
        self._floor = 0  # the previous final's audio ends here; the next utterance starts no earlier
        self._agreement = LocalAgreement()
        # (start, end, words) of the last full-window decode, which a final may reuse
        self._hypothesis: tuple[int, int, list[str]] | None = None
        self._covered = 0  # the last partial decode, of either window, reached this sample
        self._last_partial = ""
        self._utterance = 0
        self.finals: list[FinalEvent] = []
        self.decodes = 0
        self.decode_seconds = 0.0
        self._partial_cost = 0.0  # recent seconds per partial decode (moving average)
        self.closed = False
        self.owner: str | None = None  # who started it (API key or address): only they may resume it

    # -- input ------------------------------------------------------------
    def feed(self, frame: bytes) -> None:
        """One binary frame from the client, in the encoding it announced."""
        if self._webm is not None:
            self._webm.feed(frame)
        else:
            self._append(self._pcm.decode(frame))

    def feed_samples(self, samples: np.ndarray) -> None:
        """16 kHz float32 samples (for Python callers that already hold audio)."""
        self._append(np.asarray(samples, dtype=np.float32).reshape(-1))

    def _append(self, samples: np.ndarray) -> None:
        if not len(samples):
            return
        with self._lock:
            if self.received + len(samples) > self.settings.max_session_s * RATE:
                raise DictationError(
                    f"a dictation session holds at most {self.settings.max_session_s:.0f} s of audio",
                    code="session_too_long",
                )
            self._pending.append(samples)
            self.received += len(samples)

    @property
    def seconds_received(self) -> float:
        return self.received / RATE

    @property
    def speech_seconds(self) -> float:
        """Speech heard so far in the utterance in progress (0 while silent), up to the audio steps have seen:
        callers use it to notice someone starting to talk (barge-in) or talking too long."""
        return self._endpointer.speech_samples / RATE if self._endpointer.in_speech else 0.0

    def has_pending(self) -> bool:
        with self._lock:
            return bool(self._pending)

    # -- processing -------------------------------------------------------
    def step(self) -> list[Event]:
        """Take the audio received since the last step: finals for utterances that ended, then a
        partial for the utterance in progress when enough new audio has come. Blocks on decodes."""
        with self._work:
            return self._step()

    def finish(self) -> list[Event]:
        """The client said stop: finish the utterance in progress and return the whole note."""
        with self._work:
            if self._webm is not None:
                self._webm.close()
            events = self._step(partial=False)
            ended = self._endpointer.close()
            if ended is not None:
                events += self._finalize(ended, self._end)
            self.closed = True
            events.append(self.done())
            return events

    def done(self) -> DoneEvent:
        note = join_note([f.text for f in self.finals])
        return DoneEvent(
            text=note, entities=detect_entities(note) if note and self.config.entities else [],
            finals=list(self.finals),
            duration=round(self.seconds_received, 3),
        )  # fmt: skip

    @property
    def _end(self) -> int:
        return self._base + len(self._audio)

    def _step(self, partial: bool = True) -> list[Event]:
        with self._lock:
            new, self._pending = self._pending, []
        if new:
            self._audio = np.concatenate([self._audio, *new])
        events: list[Event] = []
        windows = (self._end - self._vad_pos) // WINDOW
        if windows:
            start = self._vad_pos
            probs = self._vad(self._slice(start, start + windows * WINDOW))
            limit = int(self.settings.max_utterance_s * RATE)
            for i, prob in enumerate(probs):
                at = start + i * WINDOW
                ended = self._endpointer.push(float(prob), at)
                if ended is None and self._endpointer.in_speech and at - self._utterance_start() >= limit:
                    ended = self._endpointer.cut(at + WINDOW)
                if ended is None and self._sentence_ended(at + WINDOW):
                    ended = self._endpointer.close()
                if ended is not None:
                    events += self._finalize(ended, at + WINDOW)
            self._vad_pos = start + windows * WINDOW
        if not self._endpointer.in_speech:
            self._trim(max(self._floor, self._vad_pos - self._lead))
        elif partial and self._due():
            event = self._partial()
            if event is not None:
                events.append(event)
        return events

    def _sentence_ended(self, now: int) -> bool:
        """A pause of `sentence_end_silence_s` after speech whose full-window decode covers it all and
        ends in . ? or ! (Whisper's own judgement that the sentence is complete): no need to wait the
        whole `min_silence_s`, and the final reuses that decode."""
        pause = self.settings.sentence_end_silence_s
        points, hyp = self._endpointer, self._hypothesis
        if not pause or hyp is None or points.silence_since is None or not hyp[2]:
            return False
        last = hyp[2][-1]
        covers = hyp[0] == self._utterance_start() and hyp[1] >= points.speech_end
        # One word is rarely a sentence: a dramatic pause after "Ask" decodes as "Ask." on its own.
        sentence = len(hyp[2]) >= 2 and last[-1] in ".?!" and not last.endswith("..")
        return covers and sentence and now - points.speech_end >= pause * RATE

    def _utterance_start(self) -> int:
        speech = self._endpointer.speech_start
        return max(self._floor, (speech if speech is not None else self._vad_pos) - self._lead)

    def _may_have_stopped(self) -> bool:
        """Silence began after speech the last full-window decode does not cover: decode it now, so
        that when the silence is long enough the final reuses it instead of waiting for a decode."""
        covered = self._hypothesis[1] if self._hypothesis else self._utterance_start()
        return self._endpointer.silence_since is not None and covered < self._endpointer.speech_end

    def _due(self) -> bool:
        if self._may_have_stopped():
            return True
        covered = max(self._covered, self._utterance_start())
        # On a busy machine partials back off to keep the decoder half free, so the decode that
        # becomes the final starts as soon as the speaker pauses instead of queueing behind them.
        interval = max(self.settings.partial_interval_s, 2 * self._partial_cost)
        return self._end - covered >= interval * RATE

    def _partial(self) -> PartialEvent | None:
        start, end = self._utterance_start(), self._end
        full = self._may_have_stopped() or not self.settings.short_context_pad_s
        began = time.perf_counter()
        try:
            with optional():  # the clinician pressing stop drops it from the queue (drop_optional): the final goes
                words = self._decode(start, end, self.settings.beam_size, short=not full)
        except CancelledError:
            return None
        if not full:
            self._partial_cost = 0.7 * self._partial_cost + 0.3 * (time.perf_counter() - began)
        self._covered = end
        if full:
            self._hypothesis = (start, end, words)
        self._agreement.update(words)
        text = self._agreement.text()
        if not text or text == self._last_partial:
            return None
        self._last_partial = text
        return PartialEvent(
            utterance=self._utterance, text=text, stable=self._agreement.stable_text(),
            start=round(start / RATE, 3), end=round(end / RATE, 3),
        )  # fmt: skip

    def _finalize(self, ended: Endpoint, available: int) -> list[Event]:
        start = max(self._floor, ended.speech_start - self._lead)
        end = min(available, ended.speech_end + self._pad)
        hyp = self._hypothesis
        reuse = (
            hyp is not None and hyp[0] == start and hyp[1] >= ended.speech_end
            and self.settings.final_beam_size == self.settings.beam_size
        )  # fmt: skip
        words = hyp[2] if reuse and hyp is not None else self._decode(start, end, self.settings.final_beam_size)
        # The final is this full-window decode as it is: the partials' confirmed words came from
        # short-window decodes and would carry their errors into the note ("As not" for "Ask not").
        raw = " ".join(words)
        if self.correct_terms:
            raw = correction.correct_text(raw)[0]
        self._agreement = LocalAgreement()
        self._hypothesis = None
        self._covered = 0
        self._last_partial = ""
        self._floor = end
        self._utterance += 1
        if not raw:
            return []
        text = format_utterance(raw) if self.config.format else raw
        final = FinalEvent(
            index=len(self.finals), text=text, raw=raw, start=round(ended.speech_start / RATE, 3),
            end=round(ended.speech_end / RATE, 3),
            entities=detect_entities(text) if text.strip() and self.config.entities else [],
        )  # fmt: skip
        self.finals.append(final)
        return [final]

    def _decode(self, start: int, end: int, beam_size: int, short: bool = False) -> list[str]:
        context = " ".join(f.raw for f in self.finals)[-200:]  # the note so far, as Whisper's prompt
        pad = self.settings.short_context_pad_s if short else None
        options = self.options.model_copy(
            update={"beam_size": beam_size, "prompt": context, "short_context_pad_s": pad or None}
        )
        text = self._transcribe(start, end, options)
        if not short and loops(text):
            # Full-window decodes become finals, and a final's text the next decodes' prompt: a loop (". . . ." or
            # "No. No. No." a hundred times, seen replaying consultations) would go into the note and, from the
            # prompt, into what follows. Decode once more as the engine's loop guard does (no prompt, the
            # temperature fallback, the guard on); still a loop: nothing reliable was heard.
            retry = options.model_copy(update={"prompt": "", "temperature": TEMPERATURE_FALLBACK, "loop_guard": True})
            text = self._transcribe(start, end, retry)
            text = "" if loops(text) else text
        return text.split()

    def _transcribe(self, start: int, end: int, options: asr.TranscribeOptions) -> str:
        began = time.perf_counter()
        try:
            result = asr.transcribe(
                self._slice(start, end), options, pool=self.pool, priority=Priority.INTERACTIVE,
                settings=self.asr_settings, allow_passthrough=False,
            )  # fmt: skip
        except asr.AsrError as exc:
            raise DictationError(exc.message, code=exc.code) from exc
        finally:
            self.decodes += 1
            self.decode_seconds += time.perf_counter() - began
        return result.text

    def _slice(self, start: int, end: int) -> np.ndarray:
        start = max(start, self._base)
        return self._audio[start - self._base : max(start, end) - self._base]

    def _trim(self, keep_from: int) -> None:
        if keep_from > self._base:
            self._audio = self._audio[keep_from - self._base :]
            self._base = keep_from

    def close(self) -> None:
        """Free what the session holds (audio, the webm decoder thread); it accepts nothing more."""
        self.closed = True
        if self._webm is not None:
            with contextlib.suppress(DictationError):
                self._webm.close(timeout=1.0)
        with self._lock:
            self._pending = []
        self._audio = np.zeros(0, np.float32)

    def warm_up(self) -> None:
        """Load the model and check the language now, so the first partial is not slowed by it."""
        try:
            if self.config.entities:
                detect_entities("aspirin")  # the medical lexicons load once per process, on first use
            if self.correct_terms:
                correction.correct_text("Kepra")  # its lists too (~1 s from make setup's file)
            silence = np.zeros(RATE // 2, np.float32)
            asr.transcribe(silence, self.options, pool=self.pool, priority=Priority.INTERACTIVE,
                           settings=self.asr_settings, allow_passthrough=False)  # fmt: skip
        except asr.AsrError as exc:
            raise DictationError(exc.message, code=exc.code) from exc
