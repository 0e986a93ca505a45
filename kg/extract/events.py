"""PLOVER events from the dependency parse.

Triggers come from the lexicon (``kg/data/triggers.json``, lemmas repaired by
:func:`kg.extract.lexicon.lemma`): verbs, phrasal verbs (verb + particle), light verbs whose object
is an event noun ("carried out airstrikes", "launched a mediation effort", "gave 5 million dollars
of aid") and event nouns ("the American airstrikes on X"). Arguments come from the parse: subject
-> agent, objects and target prepositions -> target, passive and reduced relatives swapped ("was
attacked by X", "soldiers killed in Y"), coordination expanded, embedded subjects skipped.

``mode`` says whether the text asserts that the event happened. It is set by walking up from the
trigger through complement clauses, objects and prepositional phrases: under a refusal or denial
it is ``negated``, under a request ``hypothetical``, under a threat ``threatened``, under a plan,
promise or purpose ``planned``, under an accusation or as the topic of another event ``reported``;
own negation and modals count too. Following the PLOVER codebook, the statement of intent is itself
an event: "X will/would <cooperative action>" and "X vowed to <...>" give an asserted AGREE
("will not" gives REJECT), "X will <conflictual action>" an asserted THREATEN; "X said Y must <act>"
gives REQUEST; "X claimed that Y <attacked>" gives ACCUSE. Nominal events in background phrases
("since last month's invasion", "after the clashes") are references to earlier events and are not
coded again (GDELT's duplicate-event problem).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from spacy.tokens import Doc, Token

from kg.extract.actors import MentionIndex, actors_at, deep_actors, is_backing_modifier
from kg.extract.lexicon import BLOCKED, lemma, lexicon
from kg.extract.places import resolve_place
from kg.extract.temporal import TimeValue, event_time
from kg.models import Event, Mention, Place
from kg.models import Span as TextSpan

CONFLICT = frozenset({"ASSAULT", "COERCE", "SANCTION", "MOBILIZE", "PROTEST", "THREATEN"})
COOPERATION = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
#: material actions whose target may be the place where they happen ("curfew in Sudan", "bombs in Kabul")
LOCATIVE_TARGET = frozenset({"ASSAULT", "COERCE", "CONCEDE", "SANCTION", "MOBILIZE", "AID", "PROTEST", "RETREAT"})
#: intransitive event nouns: their "of"-phrase names the agent ("the withdrawal of Serbian forces")
INTRANSITIVE_NOUNS = frozenset({"RETREAT", "MOBILIZE", "PROTEST", "CONSULT", "COOPERATE"})
#: the mode a governing event gives an event it takes as its argument
EMBED_MODE = {"REQUEST": "hypothetical", "THREATEN": "threatened", "REJECT": "negated", "ACCUSE": "reported",
              "AGREE": "planned"}
#: strength of modes when several governors apply (the strongest wins)
MODE_RANK = {"negated": 5, "hypothetical": 4, "threatened": 3, "planned": 2, "reported": 1}
IRREALIS_NOUN_MODE = {"demand": "hypothetical", "request": "hypothetical", "call": "hypothetical", "plea": "hypothetical",
                      "appeal": "hypothetical", "push": "hypothetical", "threat": "threatened", "warning": "threatened",
                      "ultimatum": "threatened", "refusal": "negated", "rejection": "negated", "fear": "hypothetical",
                      "risk": "hypothetical", "danger": "hypothetical", "possibility": "hypothetical",
                      "prospect": "hypothetical", "chance": "hypothetical"}
SUBJ = {"nsubj", "csubj"}
PASS_SUBJ = {"nsubjpass", "csubjpass"}
PLACE_LABELS = {"GPE", "LOC", "FAC", "ACTOR"}
ARG_DEPS = {"xcomp", "ccomp", "dobj", "acl", "attr", "oprd", "dative"}
#: prepositions of circumstance: an event under them is not the topic of the governing event
NEUTRAL_PREPS = frozenset({"in", "at", "near", "during", "amid", "amidst", "despite", "inside", "outside", "across",
                           "throughout", "within", "by", "as", "after", "before", "since", "following", "with"})


@dataclass
class _Candidate:
    type: str
    head: Token  # the token that carries the arguments (verb, light verb, noun)
    trigger_tokens: list[Token]
    kind: str  # verb | phrasal | light | nominal | intent
    noun: Token | None = None  # the event noun (light, nominal)
    action: Token | None = None  # the promised action (intent)
    swap: bool = False  # "received weapons from X": X is the agent, the subject the target
    derived: list[str] = field(default_factory=list)  # why a derived event was made


# ---------------------------------------------------------------------------------------------
# trigger typing


def _noun_type(tok: Token) -> str | None:
    """PLOVER type of an event noun (two-word phrases first), ``None`` for other nouns."""
    lex = lexicon()
    low = tok.lemma_.lower()
    for child in tok.children:
        if child.dep_ in {"compound", "amod"} and child.i < tok.i:
            t = lex.noun_phrases.get((child.lemma_.lower(), low)) or lex.noun_phrases.get((child.lower_, low))
            if t:
                return None if t == BLOCKED else t
        elif child.dep_ == "prep" and child.lower_ == "of":
            for p in child.children:
                t = lex.noun_phrases.get((p.lemma_.lower(), low))
                if t and p.dep_ == "pobj":
                    return None if t == BLOCKED else t
    return lex.nouns.get(low)


def _phrasal_type(tok: Token) -> tuple[str, Token] | None:
    lex = lexicon()
    lem = lemma(tok)
    for child in tok.children:
        if child.dep_ in {"prt", "prep", "advmod"}:
            t = lex.phrasal.get((lem, child.lower_))
            if t:
                return t, child
    return None


def _verb_type(tok: Token) -> str | None:
    if tok.pos_ not in {"VERB", "AUX"}:
        return None
    ph = _phrasal_type(tok)
    if ph:
        return ph[0]
    return lexicon().verbs.get(lemma(tok))


def _event_noun(noun: Token, giver: bool) -> tuple[str, Token] | None:
    """The event type carried by a light verb's object: the noun itself, a container's modifier or
    of-phrase ("mediation mission", "days of war games"), or material given ("dollars of aid")."""
    lex = lexicon()
    t = _noun_type(noun)
    if t:
        return t, noun
    low = noun.lemma_.lower()
    if low in lex["container_nouns"] or noun.like_num or noun.ent_type_ in {"MONEY", "QUANTITY", "CARDINAL"}:
        for child in noun.children:
            if child.dep_ in {"compound", "amod", "nmod"}:
                t = _noun_type(child)
                if t:
                    return t, child
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for p in child.children:
                    if p.dep_ == "pobj":
                        inner = _event_noun(p, giver)
                        if inner:
                            return inner
    if giver and (low in lex["material_nouns"] or noun.ent_type_ == "MONEY"):
        return "AID", noun
    return None


def _has_object(tok: Token) -> bool:
    return any(c.dep_ in {"dobj", "nsubjpass", "auxpass", "dative"} for c in tok.children) or (
        tok.dep_ == "acl" and tok.tag_ == "VBN")


def _involvement_object(tok: Token) -> bool:
    lex = lexicon()
    for c in tok.children:
        if c.dep_ in {"dobj", "nsubjpass"}:
            words = {c.lemma_.lower()} | {g.lemma_.lower() for g in c.subtree if g.dep_ in {"compound", "amod", "pobj"}}
            if words & lex["involvement_nouns"]:
                return True
    return False


def _action_type(action: Token) -> str | None:
    """The type of an action verb as it would be coded on its own (used for promises and threats)."""
    lex = lexicon()
    t = _verb_type(action)
    if t:
        return t
    lem = lemma(action)
    if lem in lex["light_verbs"] or lem in lex["giving_verbs"]:
        for c in action.children:
            if c.dep_ in {"dobj", "nsubjpass"}:
                found = _event_noun(c, lem in lex["giving_verbs"])
                if found:
                    return found[0]
    if lem in lex["involvement_verbs"] and _involvement_object(action):
        return "RETREAT"
    for c in action.children:  # "unite and mobilize": the first typed conjunct
        if c.dep_ == "conj" and c.pos_ == "VERB":
            t = _verb_type(c)
            if t:
                return t
    return None


def _intent_type(head: Token, action: Token) -> str | None:
    lex = lexicon()
    hl = lemma(head) if head.pos_ in {"VERB", "AUX"} else head.lemma_.lower()
    atype = _action_type(action)
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


# ---------------------------------------------------------------------------------------------
# candidates


def _is_adjectival(tok: Token) -> bool:
    """Participles used as adjectives or nouns: "Iran-backed", "allied personnel", "the wounded"."""
    if tok.dep_ in {"amod", "compound"} or (tok.dep_ == "conj" and tok.head.dep_ in {"amod", "compound"}):
        return True
    if tok.tag_ in {"VBN", "VBD"} and tok.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj"} and any(
            c.dep_ == "det" for c in tok.children):
        return True
    return False


def _candidates(doc: Doc) -> list[_Candidate]:
    lex = lexicon()
    found: dict[int, _Candidate] = {}
    consumed: set[int] = set()
    # 1. commitments ("vowed to respond", "willing to withdraw") and light verbs ("carried out airstrikes")
    for tok in doc:
        lem = lemma(tok) if tok.pos_ in {"VERB", "AUX"} else tok.lemma_.lower()
        is_intent = (tok.pos_ == "VERB" and lem in lex["intent_verbs"]) or (
            tok.pos_ == "ADJ" and lem in lex["intent_adjectives"])
        if is_intent:
            action = next((c for c in tok.children if c.dep_ in {"xcomp", "ccomp"} and c.pos_ in {"VERB", "AUX"}
                           and any(a.lower_ == "to" for a in c.children if a.dep_ == "aux")), None)
            if action is not None:
                etype = _intent_type(tok, action)
                if etype:
                    found[tok.i] = _Candidate(etype, tok, [tok, action], "intent", action=action)
                    continue
        if tok.pos_ in {"VERB", "AUX"} and (lem in lex["light_verbs"] or lem in lex["giving_verbs"]) \
                and not _verb_type(tok):
            for c in tok.children:
                if c.dep_ in {"dobj", "nsubjpass"}:
                    hit = _event_noun(c, lem in lex["giving_verbs"])
                    if hit:
                        found[tok.i] = _Candidate(hit[0], tok, [tok, hit[1]], "light", noun=hit[1])
                        consumed.update({c.i, hit[1].i})
                        break
            else:
                for c in tok.children:  # "put under investigation", "placed under arrest"
                    if c.dep_ == "prep" and c.lower_ in {"under", "on", "into"}:
                        for p in c.children:
                            t = _noun_type(p) if p.dep_ == "pobj" else None
                            if t and t not in {"CONSULT"}:
                                found[tok.i] = _Candidate(t, tok, [tok, p], "light", noun=p)
                                consumed.add(p.i)
    # 2. verbs and phrasal verbs
    for tok in doc:
        if tok.i in found or tok.pos_ != "VERB" or _is_adjectival(tok):
            continue
        lem = lemma(tok)
        ph = _phrasal_type(tok)
        if ph:
            found[tok.i] = _Candidate(ph[0], tok, [tok, ph[1]], "phrasal")
            continue
        etype = lex.verbs.get(lem)
        if lem in lex["involvement_verbs"] and _involvement_object(tok):
            etype = "RETREAT"  # allowing observers / peacekeepers in (CAMEO 086)
        elif lem in lex["receiving_verbs"]:
            obj = next((c for c in tok.children if c.dep_ == "dobj"), None)
            if obj is not None and _event_noun(obj, True) and _event_noun(obj, True)[0] == "AID":
                found[tok.i] = _Candidate("AID", tok, [tok, obj], "verb", noun=obj, swap=True)
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
        found[tok.i] = _Candidate(etype, tok, [tok], "verb")
        for c in tok.children:  # "signed an agreement", "rejected the offer": the noun is this event's content
            if c.dep_ in {"dobj", "nsubjpass"} and _noun_type(c):
                consumed.add(c.i)
    # 3. event nouns
    for tok in doc:
        if tok.i in found or tok.i in consumed or tok.pos_ not in {"NOUN", "PROPN"}:
            continue
        if tok.dep_ == "compound" or tok.lemma_.lower() in lex["light_only_nouns"]:
            continue
        if tok.pos_ == "PROPN" and tok.ent_type_ in {"ORG", "PERSON", "GPE", "ACTOR", "NORP"}:
            continue
        etype = _noun_type(tok)
        if etype:
            found[tok.i] = _Candidate(etype, tok, [tok], "nominal", noun=tok)
    return sorted(found.values(), key=lambda c: c.head.i)


# ---------------------------------------------------------------------------------------------
# mode


@dataclass
class _Context:
    mode: str | None = None  # imposed by a governor, strongest wins
    background: bool = False  # a nominal reference inside "after ...", "since ..."
    speech: Token | None = None  # the nearest speech verb the event is reported under
    claim: Token | None = None  # a claim verb ("claimed that ...")

    def add(self, mode: str) -> None:
        if self.mode is None or MODE_RANK[mode] > MODE_RANK[self.mode]:
            self.mode = mode


def _is_purpose(tok: Token) -> bool:
    return tok.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children) and not any(
        c.dep_ in SUBJ for c in tok.children)


def _context(tok: Token, nominal: bool) -> _Context:
    """Walk up from an event token and collect what its governors say about it."""
    lex = lexicon()
    ctx = _Context()
    cur = tok
    first_np = True  # a nominal event nested in another noun phrase is a reference, not a report
    for _ in range(12):
        parent = cur.head
        if parent.i == cur.i:
            break
        dep = cur.dep_
        if dep in {"relcl", "parataxis"}:
            break
        if dep == "advcl":
            marks = {c.lower_ for c in cur.children if c.dep_ == "mark"}
            if marks & lex["conditional_marks"]:
                ctx.add("hypothetical")
                break
            if _is_purpose(cur):
                ctx.add("planned")
                break
            if marks or cur.tag_ != "VBG":
                break  # "after X attacked": its own assertion
        if dep in {"pobj", "pcomp"} and parent.pos_ == "ADP":
            if parent.lower_ in lex["background_preps"] or (
                    parent.head.pos_ == "NOUN" and parent.head.lemma_.lower() in lex["background_nouns"]):
                ctx.background = True
        elif dep == "prep":
            _prep_context(ctx, cur, parent, nominal and first_np)
            if parent.pos_ in {"NOUN", "PROPN"}:
                first_np = False
        elif dep in ARG_DEPS:
            if parent.pos_ in {"VERB", "AUX"}:
                _verb_context(ctx, dep, parent)
            elif parent.pos_ == "ADJ" and parent.lemma_.lower() in lex["intent_adjectives"]:
                ctx.add("planned")
            elif parent.pos_ in {"NOUN", "PROPN"} and dep in {"acl", "ccomp"}:
                low = parent.lemma_.lower()
                ptype = _noun_type(parent)
                if low in lex["irrealis_nouns"]:
                    ctx.add(IRREALIS_NOUN_MODE.get(low, "planned"))
                elif ptype:
                    ctx.add(EMBED_MODE.get(ptype, "reported"))
        cur = parent
    return ctx


def _prep_context(ctx: _Context, prep: Token, gov: Token, nested_nominal: bool) -> None:
    """An event inside a prepositional phrase of ``gov``: the topic of another event
    ("complained over the raids", "arrested for collaborating") or a nested reference."""
    lex = lexicon()
    if gov.pos_ in {"VERB", "AUX"}:
        ptype = _verb_type(gov)
        if ptype and prep.lower_ not in NEUTRAL_PREPS:
            ctx.add(EMBED_MODE.get(ptype, "reported"))
    elif gov.pos_ in {"NOUN", "PROPN"}:
        low = gov.lemma_.lower()
        if low in lex["irrealis_nouns"]:
            ctx.add(IRREALIS_NOUN_MODE.get(low, "planned"))
        elif _noun_type(gov):
            ctx.add(EMBED_MODE.get(_noun_type(gov), "reported"))
        elif nested_nominal and low not in lex["container_nouns"]:
            ctx.add("reported")


def _verb_context(ctx: _Context, dep: str, parent: Token) -> None:
    lex = lexicon()
    plem = lemma(parent)
    if plem in lex["speech_verbs"] and dep == "ccomp":
        ctx.speech = ctx.speech or parent
    if plem in lex["aspect_verbs"] or plem in lex["attempt_verbs"]:
        return
    if plem in lex["negating_verbs"] and dep in {"xcomp", "ccomp", "dobj"}:
        ctx.add("negated")
    elif plem in {"threaten", "warn"} and dep in {"xcomp", "ccomp"}:
        ctx.add("threatened")
    elif plem in lex["intent_verbs"] and dep in {"xcomp", "ccomp"}:
        ctx.add("planned")
    elif plem in lex["claim_verbs"] and dep == "ccomp":
        ctx.add("reported")
        ctx.claim = ctx.claim or parent
    elif _verb_type(parent) and dep in {"xcomp", "ccomp", "dobj", "dative", "attr", "oprd"}:
        ctx.add(EMBED_MODE.get(_verb_type(parent), "reported"))


def _own_mode(c: _Candidate, ctx: _Context) -> tuple[str, bool]:
    """Mode from the trigger's own negation and modals; second value: a future (commitment) reading."""
    lex = lexicon()
    tok = c.head
    neg = any(ch.dep_ == "neg" or ch.lower_ in lex["negations"] and ch.dep_ in {"neg", "advmod", "det"}
              for ch in tok.children)
    if c.noun is not None and any(ch.lower_ in {"no", "never"} for ch in c.noun.children):
        neg = True
    aux = {ch.lower_ for ch in tok.children if ch.dep_ in {"aux", "auxpass"}}
    going = tok.i >= 2 and tok.doc[tok.i - 1].lower_ == "to" and tok.doc[tok.i - 2].lower_ == "going"
    future = bool(aux & lex["future_aux"]) or going or (
        bool(aux & {"would", "'d"}) and ctx.speech is not None)
    if neg:
        return "negated", future
    if future:
        return ("threatened" if c.type in CONFLICT else "planned"), True
    if aux & lex["hypothetical_aux"]:
        return "hypothetical", False
    return "asserted", False


