"""Canned SPARQL queries (``kg/queries/*.rq``) and safe parameter binding.

Each ``.rq`` file starts with a header of comment lines::

    # title: Who attacked whom
    # description: Agent -> target pairs ...
    #   (indented comment lines continue the previous field)
    # params: type=ASSAULT (PLOVER type); actor (an actor IRI or label); since= (optional)

A parameter without ``=`` is required (``E045`` when missing); ``name=`` is optional and stays unbound
when not given; ``name=VALUE`` has a default. Parameters are bound as typed RDF terms serialised by
Oxigraph and injected as a ``VALUES`` block at the top of the query's outermost ``WHERE`` group (or in
place of a ``# @values`` comment line, e.g. inside a sub-select), so a value can never change the
query's structure. Canned queries therefore use their parameters in that group only (its triple
patterns, ``BIND``, ``FILTER`` and ``EXISTS``), where ``VALUES`` bindings are visible to every engine
(Oxigraph, rdflib, any SPARQL endpoint).

A parameter may have a kind (``name:kind``) that turns what users type into the right RDF term:
``type`` (a PLOVER notation such as ``ASSAULT`` -> the concept IRI), ``country`` (``SYR`` -> the ISO
literal, ``163843`` -> the GeoNames IRI) and ``actor`` (an IRI, or a name resolved case-insensitively
to the IRIs of the actors with that preferred or alternative label when a store is at hand).
"""
from __future__ import annotations

import datetime as _dt
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

import pyoxigraph as ox
import rdflib

from kg.errors import KGError
from kg.models import PLOVER_TYPES
from kg.rdf.namespaces import CK, GEONAMES, PLOVER, PREFIXES, SKOS, XSD
from kg.registry import Registry

if TYPE_CHECKING:  # pragma: no cover
    from kg.rdf.store import QueryResult, Store

QUERY_DIR = Path(__file__).parent

_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):(\S*)$")
_ABSOLUTE_IRI = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://\S+|urn:\S+)$")
_HEADER = re.compile(r"^#\s*(title|description|params)\s*:\s*(.*)$", re.I)
_PARAM = re.compile(r"^\s*([A-Za-z_]\w*)(?::(\w+))?\s*(=\s*([^\s(]*))?\s*(?:\((.*)\))?\s*$")
_MARKER = re.compile(r"^[ \t]*#[ \t]*@values\b[^\n]*$", re.M)


# ----------------------------------------------------------------------------- terms


def to_term(value: object) -> ox.NamedNode | ox.Literal:
    """A Python value as a typed RDF term.

    ``str``: ``<iri>``, ``prefix:local`` with one of our prefixes, or an absolute ``scheme://...`` /
    ``urn:`` IRI become IRIs; anything else is a plain string literal. Numbers, booleans, dates and
    rdflib / pyoxigraph terms keep their type. Raises ``ValueError`` for invalid IRIs and blank nodes.
    """
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    if isinstance(value, (ox.BlankNode, rdflib.BNode)):
        raise ValueError("blank nodes cannot be parameters")
    if isinstance(value, rdflib.URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, rdflib.Literal):
        if value.language:
            return ox.Literal(str(value), language=value.language)
        if value.datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
        return ox.Literal(str(value))
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(str(XSD.boolean)))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(str(XSD.integer)))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(str(XSD.double)))
    if isinstance(value, Decimal):
        return ox.Literal(str(value), datatype=ox.NamedNode(str(XSD.decimal)))
    if isinstance(value, _dt.datetime):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(str(XSD.dateTime)))
    if isinstance(value, _dt.date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(str(XSD.date)))
    text = str(value)
    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    m = _PREFIXED.match(text)
    if m and m.group(1) in PREFIXES:
        return ox.NamedNode(PREFIXES[m.group(1)] + m.group(2))
    if _ABSOLUTE_IRI.match(text):
        return ox.NamedNode(text)
    return ox.Literal(text)


# ----------------------------------------------------------------------------- VALUES injection


def _skip_string(q: str, i: int) -> int:
    quote = q[i]
    if q.startswith(quote * 3, i):
        end = i + 3
        while end < len(q):
            if q[end] == "\\":
                end += 2
                continue
            if q.startswith(quote * 3, end):
                return end + 3
            end += 1
        return len(q)
    end = i + 1
    while end < len(q) and q[end] not in (quote, "\n"):
        end += 2 if q[end] == "\\" else 1
    return end + 1


_IRIREF = re.compile(r"<[^<>\"{}|^`\\\s]*>")


