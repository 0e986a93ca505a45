"""SHACL validation of conflict-kg RDF with pyshacl; shapes loaded once per process; readable reports.

* :func:`validate_graph` — one graph (an article graph joined with the actors/places it uses).
* :func:`validate_dataset` — every article graph of a dataset on its own (joined with the canonical
  actors/places it references), plus the cross shapes (``ck:scope "cross"``) on the shared
  actors + places graphs.
* :func:`validate_path` — ``kg validate FILE-or-DIR``: parses any RDF syntax safely (no URL fetching,
  no XML external entities, no remote JSON-LD contexts) and validates it.

Speed: no RDFS/OWL inference. ``sh:class ck:Actor`` works because the few ``rdfs:subClassOf``
axioms between ``ck:`` classes are copied into the graph being validated. The pyshacl shapes graph
is parsed once per process and SPARQL constraints are prepared once (rdflib re-parses a query
string on every call, which would cost ~80 ms per focus node).
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote

from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from rdflib import BNode, ConjunctiveGraph, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH
from rdflib.paths import Path as RDFPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.stores.memory import SimpleMemory

from kg.errors import KGError
from kg.rdf.namespaces import ACTORS_GRAPH, BASE, CK, ONTOLOGY_GRAPH, PLACES_GRAPH, PREFIXES, RUNS_GRAPH, SCHEMA
from kg.registry import Registry
from kg.sparql_constraints import SparqlConstraint, add_results, evaluate, split_sparql_constraints

__all__ = [
    "ONTOLOGY_DIR", "SHAPES_PATH", "RDF_FORMATS", "RDFFormat", "Issue", "ValidationResult",
    "load_shapes", "validate_graph", "validate_dataset", "validate_path", "parse_rdf", "format_report",
]

from kg.resources import ONTOLOGY_DIR  # noqa: E402
SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_PATH = ONTOLOGY_DIR / "conflict.ttl"
ARTICLE_GRAPH_PREFIX = BASE + "graph/article/"
#: named graphs that hold no instance data to validate
_SKIPPED_GRAPHS = frozenset({ONTOLOGY_GRAPH, RUNS_GRAPH})


# ------------------------------------------------------------------ records

@dataclass(frozen=True)
class Issue:
    """One SHACL result, flattened to strings."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str  # "Violation" | "Warning" | "Info"
    shape: str  # IRI of the source shape
    article: str | None  # article id (schema:identifier) the issue belongs to, None for shared graphs


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool
    issues: tuple[Issue, ...]
    report: Graph  # the SHACL validation report (one sh:ValidationReport)

    @property
    def failed_articles(self) -> tuple[str, ...]:
        """Ids of articles with at least one violation, sorted."""
        return tuple(sorted({i.article for i in self.issues if i.article and i.severity == "Violation"}))


# ------------------------------------------------------------------ shapes (loaded once)

@lru_cache(maxsize=8)
def _load_shapes_cached(path: str) -> Graph:
    p = Path(path)
    if not p.is_file():
        raise KGError("E033", path=path, reason="no such file")
    g = Graph()
    try:
        g.parse(p, format="turtle")
    except Exception as exc:  # any parser error means a broken shapes file
        raise KGError("E033", path=path, reason=_one_line(exc)) from None
    if not any(g.subjects(RDF.type, SH.NodeShape)) and not any(g.subjects(RDF.type, SH.PropertyShape)):
        raise KGError("E033", path=path, reason="no SHACL shape in the file")
    return g


def load_shapes(path: str | Path | None = None) -> Graph:
    """The shapes graph (``ontology/shapes.ttl`` by default), parsed once per process.

    Treat the returned graph as read-only: it is shared. Raises ``KGError("E033")`` when the file
    is missing or broken.
    """
    return _load_shapes_cached(str(Path(path or SHAPES_PATH).resolve()))


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def _closure(g: Graph, roots: Iterable) -> set:
    """Shapes reachable from ``roots`` through shape-valued properties and blank nodes."""
    todo = list(roots)
    seen: set = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in g.predicate_objects(node):
            if p in (SH.prefixes, RDF.type):
                continue
            if isinstance(o, BNode) or (p in (SH.property, SH.node) and isinstance(o, URIRef)):
                todo.append(o)
    return seen


