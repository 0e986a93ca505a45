"""Serialise the store with Oxigraph's streaming writers (no whole-store rdflib graph).

Three layouts, chosen by the format's ``layout`` in :data:`kg.rdf.formats.FORMATS`:

* ``dataset`` (TriG, N-Quads): every named graph, straight from ``Store.dump``;
* ``union`` (Turtle, N-Triples, RDF/XML): the union of the data graphs (all graphs but the
  ontology) as plain triples, streamed from a ``CONSTRUCT``;
* ``jsonld``: one JSON-LD document with an inline ``@context`` of our prefixes (never a remote one)
  and one ``{"@id": graph, "@graph": [...]}`` entry per named graph, written graph by graph with
  IRIs compacted to ``prefix:local`` and ``rdf:type`` as ``@type``.
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterator

import pyoxigraph as ox

from kg.errors import KGError
from kg.rdf.formats import RdfSyntax, get_format
from kg.rdf.namespaces import ONTOLOGY_GRAPH, PREFIXES, RDF

#: kg.trig holds every named graph; kg.ttl the union of the data graphs
OUTPUTS: dict[str, str] = {"kg.trig": "trig", "kg.ttl": "turtle"}

_UNION_QUERY = (
    "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION "
    f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ONTOLOGY_GRAPH}>) }} }}"
)
_RDF_TYPE = str(RDF.type)
# longest namespace first, so ``kgid:`` never shadows a longer namespace under it
_NAMESPACES = sorted(((ns, p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))


def _store(store: object) -> ox.Store:
    """Our :class:`kg.rdf.store.Store` or a bare :class:`pyoxigraph.Store`."""
    return store.ox if hasattr(store, "ox") else store  # type: ignore[return-value]


# ----------------------------------------------------------------------------- layouts


def _write_dataset(store: ox.Store, out: IO[bytes], syntax: RdfSyntax) -> None:
    prefixes = PREFIXES if syntax.name == "trig" else None
    store.dump(out, syntax.ox, prefixes=prefixes)


def _write_union(store: ox.Store, out: IO[bytes], syntax: RdfSyntax) -> None:
    triples = store.query(_UNION_QUERY)
    if syntax.name == "nt":
        triples.serialize(out, syntax.ox)  # all in Rust
    else:
        ox.serialize(triples, out, syntax.ox, prefixes=PREFIXES)


def compact_iri(iri: str) -> str:
    """``https://w3id.org/conflict-kg/ontology#agent`` -> ``ck:agent`` (when a prefix fits)."""
    for ns, prefix in _NAMESPACES:
        if iri.startswith(ns):
            local = iri[len(ns):]
            if not local.startswith("//"):
                return f"{prefix}:{local}"
    return iri


def _compact(node: object) -> object:
    """Compact an expanded JSON-LD node (from Oxigraph) with our prefixes."""
    if isinstance(node, list):
        return [_compact(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, object] = {}
    for key, value in node.items():
        if key in ("@id", "@type") and isinstance(value, str):
            out[key] = value if value.startswith("_:") else compact_iri(value)
        elif key == "@value" or key == "@language" or key.startswith("@") and not isinstance(value, (list, dict)):
            out[key] = value
        elif key == _RDF_TYPE and isinstance(value, list) and all(
                isinstance(v, dict) and set(v) == {"@id"} and not v["@id"].startswith("_:") for v in value):
            out["@type"] = [compact_iri(v["@id"]) for v in value]
        else:
            out[key if key.startswith("@") else compact_iri(key)] = _compact(value)
    return out


def _write_jsonld(store: ox.Store, out: IO[bytes], syntax: RdfSyntax) -> None:
    out.write(b'{"@context": ' + json.dumps(PREFIXES, sort_keys=True).encode() + b',\n "@graph": [')
    first = True

    def emit(item: object) -> None:
        nonlocal first
        out.write((b"\n  " if first else b",\n  ") + json.dumps(item, ensure_ascii=False).encode("utf-8"))
        first = False

    for node in json.loads(store.dump(format=syntax.ox, from_graph=ox.DefaultGraph()) or b"[]"):
        emit(_compact(node))
    names = sorted((g for g in store.named_graphs()), key=lambda g: g.value)
    for g in names:
        nodes = json.loads(store.dump(format=syntax.ox, from_graph=g) or b"[]")
        gid = f"_:{g.value}" if isinstance(g, ox.BlankNode) else compact_iri(g.value)
        emit({"@id": gid, "@graph": _compact(nodes)})
    out.write(b"\n]}\n")


_LAYOUTS: dict[str, Callable[[ox.Store, IO[bytes], RdfSyntax], None]] = {
    "dataset": _write_dataset, "union": _write_union, "jsonld": _write_jsonld,
}


# ----------------------------------------------------------------------------- API


@contextmanager
def _open_out(out: str | Path | IO[bytes]) -> Iterator[IO[bytes]]:
    """A binary sink; a path is written to a temporary file and renamed when complete."""
    if not isinstance(out, (str, Path)):
        yield out
        return
    path = Path(out)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            yield fh
        tmp.replace(path)
    except OSError as exc:
        raise KGError("E043", path=path, reason=exc.strerror or str(exc)) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def export(store: object, out: str | Path | IO[bytes], fmt: str = "trig") -> None:
    """Write the store to ``out`` (a path or a binary file) in ``fmt``: turtle|trig|nt|nq|jsonld|rdfxml."""
    syntax = get_format(fmt)
    with _open_out(out) as sink:
        _LAYOUTS[syntax.layout](_store(store), sink, syntax)


def write_outputs(store: object, out_dir: str | Path) -> list[Path]:
    """``out_dir/kg.trig`` (all named graphs) and ``out_dir/kg.ttl`` (union of the data graphs)."""
    written = []
    for name, fmt in OUTPUTS.items():
        path = Path(out_dir) / name
        export(store, path, fmt)
        written.append(path)
    return written


def export_stdout(store: object, fmt: str) -> None:
    """Write to standard output (binary)."""
    export(store, sys.stdout.buffer, fmt)
    sys.stdout.buffer.flush()


__all__ = ["OUTPUTS", "export", "write_outputs", "export_stdout", "compact_iri"]