# ---------------------------------------------------------------------------------------------
# arguments


def _subject(verb: Token) -> list[Token]:
    """The subject of a verb, inherited through control, coordination and participles."""
    lex = lexicon()
    subs = [c for c in verb.children if c.dep_ in SUBJ]
    if subs:
        return subs
    cur = verb
    for _ in range(5):
        if cur.dep_ in {"xcomp", "conj", "advcl", "acomp"} and cur.head.i != cur.i:
            child_dep = cur.dep_
            cur = cur.head
            subs = [c for c in cur.children if c.dep_ in SUBJ]
            if subs:
                if child_dep == "xcomp" and lemma(cur) in {"urge", "ask", "call", "force", "order", "demand", "press",
                                                           "persuade", "pressure", "allow", "permit", "invite", "want"}:
                    objs = [c for c in cur.children if c.dep_ == "dobj"]
                    if objs:
                        return objs
                return subs
            if cur.dep_ == "acl" and cur.head.pos_ in {"NOUN", "PROPN"}:
                return _subject(cur)
        elif cur.dep_ == "relcl":
            return [cur.head]
        elif cur.dep_ == "acl":
            noun = cur.head
            if noun.lemma_.lower() in lex["report_nouns"] and noun.dep_ in {"dobj", "pobj"}:
                gov = noun.head if noun.dep_ == "dobj" else noun.head.head
                return _subject(gov) if gov.pos_ in {"VERB", "AUX"} else []
            return [noun] if cur.tag_ == "VBG" else []
        else:
            break
    return []


