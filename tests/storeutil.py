"""Helpers shared by the tests that compare two builds' stores."""
from __future__ import annotations

import sys
from pathlib import Path

from kg.rdf.store import Store

DATA = Path(__file__).parent / "data" / "throughput"
SKIP_GRAPHS = ("https://w3id.org/conflict-kg/graph/runs", "https://w3id.org/conflict-kg/ontology")
GENERATED_BY = "http://www.w3.org/ns/prov#wasGeneratedBy"


def content(out: Path) -> set[tuple[str, str, str, str]]:
    """Every quad except the run's provenance (its id and times differ) and the ontology's blank nodes."""
    with Store.open(out, read_only=True) as st:
        return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in st.ox
                if str(q.graph_name).strip("<>") not in SKIP_GRAPHS and q.predicate.value != GENERATED_BY}


#: ``kg`` run as a subprocess with every batch its own store transaction (``kg.pipeline.WRITE_EVERY_QUADS``
#: = 1; builds gather ~50,000 quads per transaction, which makes a small test corpus a single one)
KG_PER_BATCH = [sys.executable, "-c", "import sys, kg.pipeline; kg.pipeline.WRITE_EVERY_QUADS = 1; "
                "sys.argv[0] = 'kg'; from kg.cli import main; main()"]
