"""networkx actor graphs built from SPARQL aggregates over the store.

Every builder sends a few ``GROUP BY`` queries (``COUNT``/``MIN``/``MAX``/``GROUP_CONCAT``) to the
store and turns the aggregated rows into a graph; nothing walks the triples in Python. Node ids are
actor IRIs. Graph attribute values are plain JSON types (ISO dates as strings, lists of sentences), so
every exporter can write them.

Filters (all builders): ``since``/``until`` (dates; an event is kept when its date, or its
``ck:earliest``..``ck:latest`` interval, overlaps the range; undated events are dropped when a date
filter is given), ``types`` (PLOVER types), ``country`` (ISO3 of an agent, target or the event place),
``min_weight`` (edges below it are dropped, then actors left without edges), ``include_negated``
(``ck:mode "negated"`` events are left out unless true).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping, Protocol, Sequence
from urllib.parse import unquote

import networkx as nx

from kg.errors import KGError
from kg.models import ACTOR_TYPES, PLOVER_TYPES
from kg.rdf.namespaces import sparql_prefixes

__all__ = [
    "QUAD_CLASS", "QUAD_SIGN", "GraphFilter", "event_multigraph", "actor_graph", "cooccurrence_graph",
    "add_centrality", "quad_class_table",
]

#: PLOVER type -> quad class (local name in ck:), used when the ontology graph is not in the store.
QUAD_CLASS: dict[str, str] = {
    **dict.fromkeys(("AGREE", "CONSULT", "SUPPORT"), "VerbalCooperation"),
    **dict.fromkeys(("COOPERATE", "AID", "RETREAT", "CONCEDE"), "MaterialCooperation"),
    **dict.fromkeys(("REQUEST", "ACCUSE", "REJECT", "THREATEN"), "VerbalConflict"),
    **dict.fromkeys(("PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"), "MaterialConflict"),
}
#: quad class -> sign of the relation (+1 cooperation, -1 conflict)
QUAD_SIGN: dict[str, int] = {
    "VerbalCooperation": 1, "MaterialCooperation": 1, "VerbalConflict": -1, "MaterialConflict": -1,
}
#: how many evidence sentences an aggregated edge keeps
MAX_EVIDENCE = 3
#: betweenness costs ~nodes x edges steps; above this budget it is estimated from a seeded sample of
#: ``budget // edges`` pivot nodes (at least 10), which keeps it to a few seconds on large graphs
BETWEENNESS_BUDGET = 1_000_000
_SEP = "\u241e"  # record separator symbol: joins sentences in GROUP_CONCAT
# MIN/MAX are unbound when one row lacks a date, so undated rows count as far future / far past
_NO_FIRST, _NO_LAST = "9999-12-31", "0001-01-01"
_FIRST_LAST = (f'(MIN(COALESCE(?start, "{_NO_FIRST}"^^xsd:date)) AS ?first) '
               f'(MAX(COALESCE(?end, "{_NO_LAST}"^^xsd:date)) AS ?last)')
_ISO3 = re.compile(r"^[A-Z]{3}$")


class SelectStore(Protocol):
    """What the builders need from :class:`kg.rdf.store.Store`."""

    def select(self, sparql: str, **params: Any) -> list[dict[str, object]]: ...


@dataclass(frozen=True)
class GraphFilter:
    """Validated event filters shared by all graph builders."""

    since: date | None = None
    until: date | None = None
    types: tuple[str, ...] = ()
    country: str | None = None
    min_weight: float | None = None
    include_negated: bool = False

    @classmethod
    def make(
        cls,
        since: date | str | None = None,
        until: date | str | None = None,
        types: Iterable[str] | str | None = None,
        country: str | None = None,
        min_weight: float | None = None,
        include_negated: bool = False,
    ) -> "GraphFilter":
        """Check and normalise user-given filter values (raises :class:`KGError` E010)."""
        if isinstance(types, str):
            types = [types]
        norm_types = tuple(sorted({t.strip().upper() for t in types or () if t.strip()}))
        for t in norm_types:
            if t not in PLOVER_TYPES:
                raise KGError("E010", kind="PLOVER event type", name=t, known=", ".join(PLOVER_TYPES))
        if country is not None:
            country = country.strip().upper()
            if not _ISO3.match(country):
                raise KGError("E010", kind="country code", name=country, known="ISO 3166-1 alpha-3, e.g. IRQ")
        return cls(_as_date(since, "since"), _as_date(until, "until"), norm_types, country,
                   None if min_weight is None else float(min_weight), bool(include_negated))

    def event_pattern(self, e: str = "e", s: str = "") -> str:
        """SPARQL group pattern matching the filtered events ``?<e>``.

        Binds ``?t<s>`` (concept), ``?type<s>`` (notation), ``?start<s>``/``?end<s>`` (date bounds).
        """
        ev, t = f"?{e}", f"?t{s}"
        d0, d1, d2 = f"?d0{s}", f"?d1{s}", f"?d2{s}"
        lines = []
        if self.types:
            lines.append(f"VALUES {t} {{ " + " ".join(f"plover:{x}" for x in self.types) + " }")
        lines += [
            f"{ev} ck:eventType {t} .",
            f"BIND(STRAFTER(STR({t}), STR(plover:)) AS ?type{s})",
            f"OPTIONAL {{ {ev} ck:date {d0} }} OPTIONAL {{ {ev} ck:earliest {d1} }} "
            f"OPTIONAL {{ {ev} ck:latest {d2} }}",
            f"BIND(COALESCE({d0}, {d1}, {d2}) AS ?start{s})",
            f"BIND(COALESCE({d0}, {d2}, {d1}) AS ?end{s})",
        ]
        if self.since:
            lines.append(f'FILTER(?end{s} >= "{self.since.isoformat()}"^^xsd:date)')
        if self.until:
            lines.append(f'FILTER(?start{s} <= "{self.until.isoformat()}"^^xsd:date)')
        if not self.include_negated:
            lines.append(f'FILTER NOT EXISTS {{ {ev} ck:mode "negated" }}')
        if self.country:
            lines.append(f"FILTER EXISTS {{ {ev} ck:agent|ck:target|ck:place ?cx{s} . "
                         f'?cx{s} ck:country "{self.country}" }}')
        return "\n  ".join(lines)


def _as_date(value: date | str | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise KGError("E010", kind=f"--{name} date", name=str(value), known="YYYY-MM-DD") from None


def _iso(value: object) -> str | None:
    if value is None or value == "":
        return None
    iso = value.isoformat() if isinstance(value, date) else str(value)[:10]
    return None if iso in (_NO_FIRST, _NO_LAST) else iso


def _local(iri: object, sep: str) -> str:
    return str(iri).rsplit(sep, 1)[-1]


def _sentences(joined: object) -> list[str]:
    return sorted({s for s in str(joined or "").split(_SEP) if s})


# --------------------------------------------------------------------------- queries


def _q(body: str) -> str:
    return sparql_prefixes() + body


def quad_class_table(store: SelectStore) -> dict[str, str]:
    """PLOVER type -> quad class: the store's ontology (``ck:quadClass``) over :data:`QUAD_CLASS`."""
    rows = store.select(_q(
        "SELECT ?t (SAMPLE(?q) AS ?quad) WHERE { ?t ck:quadClass ?q "
        "FILTER(STRSTARTS(STR(?t), STR(plover:))) } GROUP BY ?t"
    ))
    table = dict(QUAD_CLASS)
    for r in rows:
        table[_local(r["t"], "/")] = _local(r["quad"], "#")
    return table


