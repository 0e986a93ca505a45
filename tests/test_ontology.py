"""Tests for ontology/conflict.ttl, ontology/plover.ttl, the shapes' consistency with them, and the
pyLODE page (kg.docs)."""
from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS

from kg.docs import ontology_html, write_ontology_page
from kg.models import ACTOR_TYPES, MODES, PLOVER_TYPES
from kg.rdf.namespaces import CK, ORG, PLOVER, SCHEMA, SEM

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "conflict.ttl"
PLOVER_TTL = ROOT / "ontology" / "plover.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
GOOD = Path(__file__).parent / "data" / "validate" / "good.ttl"
ONT_IRI = URIRef("https://w3id.org/conflict-kg/ontology")
SCHEME = URIRef(str(PLOVER))

# every ck: class and property the RDF layout of the project uses (articles, events, claims,
# actors, places, runs, PLOVER concepts)
CLASSES = ["Event", "Claim", "Place", "QuadClass", "Source", *ACTOR_TYPES]
OBJECT_PROPERTIES = ["eventType", "agent", "target", "place", "claimant", "about", "backedBy", "memberOf",
                     "spokespersonFor", "leaderOf", "partOf", "quadClass", "source", "syndicatedAs"]
DATATYPE_PROPERTIES = ["evidence", "quote", "mode", "confidence", "charStart", "charEnd", "trigger", "mention",
                       "country", "checksum", "toolVersion", "model", "placeKind", "date", "earliest", "latest",
                       "cameoQuadClass", "cameoRootCode", "textHash"]

