"""Node-link JSON export (d3 / ``networkx.node_link_graph``), edges under the ``"edges"`` key."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import networkx as nx

from kg.exporters import EXPORTERS

EDGES_KEY = "edges"


def _default(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "item"):
        return value.item()
    return str(value)


@EXPORTERS.register("json")
def write(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as node-link JSON; read back with ``nx.node_link_graph(data, edges="edges")``."""
    path = Path(path)
    data = nx.node_link_data(graph, edges=EDGES_KEY)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=_default) + "\n",
                    encoding="utf-8")
    return path
