"""Event triggers: which tokens name a PLOVER event, and of which type.

Verbs and phrasal verbs from the lexicon (lemmas repaired by :func:`kg.extract.lexicon.lemma`), light
verbs whose object is an event noun ("carried out airstrikes", "launched a mediation effort", "gave 5
million dollars of aid"), verb + object pairs ("broke relations"), event nouns ("the American
airstrikes"), and commitments ("vowed to respond", "willing to withdraw") typed by the action promised.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from kg.extract.columns import Columns, columns
from kg.extract.lexicon import BLOCKED, lemma, lemma_of, lexicon
from kg.extract.syntax import SUBJ, subject

CONFLICT = frozenset({"ASSAULT", "COERCE", "SANCTION", "MOBILIZE", "PROTEST", "THREATEN"})
COOPERATION = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
#: verbal acts: a purpose clause reports them as done ("gathered to protest", "met to discuss")
EXPRESSIVE = frozenset({"PROTEST", "CONSULT", "REQUEST", "ACCUSE", "SUPPORT", "REJECT"})


@dataclass
class Candidate:
    """A trigger found in the parse, before its arguments and mode are known."""

    type: str
    head: Token  # the token that carries the arguments (verb, light verb, noun)
    trigger_tokens: list[Token]
    kind: str  # verb | phrasal | light | nominal | intent
    noun: Token | None = None  # the event noun (light, nominal)
    action: Token | None = None  # the promised action (intent)
    swap: bool = False  # "received weapons from X": X is the agent, the subject the target
    derived: list[str] = field(default_factory=list)  # why a derived event was made


def noun_type(tok: Token) -> str | None:
    """PLOVER type of an event noun (two-word phrases first), ``None`` for other nouns."""
    return noun_type_at(columns(tok.doc), tok.i)


def noun_type_at(cols: Columns, i: int) -> str | None:
    """:func:`noun_type` of token ``i``, from the doc's columns."""
    lex = lexicon()
    low, lower, dep = cols.lemma[i], cols.lower[i], cols.dep
    for c in cols.children(i):
        if c < i and dep[c] in {"compound", "amod"}:
            t = next((lex.noun_phrases[k] for k in ((cols.lemma[c], low), (cols.lower[c], low),
                                                    (cols.lower[c], lower)) if k in lex.noun_phrases), None)
            if t:
                return None if t == BLOCKED else t
        elif dep[c] == "prep" and cols.lower[c] == "of":
            for p in cols.children(c):
                t = lex.noun_phrases.get((cols.lemma[p], low))
                if t and dep[p] == "pobj":
                    return None if t == BLOCKED else t
    t = lex.nouns.get(low) or lex.nouns.get(lower)
    if t is None and i >= 2 and cols.text[i - 1] == "-":  # "sit-in", "cease-fire", "pull-out"
        t = lex.nouns.get(f"{cols.lower[i - 2]}-{lower}")
    return t


def phrasal_type(tok: Token) -> tuple[str, Token] | None:
    """Verb + particle ("pull out"), or verb + preposition on the verb or its object ("shared X with Y")."""
    found = phrasal_type_at(columns(tok.doc), tok.i)
    return (found[0], tok.doc[found[1]]) if found else None


def phrasal_type_at(cols: Columns, i: int) -> tuple[str, int] | None:
    """:func:`phrasal_type` of token ``i``, from the doc's columns: (type, particle's index)."""
    lex = lexicon()
    lem = lemma_at(cols, i)
    dep = cols.dep
    for c in cols.children(i):
        if dep[c] in {"prt", "prep", "advmod"}:
            t = lex.phrasal.get((lem, cols.lower[c]))
            if t:
                return t, c
    for obj in cols.children(i):
        if dep[obj] == "dobj":
            for c in cols.children(obj):
                t = lex.phrasal.get((lem, cols.lower[c])) if dep[c] == "prep" else None
                if t:
                    return t, c
    return None


