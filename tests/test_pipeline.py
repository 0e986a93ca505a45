"""The pipeline: failure isolation, incremental and idempotent builds, provenance."""
from __future__ import annotations

import json

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
