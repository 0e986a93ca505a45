"""Self-contained interactive HTML view of an actor graph (gravis ``d3``, all JavaScript inlined).

Works with no network: the page references no http(s) resource. A search box highlights actors
(also from the URL: ``actors.html#search=iran``); hovering an edge shows its types, count, dates and
evidence sentences. Positions are computed once in Python and passed as fixed x/y, so the browser
runs no layout. Above ``max_nodes`` actors the page keeps the heaviest ones and says so.
"""
from __future__ import annotations

import html as _html
import json
import math
import re
from pathlib import Path
from typing import Any

import networkx as nx

from kg.exporters import ACTOR_COLORS, EXPORTERS, SIGN_COLORS, edge_color, edge_kind, layout, node_color, top_nodes
from kg.models import PLOVER_TYPES

#: above this many actors the page shows only the heaviest ones
MAX_NODES = 2000
#: node attributes the search box matches (besides the actor IRI)
SEARCHED = ("label", "actor_type", "country", "wikidata")
#: the element id prefix gravis would otherwise draw at random (fixed: same graph -> same bytes)
FIGURE_ID = "kgactors"
_RESOURCE = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["']?)(https?:)?//""", re.I)


def _text(value: object) -> str:
    """Escaped text for gravis hover HTML: no markup, no ``$var``/``§TAG§`` substitution, and no
    ``src=``/``href=``/``url(``/``@import`` sequences the resource check would mistake for links."""
    out = _html.escape(str(value))
    for a, b in (("$", "&#36;"), ("§", "&#167;"), ("=", "&#61;"), ("(", "&#40;"), ("@", "&#64;")):
        out = out.replace(a, b)
    return out


def _label(value: object) -> str:
    """Plain label text (drawn as SVG text, never parsed as HTML), defanged the same way."""
    text = re.sub(r"[<>§$]", "", str(value))
    text = re.sub(r"(?i)\b(src|href)(\s*)=", "\\1\\2\uff1d", text)
    return re.sub(r"(?i)(url)\(|@(import)", lambda m: f"{m.group(1)} (" if m.group(1) else "@ import", text)


def _node_hover(d: dict[str, Any]) -> str:
    rows = [f"<b>{_text(d.get('label', ''))}</b>", _text(d.get("actor_type", "Actor"))]
    for key, name in (("country", "country"), ("wikidata", "Wikidata"), ("events", "events"),
                      ("degree", "degree"), ("betweenness", "betweenness")):
        if d.get(key) not in (None, ""):
            rows.append(f"{name}: {_text(d[key])}")
    return "<br>".join(rows)


def _edge_hover(graph: nx.Graph, u: Any, v: Any, d: dict[str, Any]) -> str:
    arrow = "&rarr;" if graph.is_directed() else "&ndash;"
    src, dst = graph.nodes[u].get("label", u), graph.nodes[v].get("label", v)
    types = {t: d[t] for t in PLOVER_TYPES if isinstance(d.get(t), int)}
    if not types and d.get("event_type"):
        types = {d["event_type"]: int(d.get("count", 1))}
    rows = [f"<b>{_text(src)} {arrow} {_text(dst)}</b>"]
    if types:
        ranked = sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))
        rows.append("type: " + ", ".join(f"{_text(t)} &times;{n}" for t, n in ranked))
    rows.append(f"count: {int(d.get('count', 1))} &middot; {edge_kind(d)}")
    first, last = d.get("first_date") or d.get("date"), d.get("last_date") or d.get("date")
    if first or last:
        span = _text(first) if first == last else f"{_text(first or '?')} &ndash; {_text(last or '?')}"
        rows.append("dates: " + span)
    evidence = d.get("evidence") or []
    if isinstance(evidence, str):
        evidence = [evidence]
    if evidence:
        rows.append("evidence:<ul style='margin:2px 0 0 14px;padding:0;max-width:420px'>"
                    + "".join(f"<li>{_text(s)}</li>" for s in evidence) + "</ul>")
    return "<br>".join(rows)


