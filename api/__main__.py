"""`python -m api ...` is the `voxgate` command."""

from api.cli import app

app()
