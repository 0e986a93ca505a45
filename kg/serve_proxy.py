"""A small read-only reverse proxy in front of the Oxigraph server: a per-request deadline and a result-size cap.

``kg serve`` runs Oxigraph on an internal port of 127.0.0.1 and exposes this proxy on the user's address.
The proxy forwards ``GET``/``HEAD``/``OPTIONS`` anywhere (``/query``, ``/sparql``, ``GET /store``, the
YASGUI page and its assets) and ``POST`` only for queries (``/query``, ``/sparql`` without ``update``);
SPARQL Update and Graph Store writes get ``403`` here, before Oxigraph sees them. Request and response
headers pass through (``Accept`` content negotiation, ``--cors`` headers), minus hop-by-hop ones.

Limits (both ``None``/``0`` = none):

* ``timeout`` (seconds): a deadline for the whole upstream answer, from the moment the request is read.
  Past it the proxy closes the upstream connection and answers ``504`` with ``E046``. Oxigraph gets its
  own ``--timeout-s`` a little later, so it stops working on the query.
* ``max_results_bytes``: for answers of ``/query``, ``/sparql`` and ``/store`` the body is buffered up to
  the limit before any header goes out; one byte more and the answer is ``413`` with ``E054``.
  Without a limit (or for the static YASGUI files) the body is streamed (chunked) after its first bytes
  arrive: a failure after that point aborts the transfer, so clients see an incomplete answer, never a
  truncated one that looks complete.

Error answers are one line of ``text/plain`` (``error[E046]: ...``), with the same line as the HTTP reason
phrase so ``urllib``'s ``HTTPError`` shows it. Nothing is logged.
"""
from __future__ import annotations

import http.client
import math
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kg.errors import KGError

DEFAULT_MAX_RESULTS_BYTES = 50_000_000
#: request bodies (POSTed queries) above this are refused: no SPARQL query needs more
MAX_REQUEST_BYTES = 16_000_000
#: paths whose answers are query results (size-capped); the others are Oxigraph's static YASGUI files
DATA_PATHS = frozenset({"/query", "/sparql", "/store"})
QUERY_PATHS = frozenset({"/query", "/sparql"})
#: what Oxigraph appends to a 200 body when its own ``--timeout-s`` fires mid-answer
CANCELLED_MARKER = b"The SPARQL operation has been cancelled"
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                        "trailer", "trailers", "transfer-encoding", "upgrade", "proxy-connection"})
READ_ONLY = "SPARQL Update and Graph Store writes"
PIECE = 64 * 1024


@dataclass(frozen=True)
class ProxyConfig:
    """Where Oxigraph listens and the limits the proxy enforces."""

    upstream_host: str
    upstream_port: int
    timeout: float | None = None
    max_results_bytes: int = DEFAULT_MAX_RESULTS_BYTES
    cors: bool = False


