"""Agents and targets of an event from the parse.

Subject -> agent, objects and target prepositions -> target; passives and reduced relatives swapped
("was attacked by X", "soldiers killed in Y"); an event noun taken as an object gives its own actors
("rejected Iraq's proposal" -> Iraq); "received weapons from X" makes X the giver. When no target is
found: the first actor inside the object phrases, then, for material actions, the named place where
they happen ("a curfew in Sudan"), as CAMEO coders do.
"""
from __future__ import annotations

from typing import Iterator

from spacy.tokens import Span, Token

from kg.extract.actors import MentionIndex, actors_at, deep_actors, is_backing_modifier
from kg.extract.lexicon import lexicon
from kg.extract.places import resolve_place
from kg.extract.syntax import PASS_SUBJ, SUBJ, dedupe, is_passive, subject
from kg.extract.triggers import CONFLICT, EXPRESSIVE, Candidate, noun_type
from kg.models import Mention

#: material actions whose target may be the place where they happen ("curfew in Sudan", "bombs in Kabul")
LOCATIVE_TARGET = frozenset({"ASSAULT", "COERCE", "CONCEDE", "SANCTION", "MOBILIZE", "AID", "PROTEST", "RETREAT"})
#: intransitive event nouns: their "of"-phrase names the agent ("the withdrawal of Serbian forces")
INTRANSITIVE_NOUNS = frozenset({"RETREAT", "MOBILIZE", "PROTEST", "CONSULT", "COOPERATE"})
PLACE_LABELS = {"GPE", "LOC", "FAC", "ACTOR"}


def pobj_actors(prep: Token, index: MentionIndex, deep: bool = False) -> list[Mention]:
    lex = lexicon()
    out: list[Mention] = []
    for pobj in prep.children:
        if pobj.dep_ in {"pobj", "pcomp"}:
            if pobj.lemma_.lower() in lex["place_nouns"] and index.at(pobj) is None:
                continue  # "on the borders of Iraq": where, not whom
            out += actors_at(pobj, index, deep=deep or prep.lower_ == "against")
    return out


def _by_agents(verb: Token, index: MentionIndex) -> list[Mention]:
    out: list[Mention] = []
    for child in verb.children:
        if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
            out += pobj_actors(child, index)
    return out


def nominal_args(noun: Token, etype: str, index: MentionIndex) -> tuple[list[Mention], list[Mention]]:
    lex = lexicon()
    agents: list[Mention] = []
    targets: list[Mention] = []
    of_actors: list[Mention] = []
    for child in noun.children:
        if child.dep_ in {"poss", "compound", "amod", "nmod"} and child.i < noun.i:
            if not is_backing_modifier(child):
                agents += actors_at(child, index)
        elif child.dep_ == "prep" and (child.lower_ == "by" or child.lower_ == "from" and etype in EXPRESSIVE | {
                "AGREE", "THREATEN"}):
            agents += pobj_actors(child, index)
        elif child.dep_ == "prep" and child.lower_ == "of":
            of_actors += pobj_actors(child, index)
        elif child.dep_ == "prep" and child.lower_ in lex["target_preps_nominal"]:
            targets += pobj_actors(child, index, deep=etype in {"ASSAULT", "COERCE"})
    if of_actors:
        if not agents and etype in INTRANSITIVE_NOUNS:
            agents += of_actors
        else:
            targets += of_actors
    return agents, targets


def _content_actors(noun: Token, index: MentionIndex, outer: str) -> list[Mention]:
    """Whom an event noun taken as an object concerns: who did it ("rejected Iraq's proposal" -> Iraq;
    "demanded the withdrawal of Serbian forces" -> Serbian forces), else, when the outer event asks
    for, grants or refuses it, whom it would hit ("called for sanctions against Nigeria" -> Nigeria) --
    but a response to an attack is not aimed at the attack's victims."""
    etype = noun_type(noun) or "REQUEST"
    agents, targets = nominal_args(noun, etype, index)
    return agents or (targets if etype not in CONFLICT or outer in {"REQUEST", "REJECT", "AGREE", "SUPPORT"} else [])


def _object_actors(c: Candidate, v: Token, index: MentionIndex) -> list[Mention]:
    lex = lexicon()
    shallow = _object_actors_at(c, v, index, False)
    if shallow or not (c.type in {"ASSAULT", "COERCE"} or c.kind == "light"):
        return shallow
    return _object_actors_at(c, v, index, True)


def _object_actors_at(c: Candidate, v: Token, index: MentionIndex, deep: bool) -> list[Mention]:
    lex = lexicon()
    out: list[Mention] = []
    for child in v.children:
        if c.type == "MOBILIZE" and child.dep_ == "dobj":
            continue  # "deployed troops": the agent's own forces, not a target
        if child.dep_ in {"dobj", "dative", "attr", "oprd"} and not (c.noun is not None and child.i == c.noun.i):
            found = actors_at(child, index, deep=deep)
            if not found and child.pos_ == "NOUN" and (noun_type(child) or child.lemma_.lower() in lex["irrealis_nouns"]):
                found = _content_actors(child, index, c.type)
            out += found
        elif child.dep_ == "prep" and child.lower_ in lex["target_preps"]:
            if c.swap and child.lower_ == "from":
                continue
            if c.type == "ACCUSE" and child.lower_ == "to":
                continue  # "complained to the UN": the addressee, not the accused
            found = pobj_actors(child, index, deep=deep)
            if not found:
                for p in child.children:
                    if p.dep_ == "pobj" and p.pos_ == "NOUN" and (
                            noun_type(p) or p.lemma_.lower() in lex["irrealis_nouns"]):
                        found += _content_actors(p, index, c.type)
            out += found
        elif child.dep_ in {"ccomp", "xcomp"} and c.type in {"REQUEST", "ACCUSE", "REJECT"}:
            for gc in child.children:
                if gc.dep_ in SUBJ:
                    out += actors_at(gc, index)
    return out


