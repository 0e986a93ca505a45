"""``kg graph DIR``: write an actor graph of the store in DIR (graphml, gexf, json, html or png)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

import networkx as nx
import typer

from kg.commands.app import app, console
from kg.registry import Registry

#: graph kind -> builder ``(store, **filters) -> networkx graph``
GRAPH_KINDS: Registry[Callable[..., nx.Graph]] = Registry("graph kind")


def _register_kinds() -> None:
    from kg import graph

    GRAPH_KINDS.add("actors", graph.actor_graph)
    GRAPH_KINDS.add("events", graph.event_multigraph)
    GRAPH_KINDS.add("cooccurrence", graph.cooccurrence_graph)


_register_kinds()


@app.command("graph")
def graph_command(
    directory: Path = typer.Argument(..., help="Output directory of `kg build` (or its store/ folder)."),
    fmt: str = typer.Option("html", "--format", "-f", help="graphml | gexf | json | html | png"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write (default DIR/<kind>.<format>)."),
    kind: str = typer.Option("actors", "--kind", help="actors (aggregated) | events (one edge per event) | cooccurrence"),
    since: Optional[datetime] = typer.Option(None, "--since", formats=["%Y-%m-%d"], help="Events on or after this date."),
    until: Optional[datetime] = typer.Option(None, "--until", formats=["%Y-%m-%d"], help="Events on or before this date."),
    types: Optional[list[str]] = typer.Option(None, "--type", "-t", help="PLOVER type (repeatable), e.g. ASSAULT."),
    country: Optional[str] = typer.Option(None, "--country", help="ISO3 country of an actor or the event place."),
    min_weight: Optional[float] = typer.Option(None, "--min-weight", help="Drop edges with fewer events."),
    include_negated: bool = typer.Option(False, "--include-negated", help="Keep events the text negates."),
) -> None:
    """Actor-relationship graph via networkx; exit 0 on success, 2 on error."""
    from kg.exporters import EXPORTERS, export
    from kg.rdf.store import Store

    EXPORTERS.get(fmt)  # unknown format: fail before opening the store
    build = GRAPH_KINDS.get(kind)
    store = Store.open(directory, read_only=True)
    g = build(store, since=since.date() if since else None, until=until.date() if until else None,
              types=types or None, country=country, min_weight=min_weight, include_negated=include_negated)
    base = directory.parent if directory.name == "store" else directory
    target = out or (base / f"{kind}.{fmt}")
    path = export(g, target, fmt)
    console.print(f"{g.number_of_nodes()} actors, {g.number_of_edges()} edges -> {path}", highlight=False)