def lemma_at(cols: Columns, i: int) -> str:
    """:func:`kg.extract.lexicon.lemma` of token ``i``, from the doc's columns."""
    return lemma_of(cols.lemma[i], cols.pos[i], cols.lower[i])


def verb_type(tok: Token) -> str | None:
    """PLOVER type of a verb (phrasal entries first), ``None`` for other tokens."""
    return verb_type_at(columns(tok.doc), tok.i)


def verb_type_at(cols: Columns, i: int) -> str | None:
    """:func:`verb_type` of token ``i``, from the doc's columns."""
    if cols.pos[i] not in {"VERB", "AUX"}:
        return None
    ph = phrasal_type_at(cols, i)
    if ph:
        return ph[0]
    return lexicon().verbs.get(lemma_at(cols, i))


def event_noun(noun: Token, giver: bool) -> tuple[str, Token] | None:
    """The event type carried by a light verb's object: the noun itself, a container's modifier or
    of-phrase ("mediation mission", "days of war games"), or material given ("dollars of aid")."""
    lex = lexicon()
    t = noun_type(noun)
    if t:
        return t, noun
    low = noun.lemma_.lower()
    if low in lex["container_nouns"] or noun.like_num or noun.ent_type_ in {"MONEY", "QUANTITY", "CARDINAL"}:
        for child in noun.children:
            if child.dep_ in {"compound", "amod", "nmod"}:
                t = noun_type(child)
                if t:
                    return t, child
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for p in child.children:
                    if p.dep_ == "pobj":
                        inner = event_noun(p, giver)
                        if inner:
                            return inner
    if giver and any(t.lemma_.lower() in lex["material_nouns"] or t.ent_type_ == "MONEY" for t in [noun, *noun.conjuncts]):
        return "AID", noun
    return None


def _has_object(tok: Token) -> bool:
    return any(c.dep_ in {"dobj", "nsubjpass", "auxpass", "dative"} for c in tok.children) or (
        tok.dep_ == "acl" and tok.tag_ == "VBN")


def _involvement_object(tok: Token) -> bool:
    lex = lexicon()
    for c in tok.children:
        if c.dep_ in {"dobj", "nsubjpass", "ccomp", "oprd", "xcomp"} and c.pos_ in {"NOUN", "PROPN"}:
            words = {c.lemma_.lower()} | {g.lemma_.lower() for g in c.subtree if g.dep_ in {"compound", "amod", "pobj"}}
            if words & lex["involvement_nouns"]:
                return True
    return False


def action_type(action: Token) -> str | None:
    """The type of an action verb as it would be coded on its own (used for promises and threats)."""
    lex = lexicon()
    t = verb_type(action)
    if t:
        return t
    lem = lemma(action)
    for c in action.children:
        if c.dep_ in {"dobj", "nsubjpass"}:
            t = lex.verb_objects.get((lem, c.lemma_.lower())) or lex.verb_objects.get((lem, c.lower_))
            if t:
                return t
    if lem in lex["light_verbs"] or lem in lex["giving_verbs"]:
        for c in action.children:
            if c.dep_ in {"dobj", "nsubjpass"}:
                found = event_noun(c, lem in lex["giving_verbs"])
                if found:
                    return found[0]
    if lem in lex["involvement_verbs"] and _involvement_object(action):
        return "RETREAT"
    for c in action.children:  # "unite and mobilize": the first typed conjunct
        if c.dep_ == "conj" and c.pos_ == "VERB":
            t = verb_type(c)
            if t:
                return t
    return None


def intent_type(head: Token, action: Token) -> str | None:
    lex = lexicon()
    hl = lemma(head) if head.pos_ in {"VERB", "AUX"} else head.lemma_.lower()
    atype = action_type(action)
    negated = any(c.dep_ == "neg" for c in action.children) or any(c.dep_ == "neg" for c in head.children)
    if hl in {"threaten", "warn"}:
        return "THREATEN"
    if atype in CONFLICT - {"THREATEN"} or lemma(action) in lex["conflict_responses"]:
        return None if negated else "THREATEN"
    if negated and (atype in COOPERATION or hl in lex["cooperative_intent_verbs"]):
        return "REJECT"
    if atype == "REJECT":
        return "REJECT"
    if atype in COOPERATION or hl in lex["cooperative_intent_verbs"]:
        return "AGREE"
    return None


