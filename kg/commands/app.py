"""The shared Typer app and helpers every command uses (console, error exit)."""
from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="kg",
    help="conflict-kg: build, query, validate and draw knowledge graphs of political-conflict news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=False)
err_console = Console(stderr=True)

STATE = {"debug": False}


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors.")) -> None:
    """conflict-kg command line."""
    STATE["debug"] = debug
