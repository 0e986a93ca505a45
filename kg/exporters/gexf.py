"""GEXF 1.2 export for Gephi: typed attributes, node colour/size/position in ``viz``."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from kg.exporters import EXPORTERS, flatten, layout, node_color

#: attribute names the networkx GEXF writer reads as GEXF structure, not data
RESERVED = ("id", "type", "start", "end", "spells", "viz", "pid")
#: above this many nodes positions are left to Gephi (the Python layout would be slow)
MAX_POSITIONED = 2000


def _viz(graph: nx.Graph) -> dict:
    pos = layout(graph) if graph.number_of_nodes() <= MAX_POSITIONED else {}
    viz = {}
    for n, d in graph.nodes(data=True):
        hexc = node_color(d).lstrip("#")
        r, g, b = (int(hexc[i:i + 2], 16) for i in (0, 2, 4))
        viz[n] = {"color": {"r": r, "g": g, "b": b, "a": 1.0},
                  "size": round(6.0 + 4.0 * float(d.get("weight", 0.0)) ** 0.5, 3)}
        if n in pos:
            x, y = pos[n]
            viz[n]["position"] = {"x": round(1000 * x, 3), "y": round(1000 * y, 3), "z": 0.0}
    return viz


@EXPORTERS.register("gexf")
def write(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as GEXF 1.2 (opens in Gephi). The file has no write-time date (reproducible)."""
    path = Path(path)
    flat = flatten(graph, reserved=RESERVED)
    nx.set_node_attributes(flat, _viz(graph), "viz")
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(flat)
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
    writer.write(path)
    return path
