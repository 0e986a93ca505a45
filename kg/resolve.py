"""Resolve stage: mentions -> canonical actors; same-event mentions within an article -> one event.

Canonical ids: the actor dictionary's id when a name, alias or demonym is known ("American" -> usa);
a state's ISO3 code for countries outside the dictionary; otherwise a normalised slug of the fullest
name seen in the article. Within an article, acronyms defined in the text ("Popular Mobilization
Forces (PMF)"), short forms of an earlier name ("Kirby" after "John F. Kirby", "the Resistance" after
"the Iraqi Resistance") and pronouns (to the last compatible actor) join the earlier actor.
"""
from __future__ import annotations

import re
from dataclasses import replace

from kg.dictionary import DictActor, load_dictionary
from kg.extract.lexicon import lexicon
from kg.extract.places import country_iso3, resolve_place
from kg.models import Actor, Claim, Event, Extraction, Mention, Relation
from kg.rdf.namespaces import slug

#: PLOVER types that are statements: coded only with a known agent (an accusation against a named
#: target is informative even when the accuser is not named: "X was accused of ...")
STATEMENTS = frozenset({"AGREE", "SUPPORT", "REQUEST", "REJECT", "THREATEN"})
NAMED = {"ACTOR", "PERSON", "ORG", "NORP", "GPE", "PROPN"}
LABEL_TYPES = {"PERSON": "Person", "ORG": "Organization", "NORP": "Group", "PROPN": "Organization", "GENERIC": "Group"}
_PLURAL_PRON = {"they", "them", "their", "theirs"}
_PERSON_PRON = {"he", "him", "his", "she", "her", "hers"}
_THING_PRON = {"it", "its"}


def _acronyms(text: str) -> dict[str, str]:
    """Acronyms defined in the text: "Popular Mobilization Forces (PMF)" -> {"PMF": "Popular Mobilization Forces"}."""
    out: dict[str, str] = {}
    for m in re.finditer(r"((?:[A-Z][\w'\u2019-]*\s+){1,7}?(?:[A-Z][\w'\u2019-]*))\s*\(([A-Z][A-Z.&-]{1,9})\)", text):
        name, acr = m.group(1).strip(), m.group(2).replace(".", "")
        words = [w for w in re.split(r"[\s-]+", name) if w]
        initials = "".join(w[0] for w in words if w[0].isupper())
        # keep the shortest suffix of the name whose initials spell the acronym
        for k in range(len(words)):
            cand = words[k:]
            if "".join(w[0] for w in cand if w[0].isupper()).upper() == acr.upper():
                out[m.group(2)] = " ".join(cand)
                break
        else:
            if initials.upper().endswith(acr.upper()):
                out[m.group(2)] = name
    return out


def _name_type(name: str, label: str) -> str:
    """Actor class of a name outside the dictionary: organisation words beat the NER label
    ("Tigray People's Liberation Front" is an armed group even when tagged PERSON)."""
    lex = lexicon()
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", name)}
    if label != "GENERIC" and words & lex["armed_group_words"]:
        return "ArmedGroup"
    if label != "GENERIC" and words & lex["organization_words"]:
        return "Organization"
    return LABEL_TYPES.get(label, "Actor")


