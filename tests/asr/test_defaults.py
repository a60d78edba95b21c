"""The decoding defaults every route shares (asr.transcribe: OpenAI routes, jobs, calls; asr.medical), resolved
from settings; live dictation keeps its own. No decoding here: only how options are filled in."""

from __future__ import annotations

import pytest

import asr
from asr import models
from asr.transcription import _prepare


def test_settings_defaults() -> None:
    settings = asr.AsrSettings()
    assert settings.cpu_compute_type == "int8" and settings.beam_size == 5
    assert settings.vad_speech_pad_ms == 800 and settings.loop_guard is True
    assert settings.vad is False and settings.condition_on_previous_text is True  # plain faster-whisper's decoding
    assert settings.default_prompt == "" and settings.medical_prompt == ""
    assert settings.term_memory == 4  # the recording's last clinical words prompted ahead of each window


def test_auto_compute_type_is_int8_only_where_int8_products_are_exact(
    asr_settings: asr.AsrSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without VNNI an x86 CPU's int8 products saturate: there "auto" (opt-in) decodes in float32, as plain
    faster-whisper does, with one copy of the weights; an explicit type holds on every CPU."""
    settings = asr_settings.model_copy(update={"cpu_threads": 2, "cpu_workers": 0, "cpu_compute_type": "auto"})
    for exact, expected in ((True, "int8"), (False, "float32")):
        monkeypatch.setattr(models, "cpu_int8_is_exact", lambda exact=exact: exact)
        loader = _prepare(asr.TranscribeOptions(model="base"), settings, True, 0)[2](600.0).loader
        assert loader.cpu_compute_type == expected
        assert loader.separate_encoder == (expected == "int8")  # a float32 decoder encodes with its own weights
        forced = settings.model_copy(update={"cpu_compute_type": "int8"})
        assert _prepare(asr.TranscribeOptions(model="base"), forced, True, 0)[2](60.0).loader.cpu_compute_type == "int8"


def test_a_misspelt_compute_type_fails_when_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not at the first model load, mid-request: the error names the variable."""
    from pydantic import ValidationError

    for variable, value in (("VOXGATE_ASR_CPU_COMPUTE_TYPE", "int9"), ("VOXGATE_ASR_CPU_ENCODER_COMPUTE_TYPE", "auto"),
                            ("VOXGATE_ASR_CUDA_COMPUTE_TYPE", "fp16")):  # fmt: skip
        monkeypatch.setenv(variable, value)
        with pytest.raises(ValidationError, match=variable.removeprefix("VOXGATE_ASR_").lower()):
            asr.AsrSettings()
        monkeypatch.delenv(variable)
    monkeypatch.setenv("VOXGATE_ASR_CPU_COMPUTE_TYPE", "int8_float32")
    assert asr.AsrSettings().cpu_compute_type == "int8_float32"


def test_a_float32_encoder_under_the_int8_search_by_default(asr_settings: asr.AsrSettings) -> None:
    """The int8 beam search on float32 encodings (a second copy of the weights), which the pool budgets for; one
    copy when the encoder's type is the decoder's or unset."""
    assert asr.AsrSettings().cpu_encoder_compute_type == "float32"
    settings = asr_settings.model_copy(update={"cpu_threads": 2, "cpu_workers": 0})
    spec = _prepare(asr.TranscribeOptions(model="base"), settings, True, 0)[2](600.0)
    assert spec.loader.cpu_compute_type == "int8" and spec.loader.separate_encoder
    budgets = {}
    for encoder_type in ("float32", None, "int8"):
        other = settings.model_copy(update={"cpu_encoder_compute_type": encoder_type})
        spec = asr.resolve_model("base", other).spec(other)
        budgets[encoder_type] = spec.memory_mb
        assert spec.loader.separate_encoder == (encoder_type == "float32")
    assert budgets["float32"] > budgets[None] == budgets["int8"]
    tiny = _prepare(asr.TranscribeOptions(model="tiny.en"), settings, True, 0)[2](600.0).loader
    assert tiny.cpu_compute_type == "float32" and not tiny.separate_encoder  # all float32 already: one copy


def test_options_take_the_configured_defaults(asr_settings: asr.AsrSettings) -> None:
    options, _model, _spec = _prepare(asr.TranscribeOptions(model="tiny.en"), asr_settings, True, 0)
    assert options.vad_speech_pad_ms == 800 and options.loop_guard is True and options.prompt is None
    assert options.term_memory == 0  # tiny.en decodes in Whisper's windows, where the memory cost words
    base = _prepare(asr.TranscribeOptions(model="base"), asr_settings, True, 0)[0]
    assert base.pause_windows and base.term_memory == asr_settings.term_memory
    mine = asr.TranscribeOptions(model="tiny.en", vad_speech_pad_ms=300, loop_guard=False, term_memory=3)
    options, _model, _spec = _prepare(mine, asr_settings, True, 0)
    assert options.vad_speech_pad_ms == 300 and options.loop_guard is False and options.term_memory == 3
    raw = _prepare(asr.TranscribeOptions(model="base", check_phrases=False), asr_settings, True, 0)[0]
    assert raw.term_memory == 0 and raw.confirm_terms is False  # Whisper's own words: no clinical prompting either


def test_default_prompt_only_for_english_and_only_when_none_is_given(asr_settings: asr.AsrSettings) -> None:
    settings = asr_settings.model_copy(update={"default_prompt": "Um, so, the patient."})

    def prompt(**kw) -> str | None:
        return _prepare(asr.TranscribeOptions(**kw), settings, True, 0)[0].prompt

    assert prompt(model="tiny.en") == "Um, so, the patient."  # English-only model
    assert prompt(model="tiny.en", prompt="Dr. Okafor.") == "Dr. Okafor."
    assert prompt(model="tiny.en", prompt="") is None  # "" asks for none


def test_long_form_decoding_comes_from_settings_unless_the_call_says(asr_settings: asr.AsrSettings) -> None:
    settings = asr_settings.model_copy(update={"vad": False, "condition_on_previous_text": True, "batch_size": 0})
    options, _model, _spec = _prepare(asr.TranscribeOptions(model="tiny.en"), settings, True, 0)
    assert options.vad is False and options.condition_on_previous_text is True
    mine = asr.TranscribeOptions(model="tiny.en", vad=True, condition_on_previous_text=False)
    options, _model, _spec = _prepare(mine, settings, True, 0)
    assert options.vad is True and options.condition_on_previous_text is False


def test_pieces_default_to_one_per_cpu_worker(asr_settings: asr.AsrSettings) -> None:
    """Long audio is decoded as one piece per CTranslate2 worker (0) unless the settings or the call say how many
    (1: whole); the engine turns 0 into the model's worker count. A model kept in Whisper's own windows (tiny.en)
    is decoded whole unless the call asks (bench/results/asr_workers.txt)."""
    assert asr.AsrSettings().pieces == 0 and asr.AsrSettings().cpu_workers == 0
    pause_windowed = asr_settings.model_copy(update={"whisper_windows_models": []})

    def pieces(settings: asr.AsrSettings, **kw) -> int | None:
        return _prepare(asr.TranscribeOptions(model="tiny.en", **kw), settings, True, 0)[0].pieces

    assert pieces(pause_windowed) == 0 and pieces(asr_settings) == 1
    assert pieces(pause_windowed.model_copy(update={"pieces": 8})) == 8
    assert pieces(asr_settings, pieces=2) == 2 and pieces(pause_windowed, pieces=1) == 1


def test_cpu_threads_are_shared_by_the_workers(asr_settings: asr.AsrSettings, monkeypatch) -> None:
    """VOXGATE_ASR_CPU_THREADS is the model's whole thread budget; by default one worker per thread."""
    from asr.models import WhisperLoader

    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)

    def layout(threads: int, workers: int) -> tuple[int, int]:
        return WhisperLoader("unused", cpu_threads=threads, cpu_workers=workers).cpu_layout()

    assert layout(2, 0) == (2, 1) and layout(4, 0) == (4, 1)
    assert layout(4, 2) == (2, 2) and layout(2, 1) == (1, 2) and layout(3, 2) == (2, 1)
    assert layout(1, 4) == (4, 1)  # each worker has a thread, whatever the budget
    assert layout(0, 0) == (1, 0)  # 0: CTranslate2's own thread count, one worker
    memory = {}
    for workers, expected in ((0, (2, 1)), (1, (1, 2))):  # the settings reach the pool's loader
        settings = asr_settings.model_copy(update={"cpu_threads": 2, "cpu_workers": workers})
        spec = asr.resolve_model("base", settings).spec(settings)
        assert spec.loader.cpu_layout() == expected
        memory[expected[0]] = spec.memory_mb
    assert memory[2] > memory[1] >= 200  # a worker's buffers count against the pool's budget
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    assert layout(4, 0) == (1, 1)


