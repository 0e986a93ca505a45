"""``kg serve``: the read-only Oxigraph endpoint answers SPARQLWrapper (SELECT, CONSTRUCT, ASK), refuses updates."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rdflib
from SPARQLWrapper import JSON, POST, RDFXML, SPARQLWrapper

from kg import queries
from kg.errors import KGError
from kg.rdf.store import Store
from kg.serve import free_port, start_server, wait_ready

SAMPLE = Path(__file__).parent / "data" / "store" / "sample.trig"
ROOT = Path(__file__).resolve().parent.parent
PREFIXES = ("PREFIX ck: <https://w3id.org/conflict-kg/ontology#>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("serve")
    with Store.open(out) as s:
        s.bulk_load(SAMPLE, "trig")
    return out


@pytest.fixture(scope="module")
def server(out_dir):
    srv = wait_ready(start_server(out_dir, port=free_port()))
    yield srv
    srv.stop()
    assert srv.poll() is not None


def sparql(endpoint: str, query: str, fmt=JSON):
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw.queryAndConvert()


def test_select(server):
    res = sparql(server.query_endpoint, PREFIXES + 'SELECT ?l WHERE { ?a skos:prefLabel ?l ; ck:country "IRN" }')
    assert [b["l"]["value"] for b in res["results"]["bindings"]] == ["Iran"]


def test_construct(server):
    g = sparql(server.query_endpoint, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/conflict-kg/graph/places> "
               "{ ?s ?p ?o } }", RDFXML)
    assert isinstance(g, rdflib.Graph) and len(g) == 19


def test_ask(server):
    assert sparql(server.query_endpoint, PREFIXES + "ASK { ?e ck:mode 'hypothetical' }")["boolean"] is True
    assert sparql(server.query_endpoint, PREFIXES + "ASK { ?e ck:mode 'planned' }")["boolean"] is False


def test_canned_query_over_the_endpoint(server):
    """A rendered canned query (parameters bound as VALUES) runs unchanged on the endpoint."""
    text = queries.get("actors_backed_by").render(state="IRN")
    res = sparql(server.query_endpoint, text)
    assert [b["actorLabel"]["value"] for b in res["results"]["bindings"]] == [
        "Kata'ib Hezbollah", "Kata'ib Sayyid al-Shuhada"]


def test_update_is_refused(server):
    sw = SPARQLWrapper(server.query_endpoint, updateEndpoint=server.url + "/update")
    sw.setMethod(POST)
    sw.setQuery("DROP ALL")
    with pytest.raises(urllib.error.HTTPError) as e:
        sw.query()
    assert e.value.code == 403
    res = sparql(server.query_endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert res["results"]["bindings"][0]["n"]["value"] == "224"


def test_bound_to_localhost_by_default(server):
    assert server.url.startswith("http://127.0.0.1:")


def test_reader_alongside_the_server(server, out_dir):
    with Store.open(out_dir, read_only=True) as ro:
        assert ro.article_ids()[0] == "000_4c24130db366d2cc"
    assert sparql(server.query_endpoint, "ASK { ?s ?p ?o }")["boolean"] is True


def test_refused_while_a_writer_holds_the_store(out_dir):
    with Store.open(out_dir):
        with pytest.raises(KGError) as e:
            start_server(out_dir, port=free_port())
    assert e.value.code == "E050" and "open for writing" in e.value.message


def test_missing_store_and_busy_port(tmp_path, server, out_dir):
    with pytest.raises(KGError) as e:
        start_server(tmp_path / "none", port=free_port())
    assert e.value.code == "E040"
    port = int(server.url.rsplit(":", 1)[1])
    with pytest.raises(KGError) as e:
        start_server(out_dir, port=port)
    assert e.value.code == "E050" and "in use" in e.value.message


def test_cli_serve_until_interrupted(out_dir):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from kg.cli import main; main(sys.argv[1:])",
         "serve", str(out_dir), "--port", str(port), "--timeout", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    url = f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    try:
        banner = proc.stdout.readline()  # printed once the endpoint answers
        assert f"http://127.0.0.1:{port}/query" in banner, proc.stderr.read() if proc.poll() is not None else banner
        with urllib.request.urlopen(url, timeout=5) as resp:
            assert b"true" in resp.read()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode in (0, 130)  # kg's CLI reports any Ctrl-C as "interrupted", exit 130
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):  # the server went with it
        urllib.request.urlopen(url, timeout=2)
