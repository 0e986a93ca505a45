"""The persistent corpus store: pyoxigraph (RocksDB) on disk, one named graph per article.

Layout (see ``kg/rdf/namespaces.py``): each article's triples live in ``graph_iri(article_id)``; the one
canonical description of every actor / place lives in ``ACTORS_GRAPH`` / ``PLACES_GRAPH`` (first writer
wins, so an actor never gets two ``skos:prefLabel``); build runs in ``RUNS_GRAPH``; the ontology in
``ONTOLOGY_GRAPH``. Queries see the union of all graphs as their default graph.

Every write is one Oxigraph transaction: data moves in as N-Quads parsed by Oxigraph's Rust parser
(``Store.load``/the bulk loader, both atomic) or, when old graphs must be dropped in the same step,
as one SPARQL Update request. A process killed mid-write leaves the store as it was before the call.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator, Sequence
from urllib.parse import unquote

import pyoxigraph as ox
import rdflib

from kg.errors import KGError
from kg.rdf.namespaces import (
    ACTORS_GRAPH, BASE, CK, ONTOLOGY_GRAPH, PLACES_GRAPH, PREFIXES, PROV, RDF, RUNS_GRAPH, SCHEMA, SKOS,
    XSD, article_iri, graph_iri, source_graph_iri,
)

STORE_DIRNAME = "store"
ARTICLE_GRAPH_PREFIX = BASE + "graph/article/"
#: payloads of at least this many quads (a build's batch of articles) go through Oxigraph's bulk
#: loader: about half the CPU of the transactional loader, and it does not fill the memtables. One
#: payload is parsed into one set of sorted files that RocksDB ingests in one step, so a killed write
#: leaves the last committed state (``tests/test_store.py`` kills writes of 60,000 quads). Smaller
#: payloads (one article, a run record) use the transactional loader: bulk loading writes new files
#: on each call, which RocksDB compacts in the background.
BULK_MIN_QUADS = 2_000

#: passes of orphan collection in one transaction (depth of memberOf / partOf chains cleaned up)
ORPHAN_PASSES = 3

_CANONICAL = (ACTORS_GRAPH, PLACES_GRAPH)
_PREF_LABEL = ox.NamedNode(str(SKOS.prefLabel))
_CHECKSUM = ox.NamedNode(str(CK.checksum))
_TEXT_HASH = ox.NamedNode(str(CK.textHash))
_TYPE = ox.NamedNode(str(RDF.type))
_NEWS_ARTICLE = ox.NamedNode(str(SCHEMA.NewsArticle))
_IDENTIFIER = ox.NamedNode(str(SCHEMA.identifier))
_GENERATED_BY = f"<{PROV.wasGeneratedBy}>"


@dataclass(frozen=True)
class ArticleRecord:
    """Everything the store keeps for one article (built by the mapping stage)."""

    article_id: str
    checksum: str  # sha256 of the article (kg.models.Article.checksum)
    graph: rdflib.Graph  # the article's own triples -> graph_iri(article_id)
    actors: rdflib.Graph  # canonical descriptions of the actors it references -> ACTORS_GRAPH
    places: rdflib.Graph  # canonical place descriptions -> PLACES_GRAPH


def resolve_store_dir(path: str | Path) -> Path:
    """``out/`` -> ``out/store``; a store directory itself (or a path named ``store``) is kept."""
    p = Path(path)
    if (p / "CURRENT").exists():
        return p
    if (p / STORE_DIRNAME).exists() or p.name != STORE_DIRNAME:
        return p / STORE_DIRNAME
    return p


# ----------------------------------------------------------------------------- python values

_INT_TYPES = {str(XSD[t]) for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {str(XSD.decimal), str(XSD.double), str(XSD.float)}


def _literal_value(lit: ox.Literal) -> object:
    dt = lit.datatype.value
    text = lit.value
    try:
        if dt in _INT_TYPES:
            return int(text)
        if dt in _FLOAT_TYPES:
            return float(text)
        if dt == str(XSD.boolean):
            return text in ("true", "1")
        if dt == str(XSD.date):
            return _dt.date.fromisoformat(text)
        if dt == str(XSD.dateTime):
            return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return text


def to_python(term: object) -> object:
    """An Oxigraph term as a plain Python value (IRIs as ``str``, blank nodes as ``"_:id"``)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return _literal_value(term)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


