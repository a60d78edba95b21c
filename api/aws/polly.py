"""Amazon Polly onto the tts module: SynthesizeSpeech, DescribeVoices, lexicons, speech synthesis tasks (jobs).

Voices: our own ids (en_US-joe-medium, flite-slt, ...) are answered as given; a Polly voice name (Joanna, Matthew,
Brian, ...) is mapped onto our voice of the same language and gender for the requested Engine (neural -> piper,
standard -> flite/festival/espeak-ng), the nearest we have when none matches the gender.
"""

from __future__ import annotations

import re
from base64 import urlsafe_b64decode, urlsafe_b64encode
from typing import Any

import tts
from api.aws.context import AwsContext
from api.aws.protocol import AwsError
from api.jobs import JobNotFound, JobStatus
from api.stores.aws_tasks import AwsTaskStore
from api.stores.lexicons import LexiconStore
from workers import Priority

KIND = "polly"
JOB_KIND = "tts.speech"  # the tts module's long-form speech job
VOICE_PAGE = 10
CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "ogg_vorbis": "audio/ogg",
    "pcm": "audio/pcm",
    "json": "application/x-json-stream",
}
MEDIA_TYPES = tuple(dict.fromkeys(CONTENT_TYPES.values()))  # what SynthesizeSpeech answers, for the OpenAPI
LANGUAGE_NAMES = {
    "en-US": "US English",
    "en-GB": "British English",
    "es-ES": "Castilian Spanish",
    "fr-FR": "French",
    "de-DE": "German",
}
# Polly's voice names -> (language, gender); Id lists: https://docs.aws.amazon.com/polly/latest/dg/available-voices
POLLY_VOICES = {
    **{n: ("en-US", "female") for n in ("Joanna", "Kendra", "Kimberly", "Salli", "Ivy", "Ruth", "Danielle")},
    **{n: ("en-US", "male") for n in ("Matthew", "Joey", "Justin", "Kevin", "Stephen", "Gregory", "Patrick")},
    **{n: ("en-GB", "female") for n in ("Amy", "Emma")},
    **{n: ("en-GB", "male") for n in ("Brian", "Arthur")},
    **{n: ("es-ES", "female") for n in ("Conchita", "Lucia")},
    **{n: ("es-ES", "male") for n in ("Enrique", "Sergio")},
    **{n: ("fr-FR", "female") for n in ("Celine", "Lea")},
    **{n: ("fr-FR", "male") for n in ("Mathieu", "Remi")},
    **{n: ("de-DE", "female") for n in ("Marlene", "Vicki")},
    **{n: ("de-DE", "male") for n in ("Hans", "Daniel")},
}
ERRORS = {
    "empty_text": "ValidationException",
    "text_too_long": "TextLengthExceededException",
    "voice_not_found": "ValidationException",
    "engine_not_found": "EngineNotSupportedException",
    "unsupported_format": "ValidationException",
    "unsupported_sample_rate": "InvalidSampleRateException",
    "invalid_ssml": "InvalidSsmlException",
    "invalid_lexicon": "InvalidLexiconException",
    "lexicon_not_found": "LexiconNotFoundException",
    "engine_failed": "ServiceFailureException",
}
TASK_STATUS = {
    JobStatus.QUEUED: "scheduled",
    JobStatus.RUNNING: "inProgress",
    JobStatus.SUCCEEDED: "completed",
    JobStatus.FAILED: "failed",
    JobStatus.CANCELLED: "failed",
}
LEXICON_NAME = re.compile(r"^[0-9A-Za-z]{1,20}$")


def _error(exc: tts.TtsError) -> AwsError:
    return AwsError(ERRORS.get(exc.code, "ValidationException"), exc.message)


def _catalog(ctx: AwsContext) -> Any:
    return tts.catalog(ctx.settings.model_dir, ctx.settings.tts.coqui_venv)


def _engine(engine: str | None) -> str | None:
    if engine in (None, "standard", "neural"):
        return engine
    raise AwsError("EngineNotSupportedException", f"engine {engine!r} is not offered; use standard or neural")


def voice_for(ctx: AwsContext, voice_id: str, engine: str | None) -> str:
    """Our voice id for a Polly VoiceId (or our own id) and Engine."""
    voices = _catalog(ctx).list(None, None)
    ours = {v.id for v in voices} | {a for v in voices for a in v.aliases}
    if voice_id in ours:
        return voice_id
    if voice_id not in POLLY_VOICES:
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{voice_id}' at 'voiceId' failed "
            "to satisfy constraint: a Polly voice name or a voxgate voice id (describe_voices lists them)",
        )
    language, gender = POLLY_VOICES[voice_id]
    candidates = [v for v in voices if v.language == language and (engine is None or v.engine == engine)]
    if not candidates:
        raise AwsError(
            "EngineNotSupportedException",
            f"no {engine or ''} voice speaks {language} here (Polly voice {voice_id})".replace("  ", " "),
        )
    same = [v for v in candidates if v.gender == gender]
    neural_first = sorted(same or candidates, key=lambda v: v.engine != "neural")
    return neural_first[0].id


