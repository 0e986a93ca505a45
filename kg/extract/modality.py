"""Mode: does the text assert that an event happened?

Walk up from the trigger through complement clauses, objects and prepositional phrases: under a
refusal or denial the event is ``negated``, under a demand or appeal ``hypothetical``, under a
threat ``threatened``, under a plan, promise or purpose ``planned``, under an accusation or as the
topic of another event ``reported``; the strongest governor wins. The trigger's own negation and
modals count when no governor does. Events in background phrases ("since last month's invasion",
"after rebels kidnapped ...") are flagged so they are not coded again (GDELT's duplicate events).
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from kg.extract.lexicon import lemma, lexicon
from kg.extract.syntax import is_infinitive, is_purpose
from kg.extract.triggers import CONFLICT, EXPRESSIVE, Candidate, action_type, noun_type, verb_type

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
ARG_DEPS = {"xcomp", "ccomp", "dobj", "acl", "attr", "oprd", "dative"}
#: prepositions of circumstance: an event under them is not the topic of the governing event
NEUTRAL_PREPS = frozenset({"in", "at", "near", "during", "amid", "amidst", "despite", "inside", "outside", "across",
                           "throughout", "within", "by", "as", "after", "before", "since", "following", "with"})


@dataclass
class Context:
    """What an event's governors say about it."""

    mode: str | None = None  # imposed by a governor, strongest wins
    background: bool = False  # a nominal reference inside "after ...", "since ..."
    speech: Token | None = None  # the nearest speech verb the event is reported under
    claim: Token | None = None  # a claim verb ("claimed that ...")

    def add(self, mode: str) -> None:
        if self.mode is None or MODE_RANK[mode] > MODE_RANK[self.mode]:
            self.mode = mode


def head_type(tok: Token) -> str | None:
    """The event type a verb carries itself or through its event-noun object ("staged rallies")."""
    return action_type(tok) if tok.pos_ in {"VERB", "AUX"} else None


def context(tok: Token, nominal: bool, etype: str = "") -> Context:
    """Walk up from an event token and collect what its governors say about it."""
    lex = lexicon()
    ctx = Context()
    cur = tok
    first_np = True  # a nominal event nested in another noun phrase is a reference, not a report
    for _ in range(12):
        parent = cur.head
        if parent.i == cur.i:
            break
        dep = cur.dep_
        if dep == "relcl" and any(c.dep_ == "aux" and c.lower_ == "had" for c in cur.children):
            ctx.background = True  # "X, who had been arrested months ago, ...": anterior, descriptive
            break
        if dep in {"relcl", "parataxis"}:
            break
        if dep == "advcl":
            marks = {c.lower_ for c in cur.children if c.dep_ == "mark"}
            if marks & lex["conditional_marks"]:
                ctx.add("hypothetical")
                break
            if marks & lex["background_preps"]:
                ctx.background = True  # "after rebels kidnapped ...": an earlier event, told as background
                break
            if cur.i == tok.i and head_type(parent) == "PROTEST" and etype != "PROTEST" and (
                    cur.tag_ == "VBG" or is_purpose(cur) and etype in EXPRESSIVE):
                ctx.add("reported")  # "rallied to demand X", "rioted, setting fire to ...": the protest itself
                break
            if is_purpose(cur):
                if cur.i == tok.i and etype in EXPRESSIVE:
                    _inherit_modality(ctx, parent)  # "met to discuss": done if the meeting was
                else:
                    ctx.add("planned")  # "launched an offensive to retake X": not yet done
                break
            if marks or cur.tag_ != "VBG":
                break  # "after X attacked": its own assertion
        if dep in {"pobj", "pcomp"} and parent.dep_ in {"prep", "agent"}:
            if parent.lower_ in lex["background_preps"] or (
                    parent.head.pos_ == "NOUN" and parent.head.lemma_.lower() in lex["background_nouns"]):
                ctx.background = True
        elif dep == "prep":
            _prep_context(ctx, cur, parent, nominal and first_np, nominal and cur.i == tok.head.i)
            if parent.pos_ in {"NOUN", "PROPN"}:
                first_np = False
        elif dep == "conj" and parent.pos_ in {"VERB", "AUX"}:
            _inherit_modality(ctx, parent)
        elif dep in ARG_DEPS:
            if parent.pos_ in {"VERB", "AUX"}:
                if dep == "xcomp":
                    _inherit_modality(ctx, parent)
                _verb_context(ctx, dep, parent, cur)
            elif parent.pos_ == "ADJ" and parent.lemma_.lower() in lex["intent_adjectives"]:
                ctx.add("planned")
            elif parent.pos_ in {"NOUN", "PROPN"} and dep in {"acl", "ccomp"}:
                low = parent.lemma_.lower()
                ptype = noun_type(parent)
                if low in lex["irrealis_nouns"]:
                    ctx.add(IRREALIS_NOUN_MODE.get(low, "planned"))
                elif ptype:
                    ctx.add(EMBED_MODE.get(ptype, "reported"))
        cur = parent
    return ctx


def _inherit_modality(ctx: Context, verb: Token) -> None:
    """"will meet to discuss", "will attack and destroy": the governing verb's own modal applies."""
    lex = lexicon()
    aux = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
    if any(c.dep_ == "neg" for c in verb.children):
        ctx.add("negated")
    elif aux & lex["future_aux"]:
        ctx.add("planned")
    elif aux & lex["hypothetical_aux"] and not aux & {"would", "'d"}:
        ctx.add("hypothetical")


def _prep_context(ctx: Context, prep: Token, gov: Token, nested_nominal: bool, direct_nominal: bool) -> None:
    """An event inside a prepositional phrase of ``gov``: the topic of another event
    ("complained over the raids", "arrested for collaborating") or a reference to an event
    ("expressed concern over the attack", "the scene of ethnic violence")."""
    lex = lexicon()
    if gov.pos_ in {"VERB", "AUX"}:
        ptype = verb_type(gov)
        if ptype and prep.lower_ not in NEUTRAL_PREPS:
            ctx.add(EMBED_MODE.get(ptype, "reported"))
        elif direct_nominal and prep.lower_ not in NEUTRAL_PREPS:
            ctx.add("reported")  # "expressed concern over the attack", "responded to U.S. attacks": a reference
    elif gov.pos_ in {"NOUN", "PROPN"}:
        low = gov.lemma_.lower()
        if low in lex["irrealis_nouns"]:
            ctx.add(IRREALIS_NOUN_MODE.get(low, "planned"))
        elif noun_type(gov):
            ctx.add(EMBED_MODE.get(noun_type(gov), "reported"))
        elif nested_nominal and low not in lex["container_nouns"]:
            ctx.add("reported")


def _verb_context(ctx: Context, dep: str, parent: Token, child: Token) -> None:
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
    elif plem in lex["appeal_verbs"] and (dep == "xcomp" or dep == "ccomp" and is_infinitive(child)):
        ctx.add("hypothetical")  # "urged X to ...", not "told AFP that ..."
    elif plem in lex["claim_verbs"] and dep == "ccomp":
        ctx.add("reported")
        ctx.claim = ctx.claim or parent
    elif verb_type(parent) and dep in {"xcomp", "ccomp", "dobj", "dative", "attr", "oprd"}:
        ctx.add(EMBED_MODE.get(verb_type(parent), "reported"))


def own_mode(c: Candidate, ctx: Context) -> tuple[str, bool]:
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