@lru_cache(maxsize=8)
def _shapes_graph(path: str, scope: str) -> tuple[ShapesGraph, tuple[SparqlConstraint, ...]]:
    """pyshacl ShapesGraph for ``scope`` in {"article", "cross", "all"}, built once per process, and
    the scope's SPARQL constraints, which :mod:`kg.sparql_constraints` runs (one query each per graph,
    where pyshacl would run one per focus node).

    "cross" keeps the shapes annotated ``ck:scope "cross"`` (and what only they use), "article"
    keeps the targeted shapes without a ``ck:scope`` (``"source"``: syndicated-copy records, which
    article graphs never hold), "all" keeps every shape; nodes used by no shape (prefix
    declarations) go to every scope.
    """
    full = _load_shapes_cached(path)
    roots = {s for p in _TARGETS for s in full.subjects(p, None)}
    scoped = {s for s in full.subjects(CK.scope, None) if s in roots}
    keep = {"article": roots - scoped, "cross": set(full.subjects(CK.scope, Literal("cross"))) & roots}.get(scope, roots)
    drop = _closure(full, roots - keep) - _closure(full, keep)
    g = Graph(bind_namespaces="none")  # pyshacl copies every prefix into each report: keep few
    for prefix in ("sh", "xsd", "ck", "cks", "skos", "schema", "prov", "plover"):
        ns = full.namespace_manager.store.namespace(prefix)
        if ns is not None:
            g.bind(prefix, ns)
    for t in full:
        if t[0] not in drop:
            g.add(t)
    core, sparql = split_sparql_constraints(g, path)
    return ShapesGraph(core), tuple(sparql)


@lru_cache(maxsize=1)
def _class_axioms() -> tuple[tuple, ...]:
    """``rdfs:subClassOf`` triples of the ck: classes (so sh:class/sh:targetClass see subclasses)."""
    if not ONTOLOGY_PATH.is_file():
        raise KGError("E001", path=str(ONTOLOGY_PATH), reason="no such file")
    g = Graph()
    try:
        g.parse(ONTOLOGY_PATH, format="turtle")
    except Exception as exc:
        raise KGError("E030", path=str(ONTOLOGY_PATH), fmt="Turtle", reason=_one_line(exc)) from None
    return tuple(
        (s, p, o) for s, p, o in g.triples((None, RDFS.subClassOf, None))
        if isinstance(s, URIRef) and isinstance(o, URIRef) and str(s).startswith(str(CK))
    )


# ------------------------------------------------------------------ running pyshacl

class _WorkGraph(Graph):
    """A private copy of the data (in an :class:`_OneGraphStore`) with SPARQL query strings prepared
    once (keyed by text) and pattern look-ups answered straight from the store's indexes: rdflib's
    ``Graph.triples`` -> ``SimpleMemory.triples`` path compares every bound term with ``!= None``
    (two Python calls per term) and wraps each match in a contexts generator; pyshacl's look-ups
    are most of its time. Paths and subject lists take rdflib's way."""

    def query(self, query_object, *args, **kwargs):  # type: ignore[override]
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)

    def triples(self, triple):  # type: ignore[override]
        s, p, o = triple
        if isinstance(p, RDFPath):
            return super().triples(triple)
        return iter(self.store.match(s, p, o))

    def objects(self, subject=None, predicate=None, unique=False):  # type: ignore[override]
        if subject is None or predicate is None or isinstance(subject, list) or isinstance(predicate, RDFPath):
            return super().objects(subject, predicate, unique)
        return iter(self.store.objects_of(subject, predicate))

    def subjects(self, predicate=None, object=None, unique=False):  # type: ignore[override]  # noqa: A002
        if predicate is None or object is None or isinstance(object, list) or isinstance(predicate, RDFPath):
            return super().subjects(predicate, object, unique)
        return iter(self.store.subjects_of(predicate, object))


@lru_cache(maxsize=256)
def _prepared(text: str):
    return prepareQuery(text)


class _CachedShapesValidator(Validator):
    """pyshacl Validator that reuses an already built ShapesGraph (shapes and their parsed
    constraints) instead of rebuilding it from the shapes graph on every run."""

    def __init__(self, data: Graph, shapes: ShapesGraph) -> None:
        options = {"allow_warnings": True, "inplace": True, "inference": "none", "advanced": False}
        super().__init__(DataGraph.from_rdflib(data), shacl_graph=shapes.graph, options=options)
        self.shacl_graph = shapes


