"""RDF export: every format round-trips through rdflib; valid N-Quads; kg.trig / kg.ttl; ``kg export``."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.errors import KGError
from kg.rdf.export import compact_iri, export, write_outputs
from kg.rdf.formats import FORMATS, format_for_path, get_format
from kg.rdf.namespaces import ONTOLOGY_GRAPH
from kg.rdf.store import Store

SAMPLE = Path(__file__).parent / "data" / "store" / "sample.trig"


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    with Store.open(out) as s:
        s.bulk_load(SAMPLE, "trig")
    return out


@pytest.fixture(scope="module")
def store(out_dir):
    with Store.open(out_dir, read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def source(store) -> rdflib.Dataset:
    """What the store holds (Oxigraph normalises literals such as "0.80"^^xsd:decimal to "0.8")."""
    ds = rdflib.Dataset()
    ds.parse(data=store.ox.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    assert len(ds) == 218
    return ds


def data_union(ds: rdflib.Dataset) -> rdflib.Graph:
    g = rdflib.Graph()
    for named in ds.graphs():
        if named.identifier != ONTOLOGY_GRAPH:
            g += named
    return g


def test_registry_lists_the_six_formats():
    assert FORMATS.names() == ["jsonld", "nq", "nt", "rdfxml", "trig", "turtle"]
    assert get_format("ttl").name == "turtle" and get_format("JSON-LD").name == "jsonld"
    assert format_for_path("x/kg.nq").name == "nq" and format_for_path("a.rdf").name == "rdfxml"
    with pytest.raises(KGError) as e:
        get_format("yaml")
    assert e.value.code == "E032"


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nt", "nq", "jsonld", "rdfxml"])
def test_every_format_round_trips(store, source, fmt):
    buf = io.BytesIO()
    export(store, buf, fmt)
    syntax = get_format(fmt)
    if syntax.dataset:
        back = rdflib.Dataset()
        back.parse(data=buf.getvalue(), format=syntax.rdflib)
        assert len(back) == len(source)
        for g in source.graphs():
            if len(g):
                assert isomorphic(back.graph(g.identifier), g), (fmt, g.identifier)
    else:  # triple formats hold the union of the data graphs, without the ontology
        back = rdflib.Graph()
        back.parse(data=buf.getvalue(), format=syntax.rdflib)
        assert isomorphic(back, data_union(source)), fmt
        assert (rdflib.URIRef("https://w3id.org/conflict-kg/plover/ASSAULT"), None, None) not in back


def test_nquads_are_valid_line_by_line(store, tmp_path):
    path = tmp_path / "kg.nq"
    export(store, path, "nq")
    lines = path.read_bytes().decode("utf-8").splitlines()
    assert len(lines) == len(store)
    for line in lines:  # every line is a complete N-Quads statement on its own
        quads = list(ox.parse(line.encode(), ox.RdfFormat.N_QUADS))
        assert len(quads) == 1 and isinstance(quads[0].graph_name, ox.NamedNode), line
    fresh = ox.Store()
    fresh.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    assert len(fresh) == len(store)


def test_jsonld_context_is_inline_and_compact(store):
    buf = io.BytesIO()
    export(store, buf, "jsonld")
    doc = json.loads(buf.getvalue())
    assert isinstance(doc["@context"], dict) and doc["@context"]["ck"] == "https://w3id.org/conflict-kg/ontology#"
    text = buf.getvalue().decode()
    assert '"ck:eventType"' in text and '"@type": ["ck:Event"]' in text and '"kgid:actor/usa"' in text
    graphs = {g["@id"] for g in doc["@graph"]}
    assert "https://w3id.org/conflict-kg/graph/article/c%2Fwith%20slash" in graphs


def test_compact_iri():
    assert compact_iri("https://w3id.org/conflict-kg/ontology#agent") == "ck:agent"
    assert compact_iri("https://w3id.org/conflict-kg/id/actor/usa") == "kgid:actor/usa"
    assert compact_iri("http://example.org/x") == "http://example.org/x"


def test_write_outputs(store, source, tmp_path):
    paths = write_outputs(store, tmp_path)
    assert [p.name for p in paths] == ["kg.trig", "kg.ttl"]
    trig = rdflib.Dataset()
    trig.parse(tmp_path / "kg.trig", format="trig")
    assert len(trig) == len(source)
    ttl = rdflib.Graph()
    ttl.parse(tmp_path / "kg.ttl", format="turtle")
    assert isomorphic(ttl, data_union(source))
    assert not list(tmp_path.glob(".*.tmp"))


def test_export_to_unwritable_path_is_E043(store, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(KGError) as e:
        export(store, tmp_path / "file" / "kg.ttl", "turtle")
    assert e.value.code == "E043"


def kg(capsysbinary, *args: str) -> tuple[int, bytes, bytes]:
    from kg.cli import main

    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsysbinary.readouterr()
    return e.value.code or 0, out, err


def test_cli_export(out_dir, tmp_path, capsysbinary):
    target = tmp_path / "all.nt"
    code, _, err = kg(capsysbinary, "export", str(out_dir), "--format", "nt", "--out", str(target))
    assert code == 0 and b"nt" in err
    assert len(rdflib.Graph().parse(target, format="nt")) > 0
    code, _, _ = kg(capsysbinary, "export", str(out_dir), "-f", "jsonld")
    assert code == 0 and (out_dir / "kg.jsonld").exists()
    code, out, _ = kg(capsysbinary, "export", str(out_dir), "-f", "trig", "-o", "-")
    assert code == 0 and len(rdflib.Dataset().parse(data=out, format="trig")) == 218
    code, _, err = kg(capsysbinary, "export", str(out_dir), "-f", "yaml")
    assert code == 2 and b"E032" in err
