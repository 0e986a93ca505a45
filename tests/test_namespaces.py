"""IRIs minted from arbitrary names are valid IRIs."""
import re

from hypothesis import given, strategies as st
from rdflib import URIRef

from kg.rdf.namespaces import actor_iri, article_iri, enc, event_iri, slug

IRI_BAD = re.compile(r'[\s<>"{}|\\^`]')


def test_slug_examples():
    assert slug("Kata\u2019ib Hezbollah") == "kataib-hezbollah"
    assert slug("John F. Kirby") == "john-f-kirby"
    assert slug("  ") == "x"


@given(st.text(min_size=1, max_size=40))
def test_minted_iris_are_valid(name):
    for iri in (actor_iri(slug(name)), article_iri(name), event_iri(name, 3)):
        assert isinstance(iri, URIRef)
        assert not IRI_BAD.search(str(iri)), iri
    assert not IRI_BAD.search(enc(name))


def test_tricky_names():
    for name in ['quote " and <tag>', "spaces  here", "\u05e9\u05dc\u05d5\u05dd RTL", "emoji \U0001f4a5", "a/b?c#d"]:
        iri = str(article_iri(name))
        assert not IRI_BAD.search(iri) and "#" not in iri.split("/id/")[1] and "?" not in iri
