"""Map a resolved :class:`kg.models.Extraction` to RDF: the article's named-graph content, plus the
canonical descriptions of the actors and places it references (stored once, in their own graphs)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Iterable

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kg.dictionary import load_dictionary
from kg.models import Actor, Article, Extraction, Place
from kg.rdf.namespaces import (
    CK, ID, PROV, RDF, RDFS, SCHEMA, SKOS, WD, XSD, article_iri, claim_iri, enc, event_iri,
    geonames_iri, plover_iri, slug,
)
from kg.rdf.namespaces import actor_iri as _actor_iri
from kg.rdf.namespaces import place_iri as _place_iri

#: IRIs of actors / places recur across articles: percent-encoding them once is enough
actor_iri = lru_cache(maxsize=1 << 16)(_actor_iri)
place_iri = lru_cache(maxsize=1 << 16)(_place_iri)

RELATIONS = {"backedBy": CK.backedBy, "memberOf": CK.memberOf, "spokespersonFor": CK.spokespersonFor,
             "leaderOf": CK.leaderOf}

# Literals of short, repeated values (labels, names, modes, offsets, dates) are made once: rdflib
# normalises and casts on every ``Literal(...)``, which was a third of the mapping's time.
@lru_cache(maxsize=1 << 16)
def _plain(text: str) -> Literal:
    return Literal(text)


@lru_cache(maxsize=1 << 14)
def _integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


@lru_cache(maxsize=256)
def _decimal(lexical: str) -> Literal:
    return Literal(Decimal(lexical), datatype=XSD.decimal)


@lru_cache(maxsize=1 << 12)
def _date(iso: str) -> Literal:
    return Literal(iso, datatype=XSD.date)


@dataclass(frozen=True)
class ArticleGraphs:
    """The RDF of one article: its own triples and the shared descriptions it references."""

    article_id: str
    checksum: str
    graph: Graph
    actors: Graph
    places: Graph


class TripleGraph(Graph):
    """An rdflib Graph that collects triples cheaply until something needs its indexes.

    ``add``, iteration, ``len`` and N-Triples serialisation work on an insertion-ordered set; the
    first pattern query (``triples``, ``subjects``, SPARQL, ``remove`` ...) indexes the triples into
    the usual in-memory store once. The triples are exactly those a plain Graph would hold; only the
    per-``add`` cost of rdflib's indexed store (about 3/4 of the mapping time) is deferred or avoided.
    """

    def __init__(self, *args, prefixes: Iterable[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pending: dict[tuple, None] | None = {}
        self._prefixes = tuple(prefixes)  # bound on the namespace manager's first use, not per graph made

    @property  # type: ignore[override]
    def namespace_manager(self) -> NamespaceManager:
        nm = Graph.namespace_manager.fget(self)  # type: ignore[attr-defined]
        if self._prefixes:
            prefixes, self._prefixes = self._prefixes, ()
            for prefix, ns in prefixes:
                nm.bind(prefix, ns)
        return nm

    @namespace_manager.setter
    def namespace_manager(self, nm: NamespaceManager) -> None:
        self._prefixes = ()
        Graph.namespace_manager.fset(self, nm)  # type: ignore[attr-defined]

    def _index(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            if pending:
                Graph.addN(self, ((s, p, o, self) for s, p, o in pending))

    def add(self, triple):  # type: ignore[override]
        if self._pending is None:
            return super().add(triple)
        self._pending[triple] = None
        return self

    def addN(self, quads):  # type: ignore[override]  # noqa: N802 - rdflib's name
        self._index()
        return super().addN(quads)

    def remove(self, triple):  # type: ignore[override]
        self._index()
        return super().remove(triple)

    def triples(self, triple):  # type: ignore[override]
        self._index()
        return super().triples(triple)

    def __iter__(self):
        if self._pending is not None:
            return iter(list(self._pending))
        return super().__iter__()

    def __len__(self) -> int:
        return len(self._pending) if self._pending is not None else super().__len__()

    def __contains__(self, triple) -> bool:
        if self._pending is not None and all(isinstance(t, Node) for t in triple):
            return tuple(triple) in self._pending
        return super().__contains__(triple)


#: prefixes of the graphs :func:`to_rdf` makes (bound when a serialiser or query first asks)
_PREFIXES = (("ck", CK), ("kgid", ID), ("schema", SCHEMA), ("skos", SKOS), ("prov", PROV))


def _graph() -> Graph:
    return TripleGraph(bind_namespaces="core", prefixes=_PREFIXES)


def describe_actor(g: Graph, a: Actor) -> URIRef:
    """Canonical description: class, one prefLabel, country, Wikidata link, dictionary relations."""
    node = actor_iri(a.id)
    g.add((node, RDF.type, CK[a.type]))
    g.add((node, SKOS.prefLabel, _plain(a.label)))
    if a.country:
        g.add((node, CK.country, _plain(a.country)))
    if a.qid:
        g.add((node, SKOS.exactMatch, WD[a.qid]))
    if a.from_dictionary:
        entry = load_dictionary().by_id(a.id)
        if entry is not None:
            for alias in entry.aliases:
                if alias != a.label:
                    g.add((node, SKOS.altLabel, _plain(alias)))
            if entry.part_of:
                g.add((node, CK.memberOf, actor_iri(entry.part_of)))
                parent = load_dictionary().by_id(entry.part_of)
                if parent is not None:
                    describe_actor(g, Actor(id=parent.id, label=parent.label, type=parent.type, country=parent.country,
                                            qid=parent.qid, from_dictionary=False))
    return node


def describe_place(g: Graph, p: Place) -> URIRef:
    node = place_iri(p.id)
    g.add((node, RDF.type, CK.Place))
    g.add((node, SKOS.prefLabel, _plain(p.label)))
    g.add((node, CK.placeKind, _plain(p.kind)))
    if p.geonames_id is not None:
        g.add((node, SKOS.exactMatch, geonames_iri(p.geonames_id)))
    if p.country:
        g.add((node, CK.country, _plain(p.country)))
    if p.part_of:
        g.add((node, CK.partOf, place_iri(p.part_of)))
        parent = country_place_by_id(p.part_of)
        if parent is not None:
            describe_place(g, parent)
    if p.lat is not None and p.lon is not None:
        g.add((node, SCHEMA.latitude, Literal(Decimal(str(round(p.lat, 5))), datatype=XSD.decimal)))
        g.add((node, SCHEMA.longitude, Literal(Decimal(str(round(p.lon, 5))), datatype=XSD.decimal)))
    return node


@lru_cache(maxsize=512)
def country_place_by_id(place_id: str) -> Place | None:
    """The country Place for a ``gn-<geonameid>`` id."""
    from kg.extract.places import _gc, country_place

    if not place_id.startswith("gn-"):
        return None
    gid = int(place_id[3:])
    for iso2, c in _gc().get_countries().items():
        if int(c["geonameid"]) == gid:
            return country_place(iso2)
    return None


def _valid_iri(url: str) -> bool:
    """An absolute http(s) IRI that Oxigraph accepts (so one odd URL never fails a batch)."""
    if not re.fullmatch(r"https?://\S+", url):
        return False
    try:
        pyoxigraph.NamedNode(url)
    except ValueError:
        return False
    return True


def _article(g: Graph, art: Article) -> URIRef:
    node = article_iri(art.id)
    g.add((node, RDF.type, SCHEMA.NewsArticle))
    g.add((node, SCHEMA.identifier, Literal(art.id)))
    if art.date is not None:
        g.add((node, SCHEMA.datePublished, Literal(art.date.isoformat(), datatype=XSD.date)))
    pub_name = art.publisher or "unknown"
    pub = ID[f"publisher/{enc(slug(pub_name))}"]
    g.add((node, SCHEMA.publisher, pub))
    g.add((pub, RDF.type, SCHEMA.Organization))
    g.add((pub, SCHEMA.name, Literal(pub_name)))
    if art.title:
        g.add((node, SCHEMA.headline, Literal(art.title)))
    if art.url:
        url = art.url.strip()
        g.add((node, SCHEMA.url, URIRef(url) if _valid_iri(url) else Literal(url, datatype=XSD.anyURI)))
    g.add((node, SCHEMA.text, Literal(art.text)))
    g.add((node, CK.checksum, Literal(art.checksum)))
    return node


def to_rdf(ex: Extraction) -> ArticleGraphs:
    """Build the article graph and the referenced actor/place descriptions."""
    art = ex.article
    g, actors_g, places_g = _graph(), _graph(), _graph()
    anode = _article(g, art)
    for a in ex.actors.values():
        describe_actor(actors_g, a)
        node = actor_iri(a.id)
        for name in a.mentions:
            g.add((node, CK.mention, _plain(name)))
        for name in a.names:
            g.add((node, SKOS.altLabel, _plain(name)))
    for i, e in enumerate(ex.events):
        node = event_iri(art.id, i)
        g.add((node, RDF.type, CK.Event))
        g.add((node, CK.eventType, plover_iri(e.type)))
        g.add((node, PROV.wasDerivedFrom, anode))
        for span in (e.span, *e.evidence):
            g.add((node, CK.evidence, Literal(span.sentence)))
        g.add((node, CK.charStart, _integer(e.span.start)))
        g.add((node, CK.charEnd, _integer(e.span.end)))
        g.add((node, CK.trigger, _plain(e.trigger)))
        g.add((node, CK.mode, _plain(e.mode)))
        g.add((node, CK.confidence, _decimal(f"{e.confidence:.2f}")))
        for m in e.agents:
            g.add((node, CK.agent, actor_iri(m.actor_id)))
        for m in e.targets:
            g.add((node, CK.target, actor_iri(m.actor_id)))
        if e.place is not None:
            g.add((node, CK.place, place_iri(e.place.id)))
            describe_place(places_g, e.place)
        for prop, value in ((CK.date, e.date), (CK.earliest, e.earliest), (CK.latest, e.latest)):
            if value is not None:
                g.add((node, prop, _date(value.isoformat())))
        names = lambda ms: ", ".join(ex.actors[m.actor_id].label for m in ms if m.actor_id in ex.actors) or "?"  # noqa: E731
        g.add((node, RDFS.label, Literal(f"{e.type}: {names(e.agents)} -> {names(e.targets)}")))
    for i, c in enumerate(ex.claims):
        node = claim_iri(art.id, i)
        g.add((node, RDF.type, CK.Claim))
        g.add((node, CK.claimant, actor_iri(c.claimant.actor_id)))
        g.add((node, CK.quote, Literal(c.quote)))
        g.add((node, PROV.wasDerivedFrom, anode))
        g.add((node, CK.evidence, Literal(c.span.sentence)))
        g.add((node, CK.charStart, _integer(c.span.start)))
        g.add((node, CK.charEnd, _integer(c.span.end)))
        if c.about is not None:
            g.add((node, CK.about, event_iri(art.id, c.about)))
    for r in ex.relations:
        g.add((actor_iri(r.subject.actor_id), RELATIONS[r.predicate], actor_iri(r.object.actor_id)))
    return ArticleGraphs(art.id, art.checksum, g, actors_g, places_g)
