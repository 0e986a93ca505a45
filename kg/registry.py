"""A tiny plugin registry, after rdflib's ``plugin.py``: a name maps to an implementation.

Readers, graph exporters and RDF export formats each keep one :class:`Registry`; a new format
is added by registering it, never by an ``if`` chain.
"""
from __future__ import annotations

from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps a format name to an implementation (a class or a function)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: ``@REG.register("json")``."""

        def deco(obj: T) -> T:
            self._items[name] = obj
            return obj

        return deco

    def add(self, name: str, obj: T) -> None:
        self._items[name] = obj

    def get(self, name: str) -> T:
        from kg.errors import KGError

        try:
            return self._items[name]
        except KeyError:
            raise KGError("E010", kind=self.kind, name=name, known=", ".join(sorted(self._items))) from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def names(self) -> list[str]:
        return sorted(self._items)
