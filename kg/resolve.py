"""Resolve stage: mentions -> canonical actors; same-event mentions within an article -> one event.

Canonical ids: the actor dictionary's id when a name, alias or demonym is known ("American" -> usa);
a state's ISO3 code for countries outside the dictionary; otherwise a normalised slug of the fullest
name seen in the article. Within an article, acronyms defined in the text ("Popular Mobilization
Forces (PMF)"), short forms of an earlier name ("Kirby" after "John F. Kirby", "the Resistance" after
"the Iraqi Resistance") and pronouns (to the last compatible actor) join the earlier actor.
"""
from __future__ import annotations

import bisect
import heapq
import re
from collections import Counter
from datetime import date
from typing import Iterable, Iterator

from kg.dictionary import DictActor, load_dictionary
from kg.extract.lexicon import lexicon
from kg.extract.places import country_iso3, resolve_place
from kg.models import Actor, Claim, Event, Extraction, Mention, Relation, evolve
from kg.models import Span as TextSpan
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
        # what the text has named so far, indexed so that each lookup costs the same in a long article
        self.seen: dict[str, int] = {}  # actor id -> number of its latest resolved mention (text order)
        self.last: dict[str, str] = {}  # pronoun kind (person / thing / plural) -> latest actor of that kind
        self.names: dict[str, Counter] = {}  # actor id -> its lower-cased label and mentions
        self.by_name: dict[str, set[str]] = {}  # lower-cased name -> actor ids
        self.by_suffix: dict[str, set[str]] = {}  # the words after a space in a name ("kirby") -> actor ids
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
            self._name(aid, label)
            self._name(aid, surface)
        elif surface not in cur.mentions:
            label2 = cur.label
            if naming and not cur.from_dictionary and len(surface) > len(cur.label) and cur.type != "State":
                label2 = surface  # the fullest form of a non-dictionary name is its label
            self.actors[aid] = evolve(cur, label=label2, mentions=cur.mentions + (surface,))
            self._name(aid, surface)
            if label2 != cur.label:
                self._name(aid, label2)
                self._name(aid, cur.label, -1)

    def _name(self, aid: str, name: str, change: int = 1) -> None:
        """Count one more (or one less) of the names ``(label, *mentions)`` of ``aid`` in the indexes
        :meth:`_earlier_longer` reads."""
        low = name.lower()
        counts = self.names.setdefault(aid, Counter())
        before = counts[low] > 0
        counts[low] += change
        if before == (counts[low] > 0):
            return
        keys = [(self.by_name, low)] + [(self.by_suffix, low[k + 1:]) for k, ch in enumerate(low) if ch == " "]
        for index, key in keys:
            if counts[low] > 0:
                index.setdefault(key, set()).add(aid)
            else:
                index[key].discard(aid)

    def _earlier_longer(self, text: str, label: str) -> str | None:
        """An earlier actor whose name ends with (or contains) this shorter name; never for a person's
        title ("Israeli military spokesman" is not the Israeli military)."""
        low = text.lower()
        if label == "GENERIC" and low.split()[-1] in self.titles:
            return None
        # a name n with n.endswith(" " + low) or, for a group noun, " " in n and low.startswith(n + " ")
        found = set(self.by_suffix.get(low, ()))
        if label == "GENERIC":
            for k, ch in enumerate(low):
                if ch == " " and " " in low[:k]:
                    found |= self.by_name.get(low[:k], set())
        found = {aid for aid in found if aid in self.seen}
        return max(found, key=self.seen.__getitem__) if found else None  # the most recently mentioned

    def resolve_mention(self, m: Mention) -> str | None:
        if m in self.by_mention:
            return self.by_mention[m]
        aid = self._resolve(m)
        self.by_mention[m] = aid
        if aid is not None:
            self.seen[aid] = len(self.by_mention)
            atype = self.actors[aid].type  # fixed when the actor is first recorded
            if atype == "Person":
                self.last["person"] = aid
            if atype not in {"Person", "Group"}:
                self.last["thing"] = aid
            if atype != "Person":
                self.last["plural"] = aid
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
            state = dic.by_id(iso3.lower()) if iso3 is not None and iso3.lower() in dic else None
            if state is not None and state.country == iso3:  # the dictionary's entry for that state
                return self._from_dict(state, m.text)
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
        """The latest actor a pronoun can refer to: a person for "he", neither a person nor a group
        for "it", anything but a person for "they"."""
        if pron in _PERSON_PRON:
            return self.last.get("person")
        if pron in _THING_PRON:
            return self.last.get("thing")
        if pron in _PLURAL_PRON:
            return self.last.get("plural")
        return None


