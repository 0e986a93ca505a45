"""``kg serve DIR [--port 7878] [--timeout S] [--max-results-bytes N]``: a read-only SPARQL endpoint."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.commands.app import app, console, err_console

_LOCAL = {"127.0.0.1", "localhost", "::1"}
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RESULTS_BYTES = 50_000_000  # kg.serve_proxy.DEFAULT_MAX_RESULTS_BYTES (not imported: keeps --help fast)


def describe_limits(timeout: float | None, max_results_bytes: int) -> str:
    """``limits: 60 s per query, 50 MB per result`` (``none`` where a limit is off)."""
    from kg.serve_proxy import format_bytes

    t = f"{timeout:g} s per query" if timeout else "no time limit"
    b = f"{format_bytes(max_results_bytes)} per result" if max_results_bytes else "no result-size limit"
    return f"limits: {t}, {b}"


@app.command("serve")
def serve_command(
    directory: Path = typer.Argument(..., help="Output directory of `kg build` (or its store/ folder)."),
    port: int = typer.Option(7878, "--port", "-p", min=1, max=65535, help="TCP port."),
    bind: str = typer.Option("127.0.0.1", "--bind", help="Address to listen on (0.0.0.0 exposes it to the network)."),
    timeout: float = typer.Option(
        DEFAULT_TIMEOUT, "--timeout", min=0,
        help="Per-query time limit in seconds (0 = none); a slower query gets HTTP 504 with error E046."),
    max_results_bytes: int = typer.Option(
        DEFAULT_MAX_RESULTS_BYTES, "--max-results-bytes", min=0,
        help="Largest query answer in bytes (0 = none); a larger one gets HTTP 413 with error E054."),
    cors: bool = typer.Option(False, "--cors", help="Allow cross-origin requests (browser clients on other origins)."),
) -> None:
    """SPARQL 1.1 Protocol endpoint (Oxigraph server, read-only) over the union of all graphs; Ctrl-C stops it."""
    from kg.serve import start_server, wait_ready

    server = start_server(directory, port=port, bind=bind, timeout=timeout or None, cors=cors,
                          max_results_bytes=max_results_bytes)
    code = 0
    try:
        wait_ready(server)
        console.print(f"SPARQL endpoint [bold]{server.query_endpoint}[/] (read-only); query UI at {server.url}/ ; "
                      "Ctrl-C to stop", highlight=False, soft_wrap=True)
        console.print(describe_limits(server.timeout, server.max_results_bytes), highlight=False, soft_wrap=True)
        if bind not in _LOCAL:
            err_console.print(f"[yellow]warning[/] listening on {bind}: the endpoint is reachable from the network",
                              highlight=False)
        code = server.process.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        tail = server.log_tail()
        server.stop()
    if code:
        err_console.print(f"[red]the server stopped with code {code}[/] {tail}", highlight=False)
        raise typer.Exit(2)
