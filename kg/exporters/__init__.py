"""Graph exporters (networkx readwrite style): one module per format, registered in :data:`EXPORTERS`.

Each exporter is ``write(graph, path, **options) -> Path``. :func:`write_all` writes
``out_dir/actors.<format>`` for several formats (the build calls it). Shared here: attribute
flattening for typed XML formats, the colour scheme and a deterministic layout.
"""
from __future__ import annotations

import math
import weakref
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable

import networkx as nx

from kg.errors import KGError
from kg.registry import Registry

__all__ = [
    "EXPORTERS", "DEFAULT_FORMATS", "ACTOR_COLORS", "SIGN_COLORS", "SIGN_NAMES", "export", "write_all",
    "flatten", "layout", "top_nodes", "node_color", "edge_color", "edge_kind",
]

Writer = Callable[..., Path]
#: graph format name -> ``write(graph, path, **options) -> Path``; the file extension is the name
EXPORTERS: Registry[Writer] = Registry("graph format")
DEFAULT_FORMATS: tuple[str, ...] = ("graphml", "gexf", "json", "html")

#: node colour by actor type (ck: class local name)
ACTOR_COLORS: dict[str, str] = {
    "State": "#1f77b4", "ArmedForces": "#17becf", "GovernmentBody": "#9467bd", "ArmedGroup": "#ff7f0e",
    "Organization": "#8c564b", "InternationalOrganization": "#e377c2", "Person": "#bcbd22",
    "Group": "#f7b6d2", "Actor": "#a0a0a0",
}
#: edge colour by relation kind (from the edge ``sign``; co-occurrence edges have none)
SIGN_COLORS: dict[str, str] = {
    "conflict": "#d62728", "cooperation": "#2ca02c", "mixed": "#8c8c8c", "co-occurrence": "#6f8fb8",
}
SIGN_NAMES: dict[int, str] = {-1: "conflict", 1: "cooperation", 0: "mixed"}


def edge_kind(data: dict[str, Any]) -> str:
    """``conflict`` / ``cooperation`` / ``mixed`` from the edge sign, ``co-occurrence`` without one."""
    sign = data.get("sign")
    return "co-occurrence" if sign is None else SIGN_NAMES[(sign > 0) - (sign < 0)]


def node_color(data: dict[str, Any]) -> str:
    return ACTOR_COLORS.get(str(data.get("actor_type")), ACTOR_COLORS["Actor"])


def edge_color(data: dict[str, Any]) -> str:
    return SIGN_COLORS[edge_kind(data)]


# --------------------------------------------------------------------------- attributes


