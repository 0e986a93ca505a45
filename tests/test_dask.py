"""``--dask local``: extraction on a dask.distributed LocalCluster (2 single-threaded worker
processes) stores exactly what the single-process build stores."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.pipeline import build
from kg.rdf.store import Store

pytest.importorskip("distributed")

from storeutil import DATA, content  # noqa: E402


def test_local_cluster_build_is_identical_to_single_process(tmp_path):
    inputs = [DATA / "articles.jsonl", DATA / "syndicated.jsonl"]
    single = build(inputs, tmp_path / "single", export=False, batch_size=2)
    dist = build(inputs, tmp_path / "dask", export=False, batch_size=2, dask="local", workers=2)
    assert (dist.executor, dist.workers) == ("dask", 2)
    assert (dist.read, dist.stored, dist.duplicates, dist.failed) == (single.read, single.stored, single.duplicates,
                                                                      single.failed)
    a, b = content(tmp_path / "single"), content(tmp_path / "dask")
    articles = {q for q in a if "/graph/article/" in q[3]}
    assert len(articles) > 100 and a == b
    with Store.open(tmp_path / "dask", read_only=True) as st:
        runs = st.select("SELECT ?r WHERE { ?r a prov:Activity }")
        assert len(runs) == 1 and runs[0]["r"] == dist.run
