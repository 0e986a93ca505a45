"""The persistent store: idempotent, atomic writes; canonical actors; removal; errors; crash safety."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Graph, Literal, URIRef

from kg.errors import KGError
from kg.rdf.namespaces import (
    ACTORS_GRAPH, CK, ONTOLOGY_GRAPH, PLACES_GRAPH, PROV, RDF, RUNS_GRAPH, SCHEMA, SKOS, XSD, actor_iri,
    article_iri, event_iri, graph_iri, run_iri,
)
from kg.rdf.store import BULK_MIN_QUADS, ArticleRecord, Store, resolve_store_dir

DATA = Path(__file__).parent / "data" / "store"
SAMPLE = DATA / "sample.trig"
ROOT = Path(__file__).resolve().parent.parent


def sample_dataset() -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(SAMPLE, format="trig")
    return ds


def _describe(source: Graph, nodes: set) -> Graph:
    """The descriptions of ``nodes`` and of what they point to in ``source`` (a city's country...)."""
    out, todo, seen = Graph(), list(nodes), set(nodes)
    while todo:
        n = todo.pop()
        for p, o in source.predicate_objects(n):
            out.add((n, p, o))
            if (o, None, None) in source and o not in seen:
                seen.add(o)
                todo.append(o)
    return out


def sample_records() -> tuple[list[ArticleRecord], Graph]:
    """The fixture's articles as the mapping would hand them to the store, and its run graph."""
    ds = sample_dataset()
    actors, places = ds.graph(ACTORS_GRAPH), ds.graph(PLACES_GRAPH)
    records = []
    for g in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        if "/graph/article/" not in str(g.identifier):
            continue
        art = next(g.subjects(RDF.type, SCHEMA.NewsArticle))
        nodes = set(g.all_nodes())
        own = Graph()
        own += g
        records.append(ArticleRecord(
            str(next(g.objects(art, SCHEMA.identifier))), str(next(g.objects(art, CK.checksum))), own,
            _describe(actors, {n for n in nodes if (n, None, None) in actors}),
            _describe(places, {n for n in nodes if (n, None, None) in places})))
    run = Graph()
    run += ds.graph(RUNS_GRAPH)
    return records, run


def nquads(store: Store) -> set[str]:
    return set(store.ox.dump(format=ox.RdfFormat.N_QUADS).decode().splitlines())


def labels(store: Store, actor: str) -> list[str]:
    rows = store.select(f"SELECT ?l WHERE {{ GRAPH <{ACTORS_GRAPH}> {{ <{actor_iri(actor)}> skos:prefLabel ?l }} }}")
    return sorted(str(r["l"]) for r in rows)


@pytest.fixture()
def store(tmp_path):
    with Store.open(tmp_path / "out") as s:
        yield s


@pytest.fixture()
def filled(store):
    records, run = sample_records()
    store.write_articles(records, run=run)
    return store


# ----------------------------------------------------------------------------- opening


def test_resolve_store_dir(tmp_path):
    assert resolve_store_dir(tmp_path / "out") == tmp_path / "out" / "store"
    assert resolve_store_dir(tmp_path / "out" / "store") == tmp_path / "out" / "store"
    with Store.open(tmp_path / "out"):
        pass
    assert (tmp_path / "out" / "store" / "CURRENT").exists()
    assert resolve_store_dir(tmp_path / "out" / "store") == tmp_path / "out" / "store"


def test_read_only_missing_store_is_E040(tmp_path):
    with pytest.raises(KGError) as e:
        Store.open(tmp_path / "nothing", read_only=True)
    assert e.value.code == "E040" and e.value.exit_code == 2


def test_second_writer_is_E041(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from kg.rdf.store import Store
            s = Store.open({str(tmp_path / 'out')!r})
            print("open", flush=True)
            sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(KGError) as e:
            Store.open(tmp_path / "out")
        assert e.value.code == "E041"
        with Store.open(tmp_path / "out", read_only=True) as ro:  # readers take no lock
            assert len(ro) == 0
    finally:
        holder.stdin.close()
        holder.wait(20)


def test_same_process_second_writer_is_E041(store):
    with pytest.raises(KGError) as e:
        Store.open(store.path)
    assert e.value.code == "E041"


def test_read_only_store_reads_and_refuses_writes(filled, tmp_path):
    filled.flush()
    with Store.open(filled.path, read_only=True) as ro:
        assert ro.article_ids() == filled.article_ids()
        with pytest.raises(KGError) as e:
            ro.write_articles(sample_records()[0])
        assert e.value.code == "E043"


def test_close_releases_the_lock(tmp_path):
    s = Store.open(tmp_path / "out")
    s.close()
    with Store.open(tmp_path / "out") as again:
        assert len(again) == 0


# ----------------------------------------------------------------------------- writing


def test_write_stores_graphs_and_canonical_descriptions(filled):
    assert filled.article_ids() == ["000_4c24130db366d2cc", "b-2021-03-03", "c/with slash"]
    assert filled.stored_checksum("c/with slash") == "3" * 64
    assert filled.stored_checksum("not-there") is None
    assert filled.has_article("b-2021-03-03")
    graphs = set(filled.graphs())
    assert {str(ACTORS_GRAPH), str(PLACES_GRAPH), str(RUNS_GRAPH), str(graph_iri("c/with slash"))} <= graphs
    assert labels(filled, "usa") == ["United States"]
    with Store.open(filled.path.parent / "fixture") as fixture:  # the same quads as the fixture file
        fixture.bulk_load(SAMPLE, "trig")
        expected = {q for q in nquads(fixture) if not q.endswith(f"<{ONTOLOGY_GRAPH}> .")}
    assert nquads(filled) == expected and len(filled) == 204


def test_same_records_twice_change_nothing(filled):
    before = nquads(filled)
    records, run = sample_records()
    filled.write_articles(records, run=run)  # replace path: every graph exists
    assert nquads(filled) == before
    filled.write_articles(records[:1], run=run)
    assert nquads(filled) == before


def test_changed_article_replaces_its_graph(filled):
    records, _ = sample_records()
    old = records[1]  # b-2021-03-03
    g = Graph()
    a = article_iri(old.article_id)
    for t in old.graph.triples((a, None, None)):
        if t[1] not in (CK.checksum, PROV.wasGeneratedBy):
            g.add(t)
    g.add((a, CK.checksum, Literal("f" * 64)))
    g.add((a, PROV.wasGeneratedBy, run_iri("r2")))
    e = event_iri(old.article_id, 0)
    g.add((e, RDF.type, CK.Event))
    g.add((e, CK.eventType, URIRef("https://w3id.org/conflict-kg/plover/PROTEST")))
    g.add((e, PROV.wasDerivedFrom, a))
    g.add((e, CK.agent, actor_iri("new-group")))
    actors = Graph()
    actors.add((actor_iri("new-group"), RDF.type, CK.Group))
    actors.add((actor_iri("new-group"), SKOS.prefLabel, Literal("New Group")))
    run = Graph()
    run.add((graph_iri(old.article_id), PROV.wasGeneratedBy, run_iri("r2")))
    filled.write_articles([ArticleRecord(old.article_id, "f" * 64, g, actors, Graph())], run=run)

    assert filled.stored_checksum(old.article_id) == "f" * 64
    assert not filled.ask(f"ASK {{ GRAPH <{graph_iri(old.article_id)}> {{ ?e ck:mode \"hypothetical\" }} }}")
    assert filled.ask(f"ASK {{ GRAPH <{graph_iri(old.article_id)}> {{ <{e}> ck:agent <{actor_iri('new-group')}> }} }}")
    assert labels(filled, "new-group") == ["New Group"]
    # the replaced graph's old run link is gone, the new one is there, the others are untouched
    runs = filled.select(f"SELECT ?g ?r WHERE {{ GRAPH <{RUNS_GRAPH}> {{ ?g prov:wasGeneratedBy ?r }} }}")
    assert {(r["g"], r["r"]) for r in runs} == {
        (str(graph_iri("000_4c24130db366d2cc")), str(run_iri("r1"))),
        (str(graph_iri("c/with slash")), str(run_iri("r1"))),
        (str(graph_iri(old.article_id)), str(run_iri("r2")))}
    assert filled.article_ids() == ["000_4c24130db366d2cc", "b-2021-03-03", "c/with slash"]


def test_replacement_drops_descriptions_nothing_refers_to_any_more(filled):
    def record(version: int, actor: str) -> ArticleRecord:
        g, actors = Graph(), Graph()
        a = article_iri("lonely-news")
        g.add((a, RDF.type, SCHEMA.NewsArticle))
        g.add((a, CK.checksum, Literal(str(version) * 64)))
        g.add((event_iri("lonely-news", 0), CK.agent, actor_iri(actor)))
        g.add((event_iri("lonely-news", 0), CK.target, actor_iri("usa")))
        actors.add((actor_iri(actor), SKOS.prefLabel, Literal(actor.title())))
        actors.add((actor_iri(actor), CK.memberOf, actor_iri(f"{actor}-parent")))
        actors.add((actor_iri(f"{actor}-parent"), SKOS.prefLabel, Literal(f"{actor} parent")))
        return ArticleRecord("lonely-news", str(version) * 64, g, actors, Graph())

    filled.write_articles([record(1, "lonely")])
    assert labels(filled, "lonely") == ["Lonely"] and labels(filled, "lonely-parent") == ["lonely parent"]
    filled.write_articles([record(2, "other")])
    assert labels(filled, "lonely") == [] and labels(filled, "lonely-parent") == []  # the chain goes too
    assert labels(filled, "other") == ["Other"] and labels(filled, "usa") == ["United States"]


def test_first_writer_wins_for_actor_descriptions(filled):
    g = Graph()
    a = article_iri("d")
    g.add((a, RDF.type, SCHEMA.NewsArticle))
    g.add((a, CK.checksum, Literal("d" * 64)))
    g.add((a, SCHEMA.mentions, actor_iri("usa")))
    g.add((a, SCHEMA.mentions, actor_iri("brand-new")))
    rival = Graph()
    rival.add((actor_iri("usa"), SKOS.prefLabel, Literal("USA!!")))
    rival.add((actor_iri("usa"), CK.country, Literal("XXX")))
    rival.add((actor_iri("brand-new"), SKOS.prefLabel, Literal("Brand New")))
    twin = Graph()  # a second record in the same batch describing brand-new differently
    twin.add((actor_iri("brand-new"), SKOS.prefLabel, Literal("Second Opinion")))
    g2 = Graph()
    g2.add((article_iri("e"), RDF.type, SCHEMA.NewsArticle))
    filled.write_articles([ArticleRecord("d", "d" * 64, g, rival, Graph()),
                           ArticleRecord("e", "e" * 64, g2, twin, Graph())])
    assert labels(filled, "usa") == ["United States"]
    assert not filled.ask(f"ASK {{ <{actor_iri('usa')}> ck:country \"XXX\" }}")
    assert labels(filled, "brand-new") == ["Brand New"]
    dup = filled.select(f"SELECT ?a WHERE {{ GRAPH <{ACTORS_GRAPH}> {{ ?a skos:prefLabel ?l1, ?l2 FILTER(?l1 != ?l2) }} }}")
    assert dup == []


TRICKY = [
    Literal('quote " and \\ backslash'),
    Literal("line\nbreak\r and tab\t"),
    Literal("escape-looking \\u0022 text \\n"),
    Literal("control \x01 char and emoji \U0001F600 and RTL \u062d\u0632\u0628"),
    Literal("x\" } ; DROP ALL ; #"),
    Literal("bonjour", lang="fr"),
    Literal("2021-02-27", datatype=XSD.date),
    Literal("0.5", datatype=XSD.decimal),
]


def test_replace_path_keeps_tricky_literals_exact(store):
    """The replace path (one SPARQL Update) stores exactly what the N-Quads path stores."""
    g = Graph()
    a = article_iri("tricky")
    for i, lit in enumerate(TRICKY):
        g.add((a, URIRef(f"https://example.org/p{i}"), lit))
    rec = ArticleRecord("tricky", "t" * 64, g, Graph(), Graph())
    store.write_articles([rec])  # N-Quads path
    first = nquads(store)
    store.write_articles([rec])  # update path
    assert nquads(store) == first
    got = {r["o"] for r in store.select(f"SELECT ?o WHERE {{ <{a}> ?p ?o }}")}
    assert 'quote " and \\ backslash' in got and "escape-looking \\u0022 text \\n" in got
    assert dt.date(2021, 2, 27) in got


def test_run_only_write_and_empty_write(store):
    run = Graph()
    run.add((run_iri("r9"), RDF.type, PROV.Activity))
    store.write_articles([], run=run)
    store.write_articles([])
    assert len(store) == 1


def test_set_ontology_replaces_the_graph(store):
    g1, g2 = Graph(), Graph()
    g1.add((CK.Event, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    g2.add((CK.Claim, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    store.set_ontology(g1)
    store.set_ontology(g2)
    rows = store.select(f"SELECT ?c WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?c a ?t }} }}")
    assert [r["c"] for r in rows] == [str(CK.Claim)]


# ----------------------------------------------------------------------------- removing


def test_remove_articles(filled):
    assert filled.remove_articles(["c/with slash", "not-stored", "c/with slash"]) == 1
    assert filled.article_ids() == ["000_4c24130db366d2cc", "b-2021-03-03"]
    assert not filled.ask(f"ASK {{ GRAPH <{RUNS_GRAPH}> {{ <{graph_iri('c/with slash')}> ?p ?o }} }}")
    assert labels(filled, "iran") == ["Iran"]  # still referenced by the seed article
    assert filled.remove_articles([]) == 0


def test_removing_everything_leaves_no_orphans(filled):
    assert filled.remove_articles(filled.article_ids()) == 3
    assert filled.article_ids() == []
    left = filled.select(f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN (<{ACTORS_GRAPH}>, <{PLACES_GRAPH}>)) }}")
    assert left == []  # the memberOf (Pentagon -> USA) and partOf chains are collected too
    assert filled.select(f"SELECT ?g WHERE {{ GRAPH <{RUNS_GRAPH}> {{ ?g prov:wasGeneratedBy ?r }} }}") == []


def test_actor_shared_by_two_articles_survives_removal_of_one(filled):
    filled.remove_articles(["b-2021-03-03"])
    assert labels(filled, "kataib-hezbollah") == ["Kata'ib Hezbollah"]
    assert labels(filled, "usa") == ["United States"]


def test_cli_remove(filled, tmp_path, capsys):
    from kg.cli import main

    out = filled.path.parent
    filled.close()
    with pytest.raises(SystemExit) as e:
        main(["remove", str(out), "c/with slash", "never-stored", "--no-export"])
    captured = capsys.readouterr()
    assert e.value.code == 0 and "removed 1 article; 2 left" in captured.out
    assert "never-stored" in captured.err and "W002" in captured.err
    with pytest.raises(SystemExit) as e:
        main(["remove", str(out), "b-2021-03-03"])  # rewrites kg.trig, kg.ttl and the actor graphs
    assert e.value.code == 0
    trig = rdflib.Dataset().parse(out / "kg.trig", format="trig")
    assert {str(g.identifier) for g in trig.graphs() if "/graph/article/" in str(g.identifier)} == {
        str(graph_iri("000_4c24130db366d2cc"))}
    assert (out / "actors.graphml").exists()


# ----------------------------------------------------------------------------- querying


def test_select_gives_python_values(filled):
    rows = filled.select("""SELECT ?d ?c ?n ?iri ?missing WHERE {
        ?e ck:date ?d ; ck:confidence ?c ; ck:charStart ?n ; ck:agent ?iri } ORDER BY ?d LIMIT 1""")
    assert rows == [{"d": dt.date(2021, 2, 25), "c": 0.8, "n": 1905,
                     "iri": str(actor_iri("usa")), "missing": None}]


def test_query_params_are_typed_terms_not_text(filled):
    q = "SELECT ?a WHERE { ?a skos:prefLabel ?name }"
    assert filled.select(q, name="Iran") == [{"a": str(actor_iri("iran"))}]
    assert filled.select(q, name='Iran" } ; DROP ALL ; #') == []
    assert filled.select("SELECT ?l WHERE { ?a skos:prefLabel ?l }", a="kgid:actor/usa") == [{"l": "United States"}]
    assert filled.select("SELECT ?l WHERE { ?a skos:prefLabel ?l }", a=f"<{actor_iri('iran')}>") == [{"l": "Iran"}]
    rows = filled.select("SELECT ?e WHERE { ?e ck:date ?d }", d=dt.date(2021, 4, 9))
    assert rows == [{"e": str(event_iri("c/with slash", 0))}]
    assert len(filled.select("SELECT ?a WHERE { ?a skos:prefLabel ?name }", name=["Iran", "Iraqi Resistance"])) == 2
    assert len(filled) == 204  # nothing was dropped


def test_bad_query_is_E042_with_position(filled):
    with pytest.raises(KGError) as e:
        filled.query("SELECT ?x WHERE {\n  ?x ck:date \n}")
    assert e.value.code == "E042" and "line 3, column" in e.value.message
    with pytest.raises(KGError) as e:
        filled.query("SELECT ?x WHERE { ?x nope:thing ?y }", y="z")
    assert "line 1" in e.value.message and "unknown prefix 'nope:'" in e.value.message
    with pytest.raises(KGError) as e:
        filled.query("DROP ALL")  # updates are not queries
    assert e.value.code == "E042"


def test_result_serialisations(filled):
    res = filled.query("SELECT ?l WHERE { <https://w3id.org/conflict-kg/id/actor/iran> skos:prefLabel ?l }")
    assert res.serialize(fmt="csv").splitlines() == [b"l", b"Iran"]
    assert b'"value":"Iran"' in filled.query("SELECT ?l WHERE { ?a skos:prefLabel ?l }", a="kgid:actor/iran").serialize(fmt="json")
    ask = filled.query("ASK { ?a skos:prefLabel 'Iran' }")
    assert ask.kind == "ask" and bool(ask) and ask.rows() == [{"ask": True}]
    g = filled.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{PLACES_GRAPH}> {{ ?s ?p ?o }} }}").to_rdflib()
    assert len(g) == 19


def test_bulk_load(tmp_path):
    with Store.open(tmp_path / "bulk") as s:
        s.bulk_load(SAMPLE, "trig")
        assert len(s) == 224  # quads: the same triple in two article graphs counts twice
        with pytest.raises(KGError) as e:
            s.bulk_load(b"<a> <b> .", "nt")
        assert e.value.code == "E030"
        assert len(s) == 224


# ----------------------------------------------------------------------------- crash safety

_CHILD = textwrap.dedent("""
    import sys
    from rdflib import Graph, Literal
    from kg.rdf.namespaces import CK, RDF, SCHEMA, SKOS, actor_iri, article_iri, event_iri
    from kg.rdf.store import ArticleRecord, Store

    def rec(i, version, events):
        aid = f"art-{i}"
        g, actors = Graph(), Graph()
        a = article_iri(aid)
        g.add((a, RDF.type, SCHEMA.NewsArticle))
        g.add((a, CK.checksum, Literal(f"v{version}-{i}")))
        for e in range(events):
            ev = event_iri(aid, e)
            for k in range(9):
                g.add((ev, CK.evidence, Literal(f"sentence {k} of event {e}, version {version}")))
            g.add((ev, CK.agent, actor_iri(f"actor-{i}-{e % 7}")))
            actors.add((actor_iri(f"actor-{i}-{e % 7}"), SKOS.prefLabel, Literal(f"Actor {i} {e % 7}")))
        return ArticleRecord(aid, f"v{version}-{i}", g, actors, Graph())

    class Tattle:
        '''Says when the store transaction starts.'''
        def __init__(self, inner):
            self.inner = inner
        def __getattr__(self, name):
            attr = getattr(self.inner, name)
            if name in ("load", "bulk_load", "update"):
                def call(*a, **k):
                    print("tx", flush=True)
                    return attr(*a, **k)
                return call
            return attr

    path, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store.open(path)
    if mode == "seed":
        store.write_articles([rec(i, 1, 10) for i in range(5)])
        store.close()
        print("done", flush=True)
        sys.exit(0)
    ids = range(5) if mode == "replace" else range(100, 105)
    records = [rec(i, 2, n // (10 * len(ids)) + 1) for i in ids]
    store._ox = Tattle(store._ox)
    store.write_articles(records)
    print("done", flush=True)
""")


def _child(tmp_path: Path, *args: str) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    return subprocess.Popen([sys.executable, str(script), str(tmp_path / "out"), *args],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("mode", ["add", "replace"])
def test_sigkill_during_write_keeps_the_last_committed_state(tmp_path, mode):
    seed = _child(tmp_path, "seed", "0")
    assert seed.communicate(timeout=60)[0].strip() == "done"
    with Store.open(tmp_path / "out", read_only=True) as before:
        committed = nquads(before)
        assert before.article_ids() == [f"art-{i}" for i in range(5)]

    child = _child(tmp_path, mode, str(max(BULK_MIN_QUADS, 50_000) + 10_000))  # long enough to be killed
    assert child.stdout.readline().strip() == "tx"
    time.sleep(0.2)
    assert child.poll() is None, "the write finished before the kill: make the batch bigger"
    child.send_signal(signal.SIGKILL)
    child.wait(30)

    with Store.open(tmp_path / "out") as after:
        assert after.article_ids() == [f"art-{i}" for i in range(5)]
        assert {after.stored_checksum(f"art-{i}") for i in range(5)} == {f"v1-{i}" for i in range(5)}
        assert nquads(after) == committed
        after.remove_articles(["art-0"])  # and it is still writable
        assert len(after.article_ids()) == 4


def test_a_new_store_is_created_whole_or_not_at_all(tmp_path, monkeypatch):
    """A store is created in a sibling folder and renamed into place: a process killed while RocksDB
    creates its files never leaves a store that does not open (nor a temporary folder)."""
    from kg.rdf import store as store_mod

    def dies(path):  # killed half-way: some files there, no column families
        (Path(path) / "CURRENT").write_text("MANIFEST-000001\n")
        raise OSError("killed")

    monkeypatch.setattr(store_mod.ox, "Store", dies)
    with pytest.raises(KGError):
        Store.open(tmp_path / "out")
    monkeypatch.undo()
    assert not (tmp_path / "out" / "store").exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == []  # no temporary folder left
    with Store.open(tmp_path / "out") as st:
        assert len(st) == 0
    with Store.open(tmp_path / "out", read_only=True) as st:
        assert len(st) == 0
