"""Event extraction on sentences written for these tests (from the PLOVER codebook definitions):
trigger kinds, arguments, passive voice, coordination, mode, commitments and background events."""
from __future__ import annotations

from datetime import date

import pytest

from kg.extract import extract
from kg.models import Article, Extraction
from kg.nlp import get_nlp
from kg.resolve import resolve

PUB = date(2023, 3, 11)  # a Saturday


def run(text: str) -> Extraction:
    return resolve(extract(Article(id="t", text=text, date=PUB), get_nlp()(text)))


def asserted(text: str) -> set[tuple[str, frozenset[str], frozenset[str]]]:
    """(type, agent ids, target ids) of the asserted events."""
    return {(e.type, frozenset(m.actor_id for m in e.agents), frozenset(m.actor_id for m in e.targets))
            for e in run(text).events if e.mode == "asserted"}


def types(text: str) -> set[str]:
    return {t for t, _, _ in asserted(text)}


def modes(text: str, etype: str) -> set[str]:
    return {e.mode for e in run(text).events if e.type == etype}


@pytest.mark.parametrize("text,etype", [
    ("Jordan agreed to host a regional water conference.", "AGREE"),
    ("The Turkish foreign minister met his Iraqi counterpart in Baghdad.", "CONSULT"),
    ("Kuwait praised Iraqi security forces for protecting pilgrims.", "SUPPORT"),
    ("Turkey extradited two suspected militants to Iraq.", "COOPERATE"),
    ("Germany gave Jordan 50 million euros in humanitarian aid.", "AID"),
    ("Syrian authorities released 40 political prisoners on Friday.", "CONCEDE"),
    ("Russian troops withdrew from three villages near the front line.", "RETREAT"),
    ("The Palestinian Authority demanded that Israel halt settlement construction.", "REQUEST"),
    ("Iran accused Israel of sabotaging its nuclear facility.", "ACCUSE"),
    ("Hezbollah rejected a French proposal to disarm its fighters.", "REJECT"),
    ("North Korea threatened to sink any American warship.", "THREATEN"),
    ("Thousands of Iraqi students marched in Basra against power cuts.", "PROTEST"),
    ("Morocco recalled its ambassador from Algeria.", "SANCTION"),
    ("Iran deployed additional troops to its border with Azerbaijan.", "MOBILIZE"),
    ("Turkish police detained 25 journalists in Istanbul.", "COERCE"),
    ("Israeli jets struck Hamas positions in Gaza overnight.", "ASSAULT"),
])
def test_each_plover_type(text, etype):
    assert etype in types(text)


def test_light_verb_with_event_noun_and_container():
    assert "CONSULT" in types("Oman launched a mediation effort between Iran and Saudi Arabia.")
    assert "PROTEST" in types("Opposition supporters staged a sit-in outside the electoral commission in Amman.")
    assert "COERCE" in types("The military government imposed a curfew on the capital.")


def test_verb_object_pair_takes_its_own_type():
    assert "SANCTION" in types("Bahrain broke relations with Qatar in June.")


def test_passive_voice_swaps_agent_and_target():
    assert ("ASSAULT", frozenset({"rus"}), frozenset({"ukr"})) in asserted("Ukraine was attacked by Russia.")


def test_reduced_relative_makes_the_noun_the_target():
    (ev,) = [e for e in run("There were 12 Syrian soldiers killed in Idlib on Monday.").events if e.type == "ASSAULT"]
    assert "syr" in {m.actor_id for m in ev.targets}


def test_coordinated_targets():
    assert ("ACCUSE", frozenset({"fra"}), frozenset({"deu", "ita"})) in asserted("France criticized Germany and Italy.")


def test_joint_act_of_two_agents_is_coded_both_ways():
    got = asserted("Bahrain and Israel signed a trade agreement in Manama.")
    assert ("SUPPORT", frozenset({"bhr"}), frozenset({"isr"})) in got
    assert ("SUPPORT", frozenset({"isr"}), frozenset({"bhr"})) in got