def _put(index: dict, a, b, c) -> None:
    """``index[a][b][c] = 1``, creating the inner dicts (SimpleMemory's nested index layout)."""
    inner = index.get(a)
    if inner is None:
        inner = index[a] = {}
    leaf = inner.get(b)
    if leaf is None:
        leaf = inner[b] = {}
    leaf[c] = 1


class _OneGraphStore(SimpleMemory):
    """rdflib's context-free ``SimpleMemory`` presented as the context/graph-aware store pyshacl's
    ``DataGraph`` wrapper asks for. The work copy is one graph, so the contexts the default ``Memory``
    store tracks for every triple are never needed: filling is ~1.7x and pattern look-ups ~2x faster
    (look-ups are most of pyshacl's time)."""

    context_aware = True
    graph_aware = True

    def __init__(self) -> None:
        super().__init__()
        self._len: int | None = None  # SimpleMemory counts by iterating: cached until the next change

    def add(self, triple, context, quoted=False):  # type: ignore[override]
        self._len = None
        return super().add(triple, context, quoted)

    def remove(self, triple_pattern, context=None):  # type: ignore[override]
        self._len = None
        return super().remove(triple_pattern, context)

    def __len__(self, context=None) -> int:  # type: ignore[override]
        if self._len is None:
            self._len = super().__len__(context)
        return self._len

    def add_many(self, triples: Iterable[tuple]) -> None:
        """Add triples of rdflib terms (not checked: the caller's graphs hold nothing else) straight
        into SimpleMemory's three indexes, without ``Graph.add``'s per-term checks: the work copy
        is filled ~2x faster. Same indexes as :meth:`SimpleMemory.add` builds."""
        self._len = None
        spo, pos, osp = self._SimpleMemory__spo, self._SimpleMemory__pos, self._SimpleMemory__osp
        for s, p, o in triples:
            _put(spo, s, p, o)
            _put(pos, p, o, s)
            _put(osp, o, s, p)

    def objects_of(self, s, p) -> list:
        """Objects of (s, p, ?), in the order :meth:`match` gives them."""
        inner = self._SimpleMemory__spo.get(s)
        leaf = inner.get(p) if inner is not None else None
        return list(leaf) if leaf else []

    def subjects_of(self, p, o) -> list:
        """Subjects of (?, p, o), in the order :meth:`match` gives them."""
        inner = self._SimpleMemory__pos.get(p)
        leaf = inner.get(o) if inner is not None else None
        return list(leaf) if leaf else []

    def match(self, s, p, o) -> list[tuple]:
        """The triples matching a pattern (None: any), as a list, in the order
        :meth:`SimpleMemory.triples` yields them (same indexes, same branches)."""
        if s is not None:
            inner = self._SimpleMemory__spo.get(s)
            if inner is None:
                return []
            if p is not None:
                leaf = inner.get(p)
                if leaf is None:
                    return []
                if o is not None:
                    return [(s, p, o)] if o in leaf else []
                return [(s, p, x) for x in leaf]
            if o is not None:
                return [(s, q, o) for q, leaf in inner.items() if o in leaf]
            return [(s, q, x) for q, leaf in inner.items() for x in leaf]
        if p is not None:
            inner = self._SimpleMemory__pos.get(p)
            if inner is None:
                return []
            if o is not None:
                leaf = inner.get(o)
                return [(x, p, o) for x in leaf] if leaf else []
            return [(x, p, y) for y, leaf in inner.items() for x in leaf]
        if o is not None:
            inner = self._SimpleMemory__osp.get(o)
            if inner is None:
                return []
            return [(x, q, o) for x, leaf in inner.items() for q in leaf]
        return [(x, q, y) for x, inner in self._SimpleMemory__spo.items() for q, leaf in inner.items() for y in leaf]

    def add_graph(self, graph: Graph) -> None:
        """Nothing to do: one graph."""

    def remove_graph(self, graph: Graph) -> None:
        raise NotImplementedError("the validation work copy holds one graph")

    def contexts(self, triple=None):  # type: ignore[override]
        return iter(())