class _Resolver:
    def __init__(self, ex: Extraction) -> None:
        self.ex = ex
        self.dic = load_dictionary()
        self.acr = _acronyms(ex.article.text)
        self.actors: dict[str, Actor] = {}
        self.by_mention: dict[Mention, str | None] = {}
        self.recent: list[tuple[str, str]] = []  # (actor id, mention label) in text order
        lex = lexicon()
        self.titles = {t.split()[-1] for t in lex["spokesperson_titles"] | lex["leader_titles"] | lex["member_titles"]}
        self.titles |= {t + "s" for t in self.titles}

    # ---- naming ---------------------------------------------------------------------------
    def _from_dict(self, entry: DictActor, surface: str) -> str:
        self._add(entry.id, entry.label, entry.type, entry.country, entry.qid, surface, True)
        return entry.id

    def _add(self, aid: str, label: str, atype: str, country: str | None, qid: str | None, surface: str,
             from_dict: bool = False, naming: bool = True) -> None:
        """Record a mention of actor ``aid``; ``naming`` False for generic noun phrases, which never
        become the label of a named actor ("Iraqi resistance factions" does not rename "Iraqi Resistance")."""
        cur = self.actors.get(aid)
        if cur is None:
            self.actors[aid] = Actor(id=aid, label=label, type=atype, country=country, qid=qid,
                                     mentions=(surface,), from_dictionary=from_dict)
        elif surface not in cur.mentions:
            label2 = cur.label
            if naming and not cur.from_dictionary and len(surface) > len(cur.label) and cur.type != "State":
                label2 = surface  # the fullest form of a non-dictionary name is its label
            self.actors[aid] = replace(cur, label=label2, mentions=cur.mentions + (surface,))

    def _earlier_longer(self, text: str, label: str) -> str | None:
        """An earlier actor whose name ends with (or contains) this shorter name; never for a person's
        title ("Israeli military spokesman" is not the Israeli military)."""
        low = text.lower()
        if label == "GENERIC" and low.split()[-1] in self.titles:
            return None
        for aid, _ in reversed(self.recent):
            a = self.actors[aid]
            for name in (a.label, *a.mentions):
                n = name.lower()
                if n != low and (n.endswith(" " + low) or (label == "GENERIC" and " " in n and low.startswith(n + " "))):
                    return aid
        return None

    def resolve_mention(self, m: Mention) -> str | None:
        if m in self.by_mention:
            return self.by_mention[m]
        aid = self._resolve(m)
        self.by_mention[m] = aid
        if aid is not None:
            self.recent.append((aid, m.label))
        return aid

    def _resolve(self, m: Mention) -> str | None:
        dic = self.dic
        if m.label == "PRON":
            return self._pronoun(m.text.lower())
        if m.dict_id and m.dict_id in dic:
            return self._from_dict(dic.by_id(m.dict_id), m.text)
        text = m.text
        if text in self.acr:
            text = self.acr[text]
        entry = dic.lookup(text)
        if entry is not None:
            return self._from_dict(entry, m.text)
        if m.label == "NORP":
            dem = dic.demonym(text) or dic.demonym(text.split()[0])
            if dem is not None:
                return self._from_dict(dem, m.text)
        earlier = self._earlier_longer(text, m.label) if m.label in {"PERSON", "ORG", "PROPN", "GENERIC"} else None
        if earlier is not None:
            self._add(earlier, self.actors[earlier].label, self.actors[earlier].type, None, None, m.text,
                      naming=m.label != "GENERIC")
            return earlier
        if m.label == "GPE":
            iso3 = country_iso3(text)
            if iso3 is not None:
                place = resolve_place(text)
                self._add(iso3.lower(), place.label if place else text, "State", iso3, None, m.text)
                return iso3.lower()
            place = resolve_place(text)
            aid = slug(text)
            self._add(aid, text, "Actor", place.country if place else None, None, m.text)
            return aid
        if m.label == "GENERIC":  # "Afghan rebels": a group of that country, never the state itself
            aid = slug(text)
            dem = dic.demonym(text.split()[0]) if len(text.split()) > 1 else None
            self._add(aid, text, "Group", dem.country if dem else None, None, m.text)
            return aid
        aid = slug(text)
        self._add(aid, text, _name_type(text, m.label), None, None, m.text)
        return aid

    def _pronoun(self, pron: str) -> str | None:
        for aid, label in reversed(self.recent):
            atype = self.actors[aid].type
            if pron in _PERSON_PRON and atype == "Person":
                return aid
            if pron in _THING_PRON and atype not in {"Person", "Group"}:
                return aid
            if pron in _PLURAL_PRON and atype not in {"Person"}:
                return aid
        return None


def _mid(r: _Resolver, m: Mention) -> Mention | None:
    aid = r.resolve_mention(m)
    return replace(m, actor_id=aid) if aid is not None else None


def _resolved(r: _Resolver, ms: tuple[Mention, ...]) -> tuple[Mention, ...]:
    out: list[Mention] = []
    seen: set[str] = set()
    for m in ms:
        rm = _mid(r, m)
        if rm is not None and rm.actor_id not in seen:
            seen.add(rm.actor_id)  # type: ignore[arg-type]
            out.append(rm)
    return tuple(out)


def _ids(ms: tuple[Mention, ...]) -> set[str]:
    return {m.actor_id for m in ms if m.actor_id}


def _places_compatible(a: Event, b: Event) -> bool:
    if a.place is None or b.place is None or a.place.id == b.place.id or a.place.country == b.place.country:
        return True
    return b.place.label in a.span.sentence or a.place.label in b.span.sentence


