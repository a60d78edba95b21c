"""`voxgate calls analyze` (api/cli/calls.register): bad input exits with a clear message before any model loads."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from api.cli.calls import register


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def version() -> None:  # a second command so typer keeps sub-command names
        typer.echo("x")

    register(app)
    return app


def test_empty_folder_and_bad_rules(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(_app(), ["calls", "analyze", str(tmp_path), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2 and "no audio files" in " ".join(res.output.split())
    (tmp_path / "a.wav").write_bytes(b"RIFF")
    rules = tmp_path / "rules.json"
    rules.write_text('[{"name": "x", "phrases": "refund AND"}]')
    res = runner.invoke(_app(), ["calls", "analyze", str(tmp_path), "--rules", str(rules)])
    assert res.exit_code == 2 and "syntax error" in " ".join(res.output.split())
    res = runner.invoke(_app(), ["calls", "analyze", str(tmp_path), "--redact-audio", "beep"])
    assert res.exit_code == 2 and "redact_audio" in res.output
    res = runner.invoke(_app(), ["calls", "analyze", str(tmp_path), "--redact-audio", "bleep", "--no-redact"])
    assert res.exit_code == 2 and "needs redact_pii" in " ".join(res.output.split())