def where_brace(sparql: str) -> int:
    """Index of the ``{`` opening the outermost ``WHERE`` group (skips comments, strings, IRIs)."""
    i, n, depth, first = 0, len(sparql), 0, -1
    saw_where = False
    while i < n:
        c = sparql[i]
        if c == "#":
            nl = sparql.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        if c in "\"'":
            i = _skip_string(sparql, i)
            continue
        if c == "<":
            m = _IRIREF.match(sparql, i)
            if m:
                i = m.end()
                continue
        if c == "{":
            if depth == 0:
                if saw_where:
                    return i
                if first < 0:
                    first = i
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and c in "wW" and sparql[i:i + 5].upper() == "WHERE":
            before = sparql[i - 1] if i else " "
            after = sparql[i + 5] if i + 5 < n else " "
            if not (before.isalnum() or before in "?$:_-") and not (after.isalnum() or after in "_:-"):
                saw_where = True
                i += 5
                continue
        i += 1
    if first < 0:
        raise KGError("E042", reason="no WHERE group to bind parameters in")
    return first


Term = ox.NamedNode | ox.Literal


def values_block(terms: Mapping[str, Term | Sequence[Term]]) -> str:
    """``VALUES (?a ?b) { (<x> "y") }`` for already-built terms; a list gives one row per term."""
    for name in terms:
        if not _VARNAME.match(name):
            raise KGError("E042", reason=f"bad parameter name {name!r}")
    names = " ".join(f"?{k}" for k in terms)
    columns = [list(v) if isinstance(v, (list, tuple)) else [v] for v in terms.values()]
    rows = " ".join("(" + " ".join(str(t) for t in row) + ")" for row in itertools.product(*columns))
    return f"VALUES ({names}) {{ {rows} }}"


def inject_values(sparql: str, params: Mapping[str, object]) -> str:
    """The query with ``params`` bound by a ``VALUES`` block at the top of its ``WHERE`` group.

    Values become typed terms (:func:`to_term`) serialised by Oxigraph (quotes, backslashes and line
    breaks escaped), on the same line as the ``{`` so line numbers in error messages do not move.
    """
    terms: dict[str, Term | list[Term]] = {}
    for k, v in params.items():
        if v is None:
            continue
        try:
            terms[k] = [to_term(x) for x in v] if isinstance(v, (list, tuple)) else to_term(v)
        except ValueError as exc:
            raise KGError("E042", reason=f"parameter {k}={str(v)[:60]!r}: {exc}") from None
    if not terms:
        return sparql
    block = values_block(terms)
    marker = _MARKER.search(sparql)
    if marker:
        indent = marker.group(0)[: len(marker.group(0)) - len(marker.group(0).lstrip())]
        return f"{sparql[:marker.start()]}{indent}{block}{sparql[marker.end():]}"
    at = where_brace(sparql) + 1
    return f"{sparql[:at]} {block} {sparql[at:]}"


# ----------------------------------------------------------------------------- parameter kinds

#: parameter kind -> converter ``(value, store or None) -> term or list of terms``
KINDS: Registry[Callable[[object, "Store | None"], object]] = Registry("parameter kind")
_ISO3 = re.compile(r"^[A-Za-z]{3}$")
#: actor-to-actor relations (local names in ck:)
RELATIONS: tuple[str, ...] = ("backedBy", "memberOf", "spokespersonFor", "leaderOf")


def _is_iri_text(value: object) -> bool:
    return isinstance(value, (ox.NamedNode, rdflib.URIRef)) or (
        isinstance(value, str) and isinstance(to_term(value), ox.NamedNode))


@KINDS.register("term")
def _term_kind(value: object, store: "Store | None" = None) -> object:
    return to_term(value)


@KINDS.register("type")
def _type_kind(value: object, store: "Store | None" = None) -> object:
    """``ASSAULT`` / ``assault`` -> ``plover:ASSAULT``; IRIs unchanged."""
    if _is_iri_text(value):
        return to_term(value)
    name = str(value).strip().upper()
    if name not in PLOVER_TYPES:
        raise KGError("E010", kind="PLOVER type", name=str(value), known=", ".join(PLOVER_TYPES))
    return ox.NamedNode(str(PLOVER[name]))


_LABELS_LIKE = (
    f"SELECT DISTINCT ?name WHERE {{ ?x <{SKOS.prefLabel}>|<{SKOS.altLabel}> ?name "
    "FILTER(LCASE(STR(?name)) = LCASE(STR(?given))) } ORDER BY ?name"
)


@KINDS.register("country")
def _country_kind(value: object, store: "Store | None" = None) -> object:
    """``syr`` -> ``"SYR"``; ``163843`` -> the GeoNames IRI; IRIs unchanged; other text is a name
    (with a store: the labels spelled that way in any case, e.g. ``syria`` -> ``"Syria"``)."""
    if _is_iri_text(value):
        return to_term(value)
    text = str(value).strip()
    if _ISO3.match(text):
        return ox.Literal(text.upper())
    if text.isdigit():
        return ox.NamedNode(GEONAMES.format(int(text)))
    if store is not None:
        names = [ox.Literal(str(r["name"])) for r in store.select(_LABELS_LIKE, given=text)]
        if names:
            return names
    return ox.Literal(text)


