"""``kg build PATH... [--out DIR]``: read, extract, validate, store, export."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.commands.app import app, console, err_console


def print_summary(summary, out: Path) -> None:
    """One screen: articles, events by type, actors, triples, conformance, time, failures."""
    t = Table(title=f"kg build -> {out}", show_header=False, box=None)
    t.add_row("articles read", str(summary.read))
    t.add_row("stored (new or changed)", str(summary.stored))
    t.add_row("unchanged (skipped)", str(summary.unchanged))
    t.add_row("failed", str(len(summary.failures)))
    t.add_row("events", ", ".join(f"{k} {v}" for k, v in summary.events_by_type.most_common()) or "0")
    t.add_row("claims", str(summary.claims))
    t.add_row("actors in store", str(summary.actors))
    t.add_row("quads in store", str(summary.triples))
    t.add_row("SHACL", "[green]conforms[/]" if summary.conforms else "[red]does not conform[/] (see report.ttl)")
    t.add_row("time", f"{summary.seconds:.1f} s")
    console.print(t)
    for f in summary.failures[:20]:
        err_console.print(f"[red]failed[/] [{f.code}] {f.message}", highlight=False, soft_wrap=True)
    if len(summary.failures) > 20:
        err_console.print(f"... and {len(summary.failures) - 20} more failures")
    for w in summary.warnings[:10]:
        err_console.print(f"[yellow]warning[/] {w}", highlight=False, soft_wrap=True)


@app.command("build")
def build_cmd(
    paths: List[Path] = typer.Argument(..., help="Article files or folders (.txt, .jsonl, .html, RSS/Atom, .csv)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder (store + exports)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Force an input format (see the readers registry)."),
    glob: Optional[str] = typer.Option(None, "--glob", help="Only files matching this glob inside folders."),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Articles per nlp.pipe batch / store transaction."),
) -> None:
    """Build or update the knowledge graph. Exit 0 all conform, 1 some article failed, 2 error."""
    from kg.errors import KGError
    from kg.pipeline import build

    for p in paths:
        if not p.exists():
            raise KGError("E007", path=str(p))
    with Progress(SpinnerColumn(), TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("articles"), TimeElapsedColumn(), console=err_console, transient=True,
                  disable=not err_console.is_terminal) as prog:
        task = prog.add_task("build", total=None)
        summary = build(paths, out, fmt=fmt, glob=glob, batch_size=batch_size,
                        progress=lambda done, n: prog.update(task, completed=done))
    print_summary(summary, out)
    raise typer.Exit(summary.exit_code)
