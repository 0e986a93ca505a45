"""``kg eval GOLD.jsonl [--json]``: score extraction on a gold file."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from kg.commands.app import app, console


@app.command("eval")
def eval_cmd(
    gold: Path = typer.Argument(..., help="Gold JSONL (shared/eval format)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """Type micro/macro F1, triple F1, actor F1, per-type P/R/F1, no-event accuracy."""
    from kg.eval import evaluate

    sc = evaluate(gold).as_dict()
    if as_json:
        typer.echo(json.dumps(sc, indent=1))
        raise typer.Exit(0)
    t = Table(title=f"kg eval {gold.name} ({sc['records']} records)")
    for col in ("metric", "P", "R", "F1"):
        t.add_column(col, justify="right" if col != "metric" else "left")
    for name, key in (("event type (micro)", "type_micro"), ("(type, source, target)", "triple"), ("actors", "actor")):
        t.add_row(name, f"{sc[key + '_precision']:.3f}", f"{sc[key + '_recall']:.3f}", f"{sc[key + '_f1']:.3f}")
    t.add_row("event type (macro)", "", "", f"{sc['type_macro_f1']:.3f}")
    console.print(t)
    pt = Table(title="per type")
    for col in ("type", "P", "R", "F1", "gold"):
        pt.add_column(col, justify="right" if col != "type" else "left")
    for ty, v in sc["per_type"].items():
        pt.add_row(ty, f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}", str(v["support"]))
    console.print(pt)
    ne = sc["no_event_accuracy"]
    console.print(f"no-event accuracy: {'n/a' if ne is None else f'{ne:.3f}'} ({sc['no_event_records']} records); "
                  f"throughput {sc['sentences_per_second']:.1f} sentences/s")
