"""Category rules in the manner of Contact Lens: phrase expressions, party, time window, sentiment.

A phrase expression is quoted phrases joined by AND, OR, NOT and parentheses, for example
``"refund" OR ("money back" AND NOT "gift card")``. Phrases match whole words, case-insensitively.
A rule matches a call when every condition it sets holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from calls.schema import CategoryMatch, PartyStats, Turn

_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*")|(?P<op>\(|\)|\bAND\b|\bOR\b|\bNOT\b)|(?P<bad>\S+))')

Matcher = Callable[[str], bool]


class RuleSyntaxError(ValueError):
    pass


def _tokens(expr: str) -> list[str]:
    out = []
    pos = 0
    expr = expr.rstrip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if m is None or m.end() == pos:
            break
        if m.group("bad"):
            raise RuleSyntaxError(f"unexpected {m.group('bad')!r} at character {m.start('bad')}; quote phrases")
        out.append(m.group("phrase") or m.group("op"))
        pos = m.end()
    return out


def compile_expression(expr: str) -> Matcher:
    """Parse a phrase expression into a predicate over lower-cased text; RuleSyntaxError names the problem."""
    toks = _tokens(expr)
    if not toks:
        raise RuleSyntaxError("the phrase expression is empty")
    pos = 0

    def peek() -> str | None:
        return toks[pos] if pos < len(toks) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def factor() -> Matcher:
        tok = peek()
        if tok is None:
            raise RuleSyntaxError("the expression ends where a phrase was expected")
        if tok == "NOT":
            take()
            inner = factor()
            return lambda t: not inner(t)
        if tok == "(":
            take()
            inner = expr_()
            if peek() != ")":
                raise RuleSyntaxError("missing ')'")
            take()
            return inner
        if tok.startswith('"'):
            take()
            phrase = tok[1:-1].strip().lower()
            if not phrase:
                raise RuleSyntaxError('empty phrase ""')
            rx = re.compile(r"\b" + r"\s+".join(map(re.escape, phrase.split())) + r"\b")
            return lambda t: rx.search(t) is not None
        raise RuleSyntaxError(f"unexpected {tok!r}")

    def term() -> Matcher:
        parts = [factor()]
        while peek() == "AND" or (peek() is not None and peek() not in ("OR", ")")):
            if peek() == "AND":
                take()
            parts.append(factor())
        return lambda t: all(p(t) for p in parts)

    def expr_() -> Matcher:
        parts = [term()]
        while peek() == "OR":
            take()
            parts.append(term())
        return lambda t: any(p(t) for p in parts)

    result = expr_()
    if pos != len(toks):
        raise RuleSyntaxError(f"unexpected {toks[pos]!r} after a complete expression")
    return result


class SentimentCondition(BaseModel):
    party: Literal["agent", "customer"] = "customer"
    label: Literal["POSITIVE", "NEGATIVE", "NEUTRAL"] = "NEGATIVE"
    period: Literal["whole", "first_quarter", "last_quarter"] = "whole"


class CategoryRule(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    phrases: str | None = Field(default=None, description='e.g. "refund" OR "money back"')
    party: Literal["agent", "customer", "any"] = "any"
    first_seconds: float | None = Field(default=None, gt=0, description="phrases only in the first N seconds")
    last_seconds: float | None = Field(default=None, gt=0, description="phrases only in the last N seconds")
    sentiment: SentimentCondition | None = None
    min_non_talk_time: float | None = Field(default=None, ge=0)

    @field_validator("phrases")
    @classmethod
    def _valid_phrases(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                compile_expression(v)
            except RuleSyntaxError as exc:
                raise ValueError(f"phrase expression syntax error: {exc}") from exc
        return v


_SENT_CUT = 0.25  # party sentiment score beyond +-0.25 counts as POSITIVE / NEGATIVE


def _label(score: float | None) -> str | None:
    if score is None:
        return None
    return "POSITIVE" if score > _SENT_CUT else "NEGATIVE" if score < -_SENT_CUT else "NEUTRAL"


def apply_rules(
    rules: Sequence[CategoryRule],
    turns: Sequence[Turn],
    parties: dict[str, PartyStats],
    duration: float,
    non_talk_time: float,
) -> list[CategoryMatch]:
    matches = []
    for rule in rules:
        hit_turns: list[int] = []
        ok = True
        if rule.phrases is not None:
            match = compile_expression(rule.phrases)
            pool = [
                t
                for t in turns
                if (rule.party == "any" or t.speaker == rule.party)
                and (rule.first_seconds is None or t.start <= rule.first_seconds)
                and (rule.last_seconds is None or t.end >= duration - rule.last_seconds)
            ]
            # the expression is tested on the selected turns together, and turn by turn for evidence
            joined = " ".join(t.text.lower() for t in pool)
            ok = match(joined)
            hit_turns = [t.index for t in pool if match(t.text.lower())]
        if ok and rule.sentiment is not None:
            stats = parties.get(rule.sentiment.party)
            if stats is None:
                ok = False
            else:
                q = stats.sentiment_by_quarter
                score = {
                    "whole": stats.sentiment,
                    "first_quarter": q[0] if q else None,
                    "last_quarter": q[-1] if q else None,
                }[rule.sentiment.period]
                ok = _label(score) == rule.sentiment.label
        if ok and rule.min_non_talk_time is not None:
            ok = non_talk_time >= rule.min_non_talk_time
        if ok:
            matches.append(CategoryMatch(name=rule.name, turns=hit_turns))
    return matches
