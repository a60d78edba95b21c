"""The AWS services voxgate answers: botocore service name -> (adapter module, the voxgate module it needs)."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.aws.context import AwsContext

Operation = Callable[[AwsContext, dict[str, Any]], Any]  # returns a result dict, or an awaitable of one


@dataclass(frozen=True)
class AwsService:
    name: str  # botocore's service name
    adapter: str  # module with OPERATIONS: dict[str, Operation]
    requires: tuple[str, ...]  # import names of the engines it runs on (checked without importing them)
    extra: str  # the pip extra that installs them

    def missing(self) -> list[str]:
        return [name for name in self.requires if importlib.util.find_spec(name) is None]


SERVICES: tuple[AwsService, ...] = (
    AwsService("polly", "api.aws.polly", ("piper", "av", "soundfile"), "tts"),
    AwsService("translate", "api.aws.translate", ("lingua",), "nlp"),
    AwsService("comprehend", "api.aws.comprehend", ("lingua", "presidio_analyzer", "spacy", "torch"), "calls"),
    # asr.medical, which the adapter runs on, imports the asr package (faster_whisper, av) as well as icd10
    AwsService("comprehendmedical", "api.aws.comprehendmedical", ("icd10", "faster_whisper", "av"), "asr"),
    AwsService("transcribe", "api.aws.transcribe", ("faster_whisper", "av"), "asr"),
    AwsService("textract", "api.aws.textract", ("pytesseract", "pypdfium2", "PIL"), "ocr"),
    AwsService("lexv2-runtime", "api.aws.lex", ("httpx",), "bots"),
)
BY_NAME = {s.name: s for s in SERVICES}


def operations(service: str) -> dict[str, Operation]:
    return importlib.import_module(BY_NAME[service].adapter).OPERATIONS
