"""GraphML export (yEd, Cytoscape, networkx): typed scalar attributes, no None values."""
from __future__ import annotations

from pathlib import Path

import networkx as nx

from kg.exporters import EXPORTERS, flatten


@EXPORTERS.register("graphml")
def write(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as GraphML; lists are joined with `` | `` and dicts flattened."""
    path = Path(path)
    nx.write_graphml(flatten(graph), path, encoding="utf-8", prettyprint=True)
    return path