def _work_copy(triples: Iterable[tuple]) -> _WorkGraph:
    store = _OneGraphStore()
    store.add_many(triples)
    store.add_many(_class_axioms())
    return _WorkGraph(store=store)


def _resolved(shapes_path: str | Path | None) -> str:
    return str(Path(shapes_path or SHAPES_PATH).resolve())


_LOCK = threading.Lock()  # the cached ShapesGraph is shared; pyshacl is CPU-bound anyway (GIL)


@lru_cache(maxsize=1)
def _class_axioms_nt() -> bytes:
    g = Graph()
    for t in _class_axioms():
        g.add(t)
    return g.serialize(format="nt", encoding="utf-8")


def _run(work: _WorkGraph, scope: str, path: str, ntriples: bytes | None = None) -> tuple[bool, Graph]:
    with _LOCK:
        sg, sparql = _shapes_graph(path, scope)
        conforms, report, _text = _CachedShapesValidator(work, sg).run()
    if not isinstance(report, Graph):  # pyshacl reports a broken shapes graph as text
        raise KGError("E033", path=path, reason=_one_line(report))
    if sparql:
        quick = ntriples + _class_axioms_nt() if ntriples is not None else None
        conforms = add_results(report, evaluate(sparql, work, quick))
    return bool(conforms), report


# ------------------------------------------------------------------ results

@lru_cache(maxsize=8)
def _shape_messages(shapes_path: str) -> dict:
    g = _load_shapes_cached(shapes_path)
    return {s: tuple(g.objects(s, SH.message)) for s in g.subjects(SH.message, None)}


def _articles(g: Graph) -> dict:
    """article node -> its id (schema:identifier, else the IRI's last segment)."""
    out = {}
    for a in g.subjects(RDF.type, SCHEMA.NewsArticle):
        ident = g.value(a, SCHEMA.identifier)
        out[a] = str(ident) if ident is not None else unquote(str(a).rsplit("/", 1)[-1])
    return out


def _article_of(node, data: Graph, articles: dict) -> str | None:
    if node in articles:
        return articles[node]
    for src in data.objects(node, PROV.wasDerivedFrom):
        if src in articles:
            return articles[src]
    if len(articles) == 1:
        return next(iter(articles.values()))
    return None


def _issues(report: Graph, data: Graph, shapes_path: str, article: str | None = None) -> list[Issue]:
    articles = _articles(data) if article is None else {}
    out = []
    for r in report.objects(None, SH.result):
        focus = report.value(r, SH.focusNode)
        path = report.value(r, SH.resultPath)
        severity = report.value(r, SH.resultSeverity)
        shape = report.value(r, SH.sourceShape)
        messages = sorted(str(m) for m in report.objects(r, SH.resultMessage))
        if len(messages) > 1:  # a SPARQL constraint's own message is more specific than its shape's
            generic = {str(m) for m in _shape_messages(shapes_path).get(shape, ())}
            messages = [m for m in messages if m not in generic] or messages
        out.append(Issue(
            focus=str(focus),
            path=str(path) if isinstance(path, URIRef) else (None if path is None else "(complex path)"),
            value=None if report.value(r, SH.value) is None else str(report.value(r, SH.value)),
            message="; ".join(messages) or "constraint violated",
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            shape=str(shape),
            article=article if article is not None else _article_of(focus, data, articles),
        ))
    return out


def _merge_reports(reports: Iterable[Graph], conforms: bool) -> Graph:
    """One sh:ValidationReport holding the results of several pyshacl reports."""
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    out.bind("sh", str(SH))
    root = BNode()
    out.add((root, RDF.type, SH.ValidationReport))
    out.add((root, SH.conforms, Literal(conforms)))
    for rep in reports:
        old_roots = set(rep.subjects(RDF.type, SH.ValidationReport))
        for s, p, o in rep:
            if s in old_roots:
                if p == SH.result:
                    out.add((root, p, o))
                continue
            out.add((s, p, o))
    return out


def _sort_key(i: Issue) -> tuple:
    return (i.article is None, i.article or "", i.focus, i.path or "", i.message)


def _result(parts: list[tuple[bool, Graph, list[Issue]]]) -> ValidationResult:
    conforms = all(c for c, _, _ in parts)
    issues = tuple(sorted((i for _, _, iss in parts for i in iss), key=_sort_key))
    return ValidationResult(conforms, issues, _merge_reports((r for _, r, _ in parts), conforms))


