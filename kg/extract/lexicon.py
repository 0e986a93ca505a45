"""Word lists and the PLOVER trigger lexicon, loaded once from ``kg/data/*.json``.

:func:`lemma` gives a token's lemma, repaired when the statistical lemmatiser returns a form the
lexicon does not know but a regular inflection of the surface word does ("staged" -> "stage", not
"stag"), and with a "re-" prefix dropped when only the stem is a trigger ("reimposed" -> "impose").
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Token

from kg.errors import KGError

DATA = Path(__file__).resolve().parent.parent / "data"
#: type given to blocked noun phrases ("press release"): they are never events
BLOCKED = "_BLOCKED"
#: distinct (lemma, POS, word) keys :func:`lemma_of` remembers before starting afresh
LEMMA_CACHE_SIZE = 100_000


@dataclass(frozen=True)
class Lexicon:
    """Trigger lemmas per PLOVER type and closed word lists."""

    verbs: dict[str, str]  # lemma -> type
    phrasal: dict[tuple[str, str], str]  # (verb lemma, particle/prep) -> type
    nouns: dict[str, str]  # lemma -> type
    noun_phrases: dict[tuple[str, str], str]  # (modifier lemma, head lemma) -> type (or BLOCKED)
    verb_objects: dict[tuple[str, str], str]  # (verb lemma, object lemma) -> type ("break relations")
    words: dict[str, frozenset[str]]  # closed lists from lexicon.json
    known: frozenset[str] = field(default=frozenset())  # every verb lemma the extractors look up
    lemmas: dict[tuple[str, str, str], str] = field(default_factory=dict, compare=False, repr=False)  # lemma_of's

    def __getitem__(self, name: str) -> frozenset[str]:
        return self.words[name]


def _add(table: dict, key, etype: str, path: Path) -> None:
    if key in table and table[key] != etype:
        raise KGError("E001", path=str(path), reason=f"trigger {key!r} listed under {table[key]} and {etype}")
    table[key] = etype


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load the lexicon (cached)."""
    tpath, lpath = DATA / "triggers.json", DATA / "lexicon.json"
    triggers = json.loads(tpath.read_text(encoding="utf-8"))
    verbs: dict[str, str] = {}
    phrasal: dict[tuple[str, str], str] = {}
    nouns: dict[str, str] = {}
    noun_phrases: dict[tuple[str, str], str] = {}
    verb_objects: dict[tuple[str, str], str] = {}
    for etype, entry in triggers.items():
        if etype.startswith("_"):
            continue
        for v in entry["verbs"]:
            parts = v.split()
            if len(parts) == 2:
                _add(phrasal, (parts[0], parts[1]), etype, tpath)
            else:
                _add(verbs, v, etype, tpath)
        for n in entry["nouns"]:
            parts = n.split()
            if len(parts) == 2:
                _add(noun_phrases, (parts[0], parts[1]), etype, tpath)
            elif len(parts) == 3 and parts[1] == "of":  # "state of emergency"
                _add(noun_phrases, (parts[2], parts[0]), etype, tpath)
            else:
                _add(nouns, n, etype, tpath)
        for vo in entry.get("verb_objects", []):
            verb, obj = vo.split()
            _add(verb_objects, (verb, obj), etype, tpath)
    for n in triggers.get("_blocked_nouns", []):
        mod, head = n.split()
        noun_phrases[(mod, head)] = BLOCKED
    raw = json.loads(lpath.read_text(encoding="utf-8"))
    words = {k: frozenset(v) for k, v in raw.items() if not k.startswith("_")}
    known = frozenset(verbs) | {v for v, _ in phrasal} | words["light_verbs"] | words["intent_verbs"] \
        | words["speech_verbs"] | words["negating_verbs"] | words["attempt_verbs"] | words["aspect_verbs"] \
        | words["giving_verbs"] | words["receiving_verbs"] | words["involvement_verbs"] | words["claim_verbs"] \
        | words["conflict_responses"] | words["stative_passives"] | words["appeal_verbs"] \
        | {v for v, _ in verb_objects}
    return Lexicon(verbs, phrasal, nouns, noun_phrases, verb_objects, words, known)


def _inflections(word: str) -> list[str]:
    """Candidate base forms of an inflected verb, most likely first."""
    out: list[str] = []
    if word.endswith("ied"):
        out.append(word[:-3] + "y")
    if word.endswith("ed"):
        out += [word[:-1], word[:-2]]
        if len(word) > 4 and word[-3] == word[-4]:
            out.append(word[:-3])  # "stopped" -> "stop"
    if word.endswith("ing"):
        out += [word[:-3], word[:-3] + "e"]
        if len(word) > 5 and word[-4] == word[-5]:
            out.append(word[:-4])
    if word.endswith("ies"):
        out.append(word[:-3] + "y")
    if word.endswith("es"):
        out.append(word[:-2])
    if word.endswith("s"):
        out.append(word[:-1])
    return out


def lemma(tok: Token) -> str:
    """The lexicon lemma of a token (repaired lemmatiser output, see module docstring)."""
    return lemma_of(tok.lemma_.lower(), tok.pos_, tok.lower_)


def lemma_of(base: str, pos: str, lower: str) -> str:
    """:func:`lemma` from a token's lower-cased lemma, POS and lower-cased text (remembered per
    lexicon: a doc asks for the same few hundred words again and again)."""
    lex = lexicon()
    key = (base, pos, lower)
    found = lex.lemmas.get(key)
    if found is None:
        if len(lex.lemmas) >= LEMMA_CACHE_SIZE:  # bounded: a long build's memory stays flat
            lex.lemmas.clear()
        found = lex.lemmas[key] = _repaired(lex, base, pos, lower)
    return found


def _repaired(lex: Lexicon, base: str, pos: str, lower: str) -> str:
    if pos not in {"VERB", "AUX"} or base in lex.known:
        return base
    for cand in [lower, *_inflections(lower)]:
        if cand in lex.known:
            return cand
    for cand in (base, lower):
        if cand.startswith("re") and len(cand) > 5:
            stem = cand[3:] if cand[2] == "-" else cand[2:]
            if stem in lex.known:
                return stem
            for s in _inflections(stem):
                if s in lex.known:
                    return s
    return base
