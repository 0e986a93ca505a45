"""The pipeline: failure isolation, incremental and idempotent builds, provenance."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.pipeline import build
from kg.rdf.store import Store

GOOD = [
    {"id": "a1", "date": "2023-05-12", "source": "Test Wire",
     "text": "Turkish warplanes bombed PKK positions in northern Iraq on Thursday, the Turkish defence ministry said."},
    {"id": "a2", "date": "2023-05-13", "source": "Test Wire",
     "text": "Iran threatened to retaliate against Israel after an explosion at a nuclear site, state media reported."},
]


def _jsonl(path, records, broken_line: str | None = None):
    lines = [json.dumps(r) for r in records]
    if broken_line is not None:
        lines.insert(1, broken_line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_one_bad_record_never_stops_the_others(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", GOOD, broken_line='{"id": "bad", "text": ')
    s = build([src], tmp_path / "out", export=False)
    assert s.stored == 2
    assert [f.code for f in s.failures] == ["E004"]
    assert "in.jsonl:2" in s.failures[0].message
    assert s.exit_code == 1
    with Store.open(tmp_path / "out", read_only=True) as st:
        assert sorted(st.article_ids()) == ["a1", "a2"]


def test_incremental_changed_article_replaces_its_graph(tmp_path):
    out = tmp_path / "out"
    build([_jsonl(tmp_path / "v1.jsonl", GOOD)], out, export=False)
    changed = [dict(GOOD[0], text="Turkish troops arrested ten PKK suspects in Ankara on Friday."), GOOD[1]]
    s = build([_jsonl(tmp_path / "v1.jsonl", changed)], out, export=False)
    assert (s.stored, s.unchanged) == (1, 1)
    with Store.open(out, read_only=True) as st:
        rows = st.select("""PREFIX ck: <https://w3id.org/conflict-kg/ontology#>
            SELECT ?t WHERE { GRAPH <https://w3id.org/conflict-kg/graph/article/a1> { ?e ck:trigger ?t } }""")
        assert rows and all("bomb" not in str(r["t"]) for r in rows)


def test_run_is_recorded_only_when_something_changed(tmp_path):
    out = tmp_path / "out"
    src = _jsonl(tmp_path / "in.jsonl", GOOD)
    first = build([src], out, export=False)
    again = build([src], out, export=False)
    assert first.run and again.run is None
    with Store.open(out, read_only=True) as st:
        acts = st.select("""PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?r ?m WHERE { ?r a prov:Activity ; <https://w3id.org/conflict-kg/ontology#model> ?m }""")
        assert len(acts) == 1 and "core_web_sm" in str(acts[0]["m"])


def test_article_without_date_gets_no_event_dates(tmp_path):
    src = tmp_path / "nodate.txt"
    src.write_text("Rebels attacked an army convoy near Aleppo on Tuesday, killing five soldiers.\n", encoding="utf-8")
    out = tmp_path / "out"
    build([src], out, export=False)
    with Store.open(out, read_only=True) as st:
        rows = st.select("""PREFIX ck: <https://w3id.org/conflict-kg/ontology#>
            SELECT ?e ?d WHERE { ?e a ck:Event . OPTIONAL { ?e ck:date|ck:earliest|ck:latest ?d } }""")
    assert rows and all(r.get("d") is None for r in rows)


def test_nt_is_rdflibs_ntriples_byte_for_byte():
    """pipeline._nt (terms' text made once) writes what rdflib's "nt" serializer writes."""
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.namespace import XSD

    from kg.pipeline import _nt

    g = Graph()
    s, b = URIRef("https://w3id.org/conflict-kg/id/event/a%20b/1"), BNode("b1")
    for o in (Literal('say "no"\\n\r\nback\\slash'), Literal("Кирби", lang="ru"), Literal("2021-02-25", datatype=XSD.date),
              Literal(3, datatype=XSD.integer), URIRef("http://example.org/x"), b, Literal("emoji \U0001F600 \u200f")):
        g.add((s, URIRef("http://example.org/p"), o))
        g.add((b, URIRef("http://example.org/q"), o))
    assert _nt(g) == g.serialize(format="nt", encoding="utf-8")
    assert _nt(g) == _nt(g)  # second time from the term cache
    assert _nt(Graph()) == b""


def test_store_writes_behind_extraction_keep_counts_copies_and_provenance(tmp_path, monkeypatch):
    """The store write of a batch runs while the next batch is extracted. With one article per
    batch and a write per batch (every copy arrives while its original's write is pending or just
    done) the build stores, counts and records copies as with one batch; a write that fails surfaces
    as the build's error, after the earlier batches are settled and their run described."""
    import kg.pipeline
    from kg.rdf import store as store_mod
    from kg.rdf.store import Store

    data = Path(__file__).parent / "data" / "throughput"
    src = [data / "articles.jsonl", data / "syndicated.jsonl"]
    whole = build(src, tmp_path / "whole", export=False)
    monkeypatch.setattr(kg.pipeline, "WRITE_EVERY_QUADS", 1)  # every batch is its own write
    seen = []
    one = build(src, tmp_path / "one", export=False, batch_size=1, progress=lambda done, n: seen.append(done))
    assert (one.read, one.stored, one.duplicates, one.failed) == (whole.read, whole.stored, whole.duplicates, 0)
    assert one.events_by_type == whole.events_by_type and one.claims == whole.claims
    assert seen == sorted(seen) and seen[-1] == one.read
    with Store.open(tmp_path / "whole", read_only=True) as a, Store.open(tmp_path / "one", read_only=True) as b:
        assert a.article_ids() == b.article_ids()
        assert b.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ck:syndicatedAs ?a }")[0]["n"] == 1

    real, calls = store_mod.Store.write_articles, []

    def second_fails(self, records, run=None):
        calls.append([r.article_id for r in records])
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, records, run)

    monkeypatch.setattr(store_mod.Store, "write_articles", second_fails)
    with pytest.raises(OSError):
        build([data / "articles.jsonl"], tmp_path / "broken", export=False, batch_size=2)
    monkeypatch.undo()
    assert len([c for c in calls if c]) == 2  # nothing written after the failed write but the run's provenance
    with Store.open(tmp_path / "broken", read_only=True) as st:
        assert sorted(st.article_ids()) == sorted(calls[0])  # the first batch, nothing of the second
        runs = st.select("SELECT ?a WHERE { ?g prov:wasGeneratedBy ?run . ?run a prov:Activity ; "
                         "prov:used ?f . BIND(1 AS ?a) }")
        assert runs  # the run that stored them is described


