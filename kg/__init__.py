"""conflict-kg: a knowledge-graph builder for political-conflict news.

Public API: :func:`build`, :func:`load_store`, :func:`actor_graph`.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "build", "load_store", "actor_graph"]


def build(*args, **kwargs):
    """Build a knowledge graph from articles (see :func:`kg.pipeline.build`)."""
    from kg.pipeline import build as _build

    return _build(*args, **kwargs)


def load_store(path, read_only: bool = False):
    """Open the persistent store under ``path`` (an ``out/`` dir or its ``store/``)."""
    from kg.rdf.store import Store

    return Store.open(path, read_only=read_only)


def actor_graph(store, **filters):
    """Aggregated actor-relationship DiGraph (see :func:`kg.graph.actor_graph`)."""
    from kg.graph import actor_graph as _ag

    return _ag(store, **filters)