def _characters(text: str, text_type: str) -> int:
    return len(re.sub(r"<[^>]+>", "", text)) if text_type == "ssml" else len(text)


def _checked(ctx: AwsContext, p: dict[str, Any], max_chars: int) -> tuple[dict[str, Any], dict[str, str]]:
    """tts.prepare's keyword arguments for a Polly request, after Polly's own checks."""
    fmt, marks = p["OutputFormat"], p.get("SpeechMarkTypes") or []
    text_type = p.get("TextType", "text")
    if fmt not in CONTENT_TYPES:
        raise AwsError("ValidationException", f"OutputFormat {fmt!r} is not offered; use {', '.join(CONTENT_TYPES)}")
    if marks and fmt != "json":
        raise AwsError("MarksNotSupportedForFormatException", "SpeechMarkTypes need OutputFormat json")
    if fmt == "json" and not marks:
        raise AwsError("ValidationException", "OutputFormat json returns speech marks: give SpeechMarkTypes")
    if "ssml" in marks and text_type != "ssml":
        raise AwsError("SsmlMarksNotSupportedForTextTypeException", "ssml speech marks need TextType ssml")
    unknown = [m for m in marks if m not in ("sentence", "word", "ssml")]
    if unknown:
        raise AwsError("ValidationException", f"SpeechMarkTypes {unknown} are not offered (sentence, word, ssml)")
    names = p.get("LexiconNames") or []
    if len(names) > 5:
        raise AwsError("MaxLexiconsNumberExceededException", "at most 5 lexicons per request")
    store = LexiconStore(ctx.engine)
    documents = {}
    for name in names:
        row = store.get(name)
        if row is None:
            raise AwsError("LexiconNotFoundException", f"lexicon {name!r} does not exist")
        documents[name] = row.content
    rate = p.get("SampleRate")
    if rate is not None and not str(rate).isdigit():
        raise AwsError("InvalidSampleRateException", f"SampleRate {rate!r} is not a number of hertz")
    sample_rate = int(rate) if rate else (16000 if fmt in ("pcm", "json") else None)
    engine = _engine(p.get("Engine"))
    try:
        return dict(
            text=p["Text"],
            voice=voice_for(ctx, p["VoiceId"], engine),
            fmt="pcm" if fmt == "json" else fmt,
            text_type=text_type,
            engine=engine,
            sample_rate=sample_rate,
            lexicons=[tts.parse_pls(n, c) for n, c in documents.items()],
            max_chars=max_chars,
            model_dir=ctx.settings.model_dir,
            coqui_venv=ctx.settings.tts.coqui_venv,
        ), documents
    except tts.TtsError as exc:
        raise _error(exc) from exc


