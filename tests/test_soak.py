"""Soak test (``-m slow``; excluded by default): 5,000 generated articles built, all removed with
``kg remove``, and built again. After the removal only the ontology and the run history are left (no
orphaned actors or places); after the rebuild the data quads and every canned query's answer are
identical to the first build's. Prints the timings and sizes measured.

    python -m pytest tests/test_soak.py -m slow -s
"""
from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.rdf.namespaces import ONTOLOGY_GRAPH, PROV, RUNS_GRAPH
from kg.rdf.store import Store

N = int(os.environ.get("KG_SOAK_ARTICLES", "5000"))

AGENTS = ["Israeli soldiers", "Russian forces", "Turkish troops", "Iranian-backed militias", "Syrian government forces",
          "Kurdish fighters", "Houthi rebels", "Ukrainian forces", "Taliban fighters", "Nigerian troops",
          "Pakistani police", "Boko Haram militants", "US forces", "Iraqi security forces", "Hamas militants",
          "Israel", "Iran", "Saudi Arabia", "Egypt", "Turkey"]
TARGETS = ["Palestinian protesters", "Ukrainian positions", "Kurdish militants", "a US base", "rebel positions",
           "Islamic State fighters", "government buildings", "Houthi positions", "Russian troops", "Afghan police",
           "a military convoy", "opposition activists", "Israeli towns", "Syrian army posts", "a border post",
           "Hamas", "Hezbollah", "the Taliban"]
VERBS = ["attacked", "shelled", "arrested", "bombed", "fired rockets at", "raided", "detained", "ambushed",
         "carried out airstrikes on", "killed three members of", "accused", "threatened", "met with",
         "imposed sanctions on", "agreed to cooperate with"]
PLACES = ["Hebron", "Kharkiv", "Aleppo", "Idlib", "Sanaa", "Kabul", "Mosul", "Baghdad", "Gaza", "Donetsk",
          "Maiduguri", "Peshawar", "Kirkuk", "Deir ez-Zor", "Kandahar", "Damascus", "Beirut", "Tripoli"]
SAY = ["the army said", "officials said", "a spokesman said", "local media reported", "the ministry said"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def article(i: int) -> dict:
    """A distinct, dated report with one or two events (same ``i`` -> same article)."""
    r = random.Random(i)
    day, month, year = 1 + i % 28, 1 + (i // 28) % 12, 2015 + (i // 336) % 8
    when = f"on {day} {MONTHS[month - 1]} {year}"
    sentences = [f"{r.choice(AGENTS)} {r.choice(VERBS)} {r.choice(TARGETS)} in {r.choice(PLACES)} {when}, "
                 f"{r.choice(SAY)}."]
    if r.random() < 0.5:
        sentences.append(f"{r.choice(AGENTS)} {r.choice(VERBS)} {r.choice(TARGETS)} near {r.choice(PLACES)} {when}.")
    sentences.append(f"Report number {i} said {r.randint(2, 90)} people were wounded.")
    return {"id": f"soak-{i:05d}", "text": " ".join(sentences), "date": f"{year}-{month:02d}-{min(day + 1, 28):02d}",
            "source": r.choice(["Wire A", "Wire B", "Shafaq News", "Reuters"])}


def kg(*args: object, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                       timeout=4 * 3600)
    return r, time.perf_counter() - t0


def snapshot(out: Path) -> dict:
    """Data quads (no ontology, runs or run links), counts and every canned query's rows (but the
    number of builds in the run history)."""
    from kg import queries

    params = {"actor_timeline": {"actor": "Israel"}, "claims_by_actor": {"actor": "Israel"},
              "actors_backed_by": {"state": "Iran"}, "events_in_country": {"country": "SYR"},
              "event_sources": {"event": "kgid:event/soak-00001/0"}}
    with Store.open(out, read_only=True) as store:
        skip = {str(ONTOLOGY_GRAPH), str(RUNS_GRAPH)}
        link = str(PROV.wasGeneratedBy)
        data = {str(q) for q in store.ox.quads_for_pattern(None, None, None, None)
                if getattr(q.graph_name, "value", None) not in skip and q.predicate.value != link}
        answers = {}
        for q in queries.all_queries():
            rows = queries.run(store, q.name, **params.get(q.name, {})).rows()
            for row in rows:
                row.pop("runs", None)  # corpus_summary counts builds: the rebuild is one more
            answers[q.name] = sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)
        runs = len(list(store.ox.quads_for_pattern(None, None, None, ox_graph(RUNS_GRAPH))))
        return {"quads": len(store), "data": data, "answers": answers, "ids": store.article_ids(),
                "graphs": store.graphs(), "runs_quads": runs}


def ox_graph(iri: object):
    import pyoxigraph as ox

    return ox.NamedNode(str(iri))


def peak_child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


@pytest.mark.slow
def test_soak_build_remove_rebuild(tmp_path):
    ids = [article(i)["id"] for i in range(N)]
    with open(tmp_path / "corpus.jsonl", "w", encoding="utf-8") as f:
        for i in range(N):
            f.write(json.dumps(article(i)) + "\n")

    r, t_build = kg("build", "corpus.jsonl", "--out", "out", cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    first = snapshot(tmp_path / "out")
    assert first["ids"] == sorted(ids)
    rss_build = peak_child_rss_mb()

    r, t_remove = kg("remove", "out", *ids, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    empty = snapshot(tmp_path / "out")
    assert empty["ids"] == [] and empty["data"] == set(), "removing every article must leave no data behind"

    r, t_rebuild = kg("build", "corpus.jsonl", "--out", "out", cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    second = snapshot(tmp_path / "out")
    rss = peak_child_rss_mb()

    print(f"\nsoak: {N} articles; build {t_build:.0f} s ({N / t_build:.1f} articles/s), remove {t_remove:.1f} s, "
          f"rebuild {t_rebuild:.0f} s; peak RSS {rss_build:.0f} MB (build), {rss:.0f} MB (all); "
          f"quads {first['quads']} -> {empty['quads']} after remove -> {second['quads']}; data quads "
          f"{len(first['data'])} / {len(second['data'])}; "
          f"runs graph {first['runs_quads']} -> {second['runs_quads']} quads; "
          + ", ".join(f"{k} {len(v)} rows" for k, v in sorted(first["answers"].items())))
    assert second["ids"] == first["ids"]
    assert len(second["data"]) == len(first["data"])
    assert second["data"] == first["data"]
    assert second["answers"] == first["answers"]
    # the only difference: the run history holds one more build
    assert second["quads"] - first["quads"] == second["runs_quads"] - first["runs_quads"] > 0