def _is_passive(verb: Token) -> bool:
    if lemma(verb) in lexicon()["stative_passives"]:
        return False
    return any(c.dep_ in PASS_SUBJ or c.dep_ == "auxpass" for c in verb.children)


def _pobj_actors(prep: Token, index: MentionIndex, deep: bool = False) -> list[Mention]:
    out: list[Mention] = []
    for pobj in prep.children:
        if pobj.dep_ in {"pobj", "pcomp"}:
            out += actors_at(pobj, index, deep=deep or prep.lower_ == "against")
    return out


def _by_agents(verb: Token, index: MentionIndex) -> list[Mention]:
    out: list[Mention] = []
    for child in verb.children:
        if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
            out += _pobj_actors(child, index)
    return out


def _nominal_args(noun: Token, etype: str, index: MentionIndex) -> tuple[list[Mention], list[Mention]]:
    lex = lexicon()
    agents: list[Mention] = []
    targets: list[Mention] = []
    of_actors: list[Mention] = []
    for child in noun.children:
        if child.dep_ in {"poss", "compound", "amod", "nmod"} and child.i < noun.i:
            if not is_backing_modifier(child):
                agents += actors_at(child, index)
        elif child.dep_ == "prep" and child.lower_ in lex["agent_preps_nominal"]:
            agents += _pobj_actors(child, index)
        elif child.dep_ == "prep" and child.lower_ == "of":
            of_actors += _pobj_actors(child, index)
        elif child.dep_ == "prep" and child.lower_ in lex["target_preps_nominal"]:
            targets += _pobj_actors(child, index, deep=etype in {"ASSAULT", "COERCE"})
    if of_actors:
        if not agents and etype in INTRANSITIVE_NOUNS:
            agents += of_actors
        else:
            targets += of_actors
    return agents, targets