# ----------------------------------------------------------------------------- query results


class QueryResult:
    """The answer of :meth:`Store.query`: ``kind`` is ``"select"``, ``"ask"`` or ``"graph"``.

    Results stream from Oxigraph and can be consumed once (``rows()``, iteration or ``serialize``).
    """

    def __init__(self, raw: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> None:
        self._raw = raw
        if isinstance(raw, ox.QuerySolutions):
            self.kind = "select"
            self.variables: list[str] = [v.value for v in raw.variables]
        elif isinstance(raw, ox.QueryBoolean):
            self.kind = "ask"
            self.variables = []
        else:
            self.kind = "graph"
            self.variables = ["subject", "predicate", "object"]

    @property
    def raw(self) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """The underlying pyoxigraph result."""
        return self._raw

    def __bool__(self) -> bool:
        if self.kind == "ask":
            return bool(self._raw)
        return True

    def terms(self) -> Iterator[tuple[object, ...]]:
        """Rows of Oxigraph terms (``None`` when unbound); triples for graph results."""
        if self.kind == "ask":
            yield (ox.Literal(str(bool(self._raw)).lower(), datatype=ox.NamedNode(str(XSD.boolean))),)
        elif self.kind == "select":
            n = len(self.variables)
            for sol in self._raw:
                yield tuple(sol[i] for i in range(n))
        else:
            for t in self._raw:
                yield (t.subject, t.predicate, t.object)

    def __iter__(self) -> Iterator[dict[str, object]]:
        names = self.variables or ["ask"]
        for row in self.terms():
            yield {k: to_python(v) for k, v in zip(names, row)}

    def rows(self) -> list[dict[str, object]]:
        """All rows with Python values (``str``, ``int``, ``float``, ``date``, ``bool``; IRIs as ``str``)."""
        return list(self)

    def serialize(self, output: IO[bytes] | str | Path | None = None, fmt: str = "json") -> bytes | None:
        """SPARQL 1.1 results (``json``/``xml``/``csv``/``tsv``) or, for graph results, any RDF format."""
        from kg.rdf.formats import get_format, get_results_format

        if self.kind == "graph":
            rdf = get_format(fmt)
            return ox.serialize(self._raw, _out(output), rdf.ox, prefixes=PREFIXES)
        return self._raw.serialize(_out(output), get_results_format(fmt).ox)

    def to_rdflib(self) -> rdflib.Graph:
        """A graph result as an rdflib Graph (for small CONSTRUCT/DESCRIBE answers)."""
        if self.kind != "graph":
            raise TypeError("only CONSTRUCT/DESCRIBE results are graphs")
        g = rdflib.Graph()
        g.parse(data=self._raw.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")
        return g


def _out(output: IO[bytes] | str | Path | None) -> IO[bytes] | str | None:
    return str(output) if isinstance(output, Path) else output


# ----------------------------------------------------------------------------- the store


class Store:
    """The corpus store. Open with :meth:`Store.open`; use as a context manager."""

    def __init__(self, ox_store: ox.Store, path: Path, read_only: bool) -> None:
        self._ox: ox.Store | None = ox_store
        self.path = path
        self.read_only = read_only
        self._lock = threading.RLock()

    # -- opening / closing
    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> "Store":
        """Open the store of an out dir (``path/store``) or the store dir itself.

        ``read_only`` needs an existing store (``E040``) and takes no lock, so it can run next to
        ``kg serve`` and other readers. A read-write open fails with ``E041`` when another process
        holds the store.
        """
        d = resolve_store_dir(path)
        if read_only:
            if not (d / "CURRENT").exists():
                raise KGError("E040", path=path)
            try:
                return cls(ox.Store.read_only(str(d)), d, True)
            except OSError as exc:
                raise KGError("E043", path=d, reason=str(exc)) from None
        try:
            if not (d / "CURRENT").exists():
                _create(d)
            return cls(ox.Store(str(d)), d, False)
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise KGError("E041", path=d) from None
            raise KGError("E043", path=d, reason=str(exc)) from None

    @property
    def ox(self) -> ox.Store:
        """The underlying :class:`pyoxigraph.Store` (for advanced use)."""
        if self._ox is None:
            raise KGError("E043", path=self.path, reason="the store is closed")
        return self._ox

    def flush(self) -> None:
        if self._ox is not None and not self.read_only:
            self._ox.flush()

    def close(self) -> None:
        """Flush and release the store (the RocksDB lock goes with the last reference)."""
        if self._ox is not None:
            self.flush()
            self._ox = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, read_only={self.read_only})"

    # -- reading
    def __len__(self) -> int:
        """Number of quads."""
        return len(self.ox)

    def graphs(self) -> list[str]:
        """IRIs of all named graphs."""
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def article_ids(self) -> list[str]:
        """Ids of the stored articles (decoded from their graph IRIs)."""
        n = len(ARTICLE_GRAPH_PREFIX)
        return sorted(unquote(g[n:]) for g in self.graphs() if g.startswith(ARTICLE_GRAPH_PREFIX))

    def has_article(self, article_id: str) -> bool:
        return self.ox.contains_named_graph(ox.NamedNode(str(graph_iri(article_id))))

    def stored_checksum(self, article_id: str) -> str | None:
        """``ck:checksum`` of the stored version of an article, ``None`` when it is not stored."""
        quads = self.ox.quads_for_pattern(
            ox.NamedNode(str(article_iri(article_id))), _CHECKSUM, None,
            ox.NamedNode(str(graph_iri(article_id))))
        for q in quads:
            return q.object.value
        return None

    def query(self, sparql: str, **params: object) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of all graphs.

        ``params`` bind variables to typed RDF terms (``str`` -> literal, or an IRI when written
        ``<...>``, ``prefix:local`` or ``scheme://...``; ``int``/``float``/``date``/... -> typed literals;
        a list -> one solution per value; ``None`` leaves the variable unbound); they are injected as
        a ``VALUES`` block of terms serialised by Oxigraph, never pasted as text. Our prefixes
        (``ck:``, ``kgid:``, ...) are predeclared. A syntax error raises ``KGError("E042")`` with its
        line and column.
        """
        from kg.queries import inject_values

        text = inject_values(sparql, params)
        try:
            raw = self.ox.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise KGError("E042", reason=syntax_error_reason(sparql, text, exc)) from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise KGError("E042", reason=" ".join(str(exc).split())) from None
        return QueryResult(raw)

    def select(self, sparql: str, **params: object) -> list[dict[str, object]]:
        """Rows of a SELECT query as dicts of Python values."""
        return self.query(sparql, **params).rows()

    def ask(self, sparql: str, **params: object) -> bool:
        return bool(self.query(sparql, **params))

    # -- writing
    def write_articles(self, records: Sequence[ArticleRecord], run: rdflib.Graph | None = None) -> None:
        """Store articles in ONE atomic transaction.

        Each record's named graph is replaced by its new triples (so writing the same record twice
        changes nothing); actor / place descriptions are added only for actors / places that have no
        ``skos:prefLabel`` in their canonical graph yet (first writer wins, also within the batch);
        ``run`` goes to the runs graph. Canonical descriptions no longer referenced by any article after
        a replacement are dropped, and the replaced graphs' old run links too.
        """
        self._writable()
        records = list({r.article_id: r for r in records}.values())  # one record per id, last wins
        with self._lock:
            graphs = [str(graph_iri(r.article_id)) for r in records]
            replaced = [g for g in graphs if self.ox.contains_named_graph(ox.NamedNode(g))]
            chunks: list[tuple[str, bytes]] = [(g, _ntriples(r.graph)) for g, r in zip(graphs, records)]
            for canon, attr in ((ACTORS_GRAPH, "actors"), (PLACES_GRAPH, "places")):
                fresh = self._first_descriptions([getattr(r, attr) for r in records], canon)
                if fresh:
                    chunks.append((str(canon), fresh))
            if run is not None and len(run):
                chunks.append((str(RUNS_GRAPH), _ntriples(run)))
            if replaced:
                self._replace(replaced, chunks)
            else:
                self._load(chunks)

    def remove_articles(self, ids: Iterable[str]) -> int:
        """Drop articles' graphs and run links, plus canonical actor/place descriptions only they used.

        The records of an article's syndicated copies (``ck:source``, one graph per copy) go with it;
        an id that names a copy drops that copy's record only. Returns the number of ids removed
        (articles or copies; ids not in the store are ignored). One transaction.
        """
        self._writable()
        with self._lock:
            ids = list(dict.fromkeys(ids))
            articles = [i for i in ids if self.has_article(i)]
            found = set(articles)
            copies = [i for i in ids if i not in found and self.has_source(i)]
            graphs = [str(graph_iri(i)) for i in articles] + [str(source_graph_iri(i)) for i in copies]
            if articles:
                values = " ".join(f"<{article_iri(i)}>" for i in articles)
                rows = self.ox.query(f"SELECT DISTINCT ?g WHERE {{ VALUES ?a {{ {values} }} "
                                     f"GRAPH ?g {{ ?src <{CK.syndicatedAs}> ?a }} }}")
                graphs += [s["g"].value for s in rows if s["g"].value not in graphs]
            if graphs:
                self._replace(graphs, [])
            return len(articles) + len(copies)

    def ids_with_text_hash(self, digest: str) -> list[str]:
        """``schema:identifier`` of every stored ``schema:NewsArticle`` whose ``ck:textHash`` is
        ``digest``, sorted (pattern look-ups: a build asks once per article)."""
        found: set[str] = set()
        for q in self.ox.quads_for_pattern(None, _TEXT_HASH, ox.Literal(digest), None):
            if next(self.ox.quads_for_pattern(q.subject, _TYPE, _NEWS_ARTICLE, None), None) is not None:
                found.update(i.object.value for i in self.ox.quads_for_pattern(q.subject, _IDENTIFIER, None, None))
        return sorted(found)

    def source_checksum(self, copy_id: str) -> str | None:
        """``ck:checksum`` recorded for the syndicated copy ``copy_id``, ``None`` if it is not recorded."""
        for q in self.ox.quads_for_pattern(None, _CHECKSUM, None, ox.NamedNode(str(source_graph_iri(copy_id)))):
            return q.object.value
        return None

    def has_source(self, copy_id: str) -> bool:
        """Whether ``copy_id`` is recorded as a syndicated copy of a stored article."""
        return self.ox.contains_named_graph(ox.NamedNode(str(source_graph_iri(copy_id))))

    def set_ontology(self, g: rdflib.Graph) -> None:
        """Replace the ontology graph."""
        self.replace_graph(str(ONTOLOGY_GRAPH), g)

    def replace_graph(self, name: str, g: rdflib.Graph) -> None:
        """Atomically replace one named graph by ``g`` (no canonical-graph logic)."""
        self._writable()
        with self._lock:
            gname = ox.NamedNode(str(name)).value  # validates the IRI
            chunks = [(gname, _ntriples(g))]
            if self.ox.contains_named_graph(ox.NamedNode(gname)):
                ops = [f"DROP SILENT GRAPH <{gname}>", _insert_data(chunks)]
                self.ox.update(" ;\n".join(op for op in ops if op))
            else:
                self._load(chunks)

    def bulk_load(self, source: str | Path | bytes | Sequence[str | Path], fmt: str = "nq", *,
                  lenient: bool = False, threads: int = 1) -> None:
        """Load big RDF files or a buffer with Oxigraph's bulk loader.

        Each file (or the buffer) is loaded atomically: all of it or nothing. Several files may be
        loaded by ``threads`` threads at once. Adds quads as they are (no per-article replacement):
        meant for imports and benchmarks. ``lenient`` skips IRI validation (trusted input only).
        """
        from kg.rdf.formats import get_format

        self._writable()
        f = get_format(fmt).ox
        sources = [source] if isinstance(source, (str, Path, bytes)) else list(source)

        def load(items: list[str | Path | bytes]) -> None:
            for item in items:
                try:
                    if isinstance(item, bytes):
                        self.ox.bulk_load(item, f, lenient=lenient)
                    else:
                        self.ox.bulk_load(path=str(item), format=f, lenient=lenient)
                except SyntaxError as exc:
                    raise KGError("E030", path=str(item)[:80], fmt=fmt, reason=str(exc)) from None
                except OSError as exc:
                    raise KGError("E001", path=str(item)[:80], reason=str(exc)) from None

        with self._lock:
            n = max(1, min(threads, len(sources)))
            if n == 1:
                load(sources)
                return
            errors: list[BaseException] = []

            def worker(items: list[str | Path | bytes]) -> None:
                try:
                    load(items)
                except BaseException as exc:  # re-raised in the caller's thread
                    errors.append(exc)

            pool = [threading.Thread(target=worker, args=(sources[i::n],)) for i in range(n)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            if errors:
                raise errors[0]

    def optimize(self) -> None:
        """Compact the database (after big loads)."""
        self._writable()
        self.ox.optimize()

    # -- internals
    def _writable(self) -> None:
        if self.read_only:
            raise KGError("E043", path=self.path, reason="the store is opened read-only")

    def _has_label(self, iri: str, canon: rdflib.URIRef) -> bool:
        quads = self.ox.quads_for_pattern(ox.NamedNode(iri), _PREF_LABEL, None, ox.NamedNode(str(canon)))
        return next(iter(quads), None) is not None

    def _first_descriptions(self, graphs: list[rdflib.Graph], canon: rdflib.URIRef) -> bytes:
        """N-Triples of the descriptions of IRIs not yet described in ``canon`` (first graph wins).

        Works on the graphs' N-Triples lines (a worker's graphs arrive as N-Triples: nothing is
        parsed into rdflib terms here)."""
        out: list[bytes] = []
        taken: set[bytes] = set()
        for g in graphs:
            by_subject = _lines_by_subject(_ntriples(g))
            iris = [s for s in by_subject if s.startswith(b"<")]
            mine = [s for s in iris if s not in taken and not self._has_label(_iri_of(s), canon)]
            taken.update(iris)
            todo, seen = list(mine), set(mine)
            while todo:  # a description plus the blank nodes it reaches
                for line, obj in by_subject.get(todo.pop(), ()):
                    out.append(line)
                    if obj.startswith(b"_:") and obj not in seen:
                        seen.add(obj)
                        todo.append(obj)
        return b"".join(out)

    def _load(self, chunks: list[tuple[str, bytes]]) -> None:
        data = b"".join(_as_nquads(nt, g) for g, nt in chunks)
        if not data:
            return
        if data.count(b"\n") >= BULK_MIN_QUADS:
            self.ox.bulk_load(data, ox.RdfFormat.N_QUADS)
        else:
            self.ox.load(data, ox.RdfFormat.N_QUADS)

    def _replace(self, dropped: list[str], chunks: list[tuple[str, bytes]]) -> None:
        """One SPARQL Update request (one transaction): drop graphs, insert data, collect orphans."""
        values = " ".join(f"<{g}>" for g in dropped)
        orphans = self._orphan_candidates(values)
        ops = [
            f"DELETE {{ GRAPH <{RUNS_GRAPH}> {{ ?g {_GENERATED_BY} ?run }} }} "
            f"WHERE {{ VALUES ?g {{ {values} }} GRAPH <{RUNS_GRAPH}> {{ ?g {_GENERATED_BY} ?run }} }}",
            *(f"DROP SILENT GRAPH <{g}>" for g in dropped),
            _insert_data(chunks),
            # repeated: each pass sees the previous deletions (memberOf / partOf chains)
            *[_collect_orphans(orphans)] * ORPHAN_PASSES,
        ]
        self.ox.update(" ;\n".join(op for op in ops if op))

    def _orphan_candidates(self, values: str) -> list[tuple[str, str]]:
        """(entity, canonical graph) pairs that may lose their last reference.

        Those described canonically and referenced by the given graphs, and what their canonical
        descriptions lead to (a city's country, a ministry's state).
        """
        canon = " ".join(f"<{c}>" for c in _CANONICAL)
        q = (f"SELECT DISTINCT ?x ?canon WHERE {{ VALUES ?g {{ {values} }} VALUES ?canon {{ {canon} }} "
             f"{{ SELECT DISTINCT ?g ?y WHERE {{ GRAPH ?g {{ {{ ?y ?p ?o }} UNION {{ ?s ?p ?y }} }} FILTER(isIRI(?y)) }} }} "
             f"GRAPH ?canon {{ ?y (!<{RDF.nil}>)* ?x . ?x <{SKOS.prefLabel}> ?label }} }}")
        return [(str(s["x"]), str(s["canon"])) for s in self.ox.query(q)]


def _create(d: Path) -> None:
    """Create an empty store at ``d`` atomically: RocksDB creates its files and column families one
    by one, so a process killed meanwhile would leave a store that does not open. It is created in a
    sibling folder and renamed into place (an empty ``d`` is replaced)."""
    d.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{d.name}-new-", dir=d.parent))
    try:
        created = ox.Store(str(tmp))
        created.flush()
        del created  # closes the database (releases its lock) before the rename
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
        os.rename(tmp, d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _lines_by_subject(nt: bytes) -> dict[bytes, list[tuple[bytes, bytes]]]:
    """N-Triples statements grouped by subject term: subject -> [(line, object term)]."""
    out: dict[bytes, list[tuple[bytes, bytes]]] = {}
    for line in nt.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#"):
            continue
        subject, _p, rest = stripped.split(None, 2)
        obj = rest[:-1].rstrip()  # drop the final " ."
        out.setdefault(subject, []).append((stripped + b"\n", obj))
    return out


def _iri_of(term: bytes) -> str:
    """``<http://x/\\u00e9>`` -> ``http://x/é`` (N-Triples IRI escapes undone)."""
    text = term[1:-1].decode("utf-8")
    if "\\" in text:
        text = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return text


