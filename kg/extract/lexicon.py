"""Word lists and the PLOVER trigger lexicon, loaded once from ``kg/data/*.json``."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Lexicon:
    """Trigger lemmas per PLOVER type and closed word lists."""

    verbs: dict[str, str]  # lemma -> type
    phrasal: dict[tuple[str, str], str]  # (verb lemma, particle/prep) -> type
    nouns: dict[str, str]  # lemma -> type
    noun_phrases: dict[tuple[str, str], str]  # (modifier lemma, head lemma) -> type
    words: dict[str, frozenset[str]]  # closed lists from lexicon.json

    def __getitem__(self, name: str) -> frozenset[str]:
        return self.words[name]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load the lexicon (cached)."""
    triggers = json.loads((DATA / "triggers.json").read_text(encoding="utf-8"))
    verbs: dict[str, str] = {}
    phrasal: dict[tuple[str, str], str] = {}
    nouns: dict[str, str] = {}
    noun_phrases: dict[tuple[str, str], str] = {}
    for etype, entry in triggers.items():
        if etype.startswith("_"):
            continue
        for v in entry["verbs"]:
            parts = v.split()
            if len(parts) == 2:
                phrasal[(parts[0], parts[1])] = etype
            else:
                verbs.setdefault(v, etype)
        for n in entry["nouns"]:
            parts = n.split()
            if len(parts) == 2:
                noun_phrases[(parts[0], parts[1])] = etype
            else:
                nouns.setdefault(n, etype)
    raw = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    words = {k: frozenset(v) for k, v in raw.items() if not k.startswith("_")}
    return Lexicon(verbs, phrasal, nouns, noun_phrases, words)