def promised_action(tok: Token) -> Token | None:
    """The action a commitment word governs: "vowed to respond", "committed to opening"."""
    for c in tok.children:
        if c.dep_ in {"xcomp", "ccomp"} and c.pos_ in {"VERB", "AUX"} and any(
                a.lower_ == "to" for a in c.children if a.dep_ == "aux") and not any(
                a.dep_ in SUBJ for a in c.children):
            return c
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "to":
            for p in c.children:
                if p.dep_ == "pcomp" and p.tag_ == "VBG":
                    return p
    return None


def _no_comment(action: Token) -> bool:
    """"declined to comment", but not "refused to respond to a demand"."""
    lex = lexicon()
    if lemma(action) not in lex["no_comment_verbs"]:
        return False
    for t in action.subtree:
        if t is not action and t.pos_ == "NOUN" and (noun_type(t) or t.lemma_.lower() in lex["irrealis_nouns"]):
            return False
    return True


def _actor_subject(tok: Token, doc: Doc) -> bool:
    """True when the one committing is an actor itself (not "a resolution that aims to")."""
    subs = subject(tok)
    if not subs:
        return False
    s = subs[0]
    if s.lower_ in {"that", "which"}:
        return False
    return s.pos_ in {"PROPN", "PRON"} or s.ent_type_ != "" or s.lemma_.lower() in lexicon()["generic_actors"] \
        or s.lemma_.lower() in lexicon()["quantity_nouns"]


def _is_adjectival_at(cols: Columns, i: int) -> bool:
    """Participles used as adjectives or nouns: "Iran-backed", "allied personnel", "the wounded"."""
    dep = cols.dep
    if dep[i] in {"amod", "compound"} or (dep[i] == "conj" and dep[cols.head[i]] in {"amod", "compound"}):
        return True
    if cols.tag[i] in {"VBN", "VBD"} and dep[i] in {"nsubj", "nsubjpass", "dobj", "pobj"} and any(
            dep[c] == "det" for c in cols.children(i)):
        return True
    return False


