"""SHACL-SPARQL constraints (``sh:sparql`` / ``sh:select``) evaluated once per graph, not once per focus node.

pyshacl runs a SPARQL constraint once for every focus node, with ``$this`` pre-bound: for the
date-sanity shape that is one rdflib query per article, more than half of the validation time of a
batch. The same results come from ONE query per constraint: the constraint's SELECT as a sub-query,
joined with the shape's targets on ``?this`` (in SPARQL ``$this`` and ``?this`` are one variable).
:func:`split_sparql_constraints` takes the constraints out of the shapes graph given to pyshacl;
:func:`evaluate` runs them on the data and :func:`add_results` appends SHACL validation results to
pyshacl's report, as pyshacl would write them (focus node, path, value, severity, source shape and
constraint, messages with ``{?var}`` filled in). ``tests/test_validate.py`` compares both.

Supported: node shapes with ``sh:targetClass`` (subclasses through ``rdfs:subClassOf*``),
``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf`` or an implicit class target,
``sh:prefixes`` / ``sh:declare``, ``sh:message``, ``sh:severity``, ``sh:deactivated``. A constraint
this cannot evaluate exactly (on a property shape, in a shape without targets, with
``$PATH``/``$shapesGraph``/``$currentShape``/``?failure``) is a broken-shapes error (``E033``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kg.errors import KGError

__all__ = ["SparqlConstraint", "split_sparql_constraints", "evaluate", "add_results", "Result"]

_UNSUPPORTED = re.compile(r"[?$](PATH|shapesGraph|currentShape|failure)\b")


@dataclass(frozen=True)
class SparqlConstraint:
    """One ``sh:sparql`` constraint of a targeted node shape, ready to run as one query."""

    shape: URIRef
    node: Node  # the sh:SPARQLConstraint node (sh:sourceConstraint)
    query: str  # prefixes + the join of targets and the constraint's SELECT
    prepared: Any = field(compare=False, repr=False)  # ``query`` parsed once (rdflib re-parses strings)
    messages: tuple[Literal, ...]  # the constraint's sh:message templates
    shape_messages: tuple[Literal, ...]
    severity: URIRef


@dataclass(frozen=True)
class Result:
    """One violation found by a SPARQL constraint."""

    constraint: SparqlConstraint
    focus: Node
    path: Node | None
    value: Node | None
    messages: tuple[Literal, ...]


def _bad(path: str, shape: Node, why: str) -> KGError:
    return KGError("E033", path=path, reason=f"shape {shape}: {why}")


def _target_clause(shapes: Graph, shape: Node) -> str | None:
    """The shape's targets as a SPARQL group binding ``?this`` (None: the shape has no target)."""
    parts = [f"{{ ?this a/<{RDFS.subClassOf}>* <{c}> }}" for c in shapes.objects(shape, SH.targetClass)]
    if (shape, RDF.type, RDFS.Class) in shapes:
        parts.append(f"{{ ?this a/<{RDFS.subClassOf}>* <{shape}> }}")
    nodes = [n.n3() for n in shapes.objects(shape, SH.targetNode)]
    if nodes:
        parts.append(f"{{ VALUES ?this {{ {' '.join(nodes)} }} }}")
    parts += [f"{{ ?this <{p}> [] }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    parts += [f"{{ [] <{p}> ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
    if not parts:
        return None
    return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}"


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for holder in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(holder, SH.declare):
            prefix, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(sorted(set(lines)))


def _reachable_bnodes(g: Graph, start: Node) -> set[Node]:
    todo, seen = [start], set()
    while todo:
        n = todo.pop()
        if n in seen or not isinstance(n, BNode):
            continue
        seen.add(n)
        todo.extend(o for o in g.objects(n, None) if isinstance(o, BNode))
    return seen


def split_sparql_constraints(shapes: Graph, path: str = "shapes") -> tuple[Graph, list[SparqlConstraint]]:
    """``shapes`` without its ``sh:sparql`` constraints, and those constraints as queries.

    ``path`` only names the shapes file in errors. The input graph is not modified.
    """
    constraints: list[SparqlConstraint] = []
    dropped: set[tuple] = set()
    for shape, node in sorted(shapes.subject_objects(SH.sparql), key=lambda so: (str(so[0]), str(so[1]))):
        dropped.add((shape, SH.sparql, node))
        for b in _reachable_bnodes(shapes, node):
            dropped.update((b, p, o) for p, o in shapes.predicate_objects(b))
        if shapes.value(node, SH.deactivated) == Literal(True) or shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        if shapes.value(shape, SH.path) is not None:
            raise _bad(path, shape, "SPARQL constraints on property shapes are not supported")
        select = shapes.value(node, SH.select)
        if select is None:
            raise _bad(path, shape, "a sh:sparql constraint needs a sh:select query")
        if _UNSUPPORTED.search(str(select)):
            raise _bad(path, shape, "$PATH, $shapesGraph, $currentShape and ?failure are not supported")
        targets = _target_clause(shapes, shape)
        if targets is None:
            raise _bad(path, shape, "a shape with a SPARQL constraint needs a target")
        query = f"{_prefixes(shapes, node)}\nSELECT * WHERE {{\n{targets}\n{{ {select} }}\n}}"
        try:
            prepared = prepareQuery(query)
        except Exception as exc:  # any parser error means a broken shape
            raise _bad(path, shape, f"bad sh:select: {' '.join(str(exc).split())}") from None
        constraints.append(SparqlConstraint(
            shape=shape, node=node, query=query, prepared=prepared,
            messages=tuple(sorted(shapes.objects(node, SH.message))),
            shape_messages=tuple(sorted(shapes.objects(shape, SH.message))),
            severity=shapes.value(shape, SH.severity) or SH.Violation,
        ))
    rest = Graph(bind_namespaces="none")
    for prefix, ns in shapes.namespaces():
        rest.bind(prefix, ns, override=True)
    for t in shapes:
        if t not in dropped:
            rest.add(t)
    return rest, constraints


def _fill(template: Literal, row: dict[str, Node]) -> Literal:
    text = re.sub(r"\{[?$](\w+)\}", lambda m: str(row[m.group(1)]) if m.group(1) in row else m.group(0), str(template))
    return Literal(text, lang=template.language) if template.language else Literal(text)


def _quick_store(ntriples: bytes):
    import pyoxigraph

    store = pyoxigraph.Store()  # in memory
    store.load(ntriples, pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _holds(store, c: SparqlConstraint) -> bool:
    """True when Oxigraph finds no solution of ``c`` in ``store``; False when it finds one or
    cannot run the query (then rdflib decides)."""
    try:
        return next(iter(store.query(c.query)), None) is None
    except Exception:  # noqa: BLE001 - a query Oxigraph rejects is evaluated by rdflib as before
        return False


def evaluate(constraints: Iterable[SparqlConstraint], data: Graph, ntriples: bytes | None = None) -> list[Result]:
    """Every violation of ``constraints`` in ``data`` (an indexed rdflib graph), in a stable order.

    ``ntriples``, the same triples as N-Triples, lets Oxigraph run each query first (in memory,
    ~20x faster than rdflib's engine on a batch's data): a constraint without any solution there has
    no violation; the others are evaluated by rdflib, so results keep rdflib's terms and order."""
    out: list[Result] = []
    quick = _quick_store(ntriples) if ntriples is not None else None
    for c in constraints:
        if quick is not None and _holds(quick, c):
            continue
        rows = []
        for sol in data.query(c.prepared):
            row = {str(k): v for k, v in sol.asdict().items() if v is not None}
            if "this" in row:
                rows.append(row)
        for row in sorted(rows, key=lambda r: sorted((k, str(v)) for k, v in r.items())):
            focus = row["this"]
            value = row.get("value", focus)  # node shapes: the focus node when ?value is unbound
            messages = dict.fromkeys(_fill(m, row) for m in (*c.shape_messages, *c.messages))
            out.append(Result(c, focus, row.get("path"), value, tuple(messages)))
    return out


def add_results(report: Graph, results: Iterable[Result]) -> bool:
    """Append ``results`` to a pyshacl report (one ``sh:ValidationReport``); update ``sh:conforms``.

    Returns whether the report still conforms (no ``sh:Violation`` result)."""
    root = next(iter(report.subjects(RDF.type, SH.ValidationReport)))
    conforms = report.value(root, SH.conforms) == Literal(True)
    for r in results:
        c = r.constraint
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        report.add((node, SH.sourceShape, c.shape))
        report.add((node, SH.sourceConstraint, c.node))
        report.add((node, SH.resultSeverity, c.severity))
        report.add((node, SH.focusNode, r.focus))
        if r.value is not None:
            report.add((node, SH.value, r.value))
        if r.path is not None:
            report.add((node, SH.resultPath, r.path))
        for m in r.messages:
            report.add((node, SH.resultMessage, m))
        if c.severity == SH.Violation:
            conforms = False
    report.set((root, SH.conforms, Literal(conforms)))
    return conforms
