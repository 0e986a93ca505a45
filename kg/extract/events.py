"""PLOVER events from the dependency parse: triggers (:mod:`.triggers`), agents and targets
(:mod:`.arguments`), mode (:mod:`.modality`), place and time, assembled here.

Following the PLOVER codebook, the statement of intent is itself
an event: "X will/would <cooperative action>" and "X vowed to <...>" give an asserted AGREE
("will not" gives REJECT), "X will <conflictual action>" an asserted THREATEN; "X said Y must <act>"
gives REQUEST; "X claimed that Y <attacked>" gives ACCUSE. Nominal events in background phrases
("since last month's invasion", "after the clashes") are references to earlier events and are not
coded again (GDELT's duplicate-event problem).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from spacy.tokens import Doc, Token

from kg.extract.actors import MentionIndex, actors_at
from kg.extract.arguments import arguments, place_entities
from kg.extract.columns import columns
from kg.extract.lexicon import lemma, lexicon
from kg.extract.modality import context, head_type, own_mode
from kg.extract.places import resolve_place
from kg.extract.syntax import PASS_SUBJ, SUBJ, subject
from kg.extract.temporal import TimeValue, event_time
from kg.extract.triggers import CONFLICT, COOPERATION, Candidate, find_candidates, noun_type
from kg.models import Event, Mention, Place
from kg.models import Span as TextSpan

#: modes of acts that have not happened: they get no date
UNREAL = frozenset({"planned", "threatened", "hypothetical"})
#: joint acts: "X and Y met" is X meeting Y and Y meeting X
SYMMETRIC = frozenset({"CONSULT", "COOPERATE", "AGREE", "SUPPORT"})


def _place(c: Candidate, index: MentionIndex | None = None) -> Place | None:
    for tok, ent in place_entities(c, index):
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


def _confidence(c: Candidate, agents: list[Mention], targets: list[Mention], mode: str) -> float:
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
    text, sent_start, sent_end = columns(tok.doc).sent_text(tok.doc, tok.i)
    start = min(t.idx for t in heads)
    end = max(t.idx + len(t) for t in heads)
    return TextSpan(start=start, end=end, sentence=text.strip(), sent_start=sent_start, sent_end=sent_end)


def _is_past(tok: Token) -> bool:
    if tok.tag_ in {"VBD", "VBN"}:
        return True
    aux = [c for c in tok.children if c.dep_ in {"aux", "auxpass"}]
    if any(a.tag_ in {"VBD", "VBZ", "VBP"} and a.lemma_ == "have" for a in aux):
        return True
    if tok.pos_ in {"NOUN", "ADJ"}:
        return tok.head.tag_ in {"VBD", "VBN"}
    return tok.tag_ == "VBG" and any(a.lemma_ == "have" for a in aux)


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
    cols = columns(doc)
    for i in [i for i in cols.where(cols.dep, {"ccomp"}) if cols.pos[i] in {"VERB", "AUX"}]:
        tok = doc[i]
        aux = {c.lower_ for c in tok.children if c.dep_ == "aux"}
        obliged = bool(aux & lex["obligation_aux"]) or any(
            c.dep_ == "xcomp" and c.lemma_ in {"have", "need"} for c in tok.children)
        if not obliged or any(c.dep_ == "neg" for c in tok.children):
            continue
        speech = tok.head
        if speech.pos_ != "VERB" or lemma(speech) not in lex["speech_verbs"]:
            continue
        if speech.dep_ == "advcl" and head_type(speech.head) == "PROTEST":
            continue  # "rallied, saying he must resign": the protest's demand, coded as the protest
        targets = [m for s in tok.children if s.dep_ in SUBJ | PASS_SUBJ for m in actors_at(s, index)]
        agents = [m for s in subject(speech) for m in actors_at(s, index)]
        if agents and targets and not set(map(id, agents)) & set(map(id, targets)):
            out.append((speech, agents, targets))
    return out


def _is_joint(c: Candidate, agents: list[Mention]) -> bool:
    """Exercises, drills or patrols held jointly (two agents, or called "joint")."""
    lex = lexicon()
    if c.noun is None:
        return False
    words = {c.noun.lemma_.lower()} | {ch.lemma_.lower() for ch in c.noun.children if ch.dep_ == "compound"}
    return bool(words & lex["joint_nouns"]) and (
        len(agents) > 1 or any(ch.lower_ == "joint" for ch in c.noun.children))


def _fold_nominals(candidates: list[Candidate]) -> dict[int, Candidate]:
    """"killed in an ambush by X": the event noun names the same event as the verb; its agent is the
    verb's agent. Returns id(nominal candidate) -> the verb candidate it folds into."""
    by_head = {c.head.i: c for c in candidates if c.kind != "nominal"}
    out: dict[int, Candidate] = {}
    for c in candidates:
        if c.kind != "nominal" or c.noun.dep_ != "pobj" or c.noun.head.lower_ not in {"in", "during", "with", "amid"}:
            continue
        gov = by_head.get(c.noun.head.head.i)
        if gov is not None and gov.type == c.type:
            out[id(c)] = gov
    return out


