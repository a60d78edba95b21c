"""Amazon Lex V2 runtime onto the Rasa bots: RecognizeText (messages, sessionState with the intent, its slots and
the slot to elicit, interpretations with NLU confidence), reading the conversation's Rasa tracker for what the REST
channel does not say. botId -> bot by VOXGATE_AWS_LEX_BOTS, else by default_bot_id (CLINICBOT0 is the clinic bot);
any alias; en_* locales.

RecognizeUtterance (voice in, voice out) is `lex_voice.py`, on the voice bots' turn
(`api.compose.voicebots.recognize_utterance`: ASR -> Rasa -> TTS)."""

from __future__ import annotations

import re
from typing import Any

from api.aws.context import AwsContext
from api.aws.protocol import AwsError, service_model
from api.settings import Settings
from bots import BotUnavailable
from bots.projects import list_projects

MAX_TEXT_CHARS = 1024
# RecognizeUtterance's media types (lex_voice.py serves them; here, so the OpenAPI document can list them without
# importing the voice bots): the requestContentTypes documented (Lex's three raw PCM forms and a file type; any
# other audio/* file FFmpeg reads is taken too), and each responseContentType with the TTS format it is made from.
AUDIO_INPUTS = (
    "audio/l16; rate=16000; channels=1",
    "audio/x-l16; sample-rate=16000; channel-count=1",
    "audio/lpcm; sample-rate=8000; sample-size-bits=16; channel-count=1; is-big-endian=false",
    "audio/wav",
)
AUDIO_OUTPUTS = {"audio/mpeg": "mp3", "audio/ogg": "opus", "audio/pcm": "wav", "text/plain": "mp3"}
INTERNAL_SLOTS = {"requested_slot", "session_started_metadata"}
FALLBACK = {"nlu_fallback": "FallbackIntent"}


def bot_service(ctx: AwsContext, p: dict[str, Any]) -> tuple[Any, str]:
    # botocore checks only a minimum length; Lex refuses the rest of SessionId's bounds, and the id is echoed back
    # (and is the Rasa conversation's sender id): its max length and pattern from the model, as Lex checks them
    session = service_model("lexv2-runtime").shape_for("SessionId").metadata
    if len(p["sessionId"]) > session["max"] or not re.fullmatch(session["pattern"], p["sessionId"]):
        raise AwsError("ValidationException", f"sessionId: at most {session['max']} of {session['pattern']}")
    channels = getattr(ctx.state, "bots", None)
    if channels is None:
        raise AwsError("DependencyFailedException", "the bots module is not mounted on this gateway")
    ids = {default_bot_id(name): name for name in channels.names} | ctx.settings.aws.lex_bots
    bot = ids.get(p["botId"], p["botId"])
    if bot not in channels.names:
        raise AwsError("ResourceNotFoundException", f"bot {p['botId']!r} not found; bots: {', '.join(channels.names)}")
    if not p["localeId"].lower().startswith("en"):
        raise AwsError("ResourceNotFoundException", f"locale {p['localeId']!r} not found; the bots speak en_US")
    return channels.service, bot


def example_ids(settings: Settings) -> dict[str, list[str]]:
    """Path values that reach a bot, as the OpenAPI document's examples (so a fuzz run's explicit cases get past
    ResourceNotFoundException to the bot): its bots' ids, Lex's test alias, an English locale."""
    bots = [default_bot_id(project.name) for project in list_projects()] + list(settings.aws.lex_bots)
    return {"botId": bots, "botAliasId": ["TSTALIASID"], "localeId": ["en_US"]}


def default_bot_id(name: str) -> str:
    """Lex bot ids are 10 letters or digits: CLINICBOT0 for clinic, CONTACTCEN for contact-centre."""
    return (re.sub(r"[^0-9A-Za-z]", "", name).upper() + "BOT0000000")[:10]


def _value(value: Any) -> dict[str, Any]:
    text = value if isinstance(value, str) else str(value)
    return {"value": {"originalValue": text, "interpretedValue": text, "resolvedValues": [text]}}


def _intent_name(name: str | None) -> str:
    return FALLBACK.get(name or "", name or "FallbackIntent")