def _scalar(value: Any) -> Any:
    """A GraphML/GEXF-safe scalar, or None to drop the attribute."""
    if value is None:
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return " | ".join(str(v) for v in items if v is not None) or None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def _flat_attrs(attrs: dict[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        items = ((f"{key}_{k}", v) for k, v in value.items()) if isinstance(value, dict) else [(key, value)]
        for k, v in items:
            v = _scalar(v)
            if v is not None:
                out[f"kg_{k}" if k in reserved else str(k)] = v
    return out


def _unify_types(rows: Iterable[dict[str, Any]]) -> None:
    """Make each attribute one type across all rows: int+float -> float, anything+str -> str."""
    rows = list(rows)
    kinds: dict[str, set[type]] = defaultdict(set)
    for r in rows:
        for k, v in r.items():
            kinds[k].add(type(v))
    for k, ts in kinds.items():
        if len(ts) < 2:
            continue
        cast = float if ts <= {int, float, bool} else str
        for r in rows:
            if k in r:
                r[k] = cast(r[k])


def flatten(graph: nx.Graph, reserved: Iterable[str] = ()) -> nx.Graph:
    """Copy of ``graph`` whose attributes are typed scalars: no None, dicts flattened to ``key_sub``,
    lists joined with `` | ``, dates as ISO strings, one type per attribute; ``reserved`` keys get a
    ``kg_`` prefix."""
    res = frozenset(reserved)
    flat = graph.__class__()
    flat.graph.update(_flat_attrs(graph.graph, frozenset()))
    flat.add_nodes_from((n, _flat_attrs(d, res)) for n, d in graph.nodes(data=True))
    if graph.is_multigraph():
        flat.add_edges_from((u, v, k, _flat_attrs(d, res)) for u, v, k, d in graph.edges(keys=True, data=True))
    else:
        flat.add_edges_from((u, v, _flat_attrs(d, res)) for u, v, d in graph.edges(data=True))
    _unify_types(d for _, d in flat.nodes(data=True))
    _unify_types(d for *_, d in flat.edges(data=True))
    return flat


# --------------------------------------------------------------------------- layout


#: positions already computed, per graph object (checked against its size; see :func:`layout`)
_LAYOUTS: "weakref.WeakKeyDictionary[nx.Graph, tuple[tuple[int, int, int], dict]]" = weakref.WeakKeyDictionary()


def layout(graph: nx.Graph, seed: int = 7) -> dict[Any, tuple[float, float]]:
    """Deterministic 2-D positions around the origin (energy-based spring layout, which keeps
    disconnected parts close). Computed once per graph object: several exporters share it."""
    key = (graph.number_of_nodes(), graph.number_of_edges(), seed)
    cached = _LAYOUTS.get(graph)
    if cached and cached[0] == key:
        return cached[1]
    pos = _spring(graph, seed)
    _LAYOUTS[graph] = (key, pos)
    return pos


def _spring(graph: nx.Graph, seed: int) -> dict[Any, tuple[float, float]]:
    if graph.number_of_nodes() == 0:
        return {}
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes, key=str))
    for u, v, d in graph.edges(data=True):
        w = float(d.get("weight", 1.0)) + (simple[u][v]["weight"] if simple.has_edge(u, v) else 0.0)
        simple.add_edge(u, v, weight=w)
    for _, _, d in simple.edges(data=True):
        d["weight"] = math.log1p(d["weight"])
    k = 1.6 / math.sqrt(simple.number_of_nodes())
    pos = nx.spring_layout(simple, k=k, seed=seed, iterations=60 if len(simple) < 500 else 30, method="energy")
    return {n: (float(x), float(y)) for n, (x, y) in pos.items()}


def top_nodes(graph: nx.Graph, limit: int) -> tuple[nx.Graph, str | None]:
    """The ``limit`` heaviest actors (node ``weight``, else weighted degree) and a note, if pruned."""
    n = graph.number_of_nodes()
    if n <= limit:
        return graph, None

    def weight(v: Any) -> float:
        return float(graph.nodes[v].get("weight", graph.degree(v, weight="weight")))

    keep = sorted(graph.nodes, key=lambda v: (-weight(v), str(v)))[:limit]
    sub = graph.subgraph(keep).copy()
    note = (f"showing the top {limit:,} of {n:,} actors by weight "
            f"({sub.number_of_edges():,} of {graph.number_of_edges():,} relations)")
    return sub, note


# --------------------------------------------------------------------------- entry points


def export(graph: nx.Graph, path: str | Path, fmt: str | None = None, **options: Any) -> Path:
    """Write ``graph`` to ``path`` in ``fmt`` (default: from the file suffix)."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower()
    writer = EXPORTERS.get(fmt)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return writer(graph, path, **options)
    except OSError as exc:
        raise KGError("E043", path=path, reason=exc.strerror or exc) from exc
    except (ValueError, TypeError, nx.NetworkXError) as exc:
        raise KGError("E052", fmt=fmt, reason=exc) from exc


def write_all(graph: nx.Graph, out_dir: str | Path, formats: Iterable[str] = DEFAULT_FORMATS,
              stem: str = "actors") -> list[Path]:
    """Write ``out_dir/<stem>.<format>`` for each format; returns the paths written."""
    out = Path(out_dir)
    return [export(graph, out / f"{stem}.{fmt}", fmt) for fmt in formats]


# exporter modules register themselves on import (after the helpers above exist)
from kg.exporters import gexf, graphml, html, json, png  # noqa: E402,F401