# ------------------------------------------------------------------ public validation API

def validate_graph(data: Graph, *, cross: bool = False, shapes_path: str | Path | None = None,
                   ntriples: bytes | None = None) -> ValidationResult:
    """Validate one graph (typically an article graph joined with the actors/places it uses).

    ``cross=True`` also runs the cross shapes (one prefLabel per actor, unique Wikidata / GeoNames
    ids). A Dataset / ConjunctiveGraph is validated graph by graph with :func:`validate_dataset`.
    ``ntriples``: the same triples as N-Triples when the caller has them (a build does), so the
    SPARQL constraints are tried on Oxigraph first (:func:`kg.sparql_constraints.evaluate`).
    The input graph is never modified.
    """
    if isinstance(data, ConjunctiveGraph):
        return validate_dataset(data, shapes_path=shapes_path)
    sp = _resolved(shapes_path)
    work = _work_copy(data)
    conforms, report = _run(work, "all" if cross else "article", sp, ntriples)
    return _result([(conforms, report, _issues(report, work, sp))])


def validate_dataset(ds: ConjunctiveGraph, *, shapes_path: str | Path | None = None) -> ValidationResult:
    """Validate each article graph separately, joined with the canonical descriptions of the actors
    and places it references; then the cross shapes on the actors + places graphs.

    Named graphs other than article/actors/places/runs/ontology (and a non-empty default graph) are
    validated on their own with every shape. ``Issue.article`` is the article id (None for issues
    of the shared actors/places graphs).
    """
    graphs = {g.identifier: g for g in ds.graphs() if len(g)}
    shared = [graphs[i] for i in (ACTORS_GRAPH, PLACES_GRAPH) if i in graphs]
    sp = _resolved(shapes_path)
    parts: list[tuple[bool, Graph, list[Issue]]] = []
    for ident in sorted(graphs, key=str):
        g = graphs[ident]
        if ident in _SKIPPED_GRAPHS or ident in (ACTORS_GRAPH, PLACES_GRAPH):
            continue
        work = _work_copy(_joined(g, shared))
        if str(ident).startswith(ARTICLE_GRAPH_PREFIX):
            ids = _articles(g)
            article = next(iter(ids.values())) if len(ids) == 1 else unquote(str(ident)[len(ARTICLE_GRAPH_PREFIX):])
            conforms, report = _run(work, "article", sp)
            parts.append((conforms, report, _issues(report, work, sp, article)))
        else:
            conforms, report = _run(work, "all", sp)
            parts.append((conforms, report, _issues(report, work, sp)))
    if shared:
        work = _work_copy(t for g in shared for t in g)
        conforms, report = _run(work, "cross", sp)
        parts.append((conforms, report, [_with_article(i, None) for i in _issues(report, work, sp, "")]))
    if not parts:
        return ValidationResult(True, (), _merge_reports([], True))
    return _result(parts)


def _with_article(issue: Issue, article: str | None) -> Issue:
    return Issue(issue.focus, issue.path, issue.value, issue.message, issue.severity, issue.shape, article)


def _joined(g: Graph, shared: list[Graph]) -> Iterator[tuple]:
    """Triples of ``g`` plus the descriptions (in the shared graphs) of every IRI it mentions,
    followed transitively (a place's ``ck:partOf`` country, an actor's ``ck:memberOf`` group)."""
    yield from g
    if not shared:
        return
    todo = [n for t in g for n in (t[0], t[2]) if isinstance(n, URIRef)]
    seen: set = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for sg in shared:
            for t in sg.triples((node, None, None)):
                yield t
                if isinstance(t[2], URIRef) and t[1] != RDF.type:
                    todo.append(t[2])


# ------------------------------------------------------------------ reading RDF files safely

@dataclass(frozen=True)
class RDFFormat:
    name: str  # rdflib parser name
    label: str  # shown in messages


