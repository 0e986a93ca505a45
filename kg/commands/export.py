"""``kg export DIR --format turtle|trig|nt|nq|jsonld|rdfxml [--out FILE]``: the store in any RDF syntax."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kg.commands.app import app, err_console


@app.command("export")
def export_command(
    directory: Path = typer.Argument(..., help="Output directory of `kg build` (or its store/ folder)."),
    fmt: str = typer.Option("trig", "--format", "-f", help="turtle | trig | nt | nq | jsonld | rdfxml"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write (default DIR/kg.<ext>; - for stdout)."),
) -> None:
    """Stream the store with Oxigraph's serialisers. Dataset formats (trig, nq, jsonld) keep every named
    graph; triple formats (turtle, nt, rdfxml) hold the union of the data graphs (no ontology)."""
    from kg.rdf.export import export, export_stdout
    from kg.rdf.formats import get_format
    from kg.rdf.store import Store

    syntax = get_format(fmt)  # E032 before opening the store
    store = Store.open(directory, read_only=True)
    if out is not None and str(out) == "-":
        export_stdout(store, syntax.name)
        return
    base = directory.parent if directory.name == "store" else directory
    target = out or base / f"kg.{syntax.extension}"
    export(store, target, syntax.name)
    err_console.print(f"{len(store)} quads -> {target} ({syntax.name})", highlight=False)
