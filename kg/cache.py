"""An on-disk cache for data derived from installed packages (the GeoNames city index).

Every process that extracts (the in-process build, each ``--workers`` process, each dask worker)
needs the same derived tables; building them costs each process time and memory that loading them
does not. A cache file is named by what it was derived from (``key``: the inputs' versions, our
deriving code, the Python that wrote it) and carries a SHA-256 of its payload: a changed input, a
different Python or a damaged file means the table is rebuilt, never a stale or broken one used.
Files are written to a temporary name and renamed into place, so concurrent processes never read
half a file. The cache is an optimisation only: an unwritable or missing folder means building
every time.

The folder is ``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/conflict-kg``, else ``~/.cache/conflict-kg``;
``KG_CACHE_DIR=off`` turns the cache off.
"""
from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, TypeVar

__all__ = ["cache_dir", "cached"]

T = TypeVar("T")

_MAGIC = b"KGC1"
_DIGEST = 32  # sha256


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off."""
    env = os.environ.get("KG_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = Path.home() / ".cache"
        except (RuntimeError, KeyError):  # no HOME and no passwd entry: no cache
            return None
    return Path(base) / "conflict-kg"


def _path(folder: Path, name: str, key: Iterable[bytes | str]) -> Path:
    h = hashlib.sha256()
    for part in (sys.implementation.cache_tag or "", str(marshal.version), *key):
        b = part if isinstance(part, bytes) else part.encode("utf-8")
        h.update(len(b).to_bytes(8, "little") + b)
    return folder / f"{name}-{h.hexdigest()[:20]}.bin"


def _load(path: Path):
    """The cached value, or None when the file is missing or damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    if len(data) <= head or not data.startswith(_MAGIC):
        return None
    payload = memoryview(data)[head:]
    if hashlib.sha256(payload).digest() != data[len(_MAGIC):head]:
        return None
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None


def _store(path: Path, name: str, value) -> None:
    """Write ``value`` atomically and drop this table's files for other keys; errors are ignored."""
    with contextlib.suppress(OSError, ValueError):
        payload = marshal.dumps(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for old in path.parent.glob(f"{name}-*.bin"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()


def cached(name: str, key: Iterable[bytes | str], build: Callable[[], T]) -> T:
    """``build()``'s value, from the cache file for ``(name, key)`` when it is there and whole,
    else built and stored. The value must be made of builtin types (dicts, lists, tuples, str,
    bytes, numbers): it is serialised with :mod:`marshal`."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = _path(folder, name, key)
    value = _load(path)
    if value is None:
        value = build()
        _store(path, name, value)
    return value
