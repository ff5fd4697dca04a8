"""A tiny threaded HTTP server on 127.0.0.1 that stands in for OpenAI and OpenRouter in tests.

Tests register a handler per (method, path); each request is recorded so tests can count
calls. A handler returns (status, headers, body) where body is bytes, str or a JSON-able value.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


Handler = Callable[[Request], tuple[int, dict[str, str], Any]]


@dataclass
class HTTPStub:
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method.upper(), path)] = handler

    def calls(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path.split("?")[0] == path]


def json_reply(value: Any, status: int = 200) -> tuple[int, dict[str, str], Any]:
    return status, {"Content-Type": "application/json"}, value


def slow(seconds: float, reply: tuple[int, dict[str, str], Any]) -> Handler:
    def handler(_request: Request) -> tuple[int, dict[str, str], Any]:
        time.sleep(seconds)
        return reply

    return handler


def start(stub: HTTPStub) -> HTTPStub:
    class _Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(self.command, self.path, dict(self.headers), self.rfile.read(length) if length else b"")
            stub.requests.append(request)
            handler = stub.routes.get((self.command, self.path.split("?")[0]))
            if handler is None:
                status, headers, body = 404, {"Content-Type": "application/json"}, {"error": "no route"}
            else:
                status, headers, body = handler(request)
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body, default=str)
            data = body.encode() if isinstance(body, str) else body
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        do_GET = do_POST = _serve

    stub.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    stub.server.daemon_threads = True
    threading.Thread(target=stub.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return stub
