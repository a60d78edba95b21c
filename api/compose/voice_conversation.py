"""A live voice conversation with a bot, transport-free: audio frames in, events (and each reply sentence's audio)
out through an async `send(event, data)`. The socket in api/routers/voicebots.py documents the protocol.

The user's turns are found by asr's live dictation session (Silero VAD; the utterance is decoded while it is spoken,
so when the user stops the transcript is usually ready), each turn goes to Rasa, and the reply is spoken sentence
by sentence in the bot's voice. Barge-in: when the user speaks for `barge_in_s` while the bot is talking (audio
still being made, or still playing by the client's clock), the rest of that reply is dropped and `barge_in` tells
the client to stop playing it. Everything runs at interactive priority on the shared pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.audio_pace import AudioPace
from api.compose.voicebots import VoiceBots, VoiceError
from api.socket_tasks import run_until_both_end
from asr.dictation import DictationConfig, DictationError, DictationSession, FinalEvent, PartialEvent
from bots import BotUnavailable
from bots.voice import spoken_text
from workers import PoolBusy, new_turn

RATE = 16000
MAX_FRAME_BYTES = 1 << 20
MAX_TEXT_CHARS = 1000
# Binary frames that are whole files, not raw PCM: refused with a clear message instead of heard as noise.
FILE_MAGIC = {
    b"RIFF": "a WAV file", b"ID3": "an MP3 file", b"OggS": "an Ogg file", b"fLaC": "a FLAC file",
    b"\x1aE\xdf\xa3": "a WebM file", b"\x89PNG": "a PNG image", b"%PDF": "a PDF", b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a ZIP file", b'{"type"': "a JSON message sent as binary",
}  # fmt: skip  # (all at least 3 bytes: real PCM starts with any byte)

Send = Callable[[BaseModel, bytes | None], Awaitable[None]]
Receive = Callable[[], Awaitable[bytes | str]]  # the next message: audio (bytes) or a JSON text message


class ConversationEnded(Exception):
    """The client said stop, and everything due was sent."""


class StartMessage(BaseModel):
    """The client's first message."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["start"] = "start"
    sample_rate: int = Field(default=16000, description="of the PCM16 frames; 16000 avoids resampling")
    encoding: Literal["pcm16", "webm"] = "pcm16"
    sender: str | None = Field(default=None, min_length=1, max_length=128, description="the conversation id")
    model: str | None = Field(default=None, description="ASR model; default the bot's")
    audio_format: str = Field(default="mp3", description="of the reply audio: mp3, opus, aac, flac, wav, pcm")
    greeting: bool = Field(default=True, description="speak the bot's greeting first")
    max_turn_s: float | None = Field(default=None, gt=0, description="lower the server's limit for this socket")
    silence_timeout_s: float | None = Field(default=None, gt=0, description="lower the server's limit")

    @field_validator("sender")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and not value.isprintable():
            raise ValueError("sender must be printable text")
        return value


class ReadyEvent(BaseModel):
    type: Literal["ready"] = "ready"
    sender: str
    model: str
    voice: str
    sample_rate: int
    audio_format: str


class UserPartialEvent(BaseModel):
    type: Literal["partial"] = "partial"
    turn: int
    text: str


class UserEvent(BaseModel):
    type: Literal["user"] = "user"
    turn: int
    text: str
    typed: bool = False


class BotEvent(BaseModel):
    type: Literal["bot"] = "bot"
    turn: int
    messages: list[dict[str, Any]]


class AudioEvent(BaseModel):
    type: Literal["audio"] = "audio"
    turn: int
    index: int
    text: str
    format: str
    media_type: str
    bytes: int
    duration: float
    cached: bool = Field(description="the sentence's audio came from the cache of spoken sentences")


class AudioEndEvent(BaseModel):
    type: Literal["audio_end"] = "audio_end"
    turn: int
    sentences: int
    interrupted: bool


class BargeInEvent(BaseModel):
    type: Literal["barge_in"] = "barge_in"
    turn: int


class DoneEvent(BaseModel):
    type: Literal["done"] = "done"
    turns: int


class ErrorEvent(BaseModel):
    type: Literal["error"] = "error"
    message: str
    code: str
    retry_after_s: int | None = None  # pool_busy: when to try again


