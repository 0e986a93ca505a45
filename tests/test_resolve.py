"""Resolve: canonical actors within an article and one event per real-world event."""
from __future__ import annotations

from datetime import date

from kg.extract import extract
from kg.models import Article, Event, Extraction, Mention, Span
from kg.nlp import get_nlp
from kg.resolve import _acronyms, merge_events, resolve


def run(text: str) -> Extraction:
    return resolve(extract(Article(id="t", text=text, date=date(2023, 3, 11)), get_nlp()(text)))


def test_acronym_defined_in_text():
    assert _acronyms("fighters of the Arakan Army (AA) and the Tigray People's Liberation Front (TPLF)") == {
        "AA": "Arakan Army", "TPLF": "Tigray People's Liberation Front"}
    ex = run("The Arakan Army (AA) attacked a police post. The AA later withdrew.")
    assert "AA" in ex.actors["arakan-army"].names and ex.actors["arakan-army"].type == "ArmedGroup"


def test_demonyms_short_names_and_pronouns():
    ex = run("An American delegation visited Kabul. Ned Price said the withdrawal would be completed within a month. "
             "Price added that the embassy would stay open. He said the Taliban had promised to protect its staff.")
    assert "American" in ex.actors["usa"].names
    assert [c.claimant.actor_id for c in ex.claims] == ["ned-price"] * 3
    assert "Price" in ex.actors["ned-price"].names


def test_a_spokesman_is_not_the_body_he_speaks_for():
    ex = run("Israeli military spokesman Avichay Adraee said the raid was over.")
    assert "Israeli military spokesman" not in ex.actors["israel-defense-forces"].names


def _ev(etype: str, agents: list[str], targets: list[str], start: int, day: date | None = None) -> Event:
    span = Span(start=start, end=start + 1, sentence=f"s{start}", sent_start=start, sent_end=start + 1)

    def ms(ids):
        return tuple(Mention(i, start, start + 1, "ACTOR", actor_id=i) for i in ids)

    return Event(type=etype, trigger="x", span=span, agents=ms(agents), targets=ms(targets), date=day)


def test_merge_same_agent_same_type():
    merged, where = merge_events((_ev("ASSAULT", ["usa"], ["kh"], 0), _ev("ASSAULT", ["usa"], ["kss"], 50)))
    assert len(merged) == 1 and where == [0, 0]
    assert {m.actor_id for m in merged[0].targets} == {"kh", "kss"} and len(merged[0].evidence) == 1


def test_no_merge_on_conflicting_dates_reversed_roles_or_only_a_state_in_common():
    assert len(merge_events((_ev("ASSAULT", ["usa"], ["kh"], 0, date(2021, 2, 25)),
                             _ev("ASSAULT", ["usa"], ["kh"], 50, date(2021, 2, 20))))[0]) == 2
    assert len(merge_events((_ev("ASSAULT", ["usa"], ["irn"], 0), _ev("ASSAULT", ["irn"], ["usa"], 50)))[0]) == 2
    assert len(merge_events((_ev("ASSAULT", ["usa"], ["irq", "kh"], 0), _ev("ASSAULT", [], ["irq"], 50)),
                            states=frozenset({"irq"}))[0]) == 2
    assert len(merge_events((_ev("ASSAULT", ["usa"], ["irq", "kh"], 0), _ev("ASSAULT", [], ["kh"], 50)),
                            states=frozenset({"irq"}))[0]) == 1


def test_statements_need_a_known_speaker_but_accusations_need_only_a_target():
    assert not any(e.type == "THREATEN" for e in run("They threatened to bomb the port.").events)
    assert any(e.type == "ACCUSE" and {m.actor_id for m in e.targets} == {"irn"}
               for e in run("Iran was accused of arming the rebels.").events)


def test_evolve_equals_dataclasses_replace():
    """kg.models.evolve gives what dataclasses.replace gives, for every record type, and refuses
    unknown fields the same way."""
    import dataclasses

    import pytest

    from kg.models import Actor, Article, Claim, Event, Extraction, Mention, Place, Relation, Span, evolve

    span = Span(start=7, end=13, sentence="The US struck.", sent_start=0, sent_end=14)
    m = Mention(text="US", start=4, end=6, label="GPE")
    ev = Event(type="ASSAULT", trigger="struck", agents=(m,), targets=(), span=span)
    records = [m, span, ev, Actor(id="usa", label="United States", type="State"), Place(id="gn-1", label="Syria"),
               Article(id="a", text="x"), Claim(claimant=m, quote="q", span=span),
               Relation(subject=m, predicate="backedBy", object=m, span=span),
               Extraction(article=Article(id="a", text="x"), events=(ev,))]
    for r in records:
        for f in dataclasses.fields(r):
            value = getattr(r, f.name)
            new = evolve(r, **{f.name: value})
            assert new == dataclasses.replace(r, **{f.name: value}) and new is not r
            assert hash(new) == hash(r) if r.__hash__ is not None and not isinstance(r, Extraction) else True
    moved = evolve(m, actor_id="usa")
    assert moved == dataclasses.replace(m, actor_id="usa") and m.actor_id is None  # the original is untouched
    with pytest.raises(TypeError):
        evolve(m, nope=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        moved.actor_id = "x"  # type: ignore[misc]
