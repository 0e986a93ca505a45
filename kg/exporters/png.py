"""PNG picture of an actor graph (matplotlib Agg, no display needed).

Nodes are coloured by actor type and sized by weight, edges coloured by sign (conflict /
cooperation / mixed), with a legend for both; the busiest actors are labelled. The image has a
fixed pixel size (default 1600 x 1200).
"""
from __future__ import annotations

import math
from pathlib import Path

import networkx as nx

from kg.exporters import ACTOR_COLORS, EXPORTERS, SIGN_COLORS, edge_color, edge_kind, layout, node_color, top_nodes

#: how many actors get a text label (the heaviest ones)
MAX_LABELS = 40
#: above this many actors the picture keeps the heaviest ones (and says so in the title)
MAX_NODES = 300


def _title(graph: nx.Graph) -> str:
    kind = "relations" if graph.is_directed() else "links"
    filters = ", ".join(f"{k.removeprefix('filter_')}={v}" for k, v in sorted(graph.graph.items())
                        if k.startswith("filter_") and k != "filter_include_negated")
    head = f"{graph.number_of_nodes()} actors, {graph.number_of_edges()} {kind}"
    return head + (f"  ({filters})" if filters else "")


def _legend(ax, graph: nx.Graph) -> None:
    from matplotlib.lines import Line2D

    types = sorted({str(d.get("actor_type", "Actor")) for _, d in graph.nodes(data=True)})
    node_handles = [Line2D([], [], marker="o", linestyle="", markersize=11, markeredgecolor="white", label=t,
                           markerfacecolor=ACTOR_COLORS.get(t, ACTOR_COLORS["Actor"])) for t in types]
    kinds = sorted({edge_kind(d) for *_, d in graph.edges(data=True)})
    edge_handles = [Line2D([], [], color=SIGN_COLORS[k], linewidth=3, label=k) for k in kinds]
    if node_handles:
        first = ax.legend(handles=node_handles, title="actor type", loc="upper left", fontsize=11,
                          title_fontsize=12, framealpha=0.9)
        ax.add_artist(first)
    if edge_handles:
        ax.legend(handles=edge_handles, title="relation", loc="lower left", fontsize=11, title_fontsize=12,
                  framealpha=0.9)


@EXPORTERS.register("png")
def write(graph: nx.Graph, path: str | Path, width: int = 1600, height: int = 1200, dpi: int = 100,
          max_labels: int = MAX_LABELS, max_nodes: int = MAX_NODES) -> Path:
    """Draw ``graph`` (its ``max_nodes`` heaviest actors) to a ``width`` x ``height`` PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.93))
    ax.set_axis_off()
    shown, note = top_nodes(graph, max_nodes)
    fig.suptitle("Actor graph: " + _title(graph) + (f"\n{note}" if note else ""), fontsize=16, y=0.99, va="top")
    graph = shown
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no actors match these filters", ha="center", va="center", fontsize=20, color="#555")
    else:
        _draw(ax, graph, max_labels)
        _legend(ax, graph)
    fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None})
    return path


def _draw(ax, graph: nx.Graph, max_labels: int) -> None:
    pos = layout(graph)
    nodes = sorted(graph.nodes)
    sizes = {n: 400.0 + 260.0 * math.sqrt(float(graph.nodes[n].get("weight", 1.0))) for n in nodes}
    edges = sorted(graph.edges(keys=True, data=True) if graph.is_multigraph() else graph.edges(data=True),
                   key=lambda e: tuple(str(x) for x in e[:-1]))
    edgelist = [tuple(e[:-1]) for e in edges]
    nx.draw_networkx_edges(
        graph, pos, ax=ax, edgelist=edgelist, edge_color=[edge_color(e[-1]) for e in edges],
        width=[1.0 + 1.5 * math.log2(1 + float(e[-1].get("count", 1))) for e in edges], alpha=0.75,
        **({"arrows": True, "arrowsize": 16, "connectionstyle": "arc3,rad=0.08"} if graph.is_directed() else {}),
        nodelist=nodes, node_size=[sizes[n] for n in nodes],
    )
    nx.draw_networkx_nodes(graph, pos, ax=ax, nodelist=nodes, node_size=[sizes[n] for n in nodes],
                           node_color=[node_color(graph.nodes[n]) for n in nodes], edgecolors="white",
                           linewidths=1.5)
    heavy = sorted(nodes, key=lambda n: (-float(graph.nodes[n].get("weight", 0.0)), str(n)))[:max_labels]
    for n in heavy:  # below the node, on a light box, so the node stays visible
        ax.annotate(str(graph.nodes[n].get("label", n)), xy=pos[n], xytext=(0, -(math.sqrt(sizes[n]) / 2 + 3)),
                    textcoords="offset points", ha="center", va="top", fontsize=12, fontweight="bold",
                    bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.0}, zorder=5)
    ax.margins(0.08)
