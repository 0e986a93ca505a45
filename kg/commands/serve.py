"""``kg serve DIR [--port 7878] [--bind 127.0.0.1] [--timeout S]``: a read-only SPARQL endpoint."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kg.commands.app import app, console, err_console

_LOCAL = {"127.0.0.1", "localhost", "::1"}


@app.command("serve")
def serve_command(
    directory: Path = typer.Argument(..., help="Output directory of `kg build` (or its store/ folder)."),
    port: int = typer.Option(7878, "--port", "-p", min=1, max=65535, help="TCP port."),
    bind: str = typer.Option("127.0.0.1", "--bind", help="Address to listen on (0.0.0.0 exposes it to the network)."),
    timeout: Optional[float] = typer.Option(None, "--timeout", min=1, help="Per-query time limit in seconds."),
    cors: bool = typer.Option(False, "--cors", help="Allow cross-origin requests (browser clients on other origins)."),
) -> None:
    """SPARQL 1.1 Protocol endpoint (Oxigraph server, read-only) over the union of all graphs; Ctrl-C stops it."""
    from kg.serve import start_server, wait_ready

    server = start_server(directory, port=port, bind=bind, timeout=timeout, cors=cors)
    code = 0
    try:
        wait_ready(server)
        console.print(f"SPARQL endpoint [bold]{server.query_endpoint}[/] (read-only); query UI at {server.url}/ ; "
                      "Ctrl-C to stop", highlight=False)
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