def test_tiny_en_runs_in_float32_on_one_worker_with_every_thread(asr_settings: asr.AsrSettings) -> None:
    """tiny.en in int8 read worse than plain faster-whisper's float32, and it decodes a recording whole: one float32
    worker for recordings; live dictation keeps its int8 workers."""
    assert asr.AsrSettings().cpu_float32_models == ["tiny.en"]
    settings = asr_settings.model_copy(update={"cpu_threads": 2, "cpu_workers": 0})
    _, _, spec_for = _prepare(asr.TranscribeOptions(model="tiny.en"), settings, True, 0)
    recording, live = spec_for(600.0), spec_for(8.0)  # a consultation; a dictation window
    assert recording.id != live.id, "two instances: dictation's decodes keep the int8 workers"
    assert (recording.loader.cpu_compute_type, recording.loader.cpu_layout()) == ("float32", (1, 2))
    assert (live.loader.cpu_compute_type, live.loader.cpu_layout()) == ("int8", (2, 1))
    base = _prepare(asr.TranscribeOptions(model="base"), settings, True, 0)[2](600.0).loader
    assert (base.cpu_compute_type, base.cpu_layout()) == ("int8", (2, 1))
    model = recording.loader("cpu")
    assert model.model.compute_type == "float32" and model.model.num_workers == 1
    other = settings.model_copy(update={"cpu_float32_models": []})
    assert _prepare(asr.TranscribeOptions(model="tiny.en"), other, True, 0)[2](600.0).loader.cpu_compute_type == "int8"


