"""``--workers N``: extraction in local processes gives the same store as one process."""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.distributed import EXECUTORS, LocalExecutor, ProcessExecutor, SerializedGraph, make_executor
from kg.pipeline import MAX_KEPT, Failure, Summary, build

from storeutil import DATA, content  # noqa: E402


def test_two_workers_store_the_same_content_as_one(tmp_path):
    inputs = [DATA / "articles.jsonl", DATA / "syndicated.jsonl"]
    one = build(inputs, tmp_path / "one", export=False, batch_size=2)
    two = build(inputs, tmp_path / "two", export=False, batch_size=2, workers=2)
    assert (two.executor, two.workers) == ("processes", 2)
    assert (one.stored, one.duplicates) == (two.stored, two.duplicates) == (6, 1)
    assert one.events_by_type == two.events_by_type and one.claims == two.claims
    a, b = content(tmp_path / "one"), content(tmp_path / "two")
    assert len(a) > 100 and a == b


def test_executor_choice():
    assert isinstance(make_executor(1), LocalExecutor)
    assert EXECUTORS.names() == ["dask", "local", "processes"]
    assert ProcessExecutor.name == "processes"


def test_serialized_graph_answers_from_bytes_and_parses_on_demand():
    g = Graph()
    g.add((URIRef("http://x/a"), URIRef("http://x/p"), Literal("line\nbreak")))
    g.add((URIRef("http://x/a"), URIRef("http://x/q"), URIRef("http://x/b")))
    nt = g.serialize(format="nt", encoding="utf-8")
    s = SerializedGraph(nt)
    assert len(s) == 2 and s.serialize(format="nt", encoding="utf-8") is nt
    assert set(s) == set(g)
    s.add((URIRef("http://x/b"), URIRef("http://x/p"), Literal(1)))
    assert len(s) == 3 and s.serialize(format="nt", encoding="utf-8").count(b"\n") == 3


def test_summary_keeps_counts_exact_but_lists_bounded():
    s = Summary()
    for i in range(MAX_KEPT + 5):
        s.fail(Failure(str(i), "x", "E021", "boom"))
        s.warn("w")
    assert (s.failed, len(s.failures), s.warned, len(s.warnings)) == (MAX_KEPT + 5, MAX_KEPT, MAX_KEPT + 5, MAX_KEPT)
    assert s.exit_code == 1


# ----------------------------------------------------------------------------- batched SHACL

def _mapped(ids: tuple[str, ...]):
    from kg.nlp import get_nlp, model_name
    from kg.pipeline import _map
    from kg.readers import read_paths

    nlp = get_nlp()
    arts = [a for a in read_paths([DATA / "articles.jsonl"]) if a.id in ids]
    return [_map(a, d, model_name(nlp)) for a, d in zip(arts, nlp.pipe(a.text for a in arts))]


def test_batch_validation_still_names_the_failing_article(monkeypatch):
    import kg.pipeline
    from kg.rdf.namespaces import CK, XSD, event_iri

    real = kg.pipeline._map

    def broken(article, doc, model, run_id=None):
        m = real(article, doc, model, run_id)
        if article.id == "story-3":  # a confidence above 1 violates cks:EventConfidenceShape
            m.graphs.graph.add((event_iri("story-3", 0), CK.confidence, Literal("7.5", datatype=XSD.decimal)))
        return m

    monkeypatch.setattr(kg.pipeline, "_map", broken)
    from kg.readers import read_paths

    results = kg.pipeline.extract_batch(list(read_paths([DATA / "articles.jsonl"])), "run")
    failed = {r.article_id: r for r in results if r.failure is not None}
    assert list(failed) == ["story-3"] and failed["story-3"].failure.code == "E031"
    assert failed["story-3"].report and not failed["story-3"].graph
    assert all(r.graph for r in results if r.article_id != "story-3")


def test_conflicting_descriptions_of_a_shared_actor_do_not_fail_either_article():
    from kg.pipeline import _groups, _union, _validate
    from kg.rdf.namespaces import CK, RDF, SKOS, actor_iri
    from kg.validate import validate_graph

    one, two = _mapped(("story-1", "story-2"))
    x = actor_iri("test-x")
    for m, label in ((one, "X One"), (two, "X Two")):  # each article alone is valid
        m.graphs.actors.add((x, RDF.type, CK.State))
        m.graphs.actors.add((x, SKOS.prefLabel, Literal(label)))
    naive = _union(p for m in (one, two) for p in (m.graphs.graph, m.graphs.actors, m.graphs.places))
    assert not validate_graph(naive).conforms  # two prefLabels once merged
    assert [len(members) for members, _ in _groups([one, two])] == [1, 1]
    assert _validate([one, two]) == [(None, None), (None, None)]


def _die(articles, run_id):  # runs in a spawned worker process (imported there by module name)
    import os

    os._exit(3)


def test_a_worker_that_dies_stops_the_build_with_e063():
    import pytest

    from kg.errors import KGError

    ex = ProcessExecutor(1)
    try:
        with pytest.raises(KGError) as e:
            list(ex.map(_die, [([], "run")]))
    finally:
        ex.close()
    assert e.value.code == "E063" and "worker process died" in e.value.message


def test_an_unreachable_dask_scheduler_is_e062():
    import pytest

    from kg.distributed import DaskExecutor
    from kg.errors import KGError
    from kg.serve import free_port

    with pytest.raises(KGError) as e:
        DaskExecutor(f"tcp://127.0.0.1:{free_port()}", timeout=2)
    assert e.value.code == "E062" and "127.0.0.1" in e.value.message


def test_executor_backends_must_implement_their_abstract_methods():
    """Executor.map and _Windowed's _submit / _result are abstract: a backend missing one cannot be
    created (the error names it), instead of failing with NotImplementedError mid-build."""
    import pytest

    from kg.distributed import Executor, _Windowed

    class NoMap(Executor):
        pass

    class NoResult(_Windowed):
        def _submit(self, fn, articles, run_id):
            return fn(articles, run_id)

    with pytest.raises(TypeError, match="map"):
        NoMap()
    with pytest.raises(TypeError, match="_result"):
        NoResult()

    class Inline(NoResult):
        def _result(self, handle):
            return handle

    assert list(Inline().map(lambda a, r: [len(a)], [(["x"], "r"), (["y", "z"], "r")])) == [[1], [2]]
    assert isinstance(LocalExecutor(), Executor)