def _compatible(a: Event, b: Event, states: frozenset[str] = frozenset()) -> bool:
    """Two mentions of one event: same type and mode; agents overlapping when both are named, else
    a shared target that is not a whole state (a country named as a target links too little);
    never one's agents among the other's targets; exact dates equal; places compatible."""
    if a.type != b.type or a.mode != b.mode:
        return False
    aa, ba, at, bt = _ids(a.agents), _ids(b.agents), _ids(a.targets), _ids(b.targets)
    if (aa & bt) or (ba & at):
        return False
    if aa and ba:
        if not aa & ba:
            return False
    elif not (at & bt) - states:
        return False
    if a.date and b.date and a.date != b.date:
        return False
    return _places_compatible(a, b)


def _merge(a: Event, b: Event) -> Event:
    def union(x: tuple[Mention, ...], y: tuple[Mention, ...]) -> tuple[Mention, ...]:
        ids = _ids(x)
        return x + tuple(m for m in y if m.actor_id not in ids)

    return replace(
        a,
        agents=union(a.agents, b.agents), targets=union(a.targets, b.targets),
        place=(a.place if a.confidence >= b.confidence else b.place) or a.place or b.place, date=a.date or b.date,
        earliest=a.earliest if a.date or b.date is None else None,
        latest=a.latest if a.date or b.date is None else None,
        confidence=round(min(0.99, max(a.confidence, b.confidence) + 0.05), 2),
        evidence=a.evidence + (b.span,) + b.evidence,
    )


def merge_events(events: tuple[Event, ...], states: frozenset[str] = frozenset()) -> tuple[tuple[Event, ...], list[int]]:
    """Merge same-event mentions in text order; returns events and old index -> new index.
    ``states``: ids of State actors (a shared state target alone does not make two events one)."""
    merged: list[Event] = []
    where: list[int] = []
    for e in events:
        for i, m in enumerate(merged):
            if _compatible(m, e, states):
                merged[i] = _merge(m, e)
                where.append(i)
                break
        else:
            merged.append(e)
            where.append(len(merged) - 1)
    merged = [replace(e, date=e.date, earliest=None if e.date else e.earliest, latest=None if e.date else e.latest)
              for e in merged]
    return tuple(merged), where


def resolve(ex: Extraction) -> Extraction:
    """Canonical actor ids on every mention; merged events; the article's actors."""
    r = _Resolver(ex)
    # resolve in text order so short forms and pronouns see their antecedents
    for m in ex.mentions:  # every mention, in text order
        r.resolve_mention(m)
    by_pos = sorted(
        [(e.span.start, "e", i) for i, e in enumerate(ex.events)]
        + [(c.span.start, "c", i) for i, c in enumerate(ex.claims)]
    )
    events = list(ex.events)
    claims = list(ex.claims)
    for _, kind, i in by_pos:
        if kind == "e":
            e = events[i]
            events[i] = replace(e, agents=_resolved(r, e.agents), targets=_resolved(r, e.targets))
        else:
            c = claims[i]
            rm = _mid(r, c.claimant)
            claims[i] = replace(c, claimant=rm) if rm is not None else None  # type: ignore[call-arg]
    events = [replace(e, targets=tuple(t for t in e.targets if t.actor_id not in _ids(e.agents))) for e in events]
    # a statement (promise, demand, accusation, refusal, threat, praise) needs someone who made it
    events = [e for e in events if e.agents or (e.targets and e.type not in STATEMENTS)]
    states = frozenset(aid for aid, a in r.actors.items() if a.type == "State")
    merged, where = merge_events(tuple(events), states)
    out_claims: list[Claim] = []
    for c in claims:
        if c is None:
            continue
        about = None
        if c.about is not None and c.about < len(ex.events):
            old = ex.events[c.about]
            for k, e in enumerate(events):
                if e.span == old.span:
                    about = where[k]
        out_claims.append(replace(c, about=about))
    relations: list[Relation] = []
    for rel in ex.relations:
        s, o = _mid(r, rel.subject), _mid(r, rel.object)
        if s is not None and o is not None and s.actor_id != o.actor_id:
            relations.append(replace(rel, subject=s, object=o))
    mentions = tuple(rm for m in ex.mentions if m.label in NAMED for rm in [_mid(r, m)] if rm is not None)
    used = {m.actor_id for m in mentions} | {m.actor_id for e in merged for m in e.agents + e.targets} \
        | {c.claimant.actor_id for c in out_claims} | {x.actor_id for rel in relations for x in (rel.subject, rel.object)}
    actors = {}
    for aid, a in r.actors.items():
        if aid in used:
            names = tuple(n for n in dict.fromkeys(a.mentions) if n != a.label)
            actors[aid] = replace(a, names=names)
    return replace(ex, mentions=mentions, events=merged, claims=tuple(out_claims), relations=tuple(relations), actors=actors)
