"""`transcribe FILE... [--medical] [--format srt]` as the gateway CLI mounts it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.cli import asr as asr_cli
from tests.asr.conftest import TEST_MODEL


@pytest.fixture
def cli(asr_settings) -> typer.Typer:
    root = typer.Typer()
    root.command("transcribe")(asr_cli.transcribe)

    @root.command()
    def version() -> None:  # a second command makes `transcribe` a named subcommand, as in `voxgate`
        pass

    return root


def test_srt_to_stdout(cli: typer.Typer, speech_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["transcribe", str(speech_dir / "general" / "jfk.flac"), "--model", TEST_MODEL, "--format", "srt"]
    )
    assert result.exit_code == 0, result.output
    assert "1\n00:00:00,000 --> " in result.output and "country" in result.output


def test_medical_json_to_files_and_a_bad_file(cli: typer.Typer, speech_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    clip = speech_dir / "general" / "clips" / "goforward.wav"
    args = ["transcribe", str(clip), str(bad), "--medical", "--model", TEST_MODEL, "-f", "json", "-o", str(tmp_path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1  # one file failed, and said so
    assert "notes.wav" in result.output
    body = json.loads((tmp_path / "goforward.json").read_text())
    assert body["type"] == "dictation" and "forward" in body["text"].lower()
