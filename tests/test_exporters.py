"""kg.exporters: every format written and read back; PNG size; HTML self-contained and searchable."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from PIL import Image

from kg.errors import KGError
from kg.exporters import EXPORTERS, export, flatten, write_all
from kg.exporters.html import network_resources
from kg.graph import actor_graph, cooccurrence_graph, event_multigraph
from kg.rdf.store import Store

DATA = Path(__file__).parent / "data" / "graph"
A = "https://w3id.org/conflict-kg/id/actor/"
USA, KH = A + "usa", A + "kataib-hezbollah"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    tmp = tmp_path_factory.mktemp("exporters")
    raw = ox.Store(str(tmp / "store"))
    raw.load(path=str(DATA / "sample.trig"), format=ox.RdfFormat.TRIG)
    raw.flush()
    del raw
    return Store.open(tmp, read_only=True)


@pytest.fixture(scope="module")
def graph(store) -> nx.DiGraph:
    return actor_graph(store)


def test_registry_has_every_format():
    assert EXPORTERS.names() == ["gexf", "graphml", "html", "json", "png"]
    with pytest.raises(KGError) as err:
        EXPORTERS.get("svg")
    assert err.value.code == "E010"


def test_write_all_contract_names(graph, tmp_path):
    paths = write_all(graph, tmp_path / "out")
    assert [p.name for p in paths] == ["actors.graphml", "actors.gexf", "actors.json", "actors.html"]
    assert all(p.stat().st_size > 0 for p in paths)


def test_graphml_round_trip(graph, tmp_path):
    g = nx.read_graphml(export(graph, tmp_path / "a.graphml"))
    assert set(g) == set(graph) and g.number_of_edges() == graph.number_of_edges()
    e = g.edges[USA, KH]
    assert e["count"] == 3 and e["ASSAULT"] == 3 and e["sign"] == -1 and e["first_date"] == "2021-02-25"
    assert "US forces have repeatedly struck the group." in e["evidence"].split(" | ")
    assert g.nodes[USA]["wikidata"] == "Q30" and "wikidata" not in g.nodes[KH]  # None dropped, not "None"


def test_gexf_is_typed_and_gephi_ready(graph, tmp_path):
    path = export(graph, tmp_path / "a.gexf")
    text = path.read_text(encoding="utf-8")
    assert ">None<" not in text and '"None"' not in text and "lastmodifieddate" not in text
    ns = {"g": "http://www.gexf.net/1.2draft"}
    root = ET.parse(path).getroot()
    for cls in ("node", "edge"):
        decl = root.findall(f".//g:attributes[@class='{cls}']/g:attribute", ns)
        titles = [a.get("title") for a in decl]
        assert len(titles) == len(set(titles)) and all(a.get("type") in {"string", "long", "double", "integer",
                                                                            "float", "boolean"} for a in decl)
    g = nx.read_gexf(path)
    assert g.nodes[USA]["label"] == "United States" and g.nodes[USA]["viz"]["color"]["b"] == 0xB4
    assert g.edges[USA, KH]["weight"] == 3.0 and g.edges[USA, KH]["ASSAULT"] == 3
    assert g.edges[USA, KH]["event_type"] == "ASSAULT"


def test_json_node_link_round_trip(graph, tmp_path):
    data = json.loads(export(graph, tmp_path / "a.json").read_text(encoding="utf-8"))
    g = nx.node_link_graph(data, edges="edges")
    assert g.is_directed() and nx.utils.graphs_equal(g, graph)
    assert g.edges[USA, KH]["evidence"] == graph.edges[USA, KH]["evidence"]


def test_multigraph_and_cooccurrence_export(store, tmp_path):
    m = event_multigraph(store)
    back = nx.node_link_graph(json.loads(export(m, tmp_path / "m.json").read_text()), edges="edges")
    assert back.is_multigraph() and back.number_of_edges(USA, KH) == 3
    assert nx.read_graphml(export(m, tmp_path / "m.graphml")).number_of_edges() == 15
    assert nx.read_gexf(export(m, tmp_path / "m.gexf")).number_of_edges() == 15
    c = cooccurrence_graph(store)
    assert not nx.read_graphml(export(c, tmp_path / "c.graphml")).is_directed()
    assert Image.open(export(c, tmp_path / "c.png")).size == (1600, 1200)


def _colours(img: Image.Image) -> int:
    return len(img.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def test_png_is_a_real_image_of_the_expected_size(graph, tmp_path):
    path = export(graph, tmp_path / "a.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as img:
        assert img.format == "PNG" and img.size == (1600, 1200)
        assert _colours(img) > 50
        rgb = img.convert("RGB")
        pixels = [rgb.getpixel((x, y)) for x in range(0, 1600, 4) for y in range(0, 1200, 4)]
    assert any(p == (0x1F, 0x77, 0xB4) for p in pixels)  # a State node
    assert any(p == (0xFF, 0x7F, 0x0E) for p in pixels)  # the ArmedGroup node
    from kg.exporters.png import write as write_png
    assert Image.open(write_png(graph, tmp_path / "small.png", width=800, height=600)).size == (800, 600)


def test_png_of_an_empty_graph(tmp_path):
    with Image.open(export(nx.DiGraph(), tmp_path / "e.png")) as img:
        assert img.size == (1600, 1200) and _colours(img) > 2


def _raw_data(page: str) -> dict:
    """The graph gravis embedded in the page (gJGF, one graph)."""
    (data,) = json.loads(re.search(r"state\.rawData = (\[.*?\]);\n", page, re.S).group(1))
    return data


def test_html_is_self_contained(graph, tmp_path):
    page = export(graph, tmp_path / "a.html").read_text(encoding="utf-8")
    assert network_resources(page) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*https?://""", page, re.I)
    assert not re.search(r"<script[^>]+src=", page, re.I) and not re.search(r"<link[^>]+href=", page, re.I)
    assert network_resources('<img src="https://x/y.png">') and network_resources("<style>@import '//a/b.css'")


