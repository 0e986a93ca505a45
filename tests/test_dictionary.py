"""Tests for the actor dictionary data (kg/data/actors.json, demonyms.json) and kg/dictionary.py."""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pycountry
import pytest

from kg.dictionary import (
    DICT_TYPES,
    DictActor,
    Dictionary,
    is_acronym,
    load_dictionary,
    normalise_name,
    read_dictionary,
)
from kg.errors import KGError

DATA = Path(__file__).resolve().parents[1] / "kg" / "data"
RAW = json.loads((DATA / "actors.json").read_text(encoding="utf-8"))
DEMONYMS = json.loads((DATA / "demonyms.json").read_text(encoding="utf-8"))
#: states whose only demonym is shared with another state ("Congolese", Dominica's "Dominican")
NO_DEMONYM = {"cog", "cod", "dma"}


@pytest.fixture(scope="module")
def dic() -> Dictionary:
    return load_dictionary()


# ---------------------------------------------------------------- the data
def test_size_and_types():
    assert len(RAW) >= 180
    counts = Counter(e["type"] for e in RAW)
    assert set(counts) <= set(DICT_TYPES)
    for needed in ("State", "ArmedForces", "GovernmentBody", "ArmedGroup", "InternationalOrganization", "Person"):
        assert counts[needed] >= 10, needed


def test_ids_unique_slugs_and_states_use_iso3():
    ids = [e["id"] for e in RAW]
    assert len(ids) == len(set(ids))
    for e in RAW:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", e["id"]), e["id"]
        if e["type"] == "State":
            assert e["id"] == e["country"].lower()
            assert pycountry.countries.get(alpha_3=e["country"]) is not None


def test_country_codes_are_real_iso3():
    for e in RAW:
        if e["type"] == "InternationalOrganization":
            assert e["country"] is None, e["id"]
        elif e["country"] is not None:
            assert re.fullmatch(r"[A-Z]{3}", e["country"]), e["id"]
            assert pycountry.countries.get(alpha_3=e["country"]) is not None, (e["id"], e["country"])


def test_qids_well_formed_and_unique():
    qids = [e["qid"] for e in RAW if e["qid"] is not None]
    assert all(re.fullmatch(r"Q[0-9]+", q) for q in qids)
    assert len(qids) == len(set(qids)), [q for q, n in Counter(qids).items() if n > 1]


def test_well_known_country_qids():
    by_id = {e["id"]: e for e in RAW}
    expected = {"usa": "Q30", "irq": "Q796", "syr": "Q858", "irn": "Q794", "fra": "Q142", "gbr": "Q145",
                "rus": "Q159", "chn": "Q148", "tur": "Q43", "isr": "Q801"}
    assert {k: by_id[k]["qid"] for k in expected} == expected


def test_references_exist():
    ids = {e["id"] for e in RAW}
    for e in RAW:
        for key in ("part_of", "leader_of", "member_of"):
            value = e.get(key)
            refs = [value] if isinstance(value, str) else (value or [])
            assert all(r in ids for r in refs), (e["id"], key, refs)
        assert e["part_of"] != e["id"]


def test_label_in_aliases_and_no_leading_article():
    for e in RAW:
        assert e["label"] in e["aliases"], e["id"]
        assert not any(a.lower().startswith("the ") for a in e["aliases"]), e["id"]


def test_no_alias_maps_to_two_ids():
    owners: dict[str, set[str]] = defaultdict(set)
    for e in RAW:
        for alias in e["aliases"]:
            owners[normalise_name(alias)].add(e["id"])
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert clashes == {}