def _content_actors(noun: Token, index: MentionIndex) -> list[Mention]:
    """Who an event noun taken as an object is about: "rejected Iraq's proposal" -> Iraq;
    "demanded the withdrawal of Serbian forces" -> Serbian forces."""
    etype = _noun_type(noun) or "REQUEST"
    agents, targets = _nominal_args(noun, etype, index)
    return agents or targets


def _object_actors(c: _Candidate, v: Token, index: MentionIndex) -> list[Mention]:
    lex = lexicon()
    out: list[Mention] = []
    deep = c.type in {"ASSAULT", "COERCE"} or c.kind == "light"
    for child in v.children:
        if child.dep_ in {"dobj", "dative", "attr", "oprd"} and not (c.noun is not None and child.i == c.noun.i):
            found = actors_at(child, index, deep=deep)
            if not found and child.pos_ == "NOUN" and (_noun_type(child) or child.lemma_.lower() in lex["irrealis_nouns"]):
                found = _content_actors(child, index)
            out += found
        elif child.dep_ == "prep" and child.lower_ in lex["target_preps"]:
            if c.swap and child.lower_ == "from":
                continue
            if c.type == "ACCUSE" and child.lower_ == "to":
                continue  # "complained to the UN": the addressee, not the accused
            out += _pobj_actors(child, index)
        elif child.dep_ in {"ccomp", "xcomp"} and c.type in {"REQUEST", "ACCUSE", "REJECT"} and v is c.head:
            for gc in child.children:
                if gc.dep_ in SUBJ:
                    out += actors_at(gc, index)
    return out


