"""The message shapes of Rasa's REST and socket.io channels, so existing Rasa clients and widgets work unchanged.

The gateway talks to each Rasa server through its REST channel and re-emits the replies on socket.io in the shape
Rasa's own socket.io channel uses (rasa/core/channels/socketio.py: SocketIOOutput).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_MESSAGE_CHARS = 5000


class Button(BaseModel):
    model_config = ConfigDict(extra="allow")
    title: str
    payload: str


class BotMessage(BaseModel):
    """One reply from Rasa's REST channel (extra keys such as 'attachment' pass through)."""

    model_config = ConfigDict(extra="allow")
    recipient_id: str | None = None
    text: str | None = None
    buttons: list[Button] | None = None
    image: str | None = None
    custom: Any = None


class UserMessage(BaseModel):
    """Rasa's REST channel request body."""

    sender: str = Field(default="default", min_length=1, max_length=128)
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    metadata: dict[str, Any] | None = None


def to_rest(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate Rasa's replies and return them in the REST channel's shape (unset keys left out, as Rasa does)."""
    return [BotMessage.model_validate(m).model_dump(exclude_none=True) for m in messages]


def to_socketio(message: dict[str, Any]) -> list[dict[str, Any]]:
    """One REST reply as the 'bot_uttered' payloads Rasa's socket.io channel would emit for it."""
    reply = BotMessage.model_validate(message)
    out: list[dict[str, Any]] = []
    if reply.text is not None:
        parts = [p for p in reply.text.strip().split("\n\n") if p] or [reply.text]
        if reply.buttons:
            *before, last = parts
            out += [{"text": p} for p in before]
            quick = [{"content_type": "text", "title": b.title, "payload": b.payload} for b in reply.buttons]
            out.append({"text": last, "quick_replies": quick})
        else:
            out += [{"text": p} for p in parts]
    if reply.image is not None:
        out.append({"attachment": {"type": "image", "payload": {"src": reply.image}}})
    if reply.custom is not None:
        out.append(reply.custom if isinstance(reply.custom, dict) else {"custom": reply.custom})
    extra = reply.model_extra or {}
    if "attachment" in extra:
        out.append({"attachment": extra["attachment"]})
    return out
