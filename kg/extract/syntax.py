"""Small helpers over the dependency parse shared by the event extractors."""
from __future__ import annotations

from spacy.tokens import Token

from kg.extract.lexicon import lemma, lexicon
from kg.models import Mention

SUBJ = {"nsubj", "csubj"}
PASS_SUBJ = {"nsubjpass", "csubjpass"}


def subject(verb: Token) -> list[Token]:
    """The subject of a verb, inherited through control, coordination and participles."""
    lex = lexicon()
    subj_deps = SUBJ | PASS_SUBJ if lemma(verb) in lex["stative_passives"] else SUBJ
    subs = [c for c in verb.children if c.dep_ in subj_deps]
    if subs:
        return subs
    if verb.dep_ == "pcomp" and verb.head.dep_ == "prep" and verb.head.head.pos_ == "VERB":
        gov = verb.head.head  # "accused X of killing", "a man suspected of bombing", "X was charged with ..."
        objs = [c for c in gov.children if c.dep_ in {"dobj", "nsubjpass"}]
        if objs:
            return objs
        if gov.dep_ == "acl" and gov.tag_ == "VBN":
            return [gov.head]
        return []
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
                return subject(cur)
        elif cur.dep_ == "relcl":
            return [cur.head]
        elif cur.dep_ == "acl":
            noun = cur.head
            if noun.lemma_.lower() in lex["report_nouns"] and noun.dep_ in {"dobj", "pobj"}:
                gov = noun.head if noun.dep_ == "dobj" else noun.head.head
                return subject(gov) if gov.pos_ in {"VERB", "AUX"} else []
            active = cur.tag_ == "VBG" or any(c.dep_ == "dobj" for c in cur.children)
            return [noun] if active else []  # "militants demanding X", "fighters handed over the town"
        else:
            break
    return []


def is_passive(verb: Token) -> bool:
    """Passive voice, except stative participles whose subject acts ("X is opposed to Y")."""
    if lemma(verb) in lexicon()["stative_passives"]:
        return False
    return any(c.dep_ in PASS_SUBJ or c.dep_ == "auxpass" for c in verb.children)


def is_infinitive(tok: Token) -> bool:
    """A "to"-infinitive verb."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)


def is_purpose(tok: Token) -> bool:
    """A subjectless "to"-infinitive: a purpose or control clause."""
    return tok.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children) and not any(
        c.dep_ in SUBJ for c in tok.children)


def dedupe(ms: list[Mention]) -> list[Mention]:
    """Mentions in order, each once."""
    out: list[Mention] = []
    for m in ms:
        if m not in out:
            out.append(m)
    return out