def _mid(r: _Resolver, m: Mention) -> Mention | None:
    aid = r.resolve_mention(m)
    return evolve(m, actor_id=aid) if aid is not None else None


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


def _compatible(a: Event, b: Event, states: frozenset[str] = frozenset(),
                ids: tuple[set[str], set[str], set[str], set[str]] | None = None) -> bool:
    """Two mentions of one event: same type and mode; agents overlapping when both are named, else
    a shared target that is not a whole state (a country named as a target links too little);
    never one's agents among the other's targets; exact dates equal; places compatible.
    ``ids``: the actor ids (agents of a, of b, targets of a, of b) when the caller keeps them."""
    if a.type != b.type or a.mode != b.mode:
        return False
    aa, ba, at, bt = ids if ids is not None else (_ids(a.agents), _ids(b.agents), _ids(a.targets), _ids(b.targets))
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


def _merged_fields(a: Event, b: Event) -> dict:
    """Place, dates and confidence of ``a`` once ``b`` is merged into it."""
    return dict(
        place=(a.place if a.confidence >= b.confidence else b.place) or a.place or b.place, date=a.date or b.date,
        earliest=a.earliest if a.date or b.date is None else None,
        latest=a.latest if a.date or b.date is None else None,
        confidence=round(min(0.99, max(a.confidence, b.confidence) + 0.05), 2),
    )


def _merge(a: Event, b: Event) -> Event:
    """``a`` with ``b`` merged into it."""
    def union(x: tuple[Mention, ...], y: tuple[Mention, ...]) -> tuple[Mention, ...]:
        ids = _ids(x)
        return x + tuple(m for m in y if m.actor_id not in ids)

    return evolve(a, agents=union(a.agents, b.agents), targets=union(a.targets, b.targets),
                   evidence=a.evidence + (b.span,) + b.evidence, **_merged_fields(a, b))


_Key = tuple[str, str, str, str]  # (type, mode, "a" agent / "t" target, actor id)


class _Candidates:
    """Which merged events a new event mention could be merged into, without trying them all.

    :func:`_compatible` needs the same type and mode, a shared agent or a shared target that is not
    a state, and no two different exact dates. So each merged event is listed, in index order,
    under every (type, mode, role, actor) key it has: once in ``all`` and once under its exact date
    (``None`` when it has none); a mention looks only at the lists of its own keys (of its date and
    of ``None`` when it has a date). Agents, targets and dates of a merged event only grow."""

    def __init__(self, states: frozenset[str]) -> None:
        self.states = states
        self.all: dict[_Key, list[int]] = {}
        self.dated: dict[tuple[_Key, date | None], list[int]] = {}
        self.keys: list[list[_Key]] = []  # merged index -> its keys
        self.dates: list[date | None] = []

    def _keys(self, e: Event, agents: Iterable[str], targets: Iterable[str]) -> list[_Key]:
        return [(e.type, e.mode, "a", aid) for aid in agents] + [
            (e.type, e.mode, "t", aid) for aid in targets if aid not in self.states]

    def of(self, e: Event, agents: set[str], targets: set[str]) -> Iterator[int]:
        """Indices of the merged events that may be compatible with ``e``, ascending, each once."""
        keys = self._keys(e, agents, targets)
        if e.date is None:
            lists = [self.all[k] for k in keys if k in self.all]
        else:
            lists = [self.dated[(k, d)] for k in keys for d in (None, e.date) if (k, d) in self.dated]
        last = -1
        for i in heapq.merge(*lists):
            if i != last:
                last = i
                yield i

    def put(self, i: int, m: Event, agents: Iterable[str], targets: Iterable[str]) -> None:
        """Merged event ``i`` is now ``m`` (new, or grown by a merge) and has these new actor ids."""
        if i == len(self.keys):
            self.keys.append([])
            self.dates.append(m.date)
        if m.date != self.dates[i]:
            for k in self.keys[i]:
                old = self.dated[(k, self.dates[i])]
                del old[bisect.bisect_left(old, i)]
                bisect.insort(self.dated.setdefault((k, m.date), []), i)
            self.dates[i] = m.date
        for k in self._keys(m, agents, targets):
            bisect.insort(self.all.setdefault(k, []), i)
            bisect.insort(self.dated.setdefault((k, m.date), []), i)
            self.keys[i].append(k)