def _gjgf(graph: nx.Graph) -> dict[str, Any]:
    pos = layout(graph)
    spread = max(320.0, 55.0 * math.sqrt(max(graph.number_of_nodes(), 1)))
    nodes = {}
    for n in sorted(graph.nodes, key=str):
        d = graph.nodes[n]
        x, y = pos[n]
        nodes[str(n)] = {"label": _label(d.get("label", n)), "metadata": {
            "color": node_color(d), "size": round(14.0 + 8.0 * math.sqrt(float(d.get("weight", 1.0))), 2),
            "x": round(x * spread * 1.35, 2), "y": round(-y * spread, 2), "hover": _node_hover(d),
            "actor_type": str(d.get("actor_type", "Actor")), "country": str(d.get("country") or ""),
        }}
    edges = []
    data = sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2].get("event", ""))))
    for u, v, d in data:
        edges.append({"source": str(u), "target": str(v), "metadata": {
            "color": edge_color(d), "size": round(1.0 + 1.5 * math.log2(1 + float(d.get("count", 1))), 2),
            "hover": _edge_hover(graph, u, v, d),
        }})
    return {"graph": {"directed": graph.is_directed(), "nodes": nodes, "edges": edges}}


def _legend_html(graph: nx.Graph) -> str:
    types = sorted({str(d.get("actor_type") or "Actor") for _, d in graph.nodes(data=True)})
    kinds = sorted({edge_kind(d) for *_, d in graph.edges(data=True)})
    chips = "".join(f"<span class='kg-chip'><i style='background:{ACTOR_COLORS.get(t, ACTOR_COLORS['Actor'])}'></i>"
                    f"{_text(t)}</span>" for t in types)
    lines = "".join(f"<span class='kg-chip'><i class='kg-line' style='background:{SIGN_COLORS[k]}'></i>{k}</span>"
                    for k in kinds)
    return chips + "<span class='kg-sep'></span>" + lines


_STYLE = """<style>
#kg-bar{font:13px/1.4 system-ui,Arial,sans-serif;padding:6px 10px;background:#f6f6f6;border-bottom:1px solid #ddd}
#kg-bar b{font-size:15px}#kg-search{font:inherit;padding:2px 6px;width:220px;margin:0 8px}
#kg-hits{color:#333}.kg-chip{display:inline-block;margin:2px 8px 0 0;white-space:nowrap}
.kg-chip i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px;vertical-align:middle}
.kg-chip i.kg-line{width:16px;height:3px;border-radius:0}.kg-sep{display:inline-block;width:14px}
#kg-note{margin-top:4px;padding:3px 6px;background:#fff3cd;border:1px solid #e0c36b}
</style>"""

_SCRIPT = """<script>
(function(){
  var ACTORS = %(actors)s;
  var current = '';
  function nodeGroups(){ return document.querySelectorAll('g[id$="-node-group"] > g'); }
  function labelGroups(){ return document.querySelectorAll('g[id$="-node-label-group"] > g'); }
  function apply(){
    var q = current.trim().toLowerCase(), hits = [], hitIds = {}, shown = {};
    if(q){
      for(var id in ACTORS){ if(ACTORS[id].text.indexOf(q) >= 0){ hits.push(ACTORS[id].label); hitIds[id] = 1; } }
    }
    nodeGroups().forEach(function(g, i){
      var d = g.__data__ || {}; shown[i] = d.id;
      var on = !q || hitIds[d.id]; g.style.opacity = on ? 1 : 0.12;
      var c = g.querySelector('circle,rect,path');
      if(c){ c.style.stroke = (q && on) ? '#000' : ''; c.style.strokeWidth = (q && on) ? '3px' : ''; }
    });
    labelGroups().forEach(function(g){ var id = shown[g.__data__]; g.style.opacity = (!q || hitIds[id]) ? 1 : 0.12; });
    document.getElementById('kg-hits').textContent = q ? (hits.length + (hits.length == 1 ? ' match' : ' matches')
      + (hits.length ? ': ' + hits.slice(0, 8).join(', ') + (hits.length > 8 ? ', ...' : '') : '')) : '';
  }
  function search(q){ current = q || ''; apply(); }
  var box = document.getElementById('kg-search');
  box.addEventListener('input', function(){ search(box.value); });
  function fromHash(){
    var m = /[#&]search=([^&]*)/.exec(location.hash);
    if(m){ box.value = decodeURIComponent(m[1].replace(/\\+/g, ' ')); search(box.value); }
  }
  var tries = 0;
  function whenDrawn(){  // gravis draws after its own start-up; re-apply whenever it redraws
    var area = document.querySelector('[id$="-graph-div"]');
    if(area && nodeGroups().length){
      new MutationObserver(function(){ if(current){ apply(); } }).observe(area, {childList: true, subtree: true});
      fromHash();
    } else if(tries++ < 400){ setTimeout(whenDrawn, 25); }
  }
  window.addEventListener('hashchange', fromHash);
  window.addEventListener('load', whenDrawn);
  window.kgSearch = search;
})();
</script>"""


