"""Fuzzing with hypothesis: random text through extract -> resolve -> mapping -> validate, random JSONL
records through the readers, random names through IRI minting and random values through canned-query
parameters. Nothing may raise anything but a catalogued KGError; every graph must be SHACL-valid and
loadable by Oxigraph; every minted IRI must be a valid IRI.
"""
from __future__ import annotations

import json
import os
import string
from datetime import date
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from kg.errors import Errors, KGError
from kg.models import Article
from kg.rdf.namespaces import (
    ID, actor_iri, article_iri, claim_iri, enc, event_iri, graph_iri, place_iri, run_iri, slug,
)

#: KG_FUZZ_EXAMPLES=2000 for a long campaign (random seed); the default run is short and reproducible
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=EXAMPLES or 60, deadline=None, derandomize=not EXAMPLES,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

#: characters that break naive IRI minting, SPARQL or Turtle: quotes, brackets, RTL, emoji, controls
NASTY = ['"', "'", "<", ">", " ", "\\", "{", "}", "|", "^", "`", "%", "#", "?", "/", ":", "&", "@", "[", "]",
         "\u202e", "\u200f", "\u200d", "\u0627\u0644\u0642\u0627\u0639\u062f\u0629", "\u05d7\u05de\u05d0\u05e1",
         "\U0001F600", "\U0001F468\u200d\U0001F469\u200d\U0001F467", "\u00e9", "e\u0301", "\ufeff", "\x00",
         "\x07", "\n", "\r", "\t", "\u2028", "\ufffd", "\uffff", "\U0010FFFF", "\u0130", "\u00df"]
CHARS = st.characters(codec="utf-8")  # any code point but lone surrogates
FRAGMENT = st.one_of(st.sampled_from(NASTY), st.text(alphabet=CHARS, min_size=1, max_size=6))