@KINDS.register("relation")
def _relation_kind(value: object, store: "Store | None" = None) -> object:
    """``backedBy`` -> ``ck:backedBy``; IRIs unchanged."""
    if _is_iri_text(value):
        return to_term(value)
    name = str(value).strip()
    known = {r.lower(): r for r in RELATIONS}
    if name.lower() not in known:
        raise KGError("E010", kind="actor relation", name=name, known=", ".join(RELATIONS))
    return ox.NamedNode(str(CK[known[name.lower()]]))


_ACTOR_BY_NAME = (
    f"SELECT DISTINCT ?actor WHERE {{ ?actor <{SKOS.prefLabel}>|<{SKOS.altLabel}> ?name "
    "FILTER(LCASE(STR(?name)) = LCASE(STR(?given))) } ORDER BY ?actor"
)


@KINDS.register("actor")
def _actor_kind(value: object, store: "Store | None" = None) -> object:
    """An actor IRI, or a name: with a store, the IRIs of the actors so named (any case)."""
    if _is_iri_text(value):
        return to_term(value)
    name = str(value).strip()
    if store is not None:
        iris = [ox.NamedNode(str(r["actor"])) for r in store.select(_ACTOR_BY_NAME, given=name)]
        if iris:
            return iris
    return ox.Literal(name)


# ----------------------------------------------------------------------------- canned queries


@dataclass(frozen=True)
class Param:
    """A canned-query parameter."""

    name: str
    default: str | None = None
    required: bool = True
    doc: str = ""
    kind: str = "term"

    def describe(self) -> str:
        if self.required:
            head = self.name
        elif self.default:
            head = f"{self.name}={self.default}"
        else:
            head = f"{self.name} (optional)"
        return f"{head}: {self.doc}" if self.doc else head


@dataclass(frozen=True)
class CannedQuery:
    """A documented query from ``kg/queries/<name>.rq``."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    sparql: str
    path: Path

    def bind(self, given: Mapping[str, object] | None = None, store: "Store | None" = None) -> dict[str, object]:
        """Given values plus defaults, converted by their kinds (``store`` resolves actor names).

        ``E010`` for unknown names, ``E045`` for missing ones.
        """
        given = dict(given or {})
        known = {p.name for p in self.params}
        for name in given:
            if name not in known:
                raise KGError("E010", kind=f"parameter of query {self.name}", name=name,
                              known=", ".join(sorted(known)) or "none")
        out: dict[str, object] = {}
        for p in self.params:
            v = given.get(p.name)
            if v is None or v == "":
                v = p.default or None
            if v is None and p.required:
                raise KGError("E045", name=p.name, query=self.name)
            if v is not None:
                out[p.name] = KINDS.get(p.kind)(v, store)
        return out

    def render(self, **params: object) -> str:
        """Self-contained SPARQL text with the parameters bound (for rdflib or a remote endpoint)."""
        return inject_values(self.sparql, self.bind(params))


def parse_query_file(path: Path) -> CannedQuery:
    """Read a ``.rq`` file and its header."""
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {"title": "", "description": "", "params": ""}
    key = None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if m:
            key = m.group(1).lower()
            fields[key] = m.group(2).strip()
        elif key and line[1:].startswith("  "):
            fields[key] = f"{fields[key]} {line[1:].strip()}".strip()
        else:
            key = None
    params: list[Param] = []
    if fields["params"] and fields["params"].lower() != "none":
        for item in fields["params"].split(";"):
            m = _PARAM.match(item)
            if not m:
                raise KGError("E042", reason=f"{path.name}: bad params header item {item.strip()!r}")
            has_default = m.group(3) is not None
            kind = m.group(2) or "term"
            KINDS.get(kind)  # E010 for an unknown kind
            params.append(Param(m.group(1), m.group(4) or None, not has_default, (m.group(5) or "").strip(), kind))
    return CannedQuery(path.stem, fields["title"] or path.stem, fields["description"], tuple(params), text, path)


@lru_cache(maxsize=None)
def _catalogue(directory: str) -> dict[str, CannedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(Path(directory).glob("*.rq"))}


def all_queries() -> list[CannedQuery]:
    """Every canned query, by name."""
    return list(_catalogue(str(QUERY_DIR)).values())


def names() -> list[str]:
    return list(_catalogue(str(QUERY_DIR)))


def get(name: str) -> CannedQuery:
    """A canned query by name (``E044`` when unknown)."""
    try:
        return _catalogue(str(QUERY_DIR))[name]
    except KeyError:
        raise KGError("E044", name=name) from None


def run(store: "Store", name: str, **params: object) -> "QueryResult":
    """Run a canned query on a store with its parameters (defaults filled in, kinds resolved)."""
    q = get(name)
    return store.query(q.sparql, **q.bind(params, store))


__all__ = ["Param", "CannedQuery", "KINDS", "RELATIONS", "to_term", "inject_values", "values_block", "where_brace",
           "parse_query_file", "all_queries", "names", "get", "run", "QUERY_DIR"]
