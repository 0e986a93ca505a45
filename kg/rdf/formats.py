"""Registries of RDF serialisations and SPARQL results formats (rdflib plugin style).

``FORMATS`` maps a format name (``turtle``, ``trig``, ``nt``, ``nq``, ``jsonld``, ``rdfxml``) to an
:class:`RdfSyntax` describing it: its Oxigraph format, file extension, media type, rdflib parser name,
whether it keeps named graphs, and how :mod:`kg.rdf.export` lays the store out in it. ``RESULTS``
does the same for SPARQL 1.1 query results (``json``, ``xml``, ``csv``, ``tsv``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError
from kg.registry import Registry


@dataclass(frozen=True)
class RdfSyntax:
    """One RDF serialisation."""

    name: str
    ox: ox.RdfFormat
    extension: str
    media_type: str
    rdflib: str  # rdflib parser/serialiser name
    dataset: bool  # keeps named graphs
    layout: str  # how the store is exported: "dataset" | "union" | "jsonld" (see kg.rdf.export)


@dataclass(frozen=True)
class ResultsSyntax:
    """One SPARQL 1.1 query results format."""

    name: str
    ox: ox.QueryResultsFormat
    extension: str
    media_type: str


FORMATS: Registry[RdfSyntax] = Registry("RDF format")
RESULTS: Registry[ResultsSyntax] = Registry("results format")

for _f in (
    RdfSyntax("turtle", ox.RdfFormat.TURTLE, "ttl", "text/turtle", "turtle", False, "union"),
    RdfSyntax("trig", ox.RdfFormat.TRIG, "trig", "application/trig", "trig", True, "dataset"),
    RdfSyntax("nt", ox.RdfFormat.N_TRIPLES, "nt", "application/n-triples", "nt", False, "union"),
    RdfSyntax("nq", ox.RdfFormat.N_QUADS, "nq", "application/n-quads", "nquads", True, "dataset"),
    RdfSyntax("jsonld", ox.RdfFormat.JSON_LD, "jsonld", "application/ld+json", "json-ld", True, "jsonld"),
    RdfSyntax("rdfxml", ox.RdfFormat.RDF_XML, "rdf", "application/rdf+xml", "xml", False, "union"),
):
    FORMATS.add(_f.name, _f)

for _r in (
    ResultsSyntax("json", ox.QueryResultsFormat.JSON, "srj", "application/sparql-results+json"),
    ResultsSyntax("xml", ox.QueryResultsFormat.XML, "srx", "application/sparql-results+xml"),
    ResultsSyntax("csv", ox.QueryResultsFormat.CSV, "csv", "text/csv"),
    ResultsSyntax("tsv", ox.QueryResultsFormat.TSV, "tsv", "text/tab-separated-values"),
):
    RESULTS.add(_r.name, _r)

#: other names users type for the same formats
ALIASES: dict[str, str] = {
    "ttl": "turtle", "n-triples": "nt", "ntriples": "nt", "nquads": "nq", "n-quads": "nq",
    "json-ld": "jsonld", "xml": "rdfxml", "rdf": "rdfxml", "rdf/xml": "rdfxml", "owl": "rdfxml",
}

_BY_EXTENSION: dict[str, str] = {
    **{FORMATS.get(n).extension: n for n in FORMATS}, "json": "jsonld", "owl": "rdfxml", "xml": "rdfxml",
    "n3": "turtle",
}


def get_format(name: str) -> RdfSyntax:
    """An RDF syntax by name or alias (``E032`` when unknown)."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise KGError("E032", path=name, known=", ".join(FORMATS.names()))
    return FORMATS.get(key)


def get_results_format(name: str) -> ResultsSyntax:
    """A SPARQL results format by name (``E010`` when unknown)."""
    return RESULTS.get(name.lower())


def format_for_path(path: str | Path) -> RdfSyntax:
    """The RDF syntax of a file, from its extension (``E032`` when unknown)."""
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in _BY_EXTENSION:
        raise KGError("E032", path=path, known=", ".join(sorted(_BY_EXTENSION)))
    return FORMATS.get(_BY_EXTENSION[ext])


__all__ = ["RdfSyntax", "ResultsSyntax", "FORMATS", "RESULTS", "ALIASES", "get_format",
           "get_results_format", "format_for_path"]
