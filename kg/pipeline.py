"""The one place that wires the stages together: read -> NLP -> extract -> resolve -> RDF ->
validate -> store -> export.

Streaming: the driver reads articles lazily, skips unchanged ones and syndicated copies
(:mod:`kg.dedupe`), and hands batches to an executor (:mod:`kg.distributed`: this process,
``--workers N`` local processes, or a dask cluster). Each batch runs :func:`extract_batch` —
``nlp.pipe`` + extraction + RDF + one SHACL call for the whole batch — and comes back as serialised
:class:`ArticleResult` records. Only the driver writes to the store: results are gathered into one
transaction per :data:`WRITE_EVERY_QUADS` quads, written on its writer thread.
One bad article is recorded as a failure and never stops the others. Nothing kept in memory grows
with the corpus: at most ``window`` batches are in flight and failure lists are capped at
:data:`MAX_KEPT` (counts stay exact).
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import time
import uuid
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from rdflib import Graph, Literal

import kg
from kg.errors import KGError, warning
from kg.models import Article
from kg.rdf.load import import_rdf, is_importable_rdf
from kg.rdf.namespaces import CK, ID, PROV, RDF, SCHEMA, XSD, article_iri, graph_iri, run_iri
from kg.resources import ONTOLOGY_DIR  # the source tree's ontology/ or the wheel's kg/ontology

#: failures / warnings / SHACL reports kept in a :class:`Summary` (their counts stay exact)
MAX_KEPT = 1000
#: input-file checksums written to the runs graph per transaction
INPUTS_PER_WRITE = 2000
#: flush the store's write buffers (RocksDB memtables) to disk after this many quads: without it
#: they grow by ~0.2 MB per article until RocksDB's own limits, which made memory rise with the corpus
FLUSH_EVERY_QUADS = 50_000
#: the driver gathers batches' results into one store transaction of at least this many quads:
#: every transaction is a bulk load that writes new on-disk tables (one per index), which RocksDB
#: then merges in the background; a transaction per batch of 32 articles made that merging ~10% of
#: the build's CPU time
WRITE_EVERY_QUADS = 50_000


@dataclass(frozen=True)
class Failure:
    """One article (or input item) that could not be stored."""

    article_id: str | None
    where: str
    code: str
    message: str


@dataclass
class Summary:
    """What a build did (printed by ``kg build``). Lists are capped at :data:`MAX_KEPT` entries;
    ``failed`` / ``warned`` count them all."""

    read: int = 0
    stored: int = 0
    imported: int = 0  # RDF files validated and loaded as named graphs
    unchanged: int = 0
    duplicates: int = 0  # syndicated copies recorded as extra sources
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    events_by_type: Counter = field(default_factory=Counter)
    claims: int = 0
    actors: int = 0
    triples: int = 0
    conforms: bool = True
    seconds: float = 0.0
    outputs: list[Path] = field(default_factory=list)
    reports: list[Graph] = field(default_factory=list)  # SHACL reports of articles that did not conform
    run: str | None = None
    failed: int = 0
    warned: int = 0
    executor: str = "local"
    workers: int = 1

    @property
    def exit_code(self) -> int:
        return 0 if not (self.failed or self.failures) and self.conforms else 1

    def fail(self, failure: Failure, report: Graph | None = None) -> None:
        self.failed += 1
        if len(self.failures) < MAX_KEPT:
            self.failures.append(failure)
        if report is not None and len(self.reports) < MAX_KEPT:
            self.reports.append(report)
        if failure.code == "E031":
            self.conforms = False

    def warn(self, message: str) -> None:
        self.warned += 1
        if len(self.warnings) < MAX_KEPT:
            self.warnings.append(message)


@dataclass(frozen=True)
class Processed:
    """The result of the per-article stages (no I/O): RDF + validation outcome."""

    article: Article
    graphs: object | None  # kg.rdf.mapping.ArticleGraphs
    events: Counter
    claims: int
    report: Graph | None
    failure: Failure | None


@dataclass(frozen=True)
class ArticleResult:
    """What a worker sends back for one article: plain bytes and counters (cheap to pickle)."""

    article_id: str
    checksum: str
    text_hash: str
    model: str
    graph: bytes  # N-Triples of the article's named graph ("" when it failed)
    actors: bytes  # N-Triples of the canonical actor descriptions it references
    places: bytes  # N-Triples of the place descriptions
    events: Counter
    claims: int
    report: bytes = b""  # N-Triples of the SHACL report when the article does not conform
    failure: Failure | None = None

    def record(self):
        """The :class:`kg.rdf.store.ArticleRecord` to write (graphs stay serialised until needed)."""
        from kg.distributed import SerializedGraph
        from kg.rdf.store import ArticleRecord

        return ArticleRecord(self.article_id, self.checksum, SerializedGraph(self.graph),
                             SerializedGraph(self.actors), SerializedGraph(self.places))

    def nquads(self) -> bytes:
        """The article's quads: its graph, plus its actor / place descriptions in their graphs."""
        from kg.rdf.namespaces import ACTORS_GRAPH, PLACES_GRAPH

        out = []
        for nt, name in ((self.graph, graph_iri(self.article_id)), (self.actors, ACTORS_GRAPH),
                         (self.places, PLACES_GRAPH)):
            tag = b" <" + str(name).encode("utf-8") + b"> .\n"
            out += [line[:-1].rstrip() + tag for line in nt.split(b"\n") if line.strip()]
        return b"".join(out)

    @property
    def quads(self) -> int:
        """Number of quads this result adds (before the store's first-writer-wins on descriptions)."""
        return self.graph.count(b"\n") + self.actors.count(b"\n") + self.places.count(b"\n")

    def report_graph(self) -> Graph | None:
        return Graph().parse(data=self.report.decode("utf-8"), format="nt") if self.report else None