def nasty(min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[str]:
    """Strings made of nasty fragments and arbitrary characters."""
    return st.lists(FRAGMENT, min_size=min_size, max_size=max_size).map("".join)


nasty_text = nasty()
names = nasty(min_size=1, max_size=6)


def assert_valid_iri(iri: object) -> None:
    text = str(iri)
    ox.NamedNode(text)  # Oxigraph checks RFC 3987 strictly
    assert not set(text) & set(' <>"{}|^`\\'), text
    assert all(ord(c) > 0x20 for c in text), text


def loadable(g: Graph) -> None:
    """The graph's N-Triples parse in Oxigraph (what the store does on write)."""
    if len(g):
        list(ox.parse(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))


@pytest.fixture(scope="module")
def nlp():
    from kg.nlp import get_nlp

    return get_nlp()


def run_stages(nlp, article: Article) -> None:
    """extract -> resolve -> to_rdf -> validate: a KGError, or a SHACL-valid, loadable graph."""
    from kg.extract import extract
    from kg.nlp import model_name
    from kg.rdf.mapping import to_rdf
    from kg.resolve import resolve
    from kg.validate import validate_graph

    doc = nlp(article.text)
    try:
        graphs = to_rdf(resolve(extract(article, doc, model_name(nlp))))
    except KGError as exc:
        assert hasattr(Errors, exc.code) and "\n" not in exc.message
        return
    data = Graph()
    for part in (graphs.graph, graphs.actors, graphs.places):
        for t in part:
            data.add(t)
        loadable(part)
    for s, p, o in data:
        for term in (s, p, o):
            if isinstance(term, URIRef):
                assert_valid_iri(term)
    result = validate_graph(data)
    assert result.conforms, [f"{i.focus} {i.path}: {i.message}" for i in result.issues]


ids = nasty(min_size=1, max_size=6).filter(str.strip)
dates = st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
optional_names = st.none() | names.filter(str.strip)


@FUZZ
@given(text=nasty(min_size=1, max_size=80).filter(str.strip),
       article_id=ids, when=dates, publisher=optional_names, title=optional_names)
def test_random_text_through_the_stages(nlp, text, article_id, when, publisher, title):
    run_stages(nlp, Article(id=article_id, text=text, date=when, publisher=publisher, title=title))


def capitalised(draw_text: str) -> str:
    return draw_text[:1].upper() + draw_text[1:]


WORD = st.lists(st.one_of(FRAGMENT, st.text(alphabet=string.ascii_letters, min_size=1, max_size=6)),
                min_size=1, max_size=3).map("".join)
NAME = st.lists(WORD.map(capitalised), min_size=1, max_size=3).map(" ".join)
KNOWN = st.sampled_from(["Hamas", "Iran", "the United States", "Kata'ib Hezbollah", "the Taliban", "Israeli soldiers",
                         "Russian forces", "the Pentagon", "Turkey", "Houthi rebels", "the PMF"])
ACTOR = st.one_of(KNOWN, NAME, NAME.map(lambda n: f"the {n} Brigades"), NAME.map(lambda n: f"{n} militants"))
VERB = st.sampled_from(["attacked", "shelled", "arrested", "accused", "met with", "threatened", "fired rockets at",
                        "agreed with", "condemned", "carried out airstrikes on"])
PLACE = st.one_of(st.sampled_from(["Syria", "Baghdad", "Gaza", "Kharkiv", "Sanaa"]), NAME)
WHEN = st.sampled_from(["on Monday", "on 3 March 2021", "last week", "in 2019", "on February 30", ""])


@st.composite
def news(draw) -> str:
    sentences = []
    for _ in range(draw(st.integers(1, 4))):
        s = f"{draw(ACTOR)} {draw(VERB)} {draw(ACTOR)} in {draw(PLACE)} {draw(WHEN)}, {draw(ACTOR)} said."
        if draw(st.booleans()):
            s += f' "{draw(nasty_text)}," {draw(ACTOR)} said.'
        sentences.append(s)
    return " ".join(sentences)


@FUZZ
@given(text=news(), article_id=ids, when=dates, publisher=optional_names)
@example(text='The <Brigades "X"> attacked \u202eHamas\u202c in Gaza on Monday, the \U0001F600 Front said.',
         article_id='a "quoted" <id> \u05d7', when=None, publisher="Wire \u202e>")
def test_news_with_nasty_names_through_the_stages(nlp, text, article_id, when, publisher):
    run_stages(nlp, Article(id=article_id, text=text, date=when, publisher=publisher))


@FUZZ
@given(url=st.builds(lambda scheme, rest: scheme + rest, st.sampled_from(["http://", "https://"]), nasty_text))
@example(url="http://x/a#b#c")
def test_article_url_always_loadable(nlp, url):
    from kg.rdf.mapping import to_rdf
    from kg.models import Extraction

    article = Article(id="u", text="Rebels attacked the town.", url=url)
    graphs = to_rdf(Extraction(article=article, mentions=(), events=(), claims=(), relations=(), places=(),
                               model=""))
    loadable(graphs.graph)


# ----------------------------------------------------------------------------- readers


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(alphabet=CHARS),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet=CHARS, max_size=5),
                                                                                inner, max_size=3),
                    max_leaves=6)
FIELD = st.one_of(JSON, nasty_text,
                  st.sampled_from(["2021-02-27", "2021-02-30", "2021-02-27T10:00:00Z", "", "0000-00-00"]))
RECORD = st.fixed_dictionaries({}, optional={"id": st.one_of(ids, JSON), "text": st.one_of(nasty_text, JSON),
                                             "date": FIELD, "title": FIELD, "source": FIELD, "url": FIELD})
LINE = st.one_of(RECORD.map(json.dumps), JSON.map(json.dumps), nasty_text.map(lambda t: t.replace("\n", " ")),
                 RECORD.map(lambda r: json.dumps(r)[:-1]))


