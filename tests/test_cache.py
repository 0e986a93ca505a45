"""The on-disk cache of derived tables: used when whole and current, rebuilt otherwise, never required."""
from __future__ import annotations

import os
import stat

import pytest

from kg.cache import _path, cache_dir, cached


class Builder:
    def __init__(self, value) -> None:
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


VALUE = {"baghdad": (98182, "Baghdad", "IQ", 33.34, 44.4, 7216000), "kabul": (1138958, "Kabul", "AF", 34.5, 69.2, 1)}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_value_is_built_once_then_read_back_equal(folder):
    b = Builder(VALUE)
    assert cached("t", ["k1"], b) == VALUE and b.calls == 1
    assert cached("t", ["k1"], b) == VALUE and b.calls == 1
    assert len(list(folder.glob("t-*.bin"))) == 1


def test_another_key_rebuilds_and_replaces_the_old_file(folder):
    b = Builder(VALUE)
    cached("t", ["k1"], b)
    old = next(folder.glob("t-*.bin"))
    assert cached("t", ["k2"], Builder({"x": 1})) == {"x": 1}
    assert not old.exists() and len(list(folder.glob("t-*.bin"))) == 1
    assert cached("u", ["k1"], Builder([1])) == [1]  # other tables keep their files
    assert len(list(folder.glob("*.bin"))) == 2


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_a_damaged_file_is_rebuilt_not_used(folder, damage):
    cached("t", ["k"], Builder(VALUE))
    path = next(folder.glob("t-*.bin"))
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-5] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"not a cache file at all" * 10)
    path.write_bytes(bytes(data))
    b = Builder(VALUE)
    assert cached("t", ["k"], b) == VALUE and b.calls == 1
    b2 = Builder(VALUE)
    assert cached("t", ["k"], b2) == VALUE and b2.calls == 0  # rewritten whole


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_an_unwritable_folder_means_building_every_time(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    monkeypatch.setenv("KG_CACHE_DIR", str(ro / "cache"))
    b = Builder(VALUE)
    assert cached("t", ["k"], b) == VALUE and cached("t", ["k"], b) == VALUE and b.calls == 2


def test_a_folder_that_is_a_file_means_building_every_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("KG_CACHE_DIR", str(blocker / "cache"))
    b = Builder(VALUE)
    assert cached("t", ["k"], b) == VALUE and cached("t", ["k"], b) == VALUE and b.calls == 2


def test_the_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("KG_CACHE_DIR", "off")
    assert cache_dir() is None
    b = Builder(VALUE)
    cached("t", ["k"], b), cached("t", ["k"], b)
    assert b.calls == 2


def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("KG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "conflict-kg"


def test_the_file_name_depends_on_every_key_part(tmp_path):
    names = {_path(tmp_path, "t", key).name for key in (["a", "b"], ["ab"], ["a", "b", ""], [b"a", "c"])}
    assert len(names) == 4


def test_no_home_folder_means_no_cache(monkeypatch):
    from pathlib import Path

    monkeypatch.delenv("KG_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache_dir() is None
    b = Builder(VALUE)
    assert cached("t", ["k"], b) == VALUE and b.calls == 1
