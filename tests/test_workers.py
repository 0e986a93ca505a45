"""``--workers N``: extraction in local processes gives the same store as one process."""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.distributed import EXECUTORS, LocalExecutor, ProcessExecutor, SerializedGraph, make_executor
from kg.pipeline import MAX_KEPT, Failure, Summary, build
from kg.rdf.store import Store

DATA = Path(__file__).parent / "data" / "throughput"
SKIP_GRAPHS = ("https://w3id.org/conflict-kg/graph/runs", "https://w3id.org/conflict-kg/ontology")
GENERATED_BY = "http://www.w3.org/ns/prov#wasGeneratedBy"


def content(out: Path) -> set[tuple[str, str, str, str]]:
    """Every quad except the run's provenance (its id and times differ) and the ontology's blank nodes."""
    with Store.open(out, read_only=True) as st:
        return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in st.ox
                if str(q.graph_name).strip("<>") not in SKIP_GRAPHS and q.predicate.value != GENERATED_BY}


def test_two_workers_store_the_same_content_as_one(tmp_path):
    inputs = [DATA / "articles.jsonl", DATA / "syndicated.jsonl"]
    one = build(inputs, tmp_path / "one", export=False, batch_size=2)
    two = build(inputs, tmp_path / "two", export=False, batch_size=2, workers=2)
    assert (two.executor, two.workers) == ("processes", 2)
    assert (one.stored, one.duplicates) == (two.stored, two.duplicates) == (6, 1)
    assert one.events_by_type == two.events_by_type and one.claims == two.claims
    a, b = content(tmp_path / "one"), content(tmp_path / "two")
    assert len(a) > 100 and a == b


def test_executor_choice():
    assert isinstance(make_executor(1), LocalExecutor)
    assert EXECUTORS.names() == ["dask", "local", "processes"]
    assert ProcessExecutor.name == "processes"


def test_serialized_graph_answers_from_bytes_and_parses_on_demand():
    g = Graph()
    g.add((URIRef("http://x/a"), URIRef("http://x/p"), Literal("line\nbreak")))
    g.add((URIRef("http://x/a"), URIRef("http://x/q"), URIRef("http://x/b")))
    nt = g.serialize(format="nt", encoding="utf-8")
    s = SerializedGraph(nt)
    assert len(s) == 2 and s.serialize(format="nt", encoding="utf-8") is nt
    assert set(s) == set(g)
    s.add((URIRef("http://x/b"), URIRef("http://x/p"), Literal(1)))
    assert len(s) == 3 and s.serialize(format="nt", encoding="utf-8").count(b"\n") == 3


def test_summary_keeps_counts_exact_but_lists_bounded():
    s = Summary()
    for i in range(MAX_KEPT + 5):
        s.fail(Failure(str(i), "x", "E021", "boom"))
        s.warn("w")
    assert (s.failed, len(s.failures), s.warned, len(s.warnings)) == (MAX_KEPT + 5, MAX_KEPT, MAX_KEPT + 5, MAX_KEPT)
    assert s.exit_code == 1
