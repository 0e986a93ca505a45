"""Importing existing RDF: validated first, then loaded as named graphs."""
from __future__ import annotations

import pytest

from kg.errors import KGError
from kg.rdf.load import import_rdf
from kg.rdf.store import Store

ARTICLE = """
@prefix schema: <https://schema.org/> .
@prefix ck: <https://w3id.org/conflict-kg/ontology#> .
@prefix kgid: <https://w3id.org/conflict-kg/id/> .
@prefix plover: <https://w3id.org/conflict-kg/plover/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
kgid:article\\/fix-1 a schema:NewsArticle ; schema:identifier "fix-1" ;
  schema:datePublished "2022-01-10"^^xsd:date ; schema:publisher kgid:publisher\\/desk .
kgid:publisher\\/desk a schema:Organization ; schema:name "Desk" .
kgid:event\\/fix-1\\/0 a ck:Event ; ck:eventType plover:ASSAULT ; ck:mode "asserted" ;
  prov:wasDerivedFrom kgid:article\\/fix-1 ; ck:evidence "Group A shelled the town of B." ;
  ck:agent kgid:actor\\/group-a .
kgid:actor\\/group-a a ck:ArmedGroup ; skos:prefLabel "Group A" .
plover:ASSAULT a skos:Concept ; skos:notation "ASSAULT" .
"""


def test_corrected_article_replaces_its_graph(tmp_path):
    f = tmp_path / "fix.ttl"
    f.write_text(ARTICLE, encoding="utf-8")
    with Store.open(tmp_path / "out") as st:
        res = import_rdf(f, st)
        assert res.graphs == ("https://w3id.org/conflict-kg/graph/article/fix-1",)
        assert st.article_ids() == ["fix-1"]
        n = len(st)
        import_rdf(f, st)  # idempotent
        assert len(st) == n


def test_non_conforming_file_stores_nothing(tmp_path):
    f = tmp_path / "bad.ttl"
    f.write_text(ARTICLE.replace('ck:mode "asserted" ;', 'ck:mode "maybe" ;'), encoding="utf-8")
    with Store.open(tmp_path / "out") as st:
        with pytest.raises(KGError) as exc:
            import_rdf(f, st)
        assert exc.value.code == "E031" and exc.value.exit_code == 1
        assert st.article_ids() == []


def test_malformed_file_is_e030(tmp_path):
    f = tmp_path / "broken.ttl"
    f.write_text("@prefix ex: <http://e/> .\nex:a ex:b ", encoding="utf-8")
    with Store.open(tmp_path / "out") as st:
        with pytest.raises(KGError) as exc:
            import_rdf(f, st)
        assert exc.value.code == "E030" and "broken.ttl" in exc.value.message


def test_kg_build_imports_explicit_turtle(tmp_path):
    from kg.pipeline import build

    f = tmp_path / "fix.ttl"
    f.write_text(ARTICLE, encoding="utf-8")
    s = build([f], tmp_path / "out", export=False)
    assert s.imported == 1 and not s.failures
    with Store.open(tmp_path / "out", read_only=True) as st:
        assert st.article_ids() == ["fix-1"]


def test_kg_build_reports_a_non_conforming_turtle_file(tmp_path):
    from kg.pipeline import build

    f = tmp_path / "bad.ttl"
    f.write_text(ARTICLE.replace('ck:mode "asserted" ;', 'ck:mode "maybe" ;'), encoding="utf-8")
    s = build([f], tmp_path / "out", export=False)
    assert s.imported == 0 and [x.code for x in s.failures] == ["E031"] and s.exit_code == 1
