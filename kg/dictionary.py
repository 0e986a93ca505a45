"""The actor dictionary (``kg/data/actors.json``) and demonyms (``kg/data/demonyms.json``).

:func:`load_dictionary` reads and checks both files once per process. A :class:`Dictionary` resolves
names (:meth:`Dictionary.lookup`), demonyms (:meth:`Dictionary.demonym`) and builds token-level
spaCy EntityRuler patterns (:meth:`Dictionary.patterns`, label ``ACTOR``, ``id`` = actor id).

Matching rules, shared by lookups and patterns:

* an alias whose letters are all upper case ("U.S.", "PMF", "ISIS-K") is an acronym and matches
  with its exact case only; every other alias matches case-insensitively, unless its entry sets
  ``case_sensitive`` (person names such as "Trump", country names that are common words such as
  "Turkey" or "Chad");
* curly and straight apostrophes are the same character; a hyphen equals a space;
* for lookups a leading "the " and a trailing possessive "'s" are ignored.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from kg.errors import KGError
from kg.models import ACTOR_TYPES

#: types allowed in the dictionary (``Actor`` and ``Group`` are for resolved, non-dictionary actors)
DICT_TYPES: tuple[str, ...] = tuple(t for t in ACTOR_TYPES if t not in ("Actor", "Group"))
PATTERN_LABEL = "ACTOR"

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'", "\u00b4": "'"})
_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014]\s*")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_QID = re.compile(r"^Q[0-9]+$")


def is_acronym(alias: str) -> bool:
    """True for ALL-CAPS aliases (with or without dots): "U.S.", "IRGC", "ISIS-K"."""
    return any(c.isalpha() for c in alias) and alias == alias.upper()


def normalise_name(name: str, fold: bool = True) -> str:
    """The lookup key of a name: NFKC, one apostrophe, hyphens as spaces, single spaces, case-folded."""
    text = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES)
    text = _DASHES.sub(" ", text)
    text = " ".join(text.split())
    return text.casefold() if fold else text


def _variants(alias: str) -> list[str]:
    """Surface variants of an alias for patterns: apostrophe kinds and hyphen/space."""
    out = [alias]
    if "-" in alias:
        out.append(" ".join(alias.replace("-", " ").split()))
    for form in list(out):
        if "'" in form:
            out.append(form.replace("'", "\u2019"))
        if "\u2019" in form:
            out.append(form.replace("\u2019", "'"))
    return list(dict.fromkeys(out))


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class DictActor:
    """One dictionary entry."""

    id: str
    label: str
    type: str
    country: str | None = None  # ISO 3166-1 alpha-3
    qid: str | None = None
    aliases: tuple[str, ...] = ()
    part_of: str | None = None
    leader_of: tuple[str, ...] = ()
    member_of: tuple[str, ...] = ()
    note: str | None = None
    case_sensitive: bool = False

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "DictActor":
        """Build an entry from its JSON object (the label is always one of the aliases)."""
        aliases = tuple(dict.fromkeys((raw["label"], *raw.get("aliases", ()))))
        return cls(
            id=raw["id"], label=raw["label"], type=raw["type"], country=raw.get("country"),
            qid=raw.get("qid"), aliases=aliases, part_of=raw.get("part_of"),
            leader_of=_tuple(raw.get("leader_of")), member_of=_tuple(raw.get("member_of")),
            note=raw.get("note"), case_sensitive=bool(raw.get("case_sensitive", False)),
        )

    def is_exact(self, alias: str) -> bool:
        """True when ``alias`` of this entry must match with its exact case."""
        return self.case_sensitive or is_acronym(alias)


class Dictionary:
    """Actor entries with name, demonym and id indexes."""

    def __init__(self, entries: Iterable[DictActor], demonyms: dict[str, str] | None = None,
                 source: str = "<memory>") -> None:
        self.entries: tuple[DictActor, ...] = tuple(entries)
        self.source = source
        self._by_id: dict[str, DictActor] = {}
        self._exact: dict[str, DictActor] = {}  # acronyms, case kept ("US")
        self._folded: dict[str, DictActor] = {}  # all other aliases, case-folded
        self._owners: dict[str, DictActor] = {}  # every alias, case-folded (clash check)
        for entry in self.entries:
            if entry.id in self._by_id:
                raise KGError("E001", path=source, reason=f"duplicate actor id {entry.id!r}")
            self._by_id[entry.id] = entry
        for entry in self.entries:
            self._check(entry)
            for alias in entry.aliases:
                self._index(entry, alias)
        self._demonyms: dict[str, DictActor] = {}
        for word, actor_id in (demonyms or {}).items():
            if actor_id not in self._by_id:
                raise KGError("E001", path=source, reason=f"demonym {word!r} points to unknown id {actor_id!r}")
            self._demonyms[normalise_name(word)] = self._by_id[actor_id]

    # ------------------------------------------------------------------ building
    def _check(self, entry: DictActor) -> None:
        problems = []
        if not _SLUG.match(entry.id):
            problems.append("id is not a lowercase slug")
        if entry.type not in DICT_TYPES:
            problems.append(f"type {entry.type!r} not in {DICT_TYPES}")
        if entry.qid is not None and not _QID.match(entry.qid):
            problems.append(f"bad QID {entry.qid!r}")
        for ref in (entry.part_of, *entry.leader_of, *entry.member_of):
            if ref is not None and ref not in self._by_id:
                problems.append(f"unknown actor id {ref!r}")
        if problems:
            raise KGError("E001", path=self.source, reason=f"actor {entry.id!r}: " + "; ".join(problems))

    def _index(self, entry: DictActor, alias: str) -> None:
        folded = normalise_name(alias)
        other = self._owners.setdefault(folded, entry)  # no two ids may share an alias, in any case
        if other.id != entry.id:
            raise KGError("E001", path=self.source,
                          reason=f"alias {alias!r} maps to both {other.id!r} and {entry.id!r}")
        if is_acronym(alias):
            self._exact[normalise_name(alias, fold=False)] = entry
        else:
            self._folded[folded] = entry

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self._by_id

    def by_id(self, actor_id: str) -> DictActor | None:
        """The entry with this id, or None."""
        return self._by_id.get(actor_id)

    def lookup(self, name: str) -> DictActor | None:
        """The entry one of whose aliases is ``name`` (see the module docstring for the rules)."""
        for candidate in self._candidates(name):
            hit = self._exact.get(normalise_name(candidate, fold=False)) or self._folded.get(normalise_name(candidate))
            if hit is not None:
                return hit
        return None

    @staticmethod
    def _candidates(name: str) -> list[str]:
        text = normalise_name(name, fold=False)
        out = [text]
        stripped = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
        out.append(stripped)
        for form in list(out):
            if re.search(r"'s$", form):
                out.append(form[:-2])
        return list(dict.fromkeys(f for f in out if f))

    def demonym(self, word: str) -> DictActor | None:
        """The state a demonym names ("Iraqi" -> Iraq); demonyms must start with a capital letter."""
        text = normalise_name(word, fold=False)
        if not text or not text[0].isupper():
            return None
        return self._demonyms.get(normalise_name(text))

    @property
    def demonyms(self) -> dict[str, str]:
        """Normalised demonym -> actor id."""
        return {k: v.id for k, v in self._demonyms.items()}

    # ------------------------------------------------------------------ spaCy
    def patterns(self) -> list[dict[str, Any]]:
        """EntityRuler patterns: one per alias surface variant, tokenised like spaCy's English tokenizer."""
        tokenizer = _tokenizer()
        patterns: list[dict[str, Any]] = []
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        for entry in self.entries:
            for alias in entry.aliases:
                exact = entry.is_exact(alias)
                for form in _variants(alias):
                    tokens = [t.text for t in tokenizer(form)]
                    attr = "ORTH" if exact else "LOWER"
                    token_specs = tuple((attr, t if exact else t.lower()) for t in tokens)
                    key = (entry.id, token_specs)
                    if key in seen:
                        continue
                    seen.add(key)
                    patterns.append({"label": PATTERN_LABEL, "pattern": [{a: v} for a, v in token_specs],
                                     "id": entry.id})
        return patterns


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


def _data_path(name: str) -> Path:
    return Path(str(resources.files("kg") / "data" / name))


def read_dictionary(actors_path: Path | str, demonyms_path: Path | str | None = None) -> Dictionary:
    """Read and check a dictionary from JSON files (:class:`KGError` E001 when broken)."""
    actors_path = Path(actors_path)
    try:
        raw = json.loads(actors_path.read_text(encoding="utf-8"))
        entries = [DictActor.from_json(item) for item in raw]
        demonyms = json.loads(Path(demonyms_path).read_text(encoding="utf-8")) if demonyms_path else {}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KGError("E001", path=str(actors_path), reason=f"{type(exc).__name__}: {exc}") from exc
    return Dictionary(entries, demonyms, source=str(actors_path))


@lru_cache(maxsize=1)
def load_dictionary() -> Dictionary:
    """The packaged dictionary (``kg/data/actors.json`` + ``demonyms.json``), loaded once."""
    return read_dictionary(_data_path("actors.json"), _data_path("demonyms.json"))
