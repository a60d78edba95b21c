"""Voice turns with the assistants: speech in -> ASR -> Rasa -> TTS -> speech out, on the shared pool at interactive
priority. This is where asr, tts and bots meet; bots imports neither.

The public surface (the Lex-compatible RecognizeUtterance sits on `recognize_utterance`):

    voice = voice_bots(app.state)            # the gateway's VoiceBots: bots' service, settings tree, pool
    result = await recognize_utterance(voice, "clinic", "caller-42", wav_bytes, fmt="mp3", model=None)
    result.transcript, result.messages, result.audio, result.audio_format

`VoiceError` carries a stable `code` (no_speech, invalid_audio, audio_too_long, model_not_found, unknown_bot,
unsupported_format, ...) and the `param` at fault; `bots.BotUnavailable` passes through when Rasa cannot answer.
The streaming conversation behind `WS /v1/bots/{bot}/voice` is `api/compose/voice_conversation.py`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

import asr
import tts
from api.prewarm import wait_for_idle_pool
from api.settings import Settings
from bots import BotService
from bots.voice import VoiceProfile, load_profile, response_messages, spoken_text
from tts.encode import FORMATS
from workers import ModelPool, Priority

log = logging.getLogger(__name__)
SENTENCE_CACHE_SIZE = 512  # spoken sentences kept per process: a bot's prompts repeat from one call to the next


class VoiceError(Exception):
    """A voice turn the caller got wrong (or that had nothing in it): `code` is stable, `param` the input at fault."""

    def __init__(self, message: str, code: str, param: str | None = None, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.retry_after_s = retry_after_s


class UtteranceResult(BaseModel):
    """One voice turn: what the user said, what the bot answered, and that answer spoken."""

    bot: str
    sender: str = Field(description="the conversation (Rasa's sender id)")
    transcript: str = Field(description="what the user said, by ASR")
    messages: list[dict[str, Any]] = Field(description="Rasa's replies as its REST channel gives them")
    spoken: str = Field(description="the text read aloud: the replies' texts and their buttons' titles")
    audio: bytes | None = Field(description="the spoken reply encoded as audio_format; None when nothing is said")
    audio_format: str
    media_type: str
    duration: float = Field(description="seconds of reply audio")
    asr_model: str
    voice: str
    timings: dict[str, float] = Field(description="seconds spent: asr, bot, tts")


@dataclass(frozen=True)
class Speech:
    """Encoded speech of one piece of text."""

    text: str
    data: bytes
    format: str
    media_type: str
    duration: float
    cached: bool = False


class VoiceBots:
    """What a voice turn needs: the bots' service (Rasa), the settings tree (profiles, limits, model dirs) and the
    pool. One per gateway (`voice_bots(app.state)`); thread-safe."""

    def __init__(self, service: BotService, settings: Settings, pool: ModelPool) -> None:
        self.service = service
        self.settings = settings
        self.pool = pool
        self._profiles: dict[str, VoiceProfile] = {}
        self._cache: OrderedDict[tuple[str, str, str], Speech] = OrderedDict()
        self._lock = threading.Lock()
        self.prewarmed = False  # every bot's fixed replies are in the sentence cache

    @property
    def names(self) -> list[str]:
        return self.service.names

    def profile(self, bot: str) -> VoiceProfile:
        """The bot's voice profile; VoiceError unknown_bot for a bot that does not exist."""
        if bot not in self.service.names:
            raise VoiceError(f"unknown bot '{bot}'; GET /v1/bots lists them", "unknown_bot", "bot")
        if bot not in self._profiles:
            self._profiles[bot] = load_profile(bot, self.settings.voice.profiles.get(bot))
        return self._profiles[bot]

    @staticmethod
    def check_format(fmt: str) -> str:
        if fmt not in FORMATS:
            raise VoiceError(f"unsupported format {fmt!r}; use one of {', '.join(FORMATS)}", "unsupported_format",
                             "format")  # fmt: skip
        return fmt

    def asr_model(self, bot: str, model: str | None) -> str:
        """The ASR model a turn uses (the request's, else the bot's), checked before any audio is decoded."""
        profile = self.profile(bot)
        try:
            resolved = asr.resolve_model(model or profile.asr_model, self.settings.asr, allow_passthrough=False)
        except asr.AsrError as exc:
            raise VoiceError(exc.message, exc.code, "model") from exc
        if not resolved.multilingual and profile.language != "en":
            raise VoiceError(f"model {resolved.id!r} is English-only; bot '{bot}' speaks {profile.language!r}",
                             "unsupported_language", "model")  # fmt: skip
        return resolved.id

    # -- the three steps ------------------------------------------------------------------------------------------
    def transcribe(self, bot: str, audio: bytes | np.ndarray, model: str | None = None) -> str:
        """The user's words: `audio` is a file's bytes in any format, or 16 kHz float32 samples. Blocking."""
        profile = self.profile(bot)
        model_id = self.asr_model(bot, model)
        limit = self.settings.voice.max_utterance_s
        try:
            if isinstance(audio, np.ndarray):
                clip = asr.Audio.from_array(audio)
            else:
                info = asr.probe(audio)  # refuse ten minutes of audio before decoding it
                if info.duration is not None and info.duration > limit:
                    raise asr.AudioTooLongError(f"the audio lasts {info.duration:.0f} s; a voice turn is at most "
                                                f"{limit:.0f} s")  # fmt: skip
                clip = asr.decode(audio, max_seconds=limit)
            if clip.duration > limit:
                raise asr.AudioTooLongError(f"the audio lasts {clip.duration:.0f} s; a turn is at most {limit:.0f} s")
            options = asr.TranscribeOptions(
                model=model_id, language=profile.language, beam_size=self.settings.voice.beam_size, temperature=0.0,
                hotwords=", ".join(profile.vocabulary) or None, vad=True,
            )  # fmt: skip
            result = asr.transcribe(clip, options, pool=self.pool, priority=Priority.INTERACTIVE,
                                    settings=self.settings.asr, allow_passthrough=False)  # fmt: skip
        except asr.AsrError as exc:
            raise VoiceError(exc.message, exc.code, exc.param) from exc
        text = result.text.strip()
        if not text:
            raise VoiceError(f"no speech was heard in {clip.duration:.1f} s of audio", "no_speech", "file")
        return text

    async def ask(self, bot: str, sender: str, text: str) -> list[dict[str, Any]]:
        """Rasa's replies to the user's words (bots.BotUnavailable when it cannot answer). Whisper ends what it hears
        with a full stop that nobody typing to a chat would add ("Jane Smith."): it is dropped for the bot."""
        self.profile(bot)
        message = text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text
        return await self.service.ask(bot, sender, message or text, {"channel": "voice"})

    def sentences(self, bot: str, text: str) -> list[str]:
        """The text cut into sentences as TTS reads them (each is synthesised, and streamed, on its own)."""
        try:
            request = tts.prepare(text, self.profile(bot).voice, "pcm", model_dir=self.settings.model_dir,
                                  coqui_venv=self.settings.tts.coqui_venv)  # fmt: skip
        except tts.TtsError as exc:
            raise VoiceError(exc.message, exc.code, exc.param) from exc
        return [s.text.strip() for s in request.sentences if s.text.strip()]

    def speak(self, bot: str, text: str, fmt: str = "mp3", priority: int = Priority.INTERACTIVE) -> Speech:
        """`text` in the bot's voice, encoded as `fmt`. Blocking; sentences already spoken come from a cache (and
        say so: `cached`)."""
        voice = self.profile(bot).voice
        key = (voice, fmt, text)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return replace(self._cache[key], cached=True)
        try:
            audio = tts.synthesize(
                text, voice, self.check_format(fmt), pool=self.pool, priority=priority,
                model_dir=self.settings.model_dir, coqui_venv=self.settings.tts.coqui_venv,
            )  # fmt: skip
        except tts.TtsError as exc:
            raise VoiceError(exc.message, exc.code, exc.param) from exc
        speech = Speech(text=text, data=audio.data, format=fmt, media_type=audio.media_type, duration=audio.duration)
        with self._lock:
            self._cache[key] = speech
            while len(self._cache) > SENTENCE_CACHE_SIZE:
                self._cache.popitem(last=False)
        return speech

    def prewarm(self, fmt: str = "mp3", stop: threading.Event | None = None) -> int:
        """Speak every bot's greeting and fixed replies (domain.yml) into the cache, at batch priority and each when
        the model pool is idle, so that a conversation's prompts start playing at once. Blocking (run it on a
        thread); `stop` set ends it before the next sentence. Returns the sentences made."""
        made = 0
        for bot in self.names:
            profile = self.profile(bot)
            texts = [profile.greeting or ""] + [spoken_text([m], profile.speak_buttons) for m in response_messages(bot)]
            for text in filter(None, texts):
                try:
                    for sentence in self.sentences(bot, text):
                        # Requests first: each prompt waits for the pool to be idle.
                        if not wait_for_idle_pool(self.pool, stop=stop):
                            return made
                        made += not self.speak(bot, sentence, fmt, priority=Priority.BATCH).cached
                except VoiceError as exc:
                    log.warning("voice prewarm of %s skipped %r: %s", bot, text[:40], exc.message)
        self.prewarmed = True
        return made