def _ntriples(g: rdflib.Graph) -> bytes:
    return g.serialize(format="nt", encoding="utf-8") if len(g) else b""


def _as_nquads(nt: bytes, graph: str) -> bytes:
    """N-Triples -> N-Quads in ``graph`` (statements are one a line; literals escape newlines)."""
    tag = b" <" + graph.encode("utf-8") + b"> .\n"
    if nt.endswith(b" .\n") and nt.count(b"\n") == nt.count(b" .\n"):
        # rdflib's and Oxigraph's serialisers end every statement with " .\n" (newlines inside
        # literals are escaped), so that sequence only occurs at the end of a statement
        return nt.replace(b" .\n", tag)
    out = []
    for line in nt.split(b"\n"):
        line = line.strip()
        if line and not line.startswith(b"#"):
            out.append(line[:-1].rstrip() + tag)
    return b"".join(out)


def _insert_data(chunks: list[tuple[str, bytes]]) -> str:
    body = "".join(f"GRAPH <{g}> {{\n{nt.decode('utf-8')}}}\n" for g, nt in chunks if nt)
    return f"INSERT DATA {{\n{body}}}" if body else ""


def _collect_orphans(candidates: list[tuple[str, str]]) -> str:
    """Delete canonical descriptions no other graph refers to (candidates come from the store)."""
    if not candidates:
        return ""
    rows = " ".join(f"({x} {c})" for x, c in candidates)
    return (
        "DELETE { GRAPH ?canon { ?x ?p ?o } } WHERE { "
        f"VALUES (?x ?canon) {{ {rows} }} GRAPH ?canon {{ ?x ?p ?o }} "
        "FILTER NOT EXISTS { GRAPH ?g { ?x ?q ?v } FILTER(?g != ?canon) } "
        "FILTER NOT EXISTS { GRAPH ?h { ?u ?r ?x } FILTER(?h != ?canon || ?u != ?x) } }"
    )