def _node_rows(store: SelectStore, f: GraphFilter) -> list[dict[str, object]]:
    return store.select(_q(f"""
SELECT ?a (SAMPLE(?lab) AS ?label) (GROUP_CONCAT(DISTINCT STR(?cls); separator=" ") AS ?classes)
       (SAMPLE(?cc) AS ?country) (SAMPLE(?wdi) AS ?wikidata) (COUNT(DISTINCT ?e) AS ?events)
WHERE {{
  {f.event_pattern()}
  ?e ck:agent|ck:target ?a .
  OPTIONAL {{ ?a skos:prefLabel ?lab }}
  OPTIONAL {{ ?a a ?cls FILTER(STRSTARTS(STR(?cls), STR(ck:))) }}
  OPTIONAL {{ ?a ck:country ?cc }}
  OPTIONAL {{ ?a skos:exactMatch ?wdi FILTER(STRSTARTS(STR(?wdi), STR(wd:))) }}
}} GROUP BY ?a"""))


def _actor_type(classes: object) -> str:
    names = {_local(c, "#") for c in str(classes or "").split()}
    specific = [t for t in ACTOR_TYPES if t in names and t != "Actor"]
    return specific[0] if specific else "Actor"


def _add_nodes(g: nx.Graph, rows: Sequence[Mapping[str, object]]) -> None:
    for r in sorted(rows, key=lambda r: str(r["a"])):
        iri = str(r["a"])
        wd = r.get("wikidata")
        g.add_node(
            iri,
            label=str(r.get("label") or _label_from_iri(iri)),
            actor_type=_actor_type(r.get("classes")),
            country=(str(r["country"]) if r.get("country") else None),
            wikidata=(_local(wd, "/") if wd else None),
            events=int(r.get("events") or 0),
        )