def voice_bots(state: Any) -> VoiceBots:
    """The gateway's VoiceBots, made on first use from its state (settings, pool, and the bots' service that the
    bots module started). VoiceError bots_not_started when the bots module is not mounted."""
    voice = getattr(state, "voice_bots", None)
    if voice is None:
        channels = getattr(state, "bots", None)
        if channels is None:
            raise VoiceError("the bots module is not started", "bots_not_started")
        voice = VoiceBots(channels.service, state.settings, state.pool)
        state.voice_bots = voice
    return voice


async def recognize_utterance(
    voice: VoiceBots,
    bot: str,
    sender: str,
    audio: bytes | np.ndarray,
    *,
    fmt: str = "mp3",
    model: str | None = None,
) -> UtteranceResult:
    """One audio turn of the conversation `sender` with `bot`: the user's speech (a file's bytes in any format
    FFmpeg reads, or 16 kHz float32 samples) is transcribed (`model`, else the bot's ASR model), sent to the bot,
    and its replies are spoken in the bot's voice as one `fmt` file (mp3, opus, aac, flac, wav, pcm).

    Raises VoiceError (no_speech, invalid_audio, audio_too_long, model_not_found, unknown_bot, unsupported_format)
    and bots.BotUnavailable. Everything runs at interactive priority."""
    profile = voice.profile(bot)
    voice.check_format(fmt)
    model_id = voice.asr_model(bot, model)
    began = time.perf_counter()
    transcript = await asyncio.to_thread(voice.transcribe, bot, audio, model_id)
    heard = time.perf_counter()
    messages = await voice.ask(bot, sender, transcript)
    answered = time.perf_counter()
    spoken = spoken_text(messages, profile.speak_buttons)
    speech = await asyncio.to_thread(voice.speak, bot, spoken, fmt) if spoken else None
    done = time.perf_counter()
    return UtteranceResult(
        bot=bot, sender=sender, transcript=transcript, messages=messages, spoken=spoken,
        audio=speech.data if speech else None, audio_format=fmt,
        media_type=speech.media_type if speech else FORMATS[fmt].media_type,
        duration=round(speech.duration, 3) if speech else 0.0, asr_model=model_id, voice=profile.voice,
        timings={"asr": round(heard - began, 3), "bot": round(answered - heard, 3), "tts": round(done - answered, 3)},
    )  # fmt: skip
