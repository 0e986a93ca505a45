"""The one place that wires the stages together: read -> NLP -> extract -> resolve -> RDF ->
validate -> store -> export. Streams articles in batches through ``nlp.pipe``; one bad article is
recorded as a failure and never stops the others; each batch is one atomic store transaction."""
from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rdflib import Graph, Literal

import kg
from kg.errors import KGError
from kg.models import Article
from kg.rdf.namespaces import CK, ID, PROV, RDF, SCHEMA, XSD, article_iri, enc, graph_iri, run_iri

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"


@dataclass(frozen=True)
class Failure:
    """One article (or input item) that could not be stored."""

    article_id: str | None
    where: str
    code: str
    message: str


@dataclass
class Summary:
    """What a build did (printed by ``kg build``)."""

    read: int = 0
    stored: int = 0
    unchanged: int = 0
    duplicates: int = 0
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

    @property
    def exit_code(self) -> int:
        return 0 if not self.failures and self.conforms else 1


@dataclass(frozen=True)
class Processed:
    """The result of the per-article stages (no I/O): RDF + validation outcome."""

    article: Article
    graphs: object | None  # kg.rdf.mapping.ArticleGraphs
    events: Counter
    claims: int
    report: Graph | None
    failure: Failure | None


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


def process(article: Article, doc, model: str) -> Processed:
    """Extract, resolve, map and validate one parsed article. Never raises for article content."""
    from kg.extract import extract
    from kg.rdf.mapping import to_rdf
    from kg.resolve import resolve
    from kg.validate import validate_graph

    try:
        ex = resolve(extract(article, doc, model))
        graphs = to_rdf(ex)
    except KGError as exc:
        return Processed(article, None, Counter(), 0, None, Failure(article.id, article.source_path or "", exc.code, exc.message))
    except Exception as exc:  # noqa: BLE001 - isolate one bad article
        err = KGError("E021", id=article.id, reason=f"{type(exc).__name__}: {exc}")
        return Processed(article, None, Counter(), 0, None, Failure(article.id, article.source_path or "", err.code, err.message))
    data = graphs.graph + graphs.actors + graphs.places
    result = validate_graph(data)
    events = Counter(e.type for e in ex.events)
    if not result.conforms:
        err = KGError("E031", id=article.id, n=sum(1 for i in result.issues if i.severity == "Violation"))
        first = next((i.message for i in result.issues), "")
        return Processed(article, None, events, len(ex.claims), result.report,
                         Failure(article.id, article.source_path or "", err.code, f"{err.message}: {first}"))
    return Processed(article, graphs, events, len(ex.claims), result.report, None)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for it in items:
        batch.append(it)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _file_checksums(paths: Iterable[str | Path]) -> dict[str, str]:
    out: dict[str, str] = {}
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
            out[str(f)] = h.hexdigest()
    return out


def run_graph(run_id: str, started: datetime, ended: datetime, model: str, inputs: dict[str, str],
              article_ids: list[str]) -> Graph:
    """The build as a prov:Activity: times, tool version, model, input checksums, generated graphs."""
    g = Graph()
    node = run_iri(run_id)
    g.add((node, RDF.type, PROV.Activity))
    g.add((node, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((node, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    g.add((node, CK.toolVersion, Literal(kg.__version__)))
    g.add((node, CK.model, Literal(model)))
    for path, digest in sorted(inputs.items()):
        inp = ID[f"input/{digest}"]
        g.add((node, PROV.used, inp))
        g.add((inp, RDF.type, PROV.Entity))
        g.add((inp, CK.checksum, Literal(digest)))
        g.add((inp, SCHEMA.name, Literal(path)))
    for aid in article_ids:
        g.add((graph_iri(aid), PROV.wasGeneratedBy, node))
    return g


def build(paths: Iterable[str | Path], out_dir: str | Path = "out", *, fmt: str | None = None,
          glob: str | None = None, batch_size: int = 32,
          progress: Callable[[int, int], None] | None = None, export: bool = True) -> Summary:
    """Build (or update) the knowledge graph under ``out_dir`` from articles at ``paths``."""
    from kg.nlp import get_nlp, model_name
    from kg.readers import ReadFailure, read_paths
    from kg.rdf.store import ArticleRecord, Store

    t0 = time.perf_counter()
    paths = [Path(p) for p in paths]
    out = Path(out_dir)
    summary = Summary()
    started = datetime.now(timezone.utc)
    run_id = uuid.uuid4().hex
    nlp = get_nlp()
    model = model_name(nlp)
    out.mkdir(parents=True, exist_ok=True)
    stored_ids: list[str] = []
    seen_text: dict[str, str] = {}
    with Store.open(out) as store:
        onto = ontology_graph()
        store.set_ontology(onto)

        def articles() -> Iterator[Article]:
            for item in read_paths(paths, fmt=fmt, glob=glob):
                if isinstance(item, ReadFailure):
                    summary.failures.append(Failure(None, item.path if item.line is None else f"{item.path}:{item.line}",
                                                    item.error.code, item.error.message))
                    continue
                summary.read += 1
                if store.stored_checksum(item.id) == item.checksum:
                    summary.unchanged += 1
                    continue
                yield item

        for batch in _batches(articles(), batch_size):
            docs = nlp.pipe((a.text for a in batch), batch_size=batch_size)
            records = []
            for art, doc in zip(batch, docs):
                p = process(art, doc, model)
                summary.events_by_type.update(p.events)
                summary.claims += p.claims
                if p.failure is not None:
                    summary.failures.append(p.failure)
                    if p.report is not None:
                        summary.reports.append(p.report)
                    continue
                g = p.graphs
                g.graph.add((article_iri(art.id), PROV.wasGeneratedBy, run_iri(run_id)))
                records.append(ArticleRecord(g.article_id, g.checksum, g.graph, g.actors, g.places))
            if records:
                store.write_articles(records)
                stored_ids += [r.article_id for r in records]
                summary.stored += len(records)
            if progress is not None:
                progress(summary.read, len(batch))
        if stored_ids:
            ended = datetime.now(timezone.utc)
            store.write_articles([], run=run_graph(run_id, started, ended, model, _file_checksums(paths), stored_ids))
            summary.run = str(run_iri(run_id))
        summary.triples = len(store)
        summary.actors = int(store.select(
            "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH <https://w3id.org/conflict-kg/graph/actors> "
            "{ ?a <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } }")[0]["n"])
        if export:
            summary.outputs += export_all(store, out, summary)
    summary.conforms = not any(f.code == "E031" for f in summary.failures)
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
        summary.warnings += [f"{i.focus}: {i.message}" for i in cross.issues]
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