def find_events(doc: Doc, index: MentionIndex, pub: date | None) -> tuple[Event, ...]:
    """All event mentions in a document (not yet merged; see :mod:`kg.resolve`)."""
    events: list[Event] = []

    def emit(c: Candidate, etype: str, agents: list[Mention], targets: list[Mention], mode: str,
             head: Token, trigger_tokens: list[Token], place: Place | None, when: TimeValue) -> None:
        trigger_text = " ".join(t.text for t in sorted(trigger_tokens, key=lambda t: t.i))
        events.append(Event(
            type=etype, trigger=trigger_text, span=_sentence_span(head, trigger_tokens),
            agents=tuple(agents), targets=tuple(targets), place=place,
            date=when.date, earliest=when.earliest, latest=when.latest,
            mode=mode, confidence=_confidence(c, agents, targets, mode),
        ))

    candidates = find_candidates(doc)
    folded = _fold_nominals(candidates)
    inner_of: dict[int, list[Candidate]] = {}  # id(verb candidate) -> the nominals folded into it, in order
    for x in candidates:
        if id(x) in folded:
            inner_of.setdefault(id(folded[id(x)]), []).append(x)
    for c in candidates:
        if id(c) in folded:
            continue
        anchor = c.noun if c.kind == "nominal" else c.head
        ctx = context(anchor, c.kind == "nominal", c.type)
        if ctx.background:
            continue  # a reference to an earlier event ("since last month's invasion", "after X attacked")
        agents, targets = arguments(c, index)
        for inner in inner_of.get(id(c), ()):
            agents = agents or [m for m in arguments(inner, index)[0] if m not in targets]
        if c.type == "MOBILIZE" and _is_joint(c, agents):
            c.type = "COOPERATE"  # joint exercises are military cooperation (CAMEO 062)
        if not agents and not targets:
            continue  # an event with no actor at all is not coded
        own, future = own_mode(c, ctx) if c.kind != "intent" else ("asserted", False)
        mode = ctx.mode or own
        time_heads = [c.head] + ([c.noun] if c.noun is not None else []) + c.trigger_tokens[1:]
        time_heads += [s for s in c.head.children if s.dep_ in SUBJ and s.pos_ == "NOUN" and noun_type(s)]
        # a promised, threatened or conditional act has not happened: a weekday next to it is in the future,
        # and resolving it against the publication date as a past day would invent a date
        if mode not in UNREAL:
            sent = columns(doc).sent(doc, c.head.i)
            when = event_time(time_heads, sent, pub, index.ents.within(sent))
        else:
            when = TimeValue()
        if when.empty and pub is not None and mode == "asserted" and _is_past(c.head):
            when = TimeValue(latest=pub)  # reported as past: it happened by the publication date
        place = _place(c, index)
        if len(agents) > 1 and not targets and c.type in SYMMETRIC:
            for a in agents:  # "Bahrain and Israel signed an agreement"
                emit(c, c.type, [a], [b for b in agents if b is not a], mode, c.head, c.trigger_tokens, place, when)
        else:
            emit(c, c.type, agents, targets, mode, c.head, c.trigger_tokens, place, when)
        if ctx.mode is None and future and agents and c.kind != "nominal":
            ctype = _commitment_type(c.type, own == "negated")
            if ctype:
                c.derived.append("commitment")
                emit(c, ctype, agents, targets, "asserted", c.head, c.trigger_tokens, None, TimeValue(
                    latest=pub) if pub else TimeValue())
        if ctx.claim is not None and c.type in CONFLICT and agents:
            claimants = [m for s in subject(ctx.claim) for m in actors_at(s, index)]
            if claimants and not set(map(id, claimants)) & set(map(id, agents)):
                c.derived.append("claim")
                emit(c, "ACCUSE", claimants, agents, "asserted", ctx.claim, [ctx.claim], None,
                     TimeValue(latest=pub) if pub and _is_past(ctx.claim) else TimeValue())
    for speech, agents, targets in _obligation_requests(doc, index):
        c = Candidate("REQUEST", speech, [speech], "verb", derived=["obligation"])
        when = TimeValue(latest=pub) if pub and _is_past(speech) else TimeValue()
        emit(c, "REQUEST", agents, targets, "asserted", speech, [speech], None, when)
    return tuple(events)


def with_mode(event: Event, mode: str) -> Event:
    """Copy of ``event`` with another mode."""
    return replace(event, mode=mode)