def test_html_search_and_edge_hover(graph, tmp_path):
    page = export(graph, tmp_path / "a.html").read_text(encoding="utf-8")
    assert 'id="kg-search"' in page.replace("'", '"') and "window.kgSearch" in page
    data = _raw_data(page)
    nodes, edges = data["nodes"], data["edges"]
    assert len(nodes) == 11 and all({"x", "y"} <= set(n["metadata"]) for n in nodes.values())
    hover = next(e["metadata"]["hover"] for e in edges if (e["source"], e["target"]) == (USA, KH))
    for part in ("ASSAULT &times;3", "count: 3", "conflict", "2021-02-25 &ndash; 2021-03-03",
                 "US forces have repeatedly struck the group."):
        assert part in hover
    assert "Kata&#x27;ib Hezbollah" in hover and "Kata'ib Hezbollah" not in hover  # escaped


def test_html_escapes_hostile_labels(tmp_path):
    g = nx.DiGraph()
    g.add_node("x", label="</script><script>alert(1)</script>", actor_type="Person")
    g.add_node("y", label="$label §DATA§", actor_type="Group")
    g.add_edge("x", "y", count=1, weight=1.0, sign=-1, event_type="ASSAULT", evidence=["<img src=https://evil/x.png> $5"])
    page = export(g, tmp_path / "h.html").read_text(encoding="utf-8")
    assert "alert(1)</script>" not in page and network_resources(page) == []
    hover = _raw_data(page)["edges"][0]["metadata"]["hover"]
    assert "&lt;img src&#61;https://evil/x.png&gt; &#36;5" in hover


def test_html_prunes_large_graphs_with_a_note(tmp_path):
    g = nx.gnm_random_graph(60, 150, seed=1, directed=True)
    nx.set_edge_attributes(g, 1.0, "weight")
    for i, v in enumerate(g):
        g.nodes[v].update(label=f"actor {v}", actor_type="State", weight=float(i))
    page = export(g, tmp_path / "big.html", max_nodes=20).read_text(encoding="utf-8")
    assert "showing the top 20 of 60 actors by weight" in page
    nodes = _raw_data(page)["nodes"]
    assert set(nodes) == {str(v) for v in range(40, 60)}  # the heaviest
    assert "showing the top" not in export(g, tmp_path / "all.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "html", "png"])
def test_exports_are_reproducible(graph, tmp_path, fmt):
    first = export(graph, tmp_path / f"1.{fmt}").read_bytes()
    assert export(graph, tmp_path / f"2.{fmt}").read_bytes() == first


def test_flatten_makes_typed_scalars():
    g = nx.Graph()
    g.add_node(1, d={"a": 1, "b": None}, xs=["p", "q"], n=1, none=None)
    g.add_node(2, n=2.5)
    f = flatten(g, reserved=("type",))
    assert f.nodes[1] == {"d_a": 1, "xs": "p | q", "n": 1.0} and f.nodes[2] == {"n": 2.5}
    assert isinstance(f.nodes[1]["n"], float)
    g.add_edge(1, 2, type="x")
    assert flatten(g, reserved=("type",)).edges[1, 2] == {"kg_type": "x"}


def test_export_errors_are_catalogued(graph, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(KGError) as err:
        export(graph, blocker / "a.json")
    assert err.value.code == "E043"
    with pytest.raises(KGError) as err:
        export(graph, tmp_path / "a.svg")
    assert err.value.code == "E010"
