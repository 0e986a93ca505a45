"""``kg remove DIR ID...``: drop articles (their named graphs, run links and orphaned actors/places)."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import List

import typer

from kg.commands.app import app, console
from kg.errors import warning

log = logging.getLogger("kg.store")


@app.command("remove")
def remove_command(
    directory: Path = typer.Argument(..., help="Output directory of `kg build` (or its store/ folder)."),
    ids: List[str] = typer.Argument(..., help="Article ids (schema:identifier, as given at build time)."),
    export: bool = typer.Option(True, "--export/--no-export", help="Rewrite kg.trig, kg.ttl and the actor graphs."),
) -> None:
    """Remove articles (with the records of their syndicated copies; a copy's id removes that copy's
    record only) in one transaction. Exit 0 (unknown ids are reported and skipped), 2 on error."""
    from kg.rdf.store import Store

    with Store.open(directory) as store:
        missing = [i for i in dict.fromkeys(ids) if not store.has_article(i) and not store.has_source(i)]
        n = store.remove_articles(ids)
        for i in missing:
            log.warning(warning("W002", path=f"article {i!r}", reason="not in the store"))
        console.print(f"removed {n} article{'s' if n != 1 else ''}; {len(store.article_ids())} left, "
                      f"{len(store)} quads", highlight=False)
        if export and n:
            from kg.pipeline import Summary, export_all

            base = directory.parent if directory.name == "store" else directory
            export_all(store, base, Summary())
