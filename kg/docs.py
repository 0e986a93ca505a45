"""Generate the ontology documentation page (``docs/ontology.html``) with pyLODE, offline.

The page documents ``ontology/conflict.ttl`` together with the PLOVER concept scheme
(``ontology/plover.ttl``). The CSS is inlined and no remote script, stylesheet or image is
referenced, so the page renders with no network.
"""
from __future__ import annotations

import html as _html
import importlib.metadata
import re
import sys
import types
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kg.errors import KGError
from kg.rdf.namespaces import CK, PLOVER

__all__ = ["ONTOLOGY_FILES", "ontology_graph", "ontology_html", "write_ontology_page"]

from kg.resources import ONTOLOGY_DIR as _ONTOLOGY_DIR  # noqa: E402
ONTOLOGY_FILES: tuple[Path, ...] = (_ONTOLOGY_DIR / "conflict.ttl", _ONTOLOGY_DIR / "plover.ttl")

# remote resources a page must not need: <script src=http...>, <link href=http... rel=stylesheet>, <img src=http...>
_REMOTE_TAG = re.compile(
    r"<(script|img|iframe)\b[^>]*\bsrc\s*=\s*[\"']https?://[^>]*>(?:\s*</\1>)?"
    r"|<link\b(?=[^>]*\brel\s*=\s*[\"'](?:stylesheet|preload|modulepreload)[\"'])"
    r"[^>]*\bhref\s*=\s*[\"']https?://[^>]*>",
    re.I,
)


def _import_pylode():
    """Import pyLODE. pyLODE 3.4.x reads its version from a ``pyproject.toml`` that its wheel does
    not ship; provide ``pylode.version`` from the installed distribution's metadata instead."""
    if "pylode.version" not in sys.modules:
        try:
            version = importlib.metadata.version("pylode")
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        shim = types.ModuleType("pylode.version")
        shim.__version__ = version  # type: ignore[attr-defined]
        sys.modules["pylode.version"] = shim
    from pylode import OntPub

    return OntPub


def ontology_graph(files: tuple[Path, ...] = ONTOLOGY_FILES) -> Graph:
    """The ontology and the PLOVER scheme as one graph."""
    g = Graph(bind_namespaces="core")
    for f in files:
        try:
            g.parse(f, format="turtle")
        except Exception as exc:
            raise KGError("E030", path=str(f), fmt="Turtle", reason=" ".join(str(exc).split())) from None
    return g


def _plover_section(g: Graph) -> str:
    """HTML table of the PLOVER concepts (pyLODE's OntPub profile shows no SKOS concepts)."""
    esc = _html.escape
    rows = []
    scheme = URIRef(str(PLOVER))
    def order(c: URIRef) -> tuple[str, str]:
        return str(g.value(g.value(c, CK.quadClass), CK.cameoQuadClass)), str(c)

    concepts = sorted(g.subjects(SKOS.inScheme, scheme), key=order)
    for c in concepts:
        quad = g.value(c, CK.quadClass)
        cameo = ", ".join(sorted(str(x) for x in g.objects(c, CK.cameoRootCode)))
        rows.append(
            f'<tr id="plover-{esc(str(g.value(c, SKOS.notation)))}"><td><a href="{esc(str(c))}"><code>'
            f"{esc(str(g.value(c, SKOS.notation)))}</code></a></td>"
            f"<td>{esc(str(g.value(quad, SKOS.prefLabel) or ''))} "
            f"({esc(str(g.value(quad, CK.cameoQuadClass) or ''))})</td>"
            f"<td>{esc(str(g.value(c, SKOS.definition) or ''))}</td><td>{esc(cameo)}</td></tr>"
        )
    title = esc(str(g.value(scheme, SKOS.prefLabel) or "PLOVER event types"))
    return (
        f'<div class="section" id="plover"><h2>{title}</h2>'
        f"<p>Values of <code>ck:eventType</code>: <code>skos:Concept</code>s in the scheme "
        f'<a href="{esc(str(scheme))}"><code>{esc(str(scheme))}</code></a>, each with its quad class '
        f"(<code>ck:quadClass</code>, CAMEO QuadClass number in brackets) and the CAMEO root codes it covers.</p>"
        "<table><tr><th>notation</th><th>quad class</th><th>definition</th><th>CAMEO</th></tr>"
        + "".join(rows) + "</table></div>\n"
    )


def ontology_html(files: tuple[Path, ...] = ONTOLOGY_FILES) -> str:
    """The pyLODE (OntPub profile) HTML page plus a PLOVER table; CSS inlined, no remote resources."""
    OntPub = _import_pylode()
    g = ontology_graph(files)
    page = str(OntPub(g).make_html(include_css=True))
    if any(g.subjects(RDF.type, SKOS.ConceptScheme)):
        page = page.replace('<div id="namespaces">', _plover_section(g) + '<div id="namespaces">', 1)
        page = page.replace(
            '<h4>\n            <a href="#namespaces">',
            '<h4>\n            <a href="#plover">PLOVER event types</a>\n          </h4>\n        </li>\n'
            '        <li>\n          <h4>\n            <a href="#namespaces">', 1)
    return _REMOTE_TAG.sub("", page)


def write_ontology_page(out_path: str | Path) -> Path:
    """Write the ontology documentation page to ``out_path`` (e.g. ``docs/ontology.html``)."""
    out = Path(out_path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(ontology_html(), encoding="utf-8")
    except OSError as exc:
        raise KGError("E043", path=str(out), reason=exc.strerror or str(exc)) from None
    return out


if __name__ == "__main__":  # python -m kg.docs [OUT]
    print(write_ontology_page(sys.argv[1] if len(sys.argv) > 1 else "docs/ontology.html"))
