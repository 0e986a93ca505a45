"""A SPARQL 1.1 Protocol endpoint over the store: the Oxigraph server from the ``oxigraph`` PyPI package.

``start_server`` runs ``oxigraph serve-read-only --location DIR/store --bind 127.0.0.1:INTERNAL
--union-default-graph [--timeout-s N]`` (queries see the union of all graphs, like ``kg query``) on a free
internal port, and in front of it, on the user's ``bind:port``, the proxy of :mod:`kg.serve_proxy`: it
enforces the per-query ``timeout`` (``504``, ``E046``) and ``max_results_bytes`` (``413``, ``E054``), and
refuses writes (``/update``, ``/store`` writes: 403). ``wait_ready`` polls the endpoint until it answers.
It is bound to 127.0.0.1 unless told otherwise.

A read-only server must not run next to a writer (RocksDB: "undefined behaviour"), so the store is
checked first: if a ``kg build`` or a Python session holds it open for writing, ``E050`` says so.
Readers (``kg query``, ``Store.open(..., read_only=True)``) can run alongside. The server sees the store
as it was when it started: restart it after a build.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import KGError
from kg.rdf.store import resolve_store_dir
from kg.serve_proxy import DEFAULT_MAX_RESULTS_BYTES, ProxyConfig, ProxyServer, oxigraph_timeout_s

DEFAULT_PORT = 7878
DEFAULT_BIND = "127.0.0.1"


def oxigraph_binary() -> str:
    """Path of the ``oxigraph`` server binary installed with the ``oxigraph`` package."""
    local = Path(sys.executable).with_name("oxigraph")
    if local.exists():
        return str(local)
    found = shutil.which("oxigraph")
    if not found:
        raise KGError("E050", reason="the `oxigraph` binary is not installed (pip install oxigraph)")
    return found


def free_port(bind: str = DEFAULT_BIND) -> int:
    """A TCP port nobody listens on right now."""
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((bind, 0))
        return int(s.getsockname()[1])


def port_in_use(bind: str, port: int) -> bool:
    """Whether something already listens on ``bind:port``."""
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((bind, port))
        except OSError:
            return True
    return False


def _hostport(bind: str, port: int) -> str:
    return f"[{bind}]:{port}" if ":" in bind else f"{bind}:{port}"


def check_no_writer(store_dir: Path) -> None:
    """``E050`` when another process (or this one) holds the store open for writing."""
    try:
        probe = ox.Store(str(store_dir))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise KGError("E050", reason=(
                f"{store_dir} is open for writing (a running `kg build` or a Python session); "
                "close it first: a read-only server next to a writer is undefined behaviour")) from None
        raise KGError("E050", reason=" ".join(str(exc).split())) from None
    del probe


@dataclass
class Server:
    """A running endpoint: ``process`` is Oxigraph's :class:`subprocess.Popen`, ``url`` the proxy's address."""

    process: subprocess.Popen
    url: str
    store_dir: Path
    log: IO[bytes] | None = field(default=None, repr=False)
    proxy: ProxyServer | None = field(default=None, repr=False)
    upstream_url: str = ""
    timeout: float | None = None
    max_results_bytes: int = DEFAULT_MAX_RESULTS_BYTES

    @property
    def query_endpoint(self) -> str:
        """The SPARQL 1.1 Protocol query URL (``GET ?query=`` or ``POST``)."""
        return f"{self.url}/query"

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    def log_tail(self, n: int = 5) -> str:
        if self.log is None:
            return ""
        self.log.flush()
        self.log.seek(0)
        lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
        return " | ".join(lines[-n:])

    def stop(self, timeout: float = 10) -> None:
        """Close the proxy, then terminate the Oxigraph server (kill after ``timeout`` s)."""
        if self.proxy is not None:
            self.proxy.stop()
            self.proxy = None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.log is not None:
            self.log.close()
            self.log = None

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def oxigraph_command(store_dir: Path, port: int, timeout: float | None = None, cors: bool = False) -> list[str]:
    """The ``oxigraph serve-read-only`` command line for the internal server on 127.0.0.1:``port``."""
    cmd = [oxigraph_binary(), "serve-read-only", "--location", str(store_dir), "--bind",
           _hostport(DEFAULT_BIND, port), "--union-default-graph"]
    if timeout:
        cmd += ["--timeout-s", str(oxigraph_timeout_s(timeout))]
    if cors:
        cmd.append("--cors")
    return cmd


def _open_proxy(bind: str, port: int, config: ProxyConfig) -> ProxyServer:
    try:
        return ProxyServer(bind, port, config)
    except OSError as exc:
        if port and port_in_use(bind, port):
            raise KGError("E050", reason=f"{bind}:{port} is already in use (choose another --port)") from None
        raise KGError("E050", reason=f"cannot listen on {bind}:{port}: {exc.strerror or exc}") from None


def start_server(store_dir: str | Path, port: int = DEFAULT_PORT, bind: str = DEFAULT_BIND,
                 timeout: float | None = None, cors: bool = False, capture_log: bool = True,
                 max_results_bytes: int = DEFAULT_MAX_RESULTS_BYTES) -> Server:
    """Start the read-only endpoint on ``bind:port`` over the store of an out dir (or a store dir).

    ``timeout`` (seconds; None or 0 = none) caps each request, ``max_results_bytes`` (0 = none) each
    answer of ``/query``, ``/sparql`` and ``/store``. Returns at once; call :func:`wait_ready`.
    """
    d = resolve_store_dir(store_dir)
    if not (d / "CURRENT").exists():
        raise KGError("E040", path=store_dir)
    check_no_writer(d)
    if port and port_in_use(bind, port):
        raise KGError("E050", reason=f"{bind}:{port} is already in use (choose another --port)")
    timeout = timeout or None
    upstream_port = free_port(DEFAULT_BIND)
    config = ProxyConfig(DEFAULT_BIND, upstream_port, timeout, max(0, int(max_results_bytes or 0)), cors)
    proxy = _open_proxy(bind, port, config)
    log = tempfile.TemporaryFile() if capture_log else None
    try:
        proc = subprocess.Popen(oxigraph_command(d, upstream_port, timeout, cors), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT if log else None)
    except (OSError, KGError) as exc:
        proxy.server_close()
        if log is not None:
            log.close()
        raise exc if isinstance(exc, KGError) else KGError("E050", reason=str(exc)) from None
    host = f"[{bind}]" if ":" in bind else bind
    return Server(proc, f"http://{host}:{proxy.port}", d, log, proxy.start(),
                  f"http://{_hostport(DEFAULT_BIND, upstream_port)}", timeout, config.max_results_bytes)


def wait_ready(server: Server, timeout: float = 30.0) -> Server:
    """Block until the endpoint answers ``ASK {}`` (``E050`` if it exits or does not answer in time)."""
    probe = server.query_endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + timeout
    while True:
        code = server.poll()
        if code is not None:
            tail = server.log_tail()
            server.stop()
            raise KGError("E050", reason=f"the server exited with code {code}" + (f": {tail}" if tail else ""))
        try:
            with urllib.request.urlopen(probe, timeout=2) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise KGError("E050", reason=f"no answer from {server.url} after {timeout:.0f} s")
        time.sleep(0.1)


__all__ = ["Server", "start_server", "wait_ready", "free_port", "port_in_use", "oxigraph_binary", "check_no_writer",
           "oxigraph_command", "DEFAULT_PORT", "DEFAULT_BIND", "DEFAULT_MAX_RESULTS_BYTES"]
