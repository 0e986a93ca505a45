"""``kg validate FILE-or-DIR``: SHACL-validate RDF against ``ontology/shapes.ttl``."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kg.commands.app import app, console


@app.command("validate")
def validate_cmd(
    path: Path = typer.Argument(..., help="An RDF file (.ttl .trig .nt .nq .jsonld .rdf) or a folder of them."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write the SHACL report (Turtle) here."),
) -> None:
    """Exit 0 conforms, 1 does not conform (readable report), 2 error."""
    from kg.errors import KGError
    from kg.validate import format_report, validate_path

    if not path.exists():
        raise KGError("E007", path=str(path))
    result = validate_path(path)
    console.print(format_report(result), highlight=False, soft_wrap=True)
    if report is not None:
        result.report.serialize(report, format="turtle")
    raise typer.Exit(0 if result.conforms else 1)