def _label_from_iri(iri: str) -> str:
    return unquote(_local(iri, "/")).replace("-", " ")


def add_centrality(g: nx.Graph) -> nx.Graph:
    """Set node ``degree``, ``weight`` (sum of incident edge weights), ``degree_centrality`` and
    ``betweenness`` (sampled above :data:`BETWEENNESS_BUDGET`)."""
    n, m = g.number_of_nodes(), g.number_of_edges()
    if n == 0:
        return g
    dc = nx.degree_centrality(g) if n > 1 else {v: 0.0 for v in g}
    k = None if n * m <= BETWEENNESS_BUDGET else min(n, max(10, BETWEENNESS_BUDGET // max(m, 1)))
    bc = nx.betweenness_centrality(g, k=k, seed=0) if n > 2 else {v: 0.0 for v in g}
    for v in g:
        g.nodes[v]["degree"] = int(g.degree(v))
        g.nodes[v]["weight"] = float(g.degree(v, weight="weight"))
        g.nodes[v]["degree_centrality"] = round(float(dc[v]), 6)
        g.nodes[v]["betweenness"] = round(float(bc[v]), 6)
    return g


def _finish(g: nx.Graph, f: GraphFilter) -> nx.Graph:
    if f.min_weight is not None:
        weak = [(u, v, *k) for u, v, *k, w in _edge_weights(g) if w < f.min_weight]
        g.remove_edges_from(weak)
        g.remove_nodes_from([v for v in list(g) if g.degree(v) == 0])
    g.graph.update(_graph_meta(f))
    return add_centrality(g)


def _edge_weights(g: nx.Graph) -> list[tuple]:
    if g.is_multigraph():
        pair = Counter((u, v) for u, v in g.edges())
        return [(u, v, k, pair[(u, v)]) for u, v, k in g.edges(keys=True)]
    return [(u, v, d.get("weight", 1.0)) for u, v, d in g.edges(data=True)]


def _graph_meta(f: GraphFilter) -> dict[str, object]:
    meta: dict[str, object] = {"since": _iso(f.since), "until": _iso(f.until),
                               "types": ",".join(f.types) or None, "country": f.country,
                               "min_weight": f.min_weight, "include_negated": f.include_negated}
    return {f"filter_{k}": v for k, v in meta.items() if v is not None}


def _sign(coop: int, conflict: int) -> int:
    return (coop > conflict) - (conflict > coop)


# --------------------------------------------------------------------------- builders


def event_multigraph(store: SelectStore, **filters: Any) -> nx.MultiDiGraph:
    """One edge per (event, agent, target), keyed by the event IRI.

    Edge attributes: ``event``, ``event_type``, ``date`` (ISO or None), ``article``, ``evidence``
    (list), ``mode``, ``confidence``, ``quad_class``, ``sign``, ``weight`` (1.0), ``count`` (1).
    ``min_weight`` here is the number of events of the (agent, target) pair.
    """
    f = GraphFilter.make(**filters)
    quads = quad_class_table(store)
    rows = store.select(_q(f"""
SELECT ?e ?a ?b (SAMPLE(?type) AS ?etype) (SAMPLE(?start) AS ?date) (SAMPLE(?art) AS ?article)
       (SAMPLE(?m) AS ?mode) (SAMPLE(?c) AS ?confidence)
       (GROUP_CONCAT(DISTINCT ?ev; separator="{_SEP}") AS ?evidence)
WHERE {{
  {f.event_pattern()}
  ?e ck:agent ?a ; ck:target ?b . FILTER(?a != ?b)
  OPTIONAL {{ ?e prov:wasDerivedFrom ?art }}
  OPTIONAL {{ ?e ck:mode ?m }}
  OPTIONAL {{ ?e ck:confidence ?c }}
  OPTIONAL {{ ?e ck:evidence ?ev }}
}} GROUP BY ?e ?a ?b"""))
    g = nx.MultiDiGraph(kind="events")
    _add_nodes(g, _node_rows(store, f))
    for r in sorted(rows, key=lambda r: (str(r["e"]), str(r["a"]), str(r["b"]))):
        etype = str(r["etype"])
        quad = quads.get(etype)
        conf = r.get("confidence")
        g.add_edge(
            str(r["a"]), str(r["b"]), key=str(r["e"]),
            event=str(r["e"]), event_type=etype, date=_iso(r.get("date")),
            article=(str(r["article"]) if r.get("article") else None), evidence=_sentences(r.get("evidence")),
            mode=(str(r["mode"]) if r.get("mode") else None),
            confidence=(None if conf is None else float(conf)), quad_class=quad,
            sign=QUAD_SIGN.get(quad or "", 0), weight=1.0, count=1,
            label=etype,
        )
    return _finish(g, f)


def actor_graph(store: SelectStore, **filters: Any) -> nx.DiGraph:
    """Aggregated directed actor graph: one edge per (agent, target) pair.

    Edge attributes: ``count`` (events), ``weight`` (= count), one key per PLOVER type with its count
    (``"ASSAULT": 3``), ``event_type`` (the most frequent), ``first_date``/``last_date``,
    ``cooperation``/``conflict`` (event counts by quad class), ``sign`` (+1 / -1 / 0 when balanced),
    ``evidence`` (up to :data:`MAX_EVIDENCE` sentences), ``label``.
    Node attributes: ``label``, ``actor_type``, ``country``, ``wikidata``, ``events``, ``degree``,
    ``weight``, ``degree_centrality``, ``betweenness``.
    """
    f = GraphFilter.make(**filters)
    quads = quad_class_table(store)
    rows = store.select(_q(f"""
SELECT ?a ?b ?type (COUNT(DISTINCT ?e) AS ?n) {_FIRST_LAST}
       (GROUP_CONCAT(DISTINCT ?ev; separator="{_SEP}") AS ?evidence)
WHERE {{
  {f.event_pattern()}
  ?e ck:agent ?a ; ck:target ?b . FILTER(?a != ?b)
  OPTIONAL {{ ?e ck:evidence ?ev }}
}} GROUP BY ?a ?b ?type"""))
    g = nx.DiGraph(kind="actors")
    _add_nodes(g, _node_rows(store, f))
    per_pair: dict[tuple[str, str], list[Mapping[str, object]]] = defaultdict(list)
    for r in rows:
        per_pair[(str(r["a"]), str(r["b"]))].append(r)
    for (a, b), group in sorted(per_pair.items()):
        g.add_edge(a, b, **_aggregate_edge(group, quads))
    return _finish(g, f)


def _aggregate_edge(group: Sequence[Mapping[str, object]], quads: Mapping[str, str]) -> dict[str, object]:
    counts: Counter[str] = Counter()
    firsts, lasts, evidence = [], [], []
    for r in group:
        counts[str(r["type"])] += int(r["n"])
        first, last = _iso(r.get("first")), _iso(r.get("last"))
        if first:  # a pair can have dated and undated events
            firsts.append(first)
        if last:
            lasts.append(last)
        evidence += _sentences(r.get("evidence"))
    coop = sum(n for t, n in counts.items() if QUAD_SIGN.get(quads.get(t, ""), 0) > 0)
    conflict = sum(n for t, n in counts.items() if QUAD_SIGN.get(quads.get(t, ""), 0) < 0)
    total = sum(counts.values())
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "count": total, "weight": float(total), **dict(sorted(counts.items())),
        "event_type": top[0][0], "first_date": min(firsts) if firsts else None,
        "last_date": max(lasts) if lasts else None, "cooperation": coop, "conflict": conflict,
        "sign": _sign(coop, conflict), "evidence": sorted(set(evidence))[:MAX_EVIDENCE],
        "label": ", ".join(f"{t} x{n}" for t, n in top),
    }


def cooccurrence_graph(store: SelectStore, by: str = "event", **filters: Any) -> nx.Graph:
    """Undirected graph of actors taking part (as agent or target) in the same event or article.

    ``by="event"`` counts shared events, ``by="article"`` shared articles (among filtered events).
    Edge attributes: ``count``, ``weight`` (= count), ``first_date``, ``last_date``.
    """
    f = GraphFilter.make(**filters)
    units = {"event": ("?e", "BIND(?e AS ?e2)"),
             "article": ("?art", "?e prov:wasDerivedFrom ?art . ?e2 prov:wasDerivedFrom ?art .\n  "
                         + f.event_pattern("e2", "2"))}
    if by not in units:
        raise KGError("E010", kind="co-occurrence unit", name=by, known=", ".join(units))
    unit, second = units[by]
    rows = store.select(_q(f"""
SELECT ?a ?b (COUNT(DISTINCT {unit}) AS ?n) {_FIRST_LAST}
WHERE {{
  {f.event_pattern()}
  {second}
  ?e ck:agent|ck:target ?a . ?e2 ck:agent|ck:target ?b . FILTER(STR(?a) < STR(?b))
}} GROUP BY ?a ?b"""))
    g = nx.Graph(kind=f"cooccurrence-{by}")
    _add_nodes(g, _node_rows(store, f))
    for r in sorted(rows, key=lambda r: (str(r["a"]), str(r["b"]))):
        n = int(r["n"])
        g.add_edge(str(r["a"]), str(r["b"]), count=n, weight=float(n), first_date=_iso(r.get("first")),
                   last_date=_iso(r.get("last")), label=f"together x{n}")
    return _finish(g, f)
