"""nlp.translate(...): pick the engine and route (direct, or through one pivot language, English first),
detect the source when asked, apply a glossary, translate in one batch."""

from __future__ import annotations

from collections.abc import Sequence

from nlp.langid import detect
from nlp.translate import glossary as glossaries
from nlp.translate.base import TranslationEngine, engine_factory
from nlp.translate.errors import TranslationError, UnsupportedPair
from nlp.translate.models import Glossary, TextFormat, TranslationResult
from workers import ModelPool, Priority, default_pool

MAX_TEXTS = 1000
MAX_CHARS = 200_000
PIVOTS = ("en", "es")


def _engine(name: str, model: str | None, model_dir: str | None) -> TranslationEngine:
    factory = engine_factory(name)
    return factory(model=model, cache_dir=model_dir) if name == "ctranslate2" else factory()


def route(engine: TranslationEngine, source: str, target: str) -> list[str]:
    """Languages from source to target: direct, else through English, else through another pivot."""
    pairs = engine.pairs()
    if (source, target) in pairs:
        return [source, target]
    for pivot in (*PIVOTS, *sorted({t for _, t in pairs})):
        if (source, pivot) in pairs and (pivot, target) in pairs:
            return [source, pivot, target]
    raise UnsupportedPair(source, target, sorted(f"{s}-{t}" for s, t in pairs))


def languages(engine: str = "apertium") -> dict[str, list[str]]:
    """Each source language and every target it reaches (directly or through one pivot)."""
    eng = _engine(engine, None, None)
    codes = sorted({c for pair in eng.pairs() for c in pair})
    out: dict[str, list[str]] = {}
    for source in codes:
        targets = []
        for target in codes:
            if target == source:
                continue
            try:
                route(eng, source, target)
            except UnsupportedPair:
                continue
            targets.append(target)
        if targets:
            out[source] = targets
    return out


def _check(texts: Sequence[str]) -> None:
    if len(texts) > MAX_TEXTS:
        raise TranslationError(f"at most {MAX_TEXTS} texts per call; got {len(texts)}", param="q")
    if sum(len(t) for t in texts) > MAX_CHARS:
        raise TranslationError(f"at most {MAX_CHARS} characters per call", code="too_long", param="q")


def translate(
    texts: str | Sequence[str],
    target: str,
    source: str = "auto",
    *,
    engine: str = "apertium",
    model: str | None = None,
    model_dir: str | None = None,
    glossary: Glossary | None = None,
    fmt: TextFormat = "text",
    pool: ModelPool | None = None,
    priority: int = Priority.NORMAL,
) -> TranslationResult:
    """Translate one text or a list (ISO 639-1 codes; source='auto' detects it from the texts)."""
    items = [texts] if isinstance(texts, str) else list(texts)
    _check(items)
    pool = pool or default_pool()
    eng = _engine(engine, model, model_dir)
    detected = None
    if source == "auto":
        detections = detect(items, top=1, pool=pool, priority=priority)
        detected = [d[0] for d in detections if d] or None
        if not detected:
            raise TranslationError("could not detect the source language; give source", param="source")
        joined = detect(" ".join(items)[:5000], top=1, pool=pool, priority=priority)[0]
        source = joined[0].language if joined else detected[0].language
    if glossary is not None and (glossary.source not in (None, source) or glossary.target not in (None, target)):
        raise TranslationError(
            f"glossary {glossary.name!r} is for {glossary.source}->{glossary.target}, not {source}->{target}",
            code="glossary_mismatch",
            param="glossary",
        )
    if source == target:
        return TranslationResult(
            translations=items, source=source, target=target, engine=eng.name, route=[source], detected=detected
        )
    path = route(eng, source, target)
    protected, mappings = items, [{} for _ in items]
    if glossary is not None:
        pairs = [glossaries.protect(t, glossary) for t in items]
        protected, mappings = [p for p, _ in pairs], [m for _, m in pairs]
    out = protected
    for src, tgt in zip(path, path[1:], strict=False):
        out = eng.translate(out, src, tgt, fmt, pool, priority)
    out = [glossaries.restore(t, m) for t, m in zip(out, mappings, strict=True)]
    return TranslationResult(
        translations=out,
        source=source,
        target=target,
        engine=eng.name,
        route=path,
        pivot=path[1] if len(path) == 3 else None,
        detected=detected,
        glossary=glossary.name if glossary is not None else None,
    )
