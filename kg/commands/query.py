"""``kg query DIR SPARQL-or-FILE-or-NAME [--format table|csv|tsv|json|xml] [--param k=v ...]``, ``kg query DIR --list``."""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from kg.commands.app import app, console, err_console

_NAME = re.compile(r"^[A-Za-z_][\w-]*$")


def parse_params(items: list[str]) -> dict[str, str]:
    """``["actor=usa", "type=ASSAULT"]`` -> dict; a value may contain ``=``."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not _NAME.match(name.strip()):
            raise typer.BadParameter(f"{item!r} (expected NAME=VALUE)", param_hint="--param")
        out[name.strip()] = value
    return out


def resolve_query(text: str, params: dict[str, str], store=None) -> tuple[str, dict[str, object], str | None]:
    """(SPARQL, bound parameters, title) for a query given as text, a file, or a canned query name."""
    from kg import queries
    from kg.errors import KGError

    path = Path(text)
    if "\n" not in text and len(text) < 4096 and path.suffix.lower() in (".rq", ".sparql", ".txt"):
        if not path.is_file():
            raise KGError("E007", path=text)
        try:
            return path.read_text(encoding="utf-8"), dict(params), None
        except (OSError, UnicodeDecodeError) as exc:
            raise KGError("E001", path=text, reason=str(exc)) from None
    if _NAME.match(text):
        canned = queries.get(text)  # E044 when unknown
        return canned.sparql, canned.bind(params, store), canned.title
    return text, dict(params), None


def cell(value: object) -> str:
    """A result term as short text: IRIs as ``prefix:local``, literals as their value."""
    import pyoxigraph as ox

    from kg.rdf.export import compact_iri

    if value is None:
        return ""
    if isinstance(value, ox.NamedNode):
        return compact_iri(value.value)
    if isinstance(value, ox.BlankNode):
        return f"_:{value.value}"
    if isinstance(value, ox.Literal):
        return value.value
    return str(value)


def print_table(result, title: str | None) -> int:
    """Rich table of a SELECT result; returns the number of rows."""
    table = Table(title=title, show_lines=False, highlight=False)
    for v in result.variables:
        table.add_column(v, overflow="fold")
    n = 0
    for row in result.terms():
        table.add_row(*(cell(v) for v in row))
        n += 1
    console.print(table)
    return n


def list_queries() -> None:
    from kg import queries

    table = Table(title="canned queries (kg query DIR NAME [--param k=v])", show_lines=True)
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("what it answers", overflow="fold")
    table.add_column("params", overflow="fold")
    for q in queries.all_queries():
        table.add_row(q.name, f"{q.title}: {q.description}", "\n".join(p.describe() for p in q.params) or "-")
    console.print(table)


@app.command("query")
def query_command(
    directory: Path = typer.Argument(..., help="Output directory of `kg build` (or its store/ folder)."),
    query: Optional[str] = typer.Argument(None, help="SPARQL text, a .rq/.sparql file, or a canned query name."),
    fmt: str = typer.Option("table", "--format", "-f",
                            help="table | csv | tsv | json | xml (SPARQL 1.1 results); CONSTRUCT: table=turtle, "
                                 "json=jsonld, or any RDF format."),
    param: List[str] = typer.Option([], "--param", "-p", help="Bind a variable: NAME=VALUE (repeatable). "
                                    "<iri>, prefix:local or http(s)://... give IRIs, anything else a string."),
    list_: bool = typer.Option(False, "--list", "-l", help="List the canned queries and exit."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the results to this file."),
) -> None:
    """Run SPARQL 1.1 over the store (union of all graphs). Exit 0 ok, 2 bad query or error."""
    from kg.rdf.formats import RESULTS, get_format
    from kg.rdf.store import Store

    if list_:
        list_queries()
        return
    if not query:
        raise typer.BadParameter("give a SPARQL query, a .rq file or a canned query name (see --list)",
                                 param_hint="QUERY")
    fmt = fmt.lower()
    if fmt != "table" and fmt not in RESULTS:
        get_format(fmt)  # E032 unless an RDF format (for CONSTRUCT results)
    given = parse_params(param)
    store = Store.open(directory, read_only=True)
    sparql, params, title = resolve_query(query, given, store)
    result = store.query(sparql, **params)
    sink = open(out, "wb") if out else sys.stdout.buffer
    try:
        if result.kind == "graph":
            rdf = {"table": "turtle", "json": "jsonld"}.get(fmt, fmt)
            result.serialize(sink, rdf)
        elif fmt == "table":
            if result.kind == "ask":
                console.print("true" if result else "false")
            else:
                n = print_table(result, title)
                err_console.print(f"{n} row{'s' if n != 1 else ''}", highlight=False)
        else:
            result.serialize(sink, fmt)
            if sink is sys.stdout.buffer:
                sink.write(b"\n")
    finally:
        if out:
            sink.close()
        else:
            sys.stdout.buffer.flush()