class VoiceConversation:
    def __init__(self, voice: VoiceBots, bot: str, start: StartMessage, send: Send) -> None:
        settings = voice.settings
        self.voice, self.bot, self.start, self._send = voice, bot, start, send
        self.limits = settings.voice
        self.profile = voice.profile(bot)
        self.format = voice.check_format(start.audio_format)
        self.model = voice.asr_model(bot, start.model)
        self.sender = start.sender or f"voice-{uuid.uuid4().hex}"
        self.max_turn_s = min(start.max_turn_s or self.limits.max_turn_s, self.limits.max_turn_s)
        self.silence_timeout_s = min(start.silence_timeout_s or self.limits.silence_timeout_s,
                                     self.limits.silence_timeout_s)  # fmt: skip
        # The dictation session's endpointing, greedy decoding, raw text (no dictation formatting).
        dictation = settings.dictation.model_copy(update={"beam_size": self.limits.beam_size,
                                                          "final_beam_size": self.limits.beam_size,
                                                          "max_utterance_s": 28.0})  # fmt: skip
        config = DictationConfig(sample_rate=start.sample_rate, encoding=start.encoding, language=self.profile.language,
                                 model=self.model, vocabulary=self.profile.vocabulary, format=False,
                                 entities=False)  # fmt: skip
        try:
            self.session = DictationSession(config, settings=dictation, asr_settings=settings.asr, pool=voice.pool)
        except DictationError as exc:
            raise VoiceError(exc.message, exc.code) from exc
        self.turn = 0
        self.wake = asyncio.Event()
        self.stopping = False
        self.replies: asyncio.Task | None = None  # the latest reply; each waits for the one before it
        self.speaking_turn: int | None = None  # the turn whose audio is being made
        self.speaking_until = 0.0  # monotonic time the client's playback of sent audio ends
        self.interrupted: set[int] = set()
        self.activity_at = 0  # audio clock (samples) of the last speech or bot talk
        self.pace = AudioPace(self.limits.max_speed, self.limits.burst_s)
        self.frames = 0
        self.controls: list[float] = []

    # -- sending ----------------------------------------------------------------------------------------------
    async def send(self, event: BaseModel, data: bytes | None = None) -> None:
        await self._send(event, data)

    # -- the conversation -------------------------------------------------------------------------------------
    async def run(self, receive: Receive) -> None:
        """Until the client stops (ConversationEnded) or something fails (VoiceError, or whatever `receive` raises
        when the client goes away)."""
        try:  # the conversation's first model call: where an overloaded pool refuses it (sheddable in the handler)
            await asyncio.to_thread(self.session.warm_up)
        except DictationError as exc:
            raise VoiceError(exc.message, exc.code) from exc
        except PoolBusy as exc:
            raise VoiceError(str(exc), "pool_busy", retry_after_s=exc.retry_after_s) from exc
        await self.send(ReadyEvent(sender=self.sender, model=self.model, voice=self.profile.voice,
                                   sample_rate=self.start.sample_rate, audio_format=self.format))  # fmt: skip
        if self.start.greeting and self.profile.greeting:
            self.replies = asyncio.create_task(self._speak(0, self.profile.greeting))
        await run_until_both_end(self._receive(receive), self._process())

    async def close(self) -> None:
        if self.replies is not None and not self.replies.done():
            self.replies.cancel()
            await asyncio.gather(self.replies, return_exceptions=True)
        self.session.close()

    async def _receive(self, receive: Receive) -> None:
        while True:
            message = await asyncio.wait_for(receive(), self.limits.idle_timeout_s)
            if isinstance(message, bytes):
                self.feed(message)
                continue
            control = self._control(message)
            kind = control["type"]
            if kind == "stop":
                self.stopping = True
                self.wake.set()
                return
            if kind == "ping":
                await self.send(_Pong())
            elif kind == "text":
                text = str(control.get("text") or "").strip()
                if not text or len(text) > MAX_TEXT_CHARS:
                    raise VoiceError(f"a text turn holds 1 to {MAX_TEXT_CHARS} characters", "invalid_text")
                self._barge_in()
                self.turn += 1
                await self.send(UserEvent(turn=self.turn, text=text, typed=True))
                self._reply(self.turn, text)
            else:
                raise VoiceError(f"unknown message type {kind!r}; expected audio, `text`, `stop` or `ping`",
                                 "invalid_message")  # fmt: skip

    def _control(self, text: str) -> dict[str, Any]:
        now = time.monotonic()
        self.controls = [t for t in self.controls if now - t < 1.0] + [now]
        if len(self.controls) > self.limits.max_text_messages_per_s:
            raise VoiceError(f"more than {self.limits.max_text_messages_per_s:g} messages a second", "flood")
        try:
            message = json.loads(text)
        except json.JSONDecodeError as exc:
            raise VoiceError(f"messages must be JSON objects: {exc.msg} at {exc.pos}", "invalid_json") from exc
        except RecursionError as exc:  # a hostile message nested thousands deep
            raise VoiceError("messages must be JSON objects, not nested thousands deep", "invalid_json") from exc
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise VoiceError('messages must be JSON objects with a string "type"', "invalid_message")
        return message

    def feed(self, frame: bytes) -> None:
        """One binary frame of the user's audio; VoiceError for what is not audio or comes too fast."""
        if len(frame) > MAX_FRAME_BYTES:
            raise VoiceError(f"audio frames are limited to {MAX_FRAME_BYTES} bytes", "frame_too_large")
        if self.frames == 0 and self.start.encoding == "pcm16":
            kind = next((what for magic, what in FILE_MAGIC.items() if frame.startswith(magic)), None)
            if kind is not None:
                raise VoiceError(f"the first frame is {kind}, not raw audio: send 16-bit little-endian mono PCM "
                                 'frames (or say "encoding": "webm" in start)', "invalid_audio")  # fmt: skip
        self.frames += 1
        try:
            self.session.feed(frame)
        except DictationError as exc:
            raise VoiceError(exc.message, exc.code) from exc
        refused = self.pace.too_fast(self.session.received / RATE)
        if refused:
            raise VoiceError(refused, "too_fast")
        self.wake.set()

    async def _process(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), 0.25)
            self.wake.clear()
            if self.stopping:
                await self._finish()
            if self.session.has_pending():
                new_turn()  # each chunk queues as a request of its own would, the conversation having been admitted
                try:
                    events = await asyncio.to_thread(self.session.step)
                except DictationError as exc:
                    raise VoiceError(exc.message, exc.code) from exc
                await self._handle(events)
            self._check_speech()

    async def _handle(self, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, PartialEvent):
                await self.send(UserPartialEvent(turn=self.turn + 1, text=event.text))
            elif isinstance(event, FinalEvent) and event.text.strip():
                self._barge_in()
                self.turn += 1
                await self.send(UserEvent(turn=self.turn, text=event.text.strip()))
                self._reply(self.turn, event.text.strip())

    def _check_speech(self) -> None:
        """Barge-in, a turn that runs too long, and a line that stays silent."""
        speech = self.session.speech_seconds
        if speech >= self.limits.barge_in_s:
            self._barge_in()
        if speech > self.max_turn_s:
            raise VoiceError(f"the turn has run {speech:.0f} s without a pause; a turn is at most "
                             f"{self.max_turn_s:.0f} s: pause between sentences", "turn_too_long")  # fmt: skip
        if speech > 0 or self._bot_talking():
            self.activity_at = self.session.received
        if (self.session.received - self.activity_at) / RATE > self.silence_timeout_s:
            raise VoiceError(f"no speech was heard for {self.silence_timeout_s:.0f} s", "no_speech")

    def _bot_talking(self) -> bool:
        return (self.replies is not None and not self.replies.done()) or time.monotonic() < self.speaking_until

    def _barge_in(self) -> None:
        """The user talks over the bot: drop the rest of its reply and tell the client to stop playing it."""
        turn = self.speaking_turn
        if turn is None or turn in self.interrupted or not self._bot_talking():
            return
        self.interrupted.add(turn)
        self.speaking_until = 0.0
        asyncio.get_running_loop().create_task(self.send(BargeInEvent(turn=turn)))

    def _reply(self, turn: int, text: str) -> None:
        self.replies = asyncio.create_task(self._answer(turn, text, self.replies))

    async def _answer(self, turn: int, text: str, before: asyncio.Task | None) -> None:
        if before is not None:
            await asyncio.gather(before, return_exceptions=True)  # replies go out in the order of the turns
        try:
            messages = await self.voice.ask(self.bot, self.sender, text)
        except BotUnavailable as exc:
            await self.send(ErrorEvent(message=f"the assistant is unavailable ({exc}); say that again shortly",
                                       code="bot_unavailable"))  # fmt: skip
            return
        await self.send(BotEvent(turn=turn, messages=messages))
        spoken = spoken_text(messages, self.profile.speak_buttons)
        if spoken:
            await self._speak(turn, spoken)

    async def _speak(self, turn: int, text: str) -> None:
        self.speaking_turn = turn
        sentences = await asyncio.to_thread(self.voice.sentences, self.bot, text)
        sent = 0
        for index, sentence in enumerate(sentences):
            if turn in self.interrupted:
                break
            new_turn()
            speech = await asyncio.to_thread(self.voice.speak, self.bot, sentence, self.format)
            if turn in self.interrupted:
                break
            self.speaking_until = max(self.speaking_until, time.monotonic()) + speech.duration
            event = AudioEvent(
                turn=turn, index=index, text=sentence, format=speech.format, media_type=speech.media_type,
                bytes=len(speech.data), duration=round(speech.duration, 3), cached=speech.cached,
            )  # fmt: skip
            await self.send(event, speech.data)
            sent += 1
        await self.send(AudioEndEvent(turn=turn, sentences=sent, interrupted=turn in self.interrupted))

    async def _finish(self) -> None:
        """`stop`: the turn in progress ends now and is answered; then `done`."""
        try:
            events = await asyncio.to_thread(self.session.finish)
        except DictationError as exc:
            raise VoiceError(exc.message, exc.code) from exc
        await self._handle(events)
        if self.replies is not None:
            await asyncio.gather(self.replies, return_exceptions=True)
        await self.send(DoneEvent(turns=self.turn))
        raise ConversationEnded


class _Pong(BaseModel):
    type: Literal["pong"] = "pong"
