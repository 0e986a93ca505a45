"""Tests for kg.rdf.mapping's TripleGraph: it holds exactly what a plain rdflib Graph holds, defers
indexing until a pattern query, and binds its prefixes when first asked for them."""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.rdf.mapping import TripleGraph, _graph
from kg.rdf.namespaces import CK, ID

A = URIRef(ID + "actor/usa")
B = URIRef(ID + "actor/iran")
TRIPLES = [(A, RDF.type, CK.State), (A, SKOS.prefLabel, Literal("United States", lang="en")),
           (B, RDF.type, CK.State), (A, CK.opposes, B), (A, RDF.type, CK.State)]


def _plain() -> Graph:
    g = Graph()
    for t in TRIPLES:
        g.add(t)
    return g


def test_triple_graph_holds_what_a_graph_holds():
    g = TripleGraph()
    for t in TRIPLES:
        g.add(t)
    assert g._pending is not None  # adds alone never index
    assert len(g) == len(_plain()) == 4 and set(g) == set(_plain())
    assert (A, CK.opposes, B) in g and (B, CK.opposes, A) not in g
    assert g._pending is not None
    assert sorted(g.subjects(RDF.type, CK.State)) == sorted(_plain().subjects(RDF.type, CK.State))  # indexes now
    assert g._pending is None
    g.add((B, SKOS.prefLabel, Literal("Iran", lang="en")))
    g.remove((A, CK.opposes, None))
    expected = _plain()
    expected.add((B, SKOS.prefLabel, Literal("Iran", lang="en")))
    expected.remove((A, CK.opposes, None))
    assert set(g) == set(expected) and len(g) == 4
    assert set(Graph().parse(data=g.serialize(format="nt"), format="nt")) == set(expected)


def test_mapping_graphs_bind_their_prefixes_lazily():
    g = _graph()
    assert g._prefixes  # nothing bound while the mapping adds triples
    g.add((A, RDF.type, CK.State))
    text = g.serialize(format="turtle")
    assert "@prefix ck: <https://w3id.org/conflict-kg/ontology#>" in text  # bound when serialised
    assert not g._prefixes
    assert {"ck", "kgid", "schema", "skos", "prov", "rdf", "xsd"} <= {p for p, _ in g.namespaces()}
    # a namespace manager set by the caller wins, and the pending prefixes are dropped
    other = _graph()
    other.namespace_manager = Graph(bind_namespaces="none").namespace_manager
    assert not other._prefixes and "ck" not in {p for p, _ in other.namespaces()}
