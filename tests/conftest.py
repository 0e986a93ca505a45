"""Shared fixtures: one seed build per test session (the build is the expensive part)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """``kg build seeds/ --out <tmp>`` once; returns (out_dir, summary)."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("seed_out")
    summary = build([SEEDS], out)
    return out, summary


@pytest.fixture()
def seed_copy(tmp_path):
    """A private copy of the seeds folder."""
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst
