"""PLOVER events from the dependency parse.

Triggers are found with a spaCy :class:`DependencyMatcher` built from the trigger lexicon
(``kg/data/triggers.json``): single verbs, phrasal verbs (verb + particle), light verbs with an event
noun as object ("carried out airstrikes") and event nouns ("the American airstrikes on X").
Arguments come from the parse: subject -> agent, object / "against"-phrases -> target, with passive
voice swapped ("was attacked by X"), coordination expanded and embedded subjects skipped.
Commitments ("vowed to respond", "will support") become AGREE or THREATEN by the kind of action
promised; negation, modality and reporting set ``mode``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from kg.extract.actors import MentionIndex, actors_at
from kg.extract.lexicon import lexicon
from kg.extract.places import resolve_place
from kg.extract.temporal import TimeValue, event_time
from kg.models import Event, Mention, Place
from kg.models import Span as TextSpan

CONFLICT = frozenset({"ASSAULT", "COERCE", "SANCTION", "MOBILIZE", "PROTEST", "THREATEN"})
COOPERATION = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
#: governing verb types that make an embedded action not-happened, and the mode they give it
EMBED_MODE = {"REQUEST": "hypothetical", "THREATEN": "threatened", "REJECT": "negated", "ACCUSE": "reported",
              "AGREE": "planned"}
SUBJ = {"nsubj", "csubj"}
PASS_SUBJ = {"nsubjpass", "csubjpass"}
PLACE_LABELS = {"GPE", "LOC", "FAC", "ACTOR"}


@dataclass
class _Candidate:
    type: str
    head: Token  # the token that carries the arguments (verb, or light verb)
    trigger_tokens: list[Token]
    kind: str  # verb | phrasal | light | nominal | intent
    noun: Token | None = None


@lru_cache(maxsize=4)
def _matcher(vocab: Vocab) -> DependencyMatcher:
    lex = lexicon()
    m = DependencyMatcher(vocab)
    m.add("VERB", [[{"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"POS": {"IN": ["VERB"]}, "LEMMA": {"IN": sorted(lex.verbs)}}}]])
    particles = sorted({p for _, p in lex.phrasal})
    m.add("PHRASAL", [[
        {"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"POS": "VERB", "LEMMA": {"IN": sorted({v for v, _ in lex.phrasal})}}},
        {"LEFT_ID": "trigger", "REL_OP": ">", "RIGHT_ID": "particle",
         "RIGHT_ATTRS": {"DEP": {"IN": ["prt", "prep", "advmod"]}, "LOWER": {"IN": particles}}},
    ]])
    m.add("LIGHT", [[
        {"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"POS": {"IN": ["VERB", "AUX"]}, "LEMMA": {"IN": sorted(lex["light_verbs"])}}},
        {"LEFT_ID": "trigger", "REL_OP": ">", "RIGHT_ID": "noun",
         "RIGHT_ATTRS": {"DEP": {"IN": ["dobj", "nsubjpass"]}, "LEMMA": {"IN": sorted(lex.nouns)}}},
    ]])
    m.add("NOMINAL", [[{"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"POS": {"IN": ["NOUN", "PROPN"]}, "LEMMA": {"IN": sorted(lex.nouns)}}}]])
    intents = sorted(lex["intent_verbs"] | {"threaten", "warn"})
    m.add("INTENT", [[
        {"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"POS": "VERB", "LEMMA": {"IN": intents}}},
        {"LEFT_ID": "trigger", "REL_OP": ">", "RIGHT_ID": "action", "RIGHT_ATTRS": {"DEP": "xcomp", "POS": "VERB"}},
    ]])
    m.add("READY", [[
        {"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"LEMMA": {"IN": sorted(lex["intent_adjectives"])}}},
        {"LEFT_ID": "trigger", "REL_OP": ">", "RIGHT_ID": "action", "RIGHT_ATTRS": {"DEP": "xcomp", "POS": "VERB"}},
    ]])
    return m


def _noun_type(tok: Token) -> str | None:
    lex = lexicon()
    for child in tok.lefts:
        if child.dep_ in {"compound", "amod"}:
            t = lex.noun_phrases.get((child.lemma_.lower(), tok.lemma_.lower()))
            if t:
                return t
    return lex.nouns.get(tok.lemma_.lower())


def _verb_type(tok: Token) -> str | None:
    lex = lexicon()
    for child in tok.children:
        if child.dep_ in {"prt", "prep", "advmod"}:
            t = lex.phrasal.get((tok.lemma_.lower(), child.lower_))
            if t:
                return t
    return lex.verbs.get(tok.lemma_.lower())


def _candidates(doc: Doc) -> list[_Candidate]:
    lex = lexicon()
    matcher = _matcher(doc.vocab)
    by_head: dict[int, _Candidate] = {}
    consumed_nouns: set[int] = set()
    order = {"INTENT": 0, "READY": 0, "LIGHT": 1, "PHRASAL": 2, "VERB": 3, "NOMINAL": 4}
    matches = sorted(matcher(doc), key=lambda m: order[doc.vocab.strings[m[0]]])
    for match_id, ids in matches:
        label = doc.vocab.strings[match_id]
        trig = doc[ids[0]]
        if label in {"INTENT", "READY"}:
            action = doc[ids[1]]
            atype = _verb_type(action)
            promised_conflict = atype in CONFLICT or action.lemma_.lower() in lex["conflict_responses"]
            head_is_threat = trig.lemma_.lower() in {"threaten", "warn"}
            negated = any(c.dep_ == "neg" for c in action.children) or any(c.dep_ == "neg" for c in trig.children)
            if head_is_threat or promised_conflict:
                etype = "THREATEN"
            elif negated:
                etype = "REJECT"
            else:
                etype = "AGREE"
            if trig.i not in by_head:
                by_head[trig.i] = _Candidate(etype, trig, [trig, action], "intent")
        elif label == "LIGHT":
            noun = doc[ids[1]]
            ntype = _noun_type(noun)
            if ntype and trig.i not in by_head:
                by_head[trig.i] = _Candidate(ntype, trig, [trig, noun], "light", noun)
                consumed_nouns.add(noun.i)
        elif label == "PHRASAL":
            particle = doc[ids[1]]
            etype = lex.phrasal.get((trig.lemma_.lower(), particle.lower_))
            if etype and trig.i not in by_head:
                by_head[trig.i] = _Candidate(etype, trig, [trig, particle], "phrasal")
        elif label == "VERB":
            if trig.i in by_head or trig.dep_ in {"amod", "compound"} or (
                    trig.dep_ == "conj" and trig.head.dep_ in {"amod", "compound"}):
                continue  # participles used as adjectives: "Iran-backed", "allied personnel"
            etype = lex.verbs[trig.lemma_.lower()]
            if trig.lemma_.lower() == "seek" and not any(c.dep_ == "dobj" for c in trig.children):
                continue  # "sought to X" is trying, not requesting
            if trig.lemma_.lower() in lex["light_verbs"] and any(c.dep_ == "dobj" and c.i in consumed_nouns for c in trig.children):
                continue
            by_head[trig.i] = _Candidate(etype, trig, [trig], "verb")
        elif label == "NOMINAL":
            if trig.i in consumed_nouns or trig.i in by_head:
                continue
            etype = _noun_type(trig)
            if etype:
                by_head[trig.i] = _Candidate(etype, trig, [trig], "nominal", trig)
    # a commitment's promised action is not a separate asserted event: keep it, mode set later
    return sorted(by_head.values(), key=lambda c: c.head.i)


def _subject(verb: Token) -> list[Token]:
    subs = [c for c in verb.children if c.dep_ in SUBJ]
    if subs:
        return subs
    # xcomp / conj / advcl / relcl inherit the controller's subject
    cur = verb
    for _ in range(4):
        if cur.dep_ in {"xcomp", "conj", "advcl"} and cur.head.i != cur.i:
            cur = cur.head
            subs = [c for c in cur.children if c.dep_ in SUBJ]
            if subs:
                if cur.lemma_.lower() in {"urge", "ask", "call", "force", "order", "demand", "press", "persuade"}:
                    objs = [c for c in cur.children if c.dep_ == "dobj"]
                    if objs and verb.dep_ == "xcomp":
                        return objs
                return subs
        elif cur.dep_ == "relcl":
            return [cur.head]
        elif cur.dep_ == "acl" and cur.tag_ == "VBG":
            return [cur.head]
        else:
            break
    return []


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in PASS_SUBJ or c.dep_ == "auxpass" for c in verb.children)


def _pobj_actors(prep: Token, index: MentionIndex) -> list[Mention]:
    out: list[Mention] = []
    for pobj in prep.children:
        if pobj.dep_ == "pobj":
            out += actors_at(pobj, index, deep=prep.lower_ == "against")
    return out


def _arguments(c: _Candidate, index: MentionIndex) -> tuple[list[Mention], list[Mention]]:
    lex = lexicon()
    head = c.head
    agents: list[Mention] = []
    targets: list[Mention] = []
    if c.kind == "nominal":
        noun = c.head
        for child in noun.children:
            if child.dep_ in {"poss", "compound", "amod", "nmod"}:
                agents += actors_at(child, index)
            elif child.dep_ == "prep" and child.lower_ == "by":
                agents += _pobj_actors(child, index)
            elif child.dep_ == "prep" and child.lower_ in {"on", "against", "with", "between", "of", "to", "toward", "towards", "upon"}:
                targets += _pobj_actors(child, index)
        if not agents and noun.dep_ in SUBJ | {"dobj"} and noun.head.pos_ == "VERB":
            pass
        return _dedupe(agents), _dedupe([t for t in targets if t not in agents])
    verb = head
    action = c.trigger_tokens[1] if c.kind == "intent" and len(c.trigger_tokens) > 1 else None
    if _is_passive(verb):
        for child in verb.children:
            if child.dep_ == "agent":
                agents += _pobj_actors(child, index)
            elif child.dep_ in PASS_SUBJ:
                targets += actors_at(child, index)
    else:
        for s in _subject(verb):
            agents += actors_at(s, index)
        arg_verbs = [verb] + ([action] if action is not None else [])
        for v in arg_verbs:
            for child in v.children:
                if child.dep_ in {"dobj", "dative", "attr"} or (child.dep_ == "nsubj" and v is action):
                    targets += actors_at(child, index, deep=c.type in {"ASSAULT", "COERCE"} or c.kind == "light")
                elif child.dep_ == "prep" and child.lower_ in lex["target_preps"]:
                    targets += _pobj_actors(child, index)
                elif child.dep_ in {"ccomp", "xcomp"} and c.type in {"REQUEST", "ACCUSE"}:
                    for gc in child.children:
                        if gc.dep_ in SUBJ:
                            targets += actors_at(gc, index)
            if c.noun is not None:
                for child in c.noun.children:
                    if child.dep_ == "prep" and child.lower_ in lex["target_preps"]:
                        targets += _pobj_actors(child, index)
                    elif child.dep_ in {"poss", "amod", "compound"} and not agents:
                        agents += actors_at(child, index)
    if c.kind == "intent" and action is not None and not targets:
        targets += _responded_to(action, index)
    agents = _dedupe(agents)
    return agents, _dedupe([t for t in targets if t not in agents])


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


def _mode(c: _Candidate) -> str:
    lex = lexicon()
    tok = c.head
    if c.kind == "intent":
        return "asserted"
    neg = any(ch.dep_ == "neg" or ch.lower_ in lex["negations"] for ch in tok.children)
    if c.noun is not None and any(ch.lower_ in {"no", "never"} for ch in c.noun.children):
        neg = True
    aux = {ch.lower_ for ch in tok.children if ch.dep_ in {"aux", "auxpass"}}
    # walk up through complement clauses / objects to the governing verbs
    cur = tok
    for _ in range(5):
        if cur.dep_ not in {"xcomp", "ccomp", "dobj", "pobj", "acomp", "advcl"} or cur.head.i == cur.i:
            break
        if cur.dep_ == "pobj":  # "called for sanctions": only a governing trigger verb counts
            gov = cur.head.head
            gtype = _verb_type(gov) if gov.pos_ == "VERB" else None
            if gtype in EMBED_MODE:
                return EMBED_MODE[gtype]
            break
        parent = cur.head
        plemma = parent.lemma_.lower()
        if plemma in lex["negating_verbs"]:
            return "negated"
        if plemma in {"threaten", "warn"}:
            return "threatened"
        if plemma in lex["intent_verbs"] or plemma in lex["intent_adjectives"]:
            return "planned"
        if plemma in lex["try_verbs"]:
            return "planned"
        ptype = _verb_type(parent) if parent.pos_ == "VERB" else None
        if ptype in EMBED_MODE and cur.dep_ in {"xcomp", "ccomp", "dobj", "prep", "pobj"}:
            return EMBED_MODE[ptype]
        cur = parent
    if neg:
        return "negated"
    if aux & lex["hypothetical_aux"]:
        return "hypothetical"
    if aux & lex["future_aux"]:
        return "threatened" if c.type in CONFLICT else "planned"
    return "asserted"


def _place(c: _Candidate, index: MentionIndex) -> Place | None:
    lex = lexicon()
    heads = [c.head] + ([c.noun] if c.noun is not None else [])
    for h in heads:
        for child in h.children:
            if child.dep_ == "prep" and child.lower_ in lex["place_preps"]:
                for pobj in child.children:
                    if pobj.dep_ != "pobj":
                        continue
                    for tok in pobj.subtree:
                        if tok.ent_type_ in PLACE_LABELS and tok.ent_iob_ == "B":
                            ent = next((e for e in tok.doc.ents if e.start == tok.i), None)
                            if ent is None:
                                continue
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


def _confidence(c: _Candidate, agents: list[Mention], targets: list[Mention], mode: str) -> float:
    base = {"verb": 0.6, "phrasal": 0.65, "light": 0.7, "intent": 0.6, "nominal": 0.45}[c.kind]
    if agents:
        base += 0.15
    if targets:
        base += 0.1
    if any(m.label in {"GENERIC", "PRON"} for m in agents + targets):
        base -= 0.05
    if mode not in {"asserted"}:
        base -= 0.1
    return round(max(0.05, min(0.95, base)), 2)


def _sentence_span(tok: Token, heads: list[Token]) -> TextSpan:
    sent = tok.sent
    start = min(t.idx for t in heads)
    end = max(t.idx + len(t) for t in heads)
    return TextSpan(start=start, end=end, sentence=sent.text.strip(), sent_start=sent.start_char, sent_end=sent.end_char)


def find_events(doc: Doc, index: MentionIndex, pub: date | None) -> tuple[Event, ...]:
    """All event mentions in a document (not yet merged; see :mod:`kg.resolve`)."""
    events: list[Event] = []
    for c in _candidates(doc):
        agents, targets = _arguments(c, index)
        if not agents and not targets:
            continue  # an event with no actor at all ("the deployment", "agreements that were accepted") is not coded
        mode = _mode(c)
        time_heads = [c.head] + ([c.noun] if c.noun is not None else []) + c.trigger_tokens[1:]
        time_heads += [s for s in c.head.children if s.dep_ in SUBJ and s.pos_ == "NOUN" and _noun_type(s)]
        when = event_time(time_heads, c.head.sent, pub)
        if when.empty and pub is not None and mode == "asserted" and _is_past(c.head):
            when = TimeValue(latest=pub)  # reported as past: it happened by the publication date
        trigger_text = " ".join(t.text for t in sorted(c.trigger_tokens, key=lambda t: t.i))
        events.append(Event(
            type=c.type, trigger=trigger_text, span=_sentence_span(c.head, c.trigger_tokens),
            agents=tuple(agents), targets=tuple(targets), place=_place(c, index),
            date=when.date, earliest=when.earliest, latest=when.latest,
            mode=mode, confidence=_confidence(c, agents, targets, mode),
        ))
    return tuple(events)


def _is_past(tok: Token) -> bool:
    if tok.tag_ in {"VBD", "VBN"}:
        return True
    aux = [c for c in tok.children if c.dep_ in {"aux", "auxpass"}]
    if any(a.tag_ in {"VBD", "VBZ", "VBP"} and a.lemma_ == "have" for a in aux):
        return True
    if tok.pos_ == "NOUN":
        return tok.head.tag_ in {"VBD", "VBN"}
    return tok.tag_ == "VBG" and any(a.lemma_ == "have" for a in aux)


def with_mode(event: Event, mode: str) -> Event:
    """Copy of ``event`` with another mode."""
    return replace(event, mode=mode)
