"""Relations between actors: backedBy, spokespersonFor, leaderOf, memberOf."""
from __future__ import annotations

from kg.extract.actors import find_mentions
from kg.extract.relations import find_relations
from kg.nlp import get_nlp


def rels(text: str) -> set[tuple[str, str, str]]:
    doc = get_nlp()(text)
    return {(r.subject.text, r.predicate, r.object.text) for r in find_relations(doc, find_mentions(doc))}


def test_org_title_person_with_a_dictionary_owner():
    assert ("Ned Price", "spokespersonFor", "State Department") in rels(
        "State Department spokesman Ned Price said the talks would resume.")


def test_title_with_a_demonym_owner_and_leaders():
    got = rels("Iranian President Hassan Rouhani met Iraqi Foreign Minister Fuad Hussein in Tehran.")
    assert ("Hassan Rouhani", "leaderOf", "Iranian") in got
    assert ("Fuad Hussein", "memberOf", "Iraqi") in got


def test_apposition_title():
    assert ("Maria Zakharova", "spokespersonFor", "Russian Foreign Ministry") in rels(
        "Maria Zakharova, a spokeswoman for the Russian Foreign Ministry, denied the report.")


def test_backed_by_hyphen_list_and_passive():
    got = rels("Turkish-backed groups, including the Hamza Division and Ahrar al-Sham, advanced.")
    assert ("Ahrar al-Sham", "backedBy", "Turkish") in got
    assert ("Houthis", "backedBy", "Iran") in rels("The Houthis, who are backed by Iran, fired a missile.")


def test_member_apposition():
    assert ("Kata'ib Hezbollah", "memberOf", "Popular Mobilization Forces") in rels(
        "Kata'ib Hezbollah, a faction of the Popular Mobilization Forces, denied involvement.")