def _first_deep(tokens: list[Token], index: MentionIndex) -> list[Mention]:
    for t in tokens:
        found = [m for m in deep_actors(t, index) if m.label not in {"PRON", "GENERIC"}]
        if found:
            return found[:1]
    return []


def _arguments(c: _Candidate, index: MentionIndex) -> tuple[list[Mention], list[Mention]]:
    lex = lexicon()
    if c.kind == "nominal":
        agents, targets = _nominal_args(c.head, c.type, index)
        return _finish(c, agents, targets, index)
    verb = c.head
    agents: list[Mention] = []
    targets: list[Mention] = []
    if verb.dep_ == "acl" and verb.tag_ == "VBN" and not any(ch.dep_ in SUBJ | PASS_SUBJ for ch in verb.children):
        targets += actors_at(verb.head, index)  # "soldiers killed in Ukraine"
        agents += _by_agents(verb, index)
    elif _is_passive(verb):
        agents += _by_agents(verb, index)
        subj = [ch for ch in verb.children if ch.dep_ in PASS_SUBJ] or _subject(verb)
        for s in subj:
            targets += actors_at(s, index)
    else:
        for s in _subject(verb):
            agents += actors_at(s, index)
        for v in [verb] + ([c.action] if c.action is not None else []):
            targets += _object_actors(c, v, index)
        if c.noun is not None and c.kind == "light":
            a2, t2 = _nominal_args(c.noun, c.type, index)
            targets += t2
            if not agents:
                agents += a2
    if c.swap:  # "received weapons from the government"
        givers: list[Mention] = []
        for child in verb.children:
            if child.dep_ == "prep" and child.lower_ == "from":
                givers += _pobj_actors(child, index)
        agents, targets = givers, agents
    if not targets and c.kind == "intent" and c.action is not None:
        targets += _responded_to(c.action, index)
    if not targets:
        objs = [ch for ch in verb.children if ch.dep_ in {"dobj", "dative"}]
        objs += [p for ch in verb.children if ch.dep_ == "prep" and ch.lower_ in lex["target_preps"]
                 and ch.lower_ not in lex["place_preps"] for p in ch.children if p.dep_ == "pobj"]
        if c.noun is not None:
            objs += [p for ch in c.noun.children if ch.dep_ == "prep" for p in ch.children if p.dep_ == "pobj"]
        targets += _first_deep(objs, index)
    return _finish(c, agents, targets, index)


