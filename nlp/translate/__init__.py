"""Machine translation: Apertium by default, MarianMT/NLLB through CTranslate2; pivots, glossaries, HTML."""

from nlp.translate import apertium, ct2
from nlp.translate.errors import TranslationError, UnsupportedPair
from nlp.translate.glossary import parse as parse_glossary
from nlp.translate.models import Glossary, GlossaryEntry, TranslationResult
from nlp.translate.service import languages, route, translate

__all__ = [
    "Glossary",
    "GlossaryEntry",
    "TranslationError",
    "TranslationResult",
    "UnsupportedPair",
    "apertium",
    "ct2",
    "languages",
    "parse_glossary",
    "route",
    "translate",
]