def session_state(tracker: dict[str, Any]) -> dict[str, Any]:
    """Lex's sessionState from a Rasa tracker: the intent a form serves while it runs (and when it just finished),
    else the latest message's intent."""
    last_intent = loop_intent = finished_intent = None
    for event in tracker.get("events") or []:
        if event.get("event") == "user":
            last_intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            finished_intent = None
        elif event.get("event") == "active_loop":
            if event.get("name"):
                loop_intent = loop_intent or last_intent
            else:
                finished_intent, loop_intent = loop_intent, None
    raw_slots = tracker.get("slots") or {}
    slots = {k: _value(v) for k, v in raw_slots.items() if v not in (None, "", []) and k not in INTERNAL_SLOTS}
    active = (tracker.get("active_loop") or {}).get("name")
    if active:
        intent = {"name": _intent_name(loop_intent or last_intent), "slots": slots, "state": "InProgress"}
        requested = raw_slots.get("requested_slot")
        action = {"type": "ElicitSlot", "slotToElicit": requested} if requested else {"type": "Delegate"}
    elif finished_intent:
        intent = {"name": _intent_name(finished_intent), "slots": slots, "state": "Fulfilled"}
        action = {"type": "Close"}
    else:
        name = _intent_name(last_intent)
        intent = {"name": name, "slots": slots, "state": "Failed" if name == "FallbackIntent" else "Fulfilled"}
        action = {"type": "ElicitIntent" if name == "FallbackIntent" else "Close"}
    return {"dialogAction": action, "intent": intent}


def lex_messages(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for reply in replies:
        text = reply.get("text")
        if reply.get("buttons"):
            buttons = [
                {"text": b.get("title", ""), "value": b.get("payload", b.get("title", ""))} for b in reply["buttons"]
            ][:5]
            out.append(
                {
                    "contentType": "ImageResponseCard",
                    "content": text or "",
                    "imageResponseCard": {"title": (text or "Choose")[:250], "buttons": buttons},
                }
            )
        elif text:
            out.append({"contentType": "PlainText", "content": text})
    return out


def lex_answer(ctx: AwsContext, p: dict[str, Any], tracker: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """sessionState and interpretations from the conversation's tracker (RecognizeText and RecognizeUtterance)."""
    state = session_state(tracker)
    if incoming.get("sessionAttributes"):
        state["sessionAttributes"] = incoming["sessionAttributes"]
    state["originatingRequestId"] = ctx.request_id
    ranking = (tracker.get("latest_message") or {}).get("intent_ranking") or []
    interpretations = []
    for rank in ranking[:5]:
        name = _intent_name(rank.get("name"))
        intent = dict(state["intent"]) if name == state["intent"]["name"] else {"name": name}
        interpretations.append(
            {
                "nluConfidence": {"score": round(float(rank.get("confidence", 0.0)), 2)},
                "intent": intent,
                "interpretationSource": "Lex",
            }
        )
    return {"sessionState": state, "interpretations": interpretations}


async def recognize_text(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    service, bot = bot_service(ctx, p)
    text = p["text"]
    if not text.strip() or len(text) > MAX_TEXT_CHARS:
        raise AwsError("ValidationException", f"text must be 1 to {MAX_TEXT_CHARS} characters")
    session = p["sessionId"]
    try:
        replies = await service.ask(bot, session, text, None)
        tracker = await service.tracker(bot, session)
    except BotUnavailable as exc:
        raise AwsError("DependencyFailedException", f"bot {bot!r} cannot answer now: {exc}") from exc
    out: dict[str, Any] = {
        "messages": lex_messages(replies),
        **lex_answer(ctx, p, tracker, p.get("sessionState") or {}),
        "sessionId": session,
    }
    if p.get("requestAttributes"):
        out["requestAttributes"] = p["requestAttributes"]
    return out


async def recognize_utterance(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    try:  # the voice turn needs asr and tts (voxgate[voicebots]); RecognizeText does not
        from api.aws.lex_voice import recognize_utterance as voice_turn
    except ImportError as exc:
        raise AwsError("DependencyFailedException", f"voice turns need voxgate[voicebots]: {exc}") from exc
    return await voice_turn(ctx, p)


OPERATIONS = {"RecognizeText": recognize_text, "RecognizeUtterance": recognize_utterance}
