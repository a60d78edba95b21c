"""Build a tiny, randomly initialised coqui VITS checkpoint (`model.pth` + `config.json`) in a directory.

Run with the coqui venv's python (`.venv-coqui/bin/python scripts/build_tiny_coqui.py OUT_DIR`). The voice is
noise: the weights are never trained. It exists so tests exercise the real loading and inference code of a
user's coqui checkpoint without downloading one. About 1 MB, built in a few seconds on one CPU core.
"""

from __future__ import annotations

import argparse
from pathlib import Path

SAMPLE_RATE = 16000


def build(out_dir: Path, seed: int = 0) -> Path:
    import torch
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsConfig
    from TTS.tts.models.vits import Vits, VitsArgs

    torch.manual_seed(seed)
    characters = CharactersConfig(
        characters_class="TTS.tts.models.vits.VitsCharacters",
        characters="abcdefghijklmnopqrstuvwxyz",
        punctuations=" !,.?'-",
        pad="_",
        eos=None,
        bos=None,
        blank="<BLNK>",
        phonemes=None,
        is_unique=False,
        is_sorted=True,
    )
    args = VitsArgs(
        hidden_channels=16,
        hidden_channels_ffn_text_encoder=32,
        num_heads_text_encoder=2,
        num_layers_text_encoder=1,
        num_layers_posterior_encoder=1,
        num_layers_flow=1,
        resblock_kernel_sizes_decoder=[3],
        resblock_dilation_sizes_decoder=[[1, 3, 5]],
        upsample_rates_decoder=[8, 8, 4],  # hop length 256
        upsample_initial_channel_decoder=32,
        upsample_kernel_sizes_decoder=[16, 16, 8],
        use_sdp=False,
        init_discriminator=False,
    )
    audio = BaseAudioConfig(sample_rate=SAMPLE_RATE, fft_size=1024, win_length=1024, hop_length=256, num_mels=20)
    config = VitsConfig(
        run_name="voxgate-tiny",
        model_args=args,
        audio=audio,
        characters=characters,
        use_phonemes=False,
        text_cleaner="basic_cleaners",
        add_blank=True,
    )
    model = Vits(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    config.model_args.num_chars = model.args.num_chars
    config.save_json(str(out_dir / "config.json"))
    torch.save({"model": model.state_dict(), "config": config.to_dict()}, out_dir / "model.pth")
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    print(build(options.out_dir, options.seed))


if __name__ == "__main__":
    main()