def find_candidates(doc: Doc) -> list[Candidate]:
    lex = lexicon()
    found: dict[int, Candidate] = {}
    consumed: set[int] = set()
    cols = columns(doc)
    pos = cols.pos
    # 1. commitments ("vowed to respond", "willing to withdraw") and light verbs ("carried out airstrikes")
    dep, kids = cols.dep, cols.children
    for i in cols.where(pos, {"VERB", "AUX", "ADJ"}):  # nothing below for other tokens
        tok = doc[i]
        verbal = pos[i] in {"VERB", "AUX"}
        lem = lemma_at(cols, i) if verbal else cols.lemma[i]
        is_intent = (pos[i] == "VERB" and lem in lex["intent_verbs"]) or (
            pos[i] == "ADJ" and lem in lex["intent_adjectives"])
        if is_intent and not any(dep[c] == "dobj" for c in kids(i)):  # "wants Putin to": not his own act
            action = promised_action(tok)
            if action is not None and _actor_subject(tok, doc):
                etype = intent_type(tok, action)
                if etype:
                    found[tok.i] = Candidate(etype, tok, [tok, action], "intent", action=action)
                    continue
        if verbal and lex.verb_objects:
            o = next((c for c in kids(i) if dep[c] in {"dobj", "nsubjpass", "oprd"}
                      and ((lem, cols.lemma[c]) in lex.verb_objects or (lem, cols.lower[c]) in lex.verb_objects)), None)
            if o is not None:
                etype = lex.verb_objects.get((lem, cols.lemma[o])) or lex.verb_objects[(lem, cols.lower[o])]
                obj = doc[o]
                found[i] = Candidate(etype, tok, [tok, obj], "light", noun=obj)
                consumed.add(o)
                continue
        own = verb_type_at(cols, i) if verbal else None
        if verbal and (lem in lex["light_verbs"] or lem in lex["giving_verbs"]) \
                and (own is None or own == "AID" and lem in lex["giving_verbs"]):  # "granted an amnesty": CONCEDE
            for c in tok.children:
                if c.dep_ in {"dobj", "nsubjpass"}:
                    hit = event_noun(c, lem in lex["giving_verbs"])
                    if hit:
                        found[tok.i] = Candidate(hit[0], tok, [tok, hit[1]], "light", noun=hit[1])
                        consumed.update({c.i, hit[1].i})
                        break
            else:
                for c in tok.children:  # "put under investigation", "placed under arrest"
                    if c.dep_ == "prep" and c.lower_ in {"under", "on", "into", "as"}:
                        for p in c.children:
                            t = noun_type(p) if p.dep_ == "pobj" else None
                            if t and t not in {"CONSULT"}:
                                found[tok.i] = Candidate(t, tok, [tok, p], "light", noun=p)
                                consumed.add(p.i)
    # 2. verbs and phrasal verbs
    for i in cols.where(pos, {"VERB"}):
        if i in found or _is_adjectival_at(cols, i):
            continue
        tok = doc[i]
        lem = lemma_at(cols, i)
        ph = phrasal_type_at(cols, i)
        if ph:
            found[i] = Candidate(ph[0], tok, [tok, doc[ph[1]]], "phrasal")
            continue
        etype = lex.verbs.get(lem)
        if lem in lex["involvement_verbs"] and _involvement_object(tok):
            etype = "RETREAT"  # allowing observers / peacekeepers in (CAMEO 086)
        elif lem in lex["receiving_verbs"]:
            obj = next((c for c in tok.children if c.dep_ == "dobj"), None)
            if obj is not None and event_noun(obj, True) and event_noun(obj, True)[0] == "AID":
                found[tok.i] = Candidate("AID", tok, [tok, obj], "verb", noun=obj, swap=True)
                consumed.add(obj.i)
                continue
        if etype is None:
            continue
        if lem in lex["transitive_only"] and not _has_object(tok):
            continue
        if lem in {"help", "assist"} and any(c.dep_ in {"xcomp", "ccomp"} for c in tok.children):
            continue  # "helped (to) plan": the helped action is the event
        if lem == "seek" and not any(c.dep_ == "dobj" for c in tok.children):
            continue
        action = promised_action(tok) if etype in {"REJECT", "REQUEST"} else None
        if etype == "REJECT" and action is not None and _no_comment(action) and not any(
                c.dep_ == "dobj" for c in tok.children):
            continue  # "declined to comment": no PLOVER event (CAMEO 017)
        if lem == "deny" and any(c.dep_ == "dobj" and c.lemma_.lower() in lex["denial_objects"] for c in tok.children):
            continue  # "denied any involvement": denying responsibility is no PLOVER event (CAMEO 016)
        found[i] = Candidate(etype, tok, [tok], "verb", action=action)
        for c in kids(i):  # "signed an agreement", "rejected the offer": the noun is this event's content
            if dep[c] in {"dobj", "nsubjpass"} and noun_type_at(cols, c):
                consumed.add(c)
    # 3. event nouns
    for i in cols.where(pos, {"NOUN", "PROPN"}):
        if i in found or i in consumed:
            continue
        if dep[i] == "compound" or cols.lemma[i] in lex["light_only_nouns"]:
            continue
        if pos[i] == "PROPN" and cols.ent_type[i] in {"ORG", "PERSON", "GPE", "ACTOR", "NORP"}:
            continue
        etype = noun_type_at(cols, i)
        if etype:
            tok = doc[i]
            found[i] = Candidate(etype, tok, [tok], "nominal", noun=tok)
    return sorted(found.values(), key=lambda c: c.head.i)
