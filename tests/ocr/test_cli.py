"""The `ocr` and `translate` commands, through typer's runner, with the real engines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import ocr
from api.cli import ocr as ocr_cli
from api.cli import translate as translate_cli
from tests.ocr.conftest import encode, text_page


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()
    ocr_cli.register(app)
    translate_cli.register(app)
    return app


def test_ocr_command_prints_text_and_writes_pdf(cli: typer.Typer, tmp_path: Path) -> None:
    page = tmp_path / "page.png"
    page.write_bytes(encode(text_page(), "PNG"))
    result = CliRunner().invoke(cli, ["ocr", str(page), "--pdf", str(tmp_path / "out.pdf")])
    assert result.exit_code == 0, result.output
    assert "quick brown fox" in result.stdout
    assert "lazy dog" in ocr.read(tmp_path / "out.pdf").text


def test_ocr_command_rejects_a_bad_file(cli: typer.Typer, tmp_path: Path) -> None:
    bad = tmp_path / "empty.png"
    bad.write_bytes(b"")
    result = CliRunner().invoke(cli, ["ocr", str(bad)])
    assert result.exit_code == 2 and "empty" in result.output


@pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed")
def test_translate_command(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["translate", "The cat is black", "--to", "es", "--from", "en"])
    assert result.exit_code == 0 and result.stdout.strip() == "El gato es negro"
    result = CliRunner().invoke(cli, ["translate", "Hallo", "--to", "ja", "--from", "de"])
    assert result.exit_code == 2