def synthesize_speech(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    kwargs, _ = _checked(ctx, p, tts.MAX_TEXT_CHARS)
    try:
        request = tts.prepare(**kwargs)
        audio = tts.run_request(request, ctx.pool, Priority.INTERACTIVE, ctx.settings.model_dir)
    except tts.TtsError as exc:
        raise _error(exc) from exc
    fmt = p["OutputFormat"]
    if fmt == "json":
        kinds = p["SpeechMarkTypes"]
        lines = [m.model_dump_json() for m in audio.marks if m.type in kinds]
        data = ("\n".join(lines) + ("\n" if lines else "")).encode()
    else:
        data = audio.data
    return {
        "AudioStream": data,
        "ContentType": CONTENT_TYPES[fmt],
        "RequestCharacters": _characters(p["Text"], p.get("TextType", "text")),
    }


def _token(offset: int) -> str:
    return urlsafe_b64encode(str(offset).encode()).decode()


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(urlsafe_b64decode(token.encode()).decode())
    except ValueError as exc:
        raise AwsError("InvalidNextTokenException", "NextToken is not one this service gave") from exc


def describe_voices(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    engine = _engine(p.get("Engine"))
    voices = [v for v in _catalog(ctx).list(engine, None) if v.engine in ("neural", "standard")]
    if p.get("LanguageCode"):
        voices = [v for v in voices if v.language == p["LanguageCode"]]
    start = _offset(p.get("NextToken"))
    page = voices[start : start + VOICE_PAGE]
    out: dict[str, Any] = {
        "Voices": [
            {
                "Id": v.id,
                "Name": v.name,
                "Gender": "Female" if v.gender == "female" else "Male",
                "LanguageCode": v.language,
                "LanguageName": LANGUAGE_NAMES.get(v.language, v.language),
                "SupportedEngines": [v.engine],
            }
            for v in page
        ]
    }
    if start + VOICE_PAGE < len(voices):
        out["NextToken"] = _token(start + VOICE_PAGE)
    return out


# -- lexicons ------------------------------------------------------------------------------------------------------


def _attributes(ctx: AwsContext, row: Any) -> dict[str, Any]:
    return {
        "Alphabet": row.alphabet,
        "LanguageCode": row.language,
        "LastModified": row.modified,
        "LexiconArn": f"arn:aws:polly:{ctx.region}:{ctx.account}:lexicon/{row.name}",
        "LexemesCount": row.lexemes,
        "Size": row.size,
    }


def put_lexicon(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["Name"]
    if not LEXICON_NAME.match(name):
        raise AwsError("ValidationException", "lexicon names are 1-20 letters and digits")
    try:
        lexicon = tts.parse_pls(name, p["Content"].encode())
    except tts.TtsError as exc:
        raise AwsError("InvalidLexiconException", exc.message) from exc
    LexiconStore(ctx.engine).put(name, p["Content"], lexicon.language, lexicon.alphabet, len(lexicon.lexemes))
    return {}


def get_lexicon(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    row = LexiconStore(ctx.engine).get(p["Name"])
    if row is None:
        raise AwsError("LexiconNotFoundException", f"lexicon {p['Name']!r} does not exist")
    return {"Lexicon": {"Name": row.name, "Content": row.content}, "LexiconAttributes": _attributes(ctx, row)}


def list_lexicons(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    rows = LexiconStore(ctx.engine).list()
    return {"Lexicons": [{"Name": r.name, "Attributes": _attributes(ctx, r)} for r in rows]}


def delete_lexicon(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    if not LexiconStore(ctx.engine).delete(p["Name"]):
        raise AwsError("LexiconNotFoundException", f"lexicon {p['Name']!r} does not exist")
    return {}


# -- speech synthesis tasks (voxgate jobs) -------------------------------------------------------------------------


def start_speech_synthesis_task(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    if JOB_KIND not in ctx.jobs.kinds():
        raise AwsError("UnknownOperationException", "speech synthesis tasks need the tts module mounted")
    kwargs, documents = _checked(ctx, p, tts.MAX_JOB_CHARS)
    try:
        request = tts.prepare(**kwargs)
    except tts.TtsError as exc:
        raise _error(exc) from exc
    params = {
        "text": p["Text"],
        "text_type": kwargs["text_type"],
        "voice": request.voice.id,
        "engine": kwargs["engine"],
        "output_format": p["OutputFormat"],
        "sample_rate": kwargs["sample_rate"],
        "speech_mark_types": p.get("SpeechMarkTypes") or [],
        "lexicons": list(documents),
        "speed": 1.0,
        "lexicon_documents": documents,
    }
    job = ctx.jobs.accept(JOB_KIND, params)
    echo = {k: v for k, v in p.items() if k != "Text"}
    echo["RequestCharacters"] = _characters(p["Text"], kwargs["text_type"])
    echo["SampleRate"] = str(request.sample_rate)
    AwsTaskStore(ctx.engine).add(KIND, job.id, job.id, echo)
    return {"SynthesisTask": _task(ctx, job.id, echo)}


def _task(ctx: AwsContext, task_id: str, echo: dict[str, Any]) -> dict[str, Any]:
    try:
        job = ctx.jobs.get(task_id)
    except JobNotFound as exc:
        raise AwsError("SynthesisTaskNotFoundException", f"no synthesis task {task_id!r}") from exc
    task = {
        k: echo.get(k)
        for k in (
            "Engine",
            "LexiconNames",
            "OutputFormat",
            "SampleRate",
            "SpeechMarkTypes",
            "TextType",
            "VoiceId",
            "LanguageCode",
            "SnsTopicArn",
            "RequestCharacters",
        )
    }
    task.update(TaskId=task_id, TaskStatus=TASK_STATUS[job.status], CreationTime=job.created_at)
    if job.status == JobStatus.SUCCEEDED:
        files = job.result.get("files", {})
        task["OutputUri"] = ctx.url(files.get("audio") or files.get("marks"))
    elif job.error:
        task["TaskStatusReason"] = job.error.get("message")
    return task


def get_speech_synthesis_task(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    row = AwsTaskStore(ctx.engine).get(KIND, p["TaskId"])
    if row is None:
        raise AwsError("SynthesisTaskNotFoundException", f"no synthesis task {p['TaskId']!r}")
    return {"SynthesisTask": _task(ctx, row.job_id, row.request)}


def list_speech_synthesis_tasks(ctx: AwsContext, p: dict[str, Any]) -> dict[str, Any]:
    tasks = [_task(ctx, r.job_id, r.request) for r in reversed(AwsTaskStore(ctx.engine).list(KIND))]
    if p.get("Status"):
        tasks = [t for t in tasks if t["TaskStatus"] == p["Status"]]
    size = p.get("MaxResults") or 100
    start = _offset(p.get("NextToken"))
    out: dict[str, Any] = {"SynthesisTasks": tasks[start : start + size]}
    if start + size < len(tasks):
        out["NextToken"] = _token(start + size)
    return out


OPERATIONS = {
    "SynthesizeSpeech": synthesize_speech,
    "DescribeVoices": describe_voices,
    "PutLexicon": put_lexicon,
    "GetLexicon": get_lexicon,
    "ListLexicons": list_lexicons,
    "DeleteLexicon": delete_lexicon,
    "StartSpeechSynthesisTask": start_speech_synthesis_task,
    "GetSpeechSynthesisTask": get_speech_synthesis_task,
    "ListSpeechSynthesisTasks": list_speech_synthesis_tasks,
}
