"""What the routes that translate share (/v1/translate, LibreTranslate's /translate, /v1/ocr/translate):
translation errors as API errors, and a glossary named in a request loaded from the store."""

from __future__ import annotations

from sqlalchemy import Engine

import nlp
from api.errors import ApiError
from api.stores.glossaries import GlossaryStore

LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "ca": "Catalan", "gl": "Galician", "pt": "Portuguese", "fr": "French",
    "eu": "Basque", "de": "German", "it": "Italian", "nl": "Dutch", "ro": "Romanian", "ru": "Russian",
    "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic", "pl": "Polish", "sv": "Swedish",
}  # fmt: skip


def translation_error(exc: nlp.TranslationError) -> ApiError:
    return ApiError(400, str(exc), code=exc.code, param=exc.param)


def load_glossary(name: str | None, engine: Engine) -> nlp.Glossary | None:
    if not name:
        return None
    glossary = GlossaryStore(engine).get(name)
    if glossary is None:
        raise ApiError(404, f"no glossary named {name!r}; upload it to POST /v1/glossaries", code="glossary_not_found",
                       param="glossary")  # fmt: skip
    return glossary
