"""kg.rule_pipes.py: the model's attribute_ruler rules, indexed, give exactly spaCy's output."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG

from kg.rule_pipes import AttributeRules, RuleLemmas, compile_rules, use_attribute_rules, use_rule_lemmas
from kg.nlp import get_nlp, load_model

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval" / "plover_gsr_dev.jsonl"
ATTRS = [POS, TAG, DEP, MORPH, LEMMA, HEAD]
#: the rules' special cases: contractions, two-token lemmas, expletives, pronoun case, whitespace
TRICKY = [
    "I ain't gonna go. Y'all c'mon, let's go! He gets what he got, but I'd rather not.",
    "There is a man. There were shots. It is I. You saw it; they saw you and me.",
    "  Leading spaces,\ttabs \t and\n\nblank lines  .  ",
    "Don't. Can't! Won't? gotta go, wanna see, dunno.",
    "",
    "\n",
]


def _rows(doc) -> list:
    return [doc.to_array(ATTRS).tolist(), [str(t.morph) for t in doc], [t.lemma_ for t in doc]]


@pytest.fixture(scope="module")
def pipelines():
    old, new = load_model(), load_model()
    assert use_attribute_rules(new) and use_rule_lemmas(new)
    return old, new


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))] + TRICKY
    if EVAL.exists():
        with EVAL.open(encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for _, line in zip(range(150), f)]
    return texts


def test_same_token_attributes_as_spacy(pipelines):
    old, new = pipelines
    texts = _texts()
    for a, b in zip(old.pipe(texts), new.pipe(texts)):
        assert _rows(a) == _rows(b), a.text[:80]


def test_same_name_and_place_in_the_pipeline(pipelines):
    old, new = pipelines
    assert new.pipe_names == old.pipe_names
    assert isinstance(new.get_pipe("attribute_ruler"), AttributeRules)
    assert isinstance(new.get_pipe("lemmatizer"), RuleLemmas)
    assert isinstance(get_nlp().get_pipe("attribute_ruler"), AttributeRules)
    assert isinstance(get_nlp().get_pipe("lemmatizer"), RuleLemmas)


def test_later_rules_win_and_index_targets_a_token():
    nlp = load_model()
    blank = nlp.__class__(nlp.vocab)
    ruler = blank.add_pipe("attribute_ruler")
    ruler.add_patterns([
        {"patterns": [[{"LOWER": "kirby"}]], "attrs": {"LEMMA": "first", "POS": "PROPN"}},
        {"patterns": [[{"ORTH": "Kirby"}]], "attrs": {"LEMMA": "second"}},
        {"patterns": [[{"LOWER": {"IN": ["john", "f."]}}, {"LOWER": {"REGEX": "^kir"}}]],
         "attrs": {"LEMMA": "third"}, "index": -1},
    ])
    fast = compile_rules(ruler)
    assert fast is not None
    doc = fast(blank.make_doc("John F. Kirby and kirby spoke"))
    assert [(t.text, t.lemma_, t.pos_) for t in doc if t.lower_ == "kirby"] == [
        ("Kirby", "third", "PROPN"), ("kirby", "first", "PROPN")]
    spacy_doc = ruler(blank.make_doc("John F. Kirby and kirby spoke"))
    assert [t.lemma_ for t in doc] == [t.lemma_ for t in spacy_doc]


def test_rules_out_of_reach_keep_spacys_pipe():
    nlp = load_model()
    blank = nlp.__class__(nlp.vocab)
    ruler = blank.add_pipe("attribute_ruler")
    ruler.add_patterns([{"patterns": [[{"LOWER": "very", "OP": "+"}]], "attrs": {"POS": "ADV"}}])
    assert compile_rules(ruler) is None
    assert use_attribute_rules(blank) is False
    assert blank.get_pipe("attribute_ruler") is ruler
    assert use_attribute_rules(nlp.__class__(nlp.vocab)) is False  # no attribute_ruler at all


def test_lemmas_of_repeated_tokens_in_different_roles(pipelines):
    """The same word as noun / verb / plural, twice each: lemmas as spaCy's (its cache keys on
    text, POS and morphology; so does RuleLemmas)."""
    old, new = pipelines
    text = ("The attacks attacked the attackers. Attackers attack; an attack is attacking. "
            "The attacks attacked the attackers. Leaders led, leading the lead leader.")
    a, b = old(text), new(text)
    assert [t.lemma_ for t in a] == [t.lemma_ for t in b]
    assert [t.lemma_ for t in b][:4] == ["the", "attack", "attack", "the"]


def test_only_spacys_rule_lemmatizer_is_replaced():
    nlp = load_model()
    blank = nlp.__class__(nlp.vocab)
    assert use_rule_lemmas(blank) is False  # no lemmatizer
    lookup = blank.add_pipe("lemmatizer", config={"mode": "lookup"})
    assert use_rule_lemmas(blank) is False and blank.get_pipe("lemmatizer") is lookup