def test_term_correction_is_on_unless_the_call_or_settings_say(asr_settings: asr.AsrSettings) -> None:
    def correcting(settings: asr.AsrSettings, **kw) -> bool | None:
        return _prepare(asr.TranscribeOptions(model="tiny.en", **kw), settings, True, 0)[0].correct_terms

    assert asr.AsrSettings().correct_terms is True
    assert correcting(asr_settings) is True
    assert correcting(asr_settings, correct_terms=False) is False
    assert correcting(asr_settings.model_copy(update={"correct_terms": False})) is False


def test_the_soundalike_check_follows_the_phrase_check_unless_asked(asr_settings: asr.AsrSettings) -> None:
    def confirming(settings: asr.AsrSettings, **kw) -> bool | None:
        return _prepare(asr.TranscribeOptions(model="tiny.en", **kw), settings, True, 0)[0].confirm_terms

    assert asr.AsrSettings().confirm_terms is True
    assert confirming(asr_settings) is True
    assert confirming(asr_settings, check_phrases=False) is False  # a caller asking for Whisper's own words
    assert confirming(asr_settings, check_phrases=False, confirm_terms=True) is True
    assert confirming(asr_settings.model_copy(update={"confirm_terms": False})) is False


def test_pause_windows_and_the_short_context_are_defaults_a_call_may_turn_off(asr_settings: asr.AsrSettings) -> None:
    """bench/results/asr_windows.txt: on the ten consultations 1.57x plain's speed at WER 0.99x."""
    assert asr.AsrSettings().pause_windows is True and asr.AsrSettings().context_tokens == 64
    assert asr.AsrSettings().whisper_windows_models == ["tiny.en"]  # tiny lost terms in pause windows
    options = _prepare(asr.TranscribeOptions(model="tiny.en"), asr_settings, True, 0)[0]
    assert options.pause_windows is False and options.context_tokens == 223
    settings = asr_settings.model_copy(update={"whisper_windows_models": []})  # as base and any other model
    options = _prepare(asr.TranscribeOptions(model="tiny.en"), settings, True, 0)[0]
    assert options.pause_windows is True and options.context_tokens == 64
    mine = asr.TranscribeOptions(model="tiny.en", pause_windows=False, context_tokens=100)
    options = _prepare(mine, settings, True, 0)[0]
    assert options.pause_windows is False and options.context_tokens == 100
