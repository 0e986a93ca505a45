"""Place names -> GeoNames ids and ISO3 codes, offline."""
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
