"""Import existing RDF (a user's corrected Turtle, an exported ``kg.trig``) into the store, after SHACL.

- Named graphs in TriG / N-Quads keep their names (so ``kg build out/kg.trig`` restores a store).
- Triples in the default graph describing exactly one ``schema:NewsArticle`` replace that article's
  named graph (a corrected article); any other default-graph triples go to
  ``https://w3id.org/conflict-kg/graph/import/<file slug>``.
Nothing is stored from a file that does not conform.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import KGError
from kg.rdf.namespaces import BASE, CK, RDF, SCHEMA, graph_iri, slug


@dataclass(frozen=True)
class Imported:
    """What one RDF file put into the store."""

    path: str
    graphs: tuple[str, ...]
    triples: int


#: RDF that ``kg build`` imports when given explicitly (XML syntaxes stay with ``kg validate``:
#: ``.xml`` may be a feed, and RDF/XML is refused by build so an XXE file is never parsed there)
BUILD_SUFFIXES = frozenset({".ttl", ".trig", ".nt", ".nq", ".jsonld", ".n3"})


def is_importable_rdf(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in BUILD_SUFFIXES


def _default_graph(ds: Dataset) -> Graph:
    g = Graph()
    for t in ds.graph(DATASET_DEFAULT_GRAPH_ID):
        g.add(t)
    return g


def import_rdf(path: str | Path, store) -> Imported:
    """Validate ``path`` and load it into ``store``; raises :class:`KGError` (E030/E031/E032) and stores nothing on failure."""
    from kg.validate import parse_rdf, validate_dataset

    path = Path(path)
    ds = parse_rdf(path)
    result = validate_dataset(ds)
    if not result.conforms:
        n = sum(1 for i in result.issues if i.severity == "Violation")
        first = next((i.message for i in result.issues if i.severity == "Violation"), "")
        raise KGError("E031", exit_code=1, id=str(path), n=n, reason=first)
    graphs: list[tuple[str, Graph]] = []
    for ctx in ds.graphs():
        if ctx.identifier == DATASET_DEFAULT_GRAPH_ID or not len(ctx):
            continue
        g = Graph()
        for t in ctx:
            g.add(t)
        graphs.append((str(ctx.identifier), g))
    default = _default_graph(ds)
    if len(default):
        articles = [ident for a in default.subjects(RDF.type, SCHEMA.NewsArticle)
                    for ident in default.objects(a, SCHEMA.identifier)]
        if len(articles) == 1:
            name = str(graph_iri(str(articles[0])))
            if not any(default.triples((None, CK.checksum, None))):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                art = next(default.subjects(SCHEMA.identifier, articles[0]))
                default.add((art, CK.checksum, Literal(digest)))
        else:
            name = f"{BASE}graph/import/{slug(path.stem)}"
        graphs.append((name, default))
    for name, g in graphs:
        store.replace_graph(name, g)
    return Imported(str(path), tuple(n for n, _ in graphs), sum(len(g) for _, g in graphs))

