"""actors.html in headless Chromium: the page renders nodes offline and its search box works."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from PIL import Image

from kg.exporters import ACTOR_COLORS, write_all
from kg.graph import actor_graph
from kg.rdf.store import Store

CHROMIUM = Path("/usr/bin/chromium")
DATA = Path(__file__).parent / "data" / "graph"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=8000"]  # lets the page's scripts run before the capture

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian package `chromium` (/usr/bin/chromium)")


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    raw = ox.Store(str(tmp / "store"))
    raw.load(path=str(DATA / "sample.trig"), format=ox.RdfFormat.TRIG)
    raw.flush()
    del raw
    (html,) = write_all(actor_graph(Store.open(tmp, read_only=True)), tmp, formats=("html",))
    return html


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


def _near(rgb: tuple[int, int, int], hex_colour: str, tol: int = 12) -> bool:
    target = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tol for a, b in zip(rgb, target))


def test_screenshot_shows_nodes(page, tmp_path):
    shot = tmp_path / "shot.png"
    run = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,900", page.as_uri())
    assert shot.exists(), run.stderr[-2000:]
    with Image.open(shot) as img:
        assert img.size == (1200, 900)
        rgb = img.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20)
        assert colours and len(colours) > 30  # not a blank page
        # below the header bar (legend chips live there) the node colours must appear: nodes were drawn
        body = [rgb.getpixel((x, y)) for x in range(0, 1200, 2) for y in range(140, 900, 2)]
    for actor_type in ("State", "ArmedGroup"):
        assert sum(_near(p, ACTOR_COLORS[actor_type]) for p in body) > 20, actor_type
    grey = [sum(p) / 3 for p in body]
    mean = sum(grey) / len(grey)
    assert sum((g - mean) ** 2 for g in grey) / len(grey) > 50  # pixel variance: something is drawn


def test_dom_has_one_circle_per_actor_and_search_from_url(page, tmp_path):
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri() + "#search=kata").stdout
    assert len(re.findall(r"<circle\b", dom)) == 11
    hits = re.search(r'<span id="kg-hits">([^<]*)</span>', dom)
    assert hits and hits.group(1) == "1 match: Kata'ib Hezbollah"
    nodes = re.search(r'<g id="[^"]*-node-group"[^>]*>(.*?)</g></g>', dom, re.S).group(1)
    assert nodes.count("opacity: 0.12") == 10 and nodes.count("opacity: 1") == 1  # the others are dimmed
