"""CTranslate2 plumbing with a tiny Marian model built here (random weights, a tokenizer trained on the fly):
conversion to int8, the pool model, batching, pair checks. It tests the plumbing, not translation quality."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nlp
from nlp.translate import ct2
from workers import make_pool

pytest.importorskip("ctranslate2")
pytest.importorskip("sentencepiece")
CORPUS = ["the house is red", "the dog is small", "la casa es roja", "el perro es pequeño", "hello world"]


@pytest.fixture(scope="module")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import sentencepiece as spm
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    root = tmp_path_factory.mktemp("marian")
    (root / "corpus.txt").write_text("\n".join(CORPUS * 20))
    spm.SentencePieceTrainer.train(
        input=str(root / "corpus.txt"), model_prefix=str(root / "sp"), vocab_size=40, character_coverage=1.0,
        bos_id=-1, eos_id=-1, unk_id=0, pad_id=-1, hard_vocab_limit=False, minloglevel=2,
    )  # fmt: skip
    processor = spm.SentencePieceProcessor(model_file=str(root / "sp.model"))
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(processor.get_piece_size()):
        vocab.setdefault(processor.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)  # Marian keeps <pad> last; the converter relies on it
    model_dir = root / "opus-mt-tiny"
    model_dir.mkdir()
    (model_dir / "vocab.json").write_text(json.dumps(vocab))
    spm_path = str(root / "sp.model")
    tokenizer = MarianTokenizer(spm_path, spm_path, str(model_dir / "vocab.json"), source_lang="en", target_lang="es")
    tokenizer.save_pretrained(model_dir)
    config = MarianConfig(
        vocab_size=len(tokenizer), d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id, forced_eos_token_id=tokenizer.eos_token_id,
    )  # fmt: skip
    MarianMTModel(config).save_pretrained(model_dir)
    return model_dir


def test_transformers_dir_is_converted_once_and_served_by_the_pool(tiny_marian: Path, tmp_path: Path) -> None:
    pool = make_pool()
    try:
        result = nlp.translate(
            ["the house is red", "hello world", "the dog"], "es", "en", engine="ctranslate2", model=str(tiny_marian),
            model_dir=str(tmp_path), pool=pool,
        )  # fmt: skip
        assert result.engine == "ctranslate2" and result.route == ["en", "es"]
        assert len(result.translations) == 3 and all(isinstance(t, str) for t in result.translations)
        converted = list(tmp_path.glob("opus-mt-tiny-*-int8"))
        assert len(converted) == 1 and (converted[0] / "model.bin").exists()
        assert (converted[0] / "source.spm").exists()  # tokenizer files travel with the model
        stamp = (converted[0] / "model.bin").stat().st_mtime_ns
        nlp.translate("the dog", "es", "en", engine="ctranslate2", model=str(converted[0]), pool=pool)
        nlp.translate(
            "the cat", "es", "en", engine="ctranslate2", model=str(tiny_marian), model_dir=str(tmp_path), pool=pool
        )
        assert (converted[0] / "model.bin").stat().st_mtime_ns == stamp  # not converted again
        loaded = [m.id for m in pool.status().models]
        assert any(model_id.startswith("ct2:") for model_id in loaded)
    finally:
        pool.shutdown()


def test_pair_and_format_errors(tiny_marian: Path, tmp_path: Path) -> None:
    engine = ct2.Ct2Engine(str(tiny_marian), str(tmp_path))
    assert engine.pairs() == {("en", "es")}
    with pytest.raises(nlp.UnsupportedPair):
        nlp.translate("hola", "en", "es", engine="ctranslate2", model=str(tiny_marian), model_dir=str(tmp_path))
    with pytest.raises(nlp.TranslationError, match="html"):
        nlp.translate("<b>x</b>", "es", "en", engine="ctranslate2", model=str(tiny_marian), model_dir=str(tmp_path),
                      fmt="html")  # fmt: skip
    with pytest.raises(nlp.TranslationError) as info:
        nlp.translate("x", "es", "en", engine="ctranslate2", model="nobody/no-such-model-here")
    assert info.value.code == "model_not_found"