_ERROR_AT = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)
_PREFIXED_END = re.compile(r"([A-Za-z][\w.-]*)?:[\w.%-]*$")


def syntax_error_reason(original: str, sent: str, exc: Exception) -> str:
    """A one-line reason with the line and column in the user's query text.

    When parameters were injected, the original text is re-parsed on an empty store so the
    position refers to what the user wrote.
    """
    msg, source = str(exc), sent
    if sent != original:
        try:
            ox.Store().query(original, prefixes=PREFIXES)
        except SyntaxError as exc2:
            msg, source = str(exc2), original
        except (OSError, RuntimeError, ValueError):
            pass
    m = _ERROR_AT.match(msg)
    if not m:
        return " ".join(msg.split())
    line, col, rest = int(m.group(1)), int(m.group(2)), " ".join(m.group(3).split())
    lines = source.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if "Prefix not found" in rest:
        pm = _PREFIXED_END.search(text[: col - 1])
        rest = f"unknown prefix {((pm.group(1) or '') + ':') if pm else ''!r}".replace(" ''", "")
    elif len(rest) > 160:
        rest = rest[:157] + "..."
    near = text[max(col - 1, 0):][:40].strip() or "end of line"
    return f"line {line}, column {col}: {rest} (near {near!r})"


def open_store(path: str | Path, read_only: bool = False) -> Store:
    """Shorthand for :meth:`Store.open`."""
    return Store.open(path, read_only=read_only)


__all__ = ["ArticleRecord", "Store", "QueryResult", "open_store", "resolve_store_dir", "to_python",
           "syntax_error_reason", "STORE_DIRNAME", "ARTICLE_GRAPH_PREFIX", "BULK_MIN_QUADS"]
