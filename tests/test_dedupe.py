"""Syndicated copies (same normalised text): recorded once, as extra sources of the first article."""
from __future__ import annotations

import json
from pathlib import Path

import kg.pipeline
from kg.dedupe import source_graph_iri, text_hash
from kg.pipeline import build
from kg.rdf.store import Store

DATA = Path(__file__).parent / "data" / "throughput"
ARTICLES, COPY = DATA / "articles.jsonl", DATA / "syndicated.jsonl"

SOURCES = """SELECT ?src ?id ?name ?url ?first WHERE {
    ?first ck:source ?src . ?src a ck:Source ; schema:identifier ?id ; ck:syndicatedAs ?first ;
         schema:publisher/schema:name ?name ; schema:url ?url }"""
EVENTS_OF = "SELECT (COUNT(?e) AS ?n) WHERE { ?e a ck:Event ; prov:wasDerivedFrom ?a . ?a schema:identifier ?id }"


def _copy() -> dict:
    return json.loads(COPY.read_text(encoding="utf-8"))


def test_text_hash_ignores_whitespace_and_quote_style():
    copy, orig = _copy()["text"], json.loads(ARTICLES.read_text(encoding="utf-8").splitlines()[1])["text"]
    assert copy != orig and text_hash(copy) == text_hash(orig)
    assert text_hash(orig) != text_hash(orig + " More.")


def test_copy_in_the_same_build_is_recorded_once_as_a_source(tmp_path):
    out = tmp_path / "out"
    s = build([ARTICLES, COPY], out, export=False)
    assert (s.read, s.stored, s.duplicates, s.failed) == (7, 6, 1, 0)
    assert any(w.startswith("[W003] article wire-copy-2: duplicate of story-2") for w in s.warnings)
    with Store.open(out, read_only=True) as st:
        assert "wire-copy-2" not in st.article_ids()
        rows = st.select(SOURCES)
        assert [(r["id"], r["name"], r["first"]) for r in rows] == [
            ("wire-copy-2", "The National", "https://w3id.org/conflict-kg/id/article/story-2")]
        assert st.select(EVENTS_OF, id="wire-copy-2")[0]["n"] == 0
        assert st.select(EVENTS_OF, id="story-2")[0]["n"] > 0
        assert st.select("SELECT ?h WHERE { ?a schema:identifier 'story-2' ; ck:textHash ?h }")[0]["h"] \
            == text_hash(_copy()["text"])


def test_store_lookups_by_text_hash_and_copy_equal_the_sparql_answers(tmp_path):
    """Store.ids_with_text_hash / source_checksum (pattern look-ups the build makes per article)
    give what the equivalent SPARQL queries give."""
    out = tmp_path / "out"
    build([ARTICLES, COPY], out, export=False)
    with Store.open(out, read_only=True) as st:
        digest = text_hash(_copy()["text"])
        rows = st.select("SELECT ?id WHERE { ?a ck:textHash ?h ; schema:identifier ?id ; a schema:NewsArticle }",
                         h=digest)
        assert st.ids_with_text_hash(digest) == sorted(str(r["id"]) for r in rows) == ["story-2"]
        assert st.ids_with_text_hash("0" * 64) == []
        rows = st.select("SELECT ?c WHERE { GRAPH ?g { ?s ck:checksum ?c } }", g=f"<{source_graph_iri('wire-copy-2')}>")
        assert st.source_checksum("wire-copy-2") == str(rows[0]["c"]) == _copy_checksum()
        assert st.source_checksum("story-2") is None and st.source_checksum("nope") is None


def _copy_checksum() -> str:
    from kg.readers import read_paths

    return next(a for a in read_paths([COPY]) if a.id == "wire-copy-2").checksum


def test_copy_in_a_later_build_is_found_in_the_store_and_rerun_changes_nothing(tmp_path):
    out = tmp_path / "out"
    build([ARTICLES], out, export=False)
    s = build([COPY], out, export=False)
    assert (s.stored, s.duplicates) == (0, 1)
    with Store.open(out, read_only=True) as st:
        before = len(st)
        assert len(st.select(SOURCES)) == 1
    again = build([COPY], out, export=False)
    assert (again.stored, again.duplicates, again.unchanged, again.run) == (0, 0, 1, None)
    with Store.open(out, read_only=True) as st:
        assert len(st) == before


def test_copy_whose_text_changes_becomes_an_article_of_its_own(tmp_path):
    out = tmp_path / "out"
    build([ARTICLES, COPY], out, export=False)
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps(dict(_copy(), text="Rebels attacked an army convoy near Aleppo on Tuesday.")) + "\n",
                       encoding="utf-8")
    s = build([changed], out, export=False)
    assert (s.stored, s.duplicates) == (1, 0)
    with Store.open(out, read_only=True) as st:
        assert "wire-copy-2" in st.article_ids()
        assert not st.select(SOURCES)
        assert not st.ask("ASK { GRAPH ?g { ?s ?p ?o } }", g=f"<{source_graph_iri('wire-copy-2')}>")