@FUZZ
@given(lines=st.lists(LINE, min_size=1, max_size=8))
def test_random_jsonl_records_through_the_readers(tmp_path_factory, lines):
    from kg.readers import ReadFailure, read_paths

    path = tmp_path_factory.mktemp("fuzz") / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_paths([path]))
    for item in items:
        if isinstance(item, ReadFailure):
            assert hasattr(Errors, item.code), item
            assert "\n" not in item.message and item.message.startswith(f"[{item.code}] ")
            continue
        assert isinstance(item, Article)
        assert isinstance(item.id, str) and item.id.strip()
        assert isinstance(item.text, str) and item.text.strip()
        assert item.date is None or isinstance(item.date, date)
        assert len(item.checksum) == 64
        assert_valid_iri(article_iri(item.id))
        assert_valid_iri(graph_iri(item.id))


def test_jsonl_lone_surrogates_are_a_failure_of_that_line(tmp_path):
    from kg.readers import ReadFailure, read_paths

    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "a\\ud800", "text": "Rebels attacked the town.", "date": null}\n'
                    '{"id": "ok", "text": "Rebels attacked the \\udc00 town.", "date": null}\n'
                    '{"id": "fine", "text": "Rebels attacked the town again.", "date": null}\n', encoding="utf-8")
    items = list(read_paths([path]))
    assert [i.code for i in items[:2] if isinstance(i, ReadFailure)] == ["E004", "E004"]
    assert isinstance(items[2], Article) and items[2].id == "fine"


# ----------------------------------------------------------------------------- IRI minting


@FUZZ
@given(name=names)
@example(name='Kata\'ib "Hezbollah" <Brigades>')
@example(name="\u062d\u0632\u0628 \u0627\u0644\u0644\u0647")  # RTL
@example(name="\U0001F525\U0001F600")
@example(name="a b\tc\nd")
@example(name="%41%zz%")
@example(name="\u202eevil\u202c")
def test_iris_minted_from_any_name_are_valid(name):
    for iri in (article_iri(name), graph_iri(name), actor_iri(name), actor_iri(slug(name)), event_iri(name, 3),
                claim_iri(name, 0), place_iri(name), run_iri(name), ID[f"publisher/{enc(slug(name))}"]):
        assert_valid_iri(iri)
    assert unquote(enc(name)) == name  # ids survive the round trip (kg.rdf.store.article_ids)
    s = slug(name)
    assert s and (set(s) <= set(string.ascii_lowercase + string.digits + "-") or "%" in s or s == "x")
    g = Graph()
    g.add((actor_iri(slug(name)), URIRef("https://schema.org/name"), Literal(name)))
    loadable(g)


@FUZZ
@given(value=st.one_of(nasty_text, st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.dates(),
                       st.booleans(), st.builds(lambda t: f"<{t}>", nasty_text),
                       st.builds(lambda t: f"ck:{t}", nasty_text)))
@example(value='x" } ; DROP ALL ; #')
@example(value="ASSAULT> . } UNION { ?s ?p ?o")
@example(value="<http://x> ?p ?o } #>")
def test_query_parameters_never_change_the_query(value):
    """A parameter becomes one VALUES term: the query still parses, with the same variables."""
    from kg.queries import inject_values

    query = "SELECT ?s ?label WHERE { ?s skos:prefLabel ?label FILTER(?label = ?actor) }"
    try:
        sent = inject_values(query, {"actor": value})
    except KGError as exc:
        assert exc.code == "E042"
        return
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/x"), ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                      ox.Literal("x")))
    result = store.query(sent, prefixes={"skos": "http://www.w3.org/2004/02/skos/core#",
                                         "ck": "https://w3id.org/conflict-kg/ontology#"})
    assert [v.value for v in result.variables] == ["s", "label"]
    rows = list(result)
    assert len(rows) <= 1 and (not rows or value == "x")
    assert sent.count("VALUES") == 1 and sent.startswith(query[: query.index("{") + 1])
