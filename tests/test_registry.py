"""The plugin registry."""
import pytest

from kg.errors import KGError
from kg.registry import Registry


def test_register_and_get():
    reg: Registry = Registry("thing")

    @reg.register("a")
    def a():
        return 1

    assert reg.get("a") is a and "a" in reg and reg.names() == ["a"]


def test_unknown_name_is_a_catalogued_error():
    reg: Registry = Registry("graph format")
    reg.add("json", object())
    with pytest.raises(KGError) as exc:
        reg.get("docx")
    assert exc.value.code == "E010" and "json" in exc.value.message