def test_required_regional_coverage():
    ids = {e["id"] for e in RAW}
    region = {"usa", "gbr", "fra", "deu", "rus", "chn", "tur", "isr", "irn", "irq", "syr", "lbn", "jor", "sau",
              "are", "qat", "kwt", "bhr", "omn", "yem", "egy", "lby", "tun", "dza", "mar", "afg", "pak", "pse",
              "sdn", "cyp"}
    groups = {"popular-mobilization-forces", "kataib-hezbollah", "kataib-sayyid-al-shuhada", "asaib-ahl-al-haq",
              "harakat-hezbollah-al-nujaba", "badr-organization", "saraya-al-salam", "hezbollah", "hamas",
              "palestinian-islamic-jihad", "houthis", "isis", "al-qaeda", "aqap", "hayat-tahrir-al-sham",
              "syrian-democratic-forces", "ypg", "pkk", "free-syrian-army", "syrian-national-army", "taliban",
              "us-department-of-defense", "us-department-of-state", "us-central-command", "irgc", "quds-force",
              "iraqi-security-forces", "syrian-arab-army", "israel-defense-forces", "mossad",
              "turkish-armed-forces", "peshmerga", "kurdistan-regional-government", "un", "un-security-council",
              "nato", "eu", "arab-league", "opec", "iaea", "icc", "icrc", "gulf-cooperation-council", "oic",
              "african-union"}
    assert region | groups <= ids
    un_members = [e for e in RAW if e["type"] == "State"]
    assert len(un_members) >= 193


def test_demonyms_cover_states_and_point_to_states():
    states = {e["id"] for e in RAW if e["type"] == "State"}
    assert set(DEMONYMS.values()) <= states
    assert states - set(DEMONYMS.values()) == NO_DEMONYM
    for word in DEMONYMS:
        assert word[0].isupper(), word
    for word, state in {"American": "usa", "Americans": "usa", "Iranian": "irn", "Iraqi": "irq",
                        "Syrian": "syr", "Israeli": "isr", "Saudi": "sau", "Emirati": "are"}.items():
        assert DEMONYMS[word] == state


# ---------------------------------------------------------------- the loader
def test_load_is_cached_and_complete(dic):
    assert load_dictionary() is dic
    assert len(dic) == len(RAW) == len(dic.entries)
    usa = dic.by_id("usa")
    assert isinstance(usa, DictActor) and usa.qid == "Q30" and usa.country == "USA"
    assert "U.S." in usa.aliases and isinstance(usa.aliases, tuple)
    assert dic.by_id("no-such-actor") is None
    assert dic.by_id("quds-force").part_of == "irgc"
    assert dic.by_id("hassan-nasrallah").member_of == ("hezbollah",)


@pytest.mark.parametrize("name,expected", [
    ("PMF", "popular-mobilization-forces"),
    ("Popular Mobilization Forces", "popular-mobilization-forces"),
    ("Hashd al-Shaabi", "popular-mobilization-forces"),
    ("Kata\u2019ib Hezbollah", "kataib-hezbollah"),
    ("Kataib Hezbollah", "kataib-hezbollah"),
    ("Kata'ib Hezbollah", "kataib-hezbollah"),
    ("kataeb hezbollah", "kataib-hezbollah"),
    ("Kata\u2019ib Sayyid al Shuhada", "kataib-sayyid-al-shuhada"),
    ("Pentagon", "us-department-of-defense"),
    ("the Pentagon", "us-department-of-defense"),
    ("DoD", "us-department-of-defense"),
    ("U.S.", "usa"),
    ("US", "usa"),
    ("the United States", "usa"),
    ("The United States", "usa"),
    ("ISIS", "isis"),
    ("Daesh", "isis"),
    ("the PMF\u2019s", "popular-mobilization-forces"),
    ("Hizballah", "hezbollah"),
    ("Ansar Allah", "houthis"),
    ("TURKEY", "tur"),
    ("trump", "donald-trump"),
])
def test_lookup(dic, name, expected):
    hit = dic.lookup(name)
    assert hit is not None and hit.id == expected


@pytest.mark.parametrize("name", ["us", "Us", "is", "who", "the", "", "Hezbollahs", "Kata"])
def test_lookup_misses(dic, name):
    assert dic.lookup(name) is None


def test_demonym(dic):
    assert dic.demonym("Iraqi").id == "irq"
    assert dic.demonym("Americans").id == "usa"
    assert dic.demonym("South Korean").id == "kor"
    assert dic.demonym("poles") is None  # demonyms are capitalised
    assert dic.demonym("Poles").id == "pol"
    assert dic.demonym("Kurdish") is None


