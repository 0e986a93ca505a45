"""End to end on the seed article: the facts the foundation issue requires, checked by SPARQL on out/kg.ttl."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

PREFIXES = """
PREFIX ck: <https://w3id.org/conflict-kg/ontology#>
PREFIX kgid: <https://w3id.org/conflict-kg/id/>
PREFIX plover: <https://w3id.org/conflict-kg/plover/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def kg_ttl(seed_build):
    out, _ = seed_build
    g = Graph()
    g.parse(out / "kg.ttl", format="turtle")
    return g


def ask(g: Graph, body: str) -> bool:
    return bool(g.query(PREFIXES + "ASK {" + body + "}").askAnswer)


def test_outputs_exist(seed_build):
    out, summary = seed_build
    for name in ("kg.trig", "kg.ttl", "report.ttl", "actors.graphml", "actors.gexf", "actors.json", "actors.html"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "store").is_dir()
    assert summary.stored == 1 and not summary.failures, summary.failures


def test_pmf_one_actor_with_both_names(kg_ttl):
    rows = list(kg_ttl.query(PREFIXES + """
        SELECT DISTINCT ?a WHERE { ?a a ?c ; skos:prefLabel|skos:altLabel|ck:mention ?n .
          FILTER(STR(?n) IN ("Popular Mobilization Forces", "PMF")) }"""))
    assert len(rows) == 1
    a = rows[0][0]
    names = {str(o) for o in kg_ttl.objects(a, None) if hasattr(o, "language")}
    assert {"Popular Mobilization Forces", "PMF"} <= names


def test_assault_us_on_kh_and_kss_in_syria_on_thursday(kg_ttl):
    assert ask(kg_ttl, """
        ?e ck:eventType plover:ASSAULT ; ck:agent ?us ; ck:target ?kh, ?kss ; ck:place ?p ; ck:date "2021-02-25"^^xsd:date .
        ?us skos:prefLabel "United States" .
        ?kh skos:prefLabel "Kata'ib Hezbollah" .
        ?kss skos:prefLabel "Kata'ib Sayyid al-Shuhada" .
        ?p ck:country "SYR" .""")


def test_threaten_from_iraqi_resistance_against_us(kg_ttl):
    assert ask(kg_ttl, """
        ?e ck:eventType plover:THREATEN ; ck:agent ?r ; ck:target ?us .
        ?r skos:prefLabel ?l . FILTER(CONTAINS(LCASE(?l), "resistance"))
        ?us skos:prefLabel "United States" .""")


def test_mobilize_pmf(kg_ttl):
    assert ask(kg_ttl, """
        ?e ck:eventType plover:MOBILIZE ; ck:agent ?a . ?a skos:prefLabel "Popular Mobilization Forces" .""")


def test_kirby_spokesperson_with_claims(kg_ttl):
    assert ask(kg_ttl, """
        ?k a ck:Person ; ck:mention "John F. Kirby" ; ck:spokespersonFor ?dod .
        ?dod ck:mention "Pentagon" .""")
    n = list(kg_ttl.query(PREFIXES + """
        SELECT (COUNT(?c) AS ?n) WHERE { ?c a ck:Claim ; ck:claimant ?k ; ck:quote ?q . ?k ck:mention "John F. Kirby" }"""))
    assert int(n[0][0]) >= 3


def test_militias_backed_by_iran(kg_ttl):
    for name in ("Kata'ib Hezbollah", "Kata'ib Sayyid al-Shuhada"):
        assert ask(kg_ttl, f"""?m skos:prefLabel "{name}" ; ck:backedBy ?i . ?i skos:prefLabel "Iran" .""")


def test_no_invented_dates(kg_ttl):
    """Every event date is supported: on or before publication, and day-exact dates only from the text."""
    rows = list(kg_ttl.query(PREFIXES + """
        SELECT ?d ?pub WHERE { ?e ck:date|ck:latest|ck:earliest ?d ; prov:wasDerivedFrom ?a . ?a schema:datePublished ?pub }"""))
    assert rows
    for d, pub in rows:
        assert d.toPython() <= pub.toPython()
    for (d,) in kg_ttl.query(PREFIXES + "SELECT ?d WHERE { ?e ck:date ?d }"):
        assert str(d) in {"2021-02-25", "2021-02-27"}


def test_every_event_and_claim_has_provenance(kg_ttl):
    assert not ask(kg_ttl, "?e a ck:Event . FILTER NOT EXISTS { ?e prov:wasDerivedFrom ?a ; ck:evidence ?s }")
    assert not ask(kg_ttl, "?c a ck:Claim . FILTER NOT EXISTS { ?c prov:wasDerivedFrom ?a }")
    assert ask(kg_ttl, "?r a prov:Activity ; ck:toolVersion ?v ; ck:model ?m .")


def test_report_conforms(seed_build):
    out, summary = seed_build
    assert summary.conforms
    rep = Graph().parse(out / "report.ttl", format="turtle")
    assert not rep.query("ASK { ?r <http://www.w3.org/ns/shacl#conforms> false }").askAnswer


def test_actor_graph_has_assault_edge_us_to_kh(seed_build):
    out, _ = seed_build
    data = json.loads((out / "actors.json").read_text())
    labels = {n["id"]: n.get("label") for n in data["nodes"]}
    edges = data.get("links") or data.get("edges")
    assert any(labels.get(e["source"]) == "United States" and labels.get(e["target"]) == "Kata'ib Hezbollah"
               and (e.get("ASSAULT", 0) or "ASSAULT" in str(e.get("types", ""))) for e in edges), edges


def test_rebuild_is_idempotent(seed_build, tmp_path):
    from kg.pipeline import build
    from kg.rdf.store import Store

    out, _ = seed_build
    with Store.open(out, read_only=True) as st:
        before = len(st)
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    again = build([seeds], out)
    assert again.stored == 0 and again.unchanged == 1
    with Store.open(out, read_only=True) as st:
        assert len(st) == before
