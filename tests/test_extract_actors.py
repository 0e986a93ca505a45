"""Actor mentions and the actors filling a syntactic slot."""
from __future__ import annotations

from kg.extract.actors import actors_at, clean_name, find_mentions, is_backing_modifier
from kg.nlp import get_nlp


def slot(text: str, word: str) -> list[str]:
    doc = get_nlp()(text)
    index = find_mentions(doc)
    tok = next(t for t in doc if t.text == word)
    return [m.text for m in actors_at(tok, index)]


def test_clean_name():
    assert clean_name("the “Iraqi Resistance”") == "Iraqi Resistance"
    assert clean_name("U.S.") == "U.S." and clean_name("Iran's") == "Iran"


def test_dictionary_ner_generic_and_pronoun_mentions():
    doc = get_nlp()("The Pentagon said Afghan rebels attacked them near Kabul.")
    labels = {m.text: m.label for m in find_mentions(doc).mentions}
    assert labels["Pentagon"] == "ACTOR" and labels["Afghan rebels"] == "GENERIC" and labels["them"] == "PRON"


def test_state_agents_stand_for_their_state_but_groups_keep_their_name():
    assert slot("Israeli soldiers shot two men.", "soldiers") == ["Israeli"]
    assert slot("Afghan rebels shot two men.", "rebels") == ["Afghan rebels"]


def test_apposition_names_the_entity():
    assert slot("Iran's supreme leader Ali Khamenei rejected the offer.", "leader") == ["Ali Khamenei"]


def test_conjoined_modifiers_give_both_actors():
    assert slot("Senior Hungarian and Romanian officials agreed to meet.", "officials") == ["Hungarian", "Romanian"]


def test_members_of_and_quantities_of():
    assert slot("Activists from the Fatah movement marched.", "Activists") == ["Fatah movement"]
    assert slot("Hundreds of Yemeni fishermen protested.", "Hundreds") == ["Yemeni fishermen"]
    # an origin is not a membership
    assert slot("A teacher from Basra was detained.", "teacher") == ["teacher"]


def test_relative_pronoun_points_to_its_antecedent():
    doc = get_nlp()("Hamas, which rules Gaza, fired rockets.")
    index = find_mentions(doc)
    which = next(t for t in doc if t.text == "which")
    assert [m.text for m in actors_at(which, index)] == ["Hamas"]


def test_backing_modifiers():
    doc = get_nlp()("Iran-backed militias and pro-Turkey rebels clashed.")
    assert [t.text for t in doc if is_backing_modifier(t)] == ["Iran", "Turkey"]
