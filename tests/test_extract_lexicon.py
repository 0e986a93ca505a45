"""The trigger lexicon: loaded from data, one type per trigger, lemmas repaired."""
from __future__ import annotations

import json

import pytest

from kg.errors import KGError
from kg.extract import lexicon as lexmod
from kg.extract.lexicon import BLOCKED, lemma, lexicon
from kg.models import PLOVER_TYPES
from kg.nlp import get_nlp


def test_every_plover_type_has_verbs_and_nouns():
    lex = lexicon()
    for t in PLOVER_TYPES:
        assert t in set(lex.verbs.values()) | set(lex.phrasal.values()), t
        assert t in set(lex.nouns.values()) | set(lex.noun_phrases.values()), t


def test_phrases_and_blocked_nouns():
    lex = lexicon()
    assert lex.phrasal[("pull", "out")] == "RETREAT"
    assert lex.noun_phrases[("hunger", "strike")] == "PROTEST"
    assert lex.noun_phrases[("press", "release")] == BLOCKED
    assert lex.verb_objects[("break", "relations")] == "SANCTION"


def test_a_trigger_listed_under_two_types_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "triggers.json").write_text(json.dumps({
        "AGREE": {"verbs": ["accept"], "nouns": []}, "REJECT": {"verbs": ["accept"], "nouns": []}}))
    (tmp_path / "lexicon.json").write_text((lexmod.DATA / "lexicon.json").read_text())
    monkeypatch.setattr(lexmod, "DATA", tmp_path)
    lexicon.cache_clear()
    try:
        with pytest.raises(KGError) as err:
            lexicon()
        assert err.value.code == "E001" and "accept" in err.value.message
    finally:
        monkeypatch.undo()
        lexicon.cache_clear()


@pytest.mark.parametrize("text,word,expected", [
    ("Activists have staged rallies in the capital.", "staged", "stage"),
    ("Israel reimposed the blockade on Friday.", "reimposed", "impose"),
    ("Troops were redeployed to the north.", "redeployed", "redeploy"),
    ("The army attacked the town.", "attacked", "attack"),
])
def test_lemma_repair(text, word, expected):
    tok = next(t for t in get_nlp()(text) if t.text == word)
    assert lemma(tok) == expected
