"""Syndicated copies: the same story (same normalised text) published under other ids / sources.

The first article with a given text is extracted as usual and carries ``ck:textHash`` (SHA-256 of
:func:`kg.models.normalise_text`). A later copy is not extracted again: it is recorded once, as an
extra source of the first article, in its own small named graph (``graph/source/<enc id>``)::

    kgid:article/<first> ck:source kgid:source/<copy> .
    kgid:source/<copy> a ck:Source ;
        schema:identifier "<copy id>" ; schema:publisher kgid:publisher/<slug> ;
        schema:url "..."^^xsd:anyURI ; schema:datePublished "..."^^xsd:date ; schema:headline "..." ;
        ck:checksum "<Article.checksum of the copy>" ; ck:textHash "<hash>" ;
        ck:syndicatedAs kgid:article/<first> ; prov:wasGeneratedBy kgid:run/<uuid> .
    kgid:publisher/<slug> a schema:Organization ; schema:name "..." .

Copies are found against articles in flight in this build and against the store (``ck:textHash``
looked up by pattern in the store), so memory does not grow with the corpus. Re-running on
the same copy changes nothing (its ``ck:checksum`` is compared first).
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef

from kg.models import Article, normalise_text
from kg.rdf.namespaces import (
    CK, ID, PROV, RDF, SCHEMA, SOURCE_GRAPH_PREFIX, XSD, article_iri, enc, run_iri, slug, source_graph_iri,
)

if TYPE_CHECKING:
    from kg.rdf.store import Store

__all__ = ["text_hash", "source_iri", "source_graph_iri", "source_graph", "Syndication", "SOURCE_GRAPH_PREFIX"]



def text_hash(text: str) -> str:
    """SHA-256 hex digest of the normalised text (whitespace, quotes, NFKC)."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def source_iri(article_id: str) -> URIRef:
    """The node describing a syndicated copy."""
    return ID[f"source/{enc(article_id)}"]


def source_graph(copy: Article, first_id: str, run_id: str | None = None) -> Graph:
    """The record of ``copy`` as an extra source of the article ``first_id`` (see module doc)."""
    g = Graph()
    node, first = source_iri(copy.id), article_iri(first_id)
    g.add((first, CK.source, node))
    g.add((node, RDF.type, CK.Source))
    g.add((node, SCHEMA.identifier, Literal(copy.id)))
    pub_name = copy.publisher or "unknown"
    pub = ID[f"publisher/{enc(slug(pub_name))}"]
    g.add((node, SCHEMA.publisher, pub))
    g.add((pub, RDF.type, SCHEMA.Organization))
    g.add((pub, SCHEMA.name, Literal(pub_name)))
    if copy.url:
        g.add((node, SCHEMA.url, Literal(copy.url, datatype=XSD.anyURI)))
    if copy.date is not None:
        g.add((node, SCHEMA.datePublished, Literal(copy.date.isoformat(), datatype=XSD.date)))
    if copy.title:
        g.add((node, SCHEMA.headline, Literal(copy.title)))
    g.add((node, CK.checksum, Literal(copy.checksum)))
    g.add((node, CK.textHash, Literal(text_hash(copy.text))))
    g.add((node, CK.syndicatedAs, first))
    if run_id is not None:
        g.add((node, PROV.wasGeneratedBy, run_iri(run_id)))
    return g


class Syndication:
    """Duplicate bookkeeping for one build: articles in flight (bounded by the pipeline's window)
    plus look-ups in the store. Nothing here grows with the size of the corpus."""

    def __init__(self, store: "Store") -> None:
        self.store = store
        self._inflight: dict[str, str] = {}  # text hash -> id of the first article, until it is settled
        self._waiting: dict[str, list[Article]] = defaultdict(list)  # first id -> copies seen meanwhile

    def stored_copy_checksum(self, article_id: str) -> str | None:
        """``ck:checksum`` of the recorded copy ``article_id``, ``None`` if it is not recorded."""
        return self.store.source_checksum(article_id)

    def is_copy(self, article_id: str) -> bool:
        """True when ``article_id`` is currently recorded as a syndicated copy."""
        return self.stored_copy_checksum(article_id) is not None

    def original_of(self, article: Article, digest: str) -> tuple[str, bool] | None:
        """``(id, in_flight)`` of an earlier article with the same normalised text — still being
        extracted in this build, or already stored — else None."""
        first = self._inflight.get(digest)
        if first is not None and first != article.id:
            return first, True
        other = next((i for i in self.store.ids_with_text_hash(digest) if i != article.id), None)
        return (other, False) if other is not None else None

    def claim(self, article: Article, digest: str) -> None:
        """``article`` goes to extraction: later copies of its text wait for its outcome."""
        self._inflight.setdefault(digest, article.id)

    def wait(self, copy: Article, first_id: str) -> None:
        """``copy`` duplicates an article still in flight."""
        self._waiting[first_id].append(copy)

    def settle(self, article_id: str, digest: str) -> list[Article]:
        """The article left the pipeline (stored or failed): returns the copies that waited for it."""
        if self._inflight.get(digest) == article_id:
            del self._inflight[digest]
        return self._waiting.pop(article_id, [])

    @property
    def pending(self) -> int:
        return sum(len(v) for v in self._waiting.values())