def test_is_acronym_and_normalise():
    assert is_acronym("U.S.") and is_acronym("ISIS-K") and is_acronym("IRGC")
    assert not is_acronym("DoD") and not is_acronym("Hamas") and not is_acronym("1990")
    assert normalise_name("Kata\u2019ib  Sayyid al-Shuhada") == "kata'ib sayyid al shuhada"


def test_broken_data_is_reported(tmp_path):
    base = {"id": "xa", "label": "X", "type": "State", "country": None, "qid": None, "aliases": ["X"], "part_of": None}
    cases = {
        "dup-id": [base, dict(base, label="Y", aliases=["Y"])],
        "bad-part-of": [dict(base, part_of="nowhere")],
        "bad-type": [dict(base, type="Tribe")],
        "alias-clash": [base, dict(base, id="xb", label="Z", aliases=["x"])],
        "bad-qid": [dict(base, qid="30")],
    }
    for name, entries in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(entries), encoding="utf-8")
        with pytest.raises(KGError) as err:
            read_dictionary(path)
        assert err.value.code == "E001", name
    bad = tmp_path / "broken.json"
    bad.write_text("[{", encoding="utf-8")
    with pytest.raises(KGError):
        read_dictionary(bad)


# ---------------------------------------------------------------- spaCy patterns
def test_patterns_shape(dic):
    patterns = dic.patterns()
    assert all(p["label"] == "ACTOR" and p["id"] in dic for p in patterns)
    n_aliases = sum(len(e.aliases) for e in dic.entries)
    assert len(patterns) >= n_aliases
    us = [p["pattern"] for p in patterns if p["id"] == "usa"]
    assert [{"ORTH": "U.S."}] in us and [{"ORTH": "US"}] in us
    assert [{"LOWER": "united"}, {"LOWER": "states"}] in us
    kh = [p["pattern"] for p in patterns if p["id"] == "kataib-hezbollah"]
    assert [{"LOWER": "kata'ib"}, {"LOWER": "hezbollah"}] in kh
    assert [{"LOWER": "kata\u2019ib"}, {"LOWER": "hezbollah"}] in kh
    assert [{"ORTH": "Turkey"}] in [p["pattern"] for p in patterns if p["id"] == "tur"]


@pytest.fixture(scope="module")
def ruler_nlp(dic):
    from kg.nlp import get_nlp

    return get_nlp()  # the build's pipeline: model + actor_ruler with the packaged dictionary


def test_entity_ruler_tags_actors(ruler_nlp):
    text = ("After rockets hit a base in Erbil, Kata\u2019ib Hezbollah and the PMF\u2019s spokesman blamed "
            "the United States, while the Pentagon said U.S. forces would respond to ISIS and "
            "Kataib Sayyid al-Shuhada; the UN Security Council met in New York.")
    ents = {(e.text, e.ent_id_) for e in ruler_nlp(text).ents if e.label_ == "ACTOR"}
    assert {("Kata\u2019ib Hezbollah", "kataib-hezbollah"), ("PMF", "popular-mobilization-forces"),
            ("United States", "usa"), ("Pentagon", "us-department-of-defense"),
            ("U.S. forces", "us-armed-forces"), ("ISIS", "isis"),
            ("Kataib Sayyid al-Shuhada", "kataib-sayyid-al-shuhada"),
            ("UN Security Council", "un-security-council")} <= ents


def test_entity_ruler_respects_case(ruler_nlp):
    text = "Let us carve the turkey; the US and Turkey disagree while is it raining in Chad's capital."
    ents = {(e.text, e.ent_id_) for e in ruler_nlp(text).ents if e.label_ == "ACTOR"}
    assert ("US", "usa") in ents and ("Turkey", "tur") in ents and ("Chad", "tcd") in ents
    assert not any(t in {"us", "turkey", "is"} for t, _ in ents)
