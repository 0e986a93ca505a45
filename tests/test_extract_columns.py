"""Tests for kg.extract.columns: every column equals what spaCy's Token / Span API gives, and the
column-based trigger look-ups equal their Token-based definitions."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract.columns import columns
from kg.extract.lexicon import lemma
from kg.extract.triggers import lemma_at, noun_type, noun_type_at, phrasal_type_at, verb_type_at
from kg.nlp import get_nlp

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_4c24130db366d2cc.txt"
TEXTS = [
    SEED.read_text(encoding="utf-8"),
    'Protesters staged a sit-in; "the riot police" pulled out, and Iran-backed militias shared intelligence with Hamas.',
    "“Kataib Hezbollah” vowed to respond.  The cease-fire held\n\nuntil Thursday's air strikes.",
    "",
]


@pytest.fixture(scope="module")
def docs():
    return list(get_nlp().pipe(TEXTS))


def test_columns_equal_token_attributes(docs):
    for doc in docs:
        cols = columns(doc)
        assert columns(doc) is cols  # kept in the doc
        assert cols.text == [t.text for t in doc]
        assert cols.lower == [t.lower_ for t in doc]
        assert cols.pos == [t.pos_ for t in doc]
        assert cols.tag == [t.tag_ for t in doc]
        assert cols.dep == [t.dep_ for t in doc]
        assert cols.lemma == [t.lemma_.lower() for t in doc]
        assert cols.ent_type == [t.ent_type_ for t in doc]
        assert cols.head == [t.head.i for t in doc]
        assert cols.alpha == [t.is_alpha for t in doc]
        assert cols.punct == [t.is_punct for t in doc]
        assert cols.space == [bool(t.whitespace_) for t in doc]
        assert all(t.whitespace_ in {"", " "} for t in doc)
        assert cols.idx == [t.idx for t in doc]
        assert cols.end == [t.idx + len(t) for t in doc]
        assert [cols.children(t.i) for t in doc] == [[c.i for c in t.children] for t in doc]
        assert cols.sent_starts == [s.start for s in doc.sents]
        for t in doc:
            assert cols.sent(doc, t.i) == t.sent
            assert cols.sent_text(doc, t.i) == (t.sent.text, t.sent.start_char, t.sent.end_char)
    assert sum(len(d) for d in docs) > 300


def _noun_type_ref(tok):
    """noun_type as first written, on spaCy Tokens: the column version must agree with it."""
    from kg.extract.lexicon import BLOCKED, lexicon

    lex = lexicon()
    low = tok.lemma_.lower()
    for child in tok.children:
        if child.dep_ in {"compound", "amod"} and child.i < tok.i:
            t = next((lex.noun_phrases[k] for k in ((child.lemma_.lower(), low), (child.lower_, low),
                                                    (child.lower_, tok.lower_)) if k in lex.noun_phrases), None)
            if t:
                return None if t == BLOCKED else t
        elif child.dep_ == "prep" and child.lower_ == "of":
            for p in child.children:
                t = lex.noun_phrases.get((p.lemma_.lower(), low))
                if t and p.dep_ == "pobj":
                    return None if t == BLOCKED else t
    t = lex.nouns.get(low) or lex.nouns.get(tok.lower_)
    if t is None and tok.i >= 2 and tok.doc[tok.i - 1].text == "-":
        t = lex.nouns.get(f"{tok.doc[tok.i - 2].lower_}-{tok.lower_}")
    return t


def _phrasal_type_ref(tok):
    """phrasal_type as first written, on spaCy Tokens."""
    from kg.extract.lexicon import lexicon

    lex = lexicon()
    lem = lemma(tok)
    for child in tok.children:
        if child.dep_ in {"prt", "prep", "advmod"}:
            t = lex.phrasal.get((lem, child.lower_))
            if t:
                return t, child.i
    for obj in tok.children:
        if obj.dep_ == "dobj":
            for child in obj.children:
                t = lex.phrasal.get((lem, child.lower_)) if child.dep_ == "prep" else None
                if t:
                    return t, child.i
    return None


def test_column_lookups_equal_token_lookups(docs):
    from kg.extract.lexicon import lexicon

    hits = 0
    for doc in docs:
        cols = columns(doc)
        for t in doc:
            assert lemma_at(cols, t.i) == lemma(t)
            assert noun_type_at(cols, t.i) == noun_type(t) == _noun_type_ref(t)
            ph = phrasal_type_at(cols, t.i)
            assert ph == _phrasal_type_ref(t)
            expected = None if t.pos_ not in {"VERB", "AUX"} else ph[0] if ph else lexicon().verbs.get(lemma(t))
            assert verb_type_at(cols, t.i) == expected
            hits += ph is not None or noun_type(t) is not None
    assert hits >= 5  # the texts hold phrasal verbs and event nouns
