"""Namespaces and IRI minting. IRIs minted from arbitrary names are always valid (percent-encoded)."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib import namespace as _rdflib_ns



class TermCache(Namespace):
    """An rdflib ``Namespace`` that mints each term once. rdflib's builds and validates a new
    ``URIRef`` on every ``NS.term`` / ``NS["term"]``, which was ~1/3 of the RDF mapping's time;
    here the first access stores it (as an instance attribute, so later ones are plain look-ups)."""

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # dunder look-ups (copy, pickle) must fail as for any object
            raise AttributeError(name)
        term = self._mint(name)
        self.__dict__[name] = term
        return term

    def __getitem__(self, key: str) -> URIRef:  # type: ignore[override]
        terms = self.__dict__.setdefault("__items", {})
        term = terms.get(key)
        if term is None:
            term = terms[key] = self._mint(key)
        return term

    def _mint(self, name: str) -> URIRef:
        closed = self.__dict__.get("__closed")  # a closed vocabulary checks its terms (AttributeError)
        return closed[name] if closed is not None else self.term(name)

    @classmethod
    def of(cls, closed: type) -> "TermCache":
        """The cached form of one of rdflib's closed vocabularies (``rdflib.namespace.PROV``...):
        unknown terms still raise."""
        ns = cls(str(closed))
        ns.__dict__["__closed"] = closed
        return ns


BASE = "https://w3id.org/conflict-kg/"
CK = TermCache(BASE + "ontology#")
ID = TermCache(BASE + "id/")
PLOVER = TermCache(BASE + "plover/")
SCHEMA = TermCache("https://schema.org/")
SEM = TermCache("http://semanticweb.cs.vu.nl/2009/11/sem/")
WD = TermCache("http://www.wikidata.org/entity/")
GEONAMES = "https://sws.geonames.org/{}/"
ORG = TermCache("http://www.w3.org/ns/org#")
DCTERMS = TermCache("http://purl.org/dc/terms/")
OWL, PROV, RDF, RDFS, SKOS, XSD = (TermCache.of(getattr(_rdflib_ns, n)) for n in ("OWL", "PROV", "RDF", "RDFS", "SKOS", "XSD"))

ONTOLOGY_GRAPH = URIRef(BASE + "ontology")
ACTORS_GRAPH = URIRef(BASE + "graph/actors")
PLACES_GRAPH = URIRef(BASE + "graph/places")
RUNS_GRAPH = URIRef(BASE + "graph/runs")
#: named graphs of syndicated copies (``kg.dedupe``): one per copy, named after the copy's id
SOURCE_GRAPH_PREFIX = BASE + "graph/source/"

PREFIXES: dict[str, str] = {
    "ck": str(CK), "kgid": str(ID), "plover": str(PLOVER), "schema": str(SCHEMA), "sem": str(SEM),
    "wd": str(WD), "prov": str(PROV), "skos": str(SKOS), "rdf": str(RDF), "rdfs": str(RDFS),
    "xsd": str(XSD), "owl": str(OWL), "org": str(ORG), "dcterms": str(DCTERMS),
}

__all__ = [
    "BASE", "CK", "ID", "PLOVER", "SCHEMA", "SEM", "WD", "ORG", "DCTERMS", "PROV", "SKOS", "RDF", "RDFS",
    "XSD", "OWL", "PREFIXES", "ONTOLOGY_GRAPH", "ACTORS_GRAPH", "PLACES_GRAPH", "RUNS_GRAPH",
    "slug", "enc", "article_iri", "graph_iri", "actor_iri", "event_iri", "claim_iri", "place_iri",
    "plover_iri", "geonames_iri", "run_iri", "sparql_prefixes",
]


def slug(name: str) -> str:
    """Normalised ascii slug of a name: ``"Kata'ib Hezbollah"`` -> ``"kataib-hezbollah"``.

    Falls back to a percent-encoded form when the name has no ascii letters (RTL text, emoji).
    """
    norm = unicodedata.normalize("NFKD", name)
    ascii_ = norm.encode("ascii", "ignore").decode("ascii").lower()
    ascii_ = re.sub(r"['\u2019\u2018`]", "", ascii_)
    s = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")
    if s:
        return s
    return enc(" ".join(name.split()).lower()) or "x"


def enc(text: str) -> str:
    """Percent-encode a string so it is safe as one IRI path segment."""
    return quote(text, safe="-._~")


def source_graph_iri(copy_id: str) -> URIRef:
    """The named graph holding one syndicated copy's record (``kg.dedupe``)."""
    return URIRef(f"{SOURCE_GRAPH_PREFIX}{enc(copy_id)}")


def article_iri(article_id: str) -> URIRef:
    return ID[f"article/{enc(article_id)}"]


def graph_iri(article_id: str) -> URIRef:
    """The named graph holding one article's triples."""
    return URIRef(f"{BASE}graph/article/{enc(article_id)}")


def actor_iri(actor_id: str) -> URIRef:
    return ID[f"actor/{enc(actor_id)}"]


def event_iri(article_id: str, n: int) -> URIRef:
    return ID[f"event/{enc(article_id)}/{n}"]


def claim_iri(article_id: str, n: int) -> URIRef:
    return ID[f"claim/{enc(article_id)}/{n}"]


def place_iri(place_id: str) -> URIRef:
    return ID[f"place/{enc(place_id)}"]


def plover_iri(event_type: str) -> URIRef:
    return PLOVER[event_type]


def geonames_iri(geonames_id: int) -> URIRef:
    return URIRef(GEONAMES.format(int(geonames_id)))


def run_iri(run_id: str) -> URIRef:
    return ID[f"run/{enc(run_id)}"]


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above (for canned queries)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