def test_batches_are_gathered_into_store_writes_of_write_every_quads(tmp_path, monkeypatch):
    """Results are gathered into one transaction until it holds WRITE_EVERY_QUADS quads (fewer bulk
    loads, less on-disk merging); the store and the summary are the same as with a write per batch,
    and the progress bar still moves after every batch."""
    import kg.pipeline
    from kg.rdf import store as store_mod

    from storeutil import content

    data = Path(__file__).parent / "data" / "throughput"
    src = [data / "articles.jsonl", data / "syndicated.jsonl"]
    real, writes = store_mod.Store.write_articles, []

    def counted(self, records, run=None):
        writes.append(len(records))
        return real(self, records, run)

    monkeypatch.setattr(store_mod.Store, "write_articles", counted)
    builds = {}
    for name, every in (("each", 1), ("gathered", 10**9), ("middle", 400)):
        monkeypatch.setattr(kg.pipeline, "WRITE_EVERY_QUADS", every)
        writes.clear()
        seen: list[int] = []
        s = build(src, tmp_path / name, export=False, batch_size=1, progress=lambda done, n: seen.append(done))
        builds[name] = (s, [w for w in writes if w], seen)
    each, gathered, middle = builds["each"], builds["gathered"], builds["middle"]
    assert len(each[1]) == each[0].stored  # one article a batch, one write a batch
    assert gathered[1] == [gathered[0].stored]  # everything in one transaction
    assert 1 < len(middle[1]) < len(each[1])
    for s, _, seen in builds.values():
        assert (s.read, s.stored, s.duplicates, s.failed) == (each[0].read, each[0].stored, each[0].duplicates, 0)
        assert s.events_by_type == each[0].events_by_type and s.claims == each[0].claims
        assert seen == sorted(seen) and seen[-1] == s.read and len(seen) >= s.stored  # moves every batch
    assert content(tmp_path / "each") == content(tmp_path / "gathered") == content(tmp_path / "middle")



def test_a_build_stopped_by_a_failed_batch_still_writes_what_it_had_gathered(tmp_path, monkeypatch):
    """Results waiting for their write are not lost when a later batch stops the build (a dead
    worker, an interrupt): they are written on the way out, with the run's provenance."""
    import kg.pipeline

    data = Path(__file__).parent / "data" / "throughput"
    real, calls = kg.pipeline.extract_batch, []

    def third_dies(articles, run_id=None):
        calls.append([a.id for a in articles])
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return real(articles, run_id)

    monkeypatch.setattr(kg.pipeline, "WRITE_EVERY_QUADS", 10**9)
    monkeypatch.setattr(kg.pipeline, "extract_batch", third_dies)
    with pytest.raises(RuntimeError):
        build([data / "articles.jsonl"], tmp_path / "out", export=False, batch_size=2)
    with Store.open(tmp_path / "out", read_only=True) as st:
        assert sorted(st.article_ids()) == sorted(calls[0] + calls[1])
        assert st.ask("ASK { ?g prov:wasGeneratedBy ?run . ?run a prov:Activity ; ck:model ?m }")
