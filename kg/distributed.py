"""Where extraction runs: in this process, in a pool of local processes, or on a dask cluster.

Every backend runs the same task, :func:`kg.pipeline.extract_batch` (``nlp.pipe`` + extraction +
RDF + SHACL for one batch of articles), and hands back its :class:`kg.pipeline.ArticleResult` list
in input order: serialised N-Triples per graph, the SHACL report, counters. Only the driver writes
to the store (one writer). Each backend keeps at most ``window`` batches in flight, so memory does
not grow with the corpus. Backends are registered by name in :data:`EXECUTORS`.

Workers load the spaCy model once per process (``kg.nlp.get_nlp`` is cached per process).
"""
from __future__ import annotations

import abc
import multiprocessing as mp
from collections import deque
from dataclasses import dataclass
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from kg.errors import KGError
from kg.registry import Registry

if TYPE_CHECKING:
    from kg.models import Article
    from kg.pipeline import ArticleResult

__all__ = ["EXECUTORS", "Executor", "LocalExecutor", "ProcessExecutor", "DaskExecutor", "SerializedGraph",
           "make_executor"]

Task = tuple[Sequence["Article"], str]  # (articles, run id)


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _term(t: ox.NamedNode | ox.BlankNode | ox.Literal):
    """An Oxigraph term as the rdflib term rdflib's own N-Triples parser would make."""
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    dt = t.datatype.value
    return Literal(t.value, datatype=None if dt == _XSD_STRING else URIRef(dt))


class SerializedGraph(Graph):
    """An rdflib Graph that arrives as N-Triples (from a worker process).

    ``serialize(format="nt", encoding="utf-8")`` and ``len()`` answer from the bytes without parsing;
    anything else that needs the triples parses them once, on first use.
    """

    def __init__(self, nt: bytes) -> None:
        super().__init__()
        self._nt: bytes | None = nt
        self._count = nt.count(b"\n")
        self._parsed = not nt

    def _materialise(self) -> None:
        if not self._parsed:
            self._parsed = True
            quads = ox.parse(self._nt, ox.RdfFormat.N_TRIPLES)  # Rust parser: ~4x rdflib's
            Graph.addN(self, ((_term(q.subject), _term(q.predicate), _term(q.object), self) for q in quads))

    def triples(self, triple):  # type: ignore[override]
        self._materialise()
        return super().triples(triple)

    def add(self, triple):  # type: ignore[override]
        self._materialise()
        self._nt = None
        return super().add(triple)

    def addN(self, quads):  # type: ignore[override]  # noqa: N802 - rdflib's name
        self._materialise()
        self._nt = None
        return super().addN(quads)

    def remove(self, triple):  # type: ignore[override]
        self._materialise()
        self._nt = None
        return super().remove(triple)

    def __len__(self) -> int:
        return self._count if not self._parsed else super().__len__()

    def serialize(self, destination=None, format="turtle", base=None, encoding=None, **args):  # type: ignore[override]
        if (destination is None and format in ("nt", "ntriples") and encoding == "utf-8"
                and self._nt is not None and not args and base is None):
            return self._nt
        self._materialise()
        return super().serialize(destination=destination, format=format, base=base, encoding=encoding, **args)


class Executor(abc.ABC):
    """Runs ``fn(articles, run_id)`` over tasks; yields results in task order."""

    name = "?"
    workers = 1

    @abc.abstractmethod
    def map(self, fn: Callable[..., list["ArticleResult"]], tasks: Iterable[Task]) -> Iterator[list["ArticleResult"]]:
        """One result list per task, in task order."""

    def close(self) -> None:
        """Release processes / cluster connections."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalExecutor(Executor):
    """In this process, one batch at a time."""

    name = "local"

    def map(self, fn, tasks):
        for articles, run_id in tasks:
            yield fn(articles, run_id)


def _warm() -> None:
    """Process-pool initialiser: load the spaCy pipeline once per worker; the build's GC thresholds."""
    import gc

    from kg.nlp import get_nlp
    from kg.pipeline import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)
    get_nlp()


