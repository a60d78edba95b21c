"""Issues and outcomes as short extractive spans, by cue phrases (a documented heuristic, not a model).

Issue: a customer sentence stating a problem or a want ("I need to return ...", "my card was declined").
Outcome: an agent sentence stating what was done or will happen ("I've issued a refund", "you will receive").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from calls.schema import Span, Turn

_SENTENCE = re.compile(r"[^.!?]+[.!?]?")
_ISSUE = re.compile(
    r"\b(i (?:need|want|would like|'d like|am trying|'m trying|was trying|can't|cannot|couldn't|didn't|never)|"
    r"(?:is|was|are|were|it's|got) (?:broken|wrong|damaged|missing|late|declined|charged|overcharged|not)|"
    r"problem|issue|trouble|refund|return|cancel|complain|hasn't|haven't|still waiting|doesn't work|not working)\b",
    re.IGNORECASE,
)
_OUTCOME = re.compile(
    r"\b(i(?:'ve| have) (?:\w+ )?(?:issued|processed|sent|updated|changed|cancelled|canceled|refunded|added|"
    r"applied|reset|created|submitted|scheduled|resolved|credited)|"
    r"(?:has|have) been (?:\w+ )?(?:issued|processed|sent|updated|changed|cancelled|canceled|refunded|applied|"
    r"resolved|credited|shipped|approved)|you(?:'ll| will) (?:receive|get|see|be)|will be (?:sent|shipped|"
    r"refunded|credited|processed|delivered|there)|all set|taken care of|is resolved)\b",
    re.IGNORECASE,
)
MAX_SPANS = 3


def _spans(turns: Sequence[Turn], speaker: str, cue: re.Pattern[str]) -> list[Span]:
    out = []
    for t in turns:
        if t.speaker != speaker:
            continue
        for m in _SENTENCE.finditer(t.text):
            sent = m.group().strip()
            if len(sent.split()) >= 3 and cue.search(sent):
                start = t.text.index(sent, m.start())
                out.append(Span(turn=t.index, speaker=t.speaker, start=start, end=start + len(sent), text=sent))
                if len(out) >= MAX_SPANS:
                    return out
    return out


def issues(turns: Sequence[Turn]) -> list[Span]:
    return _spans(turns, "customer", _ISSUE)


def outcomes(turns: Sequence[Turn]) -> list[Span]:
    return _spans(list(reversed(turns)), "agent", _OUTCOME)[::-1]