def _finish(c: _Candidate, agents: list[Mention], targets: list[Mention],
            index: MentionIndex) -> tuple[list[Mention], list[Mention]]:
    agents = _dedupe(agents)
    targets = _dedupe([t for t in targets if t not in agents])
    if not targets and c.type in LOCATIVE_TARGET:
        place = _place_mention(c, index)
        if place is not None and place not in agents:
            targets = [place]
    return agents, targets


def _responded_to(action: Token, index: MentionIndex) -> list[Mention]:
    """"vowed to respond to U.S. attacks": the target of a response is the agent of what it answers."""
    out: list[Mention] = []
    for tok in action.subtree:
        if tok.i != action.i and tok.pos_ == "NOUN" and _noun_type(tok) in CONFLICT:
            for child in tok.children:
                if child.dep_ in {"poss", "compound", "amod", "nmod"}:
                    out += actors_at(child, index)
    return out


def _dedupe(ms: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    for m in ms:
        if m not in out:
            out.append(m)
    return out


# ---------------------------------------------------------------------------------------------
# place, time, confidence


def _locative_pobjs(c: _Candidate) -> list[Token]:
    lex = lexicon()
    heads = [c.head] + ([c.noun] if c.noun is not None and c.noun is not c.head else [])
    out: list[Token] = []
    for h in heads:
        for child in h.children:
            if child.dep_ == "prep" and child.lower_ in lex["place_preps"]:
                out += [p for p in child.children if p.dep_ == "pobj"]
    return out


def _place_entity(c: _Candidate):
    for pobj in _locative_pobjs(c):
        for tok in pobj.subtree:
            if tok.ent_type_ in PLACE_LABELS and tok.ent_iob_ == "B":
                ent = next((e for e in tok.doc.ents if e.start == tok.i), None)
                if ent is not None:
                    yield tok, ent


def _place(c: _Candidate) -> Place | None:
    for tok, ent in _place_entity(c):
        if ent.label_ == "ACTOR":
            p = resolve_place(ent.text)
            if p is None or p.geonames_id is None:
                continue
            return p
        name = ent.text
        left = tok.doc[tok.i - 1] if tok.i > 0 else None
        if left is not None and left.dep_ == "amod" and left.head.i == tok.i:
            name = f"{left.text} {name}"
        return resolve_place(name)
    return None


def _place_mention(c: _Candidate, index: MentionIndex) -> Mention | None:
    """The named place where a material action happens, as a target mention ("curfew in Sudan")."""
    for tok, ent in _place_entity(c):
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


def _confidence(c: _Candidate, agents: list[Mention], targets: list[Mention], mode: str) -> float:
    base = {"verb": 0.6, "phrasal": 0.65, "light": 0.7, "intent": 0.6, "nominal": 0.45}[c.kind]
    if agents:
        base += 0.15
    if targets:
        base += 0.1
    if any(m.label in {"GENERIC", "PRON"} for m in agents + targets):
        base -= 0.05
    if mode != "asserted":
        base -= 0.1
    if c.derived:
        base -= 0.05
    return round(max(0.05, min(0.95, base)), 2)


def _sentence_span(tok: Token, heads: list[Token]) -> TextSpan:
    sent = tok.sent
    start = min(t.idx for t in heads)
    end = max(t.idx + len(t) for t in heads)
    return TextSpan(start=start, end=end, sentence=sent.text.strip(), sent_start=sent.start_char, sent_end=sent.end_char)


def _is_past(tok: Token) -> bool:
    if tok.tag_ in {"VBD", "VBN"}:
        return True
    aux = [c for c in tok.children if c.dep_ in {"aux", "auxpass"}]
    if any(a.tag_ in {"VBD", "VBZ", "VBP"} and a.lemma_ == "have" for a in aux):
        return True
    if tok.pos_ in {"NOUN", "ADJ"}:
        return tok.head.tag_ in {"VBD", "VBN"}
    return tok.tag_ == "VBG" and any(a.lemma_ == "have" for a in aux)


# ---------------------------------------------------------------------------------------------
# derived events


def _commitment_type(etype: str, negated: bool) -> str | None:
    """"X will <act>": the statement itself, per the PLOVER codebook."""
    if etype in COOPERATION:
        return "REJECT" if negated else "AGREE"
    if etype in CONFLICT - {"THREATEN"}:
        return None if negated else "THREATEN"
    if etype == "REJECT" and not negated:
        return "REJECT"
    return None


def _obligation_requests(doc: Doc, index: MentionIndex) -> list[tuple[Token, list[Mention], list[Mention]]]:
    """"X said Y must/should <act>": X requests it of Y (PLOVER REQUEST)."""
    lex = lexicon()
    out = []
    for tok in doc:
        if tok.pos_ not in {"VERB", "AUX"} or tok.dep_ != "ccomp":
            continue
        aux = {c.lower_ for c in tok.children if c.dep_ == "aux"}
        obliged = bool(aux & lex["obligation_aux"]) or any(
            c.dep_ == "xcomp" and c.lemma_ in {"have", "need"} for c in tok.children)
        if not obliged or any(c.dep_ == "neg" for c in tok.children):
            continue
        speech = tok.head
        if speech.pos_ != "VERB" or lemma(speech) not in lex["speech_verbs"]:
            continue
        targets = [m for s in tok.children if s.dep_ in SUBJ | PASS_SUBJ for m in actors_at(s, index)]
        agents = [m for s in _subject(speech) for m in actors_at(s, index)]
        if agents and targets and not set(map(id, agents)) & set(map(id, targets)):
            out.append((speech, agents, targets))
    return out


def find_events(doc: Doc, index: MentionIndex, pub: date | None) -> tuple[Event, ...]:
    """All event mentions in a document (not yet merged; see :mod:`kg.resolve`)."""
    events: list[Event] = []

    def emit(c: _Candidate, etype: str, agents: list[Mention], targets: list[Mention], mode: str,
             head: Token, trigger_tokens: list[Token], place: Place | None, when: TimeValue) -> None:
        trigger_text = " ".join(t.text for t in sorted(trigger_tokens, key=lambda t: t.i))
        events.append(Event(
            type=etype, trigger=trigger_text, span=_sentence_span(head, trigger_tokens),
            agents=tuple(agents), targets=tuple(targets), place=place,
            date=when.date, earliest=when.earliest, latest=when.latest,
            mode=mode, confidence=_confidence(c, agents, targets, mode),
        ))

    lex = lexicon()
    for c in _candidates(doc):
        anchor = c.noun if c.kind == "nominal" else c.head
        ctx = _context(anchor, c.kind == "nominal")
        if c.kind == "nominal" and ctx.background:
            continue  # a reference to an earlier event ("since last month's invasion")
        agents, targets = _arguments(c, index)
        if c.type in {"MOBILIZE"} and c.noun is not None and (
                c.noun.lemma_.lower() in lex["joint_nouns"] or any(
                    ch.lemma_.lower() in lex["joint_nouns"] for ch in c.noun.children if ch.dep_ == "compound")) and (
                len(agents) > 1 or any(ch.lower_ == "joint" for ch in c.noun.children)):
            c.type = "COOPERATE"  # joint exercises are military cooperation (CAMEO 062)
        if not agents and not targets:
            continue  # an event with no actor at all is not coded
        own, future = _own_mode(c, ctx) if c.kind != "intent" else ("asserted", False)
        mode = ctx.mode or own
        time_heads = [c.head] + ([c.noun] if c.noun is not None else []) + c.trigger_tokens[1:]
        time_heads += [s for s in c.head.children if s.dep_ in SUBJ and s.pos_ == "NOUN" and _noun_type(s)]
        when = event_time(time_heads, c.head.sent, pub)
        if when.empty and pub is not None and mode == "asserted" and _is_past(c.head):
            when = TimeValue(latest=pub)  # reported as past: it happened by the publication date
        place = _place(c)
        emit(c, c.type, agents, targets, mode, c.head, c.trigger_tokens, place, when)
        if ctx.mode is None and future and agents and c.kind != "nominal":
            ctype = _commitment_type(c.type, own == "negated")
            if ctype:
                c.derived.append("commitment")
                emit(c, ctype, agents, targets, "asserted", c.head, c.trigger_tokens, None, TimeValue(
                    latest=pub) if pub else TimeValue())
        if ctx.claim is not None and c.type in CONFLICT and agents:
            claimants = [m for s in _subject(ctx.claim) for m in actors_at(s, index)]
            if claimants and not set(map(id, claimants)) & set(map(id, agents)):
                c.derived.append("claim")
                emit(c, "ACCUSE", claimants, agents, "asserted", ctx.claim, [ctx.claim], None,
                     TimeValue(latest=pub) if pub and _is_past(ctx.claim) else TimeValue())
    for speech, agents, targets in _obligation_requests(doc, index):
        c = _Candidate("REQUEST", speech, [speech], "verb", derived=["obligation"])
        when = TimeValue(latest=pub) if pub and _is_past(speech) else TimeValue()
        emit(c, "REQUEST", agents, targets, "asserted", speech, [speech], None, when)
    return tuple(events)


def with_mode(event: Event, mode: str) -> Event:
    """Copy of ``event`` with another mode."""
    return replace(event, mode=mode)