RDF_FORMATS: Registry[RDFFormat] = Registry("RDF format")
for _ext, _fmt in {
    "ttl": RDFFormat("turtle", "Turtle"), "trig": RDFFormat("trig", "TriG"),
    "nt": RDFFormat("nt", "N-Triples"), "nq": RDFFormat("nquads", "N-Quads"),
    "jsonld": RDFFormat("json-ld", "JSON-LD"), "rdf": RDFFormat("xml", "RDF/XML"),
    "xml": RDFFormat("xml", "RDF/XML"), "n3": RDFFormat("n3", "Notation3"),
}.items():
    RDF_FORMATS.add(_ext, _fmt)


def _ext(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


_DOCTYPE = re.compile(r"<!DOCTYPE\b(?:[^\[>]*)(?:\[(?P<subset>.*?)\])?\s*>", re.S | re.I)
_EXTERNAL = re.compile(r"\b(SYSTEM|PUBLIC)\b|<!ENTITY\s+%", re.I)
#: an internal entity whose value refers to other entities: the "billion laughs" expansion bomb
_NESTED_ENTITY = re.compile(r"<!ENTITY\s+[^\s>]+\s+(\"[^\"]*&[^\"]*\"|'[^']*&[^']*')", re.I)


def _check_xml(text: str, path: Path, fmt: RDFFormat) -> None:
    """Refuse DTDs that reference anything external (XXE), declare parameter entities, or nest entities
    (billion laughs); simple internal entities (prefix shorthands in OWL files) still parse."""
    m = _DOCTYPE.search(text)
    if m is None:
        return
    line = text.count("\n", 0, m.start()) + 1
    if _EXTERNAL.search(m.group(0)):
        raise KGError("E030", path=str(path), fmt=fmt.label,
                      reason=f"line {line}: DOCTYPE with external entities or DTD refused (never resolved)")
    if _NESTED_ENTITY.search(m.group(0)):
        raise KGError("E030", path=str(path), fmt=fmt.label,
                      reason=f"line {line}: entities defined by other entities refused (expansion bomb)")


def _remote_contexts(obj) -> Iterator[str]:
    """Every ``@context`` / ``@import`` that is a reference (string) instead of an inline object."""
    if isinstance(obj, dict):
        for key, val in obj.items():
            if key == "@context":
                for c in val if isinstance(val, list) else [val]:
                    if isinstance(c, str):
                        yield c
                    elif isinstance(c, dict):
                        if isinstance(c.get("@import"), str):
                            yield c["@import"]
                        yield from _remote_contexts(c)
            else:
                yield from _remote_contexts(val)
    elif isinstance(obj, list):
        for item in obj:
            yield from _remote_contexts(item)


def _check_jsonld(text: str, path: Path, fmt: RDFFormat) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KGError("E030", path=str(path), fmt=fmt.label, reason=f"line {exc.lineno}: {exc.msg}") from None
    for ref in _remote_contexts(doc):
        raise KGError("E030", path=str(path), fmt=fmt.label,
                      reason=f"remote JSON-LD context {ref!r} refused (only inline contexts are allowed)")


_PRECHECKS = {"xml": _check_xml, "json-ld": _check_jsonld}


def _parse_error_reason(exc: Exception, text: str, fmt: RDFFormat) -> str:
    """The parser's message as one line, with the line number in front."""
    msg = _one_line(exc)
    line = getattr(exc, "lines", None)  # notation3 BadSyntax
    if isinstance(line, int):
        why = getattr(exc, "_why", None) or msg
        return f"line {line + 1}: {why}"  # BadSyntax.lines counts the newlines before the error
    get_line = getattr(exc, "getLineNumber", None)  # SAXParseException
    if callable(get_line):
        return f"line {get_line()}: {exc.getMessage()}"  # type: ignore[attr-defined]
    m = re.search(r"at line (\d+)", msg)
    if m:
        return f"line {m.group(1)}: {msg}"
    if fmt.name in ("nt", "nquads"):
        n = _bad_nt_line(text, fmt, str(exc))
        if n:
            return f"line {n}: {msg}"
    return msg


def _bad_nt_line(text: str, fmt: RDFFormat, message: str) -> int | None:
    """N-Triples errors carry the bad line's text, not its number: find the first line that fails."""
    fragment = message.rsplit(":", 1)[-1].strip().strip("'\"").strip()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#") or (fragment and fragment not in line):
            continue
        try:
            Dataset().parse(data=line + "\n", format=fmt.name)
        except Exception:
            return n
    return None


def parse_rdf(path: str | Path) -> Dataset:
    """Parse one RDF file into a Dataset, choosing the syntax by extension; never fetches URLs."""
    p = Path(path)
    ext = _ext(p)
    if ext not in RDF_FORMATS:
        raise KGError("E032", path=str(p), known=", ".join("." + e for e in RDF_FORMATS.names()))
    fmt = RDF_FORMATS.get(ext)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise KGError("E001", path=str(p), reason=exc.strerror or str(exc)) from None
    text = raw.decode("utf-8", errors="replace")
    check = _PRECHECKS.get(fmt.name)
    if check:
        check(text, p, fmt)
    ds = Dataset()
    try:
        ds.parse(data=raw if fmt.name == "xml" else text, format=fmt.name, publicID=p.resolve().as_uri())
    except KGError:
        raise
    except Exception as exc:
        raise KGError("E030", path=str(p), fmt=fmt.label, reason=_parse_error_reason(exc, text, fmt)) from None
    return ds


def _rdf_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.exists():
        raise KGError("E007", path=str(root))
    return sorted(f for f in root.rglob("*") if f.is_file() and _ext(f) in RDF_FORMATS
                  and not any(part.startswith(".") for part in f.relative_to(root).parts))


def validate_path(path: str | Path, *, shapes_path: str | Path | None = None) -> ValidationResult:
    """Validate an RDF file, or every RDF file under a directory (``kg validate FILE-or-DIR``).

    Each file is parsed into a dataset and checked with :func:`validate_dataset`; an issue found in
    several files (``kg.trig`` and its union ``kg.ttl``) is listed once. Raises ``KGError`` E007
    (no such path), E032 (unknown extension), E030 (malformed RDF, with its line).
    """
    files = _rdf_files(Path(path))
    parts: list[ValidationResult] = [validate_dataset(parse_rdf(f), shapes_path=shapes_path) for f in files]
    conforms = all(r.conforms for r in parts)
    issues = tuple(sorted({i for r in parts for i in r.issues}, key=_sort_key))
    return ValidationResult(conforms, issues, _merge_reports((r.report for r in parts), conforms))


# ------------------------------------------------------------------ readable report

def _compact(iri: str | None) -> str:
    if iri is None:
        return "-"
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    if iri.startswith("https://w3id.org/conflict-kg/shapes#"):
        return "cks:" + iri.split("#", 1)[1]
    return f"<{iri}>" if "://" in iri else iri


_IRI_IN_TEXT = re.compile(r"https?://[^\s<>\"',;()]+[^\s<>\"',;().:]")


def format_report(result: ValidationResult) -> str:
    """Readable text: a summary line, then issues grouped by article and focus node."""
    if result.conforms and not result.issues:
        return "conforms: no SHACL violations"
    counts: dict[str, int] = {}
    for i in result.issues:
        counts[i.severity] = counts.get(i.severity, 0) + 1
    summary = ", ".join(f"{n} {sev.lower()}{'s' if n != 1 else ''}" for sev, n in sorted(counts.items()))
    n_art = len({i.article for i in result.issues if i.article})
    head = "conforms" if result.conforms else "does not conform"
    lines = [f"{head}: {summary} in {n_art} article{'s' if n_art != 1 else ''}"
             + (" and the shared actors/places graphs" if any(i.article is None for i in result.issues) else "")]
    current_article: object = object()
    current_focus = None
    for i in result.issues:
        if i.article != current_article:
            current_article, current_focus = i.article, None
            lines.append("")
            lines.append(f"article {i.article}" if i.article is not None else "shared graphs (actors, places)")
        if i.focus != current_focus:
            current_focus = i.focus
            lines.append(f"  {_compact(i.focus)}")
        detail = [f"path {_compact(i.path)}"] if i.path else []
        if i.value is not None:
            detail.append(f"value {_compact(i.value) if '://' in i.value else repr(i.value)}")
        extra = f" ({', '.join(detail)})" if detail else ""
        message = _IRI_IN_TEXT.sub(lambda m: _compact(m.group(0)), i.message)
        lines.append(f"    {i.severity}: {message}{extra} [{_compact(i.shape)}]")
    return "\n".join(lines)


def _one_line(obj: object) -> str:
    return " ".join(str(obj).split())
