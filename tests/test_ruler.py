"""kg/ruler.py: the actor_ruler pipe finds exactly what spaCy's EntityRuler finds, faster."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from spacy.tokens import Span

from kg.dictionary import load_dictionary
from kg.nlp import load_model
from kg.ruler import ActorRuler

SEED = Path(__file__).resolve().parent.parent / "seeds"


def _ents(doc) -> list[tuple[int, int, str, str]]:
    return [(e.start, e.end, e.label_, e.ent_id_) for e in doc.ents]


@pytest.fixture(scope="module")
def pipelines():
    """The model with spaCy's EntityRuler and with our actor_ruler, same patterns."""
    import kg.ruler  # noqa: F401  factory

    patterns = load_dictionary().patterns()
    old = load_model()
    old.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True, "phrase_matcher_attr": None}).add_patterns(patterns)
    new = load_model()
    new.add_pipe("actor_ruler", before="ner").add_patterns(patterns)
    return old, new, patterns


def _alias_texts(patterns: list[dict], n: int = 60, seed: int = 3) -> list[str]:
    """Sentences that name many dictionary aliases, in their own case, upper case and lower case,
    next to each other (overlaps: 'US' inside 'US Department of Defense')."""
    rnd = random.Random(seed)
    surfaces = [" ".join(next(iter(t.values())) for t in p["pattern"]) for p in patterns]
    texts = []
    for _ in range(n):
        picks = rnd.sample(surfaces, 8)
        words = [rnd.choice((s, s.upper(), s.title(), s.lower())) for s in picks]
        texts.append(f"{words[0]} and {words[1]} accused {words[2]} {words[3]} of attacking "
                     f"{words[4]}, said {words[5]}, while {words[6]} met {words[7]}.")
    return texts


def test_same_entities_as_entity_ruler(pipelines):
    old, new, patterns = pipelines
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEED.glob("*.txt"))] + _alias_texts(patterns)
    for a, b in zip(old.pipe(texts), new.pipe(texts)):
        assert _ents(a) == _ents(b), a.text[:80]


def test_exact_and_case_insensitive_patterns(pipelines):
    _, new, _ = pipelines
    doc = new("Let us carve the turkey; the US and Turkey disagree, and KATA'IB HEZBOLLAH fired.")
    ents = {(e.text, e.ent_id_) for e in doc.ents if e.label_ == "ACTOR"}
    assert ("US", "usa") in ents and ("Turkey", "tur") in ents
    assert ("KATA'IB HEZBOLLAH", "kataib-hezbollah") in ents
    assert not any(t in {"us", "turkey"} for t, _ in ents)


def test_longest_match_wins_and_overwrites_ner():
    nlp = load_model()
    ruler = ActorRuler(nlp.vocab)
    ruler.add_patterns([
        {"label": "ACTOR", "id": "us", "pattern": [{"ORTH": "US"}]},
        {"label": "ACTOR", "id": "dod", "pattern": [{"ORTH": "US"}, {"ORTH": "Department"}, {"ORTH": "of"},
                                                    {"ORTH": "Defense"}]},
        {"label": "ACTOR", "id": "un", "pattern": [{"LOWER": "united"}, {"LOWER": "nations"}]},
    ])
    assert len(ruler) == 3
    doc = ruler(nlp.make_doc("The US Department of Defense and the UNITED NATIONS met the US."))
    assert [(e.text, e.ent_id_) for e in doc.ents] == [
        ("US Department of Defense", "dod"), ("UNITED NATIONS", "un"), ("US", "us")]
    # a model entity over the match: replaced when overwriting, kept otherwise
    pattern = [{"label": "ACTOR", "id": "x", "pattern": [{"LOWER": "acme"}]}]
    for overwrite, expected in ((True, [("Acme", "ACTOR")]), (False, [("Acme Corporation", "ORG")])):
        doc = nlp.make_doc("Acme Corporation said so.")
        doc.ents = [Span(doc, 0, 2, label="ORG")]
        ruler = ActorRuler(nlp.vocab, overwrite_ents=overwrite)
        ruler.add_patterns(pattern)
        assert [(e.text, e.label_) for e in ruler(doc).ents] == expected


@pytest.mark.parametrize("bad", [
    {"label": "ACTOR", "pattern": []},
    {"label": "ACTOR", "pattern": "United States"},
    {"label": "ACTOR", "pattern": [{"LOWER": "a", "ORTH": "A"}]},
    {"label": "ACTOR", "pattern": [{"LOWER": "a"}, {"ORTH": "B"}]},
    {"label": "ACTOR", "pattern": [{"POS": "NOUN"}]},
])
def test_rejects_patterns_it_cannot_match_exactly(bad):
    with pytest.raises(ValueError, match="actor_ruler"):
        ActorRuler(load_model().vocab).add_patterns([bad])