def _header(graph: nx.Graph, shown: nx.Graph, note: str | None, title: str) -> str:
    kind = "relations" if graph.is_directed() else "links"
    actors = {str(n): {"label": _label(d.get("label", n)),
                       "text": " ".join([*(str(d.get(k) or "") for k in SEARCHED), str(n)]).lower()}
              for n, d in shown.nodes(data=True)}
    labels = sorted({a["label"] for a in actors.values()})
    options = "".join(f"<option value=\"{_text(label)}\">" for label in labels)
    note_html = f"<div id='kg-note'>{_text(note)}</div>" if note else ""
    return (
        _STYLE + "<div id='kg-bar'><b>" + _text(title) + "</b> &middot; "
        f"{shown.number_of_nodes():,} actors, {shown.number_of_edges():,} {kind}"
        "<input id='kg-search' type='search' list='kg-actors' placeholder='Search actors...' "
        "aria-label='Search actors'>"
        "<span id='kg-hits'></span><br>" + _legend_html(shown) + note_html + "</div>"
        f"<datalist id='kg-actors'>{options}</datalist>"
        + _SCRIPT % {"actors": json.dumps(actors, ensure_ascii=True, sort_keys=True).replace("</", "<\\/")}
    )


@EXPORTERS.register("html")
def write(graph: nx.Graph, path: str | Path, max_nodes: int = MAX_NODES, title: str = "conflict-kg actor graph",
          height: int = 780) -> Path:
    """Write a self-contained HTML page for ``graph`` (see the module docstring)."""
    import gravis

    path = Path(path)
    shown, note = top_nodes(graph, max_nodes)
    note = note and f"Large graph: {note}."
    n = shown.number_of_nodes()
    fig = gravis.d3(
        _gjgf(shown), graph_height=height, node_label_data_source="label", show_menu=False,
        node_hover_neighborhood=True, node_drag_fix=True, node_label_size_factor=1.25,
        edge_curvature=0.15 if shown.is_directed() else 0.0,
        layout_algorithm_active=False, large_graph_threshold=max(500, n + 1),
        zoom_factor=min(1.0, 320.0 / max(320.0, 55.0 * math.sqrt(max(n, 1)))) * 0.9,
        use_centering_force=False, use_many_body_force=False, use_links_force=False,
    )
    fig._generate_random_id = lambda length=16: FIGURE_ID  # gravis draws a random id per render
    page = fig.to_html_standalone()
    page = page.replace('<body style="margin:0;">', '<body style="margin:0;">' + _header(graph, shown, note, title), 1)
    page = page.replace("<head>", f"<head>\n  <title>{_text(title)}</title>", 1)
    if _RESOURCE.search(page):
        raise ValueError("the HTML page would load a network resource")
    path.write_text(page, encoding="utf-8")
    return path


def network_resources(page: str) -> list[str]:
    """The ``src=``/``href=``/``url(``/``@import`` references to http(s) or protocol-relative URLs."""
    return [m.group(0) for m in _RESOURCE.finditer(page)]