def test_copy_of_a_failed_article_is_extracted_on_its_own(tmp_path, monkeypatch):
    real = kg.pipeline._map

    def failing(article, doc, model, run_id=None):
        if article.id == "story-2":
            failure = kg.pipeline._failure(article, "E021", "article story-2: extraction failed: test")
            return kg.pipeline._Mapped(article, None, kg.pipeline.Counter(), 0, failure)
        return real(article, doc, model, run_id)

    monkeypatch.setattr(kg.pipeline, "_map", failing)
    s = build([ARTICLES, COPY], tmp_path / "out", export=False)
    assert (s.stored, s.duplicates, s.failed) == (6, 0, 1)
    with Store.open(tmp_path / "out", read_only=True) as st:
        assert "wire-copy-2" in st.article_ids() and "story-2" not in st.article_ids()


def test_no_dedupe_stores_every_copy(tmp_path):
    s = build([ARTICLES, COPY], tmp_path / "out", export=False, dedupe=False)
    assert (s.stored, s.duplicates) == (7, 0)


def test_removing_an_article_removes_its_copies_records_and_a_copy_id_removes_one_record(tmp_path):
    out = tmp_path / "out"
    build([ARTICLES, COPY], out, export=False)
    with Store.open(out) as st:
        assert st.has_source("wire-copy-2") and not st.has_article("wire-copy-2")
        assert st.remove_articles(["wire-copy-2"]) == 1  # the copy's record only
        assert not st.has_source("wire-copy-2") and st.has_article("story-2") and st.select(SOURCES) == []
    build([COPY], out, export=False)  # recorded again, found through the store
    with Store.open(out) as st:
        assert st.has_source("wire-copy-2")
        assert st.remove_articles(["story-2"]) == 1
        assert not st.has_article("story-2") and not st.has_source("wire-copy-2")
        left = st.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                         f"FILTER(STRSTARTS(STR(?g), '{source_graph_iri('x')[:-1]}')) }}")
        assert left[0]["n"] == 0


def test_every_term_a_build_writes_is_declared_in_the_ontology(tmp_path):
    from rdflib import Graph
    from rdflib.namespace import RDF

    from kg.rdf.namespaces import CK
    from kg.resources import ONTOLOGY_DIR

    out = tmp_path / "out"
    build([ARTICLES, COPY], out, export=False)
    ont = Graph().parse(ONTOLOGY_DIR / "conflict.ttl", format="turtle")
    declared = {str(s) for s in ont.subjects(RDF.type, None) if str(s).startswith(str(CK))}
    with Store.open(out, read_only=True) as st:
        used = {r["t"] for r in st.select(
            "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } FILTER(STRSTARTS(STR(?t), STR(ck:))) }")}
    assert {str(CK.textHash), str(CK.source), str(CK.Source), str(CK.syndicatedAs)} <= used
    assert used <= declared, used - declared


def test_source_records_conform_to_their_shapes_and_broken_ones_do_not(tmp_path):
    """cks:Source*Shape: a copy's record needs one identifier, one article it repeats, one
    publisher, digests; the build's records conform, also in `kg validate` of the whole store."""
    from rdflib import Literal

    from kg.dedupe import source_graph, source_iri
    from kg.models import Article
    from kg.rdf.namespaces import CK, SCHEMA
    from kg.validate import parse_rdf, validate_dataset, validate_graph

    copy = Article(**{k: v for k, v in _copy().items() if k in ("id", "text", "publisher", "url")})
    good = source_graph(copy, "story-2", "run1")
    assert validate_graph(good, cross=True).conforms  # cross=True: every shape (scope "all")
    bad = source_graph(copy, "story-2", "run1")
    node = source_iri(copy.id)
    bad.remove((node, CK.syndicatedAs, None))
    bad.add((node, SCHEMA.identifier, Literal("another-id")))
    bad.set((node, CK.textHash, Literal("not a digest")))
    shapes = {i.shape.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for i in validate_graph(bad, cross=True).issues}
    assert validate_graph(bad).conforms  # not the article shapes' business
    assert {"SourceArticleShape", "SourceIdentifierShape", "SourceTextHashShape"} <= shapes

    out = tmp_path / "out"
    assert build([ARTICLES, COPY], out).duplicates == 1  # with the exports: out/kg.trig
    ds = parse_rdf(out / "kg.trig")
    assert any(True for _ in ds.quads((None, CK.syndicatedAs, None, None)))
    result = validate_dataset(ds)
    assert result.conforms, [i.message for i in result.issues][:3]