class ProxyError(Exception):
    """An answer the proxy makes itself: ``status`` and a one-line ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = " ".join(message.split())


class _Aborted(Exception):
    """The answer was already under way when it failed: drop the connection."""


def format_bytes(n: int) -> str:
    """``50 MB``, ``2 kB``, ``512 bytes`` (decimal units, as in the option's help)."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


def oxigraph_timeout_s(timeout: float) -> int:
    """Oxigraph's ``--timeout-s`` for a proxy deadline of ``timeout``: whole seconds, a bit later."""
    return max(1, math.ceil(timeout)) + 1


def coded(status: int, code: str, **fields: object) -> ProxyError:
    """A proxy answer with a catalogued one-line message (``error[E0xx]: ...``)."""
    err = KGError(code, **fields)
    return ProxyError(status, f"error[{err.code}]: {err.message}")


def timeout_error(timeout: float | None) -> ProxyError:
    return coded(504, "E046", seconds=f"{timeout or 0:g}")


def too_large_error(limit: int) -> ProxyError:
    return coded(413, "E054", limit=format_bytes(limit))


def is_write(method: str, path: str, headers: http.client.HTTPMessage, body: bytes) -> bool:
    """Whether a request would change the store (SPARQL Update, Graph Store writes)."""
    if path == "/update":
        return True
    if method != "POST":
        return method not in ("GET", "HEAD", "OPTIONS")
    if path not in QUERY_PATHS:
        return True
    ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        return True
    if ctype == "application/x-www-form-urlencoded":
        return "update" in urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    return False


class ProxyHandler(BaseHTTPRequestHandler):
    """One client connection: checks the request, forwards it upstream, relays or replaces the answer."""

    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"
    sys_version = ""
    timeout = 60  # idle keep-alive connections and stalled clients
    server: "ProxyServer"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence the access log
        pass

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_POST = do_OPTIONS = do_PUT = do_DELETE = do_PATCH = do_GET

    # --------------------------------------------------------------------------------- flow

    def _handle(self) -> None:
        cfg = self.server.config
        self._started = False
        try:
            body = self._read_body()
            target = urllib.parse.urlsplit(self.path)
            if is_write(self.command, target.path, self.headers, body):
                raise coded(403, "E055", what=READ_ONLY)
            deadline = time.monotonic() + cfg.timeout if cfg.timeout else None
            limit = cfg.max_results_bytes if target.path in DATA_PATHS else 0
            path = target.path + (f"?{target.query}" if target.query else "")
            self._forward(path, body, deadline, limit)
        except ProxyError as exc:
            self._send_text(exc.status, exc.message)
        except _Aborted:
            self.close_connection = True

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise coded(411, "E056", reason="send the request body with a Content-Length")
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise coded(400, "E056", reason="bad Content-Length") from None
        if n > MAX_REQUEST_BYTES:
            raise coded(413, "E056", reason=f"the request is larger than {format_bytes(MAX_REQUEST_BYTES)}")
        return self.rfile.read(n) if n > 0 else b""

    def _forward(self, path: str, body: bytes, deadline: float | None, limit: int) -> None:
        cfg = self.server.config
        conn = http.client.HTTPConnection(cfg.upstream_host, cfg.upstream_port)
        try:
            conn.timeout = _remaining(deadline)
            resp, sock = self._ask_upstream(conn, path, body)
            if self.command == "HEAD" or resp.status in (204, 304):
                self._send_head(resp, 0, keep_length=True)
            elif limit:
                self._relay_buffered(resp, sock, deadline, limit)
            else:
                self._relay_streamed(resp, sock, deadline)
        except TimeoutError:
            self._fail(timeout_error(cfg.timeout))
        except (OSError, http.client.HTTPException) as exc:
            self._fail(coded(502, "E057", reason=type(exc).__name__))
        finally:
            conn.close()

    def _ask_upstream(self, conn: http.client.HTTPConnection, path: str,
                      body: bytes) -> tuple[http.client.HTTPResponse, socket.socket]:
        conn.putrequest(self.command, path, skip_accept_encoding=True)
        for key, value in self.headers.items():
            if key.lower() not in HOP_BY_HOP | {"host", "content-length", "expect"}:
                conn.putheader(key, value)
        if body or self.command == "POST":
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        sock = conn.sock
        assert sock is not None
        return conn.getresponse(), sock

    # ------------------------------------------------------------------------------ answers

    def _relay_buffered(self, resp: http.client.HTTPResponse, sock: socket.socket, deadline: float | None,
                        limit: int) -> None:
        """Read the whole answer (at most ``limit`` bytes) before sending anything."""
        data = bytearray()
        while piece := _read_piece(resp, sock, deadline):
            if len(data) + len(piece) > limit:
                raise too_large_error(limit)
            data += piece
        if resp.status == 200 and bytes(data[-100:]).rstrip().endswith(CANCELLED_MARKER):
            raise TimeoutError
        self._send_head(resp, len(data))
        self.wfile.write(data)

    def _relay_streamed(self, resp: http.client.HTTPResponse, sock: socket.socket,
                        deadline: float | None) -> None:
        """Send the head once the first bytes arrive, then relay the body as chunks."""
        piece = _read_piece(resp, sock, deadline)
        if not piece:
            self._send_head(resp, 0)
            return
        if resp.status == 200 and piece.rstrip().endswith(CANCELLED_MARKER):
            raise TimeoutError
        self._send_head(resp, None)
        while piece:
            if resp.status == 200 and piece.rstrip().endswith(CANCELLED_MARKER):
                raise _Aborted
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            try:
                piece = _read_piece(resp, sock, deadline)
            except (OSError, http.client.HTTPException):
                raise _Aborted from None
        self.wfile.write(b"0\r\n\r\n")

    def _send_head(self, resp: http.client.HTTPResponse, length: int | None, keep_length: bool = False) -> None:
        """Status line and upstream headers; ``length`` None = chunked."""
        self.send_response(resp.status, resp.reason)
        skip = HOP_BY_HOP | {"server", "date"} | (set() if keep_length else {"content-length"})
        for key, value in resp.getheaders():
            if key.lower() not in skip:
                self.send_header(key, value)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        elif not keep_length:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self._started = True

    def _fail(self, err: ProxyError) -> None:
        """Answer ``err``, or drop the connection if the answer is already under way (client gone, ...)."""
        if self._started:
            raise _Aborted
        raise err

    def _send_text(self, status: int, message: str) -> None:
        """A one-line ``text/plain`` answer made by the proxy; the connection is closed after it."""
        data = (message + "\n").encode("utf-8")
        try:
            self.send_response(status, message.encode("latin-1", "replace").decode("latin-1"))
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            if self.server.config.cors:
                self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            self.close_connection = True


def _remaining(deadline: float | None) -> float | None:
    """Seconds left before ``deadline`` (``TimeoutError`` once past it; None = no deadline)."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _read_piece(resp: http.client.HTTPResponse, sock: socket.socket, deadline: float | None) -> bytes:
    """The next bytes of the upstream body (``b""`` at its end), within the deadline."""
    sock.settimeout(_remaining(deadline))
    return resp.read1(PIECE)


class ProxyServer(ThreadingHTTPServer):
    """The proxy's listening socket and its threads; :meth:`start` serves in a daemon thread."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 64

    def __init__(self, bind: str, port: int, config: ProxyConfig) -> None:
        self.address_family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        self.config = config
        self._thread: threading.Thread | None = None
        super().__init__((bind, port), ProxyHandler)

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s reverse-DNS lookup of the address."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> "ProxyServer":
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                         name="kg-serve-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting connections and close the socket (requests in flight end on their own)."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(5)
            self._thread = None
        self.server_close()

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that go away are normal; anything else is one line on stderr, no traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        print(f"kg serve: proxy error: {type(exc).__name__}: {exc}", file=sys.stderr)


__all__ = ["ProxyConfig", "ProxyServer", "ProxyHandler", "ProxyError", "DEFAULT_MAX_RESULTS_BYTES",
           "format_bytes", "oxigraph_timeout_s", "is_write"]