def test_nominal_event_with_agent_and_target():
    ex = run("The Saudi air strikes on Sanaa killed nine people.")
    assert any(e.type == "ASSAULT" and "sau" in {m.actor_id for m in e.agents} for e in ex.events)


def test_event_noun_in_a_prepositional_phrase_names_the_same_event():
    got = asserted("Five Syrian soldiers were killed in an ambush by Islamic State militants near Palmyra.")
    assert any(t == "ASSAULT" and "isis" in a and "syr" in g for t, a, g in got)


@pytest.mark.parametrize("text,etype,mode", [
    ("Russia did not attack Ukraine.", "ASSAULT", "negated"),
    ("Egypt refused to open the Rafah crossing.", "CONCEDE", "negated"),
    ("The rebels threatened to storm the capital.", "ASSAULT", "threatened"),
    ("Iraq urged Turkey to withdraw its troops.", "RETREAT", "hypothetical"),
    ("Jordan could impose sanctions if the talks fail.", "SANCTION", "hypothetical"),
    ("The army launched an offensive to retake the city from the rebels.", "ASSAULT", "asserted"),
    ("Kirkuk police arrested a man suspected of bombing the market.", "ASSAULT", "reported"),
    ("Lebanon complained to the United Nations over Israeli air raids.", "ASSAULT", "reported"),
])
def test_mode(text, etype, mode):
    assert mode in modes(text, etype)


def test_purpose_of_a_material_action_is_planned():
    ex = run("The Iraqi army launched an offensive to retake Mosul from the Islamic State.")
    assert {e.mode for e in ex.events if e.trigger.startswith("retake")} <= {"planned"}


def test_commitments_are_agree_threaten_or_reject():
    assert "AGREE" in types("Oman said it would release the detained Iranian fishermen.")
    assert "THREATEN" in types("Ankara said it will launch a new ground offensive against Kurdish fighters.")
    assert "REJECT" in types("The U.S. said it would not meet the kidnappers' demands.")
    assert "AGREE" in types("Syria says it is willing to withdraw its troops from Lebanon.")


def test_wanting_someone_else_to_act_is_no_threat():
    assert types("The minister wants Turkey to attack the camps.") == set()


def test_obligation_under_speech_is_a_request():
    assert ("REQUEST", frozenset({"irq"}), frozenset({"tur"})) in asserted(
        "Iraq said Turkey must withdraw its forces from the Bashiqa camp.")


def test_claim_of_an_attack_is_an_accusation():
    got = asserted("The United States claimed that the Islamic State had attacked Iraq.")
    assert ("ACCUSE", frozenset({"usa"}), frozenset({"isis"})) in got
    assert not any(t == "ASSAULT" for t, _, _ in got)


def test_appeals_and_declined_comment_are_not_events():
    assert types("Egypt urged both sides to show restraint.") == set()
    assert types("The foreign minister declined to comment on the reports.") == set()


def test_background_references_are_not_coded_again():
    got = types("Peru granted asylum to five Panamanian officers since last month's U.S. invasion.")
    assert "ASSAULT" not in got and "AID" in got
    assert types("UN troops withdrew from the Golan two weeks after rebels kidnapped dozens of peacekeepers.") == {"RETREAT"}


def test_statement_without_a_known_speaker_is_dropped():
    assert types("They will attack the border post.") == set()


def test_dates_relative_to_publication_and_never_after_it():
    ex = run("Israeli jets struck Hamas positions in Gaza on Tuesday.")
    (ev,) = [e for e in ex.events if e.type == "ASSAULT"]
    assert ev.date == date(2023, 3, 7)
    for text in ("Egypt will host talks between the factions next week.", "Egypt will host talks on Thursday."):
        assert all(e.date is None and (e.latest is None or e.latest <= PUB) for e in run(text).events)


def test_spans_point_into_the_text():
    text = "Turkish police detained 25 journalists in Istanbul."
    (ev,) = [e for e in run(text).events if e.type == "COERCE"]
    assert text[ev.span.start:ev.span.end] == "detained" and ev.span.sentence == text
    assert 0 < ev.confidence <= 1