QUADS = {
    "VerbalCooperation": (1, {"AGREE", "CONSULT", "SUPPORT", "CONCEDE"}),
    "MaterialCooperation": (2, {"COOPERATE", "AID", "RETREAT"}),
    "VerbalConflict": (3, {"REQUEST", "ACCUSE", "REJECT", "THREATEN"}),
    "MaterialConflict": (4, {"PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}),
}


@pytest.fixture(scope="module")
def ont() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def plover() -> Graph:
    return Graph().parse(PLOVER_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def test_ontology_header(ont):
    assert (ONT_IRI, RDF.type, OWL.Ontology) in ont
    assert ont.value(ONT_IRI, OWL.versionIRI) == URIRef("https://w3id.org/conflict-kg/ontology/0.1.0")
    assert ont.value(ONT_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert ont.value(ONT_IRI, DCTERMS.license) == URIRef("https://spdx.org/licenses/MIT")
    assert ont.value(ONT_IRI, DCTERMS.creator) is not None
    assert ont.value(ONT_IRI, DCTERMS.title) is not None
    assert not list(ont.objects(ONT_IRI, OWL.imports))  # nothing to fetch


@pytest.mark.parametrize("name", CLASSES)
def test_classes_declared(ont, name):
    c = CK[name]
    assert (c, RDF.type, OWL.Class) in ont
    assert ont.value(c, RDFS.label) and ont.value(c, RDFS.comment)
    if name != "Actor" and name in ACTOR_TYPES:
        assert CK.Actor in set(ont.transitive_objects(c, RDFS.subClassOf))


@pytest.mark.parametrize("name,kind", [(n, OWL.ObjectProperty) for n in OBJECT_PROPERTIES]
                         + [(n, OWL.DatatypeProperty) for n in DATATYPE_PROPERTIES])
def test_properties_declared(ont, name, kind):
    p = CK[name]
    assert (p, RDF.type, kind) in ont
    for meta in (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range):
        assert ont.value(p, meta) is not None, (name, meta)


def test_every_declared_term_is_documented(ont):
    terms = {s for s in ont.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(str(CK))}
    assert len(terms) >= len(CLASSES) + len(OBJECT_PROPERTIES) + len(DATATYPE_PROPERTIES)
    for t in terms:
        assert ont.value(t, RDFS.label) is not None and ont.value(t, RDFS.comment) is not None, t
        if any((t, RDF.type, k) in ont for k in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)):
            assert ont.value(t, RDFS.domain) is not None and ont.value(t, RDFS.range) is not None, t


@pytest.mark.parametrize("s,p,o", [
    (CK.Event, RDFS.subClassOf, SEM.Event),
    (CK.agent, RDFS.subPropertyOf, SEM.hasActor),
    (CK.target, RDFS.subPropertyOf, SEM.hasActor),
    (CK.place, RDFS.subPropertyOf, SEM.hasPlace),
    (CK.date, RDFS.subPropertyOf, SEM.hasTimeStamp),
    (CK.earliest, RDFS.subPropertyOf, SEM.hasEarliestBeginTimeStamp),
    (CK.latest, RDFS.subPropertyOf, SEM.hasLatestEndTimeStamp),
    (CK.Actor, RDFS.subClassOf, PROV.Agent),
    (CK.Actor, RDFS.subClassOf, SEM.Actor),
    (CK.Person, RDFS.subClassOf, SCHEMA.Person),
    (CK.Organization, RDFS.subClassOf, ORG.Organization),
    (CK.Place, RDFS.subClassOf, SEM.Place),
    (CK.Place, RDFS.subClassOf, SCHEMA.Place),
    (CK.Claim, RDFS.subClassOf, PROV.Entity),
    (CK.memberOf, RDFS.subPropertyOf, ORG.memberOf),
    (CK.eventType, RDFS.range, SKOS.Concept),
])
def test_reuse_axioms(ont, s, p, o):
    assert (s, p, o) in ont


def test_quad_classes(ont):
    for name, (number, _) in QUADS.items():
        q = CK[name]
        assert (q, RDF.type, CK.QuadClass) in ont
        assert ont.value(q, CK.cameoQuadClass) == Literal(number)
        assert ont.value(q, RDFS.label) and ont.value(q, RDFS.comment)


def test_plover_scheme(plover):
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in plover
    concepts = set(plover.subjects(RDF.type, SKOS.Concept))
    assert concepts == {PLOVER[t] for t in PLOVER_TYPES}
    assert set(plover.objects(SCHEME, SKOS.hasTopConcept)) == concepts


@pytest.mark.parametrize("name", PLOVER_TYPES)
def test_plover_concept(plover, name):
    c = PLOVER[name]
    assert str(c) == f"https://w3id.org/conflict-kg/plover/{name}"
    assert plover.value(c, SKOS.notation) == Literal(name)
    assert plover.value(c, SKOS.prefLabel) is not None
    definition = plover.value(c, SKOS.definition)
    assert definition is not None and len(str(definition)) > 40
    assert plover.value(c, SKOS.inScheme) == SCHEME
    assert plover.value(c, SKOS.topConceptOf) == SCHEME
    expected = next(q for q, (_, members) in QUADS.items() if name in members)
    assert plover.value(c, CK.quadClass) == CK[expected]
    assert re.fullmatch(r"\d\d", str(plover.value(c, CK.cameoRootCode)))


def test_quad_classes_cover_all_plover_types():
    assert set().union(*(m for _, m in QUADS.values())) == set(PLOVER_TYPES)


def test_shapes_use_only_declared_terms(ont, shapes):
    declared = {s for s in ont.subjects(RDF.type, None) if str(s).startswith(str(CK))}
    used = {n for t in shapes for n in t if isinstance(n, URIRef) and str(n).startswith(str(CK))}
    assert used <= declared, used - declared


def test_example_data_uses_only_declared_terms(ont):
    data = Graph().parse(GOOD, format="turtle")
    declared = {s for s in ont.subjects(RDF.type, None) if str(s).startswith(str(CK))}
    used = {n for t in data for n in (t[1], t[2]) if isinstance(n, URIRef) and str(n).startswith(str(CK))}
    assert used and used <= declared, used - declared


def test_shapes_lists_match_the_models(shapes):
    def in_list(shape: str) -> set:
        return set(Collection(shapes, shapes.value(URIRef("https://w3id.org/conflict-kg/shapes#" + shape), SH["in"])))
    assert in_list("EventTypeValueShape") == {PLOVER[t] for t in PLOVER_TYPES}
    assert in_list("EventModeShape") == {Literal(m) for m in MODES}


def test_ranges_match_shape_datatypes(ont, shapes):
    """Where a shape constrains the datatype of a ck: property, it agrees with the ontology's range."""
    checked = 0
    for shape in shapes.subjects(SH.datatype, None):
        path = shapes.value(shape, SH.path)
        if isinstance(path, URIRef) and str(path).startswith(str(CK)):
            assert ont.value(path, RDFS.range) == shapes.value(shape, SH.datatype), path
            checked += 1
    assert checked >= 10


# ------------------------------------------------------------------ pyLODE page

@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


REMOTE = re.compile(r"<script\b[^>]*\bsrc=|<link\b[^>]*rel=\"stylesheet\"[^>]*href=\"https?:"
                    r"|<img\b[^>]*src=\"https?:", re.I)


def check_page(html: str) -> None:
    assert html.lstrip().lower().startswith("<!doctype html")
    for text in ("conflict-kg ontology", ">Event<", ">Actor<", ">Armed group<", ">Claim<", ">agent<", ">target<",
                 ">claimant<", ">evidence<", ">confidence<", "PLOVER event categories", "ASSAULT", "CONCEDE",
                 "Verbal cooperation", "0.1.0"):
        assert text in html, text
    assert not REMOTE.search(html), REMOTE.search(html).group(0)
    assert "<style>" in html  # css inlined


def test_ontology_page_is_generated_offline(tmp_path, no_network):
    out = write_ontology_page(tmp_path / "docs" / "ontology.html")
    check_page(out.read_text(encoding="utf-8"))


def test_committed_ontology_page_is_current(no_network):
    committed = ROOT / "docs" / "ontology.html"
    assert committed.is_file(), "run: python -m kg.docs docs/ontology.html"
    html = committed.read_text(encoding="utf-8")
    check_page(html)
    # pyLODE orders owl:unionOf members arbitrarily, so compare the documented entities, not bytes
    ids = re.compile(r'\bid="([^"]+)"')
    assert set(ids.findall(html)) == set(ids.findall(ontology_html())), \
        "docs/ontology.html is stale: run python -m kg.docs docs/ontology.html"


def test_remote_resources_are_stripped():
    from kg.docs import _REMOTE_TAG

    page = ('<head><script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="http://cdn/x.css">'
            '<img src="https://cdn/logo.png"><a href="https://example.org/">kept</a><style>p{}</style></head>')
    assert _REMOTE_TAG.sub("", page) == '<head><a href="https://example.org/">kept</a><style>p{}</style></head>'
