"""``kg build PATH... [--out DIR] [--workers N | --dask ADDRESS|local]``: read, extract, validate, store, export."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Optional

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from kg.commands.app import app, console, err_console

#: inputs up to this size are counted first, so the progress bar has a total and an ETA
COUNT_LIMIT_BYTES = 8 * 1024 * 1024


class RateColumn(ProgressColumn):
    """Articles per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- art/s" if speed is None else f"{speed:5.1f} art/s", style="progress.data.speed")


def _input_files(paths: Iterable[Path]) -> Iterable[Path]:
    for p in paths:
        if p.is_file():
            yield p
        elif p.is_dir():
            yield from (f for f in p.rglob("*") if f.is_file())


def count_items(paths: list[Path], fmt: Optional[str], glob: Optional[str],
                limit: int = COUNT_LIMIT_BYTES) -> Optional[int]:
    """Number of input items when the input is small (at most ``limit`` bytes), else None."""
    from kg.readers import read_paths

    size = 0
    for f in _input_files(paths):
        size += f.stat().st_size
        if size > limit:
            return None
    return sum(1 for _ in read_paths(paths, fmt=fmt, glob=glob))


def print_summary(summary, out: Path) -> None:
    """One screen: articles, events by type, actors, triples, conformance, time, failures."""
    failed = max(summary.failed, len(summary.failures))
    t = Table(title=f"kg build -> {out}", show_header=False, box=None)
    t.add_row("articles read", str(summary.read))
    t.add_row("stored (new or changed)", str(summary.stored))
    t.add_row("unchanged (skipped)", str(summary.unchanged))
    t.add_row("syndicated copies", str(summary.duplicates))
    t.add_row("failed", str(failed))
    t.add_row("events", ", ".join(f"{k} {v}" for k, v in summary.events_by_type.most_common()) or "0")
    t.add_row("claims", str(summary.claims))
    t.add_row("actors in store", str(summary.actors))
    t.add_row("quads in store", str(summary.triples))
    t.add_row("SHACL", "[green]conforms[/]" if summary.conforms else "[red]does not conform[/] (see report.ttl)")
    rate = f", {summary.stored / summary.seconds:.1f} articles/s" if summary.seconds and summary.stored else ""
    t.add_row("time", f"{summary.seconds:.1f} s{rate} ({summary.executor}, {summary.workers} worker"
              f"{'s' if summary.workers != 1 else ''})")
    console.print(t)
    for f in summary.failures[:20]:
        err_console.print(f"[red]failed[/] {escape(f'[{f.code}] {f.message}')}", highlight=False, soft_wrap=True)
    if failed > 20:
        err_console.print(f"... and {failed - 20} more failures")
    for w in summary.warnings[:10]:
        err_console.print(f"[yellow]warning[/] {escape(w)}", highlight=False, soft_wrap=True)
    warned = max(summary.warned, len(summary.warnings))
    if warned > 10:
        err_console.print(f"... and {warned - 10} more warnings")


@app.command("build")
def build_cmd(
    paths: List[Path] = typer.Argument(..., help="Article files or folders (.txt, .jsonl, .html, RSS/Atom, .csv)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder (store + exports)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Force an input format (see the readers registry)."),
    glob: Optional[str] = typer.Option(None, "--glob", help="Only files matching this glob inside folders."),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Articles per nlp.pipe batch (store writes gather ~50,000 quads)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1,
                                help="Extract in N local processes (each loads the spaCy model once)."),
    dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS|local",
                                       help="Extract on a dask.distributed cluster: a scheduler address "
                                            "(tcp://host:8786) or 'local' for a LocalCluster of --workers processes."),
    dedupe: bool = typer.Option(True, "--dedupe/--no-dedupe",
                                help="Record syndicated copies (same normalised text) once, as extra sources."),
) -> None:
    """Build or update the knowledge graph. Exit 0 all conform, 1 some article failed, 2 error."""
    from kg.errors import KGError
    from kg.pipeline import build

    for p in paths:
        if not p.exists():
            raise KGError("E007", path=str(p))
    live = err_console.is_terminal
    total = count_items(paths, fmt, glob) if live else None
    with Progress(SpinnerColumn(), TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("articles"), RateColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                  TimeRemainingColumn(), console=err_console, transient=True, disable=not live) as prog:
        task = prog.add_task("build", total=total)
        summary = build(paths, out, fmt=fmt, glob=glob, batch_size=batch_size, workers=workers, dask=dask,
                        dedupe=dedupe, progress=lambda done, n: prog.update(task, completed=done))
    print_summary(summary, out)
    raise typer.Exit(summary.exit_code)