@dataclass(frozen=True)
class _RemoteError:
    """A :class:`KGError` raised in a worker, carried back by code and fields (KGError itself does
    not survive pickling with its fields)."""

    code: str
    fields: dict


def _remote(fn, articles, run_id):
    """Runs in the worker: the task, with catalogued errors turned into data."""
    try:
        return fn(articles, run_id)
    except KGError as exc:
        return _RemoteError(exc.code, {k: str(v) for k, v in exc.fields.items()})


def _reraise(result):
    if isinstance(result, _RemoteError):
        raise KGError(result.code, **result.fields)
    return result


class _Windowed(Executor):
    """Submits tasks ahead, at most ``window`` in flight; yields results in order."""

    window = 2

    @abc.abstractmethod
    def _submit(self, fn, articles, run_id):
        """Start ``fn(articles, run_id)``; a handle for :meth:`_result`."""

    @abc.abstractmethod
    def _result(self, handle) -> list["ArticleResult"]:
        """Wait for a submitted task; its results (a worker's catalogued error re-raised)."""

    def map(self, fn, tasks):
        pending: deque = deque()
        for articles, run_id in tasks:
            pending.append(self._submit(fn, articles, run_id))
            if len(pending) >= self.window:
                yield self._result(pending.popleft())
        while pending:
            yield self._result(pending.popleft())


class ProcessExecutor(_Windowed):
    """``--workers N``: N spawned processes on this machine, each with its own spaCy model."""

    name = "processes"

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self.window = 2 * self.workers
        # spawn: workers never inherit the parent's open store, locks or threads
        self._pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"), initializer=_warm)

    def _submit(self, fn, articles, run_id):
        return self._pool.submit(_remote, fn, list(articles), run_id)

    def _result(self, handle):
        try:
            return _reraise(handle.result())
        except BrokenProcessPool as exc:
            raise KGError("E063", reason=str(exc) or type(exc).__name__) from None

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(_Windowed):
    """``--dask ADDRESS|local``: a dask.distributed scheduler (``local`` starts a LocalCluster of
    ``workers`` single-threaded worker processes on 127.0.0.1)."""

    name = "dask"

    def __init__(self, address: str, workers: int = 2, timeout: float = 30) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            raise KGError("E062", address=address, reason=f"dask.distributed is not installed ({exc})") from None
        self._cluster = None
        try:
            if address == "local":
                self._cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                             host="127.0.0.1", dashboard_address=None)
                self._client = Client(self._cluster)
            else:
                self._client = Client(address, timeout=f"{timeout}s")
        except (OSError, TimeoutError) as exc:
            self.close()
            raise KGError("E062", address=address, reason=str(exc)) from None
        n = len(self._client.scheduler_info().get("workers", {})) or max(1, workers)
        self.workers = n
        self.window = 2 * n

    def _submit(self, fn, articles, run_id):
        return self._client.submit(_remote, fn, list(articles), run_id, pure=False)

    def _result(self, handle):
        return _reraise(handle.result())

    def close(self) -> None:
        client, cluster = getattr(self, "_client", None), self._cluster
        self._client, self._cluster = None, None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


EXECUTORS: Registry[Callable[..., Executor]] = Registry("executor")
EXECUTORS.add("local", lambda workers=1, address=None: LocalExecutor())
EXECUTORS.add("processes", lambda workers=2, address=None: ProcessExecutor(workers))
EXECUTORS.add("dask", lambda workers=2, address="local": DaskExecutor(address or "local", workers))


def make_executor(workers: int = 1, dask: str | None = None) -> Executor:
    """``dask`` address -> dask; ``workers > 1`` -> process pool; else in-process."""
    if dask:
        return EXECUTORS.get("dask")(workers=workers if workers > 1 else 2, address=dask)
    if workers > 1:
        return EXECUTORS.get("processes")(workers=workers)
    return EXECUTORS.get("local")()
