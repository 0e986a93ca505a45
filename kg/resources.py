"""Where the shipped data lives: the ontology files (``ontology/`` in the source tree, ``kg/ontology``
inside a built wheel)."""
from __future__ import annotations

from pathlib import Path


def _ontology_dir() -> Path:
    source_tree = Path(__file__).resolve().parent.parent / "ontology"
    if (source_tree / "shapes.ttl").is_file():
        return source_tree  # editable install / checkout
    try:
        from importlib.resources import files

        return Path(str(files("kg.ontology")))  # wheel: packaged as kg/ontology
    except ModuleNotFoundError:
        return source_tree


ONTOLOGY_DIR: Path = _ontology_dir()