def ontology_graph() -> Graph:
    """conflict.ttl + plover.ttl (the ontology named graph)."""
    g = Graph()
    for name in ("conflict.ttl", "plover.ttl"):
        path = ONTOLOGY_DIR / name
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # noqa: BLE001 - reported as a catalogued error
            raise KGError("E033", path=str(path), reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return g


# ----------------------------------------------------------------------------- per-article stages

@dataclass(frozen=True)
class _Mapped:
    article: Article
    graphs: object | None  # ArticleGraphs
    events: Counter
    claims: int
    failure: Failure | None


def _failure(article: Article, code: str, message: str) -> Failure:
    return Failure(article.id, article.source_path or "", code, message)


def _map(article: Article, doc, model: str, run_id: str | None = None) -> _Mapped:
    """Extract, resolve and map one parsed article (no validation). Never raises for its content."""
    from kg.dedupe import text_hash
    from kg.extract import extract
    from kg.rdf.mapping import to_rdf
    from kg.resolve import resolve

    try:
        ex = resolve(extract(article, doc, model))
        graphs = to_rdf(ex)
    except KGError as exc:
        return _Mapped(article, None, Counter(), 0, _failure(article, exc.code, exc.message))
    except Exception as exc:  # noqa: BLE001 - isolate one bad article
        err = KGError("E021", id=article.id, reason=f"{type(exc).__name__}: {exc}")
        return _Mapped(article, None, Counter(), 0, _failure(article, err.code, err.message))
    node = article_iri(article.id)
    graphs.graph.add((node, CK.textHash, Literal(text_hash(article.text))))
    if run_id is not None:
        graphs.graph.add((node, PROV.wasGeneratedBy, run_iri(run_id)))
    return _Mapped(article, graphs, Counter(e.type for e in ex.events), len(ex.claims), None)


def _too_long(article: Article, limit: int) -> _Mapped:
    err = KGError("E014", path=article.source_path or article.id, size=len(article.text), limit=limit)
    return _Mapped(article, None, Counter(), 0, _failure(article, err.code, err.message))


def _union(parts: Iterable[Graph]) -> Graph:
    """One graph holding the triples of ``parts``: a :class:`~kg.rdf.mapping.TripleGraph`, never
    indexed here (validation copies it once into its own work graph)."""
    from kg.rdf.mapping import TripleGraph

    g = TripleGraph()
    for part in parts:
        for t in part:
            g.add(t)
    return g


def _touches(m: _Mapped, nodes: set[str]) -> bool:
    """True when one of the article's triples has one of ``nodes`` as subject or object."""
    g = m.graphs
    return any(str(s) in nodes or str(o) in nodes for part in (g.graph, g.actors, g.places) for s, _, o in part)


def _descriptions(m: _Mapped) -> dict:
    """subject -> frozenset of its triples, over the article's actor and place descriptions."""
    out: dict = {}
    for part in (m.graphs.actors, m.graphs.places):
        for t in part:
            out.setdefault(t[0], set()).add(t)
    return {s: frozenset(ts) for s, ts in out.items()}


def _groups(mapped: Sequence[_Mapped]) -> list[tuple[list[int], dict]]:
    """Split a batch so that, inside a group, any two descriptions of the same actor / place are
    nested (one contains the other: a parent stub and the full entry). Each group keeps the largest.
    Articles that describe an actor incompatibly (two labels, two classes) land in different groups."""
    groups: list[tuple[list[int], dict]] = []
    for n, m in enumerate(mapped):
        desc = _descriptions(m)
        for members, kept in groups:
            if all(s not in kept or kept[s] <= ts or ts <= kept[s] for s, ts in desc.items()):
                for s, ts in desc.items():
                    if s not in kept or kept[s] <= ts:
                        kept[s] = ts
                members.append(n)
                break
        else:
            groups.append(([n], dict(desc)))
    return groups


def _validate(mapped: Sequence[_Mapped], nts: Sequence[tuple[bytes, bytes, bytes]] | None = None
              ) -> list[tuple[Graph | None, Failure | None]]:
    """SHACL outcome per article, with one pyshacl call per group of the batch (usually one).

    ``nts``: each article's graph, actors and places as N-Triples (what the store receives), so the
    SPARQL constraints can run on Oxigraph first; the group's N-Triples are its members' (the union of
    their descriptions is the largest of each, kept below).

    A group's graph holds its articles' graphs and the largest description of each actor / place,
    so each article's data is contained in it. Article, event and claim nodes belong to one article,
    and every description of a shared node carries its required triples (type, label). So a node
    that violates a shape in one article's data violates it in the group's graph too, at the same
    focus node: when the group conforms, each of its articles does. Otherwise the articles that
    touch a failing focus node are validated on their own (their reports and failures name them).
    """
    from kg.validate import validate_graph

    alone = set(range(len(mapped)))
    if len(mapped) > 1:
        alone = set()
        for members, kept in _groups(mapped):
            if len(members) == 1:
                alone.update(members)
                continue
            data = _union([*(mapped[n].graphs.graph for n in members), *kept.values()])
            nt = b"".join(b"".join(nts[n]) for n in members) if nts is not None else None
            focus = {i.focus for i in validate_graph(data, ntriples=nt).issues if i.severity == "Violation"}
            alone.update(n for n in members if focus and _touches(mapped[n], focus))
    out: list[tuple[Graph | None, Failure | None]] = []
    for n, m in enumerate(mapped):
        if n not in alone:
            out.append((None, None))
            continue
        g = m.graphs
        result = validate_graph(_union((g.graph, g.actors, g.places)),
                                ntriples=b"".join(nts[n]) if nts is not None else None)
        if result.conforms:
            out.append((None, None))
            continue
        err = KGError("E031", id=m.article.id, n=sum(1 for i in result.issues if i.severity == "Violation"))
        first = next((i.message for i in result.issues), "")
        out.append((result.report, _failure(m.article, err.code, f"{err.message}: {first}")))
    return out


def process(article: Article, doc, model: str, run_id: str | None = None) -> Processed:
    """Extract, resolve, map and validate one parsed article. Never raises for article content."""
    m = _map(article, doc, model, run_id)
    if m.failure is not None:
        return Processed(article, None, m.events, m.claims, None, m.failure)
    report, failure = _validate([m])[0]
    return Processed(article, None if failure else m.graphs, m.events, m.claims, report, failure)


#: N-Triples text of IRIs and blank nodes already written (subjects, predicates, actors repeat)
_NT_TERMS: dict = {}


def _nt(g: Graph) -> bytes:
    """N-Triples of ``g``: byte for byte what rdflib's ``nt`` serializer writes (same row format,
    literal quoting and order), with the text of each IRI / blank node made once per process."""
    if not len(g):
        return b""
    from rdflib.plugins.serializers.nt import _quoteLiteral

    terms = _NT_TERMS
    if len(terms) > 200_000:
        terms.clear()
    rows = []
    for s, p, o in g:
        st, pt = terms.get(s), terms.get(p)
        if st is None:
            st = terms[s] = s.n3()
        if pt is None:
            pt = terms[p] = p.n3()
        if isinstance(o, Literal):
            ot = _quoteLiteral(o)
        else:
            ot = terms.get(o)
            if ot is None:
                ot = terms[o] = o.n3()
        rows.append(f"{st} {pt} {ot} .\n")
    return "".join(rows).encode()


_FROZEN: list[bool] = []


def _freeze_long_lived() -> None:
    """Once per process, after the first batch (model, dictionaries, place index and shapes are
    loaded by then): move the long-lived objects out of the cyclic garbage collector's reach, so its
    full collections scan only per-batch objects (they took ~5% of the run time). Frozen objects
    are still freed by reference counting."""
    if not _FROZEN:
        _FROZEN.append(True)
        gc.collect()
        gc.freeze()


#: cyclic-GC thresholds during a build: a batch allocates millions of short-lived objects (tokens,
#: rdflib terms, pyshacl nodes), and the default (700, 10, 10) ran ~800 collections per 256 articles
#: (5% of the build's CPU time); with these, ~10 (2%). Memory stays bounded: garbage is mostly freed
#: by reference counting, the collector only finds cycles.
GC_THRESHOLDS = (50_000, 20, 100)


@contextlib.contextmanager
def gc_tuned() -> Iterator[None]:
    """Raise the cyclic collector's thresholds for the duration of a build, then restore them."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def extract_batch(articles: Sequence[Article], run_id: str | None = None) -> list[ArticleResult]:
    """The unit of work of every executor: ``nlp.pipe`` over the batch, then extraction, RDF and one
    SHACL validation per batch; results serialised (N-Triples) in input order."""
    from kg.dedupe import text_hash
    from kg.nlp import MAX_TEXT_CHARS, get_nlp, model_name, parse_texts

    nlp = get_nlp()
    model = model_name(nlp)
    fits = [a.text for a in articles if len(a.text) <= MAX_TEXT_CHARS]  # longer texts: E014, never a crash
    docs = parse_texts(fits, nlp)  # nlp.pipe batches; long texts in chunks (kg.nlp.parse_long)
    mapped = [_map(a, next(docs), model, run_id) if len(a.text) <= MAX_TEXT_CHARS else _too_long(a, MAX_TEXT_CHARS)
              for a in articles]
    ok = [m for m in mapped if m.failure is None]
    nts = [(_nt(m.graphs.graph), _nt(m.graphs.actors), _nt(m.graphs.places)) for m in ok]
    outcome = dict(zip((id(m) for m in ok), zip(_validate(ok, nts), nts))) if ok else {}
    results = []
    for m in mapped:
        a = m.article
        (report, failure), nt = outcome.get(id(m), ((None, m.failure), (b"", b"", b"")))
        if failure is not None:
            nt = (b"", b"", b"")
        results.append(ArticleResult(
            a.id, a.checksum, text_hash(a.text), model, *nt,
            m.events, m.claims, _nt(report) if report is not None else b"", failure))
    _freeze_long_lived()
    return results


# ----------------------------------------------------------------------------- provenance

def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for it in items:
        batch.append(it)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _file_checksums(paths: Iterable[str | Path]) -> Iterator[tuple[str, str]]:
    """(path, sha256) of every input file, streamed."""
    for p in paths:
        path = Path(p)
        files = [path] if path.is_file() else sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else []
        for f in files:
            h = hashlib.sha256()
            try:
                with open(f, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
            except OSError:
                continue
            yield str(f), h.hexdigest()


def run_graph(run_id: str, started: datetime, ended: datetime, model: str,
              inputs: dict[str, str] | Iterable[tuple[str, str]] = (), article_ids: Iterable[str] = ()) -> Graph:
    """The build as a prov:Activity: times, tool version, model, input checksums, generated graphs."""
    g = _run_head(run_id, started, model)
    node = run_iri(run_id)
    g.add((node, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    _add_inputs(g, node, inputs.items() if isinstance(inputs, dict) else inputs)
    for aid in article_ids:
        g.add((graph_iri(aid), PROV.wasGeneratedBy, node))
    return g


def _run_head(run_id: str, started: datetime, model: str | None) -> Graph:
    """What is known of a run from its start: prov:Activity, start time, tool version, model. It is
    written with the first stored batch, so a build killed later still has described runs."""
    g = Graph()
    node = run_iri(run_id)
    g.add((node, RDF.type, PROV.Activity))
    g.add((node, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((node, CK.toolVersion, Literal(kg.__version__)))
    if model:
        g.add((node, CK.model, Literal(model)))
    return g


def _add_inputs(g: Graph, node, inputs: Iterable[tuple[str, str]]) -> None:
    for path, digest in inputs:
        inp = ID[f"input/{digest}"]
        g.add((node, PROV.used, inp))
        g.add((inp, RDF.type, PROV.Entity))
        g.add((inp, CK.checksum, Literal(digest)))
        g.add((inp, SCHEMA.name, Literal(path)))


def _run_links(ids: Iterable[str], run_id: str) -> Graph:
    g = Graph()
    node = run_iri(run_id)
    for aid in ids:
        g.add((graph_iri(aid), PROV.wasGeneratedBy, node))
    return g


def _write_run(store, run_id: str, started: datetime, model: str, paths: list[Path]) -> None:
    """The prov:Activity of this build, with its input files written in bounded chunks."""
    store.write_articles([], run=run_graph(run_id, started, datetime.now(timezone.utc), model))
    node = run_iri(run_id)
    for chunk in _batches(_file_checksums(paths), INPUTS_PER_WRITE):
        g = Graph()
        _add_inputs(g, node, chunk)
        store.write_articles([], run=g)


# ----------------------------------------------------------------------------- the build

class _Driver:
    """Reads, filters (unchanged, syndicated copies), feeds the executor and writes the results."""

    def __init__(self, store, summary: Summary, run_id: str, dedupe: bool,
                 progress: Callable[[int, int], None] | None, started: datetime | None = None) -> None:
        from kg.dedupe import Syndication

        self.store, self.summary, self.run_id = store, summary, run_id
        self.started = started or datetime.now(timezone.utc)
        self._described = False  # the run's prov:Activity is in the store
        self.synd = Syndication(store) if dedupe else None
        self.progress = progress
        self.requeue: deque[Article] = deque()  # copies whose original failed: extracted on their own
        self.done = 0
        self.model: str | None = None
        self._unflushed = 0
        #: (store write, its results, the stored ones, their quads)
        self._pending: tuple[Future | None, list[ArticleResult], list[ArticleResult], int] | None = None
        self._gathered: list[ArticleResult] = []  # results not yet handed to the writer
        self._gathered_quads = 0
        self._write_failed = False
        self._thread: ThreadPoolExecutor | None = None

    # -- admission
    def candidates(self, items: Iterable) -> Iterator[Article]:
        from kg.readers import ReadFailure

        for item in items:
            while self.requeue:
                a = self.admit(self.requeue.popleft())
                if a is not None:
                    yield a
            if isinstance(item, ReadFailure) and item.skipped:  # non-English: a warning, not a failure
                self.summary.warn(f"[{item.error.code}] {item.error.message}")
                self._settled()
                continue
            if isinstance(item, ReadFailure):
                where = item.path if item.line is None else f"{item.path}:{item.line}"
                self.summary.fail(Failure(None, where, item.error.code, item.error.message))
                self._settled()
                continue
            self.summary.read += 1
            a = self.admit(item)
            if a is not None:
                yield a

    def admit(self, article: Article) -> Article | None:
        """The article if it must be extracted; None when it is unchanged or a syndicated copy."""
        from kg.dedupe import source_graph_iri, text_hash

        if self.store.stored_checksum(article.id) == article.checksum:
            self.summary.unchanged += 1
            self._settled()
            return None
        if self.synd is None:
            return article
        digest = text_hash(article.text)
        found = self.synd.original_of(article, digest)
        copy_checksum = self.synd.stored_copy_checksum(article.id)
        if found is None:
            if copy_checksum is not None:  # was a copy, its text changed: no longer one
                self.store.replace_graph(str(source_graph_iri(article.id)), Graph())
            self.synd.claim(article, digest)
            return article
        first, in_flight = found
        if copy_checksum == article.checksum:
            self.summary.unchanged += 1
            self._settled()
        elif in_flight:
            self.synd.wait(article, first)
        else:
            self.record_copy(article, first)
        return None

    def record_copy(self, copy: Article, first: str) -> None:
        from kg.dedupe import source_graph, source_graph_iri

        if self.store.has_article(copy.id):  # it was stored as an article of its own before
            self.store.remove_articles([copy.id])
        if not self._described:  # the record points at this run: describe it first
            self.store.write_articles([], run=_run_head(self.run_id, self.started, None))  # model not known yet
            self._described = True
        self.store.replace_graph(str(source_graph_iri(copy.id)), source_graph(copy, first, self.run_id))
        self.summary.duplicates += 1
        self.summary.warn(warning("W003", id=copy.id, other=first))
        self._settled()

    # -- results
    def write(self, results: list[ArticleResult]) -> None:
        """Take a batch's results. They are gathered until they hold :data:`WRITE_EVERY_QUADS`
        quads, then written in one transaction on the driver's writer thread while the next batches
        are extracted (Oxigraph releases the GIL while it loads). The bookkeeping of a write (counts,
        syndicated copies, progress) follows once it has committed, at the next write or at
        :meth:`finish`. One write is pending at most."""
        self._gathered += results
        self._gathered_quads += sum(r.quads for r in results if r.failure is None)
        if self._gathered_quads >= WRITE_EVERY_QUADS:
            self._commit()
        self._report(len(results))

    def finish(self) -> None:
        """Write what is gathered, wait for the pending write (its error, if any, is raised here)
        and settle it."""
        if self._gathered:
            self._commit()
        self._settle_pending()

    def _commit(self) -> None:
        """Settle the pending write, then hand the gathered results to the writer thread."""
        self._settle_pending()
        results, quads = self._gathered, self._gathered_quads
        self._gathered, self._gathered_quads = [], 0
        records, stored = [], []
        for r in results:
            self.model = self.model or r.model
            if r.failure is None:
                records.append(r.record())
                stored.append(r)
        pending = None
        if records:
            run = _run_links((r.article_id for r in stored), self.run_id)
            if not self._described:  # same transaction as the first links to the run
                for t in _run_head(self.run_id, self.started, self.model):
                    run.add(t)
                self._described = True
            pending = self._writer().submit(self.store.write_articles, records, run)
        self._pending = (pending, results, stored, quads)

    def _settle_pending(self) -> None:
        """Wait for the pending store write (its error, if any, is raised here) and settle its results."""
        if self._pending is None:
            return
        pending, results, stored, quads = self._pending
        self._pending = None
        if pending is not None:
            try:
                pending.result()
            except BaseException:
                self._write_failed = True
                raise
        for r in results:
            self.summary.events_by_type.update(r.events)
            self.summary.claims += r.claims
            if r.failure is not None:
                self.summary.fail(r.failure, r.report_graph())
                self._settle(r, stored=False)
        if stored:
            self.summary.stored += len(stored)
            self._unflushed += quads
            if self._unflushed >= FLUSH_EVERY_QUADS:
                self.store.flush()
                self._unflushed = 0
        for r in stored:
            self._settle(r, stored=True)
        self._report(0)

    def _report(self, n: int) -> None:
        """Move the progress bar: items settled plus results extracted and awaiting their write."""
        if self.progress is not None:
            waiting = len(self._gathered) + (len(self._pending[1]) if self._pending is not None else 0)
            self.progress(self.done + waiting, n)

    def _writer(self) -> ThreadPoolExecutor:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-store-writer")
        return self._thread

    def close(self) -> None:
        """On the way out of a failed build (errors suppressed): settle the pending write, and write
        what is gathered (extracted, valid) unless a store write has failed."""
        with contextlib.suppress(Exception):
            self._settle_pending()  # clears the pending write even when it raises
        if self._write_failed:
            self._gathered = []
        with contextlib.suppress(Exception):
            self.finish()
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None

    def _settle(self, r: ArticleResult, stored: bool) -> None:
        self._settled()
        if self.synd is None:
            return
        for copy in self.synd.settle(r.article_id, r.text_hash):
            if stored:
                self.record_copy(copy, r.article_id)
            else:
                self.requeue.append(copy)

    def _settled(self) -> None:
        self.done += 1


def build(paths: Iterable[str | Path], out_dir: str | Path = "out", *, fmt: str | None = None,
          glob: str | None = None, batch_size: int = 32,
          progress: Callable[[int, int], None] | None = None, export: bool = True,
          workers: int = 1, dask: str | None = None, dedupe: bool = True) -> Summary:
    """Build (or update) the knowledge graph under ``out_dir`` from articles at ``paths``.

    ``workers > 1`` extracts in that many local processes; ``dask`` (``"local"`` or a scheduler
    address such as ``"tcp://host:8786"``) on a dask.distributed cluster. ``dedupe`` records
    syndicated copies (same normalised text) as extra sources of the first article (W003).
    ``progress(done, n)`` is called after each batch (``n`` its size) and after each store write
    (``n`` 0) with the number of items processed so far: settled, or extracted and awaiting their write.
    """
    from kg.distributed import make_executor
    from kg.readers import read_paths
    from kg.rdf.store import Store

    t0 = time.perf_counter()
    paths = [Path(p) for p in paths]
    out = Path(out_dir)
    summary = Summary()
    started = datetime.now(timezone.utc)
    run_id = uuid.uuid4().hex
    out.mkdir(parents=True, exist_ok=True)
    with gc_tuned(), Store.open(out) as store, make_executor(workers, dask) as executor:
        summary.executor, summary.workers = executor.name, executor.workers
        store.set_ontology(ontology_graph())
        driver = _Driver(store, summary, run_id, dedupe, progress, started)
        rdf_files = [p for p in paths if fmt is None and is_importable_rdf(p)]
        for p in rdf_files:  # a user's corrected Turtle / an exported kg.trig: validated, then loaded
            try:
                import_rdf(p, store)
                summary.imported += 1
            except KGError as exc:
                summary.fail(Failure(None, str(p), exc.code, exc.message))
        paths = [p for p in paths if p not in rdf_files]
        source: Iterable[Article] = driver.candidates(read_paths(paths, fmt=fmt, glob=glob) if paths else iter(()))
        try:
            while True:
                tasks = ((batch, run_id) for batch in _batches(source, batch_size))
                for results in executor.map(extract_batch, tasks):
                    driver.write(results)
                driver.finish()
                if not driver.requeue:
                    break
                pending = list(driver.requeue)  # copies whose original failed, found after the input ended
                driver.requeue.clear()
                source = (a for a in map(driver.admit, pending) if a is not None)
            driver.close()
        except BaseException:  # interrupted or failed: what was stored keeps its provenance
            driver.close()
            if summary.stored or summary.duplicates:
                with contextlib.suppress(Exception):
                    _write_run(store, run_id, started, driver.model or "?", paths)
            raise
        if summary.stored or summary.duplicates:
            _write_run(store, run_id, started, driver.model or "?", paths)
            summary.run = str(run_iri(run_id))
        summary.triples = len(store)
        summary.actors = int(store.select(
            "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH <https://w3id.org/conflict-kg/graph/actors> "
            "{ ?a <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } }")[0]["n"])
        if export:
            summary.outputs += export_all(store, out, summary)
    summary.seconds = time.perf_counter() - t0
    return summary


def export_all(store, out: Path, summary: Summary) -> list[Path]:
    """kg.trig, kg.ttl, report.ttl and the actor graph files."""
    from kg.exporters import write_all
    from kg.graph import actor_graph
    from kg.rdf.export import write_outputs
    from kg.validate import validate_graph

    written = list(write_outputs(store, out) or [])
    # cross-article shapes on the shared actor descriptions (one graph, small)
    actors = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/conflict-kg/graph/actors> { ?s ?p ?o } }"
                         ).to_rdflib()
    cross = validate_graph(actors, cross=True)
    if not cross.conforms:
        summary.conforms = False
        for i in cross.issues:
            summary.warn(f"{i.focus}: {i.message}")
    report = out / "report.ttl"
    tmp = report.with_suffix(".ttl.tmp")
    report_graph = Graph()
    for g in [cross.report, *summary.reports]:
        report_graph += g
    report_graph.serialize(tmp, format="turtle")
    tmp.replace(report)
    written.append(report)
    written += write_all(actor_graph(store), out)
    return written
