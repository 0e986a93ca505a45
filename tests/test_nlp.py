"""Long texts: chunked parsing (``kg.nlp.parse_long``) gives the same Doc, offsets and extraction as
parsing the text whole, and the text is cut only where it can be."""
from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

import kg.nlp
from kg.extract import extract
from kg.models import Article
from kg.nlp import CHUNK_CHARS, MAX_TEXT_CHARS, get_nlp, parse_long, parse_texts, split_text
from kg.rdf.mapping import to_rdf
from kg.readers.decode import MAX_ARTICLE_BYTES
from kg.resolve import resolve

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"


def paragraphs() -> list[str]:
    """Real news paragraphs: the seed article and the sentences written for the extractor tests."""
    out = []
    for f in sorted((ROOT / "seeds").glob("*.txt")):
        text = f.read_text(encoding="utf-8").split("/", 1)[1]  # drop the "date ... Publisher /" header
        out += [p.strip() for p in text.split("\n\n") if p.strip()]
    for path in (DATA / "extract" / "own_sentences.jsonl", DATA / "throughput" / "articles.jsonl"):
        out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


@pytest.fixture(scope="module")
def medium() -> str:
    """~60,000 characters of news paragraphs in a fixed random order."""
    rng = random.Random(11)
    paras = paragraphs()
    out: list[str] = []
    while sum(map(len, out)) < 60_000:
        out.append(rng.choice(paras))
    return "\n\n".join(out) + "\n"


# ----------------------------------------------------------------------------- split_text


def test_pieces_concatenate_to_the_text(medium):
    for size in (500, 5_000, CHUNK_CHARS):
        pieces = split_text(medium, size)
        assert "".join(pieces) == medium
        assert all(size // 2 <= len(p) for p in pieces[:-1])
        assert all(len(p.rstrip()) <= size for p in pieces)


def test_cuts_after_a_blank_line_when_there_is_one(medium):
    pieces = split_text(medium, 5_000)
    assert len(pieces) > 5
    assert all(p.endswith("\n\n") for p in pieces[:-1])


def test_cuts_after_a_sentence_end_without_paragraphs():
    text = "Rebels attacked the town on Monday. Police arrested two men. " * 400
    pieces = split_text(text, 1_000)
    assert "".join(pieces) == text
    assert all(p.endswith(". ") for p in pieces)


def test_hard_cut_only_without_whitespace():
    text = "x" * 2_500 + " tail\n"
    pieces = split_text(text, 1_000)
    assert "".join(pieces) == text
    assert [len(p) for p in pieces[:2]] == [1_000, 1_000]


def test_short_and_empty_texts_are_one_piece():
    assert split_text("", 10) == [""]
    assert split_text("Short. ", 10) == ["Short. "]


# ----------------------------------------------------------------------------- parse_long


@pytest.fixture(scope="module")
def docs(medium):
    """The medium text parsed whole and in 6,000-character chunks (about ten chunk boundaries)."""
    nlp = get_nlp()
    return nlp(medium), parse_long(medium, nlp, size=6_000)


def test_chunked_doc_has_the_text_and_offsets(medium, docs):
    whole, chunked = docs
    assert chunked.text == medium
    assert len(chunked) == len(whole)
    assert [(t.idx, t.text, t.whitespace_) for t in chunked] == [(t.idx, t.text, t.whitespace_) for t in whole]


def test_chunked_doc_keeps_every_annotation(medium, docs):
    """Tags, morphology, lemmas, dependencies, sentences and entities (with the actor ruler's ids)
    are all carried over. The model sees no context across a cut, so the first sentence after one may
    be parsed a little differently (here: 5 of ~11,000 tokens); nothing else differs."""
    whole, chunked = docs

    def annotations(t):
        return (t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.is_sent_start, t.ent_iob_,
                t.ent_type_, t.ent_id_)

    assert all(chunked.has_annotation(a) for a in ("TAG", "POS", "MORPH", "LEMMA", "DEP", "SENT_START", "ENT_IOB"))
    cuts = [0]
    for piece in split_text(medium, 6_000):
        cuts.append(cuts[-1] + len(piece))
    first_sentences = set()  # tokens of the first sentence after each cut
    for cut in cuts[1:-1]:
        first = next(t for t in whole if t.idx >= cut)
        first_sentences.update(range(first.i, first.sent.end))
    differing = [t.i for t, u in zip(whole, chunked) if annotations(t) != annotations(u)]
    assert len(differing) <= len(whole) // 500
    assert set(differing) <= first_sentences
    assert sum(1 for e in chunked.ents if e.ent_id_) == sum(1 for e in whole.ents if e.ent_id_) > 10


def test_chunked_doc_gives_the_same_extraction(medium, docs):
    whole, chunked = docs
    article = Article(id="medium", text=medium, date=date(2021, 2, 27), publisher="Test")

    def triples(doc) -> set:
        g = to_rdf(resolve(extract(article, doc, "m")))
        return set(g.graph) | set(g.actors) | set(g.places)

    out = triples(chunked)
    assert len(out) > 1_000
    assert out == triples(whole)


def test_one_chunk_is_parsed_as_is():
    doc = parse_long("Rebels attacked the town. ", size=1_000)
    assert doc.text == "Rebels attacked the town. "
    assert doc.tensor.size == 0  # the tok2vec output is dropped in every case


def test_parse_texts_keeps_order_and_groups(monkeypatch):
    """Short texts go through ``nlp.pipe`` in groups of BATCH_CHARS, long ones in chunks; one Doc
    per text, in order, equal to parsing each text alone."""
    monkeypatch.setattr(kg.nlp, "LONG_TEXT_CHARS", 200)
    monkeypatch.setattr(kg.nlp, "BATCH_CHARS", 150)
    monkeypatch.setattr(kg.nlp, "CHUNK_CHARS", 100)
    calls: list[int] = []
    nlp = get_nlp()
    real_pipe = nlp.pipe

    def pipe(texts, **kw):
        texts = list(texts)
        calls.append(len(texts))
        return real_pipe(texts, **kw)

    monkeypatch.setattr(nlp, "pipe", pipe)
    short = ["Rebels attacked the town.", "Police arrested two men in Basra on Monday.", "It is."]
    long = "Troops withdrew from the border. " * 10  # 330 characters
    texts = [short[0], short[1], long, short[2], short[0] * 4, short[1] * 3]
    docs = list(parse_texts(texts, nlp))
    assert [d.text for d in docs] == texts
    for doc, text in zip(docs, texts):
        alone = next(real_pipe([text]))
        assert [(t.idx, t.dep_, t.ent_type_) for t in doc] == [(t.idx, t.dep_, t.ent_type_) for t in alone]
    assert 4 in calls  # the long text: one pipe over its 4 chunks (parse_long)
    assert sum(c for c in calls if c != 4) == 5  # the short ones in groups of at most 150 characters


def test_text_limit_is_the_readers_limit():
    """Every article a reader accepts (E012 above MAX_ARTICLE_BYTES UTF-8 bytes) is parsed."""
    assert MAX_TEXT_CHARS == MAX_ARTICLE_BYTES
