"""Helpers for the voice tests: user turns spoken by our own TTS (in a voice other than the bot's), and a small
client of WS /v1/bots/{bot}/voice that streams PCM16 and collects the server's events."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np

import asr
import tts

USER_VOICE = "flite-slt"  # the bots speak with en_US-joe-medium (bots/projects/*/voice.json)
RATE = 16000


@cache
def spoken(text: str, voice: str = USER_VOICE) -> bytes:
    """`text` as a WAV file in the user's voice."""
    return tts.synthesize(text, voice, "wav").data


def pcm16(wav: bytes) -> bytes:
    samples = asr.decode(wav).samples
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def silence(seconds: float) -> bytes:
    return bytes(2 * int(seconds * RATE))


def next_weekday(start: date) -> date:
    day = start + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass
class VoiceClient:
    """A voice conversation: `stream` sends audio at `speed` x real time while a reader thread collects events
    (and the binary frame after each `audio` event, as `event["data"]`)."""

    ws: Any
    events: list[dict[str, Any]] = field(default_factory=list)
    closed: Any = None  # the websockets ConnectionClosed the reader ended with
    cond: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        pending: dict[str, Any] | None = None
        while True:
            try:
                message = self.ws.recv()
            except ConnectionClosed as exc:
                with self.cond:
                    self.closed = exc
                    self.cond.notify_all()
                return
            with self.cond:
                if isinstance(message, bytes):
                    assert pending is not None, "a binary frame without its audio event"
                    pending["data"] = message
                    pending["data_at"] = time.monotonic()
                    pending = None
                else:
                    event = json.loads(message)
                    event["at"] = time.monotonic()
                    self.events.append(event)
                    if event["type"] == "audio":
                        pending = event
                self.cond.notify_all()

    def send_json(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def stream(self, audio: bytes, speed: float = 2.0, chunk_s: float = 0.04) -> float:
        """Send PCM16 at `speed` x real time; returns the monotonic time the last byte went (or the socket closed:
        see `closed`)."""
        from websockets.exceptions import ConnectionClosed

        step = int(chunk_s * RATE) * 2
        for offset in range(0, len(audio), step):
            try:
                self.ws.send(audio[offset : offset + step])
            except ConnectionClosed:
                break
            time.sleep(chunk_s / speed)
        return time.monotonic()

    def wait(self, match: Callable[[dict[str, Any]], bool], timeout: float = 60.0) -> dict[str, Any]:
        """The first event (old or new) that `match`es; an error event or a close fails the wait."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for event in self.events:
                    if match(event):
                        if event["type"] == "audio" and "data" not in event:
                            break  # its frame is on the way
                        return event
                errors = [e for e in self.events if e["type"] == "error"]
                if errors:
                    raise AssertionError(f"error event: {errors[0]}")
                if self.closed is not None:
                    raise AssertionError(f"closed: {self.closed}; events: {self.events}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"timed out; events: {[{k: v for k, v in e.items() if k != 'data'} for e in self.events]}"
                    )
                self.cond.wait(left)

    def wait_closed(self, timeout: float = 30.0) -> Any:
        with self.cond:
            self.cond.wait_for(lambda: self.closed is not None, timeout)
        assert self.closed is not None, "the server did not close the socket"
        return self.closed

    def of(self, kind: str, turn: int | None = None) -> list[dict[str, Any]]:
        with self.cond:
            return [e for e in self.events if e["type"] == kind and (turn is None or e.get("turn") == turn)]