def merge_events(events: tuple[Event, ...], states: frozenset[str] = frozenset()) -> tuple[tuple[Event, ...], list[int]]:
    """Merge same-event mentions in text order; returns events and old index -> new index.
    ``states``: ids of State actors (a shared state target alone does not make two events one).

    Each mention goes into the first compatible merged event (as :func:`_merge` does), found through
    :class:`_Candidates`; a merged event's actors, their ids and its evidence are collected in lists
    and sets, so the cost per mention does not grow with the article."""
    merged: list[Event] = []  # first mention of each, with the merged place, dates and confidence
    agents: list[list[Mention]] = []
    targets: list[list[Mention]] = []
    agent_ids: list[set[str]] = []
    target_ids: list[set[str]] = []
    evidence: list[list[TextSpan]] = []  # the spans of the mentions merged into it
    where: list[int] = []
    candidates = _Candidates(states)
    for e in events:
        ea, et = _ids(e.agents), _ids(e.targets)
        for i in candidates.of(e, ea, et):
            m = merged[i]
            if _compatible(m, e, states, (agent_ids[i], ea, target_ids[i], et)):
                merged[i] = evolve(m, **_merged_fields(m, e))
                new_ids: list[set[str]] = []
                for ms, ids, more in ((agents[i], agent_ids[i], e.agents), (targets[i], target_ids[i], e.targets)):
                    added = [x for x in more if x.actor_id not in ids]  # as _merge's union
                    ms += added
                    new_ids.append({x.actor_id for x in added if x.actor_id} - ids)
                    ids |= new_ids[-1]
                evidence[i] += (e.span, *e.evidence)
                candidates.put(i, merged[i], *new_ids)
                where.append(i)
                break
        else:
            merged.append(e)
            agents.append(list(e.agents))
            targets.append(list(e.targets))
            agent_ids.append(set(ea))
            target_ids.append(set(et))
            evidence.append([])
            candidates.put(len(merged) - 1, e, ea, et)
            where.append(len(merged) - 1)
    out = [evolve(e, agents=tuple(agents[i]), targets=tuple(targets[i]), evidence=e.evidence + tuple(evidence[i]),
                   earliest=None if e.date else e.earliest, latest=None if e.date else e.latest)
           for i, e in enumerate(merged)]
    return tuple(out), where


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
            events[i] = evolve(e, agents=_resolved(r, e.agents), targets=_resolved(r, e.targets))
        else:
            c = claims[i]
            rm = _mid(r, c.claimant)
            claims[i] = evolve(c, claimant=rm) if rm is not None else None  # type: ignore[call-arg]
    events = [evolve(e, targets=tuple(t for t in e.targets if t.actor_id not in _ids(e.agents))) for e in events]
    # a statement (promise, demand, accusation, refusal, threat, praise) needs someone who made it
    events = [e for e in events if e.agents or (e.targets and e.type not in STATEMENTS)]
    states = frozenset(aid for aid, a in r.actors.items() if a.type == "State")
    merged, where = merge_events(tuple(events), states)
    out_claims: list[Claim] = []
    last_with_span = {e.span: k for k, e in enumerate(events)}  # the last kept event with that span
    for c in claims:
        if c is None:
            continue
        about = None
        if c.about is not None and c.about < len(ex.events):
            k = last_with_span.get(ex.events[c.about].span)
            about = where[k] if k is not None else None
        out_claims.append(evolve(c, about=about))
    relations: list[Relation] = []
    for rel in ex.relations:
        s, o = _mid(r, rel.subject), _mid(r, rel.object)
        if s is not None and o is not None and s.actor_id != o.actor_id:
            relations.append(evolve(rel, subject=s, object=o))
    mentions = tuple(rm for m in ex.mentions if m.label in NAMED for rm in [_mid(r, m)] if rm is not None)
    used = {m.actor_id for m in mentions} | {m.actor_id for e in merged for m in e.agents + e.targets} \
        | {c.claimant.actor_id for c in out_claims} | {x.actor_id for rel in relations for x in (rel.subject, rel.object)}
    actors = {}
    for aid, a in r.actors.items():
        if aid in used:
            names = tuple(n for n in dict.fromkeys(a.mentions) if n != a.label)
            actors[aid] = evolve(a, names=names)
    return evolve(ex, mentions=mentions, events=merged, claims=tuple(out_claims), relations=tuple(relations), actors=actors)