def _first_deep(tokens: list[Token], index: MentionIndex) -> list[Mention]:
    """The first named actor inside the object phrases, else the first group noun ("Iran-backed militias")."""
    for t in tokens:
        found = [m for m in deep_actors(t, index) if m.label not in {"PRON", "GENERIC"}]
        if found:
            return found[:1]
    for t in tokens:
        found = deep_actors(t, index, groups=True)
        if found:
            return found[:1]
    return []


def arguments(c: Candidate, index: MentionIndex) -> tuple[list[Mention], list[Mention]]:
    lex = lexicon()
    if c.kind == "nominal":
        agents, targets = nominal_args(c.head, c.type, index)
        return _finish(c, agents, targets, index)
    verb = c.head
    agents: list[Mention] = []
    targets: list[Mention] = []
    if verb.dep_ == "acl" and verb.tag_ == "VBN" and not any(
            ch.dep_ in SUBJ | PASS_SUBJ | {"dobj"} for ch in verb.children):
        targets += actors_at(verb.head, index)  # "soldiers killed in Ukraine"
        agents += _by_agents(verb, index)
    elif is_passive(verb):
        agents += _by_agents(verb, index)
        subj = [ch for ch in verb.children if ch.dep_ in PASS_SUBJ] or subject(verb)
        for s in subj:
            targets += actors_at(s, index)
    else:
        for s in subject(verb):
            agents += actors_at(s, index)
        for v in [verb] + ([c.action] if c.action is not None else []):
            targets += _object_actors(c, v, index)
        if c.noun is not None and c.kind == "light":
            a2, t2 = nominal_args(c.noun, c.type, index)
            targets += t2
            if not agents:
                agents += a2
    if c.swap:  # "received weapons from the government"
        givers: list[Mention] = []
        for child in verb.children:
            if child.dep_ == "prep" and child.lower_ == "from":
                givers += pobj_actors(child, index)
        agents, targets = givers, agents
    if not targets and c.kind == "intent" and c.action is not None:
        targets += _responded_to(c.action, index)
    if not targets:
        objs: list[Token] = []
        for v in [verb] + ([c.action] if c.action is not None else []) + ([c.noun] if c.noun is not None else []):
            for ch in v.rights:
                if ch.dep_ == "dobj" and c.type == "MOBILIZE":
                    continue
                if ch.dep_ in {"dobj", "dative", "prt", "oprd", "attr"} or (
                        ch.dep_ == "prep" and ch.lower_ not in lex["pure_locative_preps"] | lex["background_preps"]):
                    objs.append(ch)
        targets += _first_deep(objs, index)
    return _finish(c, agents, targets, index)


def _finish(c: Candidate, agents: list[Mention], targets: list[Mention],
            index: MentionIndex) -> tuple[list[Mention], list[Mention]]:
    agents = dedupe(agents)
    targets = dedupe([t for t in targets if t not in agents])
    if not targets and c.type in LOCATIVE_TARGET:
        place = _place_mention(c, index)
        if place is not None and place not in agents:
            targets = [place]
    return agents, targets


def _responded_to(action: Token, index: MentionIndex) -> list[Mention]:
    """"vowed to respond to U.S. attacks": the target of a response is the agent of what it answers."""
    out: list[Mention] = []
    for tok in action.subtree:
        if tok.i != action.i and tok.pos_ == "NOUN" and noun_type(tok) in CONFLICT:
            for child in tok.children:
                if child.dep_ in {"poss", "compound", "amod", "nmod"}:
                    out += actors_at(child, index)
    return out


def _locative_pobjs(c: Candidate) -> list[Token]:
    lex = lexicon()
    heads = [c.head] + ([c.noun] if c.noun is not None and c.noun.i != c.head.i else []) + (
        [c.action] if c.action is not None else [])
    heads += [o for h in list(heads) for o in h.children if o.dep_ == "dobj" and o.pos_ == "NOUN"]  # "stormed a hotel in X"
    out: list[Token] = []
    for h in heads:
        for child in h.children:
            if child.dep_ == "prep" and child.lower_ in lex["place_preps"]:
                out += [p for p in child.children if p.dep_ == "pobj"]
    return out


def place_entities(c: Candidate, index: MentionIndex | None = None) -> Iterator[tuple[Token, Span]]:
    """Place-like entities in the locative phrases of an event, with their first token. ``index``
    gives the doc's entities once (``doc.ents`` rebuilds them all on every call)."""
    for pobj in _locative_pobjs(c):
        for tok in pobj.subtree:
            if tok.ent_type_ in PLACE_LABELS and tok.ent_iob_ == "B":
                if index is not None:
                    ent = index.ents.starting_at(tok.i)
                else:
                    ent = next((e for e in tok.doc.ents if e.start == tok.i), None)
                if ent is not None:
                    yield tok, ent


def _place_mention(c: Candidate, index: MentionIndex) -> Mention | None:
    """The named place where a material action happens, as a target mention ("curfew in Sudan")."""
    for tok, ent in place_entities(c, index):
        if ent.label_ not in {"GPE", "LOC", "ACTOR"}:
            continue
        m = index.at(tok)
        if m is not None and m.label not in {"GENERIC", "PRON"}:
            if m.label == "ACTOR":
                p = resolve_place(ent.text)
                if p is None or p.geonames_id is None:
                    continue
            return m
        return Mention(text=ent.text, start=ent.start_char, end=ent.end_char, label="GPE")
    return None
